// Tests for lsh.hpp: the S-curve, choosing bands and rows, band keys and candidate pairs.
#include "recur/lsh.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace {

using recur::LshOptions;
using recur::LshParams;
using Pairs = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

// --- collision_probability -------------------------------------------------------------------

TEST(CollisionProbability, IsZeroAtZeroAndOneAtOne) {
  for (LshParams p : {LshParams{1, 1}, LshParams{30, 4}, LshParams{16, 8}, LshParams{128, 1}}) {
    EXPECT_DOUBLE_EQ(recur::collision_probability(0.0, p), 0.0);
    EXPECT_DOUBLE_EQ(recur::collision_probability(1.0, p), 1.0);
  }
}

TEST(CollisionProbability, FollowsTheFormulaAndIsMonotone) {
  for (LshParams p : {LshParams{1, 1}, LshParams{30, 4}, LshParams{16, 8}, LshParams{5, 20}}) {
    double last = 0;
    for (int i = 0; i <= 100; ++i) {
      const double s = i / 100.0;
      const double got = recur::collision_probability(s, p);
      EXPECT_NEAR(got, 1 - std::pow(1 - std::pow(s, p.rows), p.bands), 1e-12);
      EXPECT_GE(got, last) << "s = " << s;
      last = got;
    }
  }
  EXPECT_DOUBLE_EQ(recur::collision_probability(0.5, {1, 1}), 0.5);
  EXPECT_NEAR(recur::collision_probability(0.5, {2, 1}), 0.75, 1e-15);
  EXPECT_NEAR(recur::collision_probability(0.5, {1, 2}), 0.25, 1e-15);
}

// --- optimal_params: checked against an independent brute force -------------------------------

// Simpson's rule on [a, b] with n (even) intervals.
template <typename F>
double integrate(F f, double a, double b, int n = 500) {
  if (b <= a) return 0;
  const double h = (b - a) / n;
  double sum = f(a) + f(b);
  for (int i = 1; i < n; ++i) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return sum * h / 3;
}

double p_curve(double s, unsigned b, unsigned r) { return 1 - std::pow(1 - std::pow(s, r), b); }

double weighted_error(unsigned b, unsigned r, const LshOptions& o) {
  const double fp = integrate([&](double s) { return p_curve(s, b, r); }, 0, o.threshold);
  const double fn = integrate([&](double s) { return 1 - p_curve(s, b, r); }, o.threshold, 1);
  return o.false_positive_weight * fp + o.false_negative_weight * fn;
}

// Every (b, r) with b * r <= perms; the smallest weighted error wins, ties to fewer bands.
LshParams brute_force_params(unsigned perms, const LshOptions& o) {
  LshParams best{};
  double best_error = INFINITY;
  for (unsigned b = 1; b <= perms; ++b) {
    for (unsigned r = 1; b * r <= perms; ++r) {
      const double e = weighted_error(b, r, o);
      if (e < best_error - 1e-12) {
        best_error = e;
        best = {b, r};
      }
    }
  }
  return best;
}

TEST(OptimalParams, DefaultsAt128PermsGiveAHighRecallCurveAroundOneHalf) {
  const LshOptions options;
  EXPECT_DOUBLE_EQ(options.threshold, 0.5);
  const LshParams p = recur::optimal_params(128, options);
  EXPECT_GE(p.bands, 1u);
  EXPECT_GE(p.rows, 1u);
  EXPECT_LE(p.bands * p.rows, 128u);
  EXPECT_GE(recur::collision_probability(0.6, p), 0.97) << p.bands << "x" << p.rows;
  EXPECT_LE(recur::collision_probability(0.2, p), 0.3) << p.bands << "x" << p.rows;
  EXPECT_EQ(p, brute_force_params(128, options));
  EXPECT_EQ(p, (LshParams{30, 4}));  // the brute force's answer, written out
}

TEST(OptimalParams, AgreesWithBruteForceAcrossThresholdsAndPermutations) {
  for (unsigned perms : {32u, 64u, 128u, 256u}) {
    for (double threshold : {0.3, 0.5, 0.7, 0.8, 0.9}) {
      LshOptions options;
      options.threshold = threshold;
      const LshParams got = recur::optimal_params(perms, options);
      const LshParams expected = brute_force_params(perms, options);
      EXPECT_EQ(got, expected) << "perms " << perms << " threshold " << threshold << ": got "
                               << got.bands << "x" << got.rows << " (error "
                               << weighted_error(got.bands, got.rows, options) << "), expected "
                               << expected.bands << "x" << expected.rows << " (error "
                               << weighted_error(expected.bands, expected.rows, options) << ")";
    }
  }
}

