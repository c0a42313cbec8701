// Fuzz target: the in-memory phrase core (phrases.hpp): maximal_repeats, bounded_edit_distance,
// group_variants.
//
// Input: byte 0 picks min_chars (bits 0-2: 1..8), min_docs (bits 3-4: 1..4) and the variant
// tolerance (bits 5-6); the rest, made valid UTF-8, is a few documents: an empty line ends a
// document, every other line is a paragraph (segment) of content characters.
//
// Invariants:
// - every phrase location lies inside its segment and its document; the occurrences are sorted,
//   at least two, all the same text, and the document count is right;
// - each repeat is long enough, in enough documents, and maximal (cannot be extended left or
//   right keeping every occurrence); its positions are all the occurrences (small texts);
// - on tiny texts, the repeats are exactly those a brute force finds;
// - bounded_edit_distance agrees with a full dynamic programme; group_variants puts every text
//   in exactly one group, within the distance limit of its template.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_util.hpp"
#include "recur/phrases.hpp"
#include "recur/text.hpp"

namespace {

using recur::Repeat;
using recur::SegmentedText;

SegmentedText build(std::string_view text) {
  SegmentedText st;
  std::uint32_t doc = 0;
  bool doc_has_text = false;
  std::vector<char32_t> content;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(i, nl - i);
    if (line.empty() || line == "\r") {
      if (doc_has_text) ++doc;
      doc_has_text = false;
    } else {
      content.clear();
      for (std::size_t k = 0; k < line.size();) {
        const char32_t c = recur::next_code_point(line, k);
        if (recur::is_content_char(c)) content.push_back(c);
      }
      st.add_segment(content, doc);  // empty segments too: they must not confuse anything
      doc_has_text = true;
    }
    i = nl + 1;
  }
  return st;
}

