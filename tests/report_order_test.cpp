// order_report (materialise.hpp): the report's order, --cross-doc and the document pairs from the
// members' fixed-size facts, which an MPI run gathers from its ranks in any order.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "recur/materialise.hpp"
#include "recur/source.hpp"

namespace recur {
namespace {

const std::vector<std::uint64_t>& chars_of(std::size_t input) {
  static const std::vector<std::vector<std::uint64_t>> chars = {{100, 50}, {200}, {400}};
  return chars.at(input);
}
std::string name_of(std::uint32_t input, std::uint32_t doc) {
  return "doc " + std::to_string(input) + "." + std::to_string(doc);
}

// Clusters (in clustering order):
//   0: 2 members, inputs 0 and 1, weight 10
//   1: 3 members, all in input 0 document 1, weight 20
//   2: 2 members, inputs 1 and 2, weight 20
//   3: 3 members, inputs 0 (doc 2), 1, 2, weight 10
std::vector<MemberFacts> facts() {
  return {
      {0, 0, 0, 1, 7},  {0, 1, 1, 1, 10},                   //
      {1, 0, 0, 1, 5},  {1, 1, 0, 1, 12}, {1, 2, 0, 1, 8},  //
      {2, 0, 1, 1, 30}, {2, 1, 2, 1, 20},                   //
      {3, 0, 0, 2, 9},  {3, 1, 1, 1, 4},  {3, 2, 2, 1, 6},
  };
}

ReportOrder order(std::span<const MemberFacts> f, const Source& source, bool cross_doc, ClusterOrder by) {
  return order_report(4, f, source, cross_doc, by, chars_of, name_of);
}

TEST(ReportOrder, ByWeightThenSizeThenClusteringOrder) {
  const MemorySource source{{"a.txt", ""}, {"b.txt", ""}, {"c.txt", ""}};
  const ReportOrder o = order(facts(), source, false, ClusterOrder::weight);
  // Weights 10, 20, 20, 10: 1 before 2 (sizes 3, 2), then 3 before 0 (sizes 3, 2).
  EXPECT_EQ(o.clusters, (std::vector<std::uint32_t>{1, 2, 3, 0}));
  EXPECT_EQ(o.single_document, 0u);
  EXPECT_EQ(o.clustered_paragraphs, 10u);
}

TEST(ReportOrder, BySizeThenWeight) {
  const MemorySource source{{"a.txt", ""}, {"b.txt", ""}, {"c.txt", ""}};
  const ReportOrder o = order(facts(), source, false, ClusterOrder::size);
  EXPECT_EQ(o.clusters, (std::vector<std::uint32_t>{1, 3, 2, 0}));
}

TEST(ReportOrder, FactsInAnyOrderGiveTheSameOrder) {
  const MemorySource source{{"a.txt", ""}, {"b.txt", ""}, {"c.txt", ""}};
  const ReportOrder want = order(facts(), source, true, ClusterOrder::weight);
  std::vector<MemberFacts> f = facts();
  std::reverse(f.begin(), f.end());
  std::rotate(f.begin(), f.begin() + 3, f.end());
  const ReportOrder got = order(f, source, true, ClusterOrder::weight);
  EXPECT_EQ(got.clusters, want.clusters);
  ASSERT_EQ(got.documents.size(), want.documents.size());
  for (std::size_t k = 0; k < got.documents.size(); ++k) {
    EXPECT_EQ(got.documents[k].a.path, want.documents[k].a.path);
    EXPECT_EQ(got.documents[k].b.document_index, want.documents[k].b.document_index);
    EXPECT_EQ(got.documents[k].a.chars, want.documents[k].a.chars);
  }
}

TEST(ReportOrder, CrossDocLeavesOutClustersOfOneDocument) {
  const MemorySource source{{"a.txt", ""}, {"b.txt", ""}, {"c.txt", ""}};
  const ReportOrder o = order(facts(), source, true, ClusterOrder::weight);
  EXPECT_EQ(o.clusters, (std::vector<std::uint32_t>{2, 3, 0}));
  EXPECT_EQ(o.single_document, 1u);
  EXPECT_EQ(o.clustered_paragraphs, 7u);
}

TEST(ReportOrder, DocumentPairsAddUpOverClusters) {
  const MemorySource source{{"a.txt", ""}, {"b.txt", ""}, {"c.txt", ""}};
  const ReportOrder o = order(facts(), source, false, ClusterOrder::weight);
  // Pairs (documents by input.document): 0.1-1.1 (cluster 0), 1.1-2.1 (2 and 3), 0.2-1.1 and
  // 0.2-2.1 (3); most shared characters first, ties in input order.
  ASSERT_EQ(o.documents.size(), 4u);
  const DocumentPair& top = o.documents[0];
  EXPECT_EQ(top.a.path, "b.txt");
  EXPECT_EQ(top.b.path, "c.txt");
  EXPECT_EQ(top.a.paragraphs, 2u);
  EXPECT_EQ(top.a.chars, 34u);
  EXPECT_EQ(top.b.chars, 26u);
  EXPECT_EQ(top.a.document, "doc 1.1");
  EXPECT_DOUBLE_EQ(top.a.share, 34.0 / 200.0);
  EXPECT_DOUBLE_EQ(top.b.share, 26.0 / 400.0);
  EXPECT_EQ(o.documents[1].a.path, "a.txt");  // 7 + 10 = 17
  EXPECT_EQ(o.documents[1].a.document_index, 1u);
  EXPECT_EQ(o.documents[2].a.document_index, 2u);  // 9 + 6 = 15, before 9 + 4 = 13
  EXPECT_EQ(o.documents[2].b.path, "c.txt");
  EXPECT_EQ(o.documents[3].b.path, "b.txt");
}

TEST(ReportOrder, InputsOfEqualNamesAreOneDocument) {
  // Inputs 0 and 1 have the same name: cluster 1's members are in one document, as the report's
  // paths say, and the pair is named after the first of them.
  const MemorySource source{{"a.txt", ""}, {"a.txt", ""}, {"c.txt", ""}};
  const std::vector<MemberFacts> f = {{0, 0, 0, 1, 7}, {0, 1, 1, 1, 10}, {1, 0, 1, 1, 3}, {1, 1, 2, 1, 4}};
  const ReportOrder o = order_report(2, f, source, true, ClusterOrder::weight, chars_of, name_of);
  EXPECT_EQ(o.clusters, (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(o.single_document, 1u);
  ASSERT_EQ(o.documents.size(), 1u);
  EXPECT_EQ(o.documents[0].a.document, "doc 0.1");
}

TEST(ReportOrder, MissingOrRepeatedMembersAreAnError) {
  const MemorySource source{{"a.txt", ""}, {"b.txt", ""}, {"c.txt", ""}};
  std::vector<MemberFacts> f = facts();
  f[1].member = 0;  // cluster 0 gets member 0 twice
  EXPECT_THROW(order(f, source, false, ClusterOrder::weight), std::logic_error);
  f = facts();
  f.pop_back();
  f.pop_back();
  f.pop_back();  // cluster 3 without members
  EXPECT_THROW(order(f, source, false, ClusterOrder::weight), std::logic_error);
}

}  // namespace
}  // namespace recur
