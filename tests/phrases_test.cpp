// Tests for phrases.hpp: content characters, segmented text, maximal repeats (checked against a
// brute force over every span of random texts), bounded edit distance (against the plain dynamic
// programme) and the star grouping of variants (against an exact all-pairs grouping).
#include "recur/phrases.hpp"
#include "recur/run.hpp"
#include "recur/text.hpp"

#include "json_layout.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using recur::Repeat;
using recur::RepeatOptions;
using recur::SegmentedText;

using Positions = std::vector<std::uint32_t>;
using Groups = std::vector<std::vector<std::uint32_t>>;

// --- helpers ---------------------------------------------------------------------------------

/// Uniform integer in [lo, hi]: portable (std::uniform_int_distribution differs between standard
/// libraries), the tiny modulo bias does not matter here.
std::size_t pick(std::mt19937_64& rng, std::size_t lo, std::size_t hi) {
  return lo + static_cast<std::size_t>(rng() % (hi - lo + 1));
}

/// UTF-8 of code points, for failure messages.
std::string utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) recur::append_utf8(out, c);
  return out;
}

/// The content characters of `s` (what the caller of add_segment passes).
std::u32string content(std::u32string_view s) {
  std::u32string out;
  for (char32_t c : s)
    if (recur::is_content_char(c)) out += c;
  return out;
}

/// One segment of a test input: its document and its content characters.
struct Segment {
  std::uint32_t doc = 0;
  std::u32string text;
};
using Input = std::vector<Segment>;

SegmentedText build(const Input& input) {
  SegmentedText text;
  for (const auto& s : input)
    text.add_segment(std::span<const char32_t>(s.text.data(), s.text.size()), s.doc);
  return text;
}

std::string describe(const Input& input) {
  std::string out;
  for (const auto& s : input)
    out += "  doc " + std::to_string(s.doc) + ": \"" + utf8(s.text) + "\"\n";
  return out.empty() ? "  (no segments)\n" : out;
}

RepeatOptions repeat_options(unsigned min_chars, unsigned min_docs) {
  RepeatOptions options;
  options.min_chars = min_chars;
  options.min_docs = min_docs;
  return options;
}

std::string describe(const RepeatOptions& o) {
  return "min_chars=" + std::to_string(o.min_chars) + " min_docs=" + std::to_string(o.min_docs);
}

Repeat repeat(std::uint32_t length, std::uint32_t documents, Positions positions) {
  Repeat r;
  r.length = length;
  r.documents = documents;
  r.positions = std::move(positions);
  return r;
}

using RepeatKey = std::tuple<std::uint32_t, std::uint32_t, Positions>;  // length, docs, positions
RepeatKey key(const Repeat& r) { return {r.length, r.documents, r.positions}; }
std::vector<RepeatKey> keys(const std::vector<Repeat>& rs) {
  std::vector<RepeatKey> out;
  for (const auto& r : rs) out.push_back(key(r));
  return out;
}

std::string describe(const Repeat& r, std::u32string_view chars) {
  std::string out = "len=" + std::to_string(r.length) + " docs=" + std::to_string(r.documents) + " at {";
  for (std::size_t i = 0; i < r.positions.size(); ++i)
    out += (i ? "," : "") + std::to_string(r.positions[i]);
  out += "}";
  if (!r.positions.empty() && r.positions[0] < chars.size())
    out += " \"" + utf8(chars.substr(r.positions[0], r.length)) + "\"";
  return out;
}

std::u32string all_chars(const Input& input) {
  std::u32string chars;
  for (const auto& s : input) chars += s.text;
  return chars;
}

// --- brute force of the definition in phrases.hpp --------------------------------------------

/// Every maximal repeat of `input` regardless of the options: every span inside one segment that
/// occurs at least twice (all start positions, overlapping occurrences count) and for which no
/// span one character longer on the left or on the right occurs as often. Sorted by first
/// position, then length.
std::vector<Repeat> brute_force_repeats(const Input& input) {
  std::u32string chars;
  std::vector<std::uint32_t> seg_begin, seg_end, seg_doc;
  std::vector<std::uint32_t> seg_of;  // segment of each character
  for (const auto& s : input) {
    seg_begin.push_back(static_cast<std::uint32_t>(chars.size()));
    chars += s.text;
    seg_end.push_back(static_cast<std::uint32_t>(chars.size()));
    seg_doc.push_back(s.doc);
    seg_of.insert(seg_of.end(), s.text.size(), static_cast<std::uint32_t>(seg_doc.size() - 1));
  }
  std::unordered_map<std::u32string, Positions> occurrences;
  for (std::size_t k = 0; k < seg_begin.size(); ++k)
    for (std::uint32_t i = seg_begin[k]; i < seg_end[k]; ++i)
      for (std::uint32_t j = i + 1; j <= seg_end[k]; ++j)
        occurrences[chars.substr(i, j - i)].push_back(i);  // positions come out sorted
  auto count = [&](const std::u32string& s) -> std::size_t {
    const auto it = occurrences.find(s);
    return it == occurrences.end() ? 0 : it->second.size();
  };
  std::vector<Repeat> out;
  for (const auto& [span, positions] : occurrences) {
    if (positions.size() < 2) continue;
    const auto length = static_cast<std::uint32_t>(span.size());
    bool maximal = true;
    std::set<std::uint32_t> docs;
    for (std::uint32_t p : positions) {
      const std::uint32_t k = seg_of[p];
      docs.insert(seg_doc[k]);
      if (p > seg_begin[k] && count(chars[p - 1] + span) == positions.size()) maximal = false;
      if (p + length < seg_end[k] && count(span + chars[p + length]) == positions.size()) maximal = false;
    }
    if (maximal) out.push_back(repeat(length, static_cast<std::uint32_t>(docs.size()), positions));
  }
  std::sort(out.begin(), out.end(), [](const Repeat& a, const Repeat& b) {
    return std::make_pair(a.positions[0], a.length) < std::make_pair(b.positions[0], b.length);
  });
  return out;
}

std::vector<Repeat> filtered(const std::vector<Repeat>& all, const RepeatOptions& options) {
  std::vector<Repeat> out;
  for (const auto& r : all)
    if (r.length >= options.min_chars && r.documents >= options.min_docs) out.push_back(r);
  return out;
}

/// Empty when maximal_repeats() agrees with the brute force on `input` (same spans, positions,
/// document counts and order, nothing across a segment boundary), else what differs.
std::string mismatch(const Input& input, const RepeatOptions& options,
                     const std::vector<Repeat>* all = nullptr) {
  const SegmentedText text = build(input);
  std::vector<Repeat> got;
  try {
    got = recur::maximal_repeats(text, options);
  } catch (const std::exception& e) {
    return std::string("maximal_repeats threw: ") + e.what() + "\n";
  }
  const std::vector<Repeat> expected =
      filtered(all ? *all : brute_force_repeats(input), options);
  const std::u32string chars = all_chars(input);
  std::ostringstream diff;
  for (const auto& r : got) {
    if (!std::is_sorted(r.positions.begin(), r.positions.end()))
      diff << "positions not sorted: " << describe(r, chars) << "\n";
    for (std::uint32_t p : r.positions) {
      if (r.length == 0 || std::size_t{p} + r.length > chars.size()) {
        diff << "span out of range: " << describe(r, chars) << "\n";
        break;
      }
      if (text.segment_of(p) != text.segment_of(p + r.length - 1)) {
        diff << "crosses a segment boundary at " << p << ": " << describe(r, chars) << "\n";
        break;
      }
    }
  }
  const auto got_keys = keys(got), expected_keys = keys(expected);
  if (got_keys == expected_keys) return diff.str();
  const std::set<RepeatKey> got_set(got_keys.begin(), got_keys.end());
  const std::set<RepeatKey> expected_set(expected_keys.begin(), expected_keys.end());
  for (const auto& r : expected)
    if (!got_set.count(key(r))) diff << "missing:    " << describe(r, chars) << "\n";
  for (const auto& r : got)
    if (!expected_set.count(key(r))) diff << "unexpected: " << describe(r, chars) << "\n";
  if (got_set == expected_set) {
    diff << "same repeats, wrong order or duplicates; got:\n";
    for (const auto& r : got) diff << "  " << describe(r, chars) << "\n";
  }
  return diff.str();
}

/// Smallest input found by deleting segments and characters that still shows a mismatch, with
/// documents renumbered 0, 1, ...
Input shrink(Input input, const RepeatOptions& options) {
  auto renumber = [](Input in) {
    std::uint32_t next = 0, previous = 0;
    for (std::size_t k = 0; k < in.size(); ++k) {
      const std::uint32_t old = in[k].doc;
      if (k > 0 && old != previous) ++next;
      previous = old;
      in[k].doc = next;
    }
    return in;
  };
  bool progress = true;
  while (progress) {
    progress = false;
    for (std::size_t k = 0; k < input.size() && !progress; ++k) {
      Input smaller = input;
      smaller.erase(smaller.begin() + static_cast<std::ptrdiff_t>(k));
      smaller = renumber(std::move(smaller));
      if (!mismatch(smaller, options).empty()) { input = std::move(smaller); progress = true; }
    }
    for (std::size_t k = 0; k < input.size() && !progress; ++k)
      for (std::size_t i = 0; i < input[k].text.size() && input[k].text.size() > 1 && !progress; ++i) {
        Input smaller = input;
        smaller[k].text.erase(i, 1);
        if (!mismatch(smaller, options).empty()) { input = std::move(smaller); progress = true; }
      }
  }
  return input;
}

/// Checks maximal_repeats() against `expected` on a hand-made input.
void expect_repeats(const Input& input, const RepeatOptions& options,
                    const std::vector<Repeat>& expected) {
  const auto got = recur::maximal_repeats(build(input), options);
  const std::u32string chars = all_chars(input);
  std::string got_text, expected_text;
  for (const auto& r : got) got_text += "  " + describe(r, chars) + "\n";
  for (const auto& r : expected) expected_text += "  " + describe(r, chars) + "\n";
  EXPECT_TRUE(got_text == expected_text)
      << "input:\n" << describe(input) << describe(options) << "\ngot:\n" << got_text
      << "expected:\n" << expected_text;
  // The brute force must agree with the hand-made answer too.
  EXPECT_EQ(keys(filtered(brute_force_repeats(input), options)), keys(expected));
}

// --- plain edit distance and exact grouping --------------------------------------------------

/// Levenshtein distance by the plain O(n m) dynamic programme.
std::size_t levenshtein(std::u32string_view a, std::u32string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

/// The limit as the header states it: tolerance x the longer length, rounded down, at least 1
/// when tolerance > 0.
std::size_t limit_of(std::size_t la, std::size_t lb, double tolerance) {
  if (tolerance <= 0) return 0;
  const auto l = static_cast<std::size_t>(std::floor(tolerance * static_cast<double>(std::max(la, lb))));
  return std::max<std::size_t>(l, 1);
}

/// Items in template order: weight desc, length desc, index asc.
std::vector<std::uint32_t> template_order(const std::vector<std::u32string>& texts,
                                          const std::vector<double>& weights) {
  std::vector<std::uint32_t> order(texts.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (weights[a] != weights[b]) return weights[a] > weights[b];
    if (texts[a].size() != texts[b].size()) return texts[a].size() > texts[b].size();
    return a < b;
  });
  return order;
}

