// Tests for the stages `recur phrases` is composed of (phrases.hpp, SentenceSplitter of
// segment.hpp), each called directly on records in memory: no files and no binary. The end-to-end
// behaviour is pinned by phrases_cli_test.cpp and the golden outputs.
#include "recur/phrases.hpp"
#include "recur/report.hpp"
#include "recur/segment.hpp"
#include "recur/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <span>
#include <string>
#include <vector>

namespace {

using recur::Candidate;
using recur::Content;
using recur::Occurrence;
using recur::SegmentedText;
using recur::Template;

using Occurrences = std::vector<Occurrence>;

/// A SegmentedText of segments with the given documents and texts (already content characters).
SegmentedText text_of(const std::vector<std::pair<std::uint32_t, std::u32string>>& segments) {
  SegmentedText t;
  for (const auto& [doc, s] : segments) t.add_segment(std::span<const char32_t>(s.data(), s.size()), doc);
  return t;
}

Candidate candidate(std::u32string text, Occurrences occ, std::uint32_t documents = 0) {
  return {std::move(text), std::move(occ), documents};
}

Template templ(std::uint32_t chars, std::uint32_t documents, Occurrences occ) {
  Template t;
  t.chars = chars;
  t.documents = documents;
  t.occurrences = std::move(occ);
  t.score = static_cast<double>(documents) * chars;
  return t;
}

// --- SentenceSplitter -----------------------------------------------------------------------

TEST(SentenceSplitter, EndsAfterChineseFullStopsExclamationAndQuestionMarks) {
  recur::SentenceSplitter splitter;
  // Every character here is 3 bytes in UTF-8: each sentence is 4 characters, 12 bytes.
  EXPECT_EQ(splitter.split("第一句。第二句！第三句？"), (std::vector<std::size_t>{12, 24, 36}));
}

TEST(SentenceSplitter, SemicolonsAndCommasDoNotEndASentence) {
  recur::SentenceSplitter splitter;
  const std::string s = "一是加强，二是改进；三是落实。";
  EXPECT_EQ(splitter.split(s), (std::vector<std::size_t>{s.size()}));
}

TEST(SentenceSplitter, LastEndIsTheTextEndEvenWithoutFinalPunctuation) {
  recur::SentenceSplitter splitter;
  const std::string s = "甲乙。丙丁";
  EXPECT_EQ(splitter.split(s), (std::vector<std::size_t>{9, s.size()}));
}

TEST(SentenceSplitter, EmptyTextHasNoSentencesAndTheSplitterIsReusable) {
  recur::SentenceSplitter splitter;
  std::vector<std::size_t> ends{1, 2, 3};
  splitter.split("", ends);
  EXPECT_TRUE(ends.empty());
  splitter.split("Yes. No.", ends);
  EXPECT_EQ(ends, (std::vector<std::size_t>{5, 8}));
  splitter.split("好。", ends);
  EXPECT_EQ(ends, (std::vector<std::size_t>{6}));
}

// --- content characters ---------------------------------------------------------------------

TEST(ExtractContent, DropsPunctuationAndKeepsByteOffsetsInTheNormalisedText) {
  Content c;
  recur::extract_content("体制顺、机制活 ok", c, true);
  EXPECT_EQ(std::u32string(c.chars.begin(), c.chars.end()), U"体制顺机制活ok");
  EXPECT_EQ(c.norm_begin, (std::vector<std::uint32_t>{0, 3, 6, 12, 15, 18, 22, 23}));
  EXPECT_EQ(c.norm_end, (std::vector<std::uint32_t>{3, 6, 9, 15, 18, 21, 23, 24}));
}

TEST(ExtractContent, WithoutOffsetsFillsOnlyTheCharactersAndReplacesTheOldContent) {
  Content c;
  recur::extract_content("甲乙丙", c, true);
  recur::extract_content("，丁。", c, false);
  EXPECT_EQ(std::u32string(c.chars.begin(), c.chars.end()), U"丁");
  EXPECT_TRUE(c.norm_begin.empty());
  EXPECT_TRUE(c.norm_end.empty());
}

TEST(ContentSentenceEnds, CountsContentCharactersBeforeEachByteEnd) {
  Content c;
  recur::extract_content("甲乙。丙丁！", c, true);
  std::vector<std::uint32_t> ends;
  const std::vector<std::size_t> bytes{9, 18};
  recur::content_sentence_ends(c, bytes, ends);
  EXPECT_EQ(ends, (std::vector<std::uint32_t>{2, 4}));
}

TEST(ContentSentenceEnds, ASentenceOfPunctuationAloneIsDroppedAndTheLastEndIsTheContentSize) {
  Content c;
  recur::extract_content("甲乙。「」丙丁", c, true);  // 「」 at bytes 9..15 holds no content
  std::vector<std::uint32_t> ends;
  const std::vector<std::size_t> bytes{9, 15};  // no end at the text's end: it is added
  recur::content_sentence_ends(c, bytes, ends);
  EXPECT_EQ(ends, (std::vector<std::uint32_t>{2, 4}));
}

TEST(ContentSentenceEnds, MatchesTheSplitterOnARealParagraph) {
  const std::string s = "我们要坚持稳中求进。全面深化改革！这是为什么？";
  Content c;
  recur::extract_content(s, c, true);
  recur::SentenceSplitter splitter;
  std::vector<std::uint32_t> ends;
  recur::content_sentence_ends(c, splitter.split(s), ends);
  EXPECT_EQ(ends, (std::vector<std::uint32_t>{9, 15, 20}));
}

// --- find -----------------------------------------------------------------------------------

TEST(CountDocuments, CountsDistinctDocumentsOfTheOccurrences) {
  const SegmentedText t = text_of({{0, U"abcd"}, {0, U"abcd"}, {1, U"abcd"}, {4, U"abcd"}});
  EXPECT_EQ(recur::count_documents(t, Occurrences{{0, 2}, {4, 2}, {6, 2}}), 1u);  // two segments of doc 0
  EXPECT_EQ(recur::count_documents(t, Occurrences{{0, 2}, {8, 2}, {12, 2}, {13, 2}}), 3u);
  EXPECT_EQ(recur::count_documents(t, Occurrences{}), 0u);
}

TEST(SpanCandidates, AreTheMaximalRepeatsWithTheirTextsAndOccurrences) {
  const SegmentedText t = text_of({{0, U"xxabcdefyy"}, {1, U"abcdefzz"}, {2, U"qabcdef"}});
  recur::RepeatOptions ro;
  ro.min_chars = 5;
  ro.min_docs = 3;
  recur::RepeatCounts rc;
  const auto cands = recur::span_candidates(t, ro, rc);
  ASSERT_EQ(cands.size(), 1u);
  EXPECT_EQ(cands[0].text, U"abcdef");
  EXPECT_EQ(cands[0].occurrences, (Occurrences{{2, 6}, {10, 6}, {19, 6}}));
  EXPECT_EQ(cands[0].documents, 3u);
  EXPECT_EQ(rc.periodic, 0u);
}

TEST(SentenceCandidates, GatherIdenticalSentencesInOrderOfFirstOccurrence) {
  // doc 0: "abc" "defg"; doc 1: "defg" "abc"; doc 2: "xy" "defg"
  const SegmentedText t = text_of({{0, U"abcdefg"}, {1, U"defgabc"}, {2, U"xydefg"}});
  const Occurrences sentences{{0, 3}, {3, 4}, {7, 4}, {11, 3}, {14, 2}, {16, 4}};
  const auto cands = recur::sentence_candidates(t, sentences, 3);
  ASSERT_EQ(cands.size(), 2u);  // "xy" is shorter than min_chars
  EXPECT_EQ(cands[0].text, U"abc");
  EXPECT_EQ(cands[0].occurrences, (Occurrences{{0, 3}, {11, 3}}));
  EXPECT_EQ(cands[0].documents, 2u);
  EXPECT_EQ(cands[1].text, U"defg");
  EXPECT_EQ(cands[1].occurrences, (Occurrences{{3, 4}, {7, 4}, {16, 4}}));
  EXPECT_EQ(cands[1].documents, 3u);
}

TEST(SentenceCandidates, ASentenceSeenOnceIsStillACandidate) {
  const SegmentedText t = text_of({{0, U"abcdef"}});
  const auto cands = recur::sentence_candidates(t, Occurrences{{0, 6}}, 1);
  ASSERT_EQ(cands.size(), 1u);
  EXPECT_EQ(cands[0].occurrences.size(), 1u);
  EXPECT_EQ(cands[0].documents, 1u);
}

// --- exclude --------------------------------------------------------------------------------

TEST(StockPhrases, AreNormalisedContentAndLinesWithoutContentAreLeftOut) {
  const auto stock = recur::stock_phrases({"ＡＢＣ，ｄｅ", "，。", "", "体制顺、机制活"}, {});
  EXPECT_EQ(stock, (std::vector<std::u32string>{U"abcde", U"体制顺机制活"}));
}

// --- group ----------------------------------------------------------------------------------

// A slogan of 12 characters, written alone and with short extensions, as in real reports:
// 以…为指导 (P…Q), 贯彻… (GG…), and inside a long passage.
const std::u32string kSlogan = U"abcdefghijkl";
const std::u32string kPassage = U"mnopqrstuv" + kSlogan + U"wxyzmnopqrst";  // 34 characters

// The candidates (maximal repeats, min 10 characters, min 2 documents) of hand-made documents.
std::vector<Candidate> candidates_of(const SegmentedText& t) {
  recur::RepeatCounts rc;
  return recur::span_candidates(t, {10, 2, true, 1u << 20}, rc);
}

const Candidate& by_text(const std::vector<Candidate>& cands, const std::u32string& text) {
  for (const Candidate& c : cands)
    if (c.text == text) return c;
  ADD_FAILURE() << "no candidate of that text";
  return cands.front();
}

std::uint32_t index_of(const std::vector<Candidate>& cands, const std::u32string& text) {
  return static_cast<std::uint32_t>(&by_text(cands, text) - cands.data());
}

// Which group holds candidate `c`.
std::size_t group_of(const std::vector<recur::TemplateGroup>& groups, std::uint32_t c) {
  for (std::size_t g = 0; g < groups.size(); ++g)
    if (std::find(groups[g].members.begin(), groups[g].members.end(), c) != groups[g].members.end()) return g;
  ADD_FAILURE() << "candidate " << c << " is in no group";
  return SIZE_MAX;
}

SegmentedText slogan_documents() {
  return text_of({{0, U"11P" + kSlogan + U"Q22"}, {1, U"33P" + kSlogan + U"Q44"}, {2, U"55P" + kSlogan + U"Q66"},
                  {3, U"77GG" + kSlogan + U"88"}, {4, U"99GG" + kSlogan + U"00"},
                  {5, U"1a" + kSlogan + U"3b"}, {6, U"4c" + kSlogan + U"5d"}, {7, U"6e" + kSlogan + U"7f"},
                  {8, U"8g" + kSlogan + U"9h"}});
}

TEST(GroupTemplates, ASloganAndItsShortExtensionsAreOneTemplateWithTheSloganAsCore) {
  const SegmentedText t = slogan_documents();
  const auto cands = candidates_of(t);
  const std::uint32_t slogan = index_of(cands, kSlogan), guide = index_of(cands, U"P" + kSlogan + U"Q"),
                      carry = index_of(cands, U"GG" + kSlogan);
  EXPECT_EQ(cands[slogan].documents, 9u);  // every place it occurs, also inside the extensions
  const auto groups = recur::group_templates(cands, t, {});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].core, slogan);
  EXPECT_EQ(group_of(groups, guide), 0u);
  EXPECT_EQ(group_of(groups, carry), 0u);
}

