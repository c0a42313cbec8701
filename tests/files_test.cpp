// Tests for the file adapter of corpus.hpp: reading byte ranges back from an input file, as
// verification and the report do for the paragraphs they need.
#include "recur/corpus.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "test_util.hpp"

namespace {

using recur_test::TempDir;
using recur_test::write_file;
using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

TEST(ReadRanges, ReadsEachRangeInItsOrderFromOneFile) {
  TempDir t;
  const std::string path = t.file("a.txt");
  const std::string bytes = "第一段。\n第二段。\nthird\n";
  write_file(path, bytes);
  const Ranges ranges = {{bytes.find("第二段"), bytes.find("\nthird")}, {0, 3}, {5, 5}, {bytes.size() - 6, bytes.size()}};
  std::vector<std::string> out = {"left over"};
  const recur::Status s = recur::read_ranges(path, ranges, out);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], "第二段。");
  EXPECT_EQ(out[1], "第");
  EXPECT_EQ(out[2], "");
  EXPECT_EQ(out[3], "third\n");
}

TEST(ReadRanges, NoRangesNeedNoFile) {
  std::vector<std::string> out = {"x"};
  EXPECT_TRUE(recur::read_ranges("/nonexistent/recur/file", {}, out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(ReadRanges, AMissingFileOrARangePastTheEndIsAnError) {
  TempDir t;
  const std::string path = t.file("short.txt");
  write_file(path, "0123456789");
  std::vector<std::string> out;
  recur::Status s = recur::read_ranges(t.file("missing.txt"), Ranges{{0, 1}}, out);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), recur::StatusCode::not_found);
  EXPECT_NE(s.message().find("cannot open"), std::string::npos) << s.message();
  s = recur::read_ranges(path, Ranges{{2, 4}, {8, 20}}, out);
  EXPECT_EQ(s.code(), recur::StatusCode::changed);
  EXPECT_NE(s.message().find("shorter"), std::string::npos) << s.message();
  // Nothing half read is handed back: "23" was read before the failure, "89" and padding after.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "");
  EXPECT_EQ(out[1], "");
  s = recur::read_ranges(path, Ranges{{5, 3}}, out);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(s.message().empty());
}

}  // namespace
