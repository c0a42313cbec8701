// Tests for the stages `recur phrases` is composed of (phrases.hpp, SentenceSplitter of
// segment.hpp), each called directly on records in memory: no files and no binary. The end-to-end
// behaviour is pinned by phrases_cli_test.cpp and the golden outputs.
#include "recur/phrases.hpp"
#include "recur/report.hpp"
#include "recur/segment.hpp"
#include "recur/text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
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

recur::PhraseLocation location(std::string path, std::uint32_t doc, std::string text) {
  recur::PhraseLocation l;
  l.path = std::move(path);
  l.document_index = doc;
  l.text = std::move(text);
  return l;
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

TEST(ExcludeStock, RemovesCandidatesContainedInAStockPhraseAndKeepsTheOrder) {
  std::vector<Candidate> cands{candidate(U"abc", {}), candidate(U"xbcx", {}), candidate(U"bc", {}),
                               candidate(U"zz", {}), candidate(U"abcdz", {})};
  const std::size_t removed = recur::exclude_stock(cands, {U"zabcz", U"qq"});
  EXPECT_EQ(removed, 2u);
  ASSERT_EQ(cands.size(), 3u);
  EXPECT_EQ(cands[0].text, U"xbcx");
  EXPECT_EQ(cands[1].text, U"zz");  // both letters are in "zabcz", but not together
  EXPECT_EQ(cands[2].text, U"abcdz");
  EXPECT_EQ(recur::exclude_stock(cands, {}), 0u);
}

// --- group ----------------------------------------------------------------------------------

TEST(GroupCandidates, TheTemplateIsTheFormInMostDocuments) {
  const std::vector<Candidate> cands{candidate(U"abcdefghij", {{0, 10}}, 2),
                                     candidate(U"abcdefghiX", {{20, 10}}, 3),
                                     candidate(U"qrstuvwxyz", {{40, 10}}, 5)};
  recur::VariantOptions vo;
  recur::VariantCounts vc;
  const auto groups = recur::group_candidates(cands, vo, vc);
  EXPECT_EQ(groups, (std::vector<std::vector<std::uint32_t>>{{2}, {1, 0}}));
}

TEST(GroupCandidates, InAsManyDocumentsTheMoreFrequentFormIsTheTemplate) {
  const std::vector<Candidate> cands{candidate(U"abcdefghij", {{0, 10}, {30, 10}}, 2),
                                     candidate(U"abcdefghiX", {{20, 10}, {50, 10}, {70, 10}}, 2)};
  recur::VariantCounts vc;
  const auto groups = recur::group_candidates(cands, {}, vc);
  EXPECT_EQ(groups, (std::vector<std::vector<std::uint32_t>>{{1, 0}}));
}

// --- templates ------------------------------------------------------------------------------

// Five segments of 20 characters in documents 0, 0, 1, 2, 3: segment k starts at 20k.
SegmentedText five_segments() {
  const std::u32string s(20, U'a');
  return text_of({{0, s}, {0, s}, {1, s}, {2, s}, {3, s}});
}

TEST(MakeTemplates, NestedOccurrencesAreMergedAndTheLongestAtOneStartIsKept) {
  const SegmentedText t = five_segments();
  const std::vector<Candidate> cands{
      candidate(U"12345678", {{0, 8}, {20, 8}, {60, 8}}),  // the template
      candidate(U"1234567890", {{0, 10}, {40, 10}}),       // a longer variant at 0: it wins there
      candidate(U"3456", {{22, 4}, {45, 4}})};             // inside (20, 8) and (40, 10): dropped
  const auto templates = recur::make_templates(cands, {{0, 1, 2}}, t, 1);
  ASSERT_EQ(templates.size(), 1u);
  const Template& tp = templates[0];
  EXPECT_EQ(tp.candidate, 0u);
  EXPECT_EQ(tp.chars, 8u);
  EXPECT_EQ(tp.occurrences, (Occurrences{{0, 10}, {20, 8}, {40, 10}, {60, 8}}));
  EXPECT_EQ(tp.documents, 3u);  // segments 0 and 1 are both document 0
  EXPECT_DOUBLE_EQ(tp.score, 24.0);
}

TEST(MakeTemplates, OverlappingButNotNestedOccurrencesAreBothKept) {
  const SegmentedText t = five_segments();
  const std::vector<Candidate> cands{candidate(U"abcd", {{0, 4}}), candidate(U"abce", {{2, 4}})};
  const auto templates = recur::make_templates(cands, {{0, 1}}, t, 1);
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(templates[0].occurrences, (Occurrences{{0, 4}, {2, 4}}));
}

TEST(MakeTemplates, GroupsBelowMinDocsAreDroppedAndDocumentsCountMergedOccurrences) {
  const SegmentedText t = five_segments();
  const std::vector<Candidate> cands{candidate(U"abcd", {{0, 4}, {20, 4}}),   // document 0 twice
                                     candidate(U"wxyz", {{40, 4}, {60, 4}}),  // documents 1, 2
                                     candidate(U"wxyq", {{80, 4}})};          // document 3
  const auto templates = recur::make_templates(cands, {{0}, {1, 2}}, t, 2);
  ASSERT_EQ(templates.size(), 1u);  // {0} occurs in one document only
  EXPECT_EQ(templates[0].candidate, 1u);
  EXPECT_EQ(templates[0].documents, 3u);  // its variant adds document 3
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

TEST(CanonicalForm, IsTheMostFrequentForm) {
  const Occurrences listed{{0, 4}, {10, 4}, {20, 4}};
  const std::vector<std::string> forms{"b", "a", "a"};
  EXPECT_EQ(recur::canonical_form(listed, listed, forms), 1u);
}

TEST(CanonicalForm, TiesGoToTheFormListedFirst) {
  const Occurrences listed{{0, 4}, {10, 4}, {20, 4}, {30, 4}};
  EXPECT_EQ(recur::canonical_form(listed, listed, std::vector<std::string>{"b", "a", "a", "b"}), 0u);
  EXPECT_EQ(recur::canonical_form(listed, listed, std::vector<std::string>{"b", "a", "c", "a"}), 1u);
}

TEST(CanonicalForm, OnlyOccurrencesWhereTheTemplateItselfOccursCount) {
  // At 10 and 20 a variant stands (not in `own`), so its form cannot win however often it occurs.
  const Occurrences listed{{0, 4}, {10, 5}, {20, 5}, {30, 4}};
  const Occurrences own{{0, 4}, {30, 4}};
  EXPECT_EQ(recur::canonical_form(listed, own, std::vector<std::string>{"x", "v", "v", "y"}), 0u);
  EXPECT_EQ(recur::canonical_form(listed, Occurrences{{30, 4}}, std::vector<std::string>{"x", "v", "v", "y"}), 3u);
  EXPECT_EQ(recur::canonical_form(listed, Occurrences{{5, 4}}, std::vector<std::string>{"x", "v", "v", "y"}), 0u);
}

TEST(CountVariants, CountsOccurrencesAndDistinctDocumentsPerWrittenText) {
  const std::vector<recur::PhraseLocation> locs{location("a.txt", 1, "甲，乙"), location("a.txt", 1, "甲，乙"),
                                                location("b.txt", 1, "甲、乙"), location("a.txt", 2, "甲，乙"),
                                                location("c.txt", 1, "甲、乙")};
  const auto v = recur::count_variants(locs);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].text, "甲，乙");
  EXPECT_EQ(v[0].occurrences, 3u);
  EXPECT_EQ(v[0].documents, 2u);  // a.txt document 1 twice, document 2 once
  EXPECT_EQ(v[1].text, "甲、乙");
  EXPECT_EQ(v[1].occurrences, 2u);
  EXPECT_EQ(v[1].documents, 2u);
}

TEST(CountVariants, TiesGoByDocumentsThenText) {
  const std::vector<recur::PhraseLocation> locs{location("a", 1, "z"), location("a", 1, "z"), location("a", 1, "y"),
                                                location("b", 1, "y"), location("a", 1, "x"), location("c", 1, "x")};
  const auto v = recur::count_variants(locs);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].text, "x");  // 2 occurrences in 2 documents, before "y" by text
  EXPECT_EQ(v[1].text, "y");
  EXPECT_EQ(v[2].text, "z");  // 2 occurrences in 1 document
}

}  // namespace