TEST(GroupTemplates, AWidespreadPieceOfAPassageGetsItsOwnTemplateAndARarerOneJoinsIt) {
  // The passage in documents 0-3; its first 10 characters also in document 4 (5 documents, less
  // than 1.5 x 4: it joins the passage); the slogan inside it also in documents 5-9 (9 documents,
  // at least 1.5 x 4: a template of its own).
  const std::u32string head = kPassage.substr(0, 10);
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  auto digit = [](std::uint32_t d) { return std::u32string(1, static_cast<char32_t>(U'0' + d % 10)); };
  for (std::uint32_t d = 0; d < 4; ++d) segs.push_back({d, digit(d) + kPassage + digit(d + 4)});
  segs.push_back({4, U"9" + head + U"8"});
  for (std::uint32_t d = 5; d < 10; ++d) segs.push_back({d, digit(d) + kSlogan + digit(d + 2)});
  const SegmentedText t = text_of(segs);
  const auto cands = candidates_of(t);
  const std::uint32_t passage = index_of(cands, kPassage), piece = index_of(cands, head),
                      slogan = index_of(cands, kSlogan);
  const auto groups = recur::group_templates(cands, t, {});
  const std::size_t gp = group_of(groups, passage);
  EXPECT_EQ(groups[gp].core, passage);
  EXPECT_EQ(group_of(groups, piece), gp);
  EXPECT_NE(group_of(groups, slogan), gp);
  EXPECT_EQ(groups[group_of(groups, slogan)].core, slogan);
  // With a ratio above 9 / 4 the slogan does not outnumber the passage enough: it joins it.
  recur::TemplateOptions strict;
  strict.own_entry_ratio = 2.5;
  const auto joined = recur::group_templates(cands, t, strict);
  EXPECT_EQ(group_of(joined, slogan), group_of(joined, passage));
}

