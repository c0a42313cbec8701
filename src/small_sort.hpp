#pragma once
// Sorting a few hundred 32-bit values at once in vector registers (AVX-512), for the shingle sets
// of verification (each a paragraph's 40-500 hashes; 250 M values in all on dense 1 GiB) and the
// candidate search's partner lists. sort_unique_hashes (verify.hpp) and candidate_pairs_band_major
// (lsh.hpp) use it where the processor has AVX-512F and keep their own sorts elsewhere.
#include <cstddef>
#include <cstdint>

namespace recur::detail {

/// The most values small_sort_unique_avx512 sorts: 32 registers of 16.
inline constexpr std::size_t kSmallSortMax = 512;

/// Whether this processor runs small_sort_avx512 (AVX-512F), asked once.
bool small_sort_avx512_available() noexcept;

/// Sorts v[0, n), n <= kSmallSortMax, by a bitonic network over the values padded with UINT32_MAX
/// to 16 times a power of two, and moves the distinct values, ascending, to v[0, k). Returns k.
/// Only where small_sort_avx512_available().
std::size_t small_sort_unique_avx512(std::uint32_t* v, std::size_t n) noexcept;

}  // namespace recur::detail
