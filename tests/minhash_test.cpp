// Tests for minhash.hpp: signatures and the Jaccard estimate.
#include "recur/minhash.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kat/minhash_kat.hpp"
#include "recur/error.hpp"
#include "recur/shingle.hpp"
#include "recur/text.hpp"
#include "test_util.hpp"

namespace {

using recur::MinHasher;
using recur::MinHashOptions;

using Signature = std::vector<std::uint32_t>;

// The classic scheme, whose formula several tests below pin.
recur::MinHashOptions classic() {
  recur::MinHashOptions o;
  o.scheme = recur::MinHashScheme::classic;
  return o;
}

Signature sign(const MinHasher& hasher, const std::vector<std::uint64_t>& shingles) {
  Signature sig(hasher.options().perms, 0);
  hasher.sign(shingles, sig);
  return sig;
}

// The shingle list of the known-answer tests with one fixed list (also in minhash_reference.py).
const std::vector<std::uint64_t> kFixedShingles = {0x89ABCDEFull, 42, 7, 1000000007ull, 0xCAFEBABEull, 0,
                                                   0xFFFFFFFFull};

template <std::size_t N>
Signature as_signature(const std::array<std::uint32_t, N>& values) {
  return Signature(values.begin(), values.end());
}

// The Weyl-sequence shingle lists of minhash_reference.py: 64-bit values with both halves busy.
std::vector<std::uint64_t> weyl(std::size_t n) {
  std::vector<std::uint64_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = (i + 1) * 0x9E3779B97F4A7C15ull;
  return v;
}

// Every position compared, and the failure names the first positions that differ.
::testing::AssertionResult same_signature(const Signature& got, const Signature& want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << "length " << got.size() << ", expected " << want.size();
  auto failure = ::testing::AssertionFailure();
  int shown = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i] && shown++ < 5) failure << "value " << i << " is " << got[i] << ", expected " << want[i] << "; ";
  if (shown == 0) return ::testing::AssertionSuccess();
  return failure << shown << " of " << got.size() << " values differ";
}

// MurmurHash3's fmix32 and its inverse, to check the documented permutation independently.
std::uint32_t fmix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

std::uint32_t mod_inverse(std::uint32_t a) {  // a odd; Newton's iteration mod 2^32
  std::uint32_t x = a;
  for (int i = 0; i < 5; ++i) x *= 2u - a * x;
  return x;
}

// The documented input of the permutations: the shingle hash folded to 32 bits (low ^ high).
std::uint32_t fold32(std::uint64_t shingle) { return static_cast<std::uint32_t>(shingle ^ (shingle >> 32)); }

std::uint32_t unfmix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= mod_inverse(0xc2b2ae35u);
  h ^= (h >> 13) ^ (h >> 26);
  h *= mod_inverse(0x85ebca6bu);
  h ^= h >> 16;
  return h;
}

std::vector<std::uint64_t> random_set(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = rng();
  return v;
}

// Two sets with |A ∩ B| = common and |A ∪ B| = common + only_a + only_b.
std::pair<std::vector<std::uint64_t>, std::vector<std::uint64_t>> set_pair(
    std::mt19937_64& rng, std::size_t common, std::size_t only_a, std::size_t only_b) {
  const auto c = random_set(rng, common);
  auto a = c, b = c;
  for (auto x : random_set(rng, only_a)) a.push_back(x);
  for (auto x : random_set(rng, only_b)) b.push_back(x);
  std::shuffle(a.begin(), a.end(), rng);
  std::shuffle(b.begin(), b.end(), rng);
  return {a, b};
}

TEST(MinHashOptions, DefaultsAre128PermutationsSeedOneAndValid) {
  const MinHashOptions options;
  EXPECT_EQ(options.perms, 128u);
  EXPECT_EQ(options.seed, 1u);
  EXPECT_EQ(options.validate(), "");
}

TEST(MinHashOptions, ZeroPermutationsAreInvalid) {
  MinHashOptions options;
  options.perms = 0;
  EXPECT_FALSE(options.validate().empty());
  options.perms = 64;
  EXPECT_EQ(options.validate(), "");
}

TEST(MinHashSign, IsDeterministicAcrossHashers) {
  std::mt19937_64 rng(1);
  const auto set = random_set(rng, 100);
  const MinHasher a, b;
  EXPECT_EQ(sign(a, set), sign(b, set));
  EXPECT_EQ(sign(a, set), sign(a, set));
}

