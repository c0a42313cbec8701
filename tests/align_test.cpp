// Passage alignment (align.hpp) and the compare stages (compare.hpp), on texts built in memory.
#include "recur/align.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "recur/compare.hpp"
#include "recur/error.hpp"
#include "recur/source.hpp"

namespace {

using recur::AlignOptions;
using recur::Passage;
using recur::TokenSpan;
using recur::TokenText;

// Random Chinese text: characters drawn from 2,000 common CJK code points, so two random texts
// share no seed of 6 characters by chance.
class Words {
 public:
  explicit Words(unsigned seed) : rng_(seed) {}
  std::string chinese(std::size_t chars) {
    std::string s;
    for (std::size_t i = 0; i < chars; ++i) append(s, static_cast<char32_t>(0x4E00 + rng_() % 2000));
    return s;
  }
  // `text` with about `rate` of its characters substituted, deleted or followed by an insertion.
  std::string edit(const std::string& text, double rate) {
    std::u32string cps = decode(text), out;
    std::uniform_real_distribution<double> u(0, 1);
    for (char32_t c : cps) {
      const double r = u(rng_);
      if (r < rate / 3) continue;                                             // deletion
      if (r < 2 * rate / 3) { out.push_back(0x5000 + rng_() % 1000); continue; }  // substitution
      out.push_back(c);
      if (r < rate) out.push_back(0x5000 + rng_() % 1000);                   // insertion
    }
    std::string s;
    for (char32_t c : out) append(s, c);
    return s;
  }
  std::string english(std::size_t words) {
    static const char* vocab[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                                  "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
                                  "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "xray",
                                  "yankee", "zulu", "river", "mountain", "council", "policy", "report", "budget"};
    std::string s;
    for (std::size_t i = 0; i < words; ++i) s += std::string(i ? " " : "") + vocab[rng_() % 32];
    return s;
  }

 private:
  static void append(std::string& s, char32_t c) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  static std::u32string decode(const std::string& s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) out.push_back(recur::next_code_point(s, i));
    return out;
  }
  std::mt19937 rng_;
};

TokenText tokens_of(const std::string& text) {
  TokenText t;
  recur::append_tokens(text, recur::OffsetMap{}, 0, t);
  return t;
}

// The token index of byte offset `byte` (a token starts there).
std::uint32_t token_at(const TokenText& t, std::size_t byte) {
  for (std::uint32_t i = 0; i < t.size(); ++i)
    if (t.begin[i] >= byte) return i;
  return static_cast<std::uint32_t>(t.size());
}

void expect_no_overlaps(const std::vector<Passage>& ps) {
  for (std::size_t i = 0; i < ps.size(); ++i)
    for (std::size_t j = i + 1; j < ps.size(); ++j) {
      EXPECT_FALSE(ps[i].a.begin < ps[j].a.end && ps[j].a.begin < ps[i].a.end) << "a spans " << i << ", " << j;
      EXPECT_FALSE(ps[i].b.begin < ps[j].b.end && ps[j].b.begin < ps[i].b.end) << "b spans " << i << ", " << j;
    }
}

TEST(Tokens, CjkCharactersAndWordsWithTheirByteRanges) {
  const TokenText t = tokens_of("组织, Work 2024。部");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t.hash[0], U'组');
  EXPECT_EQ(t.hash[1], U'织');
  EXPECT_EQ(t.begin[2], 8u);  // "Work": after "组织, "
  EXPECT_EQ(t.end[2], 12u);
  EXPECT_EQ(t.chars[2], 4u);
  EXPECT_EQ(t.begin[3], 13u);  // "2024"
  EXPECT_EQ(t.end[3], 17u);
  EXPECT_EQ(t.hash[4], U'部');
  EXPECT_NE(t.hash[2], t.hash[3]);
  EXPECT_EQ(t.content_chars(0, t.size()), 1u + 1 + 4 + 4 + 1);
}

TEST(EditDistance, CountsSubstitutionsInsertionsDeletions) {
  using V = std::vector<std::uint64_t>;
  EXPECT_EQ(recur::edit_distance(V{1, 2, 3}, V{1, 2, 3}), 0u);
  EXPECT_EQ(recur::edit_distance(V{1, 2, 3}, V{1, 9, 3}), 1u);
  EXPECT_EQ(recur::edit_distance(V{1, 2, 3}, V{1, 3}), 1u);
  EXPECT_EQ(recur::edit_distance(V{}, V{4, 5}), 2u);
  EXPECT_EQ(recur::edit_distance(V{1, 2, 3, 4}, V{2, 3, 4, 5}), 2u);
}

