// Tests for clause.hpp: the clause marks recorded with the content characters, the continuations
// taken from the characters, and the clause bounds of shown spans, on hand-made documents.
#include "recur/clause.hpp"

#include <gtest/gtest.h>

#include <thread>

#include <string>
#include <vector>

#include "recur/phrases.hpp"

namespace {

using recur::Boundary;
using recur::Candidate;
using recur::ClauseBounds;
using recur::ClauseMarks;
using recur::Occurrence;
using recur::SegmentedText;

// Hand-made documents (one paragraph each, written with punctuation) as recur phrases reads them:
// content characters and their clause marks.
struct Corpus {
  SegmentedText text;
  ClauseMarks marks;
  std::vector<Candidate> candidates;
};

Corpus corpus_of(const std::vector<std::string>& documents) {
  Corpus c;
  recur::Content content;
  for (std::uint32_t d = 0; d < documents.size(); ++d) {
    recur::extract_content(documents[d], content, false);
    c.text.add_segment(content.chars, d);
    c.marks.append(content.clause_after, 0, 0, content.chars.size());
  }
  recur::RepeatCounts rc;
  c.candidates = recur::span_candidates(c.text, {10, 2, true, 1u << 20}, rc);
  return c;
}

std::u32string u32(const std::string& s) {
  recur::Content content;
  recur::extract_content(s, content, false);
  return {content.chars.begin(), content.chars.end()};
}

std::uint32_t index_of(const Corpus& c, const std::string& text) {
  const std::u32string t = u32(text);
  for (std::uint32_t k = 0; k < c.candidates.size(); ++k)
    if (c.candidates[k].text == t) return k;
  ADD_FAILURE() << "no candidate " << text;
  return 0;
}

// The bounds of candidate `k` from its continuation, with the characters freed before they are
// computed (as the pipeline frees them): clause_bounds must not need them.
ClauseBounds bounds_of(Corpus& c, std::uint32_t k, const recur::TemplateOptions& options = {}) {
  std::vector<std::uint8_t> shared;
  const auto entry = recur::span_continuation(c.text, c.marks, c.candidates[k].occurrences, options, shared);
  SegmentedText segments = c.text;
  segments.chars = {};
  return recur::clause_bounds(c.candidates[k], segments, c.marks, entry, shared, options, 10);
}

// The shown text of candidate `k` at its first occurrence with the bounds' extensions.
std::u32string shown(const Corpus& c, std::uint32_t k, const ClauseBounds& b) {
  std::vector<std::uint8_t> shared;
  const auto entry = recur::span_continuation(c.text, c.marks, c.candidates[k].occurrences, {}, shared);
  (void)entry;
  const auto occ = recur::bounded_occurrences(c.candidates[k], b, shared, 1);
  if (occ.empty()) return {};
  return {c.text.chars.begin() + occ[0].start, c.text.chars.begin() + occ[0].start + occ[0].length};
}

TEST(ClauseMarks, ExtractContentMarksPunctuationTheEnumerationCommaAndTheParagraphEnd) {
  recur::Content content;
  recur::extract_content("体制顺，机制活、人才聚 3.5万 1,000 共10:30止", content, false);
  // 体制顺 机制活 人才聚 3 5 万 1 0 0 0 共 1 0 3 0 止
  ASSERT_EQ(content.chars.size(), 22u);
  EXPECT_EQ(content.clause_after[2], Boundary::clause);  // 顺，
  EXPECT_EQ(content.clause_after[5], Boundary::list);    // 活、
  EXPECT_EQ(content.clause_after[8], Boundary::none);    // 聚 (a space)
  EXPECT_EQ(content.clause_after[9], Boundary::none);    // 3.5: a decimal point
  EXPECT_EQ(content.clause_after[12], Boundary::none);   // 1,000: a thousands separator
  EXPECT_EQ(content.clause_after[18], Boundary::none);   // 10:30: a time
  EXPECT_EQ(content.clause_after[21], Boundary::clause);  // the paragraph's end
}

TEST(ClauseMarks, AStretchOfAParagraphKnowsTheBoundaryBeforeItsFirstCharacter) {
  recur::Content content;
  recur::extract_content("甲乙，丙丁戊", content, false);
  // Two segments, 丙丁戊 (after the comma) and 丁戊, as the kept stretches of the paragraph.
  SegmentedText text;
  ClauseMarks marks;
  for (std::size_t first : {2, 3}) {
    text.add_segment(std::span<const char32_t>(content.chars).subspan(first), 0);
    marks.append(content.clause_after, 0, first, content.chars.size() - first);
  }
  EXPECT_EQ(marks.before(text, 0), Boundary::clause);
  EXPECT_EQ(marks.before(text, 1), Boundary::none);
  EXPECT_EQ(marks.before(text, 3), Boundary::none);
  EXPECT_EQ(marks.after(4), Boundary::clause);
  SegmentedText head_text;
  head_text.add_segment(std::span<const char32_t>(content.chars).first(1), 0);
  ClauseMarks head;
  head.append(content.clause_after, 0, 0, 1);
  EXPECT_EQ(head.before(head_text, 0), Boundary::clause);  // the paragraph's start
}

const std::string kCore = "坚持以新时代思想为指";  // 10 characters, ending inside 指导

TEST(ClauseBounds, AnEndExtendsToTheClauseMarkItsOccurrencesShare) {
  Corpus c = corpus_of({"甲" + kCore + "导，深入学习", "乙" + kCore + "导，全面落实", "丙" + kCore + "引领"});
  const std::uint32_t k = index_of(c, kCore);
  const ClauseBounds b = bounds_of(c, k);
  EXPECT_EQ(b, (ClauseBounds{0, 0, 1, 0}));
  EXPECT_EQ(shown(c, k, b), u32(kCore + "导"));
  // Shared by fewer than the share of its documents: left as it is.
  recur::TemplateOptions strict;
  strict.clause_share = 0.9;
  EXPECT_EQ(bounds_of(c, k, strict), ClauseBounds{});
  recur::TemplateOptions off;
  off.clause_reach = 0;
  EXPECT_EQ(bounds_of(c, k, off), ClauseBounds{});
}

TEST(ClauseBounds, AnEndPastAClauseMarkIsTrimmedBackToIt) {
  const std::string span = kCore + "导，深入";
  Corpus c = corpus_of({"甲" + span + "学习", "乙" + span + "贯彻", "丙" + span + "落实"});
  const std::uint32_t k = index_of(c, span);
  const ClauseBounds b = bounds_of(c, k);
  EXPECT_EQ(b, (ClauseBounds{0, 0, 0, 2}));
  EXPECT_EQ(shown(c, k, b), u32(kCore + "导"));
}

TEST(ClauseBounds, TrimKeepsMinCharsAndNeverCutsAtAnEnumerationComma) {
  // 二十大 ends an item of a list: trimming to the 、 would drop a whole item.
  const std::string span = "学习贯彻党的十八大、十九大、二十大";
  Corpus c = corpus_of({"甲" + span + "精神", "乙" + span + "报告", "丙" + span + "以来"});
  EXPECT_EQ(bounds_of(c, index_of(c, span)), ClauseBounds{});
  // A mark 2 characters inside a span of 11: the rest would be 9, under min_chars (10).
  const std::string short_span = "坚持以新时代思想为，指导";
  Corpus s = corpus_of({"甲" + short_span + "学", "乙" + short_span + "贯", "丙" + short_span + "落"});
  EXPECT_EQ(bounds_of(s, index_of(s, short_span)), ClauseBounds{});
}

TEST(ClauseBounds, OccurrencesThatDisagreeLeaveTheEndAsItIs) {
  Corpus c = corpus_of({"甲" + kCore + "导方针", "乙" + kCore + "引方向", "丙" + kCore + "示精神"});
  EXPECT_EQ(bounds_of(c, index_of(c, kCore)), ClauseBounds{});
}

TEST(ClauseBounds, TheStartExtendsBackAndIsTrimmedForwardLikeTheEnd) {
  const std::string tail = "入贯彻新时代思想为指导。";
  Corpus c = corpus_of({"甲，深" + tail, "乙，深" + tail, "丙浅" + tail});
  const std::uint32_t k = index_of(c, tail);
  const ClauseBounds b = bounds_of(c, k);
  EXPECT_EQ(b, (ClauseBounds{1, 0, 0, 0}));
  EXPECT_EQ(shown(c, k, b), u32("深" + tail));

  const std::string span = "学习，坚持以新时代思想为指导。";
  Corpus t = corpus_of({"甲" + span, "乙" + span, "丙" + span});
  const std::uint32_t j = index_of(t, span);
  const ClauseBounds tb = bounds_of(t, j);
  EXPECT_EQ(tb, (ClauseBounds{0, 2, 0, 0}));
  EXPECT_EQ(shown(t, j, tb), u32("坚持以新时代思想为指导"));
}

// Paragraphs whose candidates continue to the right, to the left, or not at all.
Corpus continuing_corpus() {
  return corpus_of({"甲" + kCore + "导，深入学习", "乙" + kCore + "导，全面落实", "丙" + kCore + "引领",
                    "丁，深入贯彻新时代思想为指导。", "戊，深入贯彻新时代思想为指导。"});
}

// The candidates of `c` over and over, at least `n` of them: more than one block of
// candidate_continuations (2^14) when n is larger.
std::vector<recur::Candidate> repeated_candidates(const Corpus& c, std::size_t n) {
  std::vector<recur::Candidate> many;
  while (many.size() < n)
    for (const auto& cand : c.candidates) many.push_back(cand);
  return many;
}

TEST(ClauseBounds, CandidateContinuationsAreTheSpanContinuationsForAnyThreadCount) {
  Corpus c = continuing_corpus();
  const auto one = recur::candidate_continuations(c.candidates, c.text, c.marks, {}, 1);
  const auto two = recur::candidate_continuations(c.candidates, c.text, c.marks, {}, 2);
  ASSERT_EQ(one.of.size(), c.candidates.size());
  EXPECT_EQ(one.shared, two.shared);
  for (std::size_t k = 0; k < c.candidates.size(); ++k) {
    std::vector<std::uint8_t> shared;
    const auto e = recur::span_continuation(c.text, c.marks, c.candidates[k].occurrences, {}, shared);
    EXPECT_EQ(one.of[k].right, e.right);
    EXPECT_EQ(one.of[k].left, e.left);
    const auto got = one.shared_of(k);
    EXPECT_EQ(std::vector<std::uint8_t>(got.begin(), got.end()), shared);
  }
}

// More candidates than one block of candidate_continuations (2^14): each block's bytes are joined
// after the others, at its offset, on any thread.
TEST(ClauseBounds, CandidateContinuationsJoinManyBlocksInCandidateOrder) {
  const Corpus c = continuing_corpus();
  const std::vector<recur::Candidate> many = repeated_candidates(c, 3 * (std::size_t{1} << 14) + 7);
  std::vector<std::uint8_t> expected;
  std::size_t with = 0;
  for (std::size_t k = 0; k < many.size(); ++k)
    if (const auto e = recur::span_continuation(c.text, c.marks, many[k].occurrences, {}, expected); e.right || e.left) ++with;
  ASSERT_GT(with, 1000u);  // the test needs continuations in every block
  for (const unsigned threads : {1u, 2u, 3u}) {
    const auto got = recur::candidate_continuations(many, c.text, c.marks, {}, threads);
    ASSERT_EQ(got.of.size(), many.size());
    EXPECT_EQ(got.shared, expected) << threads << " threads";
    std::size_t at = 0;
    for (std::size_t k = 0; k < many.size(); ++k) {
      std::vector<std::uint8_t> one;
      recur::span_continuation(c.text, c.marks, many[k].occurrences, {}, one);
      const auto span = got.shared_of(k);
      ASSERT_EQ(std::vector<std::uint8_t>(span.begin(), span.end()), one) << "candidate " << k << ", " << threads << " threads";
      if (!one.empty()) {
        ASSERT_EQ(got.of[k].first, at) << "candidate " << k;
        at += one.size();
      }
    }
  }
}

// Threads that join the builder at different times (the helpers of repeat_candidates at once, the
// calling thread when its candidates are made) give what one thread gives.
TEST(ClauseBounds, ContinuationsBuilderGivesTheSameForLateAndConcurrentWorkers) {
  const Corpus c = continuing_corpus();
  const std::vector<recur::Candidate> many = repeated_candidates(c, 5 * (std::size_t{1} << 14) + 3);
  const auto one = recur::candidate_continuations(many, c.text, c.marks, {}, 1);
  const recur::OccurrencesOf occurrences_of = [&](std::size_t k, std::vector<recur::Occurrence>& scratch) {
    scratch = many[k].occurrences;  // through the scratch, as repeat_candidates hands them out
    return std::span<const recur::Occurrence>(scratch);
  };
  recur::ContinuationsBuilder builder(many.size(), c.text, c.marks, {});
  std::vector<std::thread> early;
  for (int t = 0; t < 2; ++t) early.emplace_back([&] { builder.work(occurrences_of); });
  builder.work(occurrences_of);
  for (auto& t : early) t.join();
  builder.work(occurrences_of);  // nothing left: returns at once
  const auto joined = builder.finish(3);
  EXPECT_EQ(joined.shared, one.shared);
  ASSERT_EQ(joined.of.size(), one.of.size());
  for (std::size_t k = 0; k < many.size(); ++k) {
    ASSERT_EQ(joined.of[k].first, one.of[k].first) << k;
    ASSERT_EQ(joined.of[k].right, one.of[k].right) << k;
    ASSERT_EQ(joined.of[k].left, one.of[k].left) << k;
  }
}

TEST(ClauseTemplates, TheShownCoreMovesAndTheCountsStay) {
  Corpus c = corpus_of({"甲" + kCore + "导，深入学习", "乙" + kCore + "导，全面落实", "丙" + kCore + "引领"});
  const std::uint32_t k = index_of(c, kCore);
  auto templates = recur::make_templates(c.candidates, {{k, {k}}}, c.text, 2);
  ASSERT_EQ(templates.size(), 1u);
  const recur::Template before = templates[0];
  const auto continuations = recur::candidate_continuations(c.candidates, c.text, c.marks, {}, 1);
  SegmentedText segments = c.text;
  segments.chars = {};
  recur::clause_templates(templates, c.candidates, segments, c.marks, continuations, {}, 10);
  const recur::Template& t = templates[0];
  EXPECT_EQ(t.chars, 11u);
  EXPECT_EQ(t.documents, before.documents);
  EXPECT_DOUBLE_EQ(t.score, 3.0 * 11);
  // Its places: the same three, two of them now holding the extension (the shown text), none overlapping.
  ASSERT_EQ(t.occurrences.size(), 3u);
  EXPECT_EQ(t.occurrences[0].length, 11u);
  EXPECT_EQ(t.occurrences[1].length, 11u);
  EXPECT_EQ(t.occurrences[2], before.occurrences[2]);
  for (std::size_t i = 1; i < t.occurrences.size(); ++i)
    EXPECT_LE(t.occurrences[i - 1].start + t.occurrences[i - 1].length, t.occurrences[i].start);
  ASSERT_EQ(t.shown_core.size(), 2u);  // read where the extension is
  EXPECT_EQ(t.shown_core[0], t.occurrences[0]);
}

// Each template is bound on its own: the same templates for any number of threads.
TEST(ClauseTemplates, TheSameForAnyNumberOfThreads) {
  // Hundreds of cores, each in three documents with the continuations of the tests above.
  const std::vector<std::string> pool = {"党", "建", "引", "领", "基", "层", "治", "理", "组", "织",
                                         "人", "才", "干", "部", "队", "伍", "作", "风", "制", "度"};
  std::vector<std::string> docs;
  for (std::uint32_t i = 0; i < 400; ++i) {
    std::string core;
    for (std::uint32_t d = 0, x = i * 2654435761u; d < 10; ++d, x = x * 1103515245u + 12345u) core += pool[(x >> 16) % pool.size()];
    docs.push_back("甲" + core + "导，深入学习");
    docs.push_back("乙" + core + "导，全面落实");
    docs.push_back("丙" + core + "引领");
  }
  Corpus c = corpus_of(docs);
  std::vector<recur::TemplateGroup> groups;
  for (std::uint32_t k = 0; k < c.candidates.size(); ++k) groups.push_back({k, {k}});
  const auto base = recur::make_templates(c.candidates, groups, c.text, 2);
  ASSERT_GE(base.size(), 300u);
  const auto continuations = recur::candidate_continuations(c.candidates, c.text, c.marks, {}, 1);
  auto bound = [&](unsigned threads) {
    auto templates = base;
    recur::clause_templates(templates, c.candidates, c.text, c.marks, continuations, {}, 4, threads);
    return templates;
  };
  const auto one = bound(1);
  ASSERT_TRUE(std::any_of(one.begin(), one.end(), [&](const recur::Template& t) { return t.chars != base[&t - one.data()].chars; }));
  for (const unsigned threads : {2u, 3u}) {
    const auto many = bound(threads);
    ASSERT_EQ(many.size(), one.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
      EXPECT_EQ(many[i].chars, one[i].chars) << i;
      EXPECT_EQ(many[i].extent_chars, one[i].extent_chars) << i;
      EXPECT_EQ(many[i].occurrences, one[i].occurrences) << i;
      EXPECT_EQ(many[i].shown_core, one[i].shown_core) << i;
      EXPECT_EQ(many[i].shown_extent, one[i].shown_extent) << i;
      EXPECT_DOUBLE_EQ(many[i].score, one[i].score) << i;
    }
  }
}

TEST(TemplateOptions, ClauseReachAndShareAreValidated) {
  recur::TemplateOptions o;
  EXPECT_EQ(o.clause_reach, 4u);
  EXPECT_DOUBLE_EQ(o.clause_share, 0.5);
  o.clause_reach = 16;
  EXPECT_FALSE(o.validate().empty());
  o.clause_reach = 15;
  o.clause_share = 0;
  EXPECT_FALSE(o.validate().empty());
}

}  // namespace
