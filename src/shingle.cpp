// Tokens and shingles, hashed with XXH3.
#include "recur/shingle.hpp"

#include "simd.hpp"  // first: see there

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#include "recur/encoding.hpp"
#include "recur/error.hpp"
#include "recur/text.hpp"

namespace recur {
namespace {

// A CJK token is its code point: the shingle hash mixes it, and hashing every character on its own
// first was half the cost of shingling. A word token is the XXH3 hash of its bytes, salted, so it
// is a code point (below 0x110000) with probability 2^-43.
constexpr std::uint64_t kWordSalt = 0x9E3779B97F4A7C15ULL;

bool is_ascii_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
bool is_ascii_alpha(unsigned char c) noexcept { return is_ascii_alnum(c) && !is_ascii_digit(c); }

}  // namespace

// Punctuation and symbols of Chinese text that no script writes words with ("。", "“", "、",
// "《", "…"): answering from these ranges spares two ICU property lookups per punctuation mark.
// The shingle tests check every code point in them against ICU.
bool is_punctuation_block(char32_t c) noexcept {
  return (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) || (c >= 0x3000 && c <= 0x3004) ||
         (c >= 0x3008 && c <= 0x3020) || c == 0x3030 || (c >= 0xFE10 && c <= 0xFE19) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20);
}

namespace {

// The block the fast paths of tokenize() take: CJK Unified Ideographs, 3 bytes each in UTF-8.
bool is_unified_ideograph(char32_t c) noexcept { return c >= 0x4E00 && c <= 0x9FFF; }

#ifdef RECUR_X86_SIMD
#define RECUR_AVX512_IDEOGRAPHS 1
// The run of CJK Unified Ideographs at s[i], 16 at a time: each 48 bytes gathered into 16 lanes
// of three bytes (VBMI's byte permute), checked as lead byte 0xE0-0xEF and two continuation bytes,
// decoded, and kept while the code points are in U+4E00-9FFF (whose lead bytes are 0xE4-0xE9).
// Appends the leading ideographs' code points to `tokens` and returns where they end; the caller's
// one-at-a-time loop goes on from there. Bytes past the end of `s` are not read (a masked load).
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) std::size_t ideograph_run_avx512(
    std::string_view s, std::size_t i, std::vector<std::uint64_t>& tokens) {
  // Lane k takes bytes 3k, 3k + 1, 3k + 2 (and 3k + 2 again, masked off below).
  alignas(64) static constexpr std::uint8_t kGather[64] = {
      0,  1,  2,  2,  3,  4,  5,  5,  6,  7,  8,  8,  9,  10, 11, 11, 12, 13, 14, 14, 15, 16,
      17, 17, 18, 19, 20, 20, 21, 22, 23, 23, 24, 25, 26, 26, 27, 28, 29, 29, 30, 31, 32, 32,
      33, 34, 35, 35, 36, 37, 38, 38, 39, 40, 41, 41, 42, 43, 44, 44, 45, 46, 47, 47};
  const __m512i gather = _mm512_load_si512(kGather);
  const __m512i three = _mm512_set1_epi32(0x00FFFFFF);
  const __m512i shape_mask = _mm512_set1_epi32(0x00C0C0F0), shape = _mm512_set1_epi32(0x008080E0);
  const __m512i first = _mm512_set1_epi32(0x4E00), last = _mm512_set1_epi32(0x9FFF);
  std::uint64_t block[16];
  for (;;) {
    const std::size_t left = s.size() - i;
    const __mmask64 load = left >= 48 ? (std::uint64_t{1} << 48) - 1 : (std::uint64_t{1} << left) - 1;
    const __m512i bytes = _mm512_maskz_loadu_epi8(load, s.data() + i);
    const __m512i v = _mm512_and_si512(_mm512_permutexvar_epi8(gather, bytes), three);
    const __m512i cp = _mm512_or_si512(
        _mm512_or_si512(_mm512_slli_epi32(_mm512_and_si512(v, _mm512_set1_epi32(0x0F)), 12),
                        _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(v, 8), _mm512_set1_epi32(0x3F)), 6)),
        _mm512_and_si512(_mm512_srli_epi32(v, 16), _mm512_set1_epi32(0x3F)));
    const __mmask16 ok = _mm512_cmpeq_epi32_mask(_mm512_and_si512(v, shape_mask), shape) &
                         _mm512_cmpge_epu32_mask(cp, first) & _mm512_cmple_epu32_mask(cp, last);
    const unsigned good = static_cast<unsigned>(std::countr_one(static_cast<unsigned>(ok)));
    if (good == 0) return i;
    _mm512_storeu_si512(block, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(cp)));
    _mm512_storeu_si512(block + 8, _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(cp, 1)));
    tokens.insert(tokens.end(), block, block + good);
    i += 3 * good;
    if (good < 16) return i;
  }
}
#endif