TEST(CoveredChars, CountsTheUnionOnce) {
  const TokenText t = tokens_of("一二三四五六七八九十");
  EXPECT_EQ(recur::covered_chars(t, {{0, 4}, {2, 6}, {8, 10}}), 8u);
  EXPECT_EQ(recur::covered_chars(t, {}), 0u);
}

TEST(Align, AVerbatimPassageInsideDifferentTextIsOneExactPassage) {
  Words w(1);
  const std::string p = w.chinese(80);
  const std::string a = w.chinese(300) + p + w.chinese(200);
  const std::string b = w.chinese(50) + p + w.chinese(400);
  const TokenText ta = tokens_of(a), tb = tokens_of(b);
  const auto ps = recur::align(ta, tb, AlignOptions{});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].a, (TokenSpan{300, 380}));
  EXPECT_EQ(ps[0].b, (TokenSpan{50, 130}));
  EXPECT_TRUE(ps[0].exact);
  EXPECT_DOUBLE_EQ(ps[0].similarity, 1.0);
}

TEST(Align, UnrelatedTextsShareNoPassage) {
  Words w(2);
  EXPECT_TRUE(recur::align(tokens_of(w.chinese(3000)), tokens_of(w.chinese(3000)), AlignOptions{}).empty());
}

TEST(Align, AnEditedCopyIsOnePassageWithItsSimilarity) {
  for (double rate : {0.05, 0.10, 0.15}) {
    Words w(static_cast<unsigned>(rate * 100));
    const std::string p = w.chinese(200);
    const std::string copy = w.edit(p, rate);
    const std::string a = w.chinese(100) + p + w.chinese(100);
    const std::string b = w.chinese(150) + copy + w.chinese(100);
    const auto ps = recur::align(tokens_of(a), tokens_of(b), AlignOptions{});
    ASSERT_EQ(ps.size(), 1u) << "edit rate " << rate;
    const Passage& x = ps[0];
    EXPECT_FALSE(x.exact);
    // Most of the passage is found on both sides; little beyond it.
    EXPECT_GE(x.a.begin, 95u);
    EXPECT_LE(x.a.begin, 115u);
    EXPECT_GE(x.a.end, 285u);
    EXPECT_LE(x.a.end, 305u);
    EXPECT_GE(x.b.begin, 145u);
    EXPECT_GT(x.similarity, 1 - 2.5 * rate) << "edit rate " << rate;
    EXPECT_LT(x.similarity, 1.0);
  }
}

TEST(Align, PassagesAreFoundInAnyOrder) {
  Words w(3);
  const std::string p1 = w.chinese(60), p2 = w.chinese(60), p3 = w.chinese(60);
  const std::string a = p1 + w.chinese(200) + p2 + w.chinese(200) + p3;
  const std::string b = p3 + w.chinese(150) + p1 + w.chinese(150) + p2;  // p3 moved to the front
  const TokenText ta = tokens_of(a), tb = tokens_of(b);
  const auto ps = recur::align(ta, tb, AlignOptions{});
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].a, (TokenSpan{0, 60}));      // p1, by position in a
  EXPECT_EQ(ps[0].b, (TokenSpan{210, 270}));
  EXPECT_EQ(ps[2].a, (TokenSpan{520, 580}));   // p3
  EXPECT_EQ(ps[2].b, (TokenSpan{0, 60}));
  expect_no_overlaps(ps);
}

TEST(Align, TwoSwappedSentencesAreOnePassage) {
  Words w(4);
  const std::string s1 = w.chinese(30) + "。", s2 = w.chinese(30) + "。";
  const std::string a = w.chinese(100) + s1 + s2 + w.chinese(100);
  const std::string b = w.chinese(80) + s2 + s1 + w.chinese(120);
  const auto ps = recur::align(tokens_of(a), tokens_of(b), AlignOptions{});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].a, (TokenSpan{100, 160}));
  EXPECT_EQ(ps[0].b, (TokenSpan{80, 140}));
  EXPECT_FALSE(ps[0].exact);
  EXPECT_DOUBLE_EQ(ps[0].similarity, 1.0);  // every token aligned, in another order
}

TEST(Align, AReusedSentenceInsideOtherwiseDifferentParagraphsIsFound) {
  Words w(5);
  const std::string s = w.chinese(30);
  const std::string a = w.chinese(70) + "，" + s + "，" + w.chinese(70);
  const std::string b = w.chinese(40) + "；" + s + "。" + w.chinese(90);
  const auto ps = recur::align(tokens_of(a), tokens_of(b), AlignOptions{});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].a, (TokenSpan{70, 100}));
  EXPECT_EQ(ps[0].b, (TokenSpan{40, 70}));
}