TEST(GroupTemplates, SpansOverlappingByMoreThanHalfAreOneTemplate) {
  // X in documents 0-2 and Y in documents 0, 3, 4; in document 0 they overlap by 12 of their 16
  // characters. Their union occurs once only, so it is no candidate.
  const std::u32string x = U"abcdefghijklmnop", y = x.substr(4) + U"qrst";
  const SegmentedText t = text_of({{0, U"1" + x + U"qrst2"}, {1, U"3" + x + U"4"}, {2, U"5" + x + U"6"},
                                   {3, U"7" + y + U"8"}, {4, U"9" + y + U"0"}});
  const auto cands = candidates_of(t);
  const auto groups = recur::group_templates(cands, t, {});
  EXPECT_EQ(group_of(groups, index_of(cands, y)), group_of(groups, index_of(cands, x)));
}

TEST(TemplateOptions, ExtensionLimitAndValidation) {
  recur::TemplateOptions o;
  EXPECT_EQ(o.extension_limit(10), 4u);
  EXPECT_EQ(o.extension_limit(30), 10u);
  EXPECT_TRUE(o.validate().empty());
  o.own_entry_ratio = 0.5;
  EXPECT_FALSE(o.validate().empty());
}

// --- exclude ----------------------------------------------------------------------------------

TEST(ExcludeStock, RemovesAStockPhraseWithItsShortExtensionsAndKeepsPassagesContainingIt) {
  const std::vector<Candidate> cands{candidate(kSlogan, {}), candidate(U"P" + kSlogan + U"Q", {}),
                                     candidate(kPassage, {}), candidate(U"GGG" + kSlogan + U"HH", {}),
                                     candidate(U"zzzzzzzzzz", {})};
  std::vector<recur::TemplateGroup> groups{{0, {0, 1}}, {2, {2}}, {3, {3}}, {4, {4}}};
  // A template whose core is the stock phrase plus two characters goes too.
  std::vector<recur::TemplateGroup> g2{{1, {1}}, {2, {2}}};
  const std::size_t removed = recur::exclude_stock(groups, cands, {kSlogan}, {});
  EXPECT_EQ(removed, 1u);  // the slogan's template with its extension P…Q
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].core, 2u);  // the passage stays
  EXPECT_EQ(groups[1].core, 3u);  // 5 more characters than the stock phrase: more than max(4, 12 / 3)
  EXPECT_EQ(recur::exclude_stock(g2, cands, {kSlogan}, {}), 1u);
  EXPECT_EQ(recur::exclude_stock(g2, cands, {}, {}), 0u);
}

// --- variants ---------------------------------------------------------------------------------

TEST(MergeVariants, NearIdenticalCoresAreOneTemplateWhoseCoreIsTheMostWidespread) {
  const std::vector<Candidate> cands{candidate(U"abcdefghij", {{0, 10}}, 2),
                                     candidate(U"abcdefghiX", {{20, 10}}, 3),
                                     candidate(U"qrstuvwxyz", {{40, 10}}, 5),
                                     candidate(U"abcdefghijkl", {{60, 12}}, 2)};
  recur::VariantCounts vc;
  const auto groups = recur::merge_variants({{0, {0, 3}}, {1, {1}}, {2, {2}}}, cands, {}, vc);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (recur::TemplateGroup{1, {0, 1, 3}}));
  EXPECT_EQ(groups[1], (recur::TemplateGroup{2, {2}}));
}

// --- templates ------------------------------------------------------------------------------

// Five segments of 20 characters in documents 0, 0, 1, 2, 3: segment k starts at 20k.
// --- chain_templates: the pieces of an edited passage ---------------------------------------

// `n` distinct CJK characters, a different run for each `seed`.
std::u32string run_of(std::uint32_t n, std::uint32_t seed) {
  std::u32string s;
  for (std::uint32_t k = 0; k < n; ++k) s.push_back(static_cast<char32_t>(0x4E00 + seed * 64 + k));
  return s;
}

// The templates of hand-made documents, chained with `gap` and `share`.
std::vector<recur::TemplateGroup> chained(const SegmentedText& t, const std::vector<Candidate>& cands, unsigned gap,
                                          double share = 0.5) {
  recur::TemplateOptions o;
  o.chain_gap = gap;
  o.chain_share = share;
  return recur::chain_templates(recur::group_templates(cands, t, o), cands, t, {}, o);
}

std::vector<Candidate> candidates3(const SegmentedText& t) {
  recur::RepeatCounts rc;
  return recur::span_candidates(t, {8, 3, true, 1u << 20}, rc);
}

