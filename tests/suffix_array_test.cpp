// suffix_array() and permuted_lcp() against a plain sort of all suffixes, and against
// libdivsufsort (the byte-alphabet library recur used before) on byte texts.
#include "recur/suffix_array.hpp"

#include <divsufsort.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace {

using recur::permuted_lcp;
using recur::suffix_array;

template <class Sym>
std::vector<std::uint32_t> naive_sa(const std::vector<Sym>& t) {
  std::vector<std::uint32_t> sa(t.size());
  std::iota(sa.begin(), sa.end(), 0u);
  std::sort(sa.begin(), sa.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::lexicographical_compare(t.begin() + a, t.end(), t.begin() + b, t.end());
  });
  return sa;
}

// LCP of each suffix with the one before it in sa, symbol 0 matching nothing; by position.
template <class Sym>
std::vector<std::uint32_t> naive_plcp(const std::vector<Sym>& t, const std::vector<std::uint32_t>& sa) {
  std::vector<std::uint32_t> plcp(t.size(), 0);
  for (std::size_t i = 1; i < sa.size(); ++i) {
    std::size_t h = 0;
    while (sa[i] + h < t.size() && sa[i - 1] + h < t.size() && t[sa[i] + h] != 0 && t[sa[i] + h] == t[sa[i - 1] + h]) ++h;
    plcp[sa[i]] = static_cast<std::uint32_t>(h);
  }
  return plcp;
}

// Texts that exercise the recursion: tiny alphabets, runs, and periodic stretches.
template <class Sym>
std::vector<Sym> random_text(std::mt19937& rng, std::size_t n, std::uint32_t alphabet) {
  std::vector<Sym> t(n);
  const int shape = static_cast<int>(rng() % 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (shape == 1 && i >= 3 && rng() % 4 != 0) t[i] = t[i - 3];               // period 3, with breaks
    else if (shape == 2 && i > 0 && rng() % 3 != 0) t[i] = t[i - 1];           // long runs
    else if (shape == 3 && i >= 7 && rng() % 8 != 0) t[i] = t[i - 1 - rng() % 7];  // copies of recent text
    else t[i] = static_cast<Sym>(rng() % alphabet);
  }
  return t;
}

TEST(SuffixArray, MatchesASortOfAllSuffixesOnSmallAlphabetsAndRepetitiveTexts) {
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    const std::size_t n = rng() % 120;
    const std::uint32_t alphabet = 1 + rng() % (round % 3 == 0 ? 2 : 6);
    const auto t = random_text<std::uint16_t>(rng, n, alphabet);
    std::vector<std::uint32_t> sa;
    suffix_array(std::span<const std::uint16_t>(t), alphabet, sa);
    ASSERT_EQ(sa, naive_sa(t)) << "round " << round << " n " << n << " alphabet " << alphabet;
  }
}

TEST(SuffixArray, ThirtyTwoBitSymbolsOverALargeAlphabet) {
  std::mt19937 rng(11);
  for (int round = 0; round < 500; ++round) {
    const std::size_t n = rng() % 300;
    // 300000 is past the alphabet at which induced sorting reads the type bits instead of the
    // bucket pointers (kPointerAlphabet); 70000 and 3 are below it.
    const std::uint32_t alphabet = round % 3 == 2 ? 300000 : round % 3 == 1 ? 70000 : 3;
    const auto t = random_text<std::uint32_t>(rng, n, alphabet);
    std::vector<std::uint32_t> sa;
    suffix_array(std::span<const std::uint32_t>(t), alphabet, sa);
    ASSERT_EQ(sa, naive_sa(t)) << "round " << round;
  }
}

