// Property test: shingles -> MinHash -> LSH -> exact verification, checked against brute force
// exact Jaccard over every pair of a generated corpus of near-duplicate paragraphs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <random>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "recur/cluster.hpp"
#include "recur/verify.hpp"
#include "recur/lsh.hpp"
#include "recur/minhash.hpp"
#include "recur/shingle.hpp"

namespace {

using Pair = std::pair<std::uint32_t, std::uint32_t>;

std::string utf8(char32_t c) {
  std::string s;
  s += static_cast<char>(0xE0 | (c >> 12));
  s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  s += static_cast<char>(0x80 | (c & 0x3F));
  return s;
}

// A generated corpus: paragraphs of CJK characters from a small alphabet, as character indices.
struct Corpus {
  std::vector<std::string> texts;
  std::vector<std::vector<std::uint64_t>> sets;         // shingle sets (sorted, unique)
  std::vector<std::vector<std::uint32_t>> signatures;   // 128 permutations
};

Corpus make_corpus() {
  std::mt19937_64 rng(0x5EED);
  // 300 distinct common Han characters (U+4E00.., every 37th: all unified ideographs, all normal).
  std::vector<std::string> alphabet;
  for (char32_t i = 0; i < 300; ++i) alphabet.push_back(utf8(0x4E00 + i * 37));
  auto pick = [&] { return static_cast<int>(rng() % alphabet.size()); };
  auto uniform = [&] { return std::uniform_real_distribution<double>(0, 1)(rng); };

  std::vector<std::vector<int>> paragraphs;
  const int bases = 220;
  for (int i = 0; i < bases; ++i) {
    std::vector<int> base(40 + rng() % 161);  // 40..200 characters
    for (auto& c : base) c = pick();
    paragraphs.push_back(base);
    // Edited copies: substitute, insert or delete 0..25% of the characters. Some are copies of
    // copies, so pairs inside a family spread over the whole range of similarities.
    const int copies = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < copies; ++k) {
      const auto& source = (k > 0 && rng() % 2) ? paragraphs.back() : base;
      const double rate = 0.25 * uniform();
      std::vector<int> copy;
      for (int c : source) {
        if (uniform() >= rate) {
          copy.push_back(c);
          continue;
        }
        switch (rng() % 3) {
          case 0: copy.push_back(pick()); break;                 // substitute
          case 1: copy.push_back(c); copy.push_back(pick()); break;  // insert
          default: break;                                        // delete
        }
      }
      paragraphs.push_back(copy);
    }
  }

  Corpus corpus;
  recur::Shingler shingler;
  const recur::MinHasher hasher;
  for (const auto& p : paragraphs) {
    std::string text;
    for (std::size_t i = 0; i < p.size(); ++i) {
      text += alphabet[p[i]];
      if (i % 23 == 22) text += "，";  // punctuation, which shingles skip
    }
    text += "。";
    corpus.texts.push_back(text);
    corpus.sets.emplace_back();
    shingler.shingle_set(text, corpus.sets.back());
    corpus.signatures.emplace_back(hasher.options().perms);
    hasher.sign(corpus.sets.back(), corpus.signatures.back());
  }
  return corpus;
}

const Corpus& corpus() {
  static const Corpus c = make_corpus();
  return c;
}

// Brute force, independent of recur::exact_jaccard.
double brute_jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> inter;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(inter));
  const std::size_t uni = a.size() + b.size() - inter.size();
  return uni == 0 ? 1.0 : static_cast<double>(inter.size()) / static_cast<double>(uni);
}

struct AllPairs {
  std::vector<Pair> pairs;
  std::vector<double> jaccard;
};

const AllPairs& all_pairs() {
  static const AllPairs all = [] {
    AllPairs out;
    const auto& sets = corpus().sets;
    for (std::uint32_t a = 0; a < sets.size(); ++a) {
      for (std::uint32_t b = a + 1; b < sets.size(); ++b) {
        const double j = brute_jaccard(sets[a], sets[b]);
        if (j > 0.05) {  // everything below is far from any threshold tested
          out.pairs.emplace_back(a, b);
          out.jaccard.push_back(j);
        }
      }
    }
    return out;
  }();
  return all;
}

