// detail::parallel_sort (src/parallel_sort.hpp): the same order as a plain sort for any number of
// threads, on ranges below and above the size where it starts threads.
#include "../src/parallel_sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

namespace {

// Like chain_templates' pieces: many equal leading fields, a total order over all four.
struct Piece {
  std::uint32_t paragraph, begin, end, group;
  bool operator==(const Piece&) const = default;
};
bool less(const Piece& a, const Piece& b) {
  return std::tie(a.paragraph, a.begin, a.end, a.group) < std::tie(b.paragraph, b.begin, b.end, b.group);
}

TEST(ParallelSort, GivesThePlainSortsOrderForAnyThreadCount) {
  std::mt19937 rng(11);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{1000},
                        static_cast<std::size_t>(recur::detail::kParallelSortMin) + 1, std::size_t{400000}}) {
    std::vector<Piece> v(n);
    for (std::size_t i = 0; i < n; ++i)
      v[i] = {static_cast<std::uint32_t>(rng() % 500), static_cast<std::uint32_t>(rng() % 50),
              static_cast<std::uint32_t>(rng() % 50), static_cast<std::uint32_t>(i)};
    std::vector<Piece> want = v;
    std::sort(want.begin(), want.end(), less);
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
      std::vector<Piece> got = v;
      recur::detail::parallel_sort(got.begin(), got.end(), less, threads);
      ASSERT_EQ(got, want) << "n " << n << " threads " << threads;
    }
  }
}

}  // namespace