/// The grouping of group_variants() by its definition, with every pair compared exactly.
Groups exact_star_groups(const std::vector<std::u32string>& texts, const std::vector<double>& weights,
                         double tolerance) {
  Groups groups;
  std::vector<bool> grouped(texts.size(), false);
  for (std::uint32_t t : template_order(texts, weights)) {
    if (grouped[t]) continue;
    grouped[t] = true;
    std::vector<std::uint32_t> group{t};
    for (std::uint32_t j = 0; j < texts.size(); ++j)
      if (!grouped[j] &&
          levenshtein(texts[t], texts[j]) <= limit_of(texts[t].size(), texts[j].size(), tolerance)) {
        grouped[j] = true;
        group.push_back(j);
      }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::string describe(const Groups& groups) {
  std::string out;
  for (const auto& g : groups) {
    out += "{";
    for (std::size_t i = 0; i < g.size(); ++i) out += (i ? "," : "") + std::to_string(g[i]);
    out += "} ";
  }
  return out;
}

/// Random CJK text (U+4E00 + 0..2999).
std::u32string random_cjk(std::mt19937_64& rng, std::size_t length) {
  std::u32string s;
  for (std::size_t i = 0; i < length; ++i) s += static_cast<char32_t>(0x4E00 + rng() % 3000);
  return s;
}

/// `s` with `edits` random substitutions, insertions and deletions.
std::u32string edited(std::mt19937_64& rng, std::u32string s, std::size_t edits) {
  for (std::size_t e = 0; e < edits; ++e) {
    const std::size_t op = s.empty() ? 1 : rng() % 3;
    if (op == 0) {
      const std::size_t p = rng() % s.size();
      char32_t c;
      do c = static_cast<char32_t>(0x4E00 + rng() % 3000); while (c == s[p]);
      s[p] = c;
    } else if (op == 1) {
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(rng() % (s.size() + 1)),
               static_cast<char32_t>(0x4E00 + rng() % 3000));
    } else {
      s.erase(rng() % s.size(), 1);
    }
  }
  return s;
}

// --- is_content_char -------------------------------------------------------------------------

TEST(ContentChar, CjkCharactersAreContent) {
  for (char32_t c : U"组织工作体制机制一龥坚持稳中求进")
    if (c) {
      EXPECT_TRUE(recur::is_content_char(c)) << utf8(std::u32string(1, c));
    }
  EXPECT_TRUE(recur::is_content_char(U'\u4E00'));
  EXPECT_TRUE(recur::is_content_char(U'\u9FA5'));
  EXPECT_TRUE(recur::is_content_char(U'\u3400'));      // extension A
  EXPECT_TRUE(recur::is_content_char(U'\U00020000'));  // extension B
}

// count_content_chars reads CJK ideographs and ASCII by their bytes: the same count as decoding
// every character, on random texts drawn around the edges of those fast paths.
TEST(ContentChar, CountingByBytesAgreesWithDecodingEveryCharacter) {
  const std::u32string pool = U"09azAZ@[`{ \n\"，。、；：？！（）《》—\u00E9\u00DF\u0416\u0661\u3000\u3001\u3005\u3041"
                              U"\u30FB\u3400\u4DBF\u4DC0\u4DFF\u4E00\u4E01\u4FFF\u5000\u9FA5\u9FFF\uA000\uAC00"
                              U"\uF900\uFF01\uFF10\uFF21\U00020000\U0001F600";
  std::mt19937 rng(11);
  for (int round = 0; round < 4000; ++round) {
    std::u32string cs;
    // Up to 120 characters (about 360 bytes): several 32-byte blocks of the vector path, with
    // characters across block ends, and the byte-by-byte rest.
    const std::size_t len = rng() % (round % 2 == 0 ? 40 : 120);
    for (std::size_t k = 0; k < len; ++k) cs += pool[rng() % pool.size()];
    const std::string text = utf8(cs);
    std::uint64_t expect = 0;
    for (char32_t c : cs) expect += recur::is_content_char(c);
    ASSERT_EQ(recur::count_content_chars(text), expect) << text;
  }
  EXPECT_EQ(recur::count_content_chars("坚持稳中求进，a1！"), 8u);
  // The vector path reads 32-byte blocks and one byte past each (an E4's second byte decides
  // whether it starts U+4E00-9FFF). Characters placed at the blocks' last bytes and across their
  // ends, in texts of exactly 32, 33 and 65 bytes and around them.
  for (const char32_t c : {U'\u4DBF', U'\u4DC0', U'\u4E00', U'\u9FFF', U'\uFF0C', U'\u00E9', U'\U00020000'}) {
    for (std::size_t pad = 28; pad <= 66; ++pad) {
      std::u32string cs(pad, U'a');
      cs += c;
      cs += U"x,";
      const std::string text = utf8(cs);
      const std::uint64_t expect = pad + recur::is_content_char(c) + 1;
      ASSERT_EQ(recur::count_content_chars(text), expect) << "pad " << pad << ", U+" << std::hex << std::uint32_t{c};
      ASSERT_EQ(recur::count_content_chars(text.substr(0, text.size() - 2)), expect - 1) << "pad " << pad;
    }
  }
}

TEST(ContentChar, AsciiLettersAndDigitsAreContent) {
  for (char c = 'a'; c <= 'z'; ++c) EXPECT_TRUE(recur::is_content_char(static_cast<char32_t>(c))) << c;
  for (char c = 'A'; c <= 'Z'; ++c) EXPECT_TRUE(recur::is_content_char(static_cast<char32_t>(c))) << c;
  for (char c = '0'; c <= '9'; ++c) EXPECT_TRUE(recur::is_content_char(static_cast<char32_t>(c))) << c;
}

TEST(ContentChar, OtherLettersAreContent) {
  EXPECT_TRUE(recur::is_content_char(U'é'));
  EXPECT_TRUE(recur::is_content_char(U'Ω'));
}

TEST(ContentChar, PunctuationSymbolsAndWhiteSpaceAreNot) {
  for (char32_t c : {U'，', U'。', U' ', U'\u3000', U'、', U'“', U'”', U'：', U'；', U'！', U'？',
                     U'（', U'）', U'《', U'》', U'\n', U'\t', U'\r', U',', U'.', U'-', U'!', U'(',
                     U'"', U'\u00A0'})
    EXPECT_FALSE(recur::is_content_char(c)) << "U+" << std::hex << static_cast<std::uint32_t>(c);
}

TEST(ContentChar, PunctuationDoesNotSplitASpan) {
  EXPECT_EQ(content(U"体制顺、机制活"), content(U"体制顺，机制活"));
  EXPECT_EQ(content(U"“体制顺”， 机制活。"), U"体制顺机制活");
}

// --- SegmentedText ---------------------------------------------------------------------------

TEST(SegmentedText, AddSegmentConcatenatesAndRecordsBoundariesAndDocuments) {
  SegmentedText text;
  const std::u32string a = U"组织工", b = U"作发", c = U"展改革建";
  text.add_segment(std::span<const char32_t>(a.data(), a.size()), 0);
  EXPECT_EQ(text.segments(), 1u);
  EXPECT_EQ(text.segment_start, (std::vector<std::uint32_t>{0, 3}));
  text.add_segment(std::span<const char32_t>(b.data(), b.size()), 0);
  text.add_segment(std::span<const char32_t>(c.data(), c.size()), 1);
  EXPECT_EQ(std::u32string(text.chars.begin(), text.chars.end()), a + b + c);
  EXPECT_EQ(text.segments(), 3u);
  EXPECT_EQ(text.segment_start, (std::vector<std::uint32_t>{0, 3, 5, 9}));
  EXPECT_EQ(text.segment_doc, (std::vector<std::uint32_t>{0, 0, 1}));
}

TEST(SegmentedText, SegmentOfFindsTheSegmentOfEveryPosition) {
  const SegmentedText text = build({{0, U"组织工"}, {0, U"作发"}, {1, U"展改革建"}, {3, U"设"}});
  const std::vector<std::size_t> expected = {0, 0, 0, 1, 1, 2, 2, 2, 2, 3};
  ASSERT_EQ(text.chars.size(), expected.size());
  for (std::uint32_t p = 0; p < expected.size(); ++p) EXPECT_EQ(text.segment_of(p), expected[p]) << p;
}

TEST(SegmentedText, EmptySegmentsCountButHoldNoPosition) {
  const SegmentedText text = build({{0, U"组织"}, {0, U""}, {1, U""}, {1, U"工作"}});
  EXPECT_EQ(text.segments(), 4u);
  EXPECT_EQ(text.segment_start, (std::vector<std::uint32_t>{0, 2, 2, 2, 4}));
  EXPECT_EQ(text.segment_doc, (std::vector<std::uint32_t>{0, 0, 1, 1}));
  EXPECT_EQ(text.segment_of(0), 0u);
  EXPECT_EQ(text.segment_of(1), 0u);
  EXPECT_EQ(text.segment_of(2), 3u);
  EXPECT_EQ(text.segment_of(3), 3u);
}

// --- RepeatOptions ---------------------------------------------------------------------------

TEST(RepeatOptions, DefaultsAreTenCharactersInThreeDocumentsAndValid) {
  const RepeatOptions options;
  EXPECT_EQ(options.min_chars, 10u);
  EXPECT_EQ(options.min_docs, 3u);
  EXPECT_EQ(options.validate(), "");
  EXPECT_EQ(repeat_options(1, 1).validate(), "");
}

TEST(RepeatOptions, ZeroMinCharsOrZeroMinDocsIsInvalidAndNamed) {
  const std::string chars = repeat_options(0, 3).validate();
  EXPECT_FALSE(chars.empty());
  EXPECT_NE(chars.find("char"), std::string::npos) << chars;
  const std::string docs = repeat_options(10, 0).validate();
  EXPECT_FALSE(docs.empty());
  EXPECT_NE(docs.find("doc"), std::string::npos) << docs;
  EXPECT_FALSE(repeat_options(0, 0).validate().empty());
}

// --- maximal_repeats: hand examples ----------------------------------------------------------

TEST(RepeatHand, EmptyTextHasNoRepeats) {
  EXPECT_TRUE(recur::maximal_repeats(SegmentedText{}, repeat_options(1, 1)).empty());
  EXPECT_TRUE(recur::maximal_repeats(build({{0, U""}, {1, U""}}), repeat_options(1, 1)).empty());
  EXPECT_TRUE(recur::maximal_repeats(build({{0, U"组"}}), repeat_options(1, 1)).empty());
}

TEST(RepeatHand, AbcabGivesOnlyTheMaximalAb) {
  // 甲乙丙甲乙 ("abcab"): 甲 and 乙 always come as 甲乙, so only 甲乙 is maximal.
  const Input input = {{0, U"甲乙丙甲乙"}};
  expect_repeats(input, repeat_options(1, 1), {repeat(2, 1, {0, 3})});
  expect_repeats(input, repeat_options(2, 1), {repeat(2, 1, {0, 3})});
  expect_repeats(input, repeat_options(3, 1), {});
  expect_repeats(input, repeat_options(1, 2), {});  // one document only
}

TEST(RepeatHand, AbcabAndBcdInTwoDocumentsAreOrderedByFirstPositionThenLength) {
  // chars 甲乙丙甲乙|乙丙丁: 乙 at 1,4,5 is maximal (preceded by 甲, 甲, nothing), 乙丙 at 1,5
  // too; 乙乙 at 4 crosses the boundary and does not count.
  const Input input = {{0, U"甲乙丙甲乙"}, {1, U"乙丙丁"}};
  expect_repeats(input, repeat_options(1, 1),
                 {repeat(2, 1, {0, 3}), repeat(1, 2, {1, 4, 5}), repeat(2, 2, {1, 5})});
  expect_repeats(input, repeat_options(1, 2), {repeat(1, 2, {1, 4, 5}), repeat(2, 2, {1, 5})});
  expect_repeats(input, repeat_options(2, 2), {repeat(2, 2, {1, 5})});
}

TEST(RepeatHand, OverlappingOccurrencesCount) {
  // 甲甲甲甲: 甲 x4, 甲甲 x3, 甲甲甲 x2 (at 0 and 1, overlapping); each is maximal.
  expect_repeats({{0, U"甲甲甲甲"}}, repeat_options(1, 1),
                 {repeat(1, 1, {0, 1, 2, 3}), repeat(2, 1, {0, 1, 2}), repeat(3, 1, {0, 1})});
  expect_repeats({{0, U"甲甲甲甲"}}, repeat_options(3, 1), {repeat(3, 1, {0, 1})});
  // In two documents the whole segment repeats too.
  expect_repeats({{0, U"甲甲甲甲"}, {1, U"甲甲甲甲"}}, repeat_options(1, 2),
                 {repeat(1, 2, {0, 1, 2, 3, 4, 5, 6, 7}), repeat(2, 2, {0, 1, 2, 4, 5, 6}),
                  repeat(3, 2, {0, 1, 4, 5}), repeat(4, 2, {0, 4})});
}

TEST(RepeatHand, NothingSpansASegmentBoundary) {
  // 甲乙丙丁 | 甲乙 | 丙丁: concatenated, 甲乙丙丁 would occur twice, but the second one crosses
  // from one paragraph into the next.
  const Input input = {{0, U"甲乙丙丁"}, {1, U"甲乙"}, {1, U"丙丁"}};
  expect_repeats(input, repeat_options(2, 2), {repeat(2, 2, {0, 4}), repeat(2, 2, {2, 6})});
  expect_repeats(input, repeat_options(3, 1), {});
  // Same within one document: two paragraphs never join.
  expect_repeats({{0, U"甲乙丙丁甲乙"}, {0, U"丙丁"}}, repeat_options(3, 1), {});
}

TEST(RepeatHand, DocumentsCountDistinctDocumentsNotOccurrences) {
  const Input input = {{0, U"组织工作"}, {0, U"组织工作"}, {1, U"组织工作"}};
  expect_repeats(input, repeat_options(4, 2), {repeat(4, 2, {0, 4, 8})});
  expect_repeats(input, repeat_options(4, 3), {});
  expect_repeats(input, repeat_options(4, 1), {repeat(4, 2, {0, 4, 8})});
  // Document numbers need not start at 0 or be consecutive.
  const Input sparse = {{3, U"组织工作"}, {3, U"组织工作"}, {1000, U"组织工作"}};
  expect_repeats(sparse, repeat_options(4, 2), {repeat(4, 2, {0, 4, 8})});
  expect_repeats(sparse, repeat_options(4, 3), {});
}

TEST(RepeatHand, DefaultOptionsFindAPhraseInThreeDocumentsWhateverThePunctuation) {
  const Input input = {{0, content(U"我们坚持稳中求进工作总基调，推动发展。")},
                       {1, content(U"必须“坚持稳中求进、工作总基调”。")},
                       {2, content(U"要坚持稳中求进工作总基调 稳字当头")}};
  expect_repeats(input, RepeatOptions{}, {repeat(11, 3, {2, 19, 31})});
  expect_repeats({{0, content(U"体制顺、机制活")}, {1, content(U"体制顺，机制活")}},
                 repeat_options(6, 2), {repeat(6, 2, {0, 6})});
}

TEST(RepeatHand, MoreThan65535DistinctCharactersAreHandled) {
  // 70000 distinct characters (CJK extension B and beyond), then two slices of them again.
  std::u32string all;
  for (char32_t c = 0; c < 70000; ++c) all += static_cast<char32_t>(0x20000 + c);
  const Input input = {{0, all}, {1, all.substr(100, 20) + all.substr(65000, 10)}};
  const auto got = recur::maximal_repeats(build(input), repeat_options(1, 2));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(key(got[0]), key(repeat(20, 2, {100, 70000})));
  EXPECT_EQ(key(got[1]), key(repeat(10, 2, {65000, 70020})));
}

TEST(RepeatHand, EmptySegmentsChangeNothing) {
  const Input input = {{0, U"甲乙丙甲乙"}, {0, U""}, {1, U""}, {1, U"乙丙丁"}, {2, U""}};
  expect_repeats(input, repeat_options(1, 2), {repeat(1, 2, {1, 4, 5}), repeat(2, 2, {1, 5})});
}

// --- maximal_repeats: brute force ------------------------------------------------------------

// "" when maximal_repeats() gives `all` filtered by `options`; else what differs, with the
// smallest input that still shows it.
std::string brute_force_failure(const Input& input, const RepeatOptions& options, const std::vector<Repeat>& all,
                                int round) {
  const std::string diff = mismatch(input, options, &all);
  if (diff.empty()) return diff;
  const Input minimal = shrink(input, options);
  return "round " + std::to_string(round) + ", " + describe(options) + ":\n" + diff + "minimal input (" +
         describe(options) + "):\n" + describe(minimal) + mismatch(minimal, options);
}

TEST(RepeatBruteForce, RandomTextsGiveExactlyTheMaximalRepeatsOfTheDefinition) {
  // About 1 ms per call of maximal_repeats() whatever the size: 150 x 6 calls.
  constexpr int kRounds = 150;
  std::mt19937_64 rng(20240611);
  const std::u32string pool = U"组织工作发展";
  const std::pair<unsigned, unsigned> combos[] = {{2, 2}, {3, 2}, {4, 3}, {1, 1}, {1, 2}, {6, 2}};
  std::size_t checked = 0, reported = 0, long_ones = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::size_t alphabet = pick(rng, 3, 6);
    Input input;
    const std::size_t docs = pick(rng, 2, 6);
    for (std::uint32_t d = 0; d < docs; ++d) {
      const std::size_t segments = pick(rng, 1, 3);
      for (std::size_t s = 0; s < segments; ++s) {
        std::u32string t(pick(rng, 5, 40), U' ');
        for (auto& c : t) c = pool[rng() % alphabet];
        input.push_back({d, std::move(t)});
      }
    }
    const std::vector<Repeat> all = brute_force_repeats(input);
    for (const auto& [min_chars, min_docs] : combos) {
      const RepeatOptions options = repeat_options(min_chars, min_docs);
      if (const std::string failure = brute_force_failure(input, options, all, round); !failure.empty()) FAIL() << failure;
      ++checked;
      for (const auto& r : filtered(all, options)) {
        ++reported;
        if (r.length >= 6) ++long_ones;
      }
    }
  }
  // The random texts must exercise the code: plenty of repeats, some of them long.
  EXPECT_EQ(checked, kRounds * std::size(combos));
  EXPECT_GT(reported, 20000u);
  EXPECT_GT(long_ones, 1000u);
}