TEST(ChainTemplates, TheCopiesOfAnEditedPassageAreOneTemplateSpanningTheEdits) {
  // A 40-character passage in 4 documents; 3 copies have character 20 changed, each differently.
  // Its maximal spans are the two halves, which neither nest nor overlap.
  const std::u32string p = run_of(40, 0);
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  for (std::uint32_t d = 0; d < 4; ++d) {
    std::u32string copy = p;
    if (d > 0) copy[20] = static_cast<char32_t>(0x6000 + d);
    const char32_t before = 0x7000 + d, after = 0x7100 + d;  // different around each copy
    segs.push_back({d, before + copy + after});
  }
  const SegmentedText t = text_of(segs);
  const auto cands = candidates3(t);
  ASSERT_EQ(cands.size(), 2u);
  EXPECT_EQ(chained(t, cands, 0).size(), 2u);  // unchained: one template per half
  const auto groups = chained(t, cands, 24);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].parts, 2u);
  EXPECT_EQ(groups[0].members, (std::vector<std::uint32_t>{0, 1}));
  // Its occurrences span the edit: one per copy, the whole passage.
  const auto templates = recur::make_templates(cands, groups, t, 3, {}, 24);
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(templates[0].parts, 2u);
  EXPECT_EQ(templates[0].occurrences, (Occurrences{{1, 40}, {43, 40}, {85, 40}, {127, 40}}));
  EXPECT_EQ(templates[0].documents, 4u);
  EXPECT_EQ(templates[0].chars, 40u);
}

TEST(ChainTemplates, PiecesFartherApartThanTheGapStaySeparate) {
  // A passage in 4 documents with 14 characters of the middle rewritten in each copy.
  const std::u32string p = run_of(50, 1);
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  for (std::uint32_t d = 0; d < 4; ++d)
    segs.push_back({d, p.substr(0, 18) + run_of(14, 10 + d) + p.substr(32)});
  const SegmentedText t = text_of(segs);
  const auto cands = candidates3(t);
  ASSERT_EQ(cands.size(), 2u);
  EXPECT_EQ(chained(t, cands, 12).size(), 2u);
  EXPECT_EQ(chained(t, cands, 14).size(), 1u);
}

TEST(ChainTemplates, ASloganQuotedBeforeAPassageIsNotChainedToIt) {
  // The slogan in 9 documents; in 3 of them a passage follows it (only there). Next to each other
  // at 3 places, less than half of the slogan's 9: not chained. A second passage after the slogan
  // in 3 other documents is not chained to it either, nor through it to the first.
  const std::u32string slogan = run_of(12, 2), q = run_of(20, 3), r = run_of(20, 4);
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  for (std::uint32_t d = 0; d < 3; ++d) segs.push_back({d, U"x" + slogan + q + U"y"});
  for (std::uint32_t d = 3; d < 6; ++d) segs.push_back({d, U"z" + slogan + r + U"w"});
  for (std::uint32_t d = 6; d < 9; ++d) segs.push_back({d, U"v" + slogan + U"u"});
  const SegmentedText t = text_of(segs);
  const auto cands = candidates3(t);
  const auto groups = chained(t, cands, 24);
  EXPECT_EQ(groups.size(), recur::group_templates(cands, t, {}).size());
  // At a share of 0.3 the slogan (3 of its 9 places next to each passage) chains all three.
  EXPECT_EQ(chained(t, cands, 24, 0.3).size(), 1u);
  for (const auto& g : groups) EXPECT_EQ(g.parts, 1u);
  const std::size_t gs = group_of(groups, index_of(cands, slogan));
  EXPECT_NE(gs, group_of(groups, index_of(cands, U"x" + slogan + q + U"y")));
  EXPECT_NE(gs, group_of(groups, index_of(cands, U"z" + slogan + r + U"w")));
}

TEST(ChainTemplates, PiecesAreChainedOnlyWhenHalfThePlacesOfEachAreNextToTheOther) {
  // A then B (4 characters apart) in documents 0-2; A alone also in `alone` more documents.
  for (const std::uint32_t alone : {3u, 4u}) {
    const std::u32string a = run_of(15, 5), b = run_of(15, 6);
    std::vector<std::pair<std::uint32_t, std::u32string>> segs;
    for (std::uint32_t d = 0; d < 3; ++d) segs.push_back({d, a + run_of(4, 20 + d) + b});
    for (std::uint32_t d = 3; d < 3 + alone; ++d) {
      const char32_t before = 0x7200 + d, after = 0x7300 + d;
      segs.push_back({d, before + a + after});
    }
    const SegmentedText t = text_of(segs);
    const auto cands = candidates3(t);
    ASSERT_EQ(cands.size(), 2u);
    // 3 of A's 6 places next to B: chained; 3 of 7: A stands on its own.
    EXPECT_EQ(chained(t, cands, 24).size(), alone == 3 ? 1u : 2u) << alone;
  }
}

TEST(ChainTemplates, PiecesInSegmentsOfOneParagraphAreChainedThroughTheLayout) {
  // The kept text of recur phrases: the edits are not in the text, so each piece is a segment of
  // its own; the layout tells they are stretches of one paragraph, 1 character apart.
  const std::u32string h1 = run_of(20, 7), h2 = run_of(20, 8);
  SegmentedText t;
  recur::ParagraphLayout layout;
  for (std::uint32_t d = 0; d < 3; ++d) {
    t.add_segment(h1, d);
    t.add_segment(h2, d);
    layout.paragraph.insert(layout.paragraph.end(), {d, d});
    layout.offset.insert(layout.offset.end(), {0, 21});
  }
  const auto cands = candidates3(t);
  ASSERT_EQ(cands.size(), 2u);
  recur::TemplateOptions o;
  const auto groups = recur::group_templates(cands, t, o);
  EXPECT_EQ(recur::chain_templates(groups, cands, t, {}, o).size(), 2u);  // no layout: two paragraphs
  const auto joined = recur::chain_templates(groups, cands, t, layout, o);
  ASSERT_EQ(joined.size(), 1u);
  const auto templates = recur::make_templates(cands, joined, t, 3, layout, o.chain_gap);
  ASSERT_EQ(templates.size(), 1u);
  // Each occurrence starts at its first piece and counts the paragraph's 41 characters.
  EXPECT_EQ(templates[0].occurrences, (Occurrences{{0, 41}, {40, 41}, {80, 41}}));
}

