// Tests for the file adapter of corpus.hpp: reading byte ranges back from an input file, as
// verification and the report do for the paragraphs they need.
#include "recur/corpus.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
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

// Ranges near each other are read together (one system call) and cut apart: any mix of near,
// far (beyond the 64 KiB gap), overlapping, nested and repeated ranges, in any order, gives each
// range's own bytes.
TEST(ReadRanges, ManyRangesNearAndFarGiveEachItsBytes) {
  TempDir t;
  const std::string path = t.file("big.txt");
  std::string bytes;
  std::mt19937 rng(3);
  for (std::size_t k = 0; k < 400000; ++k) bytes += static_cast<char>('a' + rng() % 26);
  write_file(path, bytes);
  Ranges ranges;
  for (int k = 0; k < 300; ++k) {
    const std::uint64_t b = rng() % bytes.size();
    const std::uint64_t len = k % 7 == 0 ? rng() % 200000 : rng() % 300;
    ranges.emplace_back(b, std::min<std::uint64_t>(bytes.size(), b + len));
  }
  ranges.emplace_back(10, 20);
  ranges.emplace_back(10, 20);  // twice
  ranges.emplace_back(15, 18);  // inside another
  std::vector<std::string> out;
  const recur::Status s = recur::read_ranges(path, ranges, out);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(out.size(), ranges.size());
  for (std::size_t k = 0; k < ranges.size(); ++k)
    EXPECT_EQ(out[k], bytes.substr(ranges[k].first, ranges[k].second - ranges[k].first)) << "range " << k;
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