// Random segments of `alphabet` characters of the pool, 1 to max_segments per document, of which
// about two in three copy an earlier segment (with `parts`, a quarter of those copy only part of
// it); the others are min_len to max_len characters long.
Input input_with_copies(std::mt19937_64& rng, std::size_t alphabet, std::size_t docs, std::size_t max_segments,
                        std::size_t min_len, std::size_t max_len, bool parts) {
  const std::u32string pool = U"组织工作发展";
  Input input;
  for (std::uint32_t d = 0; d < docs; ++d)
    for (std::size_t s = pick(rng, 1, max_segments); s > 0; --s) {
      if (!input.empty() && pick(rng, 0, 2) > 0) {  // a copy of an earlier segment, or of part of one
        const std::u32string& from = input[pick(rng, 0, input.size() - 1)].text;
        if (parts && pick(rng, 0, 3) == 0 && from.size() > 2) {
          const std::size_t a = pick(rng, 0, from.size() - 2);
          input.push_back({d, from.substr(a, pick(rng, 1, from.size() - a))});
        } else {
          input.push_back({d, from});
        }
        continue;
      }
      std::u32string t(pick(rng, min_len, max_len), U' ');
      for (auto& c : t) c = pool[rng() % alphabet];
      input.push_back({d, std::move(t)});
    }
  return input;
}

// Whether every occurrence of `r` is a whole segment of `text`.
bool whole_segments(const SegmentedText& text, const Repeat& r) {
  return std::all_of(r.positions.begin(), r.positions.end(), [&](std::uint32_t p) {
    const std::size_t k = text.segment_of(p);
    return p == text.segment_start[k] && text.segment_start[k + 1] - p == r.length;
  });
}

// Segments that copy one another exactly are searched once (maximal_repeats collapses them): the
// repeats must be those of the definition all the same. Copies within a document and across
// documents, copies that also occur inside longer segments, copies whose only occurrences are the
// copies (a repeat that is a whole segment), and empty and one-character segments.
TEST(RepeatBruteForce, CopiedSegmentsGiveExactlyTheMaximalRepeatsOfTheDefinition) {
  std::mt19937_64 rng(20261203);
  const std::pair<unsigned, unsigned> combos[] = {{1, 1}, {2, 2}, {3, 2}, {4, 3}, {2, 4}};
  std::size_t checked = 0, whole = 0, copied = 0;
  for (int round = 0; round < 150; ++round) {
    const std::size_t alphabet = pick(rng, 2, 6);
    const std::size_t docs = pick(rng, 2, 6);
    const Input input = input_with_copies(rng, alphabet, docs, 4, 0, 12, true);
    for (std::size_t a = 0; a < input.size(); ++a)
      for (std::size_t b = 0; b < a; ++b)
        if (input[a].text == input[b].text) {
          ++copied;
          break;
        }
    const std::vector<Repeat> all = brute_force_repeats(input);
    const SegmentedText built = build(input);
    whole += static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const Repeat& r) { return whole_segments(built, r); }));
    for (const auto& [min_chars, min_docs] : combos) {
      const RepeatOptions options = repeat_options(min_chars, min_docs);
      if (const std::string failure = brute_force_failure(input, options, all, round); !failure.empty()) FAIL() << failure;
      // Lending the characters gives the same repeats and the same characters back.
      SegmentedText text = built;
      const auto before = text.chars;
      recur::RepeatCounts counts;
      RepeatOptions two = options;  // and on two threads
      two.threads = 2;
      const auto lent = recur::maximal_repeats_lending(text, two, counts);
      ASSERT_EQ(keys(lent), keys(filtered(all, options))) << "round " << round << " " << describe(options);
      ASSERT_EQ(text.chars, before) << "round " << round;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 150 * std::size(combos));
  EXPECT_GT(copied, 300u) << "the inputs must hold copies";
  EXPECT_GT(whole, 100u) << "and repeats that are whole copied segments";
}

// The same on inputs with thousands of segments, too large for the brute force: against the
// search over every copy (collapse_copies false), on 1 and 2 threads. The sweep reads its
// suffixes 4,096 at a time, and a whole copied segment is told from the suffix after it, which
// may lie in the next batch: these inputs have many batches.
TEST(RepeatCopies, CollapsedAndUncollapsedSearchesGiveTheSameRepeats) {
  std::mt19937_64 rng(31);
  std::size_t whole = 0, repeats = 0;
  for (int round = 0; round < 6; ++round) {
    const std::size_t alphabet = pick(rng, 2, 6);
    const SegmentedText text = build(input_with_copies(rng, alphabet, 1000, 12, 1, 14, false));
    ASSERT_GT(text.chars.size(), 8u * 4096u);
    for (const auto& [min_chars, min_docs] : {std::pair{1u, 1u}, {4u, 2u}, {8u, 3u}}) {
      RepeatOptions plain = repeat_options(min_chars, min_docs);
      plain.collapse_copies = false;
      const auto want = recur::maximal_repeats(text, plain);
      for (unsigned threads : {1u, 2u}) {
        RepeatOptions collapsed = repeat_options(min_chars, min_docs);
        collapsed.threads = threads;
        const auto got = recur::maximal_repeats(text, collapsed);
        ASSERT_EQ(keys(got), keys(want)) << "round " << round << " " << describe(collapsed) << " threads " << threads;
      }
      repeats += want.size();
      whole += static_cast<std::size_t>(std::count_if(want.begin(), want.end(), [&](const Repeat& r) { return whole_segments(text, r); }));
    }
  }
  EXPECT_GT(repeats, 10000u);
  EXPECT_GT(whole, 500u) << "whole copied segments must be among them";
}