TEST(MinHashSign, IgnoresOrderAndDuplicates) {
  std::mt19937_64 rng(2);
  auto set = random_set(rng, 60);
  const MinHasher hasher;
  const auto expected = sign(hasher, set);
  auto shuffled = set;
  shuffled.insert(shuffled.end(), set.begin(), set.begin() + 20);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  EXPECT_EQ(sign(hasher, shuffled), expected);
  std::sort(set.begin(), set.end());
  EXPECT_EQ(sign(hasher, set), expected);
}

TEST(MinHashSign, EmptySetGivesAllOnes) {
  const MinHasher hasher;
  EXPECT_EQ(sign(hasher, {}), Signature(128, 0xFFFFFFFFu));
  MinHashOptions small;
  small.perms = 7;
  EXPECT_EQ(sign(MinHasher(small), {}), Signature(7, 0xFFFFFFFFu));
}

TEST(MinHashSign, SignatureOfAUnionIsTheElementwiseMinimum) {
  std::mt19937_64 rng(3);
  const auto a = random_set(rng, 40), b = random_set(rng, 25);
  auto both = a;
  both.insert(both.end(), b.begin(), b.end());
  const MinHasher hasher(classic());
  const auto sa = sign(hasher, a), sb = sign(hasher, b), sab = sign(hasher, both);
  for (std::size_t i = 0; i < sab.size(); ++i) EXPECT_EQ(sab[i], std::min(sa[i], sb[i])) << i;
}

TEST(MinHashSign, FoldsEachShingleTo32BitsWithXor) {
  const MinHasher hasher(classic());
  EXPECT_EQ(sign(hasher, {0x0000000100000005ull}), sign(hasher, {4}));
  EXPECT_EQ(sign(hasher, {0xABCDEF0012345678ull, 7}), sign(hasher, {0xABCDEF00ull ^ 0x12345678ull, 7}));
  // The high half matters: shingles differing only there get different values.
  EXPECT_NE(sign(hasher, {0x0000000100000005ull}), sign(hasher, {5}));
}

TEST(MinHashSign, ValueIIsTheMinimumOfFmix32OfShingleXorSeedI) {
  // Recover seed_i from the signature of {0}: sig[i] = fmix32(0 ^ seed_i).
  const MinHasher hasher(classic());
  const auto zero = sign(hasher, {0});
  std::vector<std::uint32_t> seeds(zero.size());
  for (std::size_t i = 0; i < zero.size(); ++i) seeds[i] = unfmix32(zero[i]);
  // The permutations differ from each other.
  auto distinct = seeds;
  std::sort(distinct.begin(), distinct.end());
  EXPECT_EQ(std::unique(distinct.begin(), distinct.end()), distinct.end());

  std::mt19937_64 rng(4);
  for (int trial = 0; trial < 20; ++trial) {
    const auto set = random_set(rng, 1 + trial * 7);
    const auto sig = sign(hasher, set);
    for (std::size_t i = 0; i < sig.size(); ++i) {
      std::uint32_t expected = 0xFFFFFFFFu;
      for (auto s : set) expected = std::min(expected, fmix32(fold32(s) ^ seeds[i]));
      ASSERT_EQ(sig[i], expected) << "trial " << trial << " permutation " << i;
    }
  }
}

TEST(MinHashSign, DifferentSeedsGiveDifferentSignatures) {
  std::mt19937_64 rng(5);
  const auto set = random_set(rng, 50);
  MinHashOptions other;
  other.seed = 2;
  const auto a = sign(MinHasher(), set), b = sign(MinHasher(other), set);
  EXPECT_LT(recur::estimate_jaccard(a, b), 0.2);
}

TEST(MinHashSign, SignatureLengthFollowsPerms) {
  MinHashOptions options;
  options.perms = 256;
  const MinHasher hasher(options);
  EXPECT_EQ(hasher.options().perms, 256u);
  const auto sig = sign(hasher, {1, 2, 3});
  EXPECT_EQ(sig.size(), 256u);
  EXPECT_EQ(std::count(sig.begin(), sig.end(), 0xFFFFFFFFu), 0);
}

