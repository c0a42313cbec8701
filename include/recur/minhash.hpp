#pragma once
/// \file minhash.hpp
/// MinHash signatures over shingle hashes.
///
/// Classic k-permutation MinHash: permutation i of a shingle x is fmix32(fold32(x) ^ seed_i), where
/// fold32(x) = low32(x) ^ high32(x) keeps the entropy of all 64 bits,
/// a bijection on 32-bit values with full avalanche (MurmurHash3's finaliser), and signature
/// value i is the minimum over the paragraph's shingles. The loop over permutations is branch-free
/// 32-bit arithmetic that GCC vectorises (AVX2 when the CPU has it, chosen at run time).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace recur {

/// Signature settings.
struct MinHashOptions {
  /// Permutations, i.e. signature length (default 128). With 128 the standard error of the
  /// Jaccard estimate is at most 0.044 (sqrt(J(1-J)/128)), and bands x rows can be chosen finely
  /// for thresholds 0.3..0.9; 256 halves the variance at twice the signing cost.
  unsigned perms = 128;
  /// Seed of the permutations (default 1). Signatures made with other seeds are not comparable.
  std::uint64_t seed = 1;

  /// Empty when valid, else a sentence saying what is wrong.
  std::string validate() const;
};

/// Computes signatures; immutable after construction, so one can be shared by all threads.
class MinHasher {
 public:
  explicit MinHasher(const MinHashOptions& options = {});
  /// Writes the signature of `shingles` (any order, duplicates allowed) to `signature`, which
  /// must have options().perms entries. An empty set gives all 0xFFFFFFFF.
  void sign(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> signature) const;
  const MinHashOptions& options() const noexcept { return options_; }

 private:
  MinHashOptions options_;
  std::vector<std::uint32_t> seeds_;
};

/// Fraction of equal positions: the MinHash estimate of Jaccard similarity.
double estimate_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept;

}  // namespace recur