// --- the k-gram prefilter (recurring_text) ---------------------------------------------------

TEST(RecurringText, SpanCandidatesOverTheKeptTextAreTheMaximalRepeatsOfTheWholeText) {
  // span_candidates() runs the suffix array over recurring_text() only: on random texts (small
  // alphabets, so plenty recurs, with unique filler between) it must find exactly what
  // maximal_repeats() finds over the whole text, at the same positions.
  std::mt19937_64 rng(20261130);
  const std::u32string pool = U"组织工作发展";
  std::size_t rounds_with_cuts = 0, repeats_seen = 0;
  for (int round = 0; round < 200; ++round) {
    const std::size_t alphabet = pick(rng, 2, 6);
    Input input;
    const std::size_t docs = pick(rng, 2, 7);
    char32_t filler = 0x4E00 + 300;  // never repeated: cuts the kept text into stretches
    for (std::uint32_t d = 0; d < docs; ++d)
      for (std::size_t s = pick(rng, 1, 3); s > 0; --s) {
        std::u32string t;
        for (std::size_t k = pick(rng, 4, 60); k > 0; --k) t += rng() % 5 == 0 ? filler++ : pool[rng() % alphabet];
        input.push_back({d, std::move(t)});
      }
    const SegmentedText text = build(input);
    for (const auto& [min_chars, min_docs] : {std::pair{2u, 2u}, {3u, 2u}, {4u, 3u}, {6u, 2u}}) {
      const RepeatOptions options = repeat_options(min_chars, min_docs);
      const auto whole = recur::maximal_repeats(text, options);
      const recur::RecurringText kept = recur::recurring_text(text, min_chars, min_docs, 2);
      if (kept.text.chars.size() < text.chars.size()) ++rounds_with_cuts;
      recur::RepeatCounts rc;
      const auto cands = recur::span_candidates(text, options, rc, 2);
      ASSERT_EQ(cands.size(), whole.size()) << describe(options) << "\n" << describe(input);
      for (std::size_t i = 0; i < whole.size(); ++i) {
        Positions starts;
        for (const auto& o : cands[i].occurrences) starts.push_back(o.start);
        ASSERT_EQ(starts, whole[i].positions) << describe(options) << " repeat " << i << "\n" << describe(input);
        ASSERT_EQ(cands[i].documents, whole[i].documents);
        ASSERT_EQ(cands[i].text.size(), whole[i].length);
      }
      repeats_seen += whole.size();
    }
  }
  EXPECT_GT(rounds_with_cuts, 100u);  // the filter did cut text
  EXPECT_GT(repeats_seen, 2000u);
}

TEST(RecurringText, KeepsOnlyWindowsInEnoughDocumentsAndMapsBack) {
  Input input{{0, U"xxabcdyy"}, {1, U"abcdzz"}, {2, U"qqabcd"}, {2, U"abcd"}};
  const SegmentedText text = build(input);
  const recur::RecurringText two = recur::recurring_text(text, 4, 2);
  EXPECT_EQ(two.text.chars, recur::UninitialisedVector<char32_t>(U"abcdabcdabcdabcd", U"abcdabcdabcdabcd" + 16));
  EXPECT_EQ(two.origin, (std::vector<std::uint32_t>{2, 8, 16, 20}));
  EXPECT_EQ(two.original(5), 9u);
  EXPECT_EQ(recur::recurring_text(text, 4, 3).text.chars.size(), 16u);  // abcd is in 3 documents
  // Counts saturate at 3 (WindowCounter::kSaturation): with --min-docs 4 the filter keeps what is in
  // 3 documents too (more text, never less), and the suffix array applies min_docs exactly.
  EXPECT_EQ(recur::recurring_text(text, 4, 4).text.chars.size(), 16u);
  Input fewer{{0, U"xxabcdyy"}, {1, U"abcdzz"}, {1, U"qqabcd"}};
  EXPECT_EQ(recur::recurring_text(build(fewer), 4, 3).text.chars.size(), 0u);  // abcd is in 2 documents
}

// --- WindowCounter and recurring_stretches (the streaming first pass) -------------------------

namespace {
std::vector<std::uint64_t> hashes_of(std::u32string_view s, unsigned k) {
  std::vector<std::uint64_t> h;
  recur::window_hashes(std::span<const char32_t>(s.data(), s.size()), k, h);
  return h;
}
}  // namespace

TEST(WindowCounter, CountsEachDocumentOnceAndSaturates) {
  recur::WindowCounter counter(1000);
  const std::uint64_t abc = hashes_of(U"abc", 3).at(0), xyz = hashes_of(U"xyz", 3).at(0);
  EXPECT_EQ(hashes_of(U"zzabczzabc", 3)[2], abc);  // a window's hash depends on its characters only
  EXPECT_EQ(counter.count(abc), 0u);
  auto doc = hashes_of(U"abcabcabcabc", 3);  // abc 4 times, bca and cab 3 times: one document
  counter.add_document(doc);
  EXPECT_EQ(doc.size(), 3u);  // made unique
  EXPECT_EQ(counter.count(abc), 1u);
  EXPECT_FALSE(counter.recurs(abc, 2));
  EXPECT_TRUE(counter.recurs(abc, 1));
  for (int d = 0; d < 5; ++d) {
    auto h = hashes_of(U"xxabc", 3);
    counter.add_document(h);
  }
  EXPECT_EQ(counter.count(abc), recur::WindowCounter::kSaturation);  // 6 documents, saturated at 3
  EXPECT_TRUE(counter.recurs(abc, 3));
  EXPECT_TRUE(counter.recurs(abc, 10));  // saturated: may be in 10
  EXPECT_EQ(counter.count(xyz), 0u);
  std::vector<std::uint64_t> zero{0, 0, 0};  // hash 0 is a value like any other
  counter.add_document(zero);
  EXPECT_EQ(zero.size(), 1u);
  EXPECT_EQ(counter.count(0), 1u);
}

TEST(WindowCounter, ReaderAnswersAsCountDoesInAnyPieces) {
  // Windows counted in 1-4 documents, asked with windows never counted, in an order of their own:
  // the Reader's answers, one by one below kDirect and by region in pieces above it (several
  // pieces, the last one short), are recurs() of each.
  std::mt19937_64 rng(11);
  recur::WindowCounter counter(40000);
  std::vector<std::uint64_t> counted(10000);
  for (auto& h : counted) h = rng();
  for (unsigned d = 0; d < 4; ++d) {
    std::vector<std::uint64_t> doc;
    for (std::size_t i = 0; i < counted.size(); ++i)
      if (i % 4 >= d) doc.push_back(counted[i]);  // window i in 1 + i % 4 documents
    counter.add_document(doc);
  }
  std::vector<std::uint64_t> asked;
  for (std::size_t i = 0; i < 3 * counted.size(); ++i) asked.push_back(i % 3 == 0 ? rng() : counted[rng() % counted.size()]);
  for (const unsigned min_docs : {1u, 2u, 3u, 4u})
    for (const std::size_t size : {std::size_t{100}, asked.size()})
      for (const std::size_t piece : {std::size_t{7000}, std::size_t{1} << 20}) {
        const std::span<const std::uint64_t> some(asked.data(), size);
        std::vector<std::uint8_t> got;
        recur::WindowCounter::Reader(counter, piece).recurs(some, min_docs, got);
        ASSERT_EQ(got.size(), size);
        std::size_t yes = 0;
        for (std::size_t i = 0; i < size; ++i) {
          ASSERT_EQ(got[i] != 0, counter.recurs(some[i], min_docs)) << "window " << i << ", min_docs " << min_docs << ", piece " << piece;
          yes += got[i];
        }
        if (size > recur::WindowCounter::Reader::kDirect) {  // both answers are common
          EXPECT_GT(yes, size / 8);
          EXPECT_LT(yes, size);
        }
      }
}

TEST(WindowCounter, NeverBelowTheTrueCountAndRarelyAbove) {
  // Random documents over a small alphabet: every window's count is at least its true number of
  // documents (capped at 3), whichever thread added which document; collisions are rare at the
  // sized load.
  std::mt19937_64 rng(7);
  const unsigned k = 5;
  std::vector<std::u32string> docs(400);
  for (auto& d : docs)
    for (int i = 0; i < 200; ++i) d += static_cast<char32_t>(0x4E00 + rng() % 12);
  std::map<std::uint64_t, unsigned> truth;
  std::size_t windows = 0;
  for (const auto& d : docs) {
    auto h = hashes_of(d, k);
    windows += h.size();
    std::sort(h.begin(), h.end());
    h.erase(std::unique(h.begin(), h.end()), h.end());
    for (auto x : h) ++truth[x];
  }
  recur::WindowCounter serial(windows), parallel(windows);
  for (const auto& d : docs) {
    auto h = hashes_of(d, k);
    serial.add_document(h);
  }
  {
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < 2; ++t)
      threads.emplace_back([&, t] {
        for (std::size_t i = t; i < docs.size(); i += 2) {
          auto h = hashes_of(docs[i], k);
          parallel.add_document(h);
        }
      });
    for (auto& th : threads) th.join();
  }
  std::size_t above = 0, ones = 0;
  for (const auto& [h, n] : truth) {
    const unsigned want = std::min(n, recur::WindowCounter::kSaturation);
    ASSERT_GE(serial.count(h), want);
    ASSERT_EQ(parallel.count(h), serial.count(h));
    if (n == 1) {
      ++ones;
      if (serial.recurs(h, 3)) ++above;
    }
  }
  ASSERT_GT(ones, 10000u);
  EXPECT_LT(above * 100, ones);  // under 1% of single-document windows pass --min-docs 3
}

TEST(WindowCounter, RecurringStretchesJoinTouchingWindows) {
  recur::WindowCounter counter(1000);
  for (const auto* d : {U"abcd", U"abcd", U"wxyz"}) {  // abcd in 2 documents, wxyz in 1
    auto h = hashes_of(d, 4);
    counter.add_document(h);
  }
  const std::u32string text = U"..abcdabcd..wxyz.abcd";
  std::vector<recur::Occurrence> out;
  recur::recurring_stretches(std::span<const char32_t>(text.data(), text.size()), 4, counter, 2, out);
  // abcdabcd is one stretch (its windows abcd at 2 and 6 touch); wxyz is in 1 document only.
  EXPECT_EQ(out, (std::vector<recur::Occurrence>{{2, 8}, {17, 4}}));
  out.clear();
  recur::recurring_stretches(std::span<const char32_t>(text.data(), 3), 4, counter, 2, out);  // shorter than k
  EXPECT_TRUE(out.empty());
  recur::recurring_stretches(std::span<const char32_t>(text.data(), text.size()), 4, counter, 1, out);
  EXPECT_EQ(out, (std::vector<recur::Occurrence>{{2, 8}, {12, 4}, {17, 4}}));
}