// The work repeat_candidates() runs alongside: called once per thread, it sees every candidate's
// occurrences as the candidate holds them, and the candidates are those made without it.
TEST(RepeatCandidates, AlongsideSeesEveryCandidatesOccurrencesOnEachThread) {
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  for (std::uint32_t d = 0; d < 60; ++d)
    segs.push_back({d, run_of(12, d % 7) + run_of(3, 100 + d) + run_of(12, 10 + d % 5) + run_of(3, 200 + d) +
                           run_of(12, 20 + d % 11) + run_of(12, 40 + d % 3)});
  const SegmentedText t = text_of(segs);
  SegmentedText plain_text = t;
  recur::RepeatCounts rc;
  const auto plain = recur::repeat_candidates(plain_text, {8, 2, true, 1u << 20}, rc);
  ASSERT_GT(plain.size(), 20u);
  for (const unsigned threads : {1u, 2u, 3u}) {
    SCOPED_TRACE(testing::Message() << "threads " << threads);
    std::atomic<unsigned> calls{0};
    std::atomic<std::size_t> next{0};
    std::vector<Occurrences> seen;
    std::once_flag sized;
    const recur::AlongsideFn alongside = [&](std::size_t count, const recur::OccurrencesOf& occurrences_of) {
      ++calls;
      std::call_once(sized, [&] { seen.resize(count); });
      Occurrences scratch;
      for (std::size_t i; (i = next.fetch_add(1)) < count;) {
        const auto o = occurrences_of(i, scratch);
        seen[i].assign(o.begin(), o.end());
      }
    };
    SegmentedText lent = t;
    const auto cands = recur::repeat_candidates(lent, {8, 2, true, 1u << 20, threads}, rc, nullptr, alongside);
    EXPECT_EQ(lent.chars, t.chars);
    EXPECT_EQ(calls.load(), threads);
    ASSERT_EQ(cands.size(), plain.size());
    ASSERT_EQ(seen.size(), cands.size());
    for (std::size_t i = 0; i < cands.size(); ++i) {
      EXPECT_EQ(cands[i].text, plain[i].text);
      EXPECT_EQ(cands[i].occurrences, plain[i].occurrences);
      EXPECT_EQ(seen[i], cands[i].occurrences) << "candidate " << i;
    }
    // What the work throws, on any thread, reaches the caller.
    SegmentedText again = t;
    EXPECT_THROW(recur::repeat_candidates(again, {8, 2, true, 1u << 20, threads}, rc, nullptr,
                                          [](std::size_t, const recur::OccurrencesOf&) { throw std::runtime_error("x"); }),
                 std::runtime_error);
  }
}

TEST(StageProgress, SuffixArrayTemplatesAndVariantsCountTheirWholeTotal) {
  // The progress percentages of `recur phrases`: each stage advances its counter by exactly the
  // total the pipeline announces, so the display ends at 100%, never past it.
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  for (std::uint32_t d = 0; d < 6; ++d) segs.push_back({d, run_of(30, d % 2) + run_of(5, 20 + d) + run_of(30, 2)});
  SegmentedText t = text_of(segs);
  const SegmentedText before = t;
  std::atomic<std::uint64_t> done{0};
  recur::RepeatCounts rc;
  const auto cands = recur::repeat_candidates(t, {8, 2, true, 1u << 20}, rc, &done);
  ASSERT_FALSE(cands.empty());
  EXPECT_EQ(t.chars, before.chars);  // lent to the suffix array and given back
  EXPECT_EQ(done.load(), recur::repeat_work(t));
  done = 0;
  const auto groups = recur::group_templates(cands, t, {}, &done);
  EXPECT_EQ(done.load(), cands.size());
  done = 0;
  recur::VariantCounts vc;
  recur::merge_variants(groups, cands, {}, vc, &done);
  EXPECT_EQ(done.load(), 2 * groups.size());
}