TEST(OptimalParams, EqualWeightsAgreeWithBruteForce) {
  LshOptions options;
  options.false_positive_weight = 0.5;
  options.false_negative_weight = 0.5;
  for (double threshold : {0.5, 0.8}) {
    options.threshold = threshold;
    EXPECT_EQ(recur::optimal_params(128, options), brute_force_params(128, options)) << threshold;
  }
}

TEST(OptimalParams, AHigherThresholdGivesAHigherCurve) {
  LshOptions low, high;
  low.threshold = 0.5;
  high.threshold = 0.8;
  const auto pl = recur::optimal_params(128, low), ph = recur::optimal_params(128, high);
  EXPECT_LT(recur::collision_probability(0.6, ph), recur::collision_probability(0.6, pl));
  EXPECT_GE(recur::collision_probability(0.9, ph), 0.97);
}

// --- resolve_params --------------------------------------------------------------------------

TEST(ResolveParams, UsesGivenBandsAndRows) {
  LshOptions options;
  options.bands = 16;
  options.rows = 8;
  EXPECT_EQ(recur::resolve_params(128, options), (LshParams{16, 8}));
  options.bands = 10;
  options.rows = 5;  // fewer than perms is allowed
  EXPECT_EQ(recur::resolve_params(128, options), (LshParams{10, 5}));
}

TEST(ResolveParams, ChoosesBothWhenNeitherIsGiven) {
  for (double threshold : {0.5, 0.7}) {
    LshOptions options;
    options.threshold = threshold;
    EXPECT_EQ(recur::resolve_params(128, options), recur::optimal_params(128, options));
  }
}

TEST(ResolveParams, ChoosesTheMissingOneWhenOnlyOneIsGiven) {
  LshOptions options;
  options.bands = 20;
  auto p = recur::resolve_params(128, options);
  EXPECT_EQ(p.bands, 20u);
  EXPECT_GE(p.rows, 1u);
  EXPECT_LE(p.bands * p.rows, 128u);

  options.bands = 0;
  options.rows = 5;
  p = recur::resolve_params(128, options);
  EXPECT_EQ(p.rows, 5u);
  EXPECT_GE(p.bands, 1u);
  EXPECT_LE(p.bands * p.rows, 128u);
}

// --- LshOptions::validate --------------------------------------------------------------------

TEST(LshOptionsValidate, AcceptsDefaultsAndBandsThatFit) {
  EXPECT_EQ(LshOptions{}.validate(128), "");
  LshOptions options;
  options.bands = 16;
  options.rows = 8;
  EXPECT_EQ(options.validate(128), "");
  options.threshold = 1.0;
  EXPECT_EQ(options.validate(128), "");
}

TEST(LshOptionsValidate, RejectsBandsTimesRowsAbovePerms) {
  LshOptions options;
  options.bands = 20;
  options.rows = 8;
  EXPECT_FALSE(options.validate(128).empty());
  EXPECT_EQ(options.validate(160), "");
  options.rows = 0;
  options.bands = 200;  // even one row each is too many
  EXPECT_FALSE(options.validate(128).empty());
  options.bands = 0;
  options.rows = 129;
  EXPECT_FALSE(options.validate(128).empty());
}

TEST(LshOptionsValidate, RejectsThresholdsOutsideZeroToOne) {
  for (double t : {0.0, -0.1, 1.0001, 2.0, std::nan("")}) {
    LshOptions options;
    options.threshold = t;
    EXPECT_FALSE(options.validate(128).empty()) << t;
  }
  for (double t : {0.01, 0.5, 1.0}) {
    LshOptions options;
    options.threshold = t;
    EXPECT_EQ(options.validate(128), "") << t;
  }
}

// --- band_keys -------------------------------------------------------------------------------

std::vector<std::uint64_t> keys_of(const std::vector<std::uint32_t>& sig, LshParams p) {
  std::vector<std::uint64_t> keys(p.bands, 0);
  recur::band_keys(sig, p, keys);
  return keys;
}

std::vector<std::uint32_t> random_signature(std::mt19937_64& rng, std::size_t n = 128) {
  std::vector<std::uint32_t> sig(n);
  for (auto& v : sig) v = static_cast<std::uint32_t>(rng());
  return sig;
}