// Above 2^20 symbols the sorted LMS suffixes go to their buckets one by one instead of as runs
// (kRunAlphabet): both ways, on texts long enough for several pieces on two threads.
TEST(SuffixArray, LmsSuffixesPlacedAsRunsAndOneByOne) {
  std::mt19937 rng(17);
  for (int round = 0; round < 8; ++round) {
    const std::size_t n = 5000 + rng() % 5000;
    const std::uint32_t alphabet = round % 2 == 0 ? (std::uint32_t{1} << 20) : (std::uint32_t{1} << 20) + 1 + rng() % 100000;
    auto t = random_text<std::uint32_t>(rng, n, 6);  // repetitive, so the recursion runs
    for (auto& c : t) c = c * (alphabet / 6);          // spread over the whole alphabet
    for (unsigned threads : {1u, 2u}) {
      std::vector<std::uint32_t> sa;
      suffix_array(std::span<const std::uint32_t>(t), alphabet, sa, threads);
      ASSERT_EQ(sa, naive_sa(t)) << "round " << round << " alphabet " << alphabet << " threads " << threads;
    }
  }
}

// Induction reads its slots a chunk of 4,096 at a time and keeps a chunk current when it writes
// into it: texts of many chunks, at the top level through the bucket pointers (70000, 3) and
// through the type bits (300000).
// Induction works a chunk of 4096 slots at a time, gathering the next chunk before placing the
// current one (on a second thread with threads >= 2): texts of several chunks check the slots that
// placing writes in its own chunk and in the next one.
TEST(SuffixArray, TextsOfManyInductionChunks) {
  std::mt19937 rng(5);
  for (int round = 0; round < 12; ++round) {
    const std::size_t n = 20000 + rng() % 30000;
    const std::uint32_t alphabet = round % 3 == 2 ? 300000 : round % 3 == 1 ? 70000 : 3;
    const auto t = random_text<std::uint32_t>(rng, n, alphabet);
    const auto want = naive_sa(t);
    for (unsigned threads : {1u, 2u}) {
      std::vector<std::uint32_t> sa;
      suffix_array(std::span<const std::uint32_t>(t), alphabet, sa, threads);
      ASSERT_EQ(sa, want) << "round " << round << " n " << n << " alphabet " << alphabet << " threads " << threads;
    }
    if (alphabet <= 0xFFFF) {  // the 16-bit text the phrases use, on two threads
      const std::vector<std::uint16_t> t16(t.begin(), t.end());
      std::vector<std::uint32_t> sa;
      suffix_array(std::span<const std::uint16_t>(t16), alphabet, sa, 2);
      ASSERT_EQ(sa, want) << "round " << round << " n " << n << " alphabet " << alphabet;
    }
  }
}

// The symbol counts are taken on several threads: over a large alphabet each of up to 4 threads
// counts the symbols of its own range of it (every symbol occurs here, so those at the ranges' edges too),
// over a small one each counts a part of the text. Copies of earlier stretches make the recursion
// run, and its alphabet of names is large as well.
TEST(SuffixArray, BucketsCountedOnSeveralThreadsOverEverySymbol) {
  std::mt19937 rng(23);
  for (const std::uint32_t alphabet : {3u, 300u, 70001u, 150000u}) {
    std::vector<std::uint32_t> t;
    for (std::uint32_t c = 0; c < alphabet; ++c) t.push_back(c);
    std::shuffle(t.begin(), t.end(), rng);
    while (t.size() < std::max<std::size_t>(40000, alphabet + alphabet / 2)) {  // copies of earlier stretches
      const std::size_t from = rng() % t.size(), len = 1 + rng() % 40;
      for (std::size_t k = 0; k < len && from + k < t.size(); ++k) t.push_back(t[from + k]);
    }
    const auto want = naive_sa(t);
    for (unsigned threads : {1u, 2u, 3u, 6u}) {  // 6: more threads than ranges of the alphabet
      std::vector<std::uint32_t> sa;
      suffix_array(std::span<const std::uint32_t>(t), alphabet, sa, threads);
      ASSERT_EQ(sa, want) << "alphabet " << alphabet << " threads " << threads;
    }
  }
}