TEST(WindowCounter, RecurringStretchesAreTheUnionOfRecurringWindows) {
  // What recurring_stretches returns is the union of the spans of the recurring windows, touching
  // ones joined, computed here independently of its loop. Random texts over small alphabets, so that
  // recurring windows come alone, in runs and with gaps of every size.
  std::mt19937_64 rng(29);
  for (int round = 0; round < 300; ++round) {
    const unsigned k = 1 + static_cast<unsigned>(rng() % 8);
    const unsigned alphabet = 2 + static_cast<unsigned>(rng() % 6);
    const unsigned min_docs = 1 + static_cast<unsigned>(rng() % 3);
    recur::WindowCounter counter(1000);
    for (int d = 0; d < 6; ++d) {
      std::u32string doc;
      for (int c = 0; c < 30; ++c) doc += static_cast<char32_t>('a' + rng() % alphabet);
      auto h = hashes_of(doc, k);
      counter.add_document(h);
    }
    std::u32string text;
    const int length = static_cast<int>(rng() % 200);
    for (int c = 0; c < length; ++c) text += static_cast<char32_t>('a' + rng() % (alphabet + 1));
    // Character by character: each is covered when a recurring window holds it, and the stretches
    // are the runs of covered characters (windows that touch make one run).
    const auto h = hashes_of(text, k);
    std::vector<bool> covered(text.size(), false);
    for (std::size_t i = 0; i < h.size(); ++i)
      if (counter.recurs(h[i], min_docs)) std::fill_n(covered.begin() + static_cast<std::ptrdiff_t>(i), k, true);
    std::vector<recur::Occurrence> want;
    for (std::size_t c = 0; c < covered.size(); ++c) {
      if (!covered[c]) continue;
      if (c == 0 || !covered[c - 1]) want.push_back({static_cast<std::uint32_t>(c), 0});
      ++want.back().length;
    }
    std::vector<recur::Occurrence> got;
    recur::recurring_stretches(std::span<const char32_t>(text.data(), text.size()), k, counter, min_docs, got);
    ASSERT_EQ(got, want) << "round " << round << ", k " << k;
  }
}

// --- bounded_edit_distance -------------------------------------------------------------------

TEST(EditDistance, KittenToSittingIsThree) {
  EXPECT_EQ(recur::bounded_edit_distance(U"kitten", U"sitting", 3), 3u);
  EXPECT_EQ(recur::bounded_edit_distance(U"kitten", U"sitting", 4), 3u);
  EXPECT_EQ(recur::bounded_edit_distance(U"kitten", U"sitting", 100), 3u);
  EXPECT_EQ(recur::bounded_edit_distance(U"sitting", U"kitten", 3), 3u);
}

TEST(EditDistance, AboveTheLimitGivesLimitPlusOne) {
  EXPECT_EQ(recur::bounded_edit_distance(U"kitten", U"sitting", 2), 3u);
  EXPECT_EQ(recur::bounded_edit_distance(U"kitten", U"sitting", 1), 2u);
  EXPECT_EQ(recur::bounded_edit_distance(U"kitten", U"sitting", 0), 1u);
  EXPECT_EQ(recur::bounded_edit_distance(U"组织工作", U"发展改革", 2), 3u);
  EXPECT_EQ(recur::bounded_edit_distance(U"组", U"组织工作发展", 3), 4u);  // length difference 5
}

TEST(EditDistance, EmptyAndIdenticalStrings) {
  EXPECT_EQ(recur::bounded_edit_distance(U"", U"", 0), 0u);
  EXPECT_EQ(recur::bounded_edit_distance(U"", U"", 5), 0u);
  EXPECT_EQ(recur::bounded_edit_distance(U"", U"组织工", 5), 3u);
  EXPECT_EQ(recur::bounded_edit_distance(U"组织工", U"", 3), 3u);
  EXPECT_EQ(recur::bounded_edit_distance(U"组织工", U"", 1), 2u);
  EXPECT_EQ(recur::bounded_edit_distance(U"组织工作", U"组织工作", 0), 0u);
  EXPECT_EQ(recur::bounded_edit_distance(U"组织工作", U"组织工做", 0), 1u);
  EXPECT_EQ(recur::bounded_edit_distance(U"组织工作", U"组织工做", 1), 1u);
}

TEST(EditDistance, MatchesThePlainDynamicProgrammeOnRandomStrings) {
  std::mt19937_64 rng(7);
  const std::u32string pool = U"组织工作";
  for (int round = 0; round < 3000; ++round) {
    const std::size_t alphabet = pick(rng, 2, 4);
    const bool longer = round % 4 == 0;
    std::u32string a(pick(rng, 0, longer ? 80 : 12), U' ');
    for (auto& c : a) c = pool[rng() % alphabet];
    std::u32string b;
    if (round % 2 == 0) {  // a few edits away, so the distance is often inside the band
      b = a;
      for (std::size_t e = pick(rng, 0, 7); e > 0; --e) {
        const std::size_t op = b.empty() ? 1 : rng() % 3;
        if (op == 0) b[rng() % b.size()] = pool[rng() % alphabet];
        else if (op == 1) b.insert(b.begin() + static_cast<std::ptrdiff_t>(rng() % (b.size() + 1)), pool[rng() % alphabet]);
        else b.erase(rng() % b.size(), 1);
      }
    } else {
      b.assign(pick(rng, 0, longer ? 80 : 12), U' ');
      for (auto& c : b) c = pool[rng() % alphabet];
    }
    const std::size_t d = levenshtein(a, b);
    for (std::size_t limit = 0; limit <= 5; ++limit) {
      ASSERT_EQ(recur::bounded_edit_distance(a, b, limit), std::min(d, limit + 1))
          << "a=\"" << utf8(a) << "\" b=\"" << utf8(b) << "\" limit=" << limit << " distance=" << d;
    }
  }
}

// --- variant_distance_limit ------------------------------------------------------------------

TEST(VariantLimit, IsToleranceTimesTheLongerLengthRoundedDown) {
  EXPECT_EQ(recur::variant_distance_limit(18, 17, 0.1), 1u);
  EXPECT_EQ(recur::variant_distance_limit(17, 18, 0.1), 1u);
  EXPECT_EQ(recur::variant_distance_limit(20, 20, 0.15), 3u);
  EXPECT_EQ(recur::variant_distance_limit(20, 19, 0.15), 3u);
  EXPECT_EQ(recur::variant_distance_limit(100, 40, 0.1), 10u);
  EXPECT_EQ(recur::variant_distance_limit(40, 100, 0.1), 10u);
  EXPECT_EQ(recur::variant_distance_limit(29, 30, 0.2), 6u);
}

TEST(VariantLimit, IsAtLeastOneWhenToleranceIsPositive) {
  EXPECT_EQ(recur::variant_distance_limit(5, 3, 0.1), 1u);
  EXPECT_EQ(recur::variant_distance_limit(1, 1, 0.01), 1u);
  EXPECT_EQ(recur::variant_distance_limit(0, 0, 0.1), 1u);
}

TEST(VariantLimit, ZeroToleranceAllowsNoEdit) {
  EXPECT_EQ(recur::variant_distance_limit(18, 17, 0.0), 0u);
  EXPECT_EQ(recur::variant_distance_limit(1000, 1000, 0.0), 0u);
  EXPECT_EQ(recur::variant_distance_limit(0, 0, 0.0), 0u);
}

// --- group_variants --------------------------------------------------------------------------

TEST(VariantGroups, NoTextsGiveNoGroupsAndOneTextIsItsOwnGroup) {
  EXPECT_TRUE(recur::group_variants({}, {}, 0.1).empty());
  EXPECT_EQ(recur::group_variants({U"坚持稳中求进工作总基调"}, {1.0}, 0.1), (Groups{{0}}));
}

TEST(VariantGroups, ZeroToleranceGroupsOnlyIdenticalTexts) {
  const std::vector<std::u32string> texts = {U"坚持稳中求进工作总基调", U"坚持稳中求进工作总基础",
                                             U"坚持稳中求进工作总基调", U"推动高质量发展取得新成效"};
  // Equal weights: the longest text (12 characters) leads, then the others in index order.
  EXPECT_EQ(recur::group_variants(texts, {1, 1, 1, 1}, 0.0), (Groups{{3}, {0, 2}, {1}}));
}

TEST(VariantGroups, TemplateIsTheHeaviestThenTheLongestThenTheFirst) {
  const std::u32string base = U"坚持稳中求进工作总基调推动高质量发展";  // 18 characters, limit 1 at 0.1
  const std::u32string longer = base + U"好";
  const std::u32string changed = U"坚持稳中求进工作总基调推动高质量发扬";
  // Equal weights: the longer one leads; the rest follow in index order.
  EXPECT_EQ(recur::group_variants({base, changed, longer}, {1, 1, 1}, 0.1), (Groups{{2, 0}, {1}}));
  // Equal weights and lengths: the first index leads.
  EXPECT_EQ(recur::group_variants({changed, base, base}, {1, 1, 1}, 0.1), (Groups{{0, 1, 2}}));
  // The heaviest leads whatever its length and index; members in index order after it.
  EXPECT_EQ(recur::group_variants({base, longer, changed, base}, {1, 2, 1, 5}, 0.1),
            (Groups{{3, 0, 1, 2}}));
}

TEST(VariantGroups, GroupsComeInTemplateOrderIncludingSingletons) {
  const std::vector<std::u32string> texts = {U"坚持稳中求进工作总基调", U"推动高质量发展取得新成效",
                                             U"全面深化改革开放持续推进", U"坚持稳中求进工作总基础"};
  EXPECT_EQ(recur::group_variants(texts, {1, 3, 2, 4}, 0.1), (Groups{{3, 0}, {1}, {2}}));
}

TEST(VariantGroups, VariantsNeverChain) {
  // A ~ B ~ C: A and B differ in 2 characters, B and C in 2 others, so A and C are 4 apart, twice
  // the limit of 2 (20 characters at tolerance 0.1).
  const std::u32string a = U"一二三四五六七八九十百千万亿甲乙丙丁戊己";
  std::u32string b = a, c;
  b[3] = U'天';
  b[4] = U'地';
  c = b;
  c[13] = U'日';
  c[14] = U'月';
  ASSERT_EQ(a.size(), 20u);
  ASSERT_EQ(recur::variant_distance_limit(20, 20, 0.1), 2u);
  ASSERT_EQ(levenshtein(a, b), 2u);
  ASSERT_EQ(levenshtein(b, c), 2u);
  ASSERT_EQ(levenshtein(a, c), 4u);
  const std::vector<std::u32string> texts = {a, b, c};
  // A leads: it takes B, and C (4 from A) stays apart although it is within 2 of B.
  EXPECT_EQ(recur::group_variants(texts, {3, 2, 1}, 0.1), (Groups{{0, 1}, {2}}));
  // C leads: the mirror image.
  EXPECT_EQ(recur::group_variants(texts, {1, 2, 3}, 0.1), (Groups{{2, 1}, {0}}));
  // B leads: A and C are both within the limit of the template, so both join it.
  EXPECT_EQ(recur::group_variants(texts, {1, 3, 2}, 0.1), (Groups{{1, 0, 2}}));
}

/// Planted variant groups: bases of 15-40 random CJK characters, each with 1-3 variants 1-2 edits
/// away and a lower weight, plus unrelated texts, in random order.
struct Planted {
  std::vector<std::u32string> texts;
  std::vector<double> weights;
  std::vector<int> family;  // planted group of each text, -1 for an unrelated one
  std::vector<std::uint32_t> bases;
};

Planted plant(std::mt19937_64& rng, std::size_t families, std::size_t unrelated) {
  struct Item {
    std::u32string text;
    double weight;
    int family;
    bool base;
  };
  std::vector<Item> items;
  for (std::size_t f = 0; f < families; ++f) {
    const std::u32string base = random_cjk(rng, pick(rng, 15, 40));
    items.push_back({base, 100.0 + static_cast<double>(rng() % 100), static_cast<int>(f), true});
    for (std::size_t v = pick(rng, 1, 3); v > 0; --v) {
      std::u32string variant;
      do variant = edited(rng, base, pick(rng, 1, 2));
      while (levenshtein(base, variant) == 0);
      items.push_back({variant, 1.0 + static_cast<double>(rng() % 50), static_cast<int>(f), false});
    }
  }
  for (std::size_t u = 0; u < unrelated; ++u)
    items.push_back({random_cjk(rng, pick(rng, 15, 40)), 1.0 + static_cast<double>(rng() % 200), -1, false});
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[rng() % i]);
  Planted p;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    p.texts.push_back(items[i].text);
    p.weights.push_back(items[i].weight);
    p.family.push_back(items[i].family);
    if (items[i].base) p.bases.push_back(i);
  }
  return p;
}

