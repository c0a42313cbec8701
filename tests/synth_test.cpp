// recur synth (planted-reuse corpora) and recur eval (pairwise scores).
#include "recur/synth.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using recur::evaluate;
using recur::PlantedParagraph;
using recur::PredictedCluster;
using recur::SynthOptions;
using recur::synthesize;
using recur::TruthEntry;

struct Corpus {
  std::vector<std::string> docs;
  std::vector<std::vector<PlantedParagraph>> planted;
};

Corpus generate(const SynthOptions& o) {
  Corpus c;
  synthesize(o, [&](std::uint64_t index, const std::string& text, const std::vector<PlantedParagraph>& planted) {
    EXPECT_EQ(index, c.docs.size());
    c.docs.push_back(text);
    c.planted.push_back(planted);
  });
  return c;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

SynthOptions small() {
  SynthOptions o;
  o.size = 400'000;
  o.document_bytes = 20'000;
  o.family_rate = 0.05;
  return o;
}

TEST(Synth, SameSeedSameCorpusOtherSeedOtherCorpus) {
  const Corpus a = generate(small()), b = generate(small());
  EXPECT_EQ(a.docs, b.docs);
  SynthOptions o = small();
  o.seed = 8;
  EXPECT_NE(generate(o).docs, a.docs);
}

TEST(Synth, WritesAtLeastTheRequestedSizeInDocumentsOfTheRequestedSize) {
  const SynthOptions o = small();
  const Corpus c = generate(o);
  std::uint64_t total = 0;
  for (const auto& d : c.docs) {
    EXPECT_GE(d.size(), o.document_bytes);
    EXPECT_LT(d.size(), o.document_bytes + 2000);  // one paragraph past the target at most
    total += d.size();
  }
  EXPECT_GE(total, o.size);
  EXPECT_LT(total, o.size + o.document_bytes + 2000);
}

TEST(Synth, PlantedLinesAreFamiliesOfEditedCopiesAtTheStatedRates) {
  const Corpus c = generate(small());
  std::map<std::uint64_t, std::string> original;
  std::size_t copies = 0, exact_copies = 0;
  for (std::size_t d = 0; d < c.docs.size(); ++d) {
    const auto lines = lines_of(c.docs[d]);
    for (const auto& p : c.planted[d]) {
      ASSERT_EQ(p.document, d);
      ASSERT_GE(p.line, 1u);
      ASSERT_LE(p.line, lines.size());
      const std::string& text = lines[p.line - 1];
      if (p.edit_rate == 0 && !original.count(p.family)) {
        original[p.family] = text;  // the original comes first
        continue;
      }
      ASSERT_TRUE(original.count(p.family)) << "copy before its original, family " << p.family;
      ++copies;
      if (text == original[p.family]) ++exact_copies;
      if (p.edit_rate >= 0.08) EXPECT_NE(text, original[p.family]) << "a copy edited at " << p.edit_rate;
    }
  }
  EXPECT_GT(original.size(), 20u);
  EXPECT_GT(copies, original.size());  // 1..4 copies per family, most of them placed
  EXPECT_LT(exact_copies, copies);
}

TEST(Synth, ValidateRejectsBadOptions) {
  SynthOptions o;
  EXPECT_TRUE(o.validate().empty());
  o.size = 0;
  EXPECT_FALSE(o.validate().empty());
  o = SynthOptions{};
  o.edit_rates = {1.5};
  EXPECT_FALSE(o.validate().empty());
}

TEST(Eval, CountsPairsPrecisionRecallAndFamilies) {
  // Family 1: a.txt:1 (0), a.txt:2 (0.04), b.txt:1 (0.12). Family 2: b.txt:2 (0), b.txt:3 (0.08).
  const std::vector<TruthEntry> truth = {{1, "a.txt", 1, 0.0}, {1, "a.txt", 2, 0.04}, {1, "b.txt", 1, 0.12},
                                         {2, "b.txt", 2, 0.0}, {2, "b.txt", 3, 0.08}};
  // One cluster finds two of family 1 plus a background paragraph; another holds family 2 and
  // the third paragraph of family 1.
  const std::vector<PredictedCluster> clusters = {
      {{{"a.txt", 1}, {"a.txt", 2}, {"c.txt", 9}}},
      {{{"b.txt", 1}, {"b.txt", 2}, {"b.txt", 3}}},
  };
  const auto ev = evaluate(clusters, truth);
  EXPECT_EQ(ev.true_pairs, 3u + 1u);
  EXPECT_EQ(ev.predicted_pairs, 3u + 3u);
  EXPECT_EQ(ev.correct_pairs, 1u + 1u);
  EXPECT_DOUBLE_EQ(ev.precision, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(ev.recall, 2.0 / 4.0);
  EXPECT_EQ(ev.families, 2u);
  EXPECT_EQ(ev.families_split, 1u);
  EXPECT_EQ(ev.clusters_merging, 1u);
  EXPECT_EQ(ev.planted_unclustered, 0u);
  // By the larger rate of each pair: family 1 pairs are (0,.04)->.04, (0,.12)->.12, (.04,.12)->.12;
  // family 2's pair -> .08. Found: (a1,a2)->.04 and (b2,b3)->.08.
  EXPECT_EQ(ev.by_edit_rate.at(0.04), std::make_pair(std::uint64_t{1}, std::uint64_t{1}));
  EXPECT_EQ(ev.by_edit_rate.at(0.08), std::make_pair(std::uint64_t{1}, std::uint64_t{1}));
  EXPECT_EQ(ev.by_edit_rate.at(0.12), std::make_pair(std::uint64_t{2}, std::uint64_t{0}));
}

TEST(Eval, PerfectClustersScoreOne) {
  const std::vector<TruthEntry> truth = {{1, "a", 1, 0}, {1, "a", 5, 0.12}, {2, "b", 1, 0}, {2, "c", 1, 0.04}};
  const auto ev = evaluate({{{{"a", 1}, {"a", 5}}}, {{{"b", 1}, {"c", 1}}}}, truth);
  EXPECT_DOUBLE_EQ(ev.precision, 1.0);
  EXPECT_DOUBLE_EQ(ev.recall, 1.0);
  EXPECT_DOUBLE_EQ(ev.f1, 1.0);
  EXPECT_EQ(ev.families_split, 0u);
  EXPECT_EQ(ev.clusters_merging, 0u);
}

}  // namespace