TEST(BandKeys, AreDeterministic) {
  std::mt19937_64 rng(1);
  const auto sig = random_signature(rng);
  EXPECT_EQ(keys_of(sig, {16, 8}), keys_of(sig, {16, 8}));
  EXPECT_EQ(keys_of(sig, {30, 4}), keys_of(sig, {30, 4}));
}

TEST(BandKeys, DifferBetweenBandsWithEqualRows) {
  const std::vector<std::uint32_t> sig(128, 7);
  for (LshParams p : {LshParams{16, 8}, LshParams{32, 4}, LshParams{128, 1}}) {
    const auto keys = keys_of(sig, p);
    const std::set<std::uint64_t> distinct(keys.begin(), keys.end());
    EXPECT_EQ(distinct.size(), keys.size()) << p.bands << "x" << p.rows;
  }
}

TEST(BandKeys, EachKeyDependsOnlyOnItsOwnRows) {
  std::mt19937_64 rng(2);
  const LshParams p{16, 8};
  const auto sig = random_signature(rng);
  const auto keys = keys_of(sig, p);
  for (std::size_t pos : {0u, 7u, 8u, 43u, 127u}) {
    auto changed = sig;
    changed[pos] ^= 1;
    const auto k = keys_of(changed, p);
    for (std::size_t band = 0; band < p.bands; ++band) {
      if (band == pos / p.rows) {
        EXPECT_NE(k[band], keys[band]) << "position " << pos;
      } else {
        EXPECT_EQ(k[band], keys[band]) << "position " << pos << " band " << band;
      }
    }
  }
}

TEST(BandKeys, EqualRowsInTheSameBandGiveEqualKeys) {
  std::mt19937_64 rng(3);
  const LshParams p{30, 4};
  auto a = random_signature(rng), b = random_signature(rng);
  std::copy(a.begin() + 12, a.begin() + 16, b.begin() + 12);  // band 3 equal
  const auto ka = keys_of(a, p), kb = keys_of(b, p);
  for (std::size_t band = 0; band < p.bands; ++band) {
    if (band == 3) {
      EXPECT_EQ(ka[band], kb[band]);
    } else {
      EXPECT_NE(ka[band], kb[band]) << band;
    }
  }
}

// --- candidate_pairs -------------------------------------------------------------------------

Pairs brute_force_pairs(const std::vector<std::uint64_t>& keys, std::size_t count, unsigned bands) {
  Pairs out;
  for (std::uint32_t a = 0; a < count; ++a) {
    for (std::uint32_t b = a + 1; b < count; ++b) {
      for (unsigned j = 0; j < bands; ++j) {
        if (keys[a * bands + j] == keys[b * bands + j]) {
          out.emplace_back(a, b);
          break;
        }
      }
    }
  }
  return out;
}

TEST(CandidatePairs, AreExactlyThePairsSharingAKeyInSomeBand) {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 30; ++trial) {
    const std::size_t count = 5 + rng() % 60;
    const unsigned bands = 1 + rng() % 6;
    const unsigned alphabet = 2 + rng() % 40;
    std::vector<std::uint64_t> keys(count * bands);
    for (std::size_t i = 0; i < count; ++i) {
      for (unsigned j = 0; j < bands; ++j) {
        // Keys of different bands never coincide, as with band_keys().
        keys[i * bands + j] = (std::uint64_t{j} << 40) + rng() % alphabet;
      }
    }
    const auto got = recur::candidate_pairs(keys, count, bands);
    EXPECT_EQ(got, brute_force_pairs(keys, count, bands))
        << "trial " << trial << ": " << count << " items, " << bands << " bands";
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
    EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end());
    for (const auto& [a, b] : got) EXPECT_LT(a, b);
  }
}

// Brute force over band-major 32-bit keys: per band, the items of each key in order; a group over
// max_bucket gives only the pairs of its first item. Sorted, without duplicates.
Pairs band_groups_brute_force(const std::vector<std::uint32_t>& keys, std::size_t count, unsigned bands,
                              std::size_t max_bucket) {
  Pairs want;
  for (unsigned j = 0; j < bands; ++j) {
    std::map<std::uint32_t, std::vector<std::uint32_t>> groups;
    for (std::uint32_t i = 0; i < count; ++i) groups[keys[j * count + i]].push_back(i);
    for (const auto& [key, items] : groups)
      for (std::size_t x = 0; x < (items.size() > max_bucket ? 1 : items.size()); ++x)
        for (std::size_t y = x + 1; y < items.size(); ++y) want.emplace_back(items[x], items[y]);
  }
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  return want;
}