TEST(GroupTemplates, TheSameForAnyWorkerCountOverManyBatches) {
  // group_templates gathers the candidates a batch of 4,096 at a time, on a second thread when it
  // has one (detail::pipeline, three buffers in turn): 20,000 overlapping and nested candidates are
  // five batches, so every buffer is refilled while others are in use.
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  for (std::uint32_t s = 0; s < 2000; ++s) segs.push_back({s / 4, std::u32string(200, U'x')});
  const SegmentedText t = text_of(segs);
  std::uint64_t state = 12345;
  auto next = [&](std::uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  std::vector<Candidate> cands;
  for (std::uint32_t i = 0; i < 20000; ++i) {
    const auto len = static_cast<std::uint32_t>(8 + next(60));
    Occurrences occ;
    for (std::uint64_t k = 0, copies = 2 + next(5); k < copies; ++k)
      occ.push_back({static_cast<std::uint32_t>(next(2000) * 200 + next(200 - len)), len});
    std::sort(occ.begin(), occ.end(), [](const Occurrence& a, const Occurrence& b) { return a.start < b.start; });
    occ.erase(std::unique(occ.begin(), occ.end()), occ.end());
    const std::uint32_t docs = recur::count_documents(t, occ);
    cands.push_back(candidate(std::u32string(len, U'x'), std::move(occ), docs));
  }
  std::atomic<std::uint64_t> done{0};
  const auto one = recur::group_templates(cands, t, {}, &done, 1);
  EXPECT_EQ(done.load(), cands.size());
  // Grouping happened: fewer templates than candidates, and some with several members.
  EXPECT_LT(one.size(), cands.size() * 9 / 10);
  EXPECT_TRUE(std::any_of(one.begin(), one.end(), [](const recur::TemplateGroup& g) { return g.members.size() > 3; }));
  for (const unsigned threads : {2u, 3u}) {
    SCOPED_TRACE(testing::Message() << "threads " << threads);
    done = 0;
    EXPECT_EQ(recur::group_templates(cands, t, {}, &done, threads), one);
    EXPECT_EQ(done.load(), cands.size());
  }
}

SegmentedText five_segments() {
  const std::u32string s(20, U'a');
  return text_of({{0, s}, {0, s}, {1, s}, {2, s}, {3, s}});
}

TEST(MakeTemplates, OverlappingAndNestedOccurrencesAreOneDistinctOccurrence) {
  const SegmentedText t = five_segments();
  const std::vector<Candidate> cands{
      candidate(U"12345678", {{0, 8}, {20, 8}, {60, 8}}),  // the core
      candidate(U"1234567890", {{0, 10}, {40, 10}}),       // a longer variant at 0: it covers it there
      candidate(U"3456", {{22, 4}, {45, 4}}),              // inside (20, 8) and (40, 10)
      candidate(U"78ab", {{66, 4}})};                      // overlaps (60, 8): together (60, 10)
  const auto templates = recur::make_templates(cands, {{0, {0, 1, 2, 3}}}, t, 1);
  ASSERT_EQ(templates.size(), 1u);
  const Template& tp = templates[0];
  EXPECT_EQ(tp.candidate, 0u);
  EXPECT_EQ(tp.extent, 1u);
  EXPECT_EQ(tp.chars, 8u);
  EXPECT_EQ(tp.occurrences, (Occurrences{{0, 10}, {20, 8}, {40, 10}, {60, 10}}));
  EXPECT_EQ(tp.documents, 3u);  // segments 0 and 1 are both document 0
  EXPECT_DOUBLE_EQ(tp.score, 24.0);
}

TEST(MakeTemplates, AdjacentOccurrencesStayTwo) {
  const SegmentedText t = five_segments();
  const std::vector<Candidate> cands{candidate(U"abcd", {{0, 4}}), candidate(U"efgh", {{4, 4}})};
  const auto templates = recur::make_templates(cands, {{0, {0, 1}}}, t, 1);
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(templates[0].occurrences, (Occurrences{{0, 4}, {4, 4}}));
}

TEST(MakeTemplates, GroupsBelowMinDocsAreDroppedAndDocumentsAreTheUnionOverMembers) {
  const SegmentedText t = five_segments();
  const std::vector<Candidate> cands{candidate(U"abcd", {{0, 4}, {20, 4}}),   // document 0 twice
                                     candidate(U"wxyz", {{40, 4}, {60, 4}}),  // documents 1, 2
                                     candidate(U"wxyq", {{80, 4}})};          // document 3
  const auto templates = recur::make_templates(cands, {{0, {0}}, {1, {1, 2}}}, t, 2);
  ASSERT_EQ(templates.size(), 1u);  // {0} occurs in one document only
  EXPECT_EQ(templates[0].candidate, 1u);
  EXPECT_EQ(templates[0].documents, 3u);  // its variant adds document 3
}

TEST(DistinctOccurrences, AnOccurrenceOverlappingTheLastCountedIsNotCountedAgain) {
  EXPECT_EQ(recur::distinct_occurrences(Occurrences{}), 0u);
  EXPECT_EQ(recur::distinct_occurrences(Occurrences{{10, 4}, {0, 4}, {4, 4}}), 3u);
  EXPECT_EQ(recur::distinct_occurrences(Occurrences{{0, 4}, {2, 4}, {4, 4}, {6, 4}}), 2u);  // 0, 4
}

TEST(RankTemplates, ByScoreThenDocumentsThenLengthThenFirstOccurrence) {
  std::vector<Template> ts{templ(10, 2, {{50, 10}}),   // score 20
                           templ(5, 4, {{40, 5}}),     // score 20, more documents
                           templ(4, 5, {{30, 4}}),     // score 20, most documents
                           templ(30, 1, {{90, 30}}),   // score 30
                           templ(10, 2, {{10, 10}})};  // as the first, but earlier
  recur::rank_templates(ts);
  std::vector<std::uint32_t> firsts;
  for (const auto& t : ts) firsts.push_back(t.occurrences.front().start);
  EXPECT_EQ(firsts, (std::vector<std::uint32_t>{90, 30, 40, 10, 50}));
}

TEST(RankTemplates, LongerFirstWhenScoreAndDocumentsTie) {
  std::vector<Template> ts{templ(6, 2, {{0, 6}}), templ(8, 2, {{10, 8}})};
  ts[0].score = ts[1].score = 1;
  recur::rank_templates(ts);
  EXPECT_EQ(ts[0].chars, 8u);
}

// --- caps -----------------------------------------------------------------------------------

TEST(PlanOutput, WithinTheCapsEveryLocationIsListed) {
  const std::vector<Template> ts{templ(5, 2, {{0, 5}, {10, 5}}), templ(3, 1, {{20, 3}})};
  const auto plan = recur::plan_output(ts, {});
  EXPECT_EQ(plan.listed, (std::vector<std::uint32_t>{2, 1}));
  EXPECT_EQ(plan.phrases_omitted, 0u);
  EXPECT_EQ(plan.locations_omitted, 0u);
}

TEST(PlanOutput, LocationsPerPhraseCapListsTheFirstOnesAndCountsTheRest) {
  const std::vector<Template> ts{templ(5, 3, {{0, 5}, {10, 5}, {20, 5}}), templ(3, 1, {{30, 3}})};
  recur::PhraseLimits lim;
  lim.max_locations_per_phrase = 2;
  const auto plan = recur::plan_output(ts, lim);
  EXPECT_EQ(plan.listed, (std::vector<std::uint32_t>{2, 1}));
  EXPECT_EQ(plan.locations_omitted, 1u);
  EXPECT_EQ(plan.phrases_omitted, 0u);
}

TEST(PlanOutput, ReportWideLocationCapStopsThePhraseThereAndOmitsTheRest) {
  const std::vector<Template> ts{templ(5, 2, {{0, 5}, {10, 5}}), templ(5, 3, {{20, 5}, {30, 5}, {40, 5}}),
                                 templ(5, 1, {{50, 5}})};
  recur::PhraseLimits lim;
  lim.max_locations = 3;
  const auto plan = recur::plan_output(ts, lim);
  EXPECT_EQ(plan.listed, (std::vector<std::uint32_t>{2, 1}));
  EXPECT_EQ(plan.locations_omitted, 2u);
  EXPECT_EQ(plan.phrases_omitted, 1u);
}

TEST(PlanOutput, APhraseWhoseFirstLocationDoesNotFitIsOmittedWithTheRest) {
  const std::vector<Template> ts{templ(5, 1, {{0, 5}}), templ(20, 1, {{10, 20}}), templ(1, 1, {{40, 1}})};
  recur::PhraseLimits lim;
  lim.max_location_chars = 10;  // 5 fit, then 20 do not
  const auto plan = recur::plan_output(ts, lim);
  EXPECT_EQ(plan.listed, (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(plan.phrases_omitted, 2u);
  EXPECT_EQ(plan.locations_omitted, 0u);
}

// --- locate ---------------------------------------------------------------------------------

TEST(LocateContent, MapsContentCharactersBackThroughNormalisation) {
  // Full-width letters and comma normalise to ASCII: 3 input bytes become 1.
  const std::string input = "ＡＢ，Ｃ";
  recur::Normalizer norm;
  std::string normalized;
  recur::OffsetMap map;
  norm.normalize(input, {}, normalized, map);
  ASSERT_EQ(normalized, "ab,c");
  Content c;
  recur::extract_content(normalized, c, true);
  const recur::ContentSpan s = recur::locate_content(c, map, 1, 2);  // "b" .. "c"
  EXPECT_EQ(normalized.substr(s.norm_begin, s.norm_end - s.norm_begin), "b,c");
  EXPECT_EQ(input.substr(s.input_begin, s.input_end - s.input_begin), "Ｂ，Ｃ");
}

// --- records --------------------------------------------------------------------------------

TEST(DisplayText, LineBreaksAreJoinedAsTheParagraphJoinsThem) {
  EXPECT_EQ(recur::display_text("体制顺、\n机制活"), "体制顺、机制活");
  EXPECT_EQ(recur::display_text("体制顺  \r\n  机制活"), "体制顺机制活");
  EXPECT_EQ(recur::display_text("reform\nand opening"), "reform and opening");
  EXPECT_EQ(recur::display_text("2023\n年"), "2023年");
  EXPECT_EQ(recur::display_text("no break, kept  as is"), "no break, kept  as is");
  EXPECT_EQ(recur::display_text("\n开头"), "开头");
}

TEST(MostFrequentForm, IsTheMostFrequentAndTiesGoToTheFirst) {
  EXPECT_EQ(recur::most_frequent_form(std::vector<std::string>{"b", "a", "a"}), "a");
  EXPECT_EQ(recur::most_frequent_form(std::vector<std::string>{"b", "a", "a", "b"}), "b");
  EXPECT_EQ(recur::most_frequent_form(std::vector<std::string>{}), "");
}

}  // namespace

namespace {

// maximal_repeats_lending() gives the same repeats as maximal_repeats() and the text back
// unchanged, on small texts (ranked by a sorted list) and large ones (ranked by a table),
// with a CJK alphabet and with characters beyond the Basic Multilingual Plane.
TEST(MaximalRepeatsLending, SameRepeatsAndTheCharactersComeBackUnchanged) {
  std::uint32_t seed = 1;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, seed >> 8; };
  for (const std::size_t words : {40u, 3000u}) {
    for (const char32_t base : {char32_t{0x4E00}, char32_t{0x20000}}) {
      std::vector<std::pair<std::uint32_t, std::u32string>> segs;
      std::vector<std::u32string> stock;  // passages the documents share
      for (int k = 0; k < 20; ++k) {
        std::u32string w;
        for (int c = 0; c < 12; ++c) w.push_back(base + next() % 300);
        stock.push_back(w);
      }
      for (std::uint32_t d = 0; d < words / 10; ++d) {
        std::u32string para;
        for (int k = 0; k < 10; ++k) para += next() % 2 ? stock[next() % stock.size()] : std::u32string(1, base + next() % 3000);
        segs.push_back({d, para});
      }
      SegmentedText t = text_of(segs);
      const SegmentedText before = t;
      const recur::RepeatOptions o{10, 2, true, 1u << 20};
      recur::RepeatCounts plain_counts, lent_counts;
      const auto plain = recur::maximal_repeats(t, o, plain_counts);
      const auto lent = recur::maximal_repeats_lending(t, o, lent_counts);
      ASSERT_FALSE(plain.empty());
      ASSERT_EQ(plain.size(), lent.size());
      for (std::size_t i = 0; i < plain.size(); ++i) {
        EXPECT_EQ(plain[i].length, lent[i].length);
        EXPECT_EQ(plain[i].documents, lent[i].documents);
        EXPECT_EQ(plain[i].positions, lent[i].positions);
      }
      EXPECT_EQ(t.chars, before.chars) << words << " base " << static_cast<std::uint32_t>(base);
      EXPECT_EQ(t.segment_start, before.segment_start);
    }
  }
}

// --- thread counts: the parallel stages give what one worker gives -------------------------

// Hand-made dense reuse: 60 documents of passages drawn from a bank of 24, some copies with a
// character changed (edited families), some with a unit written back to back (periodic runs),
// mixed with characters of their own, so the suffix array has many deep intervals and many cuts.
SegmentedText dense_text() {
  std::vector<std::u32string> bank;
  for (std::uint32_t b = 0; b < 24; ++b) bank.push_back(run_of(12 + (b * 7) % 30, b));
  std::uint32_t state = 12345;
  auto next = [&](std::uint32_t n) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % n;
  };
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  for (std::uint32_t d = 0; d < 60; ++d)
    for (std::uint32_t s = 0; s < 6; ++s) {
      std::u32string seg;
      for (std::uint32_t k = 0; k < 4; ++k) {
        std::u32string piece = bank[next(24)];
        // Edited in its middle, differently in each copy: its halves chain (chain_templates).
        if (next(3) == 0) piece[piece.size() / 2] = static_cast<char32_t>(0x9000 + next(50));
        if (next(10) == 0) piece = piece.substr(0, 5) + piece.substr(0, 5) + piece.substr(0, 5) + piece;
        seg += piece;
        seg.push_back(static_cast<char32_t>(0xA000 + next(4000)));  // a character of its own
      }
      segs.push_back({d, seg});
    }
  return text_of(segs);
}

void expect_same_templates(const std::vector<Template>& a, const std::vector<Template>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].candidate, b[i].candidate);
    EXPECT_EQ(a[i].extent, b[i].extent);
    EXPECT_EQ(a[i].chars, b[i].chars);
    EXPECT_EQ(a[i].extent_chars, b[i].extent_chars);
    EXPECT_EQ(a[i].documents, b[i].documents);
    EXPECT_EQ(a[i].parts, b[i].parts);
    EXPECT_EQ(a[i].members, b[i].members);
    EXPECT_EQ(a[i].occurrences, b[i].occurrences);
    EXPECT_EQ(a[i].shown_core, b[i].shown_core);
    EXPECT_EQ(a[i].shown_extent, b[i].shown_extent);
    EXPECT_EQ(a[i].score, b[i].score);
  }
}