void check_threshold(double threshold) {
  const auto& c = corpus();
  const auto n = c.texts.size();
  recur::LshOptions options;
  options.threshold = threshold;
  const recur::LshParams params = recur::resolve_params(128, options);
  ASSERT_LE(params.bands * params.rows, 128u);

  std::vector<std::uint64_t> keys(n * params.bands);
  for (std::size_t i = 0; i < n; ++i) {
    recur::band_keys(c.signatures[i], params,
                     std::span<std::uint64_t>(keys.data() + i * params.bands, params.bands));
  }
  const auto candidates = recur::candidate_pairs(keys, n, params.bands);
  const std::set<Pair> candidate_set(candidates.begin(), candidates.end());
  ASSERT_EQ(candidate_set.size(), candidates.size()) << "duplicate candidate pairs";

  // The similarity distribution really spreads over 0..1.
  const auto& all = all_pairs();
  int buckets[10] = {};
  for (double j : all.jaccard) ++buckets[std::min(9, static_cast<int>(j * 10))];
  for (int b = 2; b < 10; ++b) EXPECT_GE(buckets[b], 20) << "few pairs with J in [" << b / 10.0 << ", " << (b + 1) / 10.0 << ")";

  // RECALL. A pair with Jaccard s is missed with probability 1 - P(s) (about 1.6% at s = 0.6 for
  // the default 30x4 curve), so demanding that *no* pair near threshold + 0.1 is missed would only
  // test luck. Instead: every pair at threshold + 0.2 or more is found (miss probability < 3e-4
  // per pair at 0.5, < 1e-5 at 0.7), and the misses in [threshold + 0.1, threshold + 0.2) are
  // no more than the S-curve predicts plus five standard deviations.
  const double near = threshold + 0.1, far = threshold + 0.2;
  std::size_t above_near = 0, found_near = 0, above_far = 0, found_far = 0;
  double expected_misses = 0, miss_variance = 0;
  for (std::size_t i = 0; i < all.pairs.size(); ++i) {
    const double j = all.jaccard[i];
    if (j < near) continue;
    const bool found = candidate_set.count(all.pairs[i]) > 0;
    ++above_near;
    found_near += found;
    if (j >= far) {
      ++above_far;
      found_far += found;
      EXPECT_TRUE(found) << "missed pair " << all.pairs[i].first << "," << all.pairs[i].second
                         << " with Jaccard " << j;
    } else {
      const double miss = 1 - recur::collision_probability(j, params);
      expected_misses += miss;
      miss_variance += miss * (1 - miss);
    }
  }
  const double misses_near = static_cast<double>((above_near - above_far) - (found_near - found_far));
  EXPECT_LE(misses_near, expected_misses + 5 * std::sqrt(miss_variance) + 1)
      << "more misses in [" << near << ", " << far << ") than the S-curve allows";

  // Every candidate shares a band key (no invented pairs), and every pair sharing one is a
  // candidate (checked on all pairs with J > 0.05; the rest almost never share a key).
  for (const auto& [a, b] : candidates) {
    ASSERT_LT(a, b);
    ASSERT_LT(b, n);
    bool shares = false;
    for (unsigned k = 0; k < params.bands && !shares; ++k) {
      shares = keys[a * params.bands + k] == keys[b * params.bands + k];
    }
    EXPECT_TRUE(shares) << a << "," << b;
  }
  for (const auto& [a, b] : all.pairs) {
    bool shares = false;
    for (unsigned k = 0; k < params.bands && !shares; ++k) {
      shares = keys[a * params.bands + k] == keys[b * params.bands + k];
    }
    EXPECT_EQ(shares, candidate_set.count({a, b}) > 0) << a << "," << b;
  }

  // PRECISION after verification: what exact_jaccard keeps is exactly the candidates whose brute
  // force Jaccard reaches the threshold.
  std::size_t kept = 0;
  for (const auto& [a, b] : candidates) {
    const double exact = recur::exact_jaccard(c.sets[a], c.sets[b]);
    const double brute = brute_jaccard(c.sets[a], c.sets[b]);
    EXPECT_DOUBLE_EQ(exact, brute) << a << "," << b;
    if (exact >= threshold) {
      ++kept;
      EXPECT_GE(brute, threshold) << "kept pair " << a << "," << b << " below the threshold";
    }
  }

  std::printf("[ property ] threshold %.1f, %ux%u, %zu paragraphs: %zu pairs >= %.1f, %zu found "
              "(%zu >= %.1f, %zu found; %.2f misses expected below %.1f), %zu candidates, %zu kept\n",
              threshold, params.bands, params.rows, n, above_near, near, found_near, above_far, far,
              found_far, expected_misses, far, candidates.size(), kept);
  EXPECT_GT(above_far, 100u) << "the corpus has too few similar pairs to test anything";
  EXPECT_GT(kept, 0u);
}

TEST(PropertyLshAgainstBruteForce, ThresholdOneHalfFindsAllPairsAboveSevenTenthsAndAsManyAboveSixTenthsAsTheCurvePredicts) {
  check_threshold(0.5);
}

TEST(PropertyLshAgainstBruteForce, ThresholdSevenTenthsFindsAllPairsAboveNineTenthsAndAsManyAboveEightTenthsAsTheCurvePredicts) {
  check_threshold(0.7);
}

}  // namespace
