// Tests for text.hpp: normalisation with its offset map, patterns, character classes.
#include "recur/text.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "recur/error.hpp"

namespace {

using recur::NormalizeOptions;
using recur::Normalizer;
using recur::OffsetMap;
using recur::Pattern;
using recur::Range;

struct Normalized {
  std::string text;
  OffsetMap map;
};

Normalized normalize(std::string_view input, std::vector<Range> removed = {},
                     NormalizeOptions options = {}) {
  Normalizer normalizer(options);
  Normalized n;
  normalizer.normalize(input, removed, n.text, n.map);
  return n;
}

std::size_t utf8_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// Checks, for every character of the output, that it maps back to [begin, end) in the input:
// `expected` lists the input range of each output character in order.
void expect_char_ranges(const Normalized& n, const std::vector<Range>& expected) {
  std::size_t pos = 0;
  std::size_t index = 0;
  while (pos < n.text.size()) {
    ASSERT_LT(index, expected.size()) << "more output characters than expected in " << n.text;
    const std::size_t len = utf8_length(static_cast<unsigned char>(n.text[pos]));
    EXPECT_EQ(n.map.to_input_begin(pos), expected[index].begin)
        << "begin of output character " << index << " ('" << n.text.substr(pos, len) << "')";
    EXPECT_EQ(n.map.to_input_end(pos + len), expected[index].end)
        << "end of output character " << index << " ('" << n.text.substr(pos, len) << "')";
    pos += len;
    ++index;
  }
  EXPECT_EQ(index, expected.size());
}

// --- Normalizer ------------------------------------------------------------------------------

TEST(Normalizer, FullWidthAsciiBecomesHalfWidthAndLowerCase) {
  EXPECT_EQ(normalize("ＡＢＣ１２３，").text, "abc123,");
  EXPECT_EQ(normalize("（一）ＧＤＰ增长５．２％").text, "(一)gdp增长5.2%");
}

TEST(Normalizer, CaseFoldingIsOnByDefaultAndCanBeTurnedOff) {
  EXPECT_EQ(normalize("GDP Straße ÀÉ").text, "gdp strasse àé");
  NormalizeOptions plain;
  plain.casefold = false;
  EXPECT_EQ(normalize("ＡＢＣ GDP", {}, plain).text, "ABC GDP");  // NFKC only: width, not case
}

TEST(Normalizer, OffsetsOfEveryOutputCharacterPointAtTheInputCharacter) {
  // ａ ｂ are three bytes each and become one; 中 文 are unchanged.
  const auto n = normalize("ａｂ中文");
  ASSERT_EQ(n.text, "ab中文");
  expect_char_ranges(n, {{0, 3}, {3, 6}, {6, 9}, {9, 12}});
  EXPECT_EQ(n.map.to_input_begin(0), 0u);
  EXPECT_EQ(n.map.to_input_end(n.text.size()), 12u);
}

TEST(Normalizer, OffsetsAlternatingChangedAndUnchangedCharacters) {
  const auto n = normalize("ａ中ｂ文Ｃ");
  ASSERT_EQ(n.text, "a中b文c");
  expect_char_ranges(n, {{0, 3}, {3, 6}, {6, 9}, {9, 12}, {12, 15}});
}

TEST(Normalizer, AnExpansionIsAtomic) {
  // U+FB01 LATIN SMALL LIGATURE FI (3 bytes) becomes "fi": both letters map to the whole ligature.
  const auto n = normalize("a\xEF\xAC\x81" "b");
  ASSERT_EQ(n.text, "afib");
  EXPECT_EQ(n.map.to_input_begin(1), 1u);
  EXPECT_EQ(n.map.to_input_begin(2), 1u);  // inside the change: its start
  EXPECT_EQ(n.map.to_input_end(2), 4u);    // inside the change, as an end: its end
  EXPECT_EQ(n.map.to_input_end(3), 4u);
  EXPECT_EQ(n.map.to_input_begin(3), 4u);  // b
  EXPECT_EQ(n.map.to_input_end(4), 5u);
}

TEST(Normalizer, RemovedRangesAreLeftOutAndLaterOffsetsStillMap) {
  const std::string input = "组织##工作";  // ## at bytes 6..8
  const auto n = normalize(input, {{6, 8}});
  ASSERT_EQ(n.text, "组织工作");
  expect_char_ranges(n, {{0, 3}, {3, 6}, {8, 11}, {11, 14}});
}

TEST(Normalizer, RemovedRangesBetweenChangedCharacters) {
  const std::string input = "ＡＢ[paid]ＣＤ";  // [paid] at bytes 6..12
  const auto n = normalize(input, {{6, 12}});
  ASSERT_EQ(n.text, "abcd");
  expect_char_ranges(n, {{0, 3}, {3, 6}, {12, 15}, {15, 18}});
}

TEST(Normalizer, SeveralRemovedRangesIncludingBothEnds) {
  const std::string input = "##组织##工作##";  // ## at 0, 8, 16
  const auto n = normalize(input, {{0, 2}, {8, 10}, {16, 18}});
  ASSERT_EQ(n.text, "组织工作");
  expect_char_ranges(n, {{2, 5}, {5, 8}, {10, 13}, {13, 16}});
}

TEST(Normalizer, RemovingEverythingGivesEmptyOutput) {
  const auto n = normalize("##", {{0, 2}});
  EXPECT_EQ(n.text, "");
}

TEST(Normalizer, AlreadyNormalTextIsCopiedWithNoChanges) {
  const std::string input = "一、总体要求\n坚持稳中求进工作总基调。gdp 5.2%, abc";
  const auto n = normalize(input);
  EXPECT_EQ(n.text, input);
  EXPECT_TRUE(n.map.changes().empty());
  for (std::size_t pos = 0; pos <= input.size(); ++pos) {
    EXPECT_EQ(n.map.to_input_begin(pos), pos);
    EXPECT_EQ(n.map.to_input_end(pos), pos);
  }
}

TEST(Normalizer, ReusingTheOutputReplacesThePreviousResult) {
  Normalizer normalizer;
  std::string out;
  OffsetMap map;
  normalizer.normalize("ＡＢＣ", {}, out, map);
  ASSERT_EQ(out, "abc");
  EXPECT_FALSE(map.changes().empty());
  normalizer.normalize("中文", {}, out, map);
  EXPECT_EQ(out, "中文");
  EXPECT_TRUE(map.changes().empty());
}

TEST(Normalizer, SimplifyMapsTraditionalToSimplifiedWithOffsets) {
  NormalizeOptions options;
  options.simplify = true;
  const auto n = normalize("國家", {}, options);
  ASSERT_EQ(n.text, "国家");
  expect_char_ranges(n, {{0, 3}, {3, 6}});

  const auto m = normalize("ＡＢ中華人民共和國", {}, options);
  ASSERT_EQ(m.text, "ab中华人民共和国");
  expect_char_ranges(m, {{0, 3}, {3, 6}, {6, 9}, {9, 12}, {12, 15}, {15, 18}, {18, 21}, {21, 24},
                         {24, 27}});
}

TEST(Normalizer, SimplifyIsOffByDefault) {
  EXPECT_EQ(normalize("國家").text, "國家");
}

// --- OffsetMap on its own ---------------------------------------------------------------------

TEST(OffsetMap, EmptyMapIsTheIdentity) {
  OffsetMap map;
  for (std::size_t pos : {0u, 1u, 17u, 1000u}) {
    EXPECT_EQ(map.to_input_begin(pos), pos);
    EXPECT_EQ(map.to_input_end(pos), pos);
  }
}

TEST(OffsetMap, TouchingChangesStaySeparate) {
  // Two full-width letters, each 3 input bytes -> 1 output byte, recorded one after the other:
  // the second letter starts at input byte 3, not at the start of the first.
  OffsetMap map;
  map.add_change(0, 0, 1, 3);
  map.add_change(1, 3, 1, 3);
  EXPECT_EQ(map.changes().size(), 2u);
  EXPECT_EQ(map.to_input_begin(0), 0u);
  EXPECT_EQ(map.to_input_end(1), 3u);
  EXPECT_EQ(map.to_input_begin(1), 3u);
  EXPECT_EQ(map.to_input_end(2), 6u);
}

TEST(OffsetMap, ShiftsOffsetsAfterEachChangeAndKeepsChangesAtomic) {
  // Input "ab" + 3-byte character + "cd" + 6 deleted bytes + "e"; output "ab" + "xy" + "cd" + "e".
  OffsetMap map;
  map.add_change(2, 2, 2, 3);
  map.add_change(6, 7, 0, 6);
  ASSERT_EQ(map.changes().size(), 2u);
  EXPECT_EQ(map.changes()[1].orig, 7u);
  EXPECT_EQ(map.to_input_begin(0), 0u);
  EXPECT_EQ(map.to_input_begin(1), 1u);
  EXPECT_EQ(map.to_input_begin(2), 2u);
  EXPECT_EQ(map.to_input_begin(3), 2u);   // inside: start of the change
  EXPECT_EQ(map.to_input_begin(4), 5u);   // c
  EXPECT_EQ(map.to_input_begin(5), 6u);   // d
  EXPECT_EQ(map.to_input_begin(6), 13u);  // e, after the deleted bytes
  EXPECT_EQ(map.to_input_end(2), 2u);     // "ab" ends before the change
  EXPECT_EQ(map.to_input_end(3), 5u);     // inside: end of the change
  EXPECT_EQ(map.to_input_end(4), 5u);
  EXPECT_EQ(map.to_input_end(6), 7u);     // "abxycd" ends before the deleted bytes
  EXPECT_EQ(map.to_input_end(7), 14u);
  map.clear();
  EXPECT_TRUE(map.changes().empty());
  EXPECT_EQ(map.to_input_begin(6), 6u);
}

// At every character boundary of `fine`'s output, its offsets lie within the span `coarse` gives:
// `fine` may split a change of `coarse` in two, never widen or move one.
void expect_refines(const Normalized& fine, const Normalized& coarse, const std::string& what) {
  ASSERT_EQ(fine.text, coarse.text) << what;
  for (std::size_t pos = 0; pos <= fine.text.size(); ++pos) {
    if (pos < fine.text.size() && (static_cast<unsigned char>(fine.text[pos]) & 0xC0) == 0x80) continue;
    ASSERT_GE(fine.map.to_input_begin(pos), coarse.map.to_input_begin(pos)) << what << " at " << pos;
    ASSERT_LE(fine.map.to_input_end(pos), coarse.map.to_input_end(pos)) << what << " at " << pos;
  }
}

// ICU reports one change for a whole segment it recomposes, even where a boundary inside it is
// certain: ㈎ then U+0300 becomes "(가)" then U+0300, one change of 5 input bytes. The table knows
// the boundary after ㈎ and keeps the accent's own offsets; the same with a soft hyphen, which
// case folding removes.
TEST(Normalizer, TheTableKeepsCharactersApartWhereIcuReportsOneChange) {
  NormalizeOptions icu_only;
  icu_only.table = false;
  {
    const std::string input = "x\u320E\u0300y";  // 1 + 3 + 2 + 1 bytes
    const Normalized t = normalize(input), i = normalize(input, {}, icu_only);
    ASSERT_EQ(t.text, "x(\uAC00)\u0300y");
    const std::size_t accent = 6;  // in the output
    EXPECT_EQ(t.map.to_input_begin(1), 1u);
    EXPECT_EQ(t.map.to_input_end(accent), 4u);    // "(가)" ends where ㈎ ends
    EXPECT_EQ(t.map.to_input_begin(accent), 4u);  // the accent is itself
    EXPECT_EQ(t.map.to_input_end(accent + 2), 6u);
    // ICU: inside its one change (should a later ICU report the two apart, drop this line).
    EXPECT_EQ(i.map.to_input_begin(accent), 1u);
    expect_refines(t, i, input);
  }
  {
    const std::string input = "x\u320E\u00ADy";  // case folding removes the soft hyphen
    const Normalized t = normalize(input), i = normalize(input, {}, icu_only);
    ASSERT_EQ(t.text, "x(\uAC00)y");
    const std::size_t y = 6;
    EXPECT_EQ(t.map.to_input_end(y), 4u);  // "(가)" ends where ㈎ ends, not after the soft hyphen
    EXPECT_EQ(t.map.to_input_begin(y), 6u);
    EXPECT_EQ(i.map.to_input_end(y), 6u);
    expect_refines(t, i, input);
  }
}

// The table of characters that normalise on their own must change nothing: the same text and, at
// every character boundary of the output, offsets at least as precise as sending everything
// through ICU (see the test above).
// The pieces are chosen to interact: combining marks after letters and after full-width letters,
// Hangul jamo that compose, half-width katakana with a voicing mark, expansions (ﬁ, ㈱, U+FDFA),
// case folding that changes length (ß, İ, ΐ), characters outside the BMP (inert or composing),
// and --strip ranges.
TEST(Normalizer, TheCharacterTableGivesWhatIcuGives) {
  const std::vector<std::string> pieces = {
      "组织", "工作", "，", "。", "“", "”", "　", " ", "a", "Z", "e", "\u0301", "\u0323", "Ａ", "ｅ",
      "\u1100", "\u1161", "\u11A8", "한", "ｶ", "ﾞ", "ﬁ", "㈱", "\uFDFA", "Ⅻ", "²", "ß", "İ", "ΐ", "Σ",
      "ς", "\u0345", "𝐀", "😀", "\U0002F800", "\uF900", "ㄱ", "½", "…", "１", "\u0300\u0316", "\n", "〇",
      // ICU reports these with what follows as one change (see the test above)
      "\u320E", "\u00AD",
      // outside the BMP and not inert: a tag and a variation selector (removed by case folding, so
      // the letter before them meets the accent after them), Kaithi and Chakma pairs that compose
      "\U000E0001", "\U000E0100", "\U00011099", "\U000110BA", "\U00011131", "\U00011127"};
  // Every string of three pieces, then longer random strings.
  std::vector<std::string> inputs;
  for (const auto& x : pieces)
    for (const auto& y : pieces)
      for (const auto& z : pieces) inputs.push_back(x + y + z);
  std::mt19937 rng(11);
  for (int round = 0; round < 1000; ++round) {
    std::string input;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) input += pieces[rng() % pieces.size()];
    inputs.push_back(input);
  }
  for (bool casefold : {true, false}) {
    NormalizeOptions with_table, icu_only;
    with_table.casefold = icu_only.casefold = casefold;
    icu_only.table = false;
    for (std::size_t round = 0; round < inputs.size(); ++round) {
      const std::string& input = inputs[round];
      std::vector<Range> removed;
      if (round % 3 == 0 && input.size() > 4) {  // a stripped range on character boundaries
        std::size_t b = rng() % input.size(), e = b + rng() % (input.size() - b);
        while (b > 0 && (static_cast<unsigned char>(input[b]) & 0xC0) == 0x80) --b;
        while (e < input.size() && (static_cast<unsigned char>(input[e]) & 0xC0) == 0x80) ++e;
        if (b < e) removed.push_back({b, e});
      }
      expect_refines(normalize(input, removed, with_table), normalize(input, removed, icu_only), input);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(Normalizer, SmallIcuPiecesGiveTheSameTextAndOffsetsOnLongCombiningRuns) {
  // Runs of 64 to 300 combining marks of two classes (U+0323 below, 230 U+0301 above, alternating):
  // NFKC sorts every 220 before every 230 in a run, so a cut inside a run changes the text.
  std::mt19937 rng(26);
  std::vector<std::string> inputs;
  for (int round = 0; round < 40; ++round) {
    std::string input;
    for (int run = 0; run < 3; ++run) {
      input += rng() % 2 ? "e" : "组织";
      const int marks = 64 + static_cast<int>(rng() % 240);
      for (int m = 0; m < marks; ++m) input += m % 2 ? "\u0301" : "\u0323";
      input += rng() % 2 ? "工作。" : "Ａﬁ";
    }
    inputs.push_back(input);
  }
  NormalizeOptions reference;  // the table, pieces of 64 MiB: no cut in these inputs
  for (std::size_t piece : {4, 5, 7, 16, 33, 100, 129}) {
    for (bool table : {true, false}) {
      NormalizeOptions o;
      o.table = table;
      o.icu_piece_bytes = piece;
      for (const std::string& input : inputs) {
        const Normalized a = normalize(input, {}, reference);
        const Normalized b = normalize(input, {}, o);
        ASSERT_EQ(a.text, b.text) << "pieces of " << piece << (table ? ", table" : ", ICU only");
        for (std::size_t pos = 0; pos <= a.text.size(); ++pos) {
          if (pos < a.text.size() && (static_cast<unsigned char>(a.text[pos]) & 0xC0) == 0x80) continue;
          ASSERT_EQ(a.map.to_input_begin(pos), b.map.to_input_begin(pos)) << "pieces of " << piece << " at " << pos;
          ASSERT_EQ(a.map.to_input_end(pos), b.map.to_input_end(pos)) << "pieces of " << piece << " at " << pos;
        }
      }
    }
  }
}

// --- Pattern ---------------------------------------------------------------------------------

std::vector<std::string> match_texts(const Pattern& p, std::string_view text) {
  std::vector<std::string> out;
  for (const Range& r : p.find_all(text)) out.emplace_back(text.substr(r.begin, r.end - r.begin));
  return out;
}

TEST(Pattern, MultilineDollarMatchesAtEveryLineEnd) {
  const std::string text = "一、综述\n正文内容综述不在行尾。\n二、综述";
  const Pattern multiline("综述$", true, "--doc-split");
  const auto ranges = multiline.find_all(text);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], (Range{6, 12}));
  EXPECT_EQ(ranges[1], (Range{text.size() - 6, text.size()}));

  const Pattern single("综述$", false, "--doc-split");
  const auto last = single.find_all(text);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0], (Range{text.size() - 6, text.size()}));
}