// The end of the run of marks at s[i] (ASCII characters other than letters and digits, and
// is_punctuation_block() characters) when that run is followed by a CJK Unified Ideograph or the
// end of `s`; else i. Such a run holds no word: the general path of tokenize() would scan it as
// one non-CJK run and find nothing alphanumeric in it.
std::size_t skip_marks(std::string_view s, std::size_t i) noexcept {
  const std::size_t n = s.size();
  std::size_t k = i;
  while (k < n) {
    const auto b = static_cast<unsigned char>(s[k]);
    if (b < 0x80) {
      if (is_ascii_alnum(b)) return i;
      ++k;
      continue;
    }
    if (b < 0xE0 || b >= 0xF0) return i;  // 2- and 4-byte sequences: the general path
    std::size_t next = k;
    const char32_t c = next_code_point(s, next);
    if (is_unified_ideograph(c)) return k;
    if (!is_punctuation_block(c)) return i;
    k = next;
  }
  return k;
}

}  // namespace

std::string ShingleOptions::validate() const {
  if (size < 1 || size > 16) return "--shingle must be between 1 and 16";
  return {};
}

struct Shingler::Impl {
  std::unique_ptr<icu::BreakIterator> words;
  UText* utext = nullptr;
  ~Impl() { utext_close(utext); }
};

Shingler::Shingler(const ShingleOptions& options) : options_(options), impl_(std::make_unique<Impl>()) {
  if (auto msg = options.validate(); !msg.empty()) throw Error(errc::usage, msg);
}

Shingler::~Shingler() = default;

std::size_t Shingler::tokenize(std::string_view s, std::vector<std::uint64_t>& tokens) {
  return tokenize_impl(s, tokens, true);
}

std::size_t Shingler::tokenize_general(std::string_view s, std::vector<std::uint64_t>& tokens) {
  return tokenize_impl(s, tokens, false);
}

