#pragma once
/// \file verify.hpp
/// The verify stage: the exact Jaccard similarity of candidate pairs, on shingle sets rebuilt only
/// for the paragraphs that are in a candidate pair (their text read back through the Source), or
/// the MinHash estimate from kept signatures (--no-verify).
///
///   candidate pairs --involved--> ids --ShingleSets::build--> sets --verify_pairs--> edges (cluster.hpp)
///
/// Core: reads only through the Source.
#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "recur/cluster.hpp"
#include "recur/index.hpp"
#include "recur/uninitialised.hpp"

namespace recur {

/// A pair of paragraph ids.
using IdPair = std::pair<std::uint32_t, std::uint32_t>;

/// Exact Jaccard similarity of two sorted, duplicate-free sets; 1 when both are empty.
double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept;
double exact_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept;

/// A 64-bit shingle hash folded to the 32 bits ShingleSets keeps. Half the memory and half the
/// sorting of 64-bit sets; two different shingles of one pair of paragraphs (about 260 shingles)
/// fold to one value with probability about 260^2 / 2^33 = 8e-6, and then the similarity moves by
/// about 1/260.
inline std::uint32_t fold_shingle(std::uint64_t hash) noexcept {
  return static_cast<std::uint32_t>(hash ^ (hash >> 32));
}

/// Sorts [first, first + n) and removes duplicates; returns the number of values kept. For values
/// that are hashes (fold_shingle), so roughly uniform: one counting pass on the top bits scatters
/// them into n to 2n buckets (up to 2^18 values; pdqsort beyond), then one insertion sort moves
/// each value only within its bucket, seldom at all.
/// That is about linear: 4.6-5x faster than pdqsort on sets of 130, 300 and 3,000 random values
/// (bench/stages_bench, BM_shingle_set_*, a different set each time), and sorting was a quarter of
/// the verify stage. Values that crowd into few buckets (not hashes) make the insertion sort give
/// way to pdqsort, so the worst case stays n log n. `scratch` is reused between calls.
std::size_t sort_unique_hashes(std::uint32_t* first, std::size_t n, std::vector<std::uint32_t>& scratch);

/// The ids that appear in `pairs`, sorted, without duplicates.
std::vector<std::uint32_t> involved(std::span<const IdPair> pairs);

/// Exact shingle sets (of fold_shingle() values) of some paragraphs (those in candidate pairs),
/// looked up by paragraph id.
class ShingleSets {
 public:
  /// The sets of paragraphs `ids` (sorted) of `index`, input by input in parallel. An input the
  /// index stage spilled (FileIndex::spill_at) has its paragraphs' values read back from `spill`,
  /// the one it was given. Any other (or when that read fails) is read back from `source`,
  /// normalised and shingled exactly as the index stage did; if that cannot be done (changed,
  /// gone), its paragraphs have no set: `problems[input]` says why, and similarity() with them is
  /// unknown. `progress.done` advances by paragraphs.
  static ShingleSets build(const Source& source, const ParagraphIndex& index, std::vector<std::uint32_t> ids,
                           const InputOptions& input, const ShingleOptions& shingle, unsigned threads,
                           std::vector<Status>& problems, ProgressCounters* progress = nullptr,
                           const Spill* spill = nullptr);

  /// Exact Jaccard of paragraphs a and b, or -1 when either has no set.
  double similarity(std::uint32_t a, std::uint32_t b) const;
  /// The same when it may reach `threshold`; when the sizes alone rule that out (Jaccard is at
  /// most |smaller| / |larger|), that bound instead, which is below `threshold`. What the verify
  /// and cluster stages need: they keep a pair only when its similarity reaches the threshold, so
  /// their results are those of similarity(a, b), and on dense corpora about half of the candidate
  /// pairs are settled without merging their sets.
  double similarity(std::uint32_t a, std::uint32_t b, double threshold) const;
  /// The set of paragraph `id`, or false when it has none.
  std::optional<std::span<const std::uint32_t>> set(std::uint32_t id) const;
  /// similarity(a, b, threshold) of every pair, on `threads` threads: result[k] for pairs[k], as
  /// recur::similarities() gives with that function, but with each pair's sets fetched from
  /// memory a few pairs ahead. `done`, when given, advances by pairs.
  std::vector<double> similarities(std::span<const IdPair> pairs, double threshold, unsigned threads,
                                   std::atomic<std::uint64_t>* done = nullptr) const;

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  // The sets of one input's paragraphs lie end to end in one vector (one allocation per input, not
  // one per paragraph: allocating 100,000s of small vectors was a fifth of the verify stage).
  struct Ref {
    std::uint32_t group = 0, size = 0;
    std::uint64_t offset = 0;
  };
  std::vector<std::uint32_t> slot_;              // per paragraph id: index into refs_, or kNone
  std::vector<Ref> refs_;
  // Per group of ids (one input). Grown without zeroing: each set is sorted straight into the room
  // made for it, and zeroing that room first was 2% of a dense run.
  std::vector<UninitialisedVector<std::uint32_t>> arenas_;
  std::vector<char> usable_;
};

/// The similarity of every pair, on `threads` threads in chunks: result[k] for pairs[k].
/// `done`, when given, advances by pairs.
std::vector<double> similarities(std::span<const IdPair> pairs, const SimilarityFn& similarity, unsigned threads,
                                 std::atomic<std::uint64_t>* done = nullptr);

/// The pairs whose similarity reaches `threshold`, as edges, in the order of `pairs`.
std::vector<Edge> verified_edges(std::span<const IdPair> pairs, std::span<const double> similarity, double threshold);

}  // namespace recur