TEST(Pattern, MultilineCaretMatchesAtEveryLineStart) {
  const std::string text = "##a\nb##\n##c";
  EXPECT_EQ(Pattern("^##", true, "--strip").find_all(text),
            (std::vector<Range>{{0, 2}, {8, 10}}));
  EXPECT_EQ(Pattern("^##", false, "--strip").find_all(text), (std::vector<Range>{{0, 2}}));
  EXPECT_EQ(Pattern("##", false, "--strip").find_all(text),
            (std::vector<Range>{{0, 2}, {5, 7}, {8, 10}}));
}

TEST(Pattern, RangesAreUtf8ByteOffsetsIncludingSupplementaryCharacters) {
  const std::string text = "中\xF0\xA0\x80\x80\xF0\xA0\x80\x80文【付费内容】尾";  // 中 𠀀𠀀 文 ...
  const Pattern p("\\x{20000}+", false, "--strip");
  EXPECT_EQ(p.find_all(text), (std::vector<Range>{{3, 11}}));
  const Pattern q("【[^】]*】", false, "--strip");
  EXPECT_EQ(match_texts(q, text), (std::vector<std::string>{"【付费内容】"}));
  EXPECT_EQ(q.find_all(text), (std::vector<Range>{{14, 14 + 18}}));
}