TEST(Threads, RepeatsCandidatesChainsAndTemplatesAreTheSameForAnyWorkerCount) {
  const SegmentedText t = dense_text();
  recur::TemplateOptions to;
  struct Run {
    std::vector<recur::Repeat> repeats;
    recur::RepeatCounts counts;
    std::vector<Candidate> cands;
    std::vector<recur::TemplateGroup> chained;
    std::vector<Template> templates;
  };
  auto run = [&](unsigned threads, bool fold) {
    Run r;
    const recur::RepeatOptions ro{8, 2, fold, 1u << 20, threads};
    r.repeats = recur::maximal_repeats(t, ro, r.counts);
    recur::RepeatCounts rc;
    SegmentedText lent = t;  // repeat_candidates lends the characters
    r.cands = recur::repeat_candidates(lent, ro, rc);
    r.chained = recur::chain_templates(recur::group_templates(r.cands, t, to, nullptr, threads), r.cands, t, {}, to, threads);
    r.templates = recur::make_templates(r.cands, r.chained, t, 2, {}, to.chain_gap, threads);
    return r;
  };
  for (const bool fold : {false, true}) {
    const Run one = run(1, fold);
    // Enough work that the sweep is cut in many pieces and chains and templates are many.
    ASSERT_GT(one.repeats.size(), 200u);
    ASSERT_GT(one.templates.size(), 20u);
    EXPECT_TRUE(std::any_of(one.templates.begin(), one.templates.end(), [](const Template& x) { return x.parts > 1; }));
    if (fold) EXPECT_GT(one.counts.periodic, 0u);
    for (const unsigned threads : {2u, 3u, 8u}) {
      SCOPED_TRACE(testing::Message() << "threads " << threads << " fold " << fold);
      const Run many = run(threads, fold);
      ASSERT_EQ(one.repeats.size(), many.repeats.size());
      for (std::size_t i = 0; i < one.repeats.size(); ++i) {
        EXPECT_EQ(one.repeats[i].length, many.repeats[i].length);
        EXPECT_EQ(one.repeats[i].documents, many.repeats[i].documents);
        EXPECT_EQ(one.repeats[i].positions, many.repeats[i].positions);
      }
      EXPECT_EQ(one.counts.periodic, many.counts.periodic);
      ASSERT_EQ(one.cands.size(), many.cands.size());
      for (std::size_t i = 0; i < one.cands.size(); ++i) {
        EXPECT_EQ(one.cands[i].text, many.cands[i].text);
        EXPECT_EQ(one.cands[i].occurrences, many.cands[i].occurrences);
        EXPECT_EQ(one.cands[i].documents, many.cands[i].documents);
      }
      EXPECT_EQ(one.chained, many.chained);
      expect_same_templates(one.templates, many.templates);
    }
  }
}

}  // namespace

