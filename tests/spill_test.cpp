// The Spill stores (spill.hpp): values read back where they were written, from several threads;
// the file store leaves no file behind.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <numeric>
#include <thread>
#include <vector>

#include "recur/corpus.hpp"
#include "recur/spill.hpp"
#include "test_util.hpp"

using namespace recur_test;

namespace {

// Four threads each reserve room for pieces of different sizes and write them (some room left
// unwritten, as the index stage leaves it); every piece reads back as written, and reads outside
// the reserved room fail.
void expect_round_trips(recur::Spill& spill) {
  constexpr int kThreads = 4, kPieces = 50;
  std::vector<std::vector<std::uint64_t>> at(kThreads, std::vector<std::uint64_t>(kPieces));
  const auto piece = [](int t, int k) {
    std::vector<std::uint32_t> v(static_cast<std::size_t>(1 + (t * 7919 + k * 104729) % 3000));
    std::iota(v.begin(), v.end(), static_cast<std::uint32_t>(t) << 24 | static_cast<std::uint32_t>(k) << 12);
    return v;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPieces; ++k) {
        const std::vector<std::uint32_t> v = piece(t, k);
        at[t][k] = spill.reserve(v.size() + 100);  // 100 values never written
        EXPECT_TRUE(spill.write(at[t][k], v));
      }
    });
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t)
    for (int k = 0; k < kPieces; ++k) {
      const std::vector<std::uint32_t> v = piece(t, k);
      std::vector<std::uint32_t> got(v.size());
      ASSERT_TRUE(spill.read(at[t][k], got)) << t << " " << k;
      EXPECT_EQ(got, v) << t << " " << k;
    }
  const std::uint64_t end = spill.reserve(0);
  std::vector<std::uint32_t> past(10);
  EXPECT_FALSE(spill.read(end, past));
  EXPECT_FALSE(spill.write(end, past));
}

TEST(Spill, MemorySpillReadsBackWhatWasWrittenWhereItWasReserved) {
  recur::MemorySpill spill;
  expect_round_trips(spill);
}

TEST(Spill, FileSpillReadsBackWhatWasWrittenAndLeavesNoFile) {
  TempDir dir;
  std::string error;
  {
    const std::unique_ptr<recur::FileSpill> spill = recur::FileSpill::create(dir.path().string(), error);
    ASSERT_TRUE(spill) << error;
    EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "the spill's file has a name";
    expect_round_trips(*spill);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Spill, FileSpillInAMissingDirectoryIsAnErrorThatSaysWhere) {
  TempDir dir;
  std::string error;
  const std::string missing = dir.file("no/such/dir");
  EXPECT_FALSE(recur::FileSpill::create(missing, error));
  EXPECT_NE(error.find("cannot make a temporary file in " + missing), std::string::npos) << error;
}

}  // namespace