TEST(Pattern, EmptyMatchesAreSkipped) {
  EXPECT_EQ(Pattern("x*", false, "--strip").find_all("abxxc"), (std::vector<Range>{{2, 4}}));
  EXPECT_TRUE(Pattern("^", true, "--strip").find_all("a\nb").empty());
}

TEST(Pattern, NoMatchGivesNoRanges) {
  EXPECT_TRUE(Pattern("付费", false, "--strip").find_all("组织工作").empty());
  EXPECT_TRUE(Pattern("付费", false, "--strip").find_all("").empty());
}

TEST(Pattern, InvalidRegexThrowsAUsageErrorNamingTheOption) {
  try {
    Pattern p("([", false, "--strip");
    FAIL() << "an invalid regex was accepted";
  } catch (const recur::Error& e) {
    EXPECT_EQ(e.code(), recur::errc::usage);
    EXPECT_NE(std::string(e.what()).find("--strip"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Pattern("a{2,1}", true, "--doc-split"), recur::Error);
}

TEST(Pattern, KeepsItsSourceAndSurvivesAMove) {
  Pattern p("工作", false, "--strip");
  EXPECT_EQ(p.source(), "工作");
  Pattern q = std::move(p);
  EXPECT_EQ(q.source(), "工作");
  EXPECT_EQ(q.find_all("组织工作"), (std::vector<Range>{{6, 12}}));
  Pattern r("x", false, "--strip");
  r = std::move(q);
  EXPECT_EQ(r.source(), "工作");
  EXPECT_EQ(r.find_all("工作"), (std::vector<Range>{{0, 6}}));
}

// --- character classes ------------------------------------------------------------------------

TEST(CharacterClasses, IsCjkCoversHanKanaCompatibilityAndIterationMarks) {
  EXPECT_TRUE(recur::is_cjk(U'\u4E00'));   // 一
  EXPECT_TRUE(recur::is_cjk(U'\u9FA5'));
  EXPECT_TRUE(recur::is_cjk(U'\u3400'));   // extension A
  EXPECT_TRUE(recur::is_cjk(U'\U00020000'));  // extension B
  EXPECT_TRUE(recur::is_cjk(U'\uF900'));   // compatibility ideograph
  EXPECT_TRUE(recur::is_cjk(U'\u3042'));   // hiragana あ
  EXPECT_TRUE(recur::is_cjk(U'\u30A2'));   // katakana ア
  EXPECT_TRUE(recur::is_cjk(U'\u3005'));   // 々
  EXPECT_FALSE(recur::is_cjk(U'a'));
  EXPECT_FALSE(recur::is_cjk(U'1'));
  EXPECT_FALSE(recur::is_cjk(U'\uAC00'));  // Hangul is word-based
  EXPECT_FALSE(recur::is_cjk(U'\u3002'));  // 。
  EXPECT_FALSE(recur::is_cjk(U'\uFF0C'));  // ，
  EXPECT_FALSE(recur::is_cjk(U'\u3000'));  // ideographic space
}

TEST(CharacterClasses, IsSpaceIncludesIdeographicAndNoBreakSpace) {
  EXPECT_TRUE(recur::is_space(U' '));
  EXPECT_TRUE(recur::is_space(U'\t'));
  EXPECT_TRUE(recur::is_space(U'\n'));
  EXPECT_TRUE(recur::is_space(U'\r'));
  EXPECT_TRUE(recur::is_space(U'\u3000'));
  EXPECT_TRUE(recur::is_space(U'\u00A0'));
  EXPECT_FALSE(recur::is_space(U'a'));
  EXPECT_FALSE(recur::is_space(U'\u4E00'));
  EXPECT_FALSE(recur::is_space(U'\u3001'));  // 、
}

TEST(CharacterClasses, NextCodePointDecodesOneToFourBytes) {
  const std::string s = "a\xC3\xA9中\xF0\x9F\x98\x80";
  std::size_t i = 0;
  EXPECT_EQ(recur::next_code_point(s, i), U'a');
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(recur::next_code_point(s, i), U'\u00E9');
  EXPECT_EQ(i, 3u);
  EXPECT_EQ(recur::next_code_point(s, i), U'\u4E2D');
  EXPECT_EQ(i, 6u);
  EXPECT_EQ(recur::next_code_point(s, i), U'\U0001F600');
  EXPECT_EQ(i, 10u);
}

}  // namespace

namespace {

TEST(Pattern, AMatchingFailureIsReportedNotTakenForTheEndOfMatches) {
  // ICU's backtracking limit is reached on a long line with (a|b)+; what follows must not be
  // silently left unmatched.
  const recur::Pattern p("(?:中|文)+|MARK", false, "--strip");
  std::string text = "MARK";
  for (int i = 0; i < 400000; ++i) text += "中文";
  text += "\nxMARK\n";
  recur::Status error;
  p.find_all(text, &error);
  EXPECT_EQ(error.code(), recur::StatusCode::pattern);
  EXPECT_FALSE(error.message().empty());
  EXPECT_THROW(p.find_all(text), recur::Error);
}

}  // namespace

namespace {

TEST(Pattern, SmallPiecesFindWhatOnePieceFinds) {
  // Lines of random length; matches stay within a line, so cuts after a newline change nothing.
  std::mt19937 rng(30);
  std::string text;
  const std::vector<std::string> words = {"组织", "工作", "创新", "，", "a", "12", "##mark##", "。"};
  for (int line = 0; line < 300; ++line) {
    const int n = static_cast<int>(rng() % 12);
    for (int w = 0; w < n; ++w) text += words[rng() % words.size()];
    text += '\n';
  }
  for (const char* regex : {"组织[^\\n]{0,4}", "##mark##", "^工作", "创新$", "[0-9]+"}) {
    const Pattern whole(regex, true, "--strip");
    const std::vector<Range> expected = whole.find_all(text);
    ASSERT_FALSE(expected.empty()) << regex;
    for (std::size_t piece : {1, 2, 3, 10, 50, 333, 4096}) {
      const Pattern cut(regex, true, "--strip", piece);
      EXPECT_EQ(cut.find_all(text), expected) << regex << ", pieces of " << piece;
    }
  }
}

}  // namespace
