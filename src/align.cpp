// Passage alignment: seeds, exact runs, chains, passages.
#include "recur/align.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "recur/phrases.hpp"  // is_content_char

namespace recur {

std::string AlignOptions::validate() const {
  if (seed < 2 || seed > 64) return "--seed must be between 2 and 64 tokens";
  if (min_tokens < seed) return "--min-length must be at least --seed (" + std::to_string(seed) + ")";
  if (max_gap > 10000) return "--max-gap must be at most 10000 tokens";
  if (!(min_similarity >= 0 && min_similarity <= 1)) return "--min-similarity must be in [0, 1]";
  if (max_occurrences < 1) return "max_occurrences must be at least 1";
  return {};
}

std::uint64_t TokenText::content_chars(std::size_t first, std::size_t last) const noexcept {
  std::uint64_t n = 0;
  for (std::size_t i = first; i < last && i < chars.size(); ++i) n += chars[i];
  return n;
}

void append_tokens(std::string_view s, const OffsetMap& map, std::uint64_t base, TokenText& out) {
  auto push = [&](std::uint64_t hash, std::size_t nb, std::size_t ne, std::uint32_t chars) {
    out.hash.push_back(hash);
    out.begin.push_back(base + map.to_input_begin(nb));
    out.end.push_back(base + map.to_input_end(ne));
    out.chars.push_back(chars);
  };
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const char32_t c = next_code_point(s, i);
    if (!is_content_char(c)) continue;
    if (is_cjk(c)) {
      push(c, start, i, 1);
      continue;
    }
    // A word of another script: a run of content characters that are not CJK.
    std::uint32_t chars = 1;
    std::size_t end = i;
    while (end < s.size()) {
      std::size_t k = end;
      const char32_t d = next_code_point(s, k);
      if (!is_content_char(d) || is_cjk(d)) break;
      end = k;
      ++chars;
    }
    // The top bit set: a word never equals a character's code point.
    push(XXH3_64bits(s.data() + start, end - start) | (std::uint64_t{1} << 63), start, end, chars);
    i = end;
  }
}

TokenText tokenize(const ScannedFile& file, Normalizer& normalizer, std::int64_t document) {
  TokenText out;
  const std::string_view text = file.decoded.text;
  std::string normalized;
  OffsetMap map;
  std::vector<Range> removed;
  for (const Span& sp : file.seg.paragraphs) {
    if (document >= 0 && sp.document != static_cast<std::uint64_t>(document)) continue;
    normalize_span(normalizer, text.substr(sp.begin, sp.end - sp.begin), sp.begin, file.stripped, removed,
                   normalized, map);
    append_tokens(normalized, map, sp.begin, out);
  }
  return out;
}

std::vector<std::uint64_t> seed_hashes(const TokenText& text, unsigned k) {
  std::vector<std::uint64_t> out;
  if (k == 0 || text.size() < k) return out;
  out.resize(text.size() - k + 1);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = XXH3_64bits(text.hash.data() + i, k * sizeof(std::uint64_t));
  return out;
}

std::uint32_t edit_distance(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  std::vector<std::uint32_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0u);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::uint32_t diag = row[0];
    row[0] = static_cast<std::uint32_t>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::uint32_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::uint64_t covered_chars(const TokenText& text, std::vector<TokenSpan> spans) {
  std::sort(spans.begin(), spans.end(), [](const TokenSpan& x, const TokenSpan& y) { return x.begin < y.begin; });
  std::uint64_t n = 0;
  std::uint32_t reach = 0;
  for (const TokenSpan& s : spans) {
    const std::uint32_t from = std::max(s.begin, reach);
    if (s.end > from) n += text.content_chars(from, s.end);
    reach = std::max(reach, s.end);
  }
  return n;
}

namespace {

// A maximal run of tokens equal in both texts, at least `seed` long.
struct Run {
  std::uint32_t a = 0, b = 0, length = 0;
  std::uint32_t a_end() const { return a + length; }
  std::uint32_t b_end() const { return b + length; }
};

// (hash, position) of every seed, sorted.
std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted_seeds(const std::vector<std::uint64_t>& seeds) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> out(seeds.size());
  for (std::size_t i = 0; i < seeds.size(); ++i) out[i] = {seeds[i], static_cast<std::uint32_t>(i)};
  std::sort(out.begin(), out.end());
  return out;
}

