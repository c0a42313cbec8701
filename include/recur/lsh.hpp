#pragma once
/// \file lsh.hpp
/// Locality-sensitive hashing by banding: a signature of b*r values is cut into b bands of r
/// rows; two paragraphs become a candidate pair when all rows of at least one band agree.
/// A pair with Jaccard s collides with probability P(s) = 1 - (1 - s^r)^b, an S-curve that is
/// steep around (1/b)^(1/r).
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace recur {

/// Bands and rows.
struct LshParams {
  unsigned bands = 0;
  unsigned rows = 0;
  friend bool operator==(const LshParams&, const LshParams&) = default;
};

/// How bands and rows are chosen when not given.
struct LshOptions {
  double threshold = 0.5;  ///< similarity the curve is centred on (default 0.5)
  /// Weights of the false-positive area (integral of P(s) for s < threshold) and the
  /// false-negative area (integral of 1 - P(s) for s >= threshold) that optimal_params()
  /// minimises, as datasketch's _optimal_param does. recur verifies every candidate exactly, so a
  /// false positive costs only time while a false negative loses a result: the default weights
  /// (0.2, 0.8) buy recall (at 128 permutations and threshold 0.5: 30 bands x 4 rows, P(0.6) = 0.984) for a few more candidates.
  double false_positive_weight = 0.2;
  double false_negative_weight = 0.8;
  unsigned bands = 0;  ///< 0 (default): choose with optimal_params(); else use this many
  unsigned rows = 0;   ///< 0 (default): choose; else use this many (bands * rows <= perms)

  /// Empty when valid for `perms` permutations, else a sentence saying what is wrong.
  std::string validate(unsigned perms) const;
};

/// P(s) = 1 - (1 - s^rows)^bands.
double collision_probability(double s, LshParams params) noexcept;

/// The bands x rows (bands * rows <= perms) minimising the weighted false-positive and
/// false-negative areas of the S-curve around `options.threshold`; ties go to fewer bands.
LshParams optimal_params(unsigned perms, const LshOptions& options);

/// The bands and rows to use: the ones given in `options`, or optimal_params() for the rest.
LshParams resolve_params(unsigned perms, const LshOptions& options);

/// Writes one 64-bit key per band of `signature` to `keys` (size params.bands): the XXH3 hash of
/// the band's rows and its index, so equal rows in different bands do not collide.
void band_keys(std::span<const std::uint32_t> signature, LshParams params,
               std::span<std::uint64_t> keys) noexcept;

/// A band key folded to 32 bits, the width candidate_pairs() compares: halves the memory and the
/// sorting work; a chance collision only adds a candidate that verification (or the signature
/// estimate) rejects.
inline std::uint32_t fold_key(std::uint64_t key) noexcept {
  return static_cast<std::uint32_t>(key ^ (key >> 32));
}

/// Candidate pairs (a < b) from folded band keys (fold_key), band-major: `keys[b * count + i]` is
/// band b's key of item i, so each band is read sequentially. Sorted and without duplicates. A
/// bucket holding more than `max_bucket` items (default: no limit) contributes only pairs with its
/// first item; the number of buckets cut this way is added to *truncated_buckets when given. Bands
/// are processed on up to `threads` threads; the result does not depend on it.
///
/// A band range: `keys.subspan(b0 * count, (b1 - b0) * count)` with `bands = b1 - b0` gives the
/// pairs that share a key in bands [b0, b1) only, e.g. for a process that owns those bands. The
/// union over ranges, deduplicated, is the pairs of all bands.
std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs_band_major(
    std::span<const std::uint32_t> keys, std::size_t count, unsigned bands,
    std::size_t max_bucket = SIZE_MAX, std::size_t* truncated_buckets = nullptr, unsigned threads = 1);

/// The same from full 64-bit keys as band_keys() writes them, row-major (`count` rows of `bands`
/// keys, row i for item i): folded and transposed, then as above.
std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs(
    std::span<const std::uint64_t> keys, std::size_t count, unsigned bands,
    std::size_t max_bucket = SIZE_MAX, std::size_t* truncated_buckets = nullptr, unsigned threads = 1);

/// From a band key to the items that have it: what a query against stored band keys needs (a new
/// report's keys looked up in an archive's), where candidate_pairs_band_major pairs items within
/// one set. Built once from band-major folded keys; 8 bytes per item and band.
class BandLookup {
 public:
  /// `keys[b * count + i]` is band b's folded key of item i.
  BandLookup(std::span<const std::uint32_t> keys, std::size_t count, unsigned bands);

  std::size_t count() const noexcept { return count_; }
  unsigned bands() const noexcept { return bands_; }
  /// The items (ascending) whose key in band `band` is `key`.
  std::span<const std::uint32_t> items(unsigned band, std::uint32_t key) const;
  /// The items that share at least one band key with `query` (one folded key per band, as
  /// fold_key(band_keys(...))): ascending, without duplicates.
  std::vector<std::uint32_t> candidates(std::span<const std::uint32_t> query) const;

 private:
  std::size_t count_ = 0;
  unsigned bands_ = 0;
  std::vector<std::uint32_t> keys_;   // per band, sorted
  std::vector<std::uint32_t> items_;  // items_[k] has keys_[k]; ascending within one key
};

}  // namespace recur