// Folded keys spread over all 32 bits, so that every bucket of the partition (by the top 8 bits,
// in two passes of 4) holds items, against brute force, with and without cut buckets.
TEST(CandidatePairs, KeysOverAllBitsAgainstBruteForceWithCutBuckets) {
  std::mt19937_64 rng(5);
  const std::size_t count = 3000;
  const unsigned bands = 4;
  std::vector<std::uint64_t> keys(count * bands);
  for (std::size_t i = 0; i < count; ++i)
    for (unsigned j = 0; j < bands; ++j)  // about 3 items per key: many runs of 2 to 8
      keys[i * bands + j] = (rng() % 1000) * 0x9E3779B97F4A7C15ULL + j;
  std::vector<std::uint32_t> folded(count * bands);  // band-major, as candidate_pairs folds them
  for (std::size_t i = 0; i < count; ++i)
    for (unsigned j = 0; j < bands; ++j) folded[j * count + i] = recur::fold_key(keys[i * bands + j]);
  for (std::size_t max_bucket : {std::size_t{3}, SIZE_MAX}) {
    const Pairs want = band_groups_brute_force(folded, count, bands, max_bucket);
    std::size_t cut = 0;
    const auto got = recur::candidate_pairs(keys, count, bands, max_bucket, &cut, 2);
    EXPECT_GT(want.size(), 1000u);
    EXPECT_EQ(got, want) << "max_bucket " << max_bucket;
    EXPECT_EQ(cut > 0, max_bucket == 3);
  }
}

// Large families, as on a dense corpus: items in groups of about 150 that share most bands, so
// each item has hundreds of emitted pairs to sort and deduplicate (past the insertion sort's
// 32), next to items with a few; against brute force, on one and two threads.
TEST(CandidatePairs, LargeFamiliesSharingMostBandsAgainstBruteForce) {
  std::mt19937_64 rng(13);
  const std::size_t count = 1500;
  const unsigned bands = 5;
  std::vector<std::uint32_t> keys(count * bands);
  for (std::size_t i = 0; i < count; ++i)
    for (unsigned j = 0; j < bands; ++j) {
      const bool family = i % 3 != 0 && rng() % 5 != 0;  // two thirds in families, sharing 4 of 5 bands
      keys[j * count + i] = family ? static_cast<std::uint32_t>((i % 7) * 0x9E3779B1u + j)
                                   : static_cast<std::uint32_t>(rng() % 2000) * 0x85EBCA77u + j;
    }
  const Pairs want = band_groups_brute_force(keys, count, bands, SIZE_MAX);
  EXPECT_GT(want.size(), 50000u);
  for (unsigned threads : {1u, 2u})
    EXPECT_EQ(recur::candidate_pairs_band_major(keys, count, bands, SIZE_MAX, nullptr, threads), want)
        << threads << " threads";
}

TEST(CandidatePairs, FromBandKeysOfSignatures) {
  // Items 0, 2 and 5 share band 1; items 1 and 4 share band 0; everything else is random.
  std::mt19937_64 rng(7);
  const LshParams p{4, 2};
  std::vector<std::vector<std::uint32_t>> sigs;
  for (int i = 0; i < 6; ++i) sigs.push_back(random_signature(rng, 8));
  for (int i : {2, 5}) std::copy(sigs[0].begin() + 2, sigs[0].begin() + 4, sigs[i].begin() + 2);
  std::copy(sigs[1].begin(), sigs[1].begin() + 2, sigs[4].begin());
  sigs[3][4] = sigs[0][2];  // same values in another band do not collide
  sigs[3][5] = sigs[0][3];
  std::vector<std::uint64_t> keys;
  for (const auto& s : sigs) {
    const auto k = keys_of(s, p);
    keys.insert(keys.end(), k.begin(), k.end());
  }
  EXPECT_EQ(recur::candidate_pairs(keys, sigs.size(), p.bands), (Pairs{{0, 2}, {0, 5}, {1, 4}, {2, 5}}));
}

TEST(CandidatePairs, NoItemsOrNoCollisionsGiveNoPairs) {
  EXPECT_TRUE(recur::candidate_pairs(std::span<const std::uint64_t>(), 0, 4).empty());
  EXPECT_TRUE(recur::candidate_pairs_band_major(std::span<const std::uint32_t>(), 0, 4).empty());
  const std::vector<std::uint64_t> keys = {1, 2, 3, 4, 5, 6};
  EXPECT_TRUE(recur::candidate_pairs(keys, 3, 2).empty());
  EXPECT_TRUE(recur::candidate_pairs(keys, 1, 6).empty());
}