TEST(VariantGroups, PlantedVariantsAreFoundExactlyAndTheSameWithTwoThreads) {
  std::mt19937_64 rng(42);
  const double tolerance = 0.15;  // limit >= 2 for every planted pair (15+ characters)
  for (int round = 0; round < 12; ++round) {  // about 10 ms per call whatever the size
    const Planted p = plant(rng, pick(rng, 6, 16), pick(rng, 0, 12));
    const std::size_t n = p.texts.size();
    const Groups groups = recur::group_variants(p.texts, p.weights, tolerance, 1);
    const std::string context = "round " + std::to_string(round) + ": got " + describe(groups);

    // Every index exactly once.
    std::vector<int> seen(n, 0);
    for (const auto& g : groups) {
      ASSERT_FALSE(g.empty()) << context;
      for (std::uint32_t i : g) {
        ASSERT_LT(i, n) << context;
        ++seen[i];
      }
    }
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "index " << i << ", " << context;

    const auto order = template_order(p.texts, p.weights);
    std::vector<std::size_t> rank(n);
    for (std::size_t r = 0; r < n; ++r) rank[order[r]] = r;
    for (std::size_t k = 0; k < groups.size(); ++k) {
      const auto& g = groups[k];
      const std::uint32_t t = g[0];
      // The template is the heaviest of its group; the rest follow in index order and are all
      // within the limit of the template (not merely of some other member).
      for (std::uint32_t m : g) EXPECT_GE(p.weights[t], p.weights[m]) << context;
      EXPECT_TRUE(std::is_sorted(g.begin() + 1, g.end())) << context;
      for (std::size_t j = 1; j < g.size(); ++j)
        EXPECT_LE(levenshtein(p.texts[t], p.texts[g[j]]),
                  limit_of(p.texts[t].size(), p.texts[g[j]].size(), tolerance))
            << "member " << g[j] << " of template " << t << ", " << context;
      if (k > 0) {
        EXPECT_LT(rank[groups[k - 1][0]], rank[t]) << "groups out of template order, " << context;
      }
      // Planted families come back whole, led by their base; unrelated texts stay alone.
      if (p.family[t] < 0) {
        EXPECT_EQ(g.size(), 1u) << "unrelated text " << t << " got company, " << context;
      } else {
        EXPECT_NE(std::find(p.bases.begin(), p.bases.end(), t), p.bases.end())
            << "template " << t << " is not a base, " << context;
        std::vector<std::uint32_t> family;
        for (std::uint32_t i = 0; i < n; ++i)
          if (p.family[i] == p.family[t] && i != t) family.push_back(i);
        EXPECT_EQ(std::vector<std::uint32_t>(g.begin() + 1, g.end()), family)
            << "family of base " << t << ", " << context;
      }
    }
    // Exactly the grouping of the definition, every pair compared exactly.
    EXPECT_EQ(groups, exact_star_groups(p.texts, p.weights, tolerance)) << context;
    EXPECT_EQ(recur::group_variants(p.texts, p.weights, tolerance, 2), groups) << context;
  }
}

TEST(VariantGroups, CloseFamiliesSplitByTheStarRuleMatchTheExactGrouping) {
  // Harder than the planted families: variants of variants (chains) and families whose bases are
  // only a few edits apart, so the greedy star rule decides who joins whom.
  std::mt19937_64 rng(99);
  const double tolerance = 0.1;
  for (int round = 0; round < 12; ++round) {
    std::vector<std::u32string> texts;
    std::vector<double> weights;
    for (std::size_t f = pick(rng, 2, 5); f > 0; --f) {
      std::u32string s = random_cjk(rng, pick(rng, 20, 40));
      for (std::size_t step = pick(rng, 2, 6); step > 0; --step) {
        texts.push_back(s);
        weights.push_back(static_cast<double>(rng() % 5));  // ties decided by length, then index
        s = edited(rng, s, pick(rng, 1, 3));
      }
    }
    const Groups expected = exact_star_groups(texts, weights, tolerance);
    const Groups groups = recur::group_variants(texts, weights, tolerance, 1);
    EXPECT_EQ(groups, expected) << "round " << round << ": got " << describe(groups) << " expected "
                                << describe(expected);
    EXPECT_EQ(recur::group_variants(texts, weights, tolerance, 2), groups) << "round " << round;
  }
}

}  // namespace

namespace {

TEST(VariantGroups, ShortTextsOneEditApartAreGroupedThoughTheyShareNoBigram) {
  const auto groups = recur::group_variants({U"甲乙丙", U"甲丁丙"}, {2, 1}, 0.1);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0], (std::vector<std::uint32_t>{0, 1}));
}

TEST(RepeatHand, SparseAndHugeDocumentNumbersAreCountedAsDocuments) {
  recur::SegmentedText t;
  t.add_segment(std::u32string_view(U"甲乙"), 0);
  t.add_segment(std::u32string_view(U"甲乙"), 4294967295u);
  const auto r = recur::maximal_repeats(t, {2, 2});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].documents, 2u);
  EXPECT_EQ(r[0].positions, (std::vector<std::uint32_t>{0, 2}));
}

TEST(EditDistance, HugeLimitsDoNotOverflow) {
  EXPECT_EQ(recur::bounded_edit_distance(U"kitten", U"sitting", SIZE_MAX), 3u);
  EXPECT_EQ(recur::bounded_edit_distance(U"kitten", U"sitting", SIZE_MAX - 1), 3u);
}

}  // namespace

// --- periodic runs: folding, the variant budget, the output caps ----------------------------

namespace {

/// The fold rule of RepeatOptions::fold_periodic, on brute-force repeats: left out when every
/// occurrence lies closer than the length to another occurrence (positions are sorted).
bool every_occurrence_overlaps(const Repeat& r) {
  const Positions& p = r.positions;
  for (std::size_t i = 0; i < p.size(); ++i) {
    bool overlaps = false;
    for (std::size_t j = 0; j < p.size(); ++j)
      if (j != i && (p[i] > p[j] ? p[i] - p[j] : p[j] - p[i]) < r.length) overlaps = true;
    if (!overlaps) return false;
  }
  return true;
}

RepeatOptions folding(unsigned min_chars, unsigned min_docs) {
  RepeatOptions o = repeat_options(min_chars, min_docs);
  o.fold_periodic = true;
  return o;
}

/// `unit` written `times` times back to back.
std::u32string repeated(std::u32string_view unit, std::size_t times) {
  std::u32string s;
  for (std::size_t i = 0; i < times; ++i) s += unit;
  return s;
}

}  // namespace

TEST(RepeatPeriodic, FoldingIsOffByDefault) { EXPECT_FALSE(RepeatOptions{}.fold_periodic); }

TEST(RepeatPeriodic, OverlappingRunsAreFoldedAndTheUnitAndTheWholeRunStay) {
  // 甲甲甲甲 in two documents: 甲甲 at {0,1,2,4,5,6} and 甲甲甲 at {0,1,4,5} overlap themselves
  // everywhere; 甲 (adjacent, not overlapping) and the whole 甲甲甲甲 (once per document) stay.
  const SegmentedText text = build({{0, U"甲甲甲甲"}, {1, U"甲甲甲甲"}});
  recur::RepeatCounts counts;
  EXPECT_EQ(keys(recur::maximal_repeats(text, folding(1, 2), counts)),
            keys({repeat(1, 2, {0, 1, 2, 3, 4, 5, 6, 7}), repeat(4, 2, {0, 4})}));
  EXPECT_EQ(counts.periodic, 2u);
}

TEST(RepeatPeriodic, ARepeatWithOneOccurrenceClearOfTheOthersStays) {
  // 乙乙乙 overlaps itself in the first document but stands alone in the second: it stays.
  const SegmentedText text = build({{0, U"乙乙乙乙"}, {1, U"甲乙乙乙丙"}});
  recur::RepeatCounts counts;
  const auto got = recur::maximal_repeats(text, folding(3, 1), counts);
  EXPECT_EQ(keys(got), keys({repeat(3, 2, {0, 1, 5})}));
  EXPECT_EQ(counts.periodic, 0u);
}

TEST(RepeatPeriodic, RandomTextsWithRunsGiveTheBruteForceRepeatsWithoutTheFoldedOnes) {
  std::mt19937_64 rng(77);
  const std::u32string pool = U"组织工作发展";
  std::size_t folded = 0, kept = 0;
  for (int round = 0; round < 150; ++round) {
    Input input;
    const std::size_t docs = pick(rng, 2, 4);
    for (std::uint32_t d = 0; d < docs; ++d) {
      std::u32string t;
      // Random text with periodic runs: a short random unit written several times.
      for (std::size_t piece = pick(rng, 1, 4); piece > 0; --piece) {
        std::u32string unit(pick(rng, 1, 4), U' ');
        for (auto& c : unit) c = pool[rng() % pick(rng, 2, 6)];
        t += pick(rng, 0, 1) ? repeated(unit, pick(rng, 2, 8)) : unit;
      }
      input.push_back({d, t});
    }
    const std::vector<Repeat> all = brute_force_repeats(input);
    for (const auto& [min_chars, min_docs] : {std::pair{1u, 1u}, {2u, 2u}, {4u, 1u}}) {
      std::vector<Repeat> expected;
      std::uint64_t expected_folded = 0;
      for (const Repeat& r : filtered(all, repeat_options(min_chars, min_docs))) {
        if (every_occurrence_overlaps(r)) ++expected_folded;
        else expected.push_back(r);
      }
      recur::RepeatCounts counts;
      const auto got = recur::maximal_repeats(build(input), folding(min_chars, min_docs), counts);
      ASSERT_EQ(keys(got), keys(expected)) << "round " << round << " min_chars=" << min_chars
                                           << " min_docs=" << min_docs << "\n" << describe(input);
      EXPECT_EQ(counts.periodic, expected_folded);
      folded += expected_folded;
      kept += expected.size();
    }
  }
  EXPECT_GT(folded, 200u) << "the inputs must exercise folding";
  EXPECT_GT(kept, 1000u);
}

TEST(RepeatPeriodic, AnOverlapAtAPeriodLongerThanTheSmallestIsFoundToo) {
  // 甲甲乙甲甲 has smallest period 3, but its two occurrences in 甲甲乙甲甲甲乙甲甲 are 4 apart: they
  // overlap only through the run of period 4, so a test of the smallest period alone misses it.
  const SegmentedText text = build({{0, U"甲甲乙甲甲甲乙甲甲"}});
  EXPECT_EQ(keys(recur::maximal_repeats(text, repeat_options(5, 1))), keys({repeat(5, 1, {0, 4})}));
  recur::RepeatCounts counts;
  EXPECT_TRUE(recur::maximal_repeats(text, folding(5, 1), counts).empty());
  EXPECT_EQ(counts.periodic, 1u);
}