TEST(RepeatLists, EveryListedPositionHoldsItsRepeatOverManyBatches) {
  // The repeats' position lists are written a batch of 1,024 repeats at a time into one array
  // (repeats_over) and handed out as vectors (maximal_repeats) or as candidates (repeat_candidates):
  // over 12,000 repeats on 1-3 threads, every listed position must start the repeat's text, the
  // lists must be sorted and distinct, and each candidate must be its repeat.
  std::vector<std::pair<std::uint32_t, std::u32string>> segs;
  std::uint64_t state = 20261203;
  for (std::uint32_t d = 0; d < 400; ++d) {
    std::u32string s;
    for (int k = 0; k < 300; ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      s.push_back(static_cast<char32_t>(0x4E00 + (state >> 60) % 4));  // four characters: much recurs
    }
    segs.push_back({d, s});
  }
  const SegmentedText t = text_of(segs);
  for (const unsigned threads : {1u, 2u, 3u}) {
    SCOPED_TRACE(testing::Message() << "threads " << threads);
    const recur::RepeatOptions ro{8, 2, false, 1u << 26, threads};
    const std::vector<recur::Repeat> repeats = recur::maximal_repeats(t, ro);
    ASSERT_GT(repeats.size(), 12000u);
    for (std::size_t i = 0; i < repeats.size(); ++i) {
      const recur::Repeat& r = repeats[i];
      ASSERT_GE(r.positions.size(), 2u) << i;
      ASSERT_TRUE(std::is_sorted(r.positions.begin(), r.positions.end())) << i;
      ASSERT_TRUE(std::adjacent_find(r.positions.begin(), r.positions.end()) == r.positions.end()) << i;
      for (std::uint32_t p : r.positions)
        ASSERT_TRUE(std::equal(t.chars.begin() + p, t.chars.begin() + p + r.length, t.chars.begin() + r.positions.front()))
            << i << " at " << p;
    }
    SegmentedText lent = t;
    recur::RepeatCounts rc;
    const std::vector<Candidate> cands = recur::repeat_candidates(lent, ro, rc);
    ASSERT_EQ(cands.size(), repeats.size());
    for (std::size_t i = 0; i < cands.size(); ++i) {
      const recur::Repeat& r = repeats[i];
      ASSERT_EQ(cands[i].text, std::u32string(t.chars.begin() + r.positions.front(),
                                              t.chars.begin() + r.positions.front() + r.length)) << i;
      ASSERT_EQ(cands[i].occurrences.size(), r.positions.size()) << i;
      for (std::size_t k = 0; k < r.positions.size(); ++k)
        ASSERT_EQ(cands[i].occurrences[k], (Occurrence{r.positions[k], r.length})) << i << " " << k;
      ASSERT_EQ(cands[i].documents, r.documents) << i;
    }
  }
}