// Known answers: whole signatures with the default options, computed by an independent Python
// reference (tests/kat/minhash_reference.py, into tests/kat/minhash_kat.hpp). A change here changes
// every band key and every result, and makes signatures stored by an older version incomparable.
TEST(MinHashSign, KnownAnswerOfTheClassicScheme) {
  // 32-bit values, so that the answer does not depend on how a 64-bit shingle is reduced (pinned
  // separately by FoldsEachShingleTo32BitsWithXor and by the Weyl cases below).
  const auto sig = sign(MinHasher(classic()), kFixedShingles);
  EXPECT_TRUE(same_signature(sig, as_signature(recur_kat::kClassicFixed)));
}

// --- estimate_jaccard ------------------------------------------------------------------------

TEST(EstimateJaccard, IsTheFractionOfEqualPositions) {
  const Signature a = {1, 2, 3, 4}, b = {1, 0, 3, 0}, c = {9, 9, 9, 9};
  EXPECT_DOUBLE_EQ(recur::estimate_jaccard(a, a), 1.0);
  EXPECT_DOUBLE_EQ(recur::estimate_jaccard(a, b), 0.5);
  EXPECT_DOUBLE_EQ(recur::estimate_jaccard(a, c), 0.0);
}

TEST(EstimateJaccard, OfIdenticalSetsIsOne) {
  std::mt19937_64 rng(6);
  const auto set = random_set(rng, 80);
  const MinHasher hasher;
  auto shuffled = set;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  EXPECT_DOUBLE_EQ(recur::estimate_jaccard(sign(hasher, set), sign(hasher, shuffled)), 1.0);
}

TEST(EstimateJaccard, IsCloseToTheExactJaccardAt128Permutations) {
  // Standard error sqrt(J(1-J)/128) <= 0.044, so 0.1 is more than two standard errors.
  std::mt19937_64 rng(20240601);
  const MinHasher hasher;
  for (double j : {0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0}) {
    const std::size_t uni = 200;
    const auto common = static_cast<std::size_t>(std::lround(j * uni));
    const std::size_t rest = uni - common;
    const auto [a, b] = set_pair(rng, common, rest / 2, rest - rest / 2);
    const double exact = static_cast<double>(common) / uni;
    const double estimate = recur::estimate_jaccard(sign(hasher, a), sign(hasher, b));
    EXPECT_NEAR(estimate, exact, 0.1) << "J = " << exact;
  }
}

TEST(EstimateJaccard, IsUnbiasedOverManyPairs) {
  // Mean of 40 estimates at J = 0.5: standard error 0.044 / sqrt(40) = 0.007.
  std::mt19937_64 rng(99);
  const MinHasher hasher;
  double sum = 0;
  const int pairs = 40;
  for (int i = 0; i < pairs; ++i) {
    const auto [a, b] = set_pair(rng, 100, 50, 50);  // J = 100 / 200
    sum += recur::estimate_jaccard(sign(hasher, a), sign(hasher, b));
  }
  EXPECT_NEAR(sum / pairs, 0.5, 0.03);
}

}  // namespace

// --- one-permutation hashing (the default scheme) ---------------------------------------------

