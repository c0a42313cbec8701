// Classic k-permutation MinHash with a vectorisable permutation family.
#include "recur/minhash.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__GNUC__) && defined(__x86_64__)
#include <tmmintrin.h>
#define RECUR_SSSE3_DENSIFY 1
#endif

#include "recur/error.hpp"

namespace recur {
namespace {

// Bit j set for each of the 64 bytes at p (each 0 or 1) that is 1.
std::uint64_t pack_bytes(const std::uint8_t* p) noexcept {
#if defined(__SSE2__)
  std::uint64_t bits = 0;
  for (int q = 0; q < 4; ++q) {
    const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(p + 16 * q));
    bits |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_slli_epi16(v, 7)))) << (16 * q);
  }
  return bits;
#else
  std::uint64_t bits = 0;
  for (int j = 0; j < 64; ++j) bits |= std::uint64_t{p[j]} << j;
  return bits;
#endif
}

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The inner loop: for each shingle, every permutation value, min-reduced into `sig`.
// Written as plain 32-bit arithmetic over contiguous arrays so that the compiler vectorises
// the loop over permutations; target_clones adds an AVX2 copy picked at load time.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(RECUR_NO_TARGET_CLONES)
__attribute__((target_clones("avx2", "default")))
#endif
void sign_kernel(const std::uint64_t* shingles, std::size_t n, const std::uint32_t* seeds,
                 std::uint32_t* sig, std::size_t perms) noexcept {
  for (std::size_t s = 0; s < n; ++s) {
    const std::uint32_t x = static_cast<std::uint32_t>(shingles[s] ^ (shingles[s] >> 32));
    for (std::size_t i = 0; i < perms; ++i) {
      std::uint32_t h = x ^ seeds[i];  // MurmurHash3 fmix32: a bijection with full avalanche
      h ^= h >> 16;
      h *= 0x85EBCA6BU;
      h ^= h >> 13;
      h *= 0xC2B2AE35U;
      h ^= h >> 16;
      sig[i] = h < sig[i] ? h : sig[i];
    }
  }
}

#ifdef RECUR_SSSE3_DENSIFY
// Optimal densification (see sign_one_permutation) for signatures of at most 128 bins, whose
// filled-bin bitmap fits in 16 bytes: one pshufb fetches the bitmap byte of each of a bin's 16
// cached probes, one AND keeps each probe's bit, and the first filled probe is the first set lane.
// The plain loop tested probes four at a time through shifts of the bitmap's words; on 128 bins
// and ~130 shingles a third of the bins are empty, and finding their probes was about 40% of
// signing. `bytes` and `bits` hold each probe's byte (j / 8) and bit (1 << j % 8). A bin none of
// whose cached probes is filled goes to `rest`.
template <class Rest>
__attribute__((target("ssse3"))) void densify_small_ssse3(const std::uint64_t* filled, std::size_t k,
                                                          const std::uint8_t* bytes, const std::uint8_t* bits,
                                                          const std::uint16_t* probes, unsigned per_bin,
                                                          std::uint32_t* out, Rest&& rest) {
  const std::size_t words = (k + 63) / 64;
  const auto high = static_cast<long long>(words > 1 ? filled[1] : 0), low = static_cast<long long>(filled[0]);
  const __m128i map = _mm_set_epi64x(high, low);
  const __m128i zero = _mm_setzero_si128();
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t empty = ~filled[w];
    if (w + 1 == words && k % 64 != 0) empty &= (std::uint64_t{1} << (k % 64)) - 1;
    for (; empty != 0; empty &= empty - 1) {
      const std::size_t i = w * 64 + static_cast<std::size_t>(std::countr_zero(empty));
      const __m128i at = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i * per_bin));
      const __m128i bit = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bits + i * per_bin));
      const __m128i got = _mm_and_si128(_mm_shuffle_epi8(map, at), bit);
      const auto hits = static_cast<unsigned>(~_mm_movemask_epi8(_mm_cmpeq_epi8(got, zero)) & 0xFFFF);
      if (hits != 0)
        out[i] = out[probes[i * per_bin + static_cast<unsigned>(std::countr_zero(hits))]];
      else
        rest(i);
    }
  }
}
#endif

}  // namespace

std::string MinHashOptions::validate() const {
  if (perms < 1 || perms > 1024) return "--perms must be between 1 and 1024";
  return {};
}

MinHasher::MinHasher(const MinHashOptions& options) : options_(options) {
  if (auto msg = options.validate(); !msg.empty()) throw Error(errc::usage, msg);
  std::uint64_t state = options.seed;
  seeds_.resize(options.perms);
  for (auto& s : seeds_) s = static_cast<std::uint32_t>(splitmix64(state));
  // The first kProbes bins of every bin's densification probe sequence, computed once: with 128
  // bins and ~130 shingles a third of the bins are empty, and hashing their probes was half the
  // signing time.
  const std::size_t k = options.perms;
  probes_.resize(k * kProbes);
  for (std::size_t i = 0; i < k; ++i)
    for (unsigned a = 0; a < kProbes; ++a) probes_[i * kProbes + a] = static_cast<std::uint16_t>(probe(i, a + 1));
#ifdef RECUR_SSSE3_DENSIFY
  if (k <= 128 && __builtin_cpu_supports("ssse3")) {
    static_assert(kProbes == 16, "densify_small_ssse3 reads 16 probes a bin");
    probe_byte_.resize(probes_.size());
    probe_bit_.resize(probes_.size());
    for (std::size_t j = 0; j < probes_.size(); ++j) {
      probe_byte_[j] = static_cast<std::uint8_t>(probes_[j] >> 3);
      probe_bit_[j] = static_cast<std::uint8_t>(1u << (probes_[j] & 7));
    }
  }
#endif
}