std::size_t Shingler::tokenize_impl(std::string_view s, std::vector<std::uint64_t>& tokens, bool fast) {
  assert(is_valid_utf8(s));  // debug builds: normalised text is valid UTF-8
  tokens.clear();
  const std::uint64_t word_seed = options_.seed ^ kWordSalt;
  std::size_t chars = 0;
  std::size_t i = 0;
  const std::size_t n = s.size();

  // ASCII words: letters and digits, with '.' or ',' inside numbers (3.14, 1,000) and an
  // apostrophe inside words (don't), as ICU's word break would.
  auto ascii_words = [&](std::size_t b, std::size_t e) {
    std::size_t k = b;
    while (k < e) {
      while (k < e && !is_ascii_alnum(static_cast<unsigned char>(s[k]))) ++k;
      if (k >= e) break;
      std::size_t w = k;
      while (k < e) {
        auto c = static_cast<unsigned char>(s[k]);
        if (is_ascii_alnum(c)) { ++k; continue; }
        if (k + 1 < e && k > w) {
          auto prev = static_cast<unsigned char>(s[k - 1]), next = static_cast<unsigned char>(s[k + 1]);
          if ((c == '.' || c == ',') && is_ascii_digit(prev) && is_ascii_digit(next)) { ++k; continue; }
          if (c == '\'' && is_ascii_alpha(prev) && is_ascii_alpha(next)) { ++k; continue; }
        }
        break;
      }
      tokens.push_back(XXH3_64bits_withSeed(s.data() + w, k - w, word_seed));
      chars += k - w;
    }
  };

  // Other scripts: ICU word break; only segments with a word rule status are tokens.
  auto icu_words = [&](std::size_t b, std::size_t e) {
    UErrorCode status = U_ZERO_ERROR;
    if (!impl_->words) {
      impl_->words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
      if (U_FAILURE(status)) { impl_->words.reset(); ascii_words(b, e); return; }
    }
    impl_->utext = utext_openUTF8(impl_->utext, s.data() + b, static_cast<int64_t>(e - b), &status);
    impl_->words->setText(impl_->utext, status);
    if (U_FAILURE(status)) { ascii_words(b, e); return; }
    int32_t start = impl_->words->first();
    for (int32_t end = impl_->words->next(); end != icu::BreakIterator::DONE;
         start = end, end = impl_->words->next()) {
      if (impl_->words->getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;
      std::size_t wb = b + static_cast<std::size_t>(start), we = b + static_cast<std::size_t>(end);
      tokens.push_back(XXH3_64bits_withSeed(s.data() + wb, we - wb, word_seed));
      for (std::size_t k = wb; k < we;) { next_code_point(s, k); ++chars; }
    }
  };

  while (i < n) {
    if (fast) {
      // The bulk of Chinese text: 3-byte sequences in CJK Unified Ideographs, a run of them at a
      // time (valid UTF-8 has the two bytes after a lead byte of 0xE4-0xE9).
      const std::size_t run = i;
#ifdef RECUR_AVX512_IDEOGRAPHS
      static const bool vbmi = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                               __builtin_cpu_supports("avx512vbmi");
      if (vbmi) i = ideograph_run_avx512(s, i, tokens);
#endif
      for (std::size_t next = i; i < n; i = next) {
        if (const auto b0 = static_cast<unsigned char>(s[i]); b0 < 0xE4 || b0 > 0xE9) break;
        const char32_t cp = next_code_point(s, next);
        if (!is_unified_ideograph(cp)) break;
        tokens.push_back(cp);
      }
      chars += (i - run) / 3;
      if (i >= n) break;
      // Punctuation between Chinese characters ("，", "。“", "、 "): a run of marks that ends at a
      // CJK character or at the end holds no word, so it is passed over without the general
      // path's decoding and property tests, which cost more per mark than the fast path does per
      // character (Chinese text has a mark every 8 characters or so).
      if (const std::size_t e = skip_marks(s, i); e != i) {
        i = e;
        continue;
      }
    }
    const std::size_t start = i;
    const char32_t c = next_code_point(s, i);
    if (is_cjk(c)) {
      tokens.push_back(static_cast<std::uint64_t>(c));
      ++chars;
      continue;
    }
    // A run of non-CJK text, up to the next CJK character.
    std::size_t end = i;
    bool ascii = c < 0x80;
    bool alnum = ascii ? is_ascii_alnum(static_cast<unsigned char>(c)) : !is_punctuation_block(c) && u_isalnum(c);
    while (end < n) {
      std::size_t k = end;
      char32_t d = next_code_point(s, k);
      if (is_cjk(d)) break;
      if (d >= 0x80) {
        ascii = false;
        alnum = alnum || (!is_punctuation_block(d) && (u_isalnum(d) || u_hasBinaryProperty(d, UCHAR_ALPHABETIC)));
      } else {
        alnum = alnum || is_ascii_alnum(static_cast<unsigned char>(d));
      }
      end = k;
    }
    if (c >= 0x80 && !alnum && !is_punctuation_block(c)) alnum = u_hasBinaryProperty(c, UCHAR_ALPHABETIC);
    if (alnum) {
      if (ascii) ascii_words(start, end);
      else icu_words(start, end);
    }
    i = end;
  }
  return chars;
}

namespace {

#ifdef RECUR_X86_SIMD
#define RECUR_AVX512_SHINGLES 1
// The default shingles (two tokens: 16 bytes) hashed 8 at a time, as XXH3_64bits_withSeed hashes
// 9-16 bytes (xxhash.h's XXH3_len_9to16_64b, which XXH3 keeps stable since 0.8.0) over 64-bit
// lanes. Its 64 x 64 -> 128-bit product, for which AVX-512 has no instruction, is built from four
// 32-bit products. Writes out[0, k) for the largest multiple of 8 k <= n and returns k; `tokens`
// holds n + 1 tokens. The shingle tests compare it with XXH3 itself.
__attribute__((target("avx512f,avx512dq,avx512bw"))) std::size_t pair_hashes_avx512(
    const std::uint64_t* tokens, std::size_t n, std::uint64_t seed, std::uint64_t* out) noexcept {
  std::uint64_t secret[4];  // bytes 24-55 of XXH3's default secret
  std::memcpy(secret, XXH3_kSecret + 24, sizeof secret);
  const __m512i flip_lo = _mm512_set1_epi64(static_cast<long long>((secret[0] ^ secret[1]) + seed));
  const __m512i flip_hi = _mm512_set1_epi64(static_cast<long long>((secret[2] ^ secret[3]) - seed));
  const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFFll);
  const __m512i len = _mm512_set1_epi64(16);
  const __m512i prime = _mm512_set1_epi64(static_cast<long long>(0x165667919E3779F9ULL));
  // XXH_swap64 in every 64-bit lane: the bytes of each lane reversed.
  const __m512i swap = _mm512_broadcast_i32x4(_mm_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8));
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512i lo = _mm512_xor_si512(_mm512_loadu_si512(tokens + i), flip_lo);
    const __m512i hi = _mm512_xor_si512(_mm512_loadu_si512(tokens + i + 1), flip_hi);
    // XXH3_mul128_fold64(lo, hi): the low and high 64 bits of the product, xored.
    const __m512i lo_h = _mm512_srli_epi64(lo, 32), hi_h = _mm512_srli_epi64(hi, 32);
    const __m512i p0 = _mm512_mul_epu32(lo, hi), p1 = _mm512_mul_epu32(lo, hi_h);
    const __m512i p2 = _mm512_mul_epu32(lo_h, hi), p3 = _mm512_mul_epu32(lo_h, hi_h);
    const __m512i mid = _mm512_add_epi64(_mm512_add_epi64(_mm512_srli_epi64(p0, 32), _mm512_and_si512(p1, low32)),
                                         _mm512_and_si512(p2, low32));
    const __m512i high = _mm512_add_epi64(_mm512_add_epi64(p3, _mm512_srli_epi64(p1, 32)),
                                          _mm512_add_epi64(_mm512_srli_epi64(p2, 32), _mm512_srli_epi64(mid, 32)));
    const __m512i low = _mm512_or_si512(_mm512_slli_epi64(mid, 32), _mm512_and_si512(p0, low32));
    __m512i acc = _mm512_add_epi64(_mm512_add_epi64(len, _mm512_shuffle_epi8(lo, swap)),
                                   _mm512_add_epi64(hi, _mm512_xor_si512(low, high)));
    // XXH3_avalanche
    acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 37));
    acc = _mm512_mullo_epi64(acc, prime);
    acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 32));
    _mm512_storeu_si512(out + i, acc);
  }
  return i;
}
#endif

}  // namespace