TEST(Align, ConsecutiveReusedParagraphsAreOnePassageAcrossParagraphs) {
  Words w(6);
  const std::string p1 = w.chinese(50), p2 = w.chinese(50), p3 = w.chinese(50);
  const std::string a = w.chinese(60) + "\n\n" + p1 + "\n\n" + p2 + "\n\n" + p3 + "\n\n" + w.chinese(60) + "\n";
  const std::string b = "前言" + w.chinese(30) + "\n" + p1 + "\n" + w.edit(p2, 0.08) + "\n" + p3 + "\n";
  recur::MemorySource src{{"a.txt", a}, {"b.txt", b}};
  recur::CompareOptions o;
  const recur::CompareReport r = recur::run_compare(src, {0, -1}, {1, -1}, o);
  ASSERT_EQ(r.passages.size(), 1u);
  const auto& p = r.passages[0];
  // The passage starts at p1 and ends at p3's end, in the original bytes of each file.
  EXPECT_EQ(p.a.byte_start, a.find(p1));
  EXPECT_EQ(p.a.byte_end, a.find(p3) + p3.size());
  EXPECT_EQ(p.b.byte_start, b.find(p1));
  EXPECT_EQ(p.b.byte_end, b.find(p3) + p3.size());
  EXPECT_EQ(p.a.line, 3u);
  EXPECT_EQ(p.a.line_end, 7u);
  EXPECT_EQ(p.b.line, 2u);
  EXPECT_EQ(p.b.line_end, 4u);
  EXPECT_EQ(p.a.text, a.substr(p.a.byte_start, p.a.byte_end - p.a.byte_start));
  EXPECT_FALSE(p.exact);
}

TEST(Align, ACopyRepeatedInOneTextGivesOnePassageAndNoOverlaps) {
  Words w(7);
  const std::string p = w.chinese(60);
  const std::string a = w.chinese(100) + p + w.chinese(100);
  const std::string b = p + w.chinese(100) + p + w.chinese(100);
  const auto ps = recur::align(tokens_of(a), tokens_of(b), AlignOptions{});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].a, (TokenSpan{100, 160}));
  expect_no_overlaps(ps);
}

TEST(Align, PassagesNeverOverlapOnRandomReuse) {
  // Texts assembled from a shared pool of passages, some edited, some repeated.
  for (unsigned seed = 10; seed < 20; ++seed) {
    Words w(seed);
    std::vector<std::string> pool;
    for (int k = 0; k < 6; ++k) pool.push_back(w.chinese(25 + 10 * k));
    std::mt19937 rng(seed);
    std::string a, b;
    for (int k = 0; k < 10; ++k) {
      a += pool[rng() % pool.size()] + w.chinese(rng() % 40);
      b += w.edit(pool[rng() % pool.size()], 0.05 * (rng() % 3)) + w.chinese(rng() % 40);
    }
    const auto ps = recur::align(tokens_of(a), tokens_of(b), AlignOptions{});
    EXPECT_FALSE(ps.empty());
    expect_no_overlaps(ps);
    for (std::size_t i = 1; i < ps.size(); ++i) EXPECT_LE(ps[i - 1].a.begin, ps[i].a.begin);
    for (const auto& p : ps) {
      EXPECT_GE(p.a.size(), AlignOptions{}.min_tokens);
      EXPECT_GE(p.similarity, AlignOptions{}.min_similarity);
    }
    EXPECT_EQ(ps.size(), recur::align(tokens_of(a), tokens_of(b), AlignOptions{}).size());  // deterministic
  }
}

TEST(Align, OtherScriptsAlignByWords) {
  Words w(8);
  const std::string s = w.english(25);
  const std::string a = w.english(40) + ". " + s + ". " + w.english(40);
  const std::string b = "Preface. " + s + "; " + w.english(60);
  const TokenText ta = tokens_of(a), tb = tokens_of(b);
  const auto ps = recur::align(ta, tb, AlignOptions{});
  ASSERT_FALSE(ps.empty());
  const Passage& p = ps[0];
  EXPECT_EQ(p.a.begin, token_at(ta, a.find(s)));
  EXPECT_EQ(p.a.size(), 25u);
  EXPECT_EQ(p.b.begin, 1u);  // after "Preface"
  EXPECT_TRUE(p.exact);
}