// Full Levenshtein distance.
std::size_t edit_distance(std::u32string_view a, std::u32string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

struct Text {
  const SegmentedText& st;
  std::size_t seg_begin(std::uint32_t pos) const { return st.segment_start[st.segment_of(pos)]; }
  std::size_t seg_end(std::uint32_t pos) const { return st.segment_start[st.segment_of(pos) + 1]; }
  bool equal(std::size_t a, std::size_t b, std::size_t len) const {
    return std::equal(st.chars.begin() + a, st.chars.begin() + a + len, st.chars.begin() + b);
  }
  // Every start where chars[at, at+len) occurs inside one segment.
  std::vector<std::uint32_t> occurrences(std::size_t at, std::size_t len) const {
    std::vector<std::uint32_t> out;
    for (std::size_t s = 0; s < st.segments(); ++s)
      for (std::size_t p = st.segment_start[s]; p + len <= st.segment_start[s + 1]; ++p)
        if (equal(p, at, len)) out.push_back(static_cast<std::uint32_t>(p));
    return out;
  }
  std::size_t documents(const std::vector<std::uint32_t>& positions) const {
    std::set<std::uint32_t> docs;
    for (std::uint32_t p : positions) docs.insert(st.segment_doc[st.segment_of(p)]);
    return docs.size();
  }
  // True when every occurrence can be extended by the same character on the left (dir -1) or right.
  bool extendable(const std::vector<std::uint32_t>& positions, std::size_t len, int dir) const {
    char32_t c = 0;
    for (std::size_t k = 0; k < positions.size(); ++k) {
      const std::size_t p = positions[k];
      if (dir < 0 ? p == seg_begin(positions[k]) : p + len == seg_end(positions[k])) return false;
      const char32_t d = dir < 0 ? st.chars[p - 1] : st.chars[p + len];
      if (k == 0) c = d;
      else if (d != c) return false;
    }
    return true;
  }
};

void check_repeats(const SegmentedText& st, const recur::RepeatOptions& o, const std::vector<Repeat>& got) {
  const Text t{st};
  const std::size_t n = st.chars.size();
  CHECK(st.segment_start.empty() || st.segment_start.back() == n, "segment starts do not end at the text size");
  std::size_t budget = 4'000'000;  // character comparisons for the costlier checks, so that "aaaa..." stays fast
  for (std::size_t k = 0; k < got.size(); ++k) {
    const Repeat& r = got[k];
    CHECK(r.length >= o.min_chars && r.length > 0, "repeat %zu: length %u, min_chars %u", k, r.length, o.min_chars);
    CHECK(r.positions.size() >= 2, "repeat %zu: %zu occurrences", k, r.positions.size());
    CHECK(std::adjacent_find(r.positions.begin(), r.positions.end(),
                             [](std::uint32_t a, std::uint32_t b) { return a >= b; }) == r.positions.end(),
          "repeat %zu: positions not strictly increasing", k);
    for (std::uint32_t p : r.positions) {
      CHECK(std::size_t{p} + r.length <= n, "repeat %zu: occurrence at %u of length %u beyond the %zu characters", k,
            p, r.length, n);
      const std::size_t s = st.segment_of(p);
      CHECK(s < st.segments() && st.segment_start[s] <= p && p + r.length <= st.segment_start[s + 1],
            "repeat %zu: occurrence [%u, %u) leaves its segment %zu [%u, %u)", k, p, p + r.length, s,
            st.segment_start[s], st.segment_start[s + 1]);
      // Its document: the segments with the same document number, which are consecutive.
      const std::uint32_t doc = st.segment_doc[s];
      std::size_t first = s, last = s;
      while (first > 0 && st.segment_doc[first - 1] == doc) --first;
      while (last + 1 < st.segments() && st.segment_doc[last + 1] == doc) ++last;
      CHECK(st.segment_start[first] <= p && p + r.length <= st.segment_start[last + 1],
            "repeat %zu: occurrence [%u, %u) leaves its document %u", k, p, p + r.length, doc);
    }
    CHECK(r.documents == t.documents(r.positions) && r.documents >= o.min_docs,
          "repeat %zu: says %u documents, occurs in %zu, min_docs %u", k, r.documents, t.documents(r.positions),
          o.min_docs);
    if (k > 0) {
      const Repeat& q = got[k - 1];
      CHECK(q.positions[0] < r.positions[0] || (q.positions[0] == r.positions[0] && q.length < r.length),
            "repeats %zu and %zu out of order (first position, then length)", k - 1, k);
    }
    const std::size_t cost = r.positions.size() * r.length;
    if (cost > budget) continue;
    budget -= cost;
    for (std::uint32_t p : r.positions)
      CHECK(t.equal(p, r.positions[0], r.length), "repeat %zu: occurrence at %u differs from the one at %u", k, p,
            r.positions[0]);
    CHECK(!t.extendable(r.positions, r.length, -1), "repeat %zu (length %u at %u) extends to the left", k, r.length,
          r.positions[0]);
    CHECK(!t.extendable(r.positions, r.length, +1), "repeat %zu (length %u at %u) extends to the right", k, r.length,
          r.positions[0]);
    if (n * r.length <= budget) {
      budget -= n * r.length;
      CHECK(t.occurrences(r.positions[0], r.length) == r.positions,
            "repeat %zu (length %u at %u): %zu occurrences reported, the text has %zu", k, r.length, r.positions[0],
            r.positions.size(), t.occurrences(r.positions[0], r.length).size());
    }
  }

  if (n > 40) return;
  // Brute force: every distinct span, kept when it is a maximal repeat meeting the options.
  std::set<std::pair<std::uint32_t, std::uint32_t>> expected, found;  // (first position, length)
  for (std::size_t s = 0; s < st.segments(); ++s)
    for (std::size_t b = st.segment_start[s]; b < st.segment_start[s + 1]; ++b)
      for (std::size_t len = 1; b + len <= st.segment_start[s + 1]; ++len) {
        const auto occ = t.occurrences(b, len);
        if (occ[0] != b || occ.size() < 2 || len < o.min_chars || t.documents(occ) < o.min_docs) continue;
        if (t.extendable(occ, len, -1) || t.extendable(occ, len, +1)) continue;
        expected.insert({occ[0], static_cast<std::uint32_t>(len)});
      }
  for (const Repeat& r : got) found.insert({r.positions[0], r.length});
  CHECK(found == expected, "maximal_repeats found %zu repeats, the brute force %zu", found.size(), expected.size());
}

void check_variants(const std::vector<std::u32string>& texts, double tolerance) {
  std::vector<double> weights;
  for (std::size_t k = 0; k < texts.size(); ++k) weights.push_back(static_cast<double>(texts[k].size() % 7));
  const auto groups = recur::group_variants(texts, weights, tolerance);
  std::vector<int> seen(texts.size(), 0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    CHECK(!groups[g].empty(), "variant group %zu is empty", g);
    const std::uint32_t tpl = groups[g][0];
    CHECK(tpl < texts.size(), "variant group %zu: template %u of %zu texts", g, tpl, texts.size());
    for (std::size_t m = 0; m < groups[g].size(); ++m) {
      const std::uint32_t i = groups[g][m];
      CHECK(i < texts.size(), "variant group %zu: member %u of %zu texts", g, i, texts.size());
      ++seen[i];
      CHECK(m < 2 || groups[g][m - 1] < i, "variant group %zu: members not in index order", g);
      if (m == 0) continue;
      const std::size_t limit = recur::variant_distance_limit(texts[tpl].size(), texts[i].size(), tolerance);
      const std::size_t d = edit_distance(texts[tpl], texts[i]);
      CHECK(d <= limit, "variant group %zu: member %u is %zu edits from template %u, limit %zu", g, i, d, tpl, limit);
    }
  }
  for (std::size_t i = 0; i < texts.size(); ++i)
    CHECK(seen[i] == 1, "text %zu is in %d variant groups", i, seen[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  recur_fuzz::Header h(data, size);
  const std::uint8_t flags = h.byte();
  recur::RepeatOptions o;
  o.min_chars = 1 + (flags & 7);
  o.min_docs = 1 + ((flags >> 3) & 3);
  static constexpr double kTolerance[] = {0.0, 0.1, 0.2, 0.35};
  const double tolerance = kTolerance[(flags >> 5) & 3];
  CHECK(o.validate().empty(), "valid repeat options refused");
  const std::string text = recur_fuzz::to_valid_utf8(h.rest());
  const SegmentedText st = build(text);

  const std::vector<Repeat> repeats = recur::maximal_repeats(st, o);
  check_repeats(st, o, repeats);

  // The repeats' texts (and the segments) as variant candidates, a bounded number of them.
  std::vector<std::u32string> texts;
  for (const Repeat& r : repeats) {
    if (texts.size() >= 64) break;
    texts.emplace_back(st.chars.begin() + r.positions[0], st.chars.begin() + r.positions[0] + r.length);
  }
  for (std::size_t s = 0; s < st.segments() && texts.size() < 96; ++s) {
    const std::size_t b = st.segment_start[s], len = std::min<std::size_t>(st.segment_start[s + 1] - b, 200);
    texts.emplace_back(st.chars.begin() + b, st.chars.begin() + b + len);
  }
  for (std::size_t k = 0; k + 1 < texts.size() && k < 16; ++k) {
    const std::size_t full = edit_distance(texts[k], texts[k + 1]);
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{3}, full, full + 2}) {
      const std::size_t got = recur::bounded_edit_distance(texts[k], texts[k + 1], limit);
      CHECK(got == std::min(full, limit + 1), "bounded_edit_distance(limit %zu) = %zu, the distance is %zu", limit,
            got, full);
      CHECK(got == recur::bounded_edit_distance(texts[k + 1], texts[k], limit), "bounded_edit_distance is not symmetric");
    }
  }
  check_variants(texts, tolerance);
  return 0;
}
