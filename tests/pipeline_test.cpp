/// \file pipeline_test.cpp
/// run_report() and run_phrases() called in-process on inputs held in memory (InputFile::data,
/// how standard input is read), with no file on disk; and the same run on disk for comparison.
#include "recur/run.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "test_util.hpp"

using namespace recur_test;

namespace {

recur::InputFile memory_file(std::string name, std::string bytes) {
  recur::InputFile f;
  f.path = std::move(name);
  f.size = bytes.size();
  f.data = std::make_shared<const std::string>(std::move(bytes));
  return f;
}

struct Texts {
  std::string a, b, c, shared;
};

Texts sample_texts() {
  std::mt19937_64 rng(11);
  Texts t;
  t.shared = join(random_paragraph(rng, 120, 160));
  t.a = "甲报告\n" + join(random_paragraph(rng, 80, 120)) + "\n" + t.shared + "\n";
  t.b = "乙报告\n" + t.shared + "\n" + join(random_paragraph(rng, 80, 120)) + "\n";
  t.c = "丙报告\n" + join(random_paragraph(rng, 80, 120)) + "\n";
  return t;
}

std::string json_of(const recur::Report& r) {
  std::ostringstream out;
  recur::write_json(r, out);
  return raw_without_timings(out.str());
}

TEST(Pipeline, ReportRunsOnInputsHeldInMemory) {
  const Texts t = sample_texts();
  recur::InputList list;
  list.files = {memory_file("a", t.a), memory_file("b", t.b), memory_file("c", t.c)};
  recur::ReportOptions o;
  o.threads = 2;
  const recur::Report r = recur::run_report(list, o);
  EXPECT_EQ(r.stats.files_read, 3u);
  ASSERT_EQ(r.clusters.size(), 1u);
  ASSERT_EQ(r.clusters[0].members.size(), 2u);
  for (const recur::Member& m : r.clusters[0].members) {
    const std::string& bytes = m.path == "a" ? t.a : t.b;
    EXPECT_EQ(bytes.substr(m.byte_start, m.byte_end - m.byte_start), t.shared);
    EXPECT_EQ(m.text, t.shared);
    EXPECT_DOUBLE_EQ(m.similarity, 1.0);
  }
}

// Two inputs named "a": the report's document pairs count them as one input (as its paths show)
// and name a document as its members are named, here from the second input's --doc-split line.
TEST(Pipeline, DocumentPairsOfInputsWithEqualNamesAreNamedAsTheirMembers) {
  const Texts t = sample_texts();
  recur::InputList list;
  list.files = {memory_file("a", "=== 甲篇\n" + t.c), memory_file("a", "=== 乙篇\n" + t.b),
                memory_file("b", "=== 丙篇\n" + t.a)};
  recur::ReportOptions o;
  o.threads = 2;
  o.input.doc_split = "^=== ";
  const recur::Report r = recur::run_report(list, o);
  ASSERT_EQ(r.clusters.size(), 1u);
  ASSERT_EQ(r.documents.size(), 1u);
  const recur::DocumentPair& d = r.documents[0];
  EXPECT_EQ(d.a.path, "a");
  EXPECT_EQ(d.a.document, "=== 乙篇");
  EXPECT_EQ(d.b.document, "=== 丙篇");
  for (const recur::DocumentShare* side : {&d.a, &d.b}) {
    bool named_as_a_member = false;
    for (const recur::Member& m : r.clusters[0].members)
      named_as_a_member = named_as_a_member || (m.path == side->path && m.document == side->document &&
                                                m.document_index == side->document_index);
    EXPECT_TRUE(named_as_a_member) << side->document;
  }
}

TEST(Pipeline, MemoryAndDiskGiveTheSameReport) {
  const Texts t = sample_texts();
  TempDir dir;
  write_file(dir.path() / "a", t.a);
  write_file(dir.path() / "b", t.b);
  write_file(dir.path() / "c", t.c);
  recur::InputList memory;
  memory.files = {memory_file(dir.file("a"), t.a), memory_file(dir.file("b"), t.b), memory_file(dir.file("c"), t.c)};
  recur::ReportOptions o;
  o.threads = 1;
  const std::string from_memory = json_of(recur::run_report(memory, o));
  const std::string from_disk = json_of(recur::run_report({dir.file("a"), dir.file("b"), dir.file("c")}, o));
  EXPECT_EQ(from_memory, from_disk);
}

TEST(Pipeline, PhrasesRunOnInputsHeldInMemory) {
  const Texts t = sample_texts();
  recur::InputList list;
  list.files = {memory_file("a", t.a), memory_file("b", t.b), memory_file("c", t.c)};
  recur::PhrasesOptions o;
  o.min_docs = 2;
  const recur::PhrasesReport r = recur::run_phrases(list, o);
  ASSERT_FALSE(r.phrases.empty());
  for (const auto& p : r.phrases)
    for (const auto& l : p.locations) {
      const std::string& bytes = l.path == "a" ? t.a : l.path == "b" ? t.b : t.c;
      ASSERT_LE(l.byte_end, bytes.size());
      EXPECT_EQ(bytes.substr(l.byte_start, l.byte_end - l.byte_start), l.text);
    }
}

}  // namespace