namespace {

TEST(OnePermutation, IsTheDefaultScheme) {
  EXPECT_EQ(recur::MinHashOptions{}.scheme, recur::MinHashScheme::one_permutation);
}

TEST(OnePermutation, KnownAnswerWithDefaultOptions) {
  // 7 shingles in 128 bins: 121 bins are filled by densification, many of them past the
  // precomputed probes (MinHasher::kProbes), so this pins the probe sequence as well as the
  // binning.
  const auto sig = sign(MinHasher(), kFixedShingles);
  EXPECT_TRUE(same_signature(sig, as_signature(recur_kat::kOphFixed)));
}

TEST(OnePermutation, DensifiedSignaturesHaveNoEmptyBinsAndUseOnlyShingleValues) {
  const MinHasher h;
  const auto one = sign(h, {12345});
  for (auto v : one) EXPECT_EQ(v, one[0]);  // one shingle fills every bin with its value
  const auto few = sign(h, {1, 2, 3, 4, 5});
  std::vector<std::uint32_t> values(few.begin(), few.end());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  EXPECT_LE(values.size(), 5u);
  EXPECT_EQ(std::count(few.begin(), few.end(), 0xFFFFFFFFu), 0);
}

TEST(OnePermutation, OrderDuplicatesAndSeedBehave) {
  const MinHasher h;
  EXPECT_EQ(sign(h, {9, 8, 7, 7}), sign(h, {7, 8, 9}));
  recur::MinHashOptions o;
  o.seed = 2;
  EXPECT_NE(sign(MinHasher(o), {7, 8, 9}), sign(h, {7, 8, 9}));
  const auto empty = sign(h, {});
  EXPECT_EQ(std::count(empty.begin(), empty.end(), 0xFFFFFFFFu), 128);
}

TEST(OnePermutation, EstimatesJaccardWithinTheExpectedError) {
  // Sets of 40..400 elements (short paragraphs leave many bins to densify) at known similarity.
  std::mt19937_64 rng(11);
  const MinHasher h;
  double worst = 0, sum_err = 0;
  int trials = 0;
  for (double target : {0.2, 0.5, 0.8}) {
    for (std::size_t n : {40u, 120u, 400u}) {
      for (int t = 0; t < 10; ++t) {
        const std::size_t shared = static_cast<std::size_t>(std::lround(2 * target * n / (1 + target)));
        std::vector<std::uint64_t> a, b;
        for (std::size_t i = 0; i < shared; ++i) { auto x = rng(); a.push_back(x); b.push_back(x); }
        for (std::size_t i = shared; i < n; ++i) { a.push_back(rng()); b.push_back(rng()); }
        const double exact = static_cast<double>(shared) / static_cast<double>(2 * n - shared);
        const double est = recur::estimate_jaccard(sign(h, a), sign(h, b));
        worst = std::max(worst, std::abs(est - exact));
        sum_err += est - exact;
        ++trials;
      }
    }
  }
  EXPECT_LT(worst, 0.2);
  EXPECT_LT(std::abs(sum_err / trials), 0.03);  // unbiased on average
}

}  // namespace

// The bins and probe tables are laid out for `perms` values: any other length is refused, not
// written past.
TEST(MinHashSign, ASignatureOfTheWrongLengthIsRefused) {
  for (auto scheme : {recur::MinHashScheme::classic, recur::MinHashScheme::one_permutation}) {
    recur::MinHashOptions o;
    o.scheme = scheme;
    const recur::MinHasher hasher(o);
    std::vector<std::uint32_t> longer(o.perms + 1), shorter(o.perms - 1);
    const std::vector<std::uint64_t> set = {1, 2, 3};
    EXPECT_THROW(hasher.sign(set, longer), recur::Error);
    EXPECT_THROW(hasher.sign(set, shorter), recur::Error);
  }
}

// --- known answers over whole signatures (tests/kat/minhash_reference.py) ----------------------

