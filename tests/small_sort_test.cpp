// detail::small_sort_unique_avx512 (src/small_sort.hpp) against sort + unique, at every size it
// takes: each count of registers, each partial last register, the sizes that share an instance
// (17-32 registers round up to a multiple of 4), values equal to the UINT32_MAX padding, and runs
// of duplicates across register boundaries. Skipped on a processor without AVX-512F; the sort
// that verification uses there is tested by SortUniqueHashes (cluster_test.cpp).
#include "../src/small_sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace {

std::vector<std::uint32_t> sorted_unique(std::vector<std::uint32_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

TEST(SmallSort, EqualsSortThenUniqueAtEverySize) {
  if (!recur::detail::small_sort_avx512_available()) GTEST_SKIP() << "no AVX-512F on this processor";
  std::mt19937_64 rng(5);
  const auto draw = [&](int kind) -> std::uint32_t {
    switch (kind) {
      case 0: return static_cast<std::uint32_t>(rng());               // distinct, as hashes are
      case 1: return static_cast<std::uint32_t>(rng() % 9);           // long runs of duplicates
      case 2: return rng() % 3 == 0 ? UINT32_MAX : static_cast<std::uint32_t>(rng());  // the pad's value
      default: return static_cast<std::uint32_t>(rng() % 40) * 0x10000u;  // a few, both ends of a lane
    }
  };
  for (std::size_t n = 0; n <= recur::detail::kSmallSortMax; ++n) {
    for (int kind = 0; kind < 4; ++kind) {
      std::vector<std::uint32_t> v(n);
      for (auto& x : v) x = draw(kind);
      // The sort may write only where the values are: a guard after them stays as it was.
      std::vector<std::uint32_t> buffer = v;
      buffer.push_back(0xC0FFEEu);
      const std::size_t kept = recur::detail::small_sort_unique_avx512(buffer.data(), n);
      ASSERT_EQ(buffer[n], 0xC0FFEEu) << "n = " << n << ", kind " << kind;
      buffer.resize(kept);
      ASSERT_EQ(buffer, sorted_unique(v)) << "n = " << n << ", kind " << kind;
    }
  }
}

TEST(SmallSort, DescendingAndAlreadySortedInputs) {
  if (!recur::detail::small_sort_avx512_available()) GTEST_SKIP() << "no AVX-512F on this processor";
  for (std::size_t n : {std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{255}, std::size_t{256},
                        std::size_t{257}, recur::detail::kSmallSortMax}) {
    std::vector<std::uint32_t> down(n), up(n);
    for (std::size_t i = 0; i < n; ++i) {
      down[i] = static_cast<std::uint32_t>(n - 1 - i) * 7u;
      up[i] = static_cast<std::uint32_t>(i) * 7u;
    }
    std::vector<std::uint32_t> a = down, b = up;
    a.resize(recur::detail::small_sort_unique_avx512(a.data(), n));
    b.resize(recur::detail::small_sort_unique_avx512(b.data(), n));
    EXPECT_EQ(a, up) << "n = " << n;
    EXPECT_EQ(b, up) << "n = " << n;
  }
}

}  // namespace