std::size_t MinHasher::probe(std::size_t bin, std::uint64_t attempt) const noexcept {
  std::uint64_t state = options_.seed ^ (static_cast<std::uint64_t>(bin) << 32 | attempt) ^ 0xD1B54A32D192ED03ULL;
  return static_cast<std::size_t>(((splitmix64(state) >> 32) * options_.perms) >> 32);
}

void MinHasher::sign(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> signature) const {
  // The bins and the densification probes are laid out for exactly `perms` values.
  if (signature.size() != options_.perms)
    throw Error(errc::internal, "MinHasher::sign: the signature must have --perms (" +
                                    std::to_string(options_.perms) + ") entries, not " +
                                    std::to_string(signature.size()));
  std::fill(signature.begin(), signature.end(), 0xFFFFFFFFU);
  if (options_.scheme == MinHashScheme::one_permutation) {
    sign_one_permutation(shingles, signature);
    return;
  }
  sign_kernel(shingles.data(), shingles.size(), seeds_.data(), signature.data(),
              std::min<std::size_t>(signature.size(), seeds_.size()));
}

void MinHasher::sign_one_permutation(std::span<const std::uint64_t> shingles,
                                     std::span<std::uint32_t> sig) const {
  const std::size_t k = sig.size();
  if (k == 0 || shingles.empty()) return;
  // Bins that received a shingle: one byte each while binning, packed into a bitmap after
  // (signatures are short: perms <= 1024). Setting bits in the bitmap directly chained each
  // shingle to the one before through a read-modify-write of the same memory word.
  const std::size_t words = (k + 63) / 64;
  alignas(16) std::uint8_t hit[1024];
  std::memset(hit, 0, words * 64);
  std::uint32_t* out = sig.data();
  // Shingle hashes are XXH3 outputs already: one multiply-xorshift with the seed decorrelates the
  // bin (high 32 bits) from the value (low 32 bits) and makes the seed matter.
  // Both loops are written without data-dependent branches: which bin a shingle lands in, and
  // which bins are empty, is random, and mispredicted branches cost more than the arithmetic.
  const std::uint64_t seed = options_.seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  for (std::uint64_t x : shingles) {
    std::uint64_t h = (x ^ seed) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 32;
    const auto bin = static_cast<std::size_t>(((h >> 32) * k) >> 32);
    out[bin] = std::min(out[bin], static_cast<std::uint32_t>(h));
    hit[bin] = 1;
  }
  std::uint64_t filled[1024 / 64];
  for (std::size_t w = 0; w < words; ++w) filled[w] = pack_bytes(hit + w * 64);
  std::size_t nonempty = 0;
  for (std::size_t w = 0; w < words; ++w) nonempty += static_cast<std::size_t>(std::popcount(filled[w]));
  if (nonempty == k) return;
  // Optimal densification: empty bin i takes the value of the first filled bin in its own probe
  // sequence j_1(i), j_2(i), ... (a function of i, the attempt and the seed only). Filled bins are
  // never written here, so reading them gives their own minimum.
  auto is_filled = [&](std::size_t j) { return static_cast<unsigned>(filled[j >> 6] >> (j & 63) & 1); };
  const auto along_the_sequence = [&](std::size_t i) {  // rare: fewer than ~1/6 bins filled
    for (std::uint64_t attempt = kProbes + 1;; ++attempt) {
      const std::size_t j = probe(i, attempt);
      if (is_filled(j)) {
        out[i] = out[j];
        return;
      }
    }
  };
#ifdef RECUR_SSSE3_DENSIFY
  if (!probe_byte_.empty()) {  // k <= 128 and the CPU has SSSE3
    densify_small_ssse3(filled, k, probe_byte_.data(), probe_bit_.data(), probes_.data(), kProbes, out,
                        along_the_sequence);
    return;
  }
#endif
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t empty = ~filled[w];
    if (w + 1 == words && k % 64 != 0) empty &= (std::uint64_t{1} << (k % 64)) - 1;
    for (; empty != 0; empty &= empty - 1) {
      const std::size_t i = w * 64 + static_cast<std::size_t>(std::countr_zero(empty));
      const std::uint16_t* table = probes_.data() + i * kProbes;
      // The cached probes four at a time, without a branch per probe.
      unsigned first = kProbes;  // the first filled one
      for (unsigned g = 0; g < kProbes; g += 4) {
        unsigned hits = 0;  // bit a: probe g + a + 1 is filled
        for (unsigned a = 0; a < 4; ++a) hits |= is_filled(table[g + a]) << a;
        if (hits != 0) {
          first = g + static_cast<unsigned>(std::countr_zero(hits));
          break;
        }
      }
      if (first < kProbes)
        out[i] = out[table[first]];
      else
        along_the_sequence(i);
    }
  }
}

double estimate_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  if (n == 0) return 0;
  std::size_t equal = 0;
  for (std::size_t i = 0; i < n; ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / static_cast<double>(n);
}

}  // namespace recur