TEST(RepeatPeriodic, NestedRunsAndTwoLetterTextsAgreeWithTheBruteForce) {
  // Runs inside runs ((甲甲乙)^k), runs of several periods at one position, and two-letter texts,
  // where runs are everywhere: the overlap test through runs must match the plain definition.
  std::mt19937_64 rng(2027);
  std::size_t folded = 0, kept = 0;
  for (int round = 0; round < 400; ++round) {
    Input input;
    const std::size_t docs = pick(rng, 1, 3);
    for (std::uint32_t d = 0; d < docs; ++d) {
      std::u32string t;
      if (round % 2 == 0) {
        t.resize(pick(rng, 1, 40));
        for (auto& c : t) c = rng() % 2 ? U'甲' : U'乙';
      } else {
        for (std::size_t piece = pick(rng, 1, 3); piece > 0; --piece) {
          std::u32string inner(pick(rng, 1, 3), U' ');
          for (auto& c : inner) c = U"甲乙丙"[rng() % 3];
          std::u32string unit = repeated(inner, pick(rng, 1, 3)) + U"甲乙丙"[rng() % 3];
          t += repeated(unit, pick(rng, 1, 5));
        }
      }
      input.push_back({d, t});
    }
    const std::vector<Repeat> all = brute_force_repeats(input);
    for (const auto& [min_chars, min_docs] : {std::pair{1u, 1u}, {3u, 1u}, {2u, 2u}, {6u, 1u}}) {
      std::vector<Repeat> expected;
      std::uint64_t expected_folded = 0;
      for (const Repeat& r : filtered(all, repeat_options(min_chars, min_docs))) {
        if (every_occurrence_overlaps(r)) ++expected_folded;
        else expected.push_back(r);
      }
      recur::RepeatCounts counts;
      const auto got = recur::maximal_repeats(build(input), folding(min_chars, min_docs), counts);
      ASSERT_EQ(keys(got), keys(expected)) << "round " << round << " min_chars=" << min_chars
                                           << " min_docs=" << min_docs << "\n" << describe(input);
      ASSERT_EQ(counts.periodic, expected_folded) << "round " << round << "\n" << describe(input);
      folded += expected_folded;
      kept += expected.size();
    }
  }
  EXPECT_GT(folded, 1000u) << "the inputs must exercise folding";
  EXPECT_GT(kept, 1000u);
}

TEST(RepeatPeriodic, OneCharacterTwentyThousandTimesKeepsOnlyTheCharacter) {
  // 哈^n has n - 1 maximal repeats 哈^L, with n - L + 1 occurrences each (n^2/2 in all); every one
  // but 哈 itself overlaps itself everywhere. Listing them before folding took seconds.
  constexpr std::uint32_t n = 20000;
  const SegmentedText text = build({{0, repeated(U"哈", n)}});
  recur::RepeatCounts counts;
  const auto got = recur::maximal_repeats(text, folding(1, 1), counts);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].length, 1u);
  EXPECT_EQ(got[0].positions.size(), n);
  EXPECT_EQ(counts.periodic, n - 2);
}

TEST(RepeatLimits, BeyondMaxPositionsTheRepeatsReusingFewestCharactersAreLeftOutAndCounted) {
  // 甲乙丙丁 (4 characters x 3 documents = 12) ranks before 戊己 (2 x 3 = 6); each has 3 occurrences.
  const SegmentedText text = build({{0, U"甲乙丙丁子戊己"}, {1, U"甲乙丙丁丑戊己"}, {2, U"甲乙丙丁寅戊己"}});
  RepeatOptions o = repeat_options(2, 1);
  EXPECT_EQ(RepeatOptions{}.max_positions, std::uint64_t{1} << 26);
  for (const auto& [cap, expected, truncated] :
       {std::tuple{6u, std::vector<Repeat>{repeat(4, 3, {0, 7, 14}), repeat(2, 3, {5, 12, 19})}, 0u},
        {5u, std::vector<Repeat>{repeat(4, 3, {0, 7, 14})}, 1u},
        {2u, std::vector<Repeat>{}, 2u}}) {
    o.max_positions = cap;
    recur::RepeatCounts counts;
    EXPECT_EQ(keys(recur::maximal_repeats(text, o, counts)), keys(expected)) << "cap " << cap;
    EXPECT_EQ(counts.truncated, truncated) << "cap " << cap;
  }
  o.max_positions = 0;
  EXPECT_NE(o.validate(), "");
}

TEST(RepeatPeriodic, ASentenceWrittenFourHundredTimesInThreeDocumentsGivesTwoRepeats) {
  // The fuzz finding: 3 documents, each one 12-character sentence 400 times in one paragraph.
  // Unfolded, the maximal repeats are u^j for j = 1..400, u^j with 3 x (401 - j) occurrences:
  // about 240,000 positions of up to 4,800 characters each.
  constexpr std::size_t kTimes = 400;
  const std::u32string unit = U"加强党的建设推进改革发展";
  const Input input = {{0, repeated(unit, kTimes)}, {1, repeated(unit, kTimes)}, {2, repeated(unit, kTimes)}};
  const SegmentedText text = build(input);

  const auto plain = recur::maximal_repeats(text, repeat_options(10, 3));
  ASSERT_EQ(plain.size(), kTimes);
  std::size_t plain_positions = 0;
  for (const auto& r : plain) plain_positions += r.positions.size();
  EXPECT_EQ(plain_positions, 3 * kTimes * (kTimes + 1) / 2);

  recur::RepeatCounts counts;
  const auto got = recur::maximal_repeats(text, folding(10, 3), counts);
  std::size_t positions = 0;
  for (const auto& r : got) positions += r.positions.size();
  // Bounded by the text: no more positions than 1 per unit plus the three whole runs.
  EXPECT_LE(positions, 3 * kTimes + 3);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].length, unit.size());
  EXPECT_EQ(got[0].positions.size(), 3 * kTimes);
  EXPECT_EQ(got[1].length, unit.size() * kTimes);
  EXPECT_EQ(got[1].documents, 3u);
  EXPECT_EQ(counts.periodic, kTimes - 2);
}

// --- the variant budget -----------------------------------------------------------------------

namespace {

/// Plain (unbanded) Levenshtein distance, the reference for the grouping checks.
std::size_t plain_distance(std::u32string_view a, std::u32string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), prev[j] + 1, cur[j - 1] + 1});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

/// The documented cost of checking a pair: shorter length x (2 x limit + 1) cells, at most the
/// longer length + 1 per row, or nothing when the lengths alone differ by more than the limit.
std::uint64_t pair_cost(std::size_t la, std::size_t lb, double tolerance) {
  const std::size_t lo = std::min(la, lb), hi = std::max(la, lb);
  const std::size_t lim = std::min(recur::variant_distance_limit(la, lb, tolerance), hi);
  if (hi - lo > lim) return 0;
  return std::uint64_t{lo} * std::min<std::uint64_t>(2 * lim + 1, hi + 1);
}

/// Periodic candidates: u^1 .. u^n, which all share one bigram set, so every pair is a candidate.
std::vector<std::u32string> periodic_texts(std::size_t n) {
  std::vector<std::u32string> texts;
  for (std::size_t j = 1; j <= n; ++j) texts.push_back(repeated(U"加强党的建设推进改革发展", j));
  return texts;
}

/// Every text in exactly one group, and every variant within the limit of its template.
void expect_valid_grouping(const Groups& groups, const std::vector<std::u32string>& texts, double tolerance) {
  std::vector<int> seen(texts.size(), 0);
  for (const auto& g : groups)
    for (std::size_t k = 0; k < g.size(); ++k) {
      ++seen[g[k]];
      if (k == 0) continue;
      const auto& a = texts[g[0]];
      const auto& b = texts[g[k]];
      EXPECT_LE(plain_distance(a, b), recur::variant_distance_limit(a.size(), b.size(), tolerance));
    }
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1) << "text " << i;
}

}  // namespace

TEST(VariantBudget, DefaultsAreDocumentedAndValid) {
  const recur::VariantOptions v;
  EXPECT_DOUBLE_EQ(v.tolerance, 0.1);
  EXPECT_EQ(v.max_edit_cells, std::uint64_t{1} << 32);
  EXPECT_EQ(v.validate(), "");
  recur::VariantOptions bad;
  bad.tolerance = 1;
  EXPECT_NE(bad.validate(), "");
}

TEST(VariantBudget, WithinTheBudgetEveryPairIsCheckedAndTheGroupsAreUnchanged) {
  const auto texts = periodic_texts(60);
  const std::vector<double> weights(texts.size(), 1.0);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < texts.size(); ++i)
    for (std::size_t j = i + 1; j < texts.size(); ++j) total += pair_cost(texts[i].size(), texts[j].size(), 0.1);
  recur::VariantOptions o;
  o.max_edit_cells = total;
  recur::VariantCounts counts;
  const Groups got = recur::group_variants(texts, weights, o, counts);
  EXPECT_EQ(counts.pairs, texts.size() * (texts.size() - 1) / 2) << "identical bigram sets: every pair";
  EXPECT_EQ(counts.pairs_unchecked, 0u);
  EXPECT_EQ(counts.edit_cells, total);
  EXPECT_EQ(got, recur::group_variants(texts, weights, 0.1));
  expect_valid_grouping(got, texts, 0.1);
}

TEST(VariantBudget, ABudgetCutsTheCostliestPairsAndSaysSoTheSameWithTwoThreads) {
  const auto texts = periodic_texts(60);
  const std::vector<double> weights(texts.size(), 1.0);
  std::vector<std::uint64_t> costs;
  for (std::size_t i = 0; i < texts.size(); ++i)
    for (std::size_t j = i + 1; j < texts.size(); ++j) costs.push_back(pair_cost(texts[i].size(), texts[j].size(), 0.1));
  std::uint64_t total = 0;
  for (auto c : costs) total += c;
  recur::VariantOptions o;
  o.max_edit_cells = total / 10;
  // Cheapest first: the checked pairs are the longest prefix of the sorted costs within budget.
  std::sort(costs.begin(), costs.end());
  std::uint64_t expected_cells = 0, expected_checked = 0;
  for (auto c : costs) {
    if (expected_cells + c > o.max_edit_cells) break;
    expected_cells += c;
    ++expected_checked;
  }
  recur::VariantCounts one, two;
  const Groups g1 = recur::group_variants(texts, weights, o, one);
  o.threads = 2;
  const Groups g2 = recur::group_variants(texts, weights, o, two);
  EXPECT_EQ(one.edit_cells, expected_cells);
  EXPECT_LE(one.edit_cells, o.max_edit_cells);
  EXPECT_EQ(one.pairs_checked, expected_checked);
  EXPECT_EQ(one.pairs_unchecked, costs.size() - expected_checked);
  EXPECT_GT(one.pairs_unchecked, 0u);
  EXPECT_EQ(g1, g2);
  EXPECT_EQ(one.edit_cells, two.edit_cells);
  expect_valid_grouping(g1, texts, 0.1);
}

TEST(PhraseLimits, DefaultsAreTheDocumentedCapsAndZeroIsInvalid) {
  const recur::PhraseLimits l;
  EXPECT_EQ(l.max_edit_cells, std::uint64_t{1} << 32);
  EXPECT_EQ(l.max_locations_per_phrase, 10000u);
  EXPECT_EQ(l.max_locations, 1000000u);
  EXPECT_EQ(l.max_location_chars, std::uint64_t{1} << 24);
  EXPECT_EQ(l.max_positions, std::uint64_t{1} << 26);
  EXPECT_EQ(l.validate(), "");
  for (auto field : {&recur::PhraseLimits::max_locations_per_phrase, &recur::PhraseLimits::max_locations,
                     &recur::PhraseLimits::max_location_chars, &recur::PhraseLimits::max_positions}) {
    recur::PhraseLimits bad;
    bad.*field = 0;
    EXPECT_NE(bad.validate(), "");
  }
}