// The exact runs: maximal runs of equal tokens that contain a shared seed. A shared seed at
// (i, j) starts a run when the tokens before it differ; the run is then extended token by token,
// so no hit needs sorting and each run is walked once.
std::vector<Run> exact_runs(const TokenText& a, const TokenText& b, const AlignOptions& o,
                            const std::function<bool(std::uint64_t)>& ignore) {
  const auto sa = sorted_seeds(seed_hashes(a, o.seed));
  const auto sb = sorted_seeds(seed_hashes(b, o.seed));
  const auto& ta = a.hash;
  const auto& tb = b.hash;
  // The seeds both texts share that are used: [x, xe) of sa and [y, ye) of sb per hash.
  struct Shared {
    std::size_t x, xe, y, ye;
  };
  std::vector<Shared> shared;
  std::vector<char> used(sa.size(), 0);  // by position in a: its seed is a used shared seed
  for (std::size_t x = 0, y = 0; x < sa.size() && y < sb.size();) {
    if (sa[x].first < sb[y].first) { ++x; continue; }
    if (sb[y].first < sa[x].first) { ++y; continue; }
    const std::uint64_t h = sa[x].first;
    std::size_t xe = x, ye = y;
    while (xe < sa.size() && sa[xe].first == h) ++xe;
    while (ye < sb.size() && sb[ye].first == h) ++ye;
    if (xe - x <= o.max_occurrences && ye - y <= o.max_occurrences && !(ignore && ignore(h))) {
      shared.push_back({x, xe, y, ye});
      for (std::size_t p = x; p < xe; ++p) used[sa[p].second] = 1;
    }
    x = xe;
    y = ye;
  }
  std::vector<Run> runs;
  for (const Shared& s : shared)
    for (std::size_t p = s.x; p < s.xe; ++p)
      for (std::size_t q = s.y; q < s.ye; ++q) {
        const std::uint32_t i = sa[p].second, j = sb[q].second;
        // Equal tokens before a shared seed mean the seed one position earlier is shared too: when
        // it is used, it starts the run.
        if (i > 0 && j > 0 && ta[i - 1] == tb[j - 1] && used[i - 1]) continue;
        std::uint32_t len = o.seed;
        while (i + len < ta.size() && j + len < tb.size() && ta[i + len] == tb[j + len]) ++len;
        runs.push_back({i, j, len});
      }
  std::sort(runs.begin(), runs.end(), [](const Run& x, const Run& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
  return runs;
}

// A chain of runs, increasing on both sides, with its alignment.
struct Piece {
  TokenSpan a, b;
  std::uint32_t matched = 0, edits = 0, runs = 0;
};

// Chains runs by dynamic programming (best predecessor within max_gap on both sides, among the
// previous kLookback runs), then takes chains best first, each run in one chain only.
std::vector<Piece> chain_runs(const TokenText& a, const TokenText& b, const std::vector<Run>& runs,
                              const AlignOptions& o) {
  constexpr std::size_t kLookback = 64;
  const std::size_t n = runs.size();
  std::vector<double> score(n);
  std::vector<std::int64_t> prev(n, -1);
  for (std::size_t f = 0; f < n; ++f) {
    score[f] = runs[f].length;
    for (std::size_t p = f; p-- > 0 && f - p <= kLookback;) {
      if (runs[p].a_end() > runs[f].a || runs[p].b_end() > runs[f].b) continue;
      const std::uint32_t ga = runs[f].a - runs[p].a_end(), gb = runs[f].b - runs[p].b_end();
      if (ga > o.max_gap || gb > o.max_gap) continue;
      // Indels cost more than substitutions: a gap of the same size on both sides is a rewrite.
      const double cost = 0.5 * std::abs(double(ga) - double(gb)) + 0.25 * std::min(ga, gb);
      const double s = score[p] + runs[f].length - cost;
      if (s > score[f]) {
        score[f] = s;
        prev[f] = static_cast<std::int64_t>(p);
      }
    }
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return score[x] > score[y]; });
  std::vector<char> used(n, 0);
  std::vector<Piece> pieces;
  std::vector<std::size_t> chain;
  for (std::size_t end : order) {
    if (used[end]) continue;
    chain.clear();
    for (std::int64_t f = static_cast<std::int64_t>(end); f >= 0 && !used[f]; f = prev[f]) {
      chain.push_back(static_cast<std::size_t>(f));
      used[f] = 1;
    }
    std::reverse(chain.begin(), chain.end());
    Piece pc;
    const Run& first = runs[chain.front()];
    const Run& last = runs[chain.back()];
    pc.a = {first.a, last.a_end()};
    pc.b = {first.b, last.b_end()};
    pc.runs = static_cast<std::uint32_t>(chain.size());
    for (std::size_t k = 0; k < chain.size(); ++k) {
      const Run& r = runs[chain[k]];
      pc.matched += r.length;
      if (k == 0) continue;
      const Run& p = runs[chain[k - 1]];
      pc.edits += edit_distance(std::span(a.hash).subspan(p.a_end(), r.a - p.a_end()),
                                std::span(b.hash).subspan(p.b_end(), r.b - p.b_end()));
    }
    pieces.push_back(pc);
  }
  return pieces;
}

// Distance between two spans (0 when they touch or overlap).
std::uint32_t distance(const TokenSpan& x, const TokenSpan& y) {
  if (x.end <= y.begin) return y.begin - x.end;
  if (y.end <= x.begin) return x.begin - y.end;
  return 0;
}

bool overlaps(const TokenSpan& x, const TokenSpan& y) { return x.begin < y.end && y.begin < x.end; }

// A passage being built from pieces: the hull of its pieces on each side.
struct Group {
  TokenSpan a, b;
  std::vector<Piece> pieces;
  std::uint32_t matched = 0, edits = 0;

  // Whether `pc` overlaps one of the pieces in either text: the same text twice. (The hulls may
  // interleave: swapped sentences lie inside each other's hull.)
  bool clashes(const Piece& pc) const {
    return std::any_of(pieces.begin(), pieces.end(),
                       [&](const Piece& q) { return overlaps(q.a, pc.a) || overlaps(q.b, pc.b); });
  }

  // Edits of the passage: the pieces' own; between consecutive pieces that are in the same order
  // in both texts, the edit distance of the tokens between them; the other tokens of the longer
  // side that no piece covers count as one edit each.
  static Passage summarise(const TokenText& ta, const TokenText& tb, const TokenSpan& a, const TokenSpan& b,
                           std::vector<Piece> pieces) {
    constexpr std::uint32_t kMaxAlignedGap = 256;  // longer gaps are counted, not aligned
    Passage p;
    p.a = a;
    p.b = b;
    std::sort(pieces.begin(), pieces.end(), [](const Piece& x, const Piece& y) { return x.a.begin < y.a.begin; });
    std::uint32_t covered_a = 0, covered_b = 0;
    for (std::size_t k = 0; k < pieces.size(); ++k) {
      const Piece& pc = pieces[k];
      p.matched += pc.matched;
      p.edits += pc.edits;
      covered_a += pc.a.size();
      covered_b += pc.b.size();
      if (k == 0) continue;
      const Piece& prev = pieces[k - 1];
      // Aligned only when the two are neighbours in b as well: nothing between them to align when
      // swapped, and a piece between them in b covers its own tokens.
      if (pc.b.begin < prev.b.end) continue;
      if (std::any_of(pieces.begin(), pieces.end(),
                      [&](const Piece& q) { return q.b.begin >= prev.b.end && q.b.end <= pc.b.begin && &q != &pc; }))
        continue;
      const std::uint32_t ga = pc.a.begin - prev.a.end, gb = pc.b.begin - prev.b.end;
      if (ga > kMaxAlignedGap || gb > kMaxAlignedGap) continue;
      p.edits += edit_distance(std::span(ta.hash).subspan(prev.a.end, ga), std::span(tb.hash).subspan(prev.b.end, gb));
      covered_a += ga;
      covered_b += gb;
    }
    const std::uint32_t loose_a = a.size() > covered_a ? a.size() - covered_a : 0;
    const std::uint32_t loose_b = b.size() > covered_b ? b.size() - covered_b : 0;
    p.edits += std::max(loose_a, loose_b);
    const double longer = std::max(a.size(), b.size());
    p.similarity = longer > 0 ? std::max(0.0, 1.0 - p.edits / longer) : 0;
    p.exact = pieces.size() == 1 && pieces[0].runs == 1;
    return p;
  }
};

// How far a passage's end can be extended through edits near it: the tokens after the end on
// each side (at most `room` of each) are aligned from the end (match +1, substitution, insertion or
// deletion −1), and the end moves to the best-scoring point if it gains at least 2. Seeds cannot
// reach an end whose last few tokens hold an edit; this recovers them. `forward` false extends
// the start backwards. Returns the tokens taken on each side and the edits among them.
struct Extension {
  std::uint32_t a = 0, b = 0, edits = 0;
};
Extension extend_end(const TokenText& ta, const TokenText& tb, std::uint32_t a_at, std::uint32_t b_at,
                     std::uint32_t room_a, std::uint32_t room_b, bool forward) {
  const std::uint32_t n = room_a, m = room_b;
  auto x = [&](std::uint32_t i) { return ta.hash[forward ? a_at + i : a_at - 1 - i]; };
  auto y = [&](std::uint32_t j) { return tb.hash[forward ? b_at + j : b_at - 1 - j]; };
  std::vector<int> prev(m + 1), cur(m + 1);
  for (std::uint32_t j = 0; j <= m; ++j) prev[j] = -static_cast<int>(j);
  int best = 0;
  std::uint32_t bi = 0, bj = 0;
  for (std::uint32_t i = 1; i <= n; ++i) {
    cur[0] = -static_cast<int>(i);
    for (std::uint32_t j = 1; j <= m; ++j) {
      cur[j] = std::max({prev[j - 1] + (x(i - 1) == y(j - 1) ? 1 : -1), prev[j] - 1, cur[j - 1] - 1});
      // Only an end right after a match is a place to stop.
      if (x(i - 1) == y(j - 1) && cur[j] > best) {
        best = cur[j];
        bi = i;
        bj = j;
      }
    }
    std::swap(prev, cur);
  }
  Extension e;
  if (best < 2) return e;
  e.a = bi;
  e.b = bj;
  std::vector<std::uint64_t> xs(bi), ys(bj);
  for (std::uint32_t i = 0; i < bi; ++i) xs[i] = x(i);
  for (std::uint32_t j = 0; j < bj; ++j) ys[j] = y(j);
  e.edits = edit_distance(xs, ys);
  return e;
}

}  // namespace