TEST(CandidatePairs, APairSharingSeveralBandsIsReportedOnce) {
  const std::vector<std::uint64_t> keys = {1, 2, 3, 1, 2, 3};
  EXPECT_EQ(recur::candidate_pairs(keys, 2, 3), (Pairs{{0, 1}}));
}

TEST(CandidatePairs, AnOversizedBucketGivesOnlyPairsWithItsFirstItem) {
  // One band; items 3, 5, 7, 9 share a key, the others are alone.
  std::vector<std::uint64_t> keys = {100, 101, 102, 7, 104, 7, 106, 7, 108, 7};
  std::size_t truncated = 5;  // added to, not overwritten
  EXPECT_EQ(recur::candidate_pairs(keys, 10, 1, 3, &truncated), (Pairs{{3, 5}, {3, 7}, {3, 9}}));
  EXPECT_EQ(truncated, 6u);

  truncated = 0;  // a bucket of exactly max_bucket items is not cut
  EXPECT_EQ(recur::candidate_pairs(keys, 10, 1, 4, &truncated),
            (Pairs{{3, 5}, {3, 7}, {3, 9}, {5, 7}, {5, 9}, {7, 9}}));
  EXPECT_EQ(truncated, 0u);

  EXPECT_EQ(recur::candidate_pairs(keys, 10, 1, 3).size(), 3u);  // no counter: fine
}

TEST(CandidatePairs, TruncationCountsEachCutBucketAndKeepsOtherBands) {
  // Two bands: band 0 bucket {3,5,7,9} is cut, band 1 pairs 5 and 7 and items 0..2 together.
  std::vector<std::uint64_t> keys(20);
  for (std::uint64_t i = 0; i < 10; ++i) {
    keys[i * 2] = 1000 + i;
    keys[i * 2 + 1] = 2000 + i;
  }
  for (int i : {3, 5, 7, 9}) keys[i * 2] = 1;
  keys[5 * 2 + 1] = keys[7 * 2 + 1] = 2;
  for (int i : {0, 1, 2}) keys[i * 2 + 1] = 3;
  std::size_t truncated = 0;
  EXPECT_EQ(recur::candidate_pairs(keys, 10, 2, 2, &truncated),
            (Pairs{{0, 1}, {0, 2}, {3, 5}, {3, 7}, {3, 9}, {5, 7}}));
  EXPECT_EQ(truncated, 2u);
}

}  // namespace

TEST(CandidatePairs, FoldedAndFullKeysGiveTheSamePairs) {
  std::mt19937_64 rng(99);
  const std::size_t n = 300;
  const unsigned bands = 5;
  std::vector<std::uint64_t> full(n * bands);
  for (auto& k : full) k = (rng() % 40) * 0x100000001ULL + 7;  // collisions, both halves used
  std::vector<std::uint32_t> folded(full.size());  // band-major
  for (std::size_t i = 0; i < n; ++i)
    for (unsigned b = 0; b < bands; ++b) folded[b * n + i] = recur::fold_key(full[i * bands + b]);
  const auto a = recur::candidate_pairs(std::span<const std::uint64_t>(full), n, bands);
  const auto b = recur::candidate_pairs_band_major(folded, n, bands, SIZE_MAX, nullptr, 2);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

// The pipeline hands keys over band by band; the result must be that of the row-major form,
// including which buckets are cut.
TEST(CandidatePairs, BandMajorKeysGiveTheSamePairsAsRowMajor) {
  std::mt19937_64 rng(7);
  const std::size_t n = 2000;
  const unsigned bands = 6;
  std::vector<std::uint64_t> rows(n * bands);
  std::vector<std::uint32_t> by_band(n * bands);
  for (std::size_t i = 0; i < n; ++i)
    for (unsigned b = 0; b < bands; ++b) {
      // Keys spread over all 32 bits (every radix digit matters), with some collisions.
      const std::uint32_t k = static_cast<std::uint32_t>((rng() % 500) * 0x9E3779B1u);
      rows[i * bands + b] = k;
      by_band[b * n + i] = k;
    }
  for (std::size_t max_bucket : {std::size_t{3}, SIZE_MAX}) {
    std::size_t cut_rows = 0, cut_bands = 0;
    const auto a = recur::candidate_pairs(std::span<const std::uint64_t>(rows), n, bands, max_bucket, &cut_rows);
    const auto b = recur::candidate_pairs_band_major(by_band, n, bands, max_bucket, &cut_bands, 2);
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, b);
    EXPECT_EQ(cut_rows, cut_bands);
  }
}