// With two threads the types are found in pieces of 64-position words, each starting from the type
// of the position after it, which a run of equal symbols carries from its end: runs across the
// pieces, ending below or above their symbol, or at the end of the text. Checked as a sorted
// permutation (a plain sort of these suffixes is slow: they share prefixes thousands long).
TEST(SuffixArray, RunsAcrossTheThreadsPieces) {
  std::mt19937 rng(3);
  auto sorted_permutation = [](const std::vector<std::uint16_t>& t, const std::vector<std::uint32_t>& sa) {
    std::vector<char> seen(t.size(), 0);
    for (std::uint32_t p : sa) {
      if (p >= t.size() || seen[p]) return false;
      seen[p] = 1;
    }
    for (std::size_t i = 1; i < sa.size(); ++i)
      if (!std::lexicographical_compare(t.begin() + sa[i - 1], t.end(), t.begin() + sa[i], t.end())) return false;
    return sa.size() == t.size();
  };
  for (int round = 0; round < 8; ++round) {
    std::vector<std::uint16_t> t = random_text<std::uint16_t>(rng, 1000 + rng() % 4000, 8);
    const std::size_t run = 3000 + rng() % 9000;
    const auto c = static_cast<std::uint16_t>(3 + rng() % 3);
    t.insert(t.end(), run, c);
    if (round % 4 != 3) {  // round 3 and 7: the run ends the text
      t.push_back(static_cast<std::uint16_t>(round % 2 == 0 ? c - 1 : c + 1));
      const auto tail = random_text<std::uint16_t>(rng, rng() % 3000, 8);
      t.insert(t.end(), tail.begin(), tail.end());
    }
    for (unsigned threads : {1u, 2u, 3u}) {
      std::vector<std::uint32_t> sa;
      suffix_array(std::span<const std::uint16_t>(t), 8, sa, threads);
      ASSERT_TRUE(sorted_permutation(t, sa)) << "round " << round << " n " << t.size() << " threads " << threads;
    }
  }
}

TEST(SuffixArray, EdgeCases) {
  std::vector<std::uint32_t> sa;
  suffix_array(std::span<const std::uint16_t>(), 1, sa);
  EXPECT_TRUE(sa.empty());
  for (std::size_t n : {1, 2, 3, 64, 65, 1000}) {
    const std::vector<std::uint16_t> same(n, 0);  // a prefix sorts first: n-1, n-2, ..., 0
    suffix_array(std::span<const std::uint16_t>(same), 1, sa);
    std::vector<std::uint32_t> want(n);
    for (std::size_t i = 0; i < n; ++i) want[i] = static_cast<std::uint32_t>(n - 1 - i);
    EXPECT_EQ(sa, want) << n;
    std::vector<std::uint16_t> up(n), down(n);
    for (std::size_t i = 0; i < n; ++i) up[i] = static_cast<std::uint16_t>(i), down[i] = static_cast<std::uint16_t>(n - i);
    suffix_array(std::span<const std::uint16_t>(up), static_cast<std::uint32_t>(n + 1), sa);
    EXPECT_EQ(sa, naive_sa(up));
    suffix_array(std::span<const std::uint16_t>(down), static_cast<std::uint32_t>(n + 1), sa);
    EXPECT_EQ(sa, naive_sa(down));
  }
}

// Large enough for several levels of recursion; checked against libdivsufsort on the same bytes.
TEST(SuffixArray, AgreesWithLibdivsufsortOnLargeByteTexts) {
  std::mt19937 rng(3);
  for (const std::uint32_t alphabet : {2u, 4u, 256u}) {
    const auto t16 = random_text<std::uint16_t>(rng, 200000, alphabet);
    std::vector<std::uint8_t> bytes(t16.begin(), t16.end());
    std::vector<saidx_t> want(bytes.size());
    ASSERT_EQ(divsufsort(bytes.data(), want.data(), static_cast<saidx_t>(bytes.size())), 0);
    std::vector<std::uint32_t> sa;
    suffix_array(std::span<const std::uint16_t>(t16), alphabet, sa);
    ASSERT_EQ(sa.size(), want.size());
    EXPECT_TRUE(std::equal(sa.begin(), sa.end(), want.begin(), [](std::uint32_t a, saidx_t b) { return a == static_cast<std::uint32_t>(b); }))
        << "alphabet " << alphabet;
  }
}

