// recur phrases: recurring spans or sentences across documents, with variants and locations.
//
//   1. read     per file, in parallel: load (decode, strip, split, segment), normalise each
//               paragraph, keep its content characters (punctuation and spaces dropped) and, for
//               --unit sentence, its sentence boundaries (ICU sentence break).
//   2. find     spans: maximal repeats over all paragraphs (suffix array + LCP);
//               sentences: identical sentence texts gathered by hash.
//   3. exclude  candidates inside a --exclude stock phrase are dropped.
//   4. group    near-identical candidates become variants of one template (edit distance).
//   5. locate   each occurrence is mapped back: content index -> normalised offset -> (offset map)
//               -> decoded offset -> original byte offset and line.
#include <unicode/brkiter.h>
#include <unicode/utext.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include "parallel.hpp"
#include "recur/scan.hpp"
#include "recur/error.hpp"
#include "recur/phrases.hpp"
#include "recur/pipeline.hpp"

namespace recur {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto seconds_between = StageClock::seconds_between;

// A paragraph's content characters and, for each, where it is in the normalised text.
struct Content {
  std::vector<char32_t> chars;
  std::vector<std::uint32_t> norm_begin, norm_end;  // byte offsets in the normalised paragraph
};

void extract_content(const std::string& normalized, Content& c, bool with_offsets) {
  c.chars.clear();
  c.norm_begin.clear();
  c.norm_end.clear();
  for (std::size_t i = 0; i < normalized.size();) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(normalized, i);
    if (!is_content_char(cp)) continue;
    c.chars.push_back(cp);
    if (with_offsets) {
      c.norm_begin.push_back(static_cast<std::uint32_t>(start));
      c.norm_end.push_back(static_cast<std::uint32_t>(i));
    }
  }
}

// Per-thread ICU objects.
struct Worker {
  Normalizer normalizer;
  std::unique_ptr<icu::BreakIterator> sentences;
  UText* utext = nullptr;
  std::string normalized;
  OffsetMap map;
  std::vector<Range> removed;
  Content content;
  explicit Worker(const NormalizeOptions& o) : normalizer(o) {}
  ~Worker() { utext_close(utext); }

  // Content offsets where sentences end (each sentence is [previous end, end)).
  void sentence_ends(const std::string& text, const Content& c, std::vector<std::uint32_t>& ends) {
    ends.clear();
    UErrorCode status = U_ZERO_ERROR;
    if (!sentences) {
      sentences.reset(icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), status));
      if (U_FAILURE(status)) throw Error(errc::internal, "ICU sentence break is unavailable");
    }
    utext = utext_openUTF8(utext, text.data(), static_cast<int64_t>(text.size()), &status);
    sentences->setText(utext, status);
    std::size_t k = 0;
    for (int32_t b = sentences->next(); b != icu::BreakIterator::DONE; b = sentences->next()) {
      while (k < c.norm_begin.size() && c.norm_begin[k] < static_cast<std::uint32_t>(b)) ++k;
      if (ends.empty() || ends.back() != k) ends.push_back(static_cast<std::uint32_t>(k));
    }
    if (ends.empty() || ends.back() != c.chars.size()) ends.push_back(static_cast<std::uint32_t>(c.chars.size()));
  }
};

struct SegmentRef {
  std::uint32_t file, paragraph;
};

struct FileWork {
  ScannedFile lf;
  std::vector<char32_t> content;             // content characters of its paragraphs, concatenated
  std::vector<std::uint32_t> para_length;    // content length per paragraph
  std::vector<std::uint32_t> sentence_end;   // per paragraph, in order: sentence ends (content offsets)
  std::vector<std::uint32_t> sentence_count; // sentences per paragraph
  double t_normalize = 0;
};

// A candidate phrase: its content text and occurrences (start, length) in SegmentedText.
struct Candidate {
  std::u32string text;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> occ;
  std::uint32_t documents = 0;
};