TEST(Align, IgnoredSeedsStartNoPassage) {
  Words w(9);
  const std::string p = w.chinese(60);
  const std::string a = w.chinese(50) + p, b = p + w.chinese(50);
  const auto all = [](std::uint64_t) { return true; };
  EXPECT_TRUE(recur::align(tokens_of(a), tokens_of(b), AlignOptions{}, all).empty());
  EXPECT_EQ(recur::align(tokens_of(a), tokens_of(b), AlignOptions{}).size(), 1u);
}

TEST(AlignOptions, ValidateNamesTheOption) {
  AlignOptions o;
  EXPECT_TRUE(o.validate().empty());
  o.min_tokens = 3;
  EXPECT_NE(o.validate().find("--min-length"), std::string::npos);
  o = {};
  o.min_similarity = 1.5;
  EXPECT_NE(o.validate().find("--min-similarity"), std::string::npos);
}

// --- compare ---------------------------------------------------------------------------------

TEST(Compare, CoverageCountsEachCharacterOnceAndTemplatesApart) {
  Words w(20);
  const std::string slogan = w.chinese(40), own = w.chinese(60);
  const std::string a = slogan + "。" + w.chinese(100) + "。" + own + "。";
  const std::string b = own + "。" + w.chinese(80) + "。" + slogan + "。";
  recur::MemorySource src{{"a.txt", a}, {"b.txt", b}};
  recur::MemorySource base{{"base.txt", "模板：" + slogan + "\n"}};
  const recur::CompareReport r = recur::run_compare(src, {0, -1}, {1, -1}, recur::CompareOptions{}, &base);
  ASSERT_EQ(r.passages.size(), 2u);
  EXPECT_TRUE(r.passages[0].is_template);   // the slogan, first in a
  EXPECT_FALSE(r.passages[1].is_template);
  EXPECT_EQ(r.a.content_chars, 200u);
  EXPECT_DOUBLE_EQ(r.a_in_b, 60.0 / 200);
  EXPECT_DOUBLE_EQ(r.a_template, 40.0 / 200);
  EXPECT_DOUBLE_EQ(r.b_in_a, 60.0 / 180);
  EXPECT_DOUBLE_EQ(r.b_template, 40.0 / 180);
}

TEST(Compare, DocumentsOfACompilationAndOriginalOffsetsOfAnotherEncoding) {
  // A compilation of two reports (split by the title line), the second one in GB18030 bytes:
  // 中文 is D6 D0 CE C4 in GB18030.
  Words w(21);
  const std::string p = w.chinese(40);
  const std::string compilation = "甲地综述\n" + w.chinese(60) + "\n乙地综述\n" + p + "\n";
  recur::MemorySource src{{"all.txt", compilation}, {"gb.txt", std::string("\xD6\xD0\xCE\xC4\n")}};
  recur::CompareOptions o;
  o.input.doc_split = "综述$";
  const recur::CompareReport r = recur::run_compare(src, {0, 1}, {0, 0}, o);
  EXPECT_EQ(r.a.document, "乙地综述");
  EXPECT_EQ(r.b.document, "甲地综述");
  EXPECT_TRUE(r.passages.empty());
  EXPECT_THROW(recur::run_compare(src, {0, 5}, {0, 0}, o), recur::Error);  // no document 6

  recur::PreparedText t;
  recur::Normalizer n(o.input.normalize);
  const recur::ScanSettings scan(o.input);
  ASSERT_TRUE(recur::prepare_text(src, {1, -1}, scan, n, t).ok());
  ASSERT_EQ(t.tokens.size(), 2u);
  const recur::PassageSpan s = recur::locate_span(t, {1, 2});  // 文
  EXPECT_EQ(s.byte_start, 2u);  // original GB18030 bytes
  EXPECT_EQ(s.byte_end, 4u);
  EXPECT_EQ(s.text, "文");
  EXPECT_EQ(s.char_start, 1u);
  EXPECT_EQ(s.char_length, 1u);
}

TEST(Compare, AnUnreadableTextIsAnErrorNamingIt) {
  recur::MemorySource src{{"a.txt", "正文内容"}, {"empty.txt", ""}};
  try {
    recur::run_compare(src, {0, -1}, {1, -1}, recur::CompareOptions{});
    FAIL() << "no error";
  } catch (const recur::Error& e) {
    EXPECT_NE(std::string(e.what()).find("empty.txt"), std::string::npos) << e.what();
  }
}

}  // namespace