void Shingler::shingles(const std::vector<std::uint64_t>& tokens, std::vector<std::uint64_t>& out) const {
  out.clear();
  if (tokens.empty()) return;
  const std::size_t k = options_.size;
  if (tokens.size() <= k) {
    out.push_back(XXH3_64bits_withSeed(tokens.data(), tokens.size() * sizeof(std::uint64_t), options_.seed));
    return;
  }
  out.resize(tokens.size() - k + 1);
  if (k == 2) {  // the default, with a fixed length so that the hash inlines
    std::size_t i = 0;
#ifdef RECUR_AVX512_SHINGLES
    static const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                               __builtin_cpu_supports("avx512bw");
    if (avx512) i = pair_hashes_avx512(tokens.data(), out.size(), options_.seed, out.data());
#endif
    for (; i + 2 <= tokens.size(); ++i)
      out[i] = XXH3_64bits_withSeed(tokens.data() + i, 2 * sizeof(std::uint64_t), options_.seed);
    return;
  }
  for (std::size_t i = 0; i + k <= tokens.size(); ++i)
    out[i] = XXH3_64bits_withSeed(tokens.data() + i, k * sizeof(std::uint64_t), options_.seed);
}

std::size_t Shingler::shingle_set(std::string_view normalized, std::vector<std::uint64_t>& out) {
  std::size_t chars = tokenize(normalized, scratch_);
  shingles(scratch_, out);
  sort_unique(out);
  return chars;
}

void sort_unique(std::vector<std::uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace recur