std::uint32_t count_documents(const SegmentedText& t, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& occ) {
  std::vector<std::uint32_t> docs;
  docs.reserve(occ.size());
  for (const auto& o : occ) docs.push_back(t.segment_doc[t.segment_of(o.first)]);
  std::sort(docs.begin(), docs.end());
  return static_cast<std::uint32_t>(std::unique(docs.begin(), docs.end()) - docs.begin());
}

}  // namespace


nlohmann::ordered_json options_json(const PhrasesOptions& o, unsigned threads) {
  nlohmann::ordered_json j;
  input_options_json(o.input, j);
  j["unit"] = o.unit == PhraseUnit::span ? "span" : "sentence";
  j["min_chars"] = o.min_chars;
  j["min_docs"] = o.min_docs;
  j["variants"] = o.variant_tolerance;
  j["exclude"] = o.exclude.size();
  j["threads"] = threads;
  return j;
}

PhrasesReport run_phrases(const Source& source, const PhrasesOptions& o, const ProgressFn& progress,
                          const WarnFn& warn) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  const auto start = Clock::now();
  const unsigned threads = effective_threads(o.threads);
  const ScanSettings settings(o.input);
  const bool sentences = o.unit == PhraseUnit::sentence;

  PhrasesReport report;
  report.version = version();
  report.options = options_json(o, threads);
  std::uint64_t total_bytes = 0;
  for (std::size_t i = 0; i < source.count(); ++i) total_bytes += source.size(i);
  ProgressCounters counters;
  counters.begin("reading", total_bytes);
  Ticker ticker(progress, counters);

  // 1. read
  std::vector<FileWork> files(source.count());
  {
    std::vector<std::unique_ptr<Worker>> workers(threads);
    detail::parallel_for(files.size(), threads, [&](std::size_t i, unsigned w) {
      if (!workers[w]) workers[w] = std::make_unique<Worker>(o.input.normalize);
      Worker& wk = *workers[w];
      FileWork& fw = files[i];
      fw.lf = scan_file(source, i, settings);
      if (fw.lf.ok()) {
        const auto t0 = Clock::now();
        const std::string_view text = fw.lf.decoded.text;
        std::vector<std::uint32_t> ends;
        for (const Span& sp : fw.lf.seg.paragraphs) {
          normalize_span(wk.normalizer, text.substr(sp.begin, sp.end - sp.begin), sp.begin, fw.lf.stripped,
                         wk.removed, wk.normalized, wk.map);
          extract_content(wk.normalized, wk.content, sentences);
          fw.content.insert(fw.content.end(), wk.content.chars.begin(), wk.content.chars.end());
          fw.para_length.push_back(static_cast<std::uint32_t>(wk.content.chars.size()));
          if (sentences) {
            wk.sentence_ends(wk.normalized, wk.content, ends);
            fw.sentence_end.insert(fw.sentence_end.end(), ends.begin(), ends.end());
            fw.sentence_count.push_back(static_cast<std::uint32_t>(ends.size()));
          }
        }
        fw.t_normalize = seconds_between(t0, Clock::now());
      }
      counters.done += source.size(i);
    });
  }
  const auto t_read = Clock::now();

  // Statistics, skip list, and the segmented text in input order.
  PhraseStats& st = report.stats;
  SegmentedText text;
  std::vector<SegmentRef> seg_ref;
  std::vector<std::uint32_t> doc_base(files.size(), 0);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sentence_spans;  // (start, length) of each sentence
  double t_normalize = 0, t_load = 0;
  std::uint32_t docs = 0;
  std::vector<FileOutcome> outcomes;
  for (std::size_t i = 0; i < files.size(); ++i) {
    FileWork& fw = files[i];
    outcomes.push_back(fw.lf.outcome);
    t_load += fw.lf.outcome.seconds_read + fw.lf.outcome.seconds_segment;
    t_normalize += fw.t_normalize;
    if (!fw.lf.ok()) continue;
    doc_base[i] = docs;
    std::size_t c = 0, s = 0;
    for (std::uint32_t p = 0; p < fw.para_length.size(); ++p) {
      const std::uint32_t seg_start = static_cast<std::uint32_t>(text.chars.size());
      text.add_segment(std::span<const char32_t>(fw.content.data() + c, fw.para_length[p]),
                       docs + fw.lf.seg.paragraphs[p].document);
      seg_ref.push_back({static_cast<std::uint32_t>(i), p});
      c += fw.para_length[p];
      if (sentences) {
        std::uint32_t prev = 0;
        for (std::uint32_t k = 0; k < fw.sentence_count[p]; ++k, ++s) {
          const std::uint32_t e = fw.sentence_end[s];
          if (e > prev) sentence_spans.emplace_back(seg_start + prev, e - prev);
          prev = e;
        }
      }
    }
    docs += static_cast<std::uint32_t>(fw.lf.seg.documents.size());
    std::vector<char32_t>().swap(fw.content);
    std::vector<std::uint32_t>().swap(fw.sentence_end);
  }
  {
    CorpusSummary summary = summarise(source, outcomes);
    static_cast<CorpusStats&>(st) = summary.stats;
    announce(summary, warn);
    report.skipped = std::move(summary.skipped);
    report.warnings = std::move(summary.warnings);
  }
  st.content_chars = text.chars.size();

  // 2. find
  counters.begin(sentences ? "sentences" : "suffix array");
  std::vector<Candidate> cands;
  RepeatCounts rc;
  if (!sentences) {
    // Periodic runs are folded: without it, a sentence written 400 times back to back gives 400
    // nested repeats of up to 400 sentences each, and the report grows with the cube of the run.
    RepeatOptions ro{o.min_chars, o.min_docs, true};
    ro.max_positions = o.limits.max_positions;
    for (Repeat& r : maximal_repeats(text, ro, rc)) {
      Candidate c;
      c.text.assign(text.chars.begin() + r.positions.front(), text.chars.begin() + r.positions.front() + r.length);
      for (std::uint32_t p : r.positions) c.occ.emplace_back(p, r.length);
      c.documents = r.documents;
      cands.push_back(std::move(c));
    }
  } else {
    std::unordered_map<std::uint64_t, std::uint32_t> index;
    for (const auto& [pos, len] : sentence_spans) {
      if (len < o.min_chars) continue;
      const std::uint64_t h = XXH3_64bits(text.chars.data() + pos, len * sizeof(char32_t));
      auto [it, fresh] = index.emplace(h, static_cast<std::uint32_t>(cands.size()));
      if (fresh) {
        Candidate c;
        c.text.assign(text.chars.begin() + pos, text.chars.begin() + pos + len);
        cands.push_back(std::move(c));
      }
      cands[it->second].occ.emplace_back(pos, len);
    }
    for (auto& c : cands) c.documents = count_documents(text, c.occ);
  }
  st.candidates = cands.size();
  if (!sentences) st.periodic = rc.periodic;
  const auto t_find = Clock::now();

  // 3. exclude: candidates inside a stock phrase
  if (!o.exclude.empty()) {
    Normalizer norm(o.input.normalize);
    std::vector<std::u32string> stock;
    std::string normalized;
    OffsetMap map;
    Content content;
    for (const auto& line : o.exclude) {
      norm.normalize(line, {}, normalized, map);
      extract_content(normalized, content, false);
      if (!content.chars.empty()) stock.emplace_back(content.chars.begin(), content.chars.end());
    }
    const std::size_t before = cands.size();
    std::erase_if(cands, [&](const Candidate& c) {
      return std::any_of(stock.begin(), stock.end(),
                         [&](const std::u32string& s) { return s.find(c.text) != std::u32string::npos; });
    });
    st.excluded = before - cands.size();
  }

  // 4. group variants (weights: documents, then occurrences)
  counters.begin("variants");
  std::vector<std::u32string> texts;
  std::vector<double> weights;
  for (const auto& c : cands) {
    texts.push_back(c.text);
    weights.push_back(static_cast<double>(c.documents) + 1e-9 * static_cast<double>(c.occ.size()));
  }
  VariantOptions vo;
  vo.tolerance = o.variant_tolerance;
  vo.threads = threads;
  vo.max_edit_cells = o.limits.max_edit_cells;
  VariantCounts vc;
  const auto groups = group_variants(texts, weights, vo, vc);
  st.variant_pairs_unchecked = vc.pairs_unchecked;
  st.edit_cells = vc.edit_cells;
  const auto t_group = Clock::now();

  // Templates: a group's occurrences (the longest one where variants start at the same place),
  // kept when they reach --min-docs documents.
  struct Template {
    std::uint32_t rep = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> occ;
    std::uint32_t documents = 0;
    double score = 0;
  };
  std::vector<Template> templ;
  for (const auto& g : groups) {
    Template t;
    t.rep = g[0];
    std::map<std::uint32_t, std::uint32_t> by_pos;
    for (std::uint32_t m : g)
      for (const auto& [p, l] : cands[m].occ) {
        auto& v = by_pos[p];
        v = std::max(v, l);
      }
    // An occurrence inside another occurrence of the same template (a shorter variant nested in a
    // longer one) is the same text: keep only the outer one.
    std::uint64_t reach = 0;
    for (const auto& [p, l] : by_pos)
      if (std::uint64_t{p} + l > reach) {
        t.occ.emplace_back(p, l);
        reach = std::uint64_t{p} + l;
      }
    t.documents = count_documents(text, t.occ);
    if (t.documents < o.min_docs) continue;
    // Score: characters reused across documents. Long template passages in many documents
    // come first; a short slogan needs many documents to rank as high.
    t.score = static_cast<double>(t.documents) * static_cast<double>(cands[t.rep].text.size());
    templ.push_back(std::move(t));
  }
  std::sort(templ.begin(), templ.end(), [&](const Template& a, const Template& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.documents != b.documents) return a.documents > b.documents;
    if (cands[a.rep].text.size() != cands[b.rep].text.size()) return cands[a.rep].text.size() > cands[b.rep].text.size();
    return a.occ.front().first < b.occ.front().first;
  });
  st.phrases = templ.size();

  // Caps on the output: phrases in ranking order list their first locations (input order) until
  // a cap is reached; the phrases after one that hit a report-wide cap are omitted. Decided from
  // content lengths before anything is located, so the work of step 5 is bounded too.
  std::vector<std::uint32_t> listed(templ.size(), 0);
  {
    const PhraseLimits& lim = o.limits;
    std::uint64_t locations = 0, chars = 0;
    std::size_t kept = 0;
    bool full = false;
    for (; kept < templ.size() && !full; ++kept) {
      std::uint32_t n = 0;
      for (const auto& occ : templ[kept].occ) {
        if (n >= lim.max_locations_per_phrase) break;
        if (locations >= lim.max_locations || chars + occ.second > lim.max_location_chars) {
          full = true;
          break;
        }
        ++n;
        ++locations;
        chars += occ.second;
      }
      if (n == 0) break;  // not even its first location fits: it and the rest are omitted
      listed[kept] = n;
      st.locations_omitted += templ[kept].occ.size() - n;
    }
    st.phrases_omitted = templ.size() - kept + rc.truncated;
    st.phrases = kept;  // the phrases listed; with phrases_omitted, all that were found
    templ.resize(kept);
    listed.resize(kept);
  }
  {
    std::vector<std::string> notes;
    if (st.periodic > 0)
      notes.push_back(std::to_string(st.periodic) +
                      " recurring spans are not listed because every occurrence of each overlaps another: they lie "
                      "inside periodic runs (text repeated back to back); the repeated unit and a whole run that "
                      "recurs are listed when long enough");
    if (rc.truncated > 0)
      notes.push_back(std::to_string(rc.truncated) + " recurring spans reusing the fewest characters are not listed "
                      "(counted in phrases_omitted): the spans found have over " +
                      std::to_string(o.limits.max_positions) + " occurrences in all; raise --min-chars or --min-docs "
                      "to list them");
    if (st.variant_pairs_unchecked > 0)
      notes.push_back("variant grouping reached its budget of " + std::to_string(o.limits.max_edit_cells) +
                      " edit-distance cells: " + std::to_string(st.variant_pairs_unchecked) + " of " +
                      std::to_string(vc.pairs) + " candidate pairs were not checked, so some variants may be listed as "
                      "separate phrases");
    // Spans left out by max_positions are in phrases_omitted too, but have their own note.
    if (const std::uint64_t capped = st.phrases_omitted - rc.truncated; capped + st.locations_omitted > 0)
      notes.push_back("output capped: " + std::to_string(capped) + " lowest-ranked phrases omitted and " +
                      std::to_string(st.locations_omitted) + " locations of listed phrases not listed (caps: " +
                      std::to_string(o.limits.max_locations_per_phrase) + " locations per phrase, " +
                      std::to_string(o.limits.max_locations) + " in all, " + std::to_string(o.limits.max_location_chars) +
                      " characters in all)");
    for (auto& n : notes) {
      if (warn) warn(n);
      report.warnings.push_back(std::move(n));
    }
  }

  // 5. locate: every occurrence back to original bytes, file by file.
  counters.begin("writing");
  struct Want {
    std::uint32_t segment, templ, occ;
  };
  std::vector<std::vector<Want>> wants(files.size());
  for (std::uint32_t t = 0; t < templ.size(); ++t)
    for (std::uint32_t k = 0; k < listed[t]; ++k) {
      const auto seg = static_cast<std::uint32_t>(text.segment_of(templ[t].occ[k].first));
      wants[seg_ref[seg].file].push_back({seg, t, k});
    }
  report.phrases.resize(templ.size());
  std::vector<std::vector<std::string>> normalized_of(templ.size());
  for (std::uint32_t t = 0; t < templ.size(); ++t) {
    report.phrases[t].locations.resize(listed[t]);
    normalized_of[t].resize(listed[t]);
  }
  {
    std::vector<std::unique_ptr<Worker>> workers(threads);
    detail::parallel_for(files.size(), threads, [&](std::size_t fi, unsigned w) {
      auto& list_w = wants[fi];
      if (list_w.empty()) return;
      if (!workers[w]) workers[w] = std::make_unique<Worker>(o.input.normalize);
      Worker& wk = *workers[w];
      const ScannedFile& lf = files[fi].lf;
      const std::string_view dtext = lf.decoded.text;
      std::vector<std::size_t> newlines;
      for (std::size_t p = dtext.find('\n'); p != std::string_view::npos; p = dtext.find('\n', p + 1))
        newlines.push_back(p);
      std::stable_sort(list_w.begin(), list_w.end(), [](const Want& a, const Want& b) { return a.segment < b.segment; });
      std::uint32_t current = UINT32_MAX;
      for (const Want& want : list_w) {
        const SegmentRef ref = seg_ref[want.segment];
        const Span& sp = lf.seg.paragraphs[ref.paragraph];
        if (want.segment != current) {
          current = want.segment;
          normalize_span(wk.normalizer, dtext.substr(sp.begin, sp.end - sp.begin), sp.begin, lf.stripped,
                         wk.removed, wk.normalized, wk.map);
          extract_content(wk.normalized, wk.content, true);
        }
        const auto [pos, len] = templ[want.templ].occ[want.occ];
        const std::uint32_t cb = pos - text.segment_start[want.segment], ce = cb + len;
        const std::size_t nb = wk.content.norm_begin[cb], ne = wk.content.norm_end[ce - 1];
        const std::size_t db = sp.begin + wk.map.to_input_begin(nb), de = sp.begin + wk.map.to_input_end(ne);
        PhraseLocation& loc = report.phrases[want.templ].locations[want.occ];
        loc.path = source.name(fi);
        const DocumentInfo& doc = lf.seg.documents[sp.document];
        loc.document = doc.name.empty() ? loc.path : doc.name;
        loc.document_index = sp.document + 1;
        loc.line = static_cast<std::uint32_t>(std::upper_bound(newlines.begin(), newlines.end(), db) - newlines.begin() + 1);
        loc.byte_start = lf.decoded.original(db);
        loc.byte_end = lf.decoded.original(de);
        loc.text.assign(dtext.substr(db, de - db));
        // The template's own length from here (a longer variant may start at the same place).
        const std::uint32_t own = std::min<std::uint32_t>(len, static_cast<std::uint32_t>(cands[templ[want.templ].rep].text.size()));
        const std::size_t ne_own = wk.content.norm_end[cb + own - 1];
        normalized_of[want.templ][want.occ] = wk.normalized.substr(nb, ne_own - nb);
      }
    });
  }

  // Phrase records: canonical text, counts, variants as written.
  for (std::uint32_t t = 0; t < templ.size(); ++t) {
    Phrase& ph = report.phrases[t];
    const Template& tp = templ[t];
    ph.id = t + 1;
    ph.chars = static_cast<std::uint32_t>(cands[tp.rep].text.size());
    ph.documents = tp.documents;
    ph.occurrences = tp.occ.size();
    ph.locations_omitted = tp.occ.size() - listed[t];
    ph.score = tp.score;
    // Canonical text: the template's own span in its most frequent normalised form (ties: first in
    // input order).
    {
      std::set<std::uint32_t> own;
      for (const auto& occ : cands[tp.rep].occ) own.insert(occ.first);
      std::map<std::string, std::pair<std::size_t, std::size_t>> forms;  // normalised -> (count, first k)
      for (std::size_t k = 0; k < listed[t]; ++k) {
        if (!own.count(tp.occ[k].first)) continue;
        auto [it, fresh] = forms.emplace(normalized_of[t][k], std::make_pair(std::size_t{0}, k));
        ++it->second.first;
      }
      std::size_t best = listed[t], best_count = 0;
      for (const auto& [form, v] : forms)
        if (v.first > best_count || (v.first == best_count && v.second < best)) {
          best_count = v.first;
          best = v.second;
        }
      ph.text = normalized_of[t][best < listed[t] ? best : 0];
    }
    std::map<std::string, std::pair<std::set<std::pair<std::string, std::uint32_t>>, std::uint64_t>> variants;
    for (const auto& loc : ph.locations) {
      auto& v = variants[loc.text];
      v.first.insert({loc.path, loc.document_index});
      ++v.second;
    }
    for (const auto& [txt, v] : variants) ph.variants.push_back({txt, v.first.size(), v.second});
    std::stable_sort(ph.variants.begin(), ph.variants.end(), [](const PhraseVariant& a, const PhraseVariant& b) {
      if (a.occurrences != b.occurrences) return a.occurrences > b.occurrences;
      return a.documents > b.documents;
    });
  }
  const auto t_end = Clock::now();
  st.seconds = {{"read", seconds_between(start, t_read)},
                {"load", t_load},
                {"normalize", t_normalize},
                {sentences ? "sentences" : "suffix_array", seconds_between(t_read, t_find)},
                {"variants", seconds_between(t_find, t_group)},
                {"locate", seconds_between(t_group, t_end)},
                {"total", seconds_between(start, t_end)}};
  return report;
}

}  // namespace recur
