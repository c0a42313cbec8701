// A bitonic sorting network in AVX-512 registers (small_sort.hpp).
//
// Why a network: sort_unique_hashes's counting sort spends about 4.5 ns a value on sets of 40-340
// random values, most of it in data-dependent branches and scattered stores; a network has neither,
// and 16 lanes do 16 compare-exchanges in three instructions. Every compare-exchange puts the
// smaller value at the lower position, in the form where each merge begins by comparing a block's
// first half with its second half reversed ("flip"), then halves it ("half-cleaners"): no
// per-lane sort direction to keep.
#include "small_sort.hpp"

#include <bit>
#include <utility>

#include "simd.hpp"

#ifdef RECUR_X86_SIMD

#define RECUR_AVX512 __attribute__((target("avx512f,popcnt")))

namespace recur::detail {
namespace {

// Lanes i with (i & bit) == 0, for bit = 1, 2, 4, 8: the lower lane of each pair at that distance.
constexpr __mmask16 lower_lanes(unsigned bit) {
  constexpr __mmask16 kLower[9] = {0, 0x5555, 0x3333, 0, 0x0F0F, 0, 0, 0, 0x00FF};
  return kLower[bit];
}

// Lane i compared with lane i ^ m; the lanes in `lower` keep the smaller value.
RECUR_AVX512 inline __m512i exchange(__m512i v, __m512i partner, __mmask16 lower) {
  const __m512i p = _mm512_permutexvar_epi32(partner, v);
  return _mm512_mask_blend_epi32(lower, _mm512_max_epu32(v, p), _mm512_min_epu32(v, p));
}

RECUR_AVX512 inline __m512i lane_ids() {
  return _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
}

// The half-cleaners within registers [0, live): distances 8, 4, 2, 1.
template <int R, int live>
RECUR_AVX512 inline void clean_lanes(__m512i* v, __m512i ids) {
#pragma GCC unroll 32
  for (unsigned d = 8; d >= 1; d /= 2) {
    const __m512i partner = _mm512_xor_si512(ids, _mm512_set1_epi32(static_cast<int>(d)));
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
      if (r < live) v[r] = exchange(v[r], partner, lower_lanes(d));
  }
}

// Sorts 16 * R values held in v[0, R), R a power of two, of which the registers from `live` on
// hold only UINT32_MAX. Those are skipped: a compare-exchange with such a register as the higher
// partner leaves both as they are, so they hold only UINT32_MAX throughout, and a set of 130 values
// costs 9 registers' work, not 16.
template <int R, int live>
RECUR_AVX512 void bitonic(__m512i* v) {
  const __m512i ids = lane_ids();
  // Blocks of s = 2, 4, 8, 16 values, within each register.
#pragma GCC unroll 32
  for (unsigned s = 2; s <= 16; s *= 2) {
    const __m512i flip = _mm512_xor_si512(ids, _mm512_set1_epi32(static_cast<int>(s - 1)));
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
      if (r < live) v[r] = exchange(v[r], flip, lower_lanes(s / 2));
#pragma GCC unroll 32
    for (unsigned d = s / 4; d >= 1; d /= 2) {
      const __m512i partner = _mm512_xor_si512(ids, _mm512_set1_epi32(static_cast<int>(d)));
#pragma GCC unroll 32
      for (int r = 0; r < R; ++r)
        if (r < live) v[r] = exchange(v[r], partner, lower_lanes(d));
    }
  }
  // Blocks of S registers: value 16j + l meets 16(j ^ (S - 1)) + (15 - l), so the partner
  // register is compared reversed; then the half-cleaners across registers, then within them.
  const __m512i reverse = _mm512_xor_si512(ids, _mm512_set1_epi32(15));
#pragma GCC unroll 32
  for (int S = 2; S <= R; S *= 2) {
#pragma GCC unroll 32
    for (int j = 0; j < R; ++j) {
      const int p = j ^ (S - 1);
      if (j > p || p >= live) continue;
      const __m512i b = _mm512_permutexvar_epi32(reverse, v[p]);
      const __m512i hi = _mm512_max_epu32(v[j], b);
      v[j] = _mm512_min_epu32(v[j], b);
      v[p] = _mm512_permutexvar_epi32(reverse, hi);
    }
#pragma GCC unroll 32
    for (int D = S / 4; D >= 1; D /= 2)
#pragma GCC unroll 32
      for (int j = 0; j < R; ++j) {
        const int p = j ^ D;
        if (j > p || p >= live) continue;
        const __m512i lo = _mm512_min_epu32(v[j], v[p]);
        v[p] = _mm512_max_epu32(v[j], v[p]);
        v[j] = lo;
      }
    clean_lanes<R, live>(v, ids);
  }
}

// Lanes [0, k) of a register, k <= 16.
constexpr __mmask16 first_lanes(std::size_t k) {
  return static_cast<__mmask16>(k >= 16 ? 0xFFFFu : (1u << k) - 1);
}

// The live counts given an instance of their own: each up to 16 registers, then every fourth (a
// set of 17-32 registers costs at most 3 registers of wasted work, and the code stays 0.4 MB
// instead of 1.1 MB).
constexpr int instance_for(int live) { return live <= 16 ? live : (live + 3) / 4 * 4; }

template <int live>
RECUR_AVX512 std::size_t sort_unique_registers(std::uint32_t* data, std::size_t n) {
  constexpr int R = static_cast<int>(std::bit_ceil(static_cast<unsigned>(live)));
  __m512i v[R];
  const __m512i pad = _mm512_set1_epi32(-1);  // UINT32_MAX: sorts after every value, ties equal it
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r) {
    const std::size_t at = static_cast<std::size_t>(r) * 16;
    v[r] = r < live ? _mm512_mask_loadu_epi32(pad, first_lanes(n > at ? n - at : 0), data + at) : pad;
  }
  bitonic<R, live>(v);
  // The first n sorted values are the input's (a pad sorts after them, or equals one). Each
  // register's values that differ from the value before them are compressed to the front of the
  // register and stored after the distinct values so far, which never passes what is still unread:
  // all of it is in registers.
  std::size_t kept = 0;
  __m512i before = _mm512_setzero_si512();
#pragma GCC unroll 32
  for (int r = 0; r < live; ++r) {
    const std::size_t at = static_cast<std::size_t>(r) * 16;
    const __m512i shifted = _mm512_alignr_epi32(v[r], before, 15);  // lane i: the value before it
    __mmask16 fresh = _mm512_mask_cmpneq_epu32_mask(first_lanes(n > at ? n - at : 0), v[r], shifted);
    if (r == 0) fresh |= static_cast<__mmask16>(n != 0);  // the first value has none before it
    const auto k = static_cast<std::size_t>(__builtin_popcount(fresh));
    _mm512_mask_storeu_epi32(data + kept, first_lanes(k), _mm512_maskz_compress_epi32(fresh, v[r]));
    kept += k;
    before = v[r];
  }
  return kept;
}

// One instance per count of registers in use (instance_for), so that every step the count leaves
// out is left out when compiling: tested at run time, the steps' branches mispredicted as set sizes
// varied (2.4 → 3.0 ns a value).
template <std::size_t... L>
RECUR_AVX512 std::size_t sort_unique_by_registers(std::uint32_t* v, std::size_t n, std::index_sequence<L...>) {
  using Fn = std::size_t (*)(std::uint32_t*, std::size_t);
  static constexpr Fn kSort[] = {&sort_unique_registers<instance_for(static_cast<int>(L) + 1)>...};
  return n == 0 ? 0 : kSort[(n - 1) / 16](v, n);
}

}  // namespace

bool small_sort_avx512_available() noexcept {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}

std::size_t small_sort_unique_avx512(std::uint32_t* v, std::size_t n) noexcept {
  return sort_unique_by_registers(v, n, std::make_index_sequence<kSmallSortMax / 16>());
}

}  // namespace recur::detail

#else

namespace recur::detail {
bool small_sort_avx512_available() noexcept { return false; }
std::size_t small_sort_unique_avx512(std::uint32_t*, std::size_t) noexcept { return 0; }
}  // namespace recur::detail

#endif