// A band range's pairs: every pair of the range shares a key in it, and the union over a split
// of the bands is the pairs of all bands (how a process that owns some bands would use it).
TEST(CandidatePairs, BandRangesUnionToAllBands) {
  std::mt19937_64 rng(11);
  const std::size_t n = 1500;
  const unsigned bands = 7;
  std::vector<std::uint32_t> keys(n * bands);
  for (auto& k : keys) k = static_cast<std::uint32_t>((rng() % 300) * 0x9E3779B1u);
  const auto all = recur::candidate_pairs_band_major(keys, n, bands);
  Pairs joined;
  for (auto [b0, b1] : {std::pair{0u, 3u}, std::pair{3u, 4u}, std::pair{4u, 7u}}) {
    const auto part = recur::candidate_pairs_band_major(
        std::span<const std::uint32_t>(keys).subspan(b0 * n, (b1 - b0) * n), n, b1 - b0);
    for (auto [a, b] : part) {
      bool shared = false;
      for (unsigned band = b0; band < b1; ++band) shared |= keys[band * n + a] == keys[band * n + b];
      EXPECT_TRUE(shared) << a << "," << b << " in bands [" << b0 << "," << b1 << ")";
    }
    joined.insert(joined.end(), part.begin(), part.end());
  }
  std::sort(joined.begin(), joined.end());
  joined.erase(std::unique(joined.begin(), joined.end()), joined.end());
  EXPECT_FALSE(all.empty());
  EXPECT_EQ(joined, all);
}

// BandLookup against a linear scan of the keys.
TEST(BandLookup, FindsExactlyTheItemsWithTheKey) {
  std::mt19937_64 rng(5);
  const std::size_t n = 800;
  const unsigned bands = 5;
  std::vector<std::uint32_t> keys(n * bands);
  for (auto& k : keys) k = static_cast<std::uint32_t>(rng() % 200) * 0x01000193u;
  const recur::BandLookup lookup(keys, n, bands);
  EXPECT_EQ(lookup.count(), n);
  EXPECT_EQ(lookup.bands(), bands);
  for (int trial = 0; trial < 300; ++trial) {
    const unsigned band = static_cast<unsigned>(rng() % bands);
    const std::uint32_t key = static_cast<std::uint32_t>(rng() % 220) * 0x01000193u;  // some absent
    std::vector<std::uint32_t> expected;
    for (std::size_t i = 0; i < n; ++i)
      if (keys[band * n + i] == key) expected.push_back(static_cast<std::uint32_t>(i));
    const auto got = lookup.items(band, key);
    EXPECT_EQ(std::vector<std::uint32_t>(got.begin(), got.end()), expected) << "band " << band << " key " << key;
  }
  EXPECT_TRUE(lookup.items(bands, keys[0]).empty());  // no such band
}

// A query's candidates are the items that share a band key with it: for an item of the set
// itself, exactly the items it is paired with by candidate_pairs_band_major, plus itself.
TEST(BandLookup, CandidatesOfAnItemAreItsPairsAndItself) {
  std::mt19937_64 rng(9);
  const std::size_t n = 600;
  const unsigned bands = 4;
  std::vector<std::uint32_t> keys(n * bands);
  for (auto& k : keys) k = static_cast<std::uint32_t>(rng() % 150);
  const recur::BandLookup lookup(keys, n, bands);
  const auto pairs = recur::candidate_pairs_band_major(keys, n, bands);
  std::vector<std::set<std::uint32_t>> partners(n);
  for (auto [a, b] : pairs) {
    partners[a].insert(b);
    partners[b].insert(a);
  }
  for (std::uint32_t i = 0; i < n; i += 7) {
    std::vector<std::uint32_t> query(bands);
    for (unsigned b = 0; b < bands; ++b) query[b] = keys[b * n + i];
    std::set<std::uint32_t> expected = partners[i];
    expected.insert(i);
    const auto got = lookup.candidates(query);
    EXPECT_EQ(std::set<std::uint32_t>(got.begin(), got.end()), expected) << "item " << i;
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  }
}