std::vector<Passage> align(const TokenText& a, const TokenText& b, const AlignOptions& o,
                           const std::function<bool(std::uint64_t)>& ignore) {
  if (a.size() < o.seed || b.size() < o.seed) return {};
  std::vector<Piece> pieces = chain_runs(a, b, exact_runs(a, b, o, ignore), o);

  // A piece shorter than half a passage can only be part of one, as a swapped clause; most are
  // stock phrases shared by chance. Leaving them out keeps the grouping below small.
  const std::uint32_t least = std::max(o.seed, o.min_tokens / 2);
  std::erase_if(pieces, [&](const Piece& p) { return p.a.size() < least || p.b.size() < least; });

  // Pieces near each other on both sides, in any order, are one passage (swapped sentences, a
  // rewritten clause longer than a chain bridges). Best pieces first; a piece joins the first
  // passage it is near on both sides if the passage stays similar enough.
  std::stable_sort(pieces.begin(), pieces.end(), [](const Piece& x, const Piece& y) { return x.matched > y.matched; });
  // Parts of a passage may be further apart than runs of a chain: a sentence moved past another
  // one leaves a gap of a sentence on one side. The similarity check keeps stock phrases strung
  // across unrelated text apart.
  const std::uint32_t join_gap = 2 * o.max_gap;
  std::vector<Group> groups;
  for (const Piece& pc : pieces) {
    bool joined = false;
    for (Group& g : groups) {
      if (distance(g.a, pc.a) > join_gap || distance(g.b, pc.b) > join_gap) continue;
      if (g.clashes(pc)) continue;  // repetition, not a continuation
      const TokenSpan ha{std::min(g.a.begin, pc.a.begin), std::max(g.a.end, pc.a.end)};
      const TokenSpan hb{std::min(g.b.begin, pc.b.begin), std::max(g.b.end, pc.b.end)};
      std::vector<Piece> with = g.pieces;
      with.push_back(pc);
      if (Group::summarise(a, b, ha, hb, with).similarity < o.min_similarity) continue;
      g.a = ha;
      g.b = hb;
      g.pieces = std::move(with);
      joined = true;
      break;
    }
    if (!joined) groups.push_back({pc.a, pc.b, {pc}, 0, 0});
  }
  // Then groups near each other join too, until none does: two swapped sentences longer than
  // max_gap are each far from the passage around them but next to each other, so only their group
  // as a whole is near it.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < groups.size(); ++i)
      for (std::size_t j = i + 1; j < groups.size(); ++j) {
        Group& g = groups[i];
        const Group& h = groups[j];
        if (distance(g.a, h.a) > join_gap || distance(g.b, h.b) > join_gap) continue;
        if (std::any_of(h.pieces.begin(), h.pieces.end(), [&](const Piece& pc) { return g.clashes(pc); })) continue;
        const TokenSpan ha{std::min(g.a.begin, h.a.begin), std::max(g.a.end, h.a.end)};
        const TokenSpan hb{std::min(g.b.begin, h.b.begin), std::max(g.b.end, h.b.end)};
        std::vector<Piece> with = g.pieces;
        with.insert(with.end(), h.pieces.begin(), h.pieces.end());
        if (Group::summarise(a, b, ha, hb, with).similarity < o.min_similarity) continue;
        g.a = ha;
        g.b = hb;
        g.pieces = std::move(with);
        groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(j));
        changed = true;
        --j;
      }
  }

  std::vector<Passage> candidates;
  for (const Group& g : groups) {
    Passage p = Group::summarise(a, b, g.a, g.b, g.pieces);
    if (p.a.size() < o.min_tokens || p.b.size() < o.min_tokens || p.similarity < o.min_similarity) continue;
    candidates.push_back(p);
  }
  // Overlaps: the passage with more aligned tokens wins, in either text.
  std::stable_sort(candidates.begin(), candidates.end(), [](const Passage& x, const Passage& y) {
    if (x.matched != y.matched) return x.matched > y.matched;
    if (x.a.begin != y.a.begin) return x.a.begin < y.a.begin;
    return x.b.begin < y.b.begin;
  });
  std::vector<Passage> out;
  for (const Passage& p : candidates) {
    const bool clash = std::any_of(out.begin(), out.end(),
                                   [&](const Passage& q) { return overlaps(p.a, q.a) || overlaps(p.b, q.b); });
    if (!clash) out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const Passage& x, const Passage& y) {
    return x.a.begin != y.a.begin ? x.a.begin < y.a.begin : x.b.begin < y.b.begin;
  });
  // Ends extended through nearby edits, never into another passage.
  for (Passage& p : out) {
    std::uint32_t a_lo = 0, a_hi = static_cast<std::uint32_t>(a.size());
    std::uint32_t b_lo = 0, b_hi = static_cast<std::uint32_t>(b.size());
    for (const Passage& q : out) {
      if (&q == &p) continue;
      if (q.a.end <= p.a.begin) a_lo = std::max(a_lo, q.a.end);
      if (q.a.begin >= p.a.end) a_hi = std::min(a_hi, q.a.begin);
      if (q.b.end <= p.b.begin) b_lo = std::max(b_lo, q.b.end);
      if (q.b.begin >= p.b.end) b_hi = std::min(b_hi, q.b.begin);
    }
    const std::uint32_t room = o.seed * 2;
    const Extension right = extend_end(a, b, p.a.end, p.b.end, std::min(room, a_hi - p.a.end),
                                       std::min(room, b_hi - p.b.end), true);
    const Extension left = extend_end(a, b, p.a.begin, p.b.begin, std::min(room, p.a.begin - a_lo),
                                      std::min(room, p.b.begin - b_lo), false);
    if (right.a + left.a + right.b + left.b == 0) continue;
    Passage x = p;
    x.a = {p.a.begin - left.a, p.a.end + right.a};
    x.b = {p.b.begin - left.b, p.b.end + right.b};
    x.edits += left.edits + right.edits;
    const double longer = std::max(x.a.size(), x.b.size());
    x.similarity = std::max(0.0, 1.0 - x.edits / longer);
    if (left.edits + right.edits > 0) x.exact = false;
    // A short passage extended through many edits would fall below the similarity asked for.
    if (x.similarity >= o.min_similarity) p = x;
  }
  return out;
}

}  // namespace recur
