// Clause boundaries for the shown core and extent of templates (clause.hpp).
#include "recur/clause.hpp"

#include <algorithm>
#include <utility>

#include "parallel.hpp"
#include "recur/error.hpp"

namespace recur {

Boundary boundary_of(char32_t c) noexcept {
  switch (c) {
    case U',': case U'.': case U';': case U':': case U'!': case U'?':
    case U'\uFF0C': case U'\u3002': case U'\uFF1B': case U'\uFF1A': case U'\uFF01': case U'\uFF1F':  // ，。；：！？
    case U'\uFF0E': case U'\uFF61':  // ． ｡
      return Boundary::clause;
    case U'\u3001': case U'\uFF64':  // 、 ､
      return Boundary::list;
    default:
      return Boundary::none;
  }
}

void ClauseMarks::append(const BoundaryBits& after, std::size_t paragraph, std::size_t first, std::size_t count) {
  segment_before_.push_back(first == paragraph ? Boundary::clause : after[first - 1]);
  after_.append(after, first, count);
}

void ClauseMarks::append(const ClauseMarks& more) {
  after_.append(more.after_);
  segment_before_.append(more.segment_before_);
}

namespace {

constexpr unsigned kNibble = 4;  // bits per direction in a byte of Continuations::shared

// The segment and document of each occurrence (occurrences by start, so the documents are
// non-decreasing). The segments are found once here: every later look past or inside an
// occurrence stays in its segment (a binary search per look was a third of the continuations' time).
void documents_of(const SegmentedText& text, std::span<const Occurrence> occurrences, std::vector<std::uint32_t>& segs,
                  std::vector<std::uint32_t>& docs) {
  segs.clear();
  docs.clear();
  for (const Occurrence& o : occurrences) {
    segs.push_back(static_cast<std::uint32_t>(text.segment_of(o.start)));
    docs.push_back(text.segment_doc[segs.back()]);
  }
}

// Per-thread scratch of span_continuation() and clause_bounds(): they run once per candidate
// (millions), and fresh vectors each time cost more than the work.
struct Scratch {
  std::vector<std::uint32_t> segs, docs, active;
  std::vector<std::pair<char32_t, std::uint32_t>> next;  // (character, occurrence)
  std::vector<std::uint8_t> have[2];
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Distinct documents among the occurrences `keep` says yes to (docs non-decreasing).
template <class Keep>
std::uint32_t documents_where(const std::vector<std::uint32_t>& docs, Keep&& keep) {
  std::uint32_t n = 0, last = UINT32_MAX;
  for (std::size_t k = 0; k < docs.size(); ++k)
    if (keep(k) && docs[k] != last) {
      ++n;
      last = docs[k];
    }
  return n;
}

// True when `documents` are at least `share` of `total`.
bool holds(std::uint32_t documents, std::uint32_t total, double share) {
  return documents > 0 && static_cast<double>(documents) >= share * static_cast<double>(total);
}

// One direction of a span: its boundary marks and the positions past it.
struct Side {
  bool right;
  // The position `step` characters past the end of occurrence `o` of segment `seg` (0: the first
  // outside it), or UINT32_MAX when that leaves its segment.
  std::uint32_t past(const SegmentedText& text, const Occurrence& o, std::size_t seg, std::uint32_t step) const {
    if (right) {
      const std::uint64_t p = std::uint64_t{o.start} + o.length + step;
      return p < text.segment_start[seg + 1] ? static_cast<std::uint32_t>(p) : UINT32_MAX;
    }
    return o.start >= text.segment_start[seg] + step + 1 ? o.start - step - 1 : UINT32_MAX;
  }
  // The position `step` characters inside the end (0: its last character).
  std::uint32_t inside(const Occurrence& o, std::uint32_t step) const {
    return right ? o.start + o.length - 1 - step : o.start + step;
  }
  // A boundary of at least `least` on this side of the character at `pos` (in segment `seg`) of `text`.
  bool boundary(const SegmentedText& text, const ClauseMarks& marks, std::uint32_t pos, std::size_t seg,
                Boundary least = Boundary::list) const {
    return (right ? marks.after(pos) : marks.before(text, pos, seg)) >= least;
  }
  unsigned shift() const { return right ? 0 : kNibble; }
};

// Whether the end on `side` is at a clause boundary at `share` of the documents.
bool at_boundary(const SegmentedText& text, const ClauseMarks& marks, std::span<const Occurrence> occurrences,
                 const Scratch& sc, std::uint32_t total, const Side& side, double share) {
  return holds(documents_where(sc.docs, [&](std::size_t k) {
                 return side.boundary(text, marks, side.inside(occurrences[k], 0), sc.segs[k]);
               }),
               total, share);
}

// The shared continuation on `side` (see Continuations): its length, and per occurrence how many
// of its characters it has, into `have`.
std::uint8_t continuation(const SegmentedText& text, std::span<const Occurrence> occurrences, Scratch& sc,
                          std::uint32_t total, const Side& side, const TemplateOptions& options,
                          std::vector<std::uint8_t>& have) {
  const std::vector<std::uint32_t>& docs = sc.docs;
  auto& active = sc.active;
  auto& next = sc.next;
  have.assign(occurrences.size(), 0);
  active.resize(occurrences.size());
  for (std::uint32_t k = 0; k < active.size(); ++k) active[k] = k;
  std::uint8_t length = 0;
  for (std::uint32_t step = 0; step < options.clause_reach && !active.empty(); ++step) {
    next.clear();
    for (std::uint32_t k : active)
      if (const std::uint32_t p = side.past(text, occurrences[k], sc.segs[k], step); p != UINT32_MAX) next.push_back({text.chars[p], k});
    // By character, then occurrence: the documents of each character's occurrences are in order.
    std::sort(next.begin(), next.end());
    std::size_t best_first = 0, best_end = 0;
    std::uint32_t best_docs = 0;
    for (std::size_t i = 0; i < next.size();) {
      std::size_t j = i;
      std::uint32_t n = 0, last = UINT32_MAX;
      for (; j < next.size() && next[j].first == next[i].first; ++j)
        if (docs[next[j].second] != last) {
          ++n;
          last = docs[next[j].second];
        }
      if (n > best_docs) {  // ties keep the smaller character
        best_docs = n;
        best_first = i;
        best_end = j;
      }
      i = j;
    }
    if (!holds(best_docs, total, options.clause_share)) break;
    active.clear();
    for (std::size_t i = best_first; i < best_end; ++i) {
      active.push_back(next[i].second);
      have[next[i].second] = static_cast<std::uint8_t>(step + 1);
    }
    length = static_cast<std::uint8_t>(step + 1);
  }
  return length;
}

constexpr Side kSides[2] = {{true}, {false}};

}  // namespace

Continuations::Entry span_continuation(const SegmentedText& text, const ClauseMarks& marks,
                                       std::span<const Occurrence> occurrences, const TemplateOptions& options,
                                       std::vector<std::uint8_t>& shared) {
  Continuations::Entry e;
  e.first = static_cast<std::uint32_t>(shared.size());
  if (occurrences.empty() || occurrences[0].length == 0) return e;
  Scratch& sc = scratch();
  documents_of(text, occurrences, sc.segs, sc.docs);
  const std::uint32_t total = documents_where(sc.docs, [](std::size_t) { return true; });
  auto& have = sc.have;
  std::uint8_t* length[2] = {&e.right, &e.left};
  for (int s = 0; s < 2; ++s)
    if (!at_boundary(text, marks, occurrences, sc, total, kSides[s], options.clause_share))
      *length[s] = continuation(text, occurrences, sc, total, kSides[s], options, have[s]);
  if (e.right == 0 && e.left == 0) return e;
  for (std::size_t k = 0; k < occurrences.size(); ++k)
    shared.push_back(static_cast<std::uint8_t>((e.right ? have[0][k] : 0) | (e.left ? have[1][k] : 0) << kNibble));
  return e;
}

Continuations candidate_continuations(const std::vector<Candidate>& candidates, const SegmentedText& text,
                                      const ClauseMarks& marks, const TemplateOptions& options, unsigned threads) {
  return candidate_continuations(
      candidates.size(), [&](std::size_t c, std::vector<Occurrence>&) { return std::span<const Occurrence>(candidates[c].occurrences); },
      text, marks, options, threads);
}

// A block of candidates at a time on any thread, each block's bytes in a buffer of its own (its
// entries' `first` relative to it), then the buffers joined in block order: the same result for
// any number of threads. The blocks used to be joined on one thread as they came, after each
// block's candidates were spread over the threads, which then waited: dense 1 GiB's stage ran at
// about one and a half cores and took 1.24-1.80 s, against 1.03-1.07 s with blocks claimed by any
// thread (bench/RESULTS.md).
ContinuationsBuilder::ContinuationsBuilder(std::size_t count, const SegmentedText& text, const ClauseMarks& marks,
                                           const TemplateOptions& options)
    : count_(count), text_(&text), marks_(&marks), options_(options), bytes_((count + kBlock - 1) / kBlock) {
  if (auto m = options.validate(); !m.empty()) throw Error(errc::usage, m);
  out_.of.resize(count);
}

void ContinuationsBuilder::work(const OccurrencesOf& occurrences_of) {
  std::vector<Occurrence> scratch;
  for (;;) {
    const std::size_t b = next_.fetch_add(1);
    if (b >= bytes_.size()) return;
    const std::size_t end = std::min(count_, (b + 1) * kBlock);
    for (std::size_t c = b * kBlock; c < end; ++c)
      out_.of[c] = span_continuation(*text_, *marks_, occurrences_of(c, scratch), options_, bytes_[b]);
  }
}

Continuations ContinuationsBuilder::finish(unsigned threads) {
  const std::size_t blocks = bytes_.size();
  std::vector<std::size_t> at(blocks + 1, 0);
  for (std::size_t b = 0; b < blocks; ++b) at[b + 1] = at[b] + bytes_[b].size();
  // One byte per occurrence, and the occurrences of all candidates are capped (RepeatOptions::max_positions).
  if (at.back() > UINT32_MAX) throw Error(errc::internal, "candidate_continuations: over 2^32 occurrences");
  out_.shared.resize(at.back());
  detail::parallel_for(blocks, threads, [&](std::size_t b, unsigned) {
    std::copy(bytes_[b].begin(), bytes_[b].end(), out_.shared.begin() + static_cast<std::ptrdiff_t>(at[b]));
    std::vector<std::uint8_t>().swap(bytes_[b]);
    const std::size_t end = std::min(count_, (b + 1) * kBlock);
    for (std::size_t c = b * kBlock; c < end; ++c) out_.of[c].first += static_cast<std::uint32_t>(at[b]);
  });
  return std::move(out_);
}

Continuations candidate_continuations(std::size_t count, const OccurrencesOf& occurrences_of, const SegmentedText& text,
                                      const ClauseMarks& marks, const TemplateOptions& options, unsigned threads) {
  ContinuationsBuilder builder(count, text, marks, options);
  detail::parallel_for(std::max(threads, 1u), threads, [&](std::size_t, unsigned) { builder.work(occurrences_of); });
  return builder.finish(threads);
}

ClauseBounds clause_bounds(const Candidate& c, const SegmentedText& text, const ClauseMarks& marks,
                           const Continuations::Entry& continuation, std::span<const std::uint8_t> shared,
                           const TemplateOptions& options, unsigned min_chars) {
  ClauseBounds b;
  const std::span<const Occurrence> occs(c.occurrences);
  if (occs.empty() || options.clause_reach == 0) return b;
  Scratch& sc = scratch();
  const std::vector<std::uint32_t>& docs = sc.docs;
  documents_of(text, occs, sc.segs, sc.docs);
  const std::uint32_t total = documents_where(docs, [](std::size_t) { return true; });
  const auto length = static_cast<std::uint32_t>(c.text.size());
  std::uint32_t* extend[2] = {&b.extend_end, &b.extend_begin};
  std::uint32_t* trim[2] = {&b.trim_end, &b.trim_begin};
  const std::uint8_t reach[2] = {continuation.right, continuation.left};
  for (int s = 0; s < 2; ++s) {
    const Side& side = kSides[s];
    if (at_boundary(text, marks, occs, sc, total, side, options.clause_share)) continue;  // 1.
    const unsigned shift = side.shift();
    for (std::uint32_t e = 1; e <= reach[s] && *extend[s] == 0; ++e) {  // 2.
      const auto docs_e = documents_where(docs, [&](std::size_t k) {
        return ((shared[k] >> shift) & 0xF) >= e && side.boundary(text, marks, side.past(text, occs[k], sc.segs[k], e - 1), sc.segs[k]);
      });
      if (holds(docs_e, total, options.clause_share)) *extend[s] = e;
    }
    if (*extend[s] != 0) continue;
    // 3. The span keeps min_chars characters with what the other end has already trimmed.
    const std::uint32_t kept = length - b.trim_end;
    for (std::uint32_t t = 1; t <= options.clause_reach && t < kept && kept - t >= min_chars; ++t) {
      const auto docs_t = documents_where(
          docs, [&](std::size_t k) { return side.boundary(text, marks, side.inside(occs[k], t), sc.segs[k], Boundary::clause); });
      if (holds(docs_t, total, options.clause_share)) {
        *trim[s] = t;
        break;
      }
    }
  }
  return b;
}

std::vector<Occurrence> bounded_occurrences(const Candidate& c, const ClauseBounds& bounds,
                                            std::span<const std::uint8_t> shared, std::size_t limit) {
  std::vector<Occurrence> out;
  for (std::size_t k = 0; k < c.occurrences.size() && out.size() < limit; ++k) {
    const std::uint8_t have = shared.empty() ? 0 : shared[k];
    if ((have & 0xF) < bounds.extend_end || (have >> kNibble) < bounds.extend_begin) continue;
    const Occurrence& o = c.occurrences[k];
    const std::uint32_t start = o.start - bounds.extend_begin + bounds.trim_begin;
    out.push_back({start, o.length + bounds.extend_begin + bounds.extend_end - bounds.trim_begin - bounds.trim_end});
  }
  return out;
}

void clause_templates(std::vector<Template>& templates, const std::vector<Candidate>& candidates,
                      const SegmentedText& text, const ClauseMarks& marks, const Continuations& continuations,
                      const TemplateOptions& options, unsigned min_chars, unsigned threads) {
  if (auto m = options.validate(); !m.empty()) throw Error(errc::usage, m);
  // On all threads (one thread: a quarter of a second of dense 1 GiB's 350 K templates).
  detail::PerThread<std::vector<Occurrence>> scratch_all(threads, [] { return std::make_unique<std::vector<Occurrence>>(); });
  detail::parallel_for(templates.size(), threads, [&](std::size_t ti, unsigned w) {
    Template& t = templates[ti];
    if (t.parts > 1) return;
    std::vector<Occurrence>& all = scratch_all[w];
    bool extended = false;
    all = t.occurrences;
    auto bound = [&](std::uint32_t c, std::vector<Occurrence>& shown) {
      const std::span<const std::uint8_t> shared = continuations.shared_of(c);
      const ClauseBounds b = clause_bounds(candidates[c], text, marks, continuations.of[c], shared, options, min_chars);
      if (b == ClauseBounds{}) return static_cast<std::uint32_t>(candidates[c].text.size());
      if (b.extend_begin + b.extend_end > 0) {
        // The extended stretches join the template's places (b's trims never reach past them).
        const std::vector<Occurrence> moved = bounded_occurrences(candidates[c], b, shared);
        all.insert(all.end(), moved.begin(), moved.end());
        extended = true;
      }
      shown = bounded_occurrences(candidates[c], b, shared, kShownSamples);
      return static_cast<std::uint32_t>(candidates[c].text.size() + b.extend_begin + b.extend_end - b.trim_begin -
                                        b.trim_end);
    };
    t.chars = bound(t.candidate, t.shown_core);
    t.extent_chars = bound(t.extent, t.shown_extent);
    if (extended) merge_overlapping(all, t.occurrences);
    t.score = static_cast<double>(t.documents) * static_cast<double>(t.chars);
  });
}

}  // namespace recur