TEST(PermutedLcp, MatchesDirectComparisonStoppingAtSeparatorsForAnyThreadCount) {
  std::mt19937 rng(5);
  for (int round = 0; round < 300; ++round) {
    const std::size_t n = rng() % 300;
    const std::uint32_t alphabet = 1 + rng() % 4;  // symbol 0 (the separator) is frequent
    const auto t = random_text<std::uint16_t>(rng, n, alphabet);
    const auto sa = naive_sa(t);
    const auto want = naive_plcp(t, sa);
    for (unsigned threads : {1u, 3u}) {  // each worker's range restarts its count
      std::vector<std::uint32_t> plcp;
      permuted_lcp(std::span<const std::uint16_t>(t), sa, plcp, threads);
      ASSERT_EQ(plcp, want) << "round " << round << " threads " << threads;
    }
  }
}

TEST(PermutedLcp, MarkedCarriesTheSeparatorAndLeftDifferenceOfEachSuffix) {
  std::mt19937 rng(9);
  for (int round = 0; round < 300; ++round) {
    const std::size_t n = 1 + rng() % 300;
    const std::uint32_t alphabet = 1 + rng() % 4;
    const auto t = random_text<std::uint16_t>(rng, n, alphabet);
    const auto sa = naive_sa(t);
    const auto lcp = naive_plcp(t, sa);
    std::vector<std::uint32_t> want(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t p = sa[i];
      // The symbol left of a suffix, or none (-1) at the start or after a separator.
      auto left = [&](std::uint32_t q) { return q == 0 || t[q - 1] == 0 ? -1 : static_cast<int>(t[q - 1]); };
      const bool differs = i == 0 || left(p) < 0 || left(sa[i - 1]) < 0 || left(p) != left(sa[i - 1]);
      want[p] = lcp[p] | (t[p] == 0 ? recur::kLcpSeparator : 0) | (differs ? recur::kLcpLeftDiffers : 0);
    }
    for (unsigned threads : {1u, 3u}) {
      std::vector<std::uint32_t> plcp;
      recur::permuted_lcp_marked(std::span<const std::uint16_t>(t), sa, plcp, threads);
      ASSERT_EQ(plcp, want) << "round " << round << " threads " << threads;
    }
  }
}

// The PositionArray overloads size their output without clearing it: a reused array whose old
// contents are garbage must give the vector's result, on one thread and on two.
TEST(SuffixArray, PositionArrayOverGarbageGivesTheVectorsResult) {
  std::mt19937 rng(21);
  recur::PositionArray sa, plcp;
  for (int round = 0; round < 6; ++round) {
    const std::size_t n = 20000 + rng() % 30000;
    const std::uint32_t alphabet = round % 2 == 0 ? 5 : 60000;
    const auto t = random_text<std::uint16_t>(rng, n, alphabet);
    std::vector<std::uint32_t> want;
    suffix_array(std::span<const std::uint16_t>(t), alphabet, want, 1);
    std::vector<std::uint32_t> want_lcp;
    recur::permuted_lcp_marked(std::span<const std::uint16_t>(t), want, want_lcp, 1);
    for (unsigned threads : {1u, 2u}) {
      sa.assign(n + 100, 0xA5A5A5A5u);  // garbage within the capacity the next resize reuses
      sa.clear();
      suffix_array(std::span<const std::uint16_t>(t), alphabet, sa, threads);
      ASSERT_TRUE(std::equal(sa.begin(), sa.end(), want.begin(), want.end())) << "round " << round << " threads " << threads;
      plcp.assign(n + 100, 0x5A5A5A5Au);
      plcp.clear();
      recur::permuted_lcp_marked(std::span<const std::uint16_t>(t), sa, plcp, threads);
      ASSERT_TRUE(std::equal(plcp.begin(), plcp.end(), want_lcp.begin(), want_lcp.end()))
          << "round " << round << " threads " << threads;
    }
    const std::vector<std::uint32_t> t32(t.begin(), t.end());
    sa.assign(n, 7u);
    sa.clear();
    suffix_array(std::span<const std::uint32_t>(t32), alphabet, sa, 2);
    ASSERT_TRUE(std::equal(sa.begin(), sa.end(), want.begin(), want.end())) << "round " << round << " 32-bit";
  }
}

}  // namespace