TEST(PhraseLimits, MaxPositionsLeavesOutTheLowestRankedSpansWithAWarningInsteadOfFailing) {
  // A (20 characters, 12 occurrences in 4 documents) and B (12 characters, 4 occurrences): with
  // room for 12 occurrences, A is found and B is counted as omitted.
  const std::string a = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸", b = "子丑寅卯辰巳午未申酉戌亥";
  recur_test::TempDir tmp;
  for (int f = 0; f < 4; ++f)
    recur_test::write_file(tmp.path() / ("d" + std::to_string(f) + ".txt"), a + "\n" + a + "\n" + a + "\n" + b + "\n");
  for (const std::uint64_t cap : {16u, 12u}) {
    recur::PhrasesOptions o;
    o.threads = 1;
    o.limits.max_positions = cap;
    std::vector<std::string> warnings;
    const recur::PhrasesReport r = recur::run_phrases({tmp.path().string()}, o, {},
                                                      [&](const std::string& w) { warnings.push_back(w); });
    SCOPED_TRACE(cap);
    const bool cut = cap < 16;
    ASSERT_EQ(r.phrases.size(), cut ? 1u : 2u);
    EXPECT_EQ(r.phrases[0].chars, 20u);
    EXPECT_EQ(r.stats.phrases_omitted, cut ? 1u : 0u);
    ASSERT_EQ(warnings.size(), cut ? 1u : 0u);
    if (cut) EXPECT_NE(warnings[0].find("recurring spans reusing the fewest characters"), std::string::npos);
  }
}

// run_phrases hands its work (candidates, templates, located forms) to a caller that asks for it,
// and the report is the same as when it destroys the work itself.
TEST(PhrasesWork, KeptWorkLeavesTheReportUnchanged) {
  const std::string a = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸", b = "子丑寅卯辰巳午未申酉戌亥";
  recur::MemorySource source;
  for (int f = 0; f < 4; ++f)
    source.add("d" + std::to_string(f) + ".txt", a + "，" + std::to_string(f) + "\n" + b + "\n" + a + b + "\n");
  recur::PhrasesOptions o;
  o.threads = 2;
  recur::PhrasesReport freed = recur::run_phrases(source, o);
  recur::PhrasesWorkPtr work;
  recur::PhrasesReport kept = recur::run_phrases(source, o, {}, {}, &work);
  EXPECT_NE(work, nullptr);
  ASSERT_FALSE(freed.phrases.empty());
  freed.stats.seconds.clear();
  kept.stats.seconds.clear();
  std::ostringstream x, y;
  recur::write_json(freed, x);
  recur::write_json(kept, y);
  EXPECT_EQ(x.str(), y.str());
  work.reset();  // destroyed through the deleter: no leak under the sanitizers
}

// The phrases' JSON is written by recur's own layout code (JsonLayout): the document parsed and
// laid out independently (json_layout.hpp) must give the same bytes.
TEST(PhrasesJson, IsTheLayoutOfItsOwnParse) {
  const std::string a = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸", b = "子丑寅卯辰巳午未申酉戌亥";
  recur::MemorySource source;
  for (int f = 0; f < 4; ++f)
    source.add("d\"" + std::to_string(f) + ".txt", a + "，" + std::to_string(f) + "\n" + b + "\n" + a + b + "\n");
  recur::PhrasesReport r = recur::run_phrases(source, recur::PhrasesOptions{});
  ASSERT_FALSE(r.phrases.empty());
  ASSERT_FALSE(r.phrases[0].locations.empty());
  std::ostringstream out;
  recur::write_json(r, out);
  EXPECT_EQ(recur_test::report_layout(nlohmann::ordered_json::parse(out.str())) + "\n", out.str());
}

TEST(PhraseLimits, ReportWideCapsListPhrasesInRankingOrderAndCountWhatTheyCut) {
  // Four files, each: phrase A (20 characters) on three lines, phrase B (12) on one. A ranks first
  // (4 documents x 20); A has 12 occurrences, B 4.
  const std::string a = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸", b = "子丑寅卯辰巳午未申酉戌亥";
  recur_test::TempDir tmp;
  for (int f = 0; f < 4; ++f)
    recur_test::write_file(tmp.path() / ("d" + std::to_string(f) + ".txt"), a + "\n" + a + "\n" + a + "\n" + b + "\n");
  struct Case {
    std::uint64_t per_phrase, locations, chars;
    std::vector<std::size_t> listed;  // locations listed per phrase (A, B)
    std::uint64_t locations_omitted, phrases_omitted;
  };
  const Case cases[] = {
      {100, 100, 1000, {12, 4}, 0, 0},         // nothing reached
      {5, 100, 1000, {5, 4}, 7, 0},            // per phrase: A lists its first 5
      {5, 6, 1000, {5, 1}, 7 + 3, 0},          // in all: B gets the sixth location only
      {5, 100, 5 * 20 + 11, {5}, 7, 1},        // characters: B's first 12 do not fit, B is omitted
  };
  for (const Case& c : cases) {
    recur::PhrasesOptions o;
    o.threads = 1;
    o.limits.max_locations_per_phrase = c.per_phrase;
    o.limits.max_locations = c.locations;
    o.limits.max_location_chars = c.chars;
    std::vector<std::string> warnings;
    const recur::PhrasesReport r = recur::run_phrases({tmp.path().string()}, o, {},
                                                      [&](const std::string& w) { warnings.push_back(w); });
    SCOPED_TRACE(std::to_string(c.per_phrase) + " " + std::to_string(c.locations) + " " + std::to_string(c.chars));
    ASSERT_EQ(r.phrases.size(), c.listed.size());
    EXPECT_EQ(r.stats.phrases, c.listed.size());
    const std::uint64_t occurrences[] = {12, 4};
    for (std::size_t k = 0; k < c.listed.size(); ++k) {
      EXPECT_EQ(r.phrases[k].occurrences, occurrences[k]);
      EXPECT_EQ(r.phrases[k].locations.size(), c.listed[k]);
      EXPECT_EQ(r.phrases[k].locations_omitted, occurrences[k] - c.listed[k]);
      std::uint64_t variant_occ = 0;
      for (const auto& v : r.phrases[k].variants) variant_occ += v.occurrences;
      // Variants count every place their text occurs, whatever the caps list.
      EXPECT_EQ(variant_occ, occurrences[k]) << "variants count all occurrences, not the listed locations";
    }
    EXPECT_EQ(r.stats.locations_omitted, c.locations_omitted);
    EXPECT_EQ(r.stats.phrases_omitted, c.phrases_omitted);
    const bool cut = c.locations_omitted + c.phrases_omitted > 0;
    EXPECT_EQ(warnings.size(), cut ? 1u : 0u);
    EXPECT_EQ(r.warnings, warnings);
  }
}

// segment_of searches between the segments of two neighbouring blocks of characters: the same
// answers as a search over every start, with empty segments, segments of one character and
// segments longer than many blocks. document_of, from its own index of runs of one document,
// names the document of that segment, with documents that hold only empty segments, documents
// numbered with gaps, and several documents in one block of its index or one over many. Both also
// when the arrays are filled in directly and indexed at once (index_segments).
TEST(SegmentedText, SegmentOfAndDocumentOfAgreeWithASearchOverEveryStart) {
  std::mt19937 rng(5);
  for (int round = 0; round < 50; ++round) {
    recur::SegmentedText text;
    const int segments = 1 + static_cast<int>(rng() % 300);
    const std::size_t longest = round % 2 == 0 ? 1000 : 20000;
    std::uint32_t doc = 0;
    for (int k = 0; k < segments; ++k) {
      const unsigned kind = rng() % 4;
      const std::size_t len = kind == 0 ? 0 : kind == 1 ? 1 : kind == 2 ? rng() % 70 : rng() % longest;
      if (rng() % 3 == 0) doc += 1 + static_cast<std::uint32_t>(rng() % 3);
      text.add_segment(std::u32string(len, U'字'), doc);
    }
    // The same text filled in directly, then indexed at once (as recur phrases builds its kept text).
    recur::SegmentedText direct;
    direct.chars = text.chars;
    direct.segment_start = text.segment_start;
    direct.segment_doc = text.segment_doc;
    direct.index_segments();
    for (std::uint32_t pos = 0; pos < text.chars.size(); ++pos) {
      const auto it = std::upper_bound(text.segment_start.begin(), text.segment_start.end(), pos);
      const auto segment = static_cast<std::size_t>(it - text.segment_start.begin()) - 1;
      ASSERT_EQ(text.segment_of(pos), segment) << "round " << round << " pos " << pos;
      ASSERT_EQ(text.document_of(pos), text.segment_doc[segment]) << "round " << round << " pos " << pos;
      ASSERT_EQ(direct.segment_of(pos), segment) << "round " << round << " pos " << pos;
      ASSERT_EQ(direct.document_of(pos), text.segment_doc[segment]) << "round " << round << " pos " << pos;
    }
  }
}

// StartIndex built at once (its block size chosen from the starts) and block by block (extended
// as starts are added, with a fixed block size): the same answers as a search over every start,
// with equal starts (empty ranges) and with ranges of many blocks, for every position it covers
// and past them (a search of all starts).
TEST(StartIndex, AtOnceAndExtendedAgreeWithASearchOverEveryStart) {
  std::mt19937 rng(11);
  for (int round = 0; round < 60; ++round) {
    std::vector<std::uint32_t> starts{0};
    const int ranges = 1 + static_cast<int>(rng() % 200);
    recur::StartIndex grown(static_cast<unsigned>(rng() % 8));
    for (int k = 0; k < ranges; ++k) {
      const unsigned kind = rng() % 4;
      const std::uint32_t len = kind == 0 ? 0 : kind == 1 ? 1 : kind == 2 ? rng() % 40 : rng() % 600;
      starts.push_back(starts.back() + len);
      grown.extend(starts, starts.back());
    }
    const std::uint32_t end = starts.back();
    const recur::StartIndex at_once(starts, end + 1);
    for (std::uint32_t pos = 0; pos < end + 70; ++pos) {
      const auto expected =
          static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), pos) - starts.begin()) - 1;
      if (pos <= end) ASSERT_EQ(at_once.find(starts, pos), expected) << "round " << round << " pos " << pos;
      ASSERT_EQ(grown.find(starts, pos), expected) << "round " << round << " pos " << pos;
    }
  }
}

// BoundaryBits packs 32 positions to a word and appends a word at a time: against a plain vector,
// through pushes, raises and appends of whole texts and of ranges at every alignment.
TEST(BoundaryBits, AgreesWithAVectorThroughPushesRaisesAndAppends) {
  std::mt19937 rng(9);
  const auto any = [&] { return static_cast<recur::Boundary>(rng() % 3); };
  for (int round = 0; round < 300; ++round) {
    recur::BoundaryBits bits, part;
    std::vector<recur::Boundary> model, part_model;
    for (int step = 0; step < 40; ++step) {
      const unsigned what = rng() % 5;
      if (what == 0 || what == 1) {
        const recur::Boundary b = any();
        bits.push_back(b);
        model.push_back(b);
      } else if (what == 2 && !model.empty()) {
        const std::size_t k = rng() % model.size();
        const recur::Boundary b = any();
        bits.raise(k, b);
        model[k] = std::max(model[k], b);
      } else {
        part.clear();
        part_model.clear();
        for (std::size_t k = rng() % 100; k > 0; --k) {
          const recur::Boundary b = any();
          part.push_back(b);
          part_model.push_back(b);
        }
        const std::size_t first = part_model.empty() ? 0 : rng() % (part_model.size() + 1);
        const std::size_t count = rng() % (part_model.size() - first + 1);
        if (what == 3) {
          bits.append(part);
          model.insert(model.end(), part_model.begin(), part_model.end());
        } else {
          bits.append(part, first, count);
          model.insert(model.end(), part_model.begin() + static_cast<std::ptrdiff_t>(first),
                       part_model.begin() + static_cast<std::ptrdiff_t>(first + count));
        }
      }
      ASSERT_EQ(bits.size(), model.size());
    }
    for (std::size_t k = 0; k < model.size(); ++k) ASSERT_EQ(bits[k], model[k]) << "round " << round << " at " << k;
  }
}