namespace {

struct WeylCase {
  std::size_t n;
  const std::array<std::uint32_t, 128>& classic;
  const std::array<std::uint32_t, 128>& oph;
};

// 1 and 5 shingles leave nearly every bin to densification (most past the precomputed probes),
// 40 about three quarters, 200 a quarter, 1000 none: every branch of sign_one_permutation.
const WeylCase kWeylCases[] = {
    {1, recur_kat::kClassicWeyl1, recur_kat::kOphWeyl1},
    {5, recur_kat::kClassicWeyl5, recur_kat::kOphWeyl5},
    {40, recur_kat::kClassicWeyl40, recur_kat::kOphWeyl40},
    {200, recur_kat::kClassicWeyl200, recur_kat::kOphWeyl200},
    {1000, recur_kat::kClassicWeyl1000, recur_kat::kOphWeyl1000},
};

TEST(MinHashKnownAnswer, ClassicSchemeOverShingleListsOfSeveralSizes) {
  const MinHasher hasher(classic());
  for (const auto& c : kWeylCases)
    EXPECT_TRUE(same_signature(sign(hasher, weyl(c.n)), as_signature(c.classic))) << c.n << " shingles";
}

TEST(MinHashKnownAnswer, OnePermutationOverShingleListsOfSeveralSizes) {
  const MinHasher hasher;
  for (const auto& c : kWeylCases)
    EXPECT_TRUE(same_signature(sign(hasher, weyl(c.n)), as_signature(c.oph))) << c.n << " shingles";
}

TEST(MinHashKnownAnswer, ALengthThatIsNotAMultipleOf64AndAnotherSeed) {
  // 100 bins: the last word of the filled-bin bitmap is partial and must not read as empty bins.
  MinHashOptions o = classic();
  o.perms = 100;
  o.seed = 7;
  EXPECT_TRUE(same_signature(sign(MinHasher(o), weyl(20)), as_signature(recur_kat::kClassicWeyl20Perms100Seed7)));
  o.scheme = recur::MinHashScheme::one_permutation;
  EXPECT_TRUE(same_signature(sign(MinHasher(o), weyl(20)), as_signature(recur_kat::kOphWeyl20Perms100Seed7)));
}

TEST(MinHashKnownAnswer, SixtyFourAndTwoHundredFiftySixBins) {
  // Up to 128 bins a bin's cached probes are tested by one shuffle of the 16-byte filled-bin
  // bitmap where the CPU has SSSE3 (64 bins: one word of it), past 128 bins (and on other CPUs)
  // by shifts of the bitmap's words; so on an x86 machine the 256-bin cases are the ones that pin
  // the word loop. 8 shingles in 64 bins and 5 in 256 also leave bins past the cached probes.
  MinHashOptions o;
  o.perms = 64;
  EXPECT_TRUE(same_signature(sign(MinHasher(o), weyl(8)), as_signature(recur_kat::kOphWeyl8Perms64)));
  o.perms = 256;
  EXPECT_TRUE(same_signature(sign(MinHasher(o), weyl(5)), as_signature(recur_kat::kOphWeyl5Perms256)));
  EXPECT_TRUE(same_signature(sign(MinHasher(o), weyl(120)), as_signature(recur_kat::kOphWeyl120Perms256)));
}

TEST(MinHashKnownAnswer, MixedChineseAndEnglishTextEndToEnd) {
  // Full-width digits and letters fold to ASCII, "5.2" and "don't" stay one word each, and
  // punctuation is not a token: every stage from text to signature is pinned.
  recur::Normalizer normalizer;
  std::string normalized;
  recur::OffsetMap map;
  normalizer.normalize(recur_kat::kText, {}, normalized, map);
  ASSERT_EQ(normalized, recur_kat::kTextNormalized);

  recur::Shingler shingler;
  std::vector<std::uint64_t> tokens, shingles;
  shingler.tokenize(normalized, tokens);
  EXPECT_EQ(tokens, std::vector<std::uint64_t>(recur_kat::kTextTokens.begin(), recur_kat::kTextTokens.end()));
  shingler.shingles(tokens, shingles);
  EXPECT_EQ(shingles, std::vector<std::uint64_t>(recur_kat::kTextShingles.begin(), recur_kat::kTextShingles.end()));

  // Signed as the pipeline signs: the sorted set without duplicates (the order does not matter).
  std::vector<std::uint64_t> set;
  shingler.shingle_set(normalized, set);
  EXPECT_TRUE(same_signature(sign(MinHasher(classic()), set), as_signature(recur_kat::kTextClassic)));
  EXPECT_TRUE(same_signature(sign(MinHasher(), set), as_signature(recur_kat::kTextOph)));
}

// The pinned header is what the reference prints: nobody "fixes" a failing known answer by
// editing the constants, and the reference stays runnable.
TEST(MinHashKnownAnswer, ReferenceScriptReproducesThePinnedHeader) {
  if (recur_test::python().empty()) GTEST_SKIP() << "python3 not found at configure time";
  const std::string dir = std::string(RECUR_SOURCE_DIR) + "/tests/kat/";
  const auto run = recur_test::run_command(recur_test::shell_quote(recur_test::python()) + " " +
                                           recur_test::shell_quote(dir + "minhash_reference.py"));
  ASSERT_EQ(run.status, 0) << recur_test::describe(run);
  // Compared line by line, so that a failure shows the one constant that differs.
  std::istringstream printed(run.out), pinned(recur_test::read_file(dir + "minhash_kat.hpp"));
  std::string a, b;
  for (int line = 1; bool(std::getline(printed, a)) | bool(std::getline(pinned, b)); ++line, a.clear(), b.clear())
    ASSERT_EQ(a, b) << "line " << line << " of tests/kat/minhash_kat.hpp; regenerate with: python3 "
                    << "tests/kat/minhash_reference.py > tests/kat/minhash_kat.hpp";
}

}  // namespace
