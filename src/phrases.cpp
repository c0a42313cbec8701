// Maximal repeats with a suffix array, variant grouping, and the stages of `recur phrases`.
#include "recur/phrases.hpp"

#include <unicode/uchar.h>
#include <sys/mman.h>
#include <xxhash.h>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include <boost/sort/pdqsort/pdqsort.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <span>
#include <unordered_map>

#include "parallel.hpp"
#include "parallel_sort.hpp"
#include "recur/clause.hpp"
#include "recur/error.hpp"
#include "recur/lsh.hpp"
#include "recur/minhash.hpp"
#include "recur/progress.hpp"
#include "recur/report.hpp"
#include "recur/shingle.hpp"
#include "recur/suffix_array.hpp"
#include "recur/text.hpp"

namespace recur {

bool is_content_char(char32_t c) noexcept {
  if (c < 0x80) return is_ascii_alnum(c);
  if (is_cjk(c)) return true;
  // Chinese punctuation (。，、“”《》…) answered without two ICU property look-ups each: about
  // one character in ten of the reports. The shingle tests check these blocks against ICU.
  if (is_punctuation_block(c)) return false;
  return u_isalnum(static_cast<UChar32>(c)) || u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_ALPHABETIC);
}

namespace {

// count_content_chars counts each character at its lead byte (an ASCII byte or 0xC0-0xFF; the
// continuation bytes 0x80-0xBF count nothing), so any stretch of the text can be counted on its
// own, by bytes. The common CJK ideographs U+4E00..U+9FFF are E4 B8 80 .. E9 BF BF: told by
// their first two bytes without decoding. Other leads are decoded.
std::uint64_t content_chars_from(std::string_view s, std::size_t i) noexcept {
  std::uint64_t n = 0;
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  for (; i < s.size(); ++i) {
    const unsigned char b0 = b[i];
    if (b0 < 0x80) {
      n += is_ascii_alnum(b0);
    } else if ((b0 >= 0xE5 && b0 <= 0xE9) || (b0 == 0xE4 && i + 1 < s.size() && b[i + 1] >= 0xB8)) {
      ++n;
    } else if (b0 >= 0xC0) {
      std::size_t at = i;
      n += is_content_char(next_code_point(s, at));
    }
  }
  return n;
}

#if defined(__GNUC__) && defined(__x86_64__)
#define RECUR_AVX2_CONTENT_COUNT 1
__attribute__((target("avx2"))) inline __m256i splat(int v) { return _mm256_set1_epi8(static_cast<char>(v)); }

// Bytes of x in [lo, hi], unsigned: clamping x leaves it unchanged.
__attribute__((target("avx2"))) inline __m256i in_range(__m256i x, __m256i lo, __m256i hi) {
  return _mm256_cmpeq_epi8(_mm256_min_epu8(_mm256_max_epu8(x, lo), hi), x);
}

// The same rule on 32 bytes at a time: ASCII letters and digits and the ideographs' lead bytes
// are counted by masks; only other lead bytes (punctuation, kana, Latin letters: about one
// character in ten of the reports) are decoded one by one.
__attribute__((target("avx2,popcnt"))) std::uint64_t content_chars_avx2(std::string_view s) noexcept {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const __m256i c0 = splat('0'), c9 = splat('9'), ca = splat('a'), cz = splat('z'), case_bit = splat(0x20);
  const __m256i e4 = splat(0xE4), e5 = splat(0xE5), e9 = splat(0xE9), b8 = splat(0xB8), ff = splat(0xFF);
  const __m256i lead = splat(0xC0);
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (; i + 33 <= s.size(); i += 32) {  // one byte past the block: the second byte of an E4 at its end
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    const __m256i next = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 1));
    const __m256i alnum = _mm256_or_si256(in_range(x, c0, c9), in_range(_mm256_or_si256(x, case_bit), ca, cz));
    const __m256i han =
        _mm256_or_si256(in_range(x, e5, e9), _mm256_and_si256(_mm256_cmpeq_epi8(x, e4), in_range(next, b8, ff)));
    const auto han_bits = static_cast<std::uint32_t>(_mm256_movemask_epi8(han));
    n += static_cast<unsigned>(std::popcount(static_cast<std::uint32_t>(_mm256_movemask_epi8(alnum)))) +
         static_cast<unsigned>(std::popcount(han_bits));
    for (auto other = static_cast<std::uint32_t>(_mm256_movemask_epi8(in_range(x, lead, ff))) & ~han_bits; other != 0;
         other &= other - 1) {
      std::size_t at = i + static_cast<std::size_t>(std::countr_zero(other));
      n += is_content_char(next_code_point(s, at));
    }
  }
  return n + content_chars_from(s, i);
}
#endif

}  // namespace

std::uint64_t count_content_chars(std::string_view s) noexcept {
  // Counting through next_code_point and is_content_char for every character was a quarter of
  // materialising a dense corpus's report (1.2 GB of member texts); by bytes, still a quarter of
  // the report stage's samples (dense 1 GiB), hence the AVX2 copy.
#ifdef RECUR_AVX2_CONTENT_COUNT
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  if (avx2) return content_chars_avx2(s);
#endif
  return content_chars_from(s, 0);
}

void extract_content(std::string_view normalized, Content& out, bool with_offsets) {
  out.chars.clear();
  out.norm_begin.clear();
  out.norm_end.clear();
  out.clause_after.clear();
  // The boundary punctuation since the last content character, and whether the last of it was an
  // ASCII , . : that a digit right after it makes part of a number (1,000 3.5 10:30).
  Boundary seen = Boundary::none, numeric = Boundary::none;
  for (std::size_t i = 0; i < normalized.size();) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(normalized, i);
    // The common ideographs (nearly every character of the reports) without the call of
    // is_content_char: with is_cjk's, a twentieth of the reading's time on dense 1 GiB.
    if (!(cp >= 0x4E00 && cp <= 0x9FFF) && !is_content_char(cp)) {
      const Boundary b = boundary_of(cp);
      if ((cp == U',' || cp == U'.' || cp == U':') && i == start + 1) {
        numeric = std::max(numeric, b);
      } else {
        seen = std::max(seen, b);
      }
      continue;
    }
    if (!out.chars.empty())
      out.clause_after.raise(out.chars.size() - 1, cp >= U'0' && cp <= U'9' ? seen : std::max(seen, numeric));
    seen = numeric = Boundary::none;
    out.chars.push_back(cp);
    out.clause_after.push_back(Boundary::none);
    if (with_offsets) {
      out.norm_begin.push_back(static_cast<std::uint32_t>(start));
      out.norm_end.push_back(static_cast<std::uint32_t>(i));
    }
  }
  if (!out.chars.empty()) out.clause_after.raise(out.chars.size() - 1, Boundary::clause);  // the paragraph ends a clause
}

void content_sentence_ends(const Content& content, std::span<const std::size_t> byte_ends,
                           std::vector<std::uint32_t>& ends) {
  ends.clear();
  std::size_t k = 0;  // content characters starting before the current end
  for (const std::size_t b : byte_ends) {
    while (k < content.norm_begin.size() && content.norm_begin[k] < b) ++k;
    if (ends.empty() || ends.back() != k) ends.push_back(static_cast<std::uint32_t>(k));
  }
  const auto n = static_cast<std::uint32_t>(content.chars.size());
  if (ends.empty() || ends.back() != n) ends.push_back(n);
}

namespace {
// A segment of document `doc` starting at `start` begins a run of segments of one document unless
// the last run is of `doc` already (add_segment and index_segments).
void note_run(std::vector<std::uint32_t>& run_start, std::vector<std::uint32_t>& run_doc, std::uint32_t start,
              std::uint32_t doc) {
  if (!run_doc.empty() && run_doc.back() == doc) return;
  run_start.push_back(start);
  run_doc.push_back(doc);
}
}  // namespace

void SegmentedText::add_segment(std::span<const char32_t> content, std::uint32_t doc) {
  if (segment_start.empty()) segment_start.push_back(0);
  note_run(run_start, run_doc, static_cast<std::uint32_t>(chars.size()), doc);
  chars.insert(chars.end(), content.begin(), content.end());
  segment_start.push_back(static_cast<std::uint32_t>(chars.size()));
  segment_doc.push_back(doc);
  segment_index.extend(segment_start, chars.size());
  run_index.extend(run_start, chars.size());
}

void SegmentedText::index_segments() {
  segment_index = StartIndex{6};
  run_index = StartIndex{12};
  run_start.clear();
  run_doc.clear();
  for (std::size_t s = 0; s < segment_doc.size(); ++s) note_run(run_start, run_doc, segment_start[s], segment_doc[s]);
  if (segment_start.empty()) return;
  segment_index.extend(segment_start, chars.size());
  run_index.extend(run_start, chars.size());
}

std::size_t SegmentedText::segment_of(std::uint32_t pos) const noexcept { return segment_index.find(segment_start, pos); }

StartIndex::StartIndex(std::span<const std::uint32_t> starts, std::size_t positions) : shift_(0) {
  while (shift_ < 31 && (positions >> (shift_ + 1)) >= starts.size()) ++shift_;
  // Two blocks past the last position: a position's block and the next one always have answers.
  extend(starts, std::uint64_t{(positions >> shift_) + 2} << shift_);
}

void StartIndex::extend(std::span<const std::uint32_t> starts, std::uint64_t end) {
  std::uint32_t k = first_.empty() ? 0 : first_.back();
  for (std::uint64_t b = first_.size(); (b << shift_) < end; ++b) {
    while (k + 1 < starts.size() && starts[k + 1] <= (b << shift_)) ++k;
    first_.push_back(k);
  }
}

std::size_t StartIndex::find(std::span<const std::uint32_t> starts, std::uint32_t pos) const noexcept {
  auto lo = starts.begin(), hi = starts.end();
  if (const std::size_t b = pos >> shift_; b < first_.size()) {
    lo += first_[b];
    if (b + 1 < first_.size()) hi = starts.begin() + std::min<std::size_t>(first_[b + 1] + 1, starts.size());
  }
  return static_cast<std::size_t>(std::upper_bound(lo, hi, pos) - starts.begin()) - 1;
}

std::string RepeatOptions::validate() const {
  if (min_chars < 1) return "--min-chars must be at least 1";
  if (min_docs < 1) return "--min-docs must be at least 1";
  if (max_positions < 1) return "max_positions must be at least 1";
  return {};
}

namespace {

// A run: a stretch [start, end) of one paragraph with smallest period `period`, at least two
// periods long, that the period does not extend either way.
struct Run {
  std::uint32_t start, end, period;
  auto operator<=>(const Run&) const = default;
};

// The runs of c[0, len) (one paragraph) at least `min_len` long, each once. The Runs Theorem
// (Bannai et al. 2017): a run has a Lyndon root (the rotation of its period that is a Lyndon word)
// starting after its start, and under the order of the alphabet in which the character after the
// run is the smaller of the two a period apart, that root is the longest Lyndon word starting
// there. So the longest Lyndon word at every position, under both orders, extended both ways,
// finds every run. Characters are compared directly (no LCE structure): a root further than one
// period into its run is skipped after at most period + 1 comparisons, so each run is extended
// from at most two roots per order and periodic text costs O(n).
template <class Sym>
void paragraph_runs(const Sym* c, std::uint32_t len, std::uint32_t min_len, std::vector<std::uint32_t>& lyn,
                    std::vector<Run>& out) {
  const std::size_t first = out.size();
  lyn.resize(len);
  for (const bool reversed : {false, true}) {
    // Longest Lyndon word at each position, right to left: u = c[i, j) takes in the next longest
    // Lyndon word v while u < v, since then uv is a Lyndon word too.
    for (std::uint32_t i = len; i-- > 0;) {
      std::uint32_t j = i + 1;
      while (j < len) {
        const std::uint32_t lu = j - i, lv = lyn[j];
        std::uint32_t k = 0;
        while (k < lu && k < lv && c[i + k] == c[j + k]) ++k;
        const bool u_less = k == lu ? lu < lv : k < lv && (reversed ? c[i + k] > c[j + k] : c[i + k] < c[j + k]);
        if (!u_less) break;
        j += lv;
      }
      lyn[i] = j - i;
    }
    for (std::uint32_t i = 0; i < len; ++i) {
      const std::uint32_t q = lyn[i];
      std::uint32_t back = 0;
      while (back <= q && back < i && c[i - back - 1] == c[i + q - back - 1]) ++back;
      if (back > q) continue;  // a root of the same run a period earlier finds it
      std::uint32_t ahead = 0;
      while (i + q + ahead < len && c[i + ahead] == c[i + q + ahead]) ++ahead;
      if (back + ahead >= q && q + back + ahead >= min_len) out.push_back({i - back, i + q + ahead, q});
    }
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
  out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(first), out.end()), out.end());
}

constexpr std::uint64_t kWindowBase = 0x9E3779B97F4A7C15ull;  // odd: the hash is a polynomial mod 2^64

// Calls f(offset, hash) for every window of k characters of `chars`, in order (or of k symbols of
// a ranked text).
template <class Sym, class F>
void for_each_window(std::span<const Sym> chars, unsigned k, F&& f) {
  if (k == 0 || chars.size() < k) return;
  std::uint64_t top = 1;  // kWindowBase^(k-1)
  for (unsigned i = 1; i < k; ++i) top *= kWindowBase;
  std::uint64_t h = 0;
  for (unsigned i = 0; i < k; ++i) h = h * kWindowBase + chars[i];
  for (std::size_t i = 0;; ++i) {
    f(i, h ^ (h >> 29));
    if (i + k >= chars.size()) break;
    h = (h - top * chars[i]) * kWindowBase + chars[i + k];
  }
}

// A 64-bit finaliser (splitmix64): the window hash is a polynomial, whose low bits mix poorly.
std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Inserts x into an open-addressing set: a power of 2 in size, at least twice what it will hold, 0
// marking an empty slot (so x != 0), x placed by its low bits (mixed, mix64). False when x was in it.
bool insert_new(std::vector<std::uint64_t>& set, std::uint64_t x) noexcept {
  const std::size_t mask = set.size() - 1;
  for (std::size_t i = x & mask;; i = (i + 1) & mask) {
    if (set[i] == x) return false;
    if (set[i] == 0) {
      set[i] = x;
      return true;
    }
  }
}

// Whether some `h` consecutive symbols of c[0, len) occur twice in it (or two of its h-grams
// share a hash: then true as well). overlap_covers() uses it to pass over paragraphs that cannot
// hold a cover (below).
template <class Sym>
bool repeats_a_gram(const Sym* c, std::uint32_t len, std::uint32_t h, std::vector<std::uint64_t>& set) {
  if (len < h + 1) return false;
  if (h == 0) return true;  // the empty gram is everywhere
  set.assign(std::bit_ceil(std::size_t{len - h + 1} * 2), 0);
  bool repeated = false;
  for_each_window(std::span<const Sym>(c, len), h, [&](std::size_t, std::uint64_t w) {
    // A mixed hash of 0 stands as 1: a collision only makes a false "repeated".
    if (!repeated) repeated = !insert_new(set, std::max<std::uint64_t>(mix64(w), 1));
  });
  return repeated;
}

// Lengths at which an occurrence at a position overlaps another occurrence: (low, high].
struct Cover {
  std::uint32_t pos, low, high;
};

// For every content position, the lengths L >= min_chars at which the span of length L starting
// there overlaps another occurrence of itself, as disjoint ranges (position order). Such an
// overlap at distance d < L makes the stretch covering both occurrences periodic, so it lies in a
// run of some period q <= d < L, and the occurrence a period q away is one too: the occurrence at
// p in run [s, e) of period q overlaps another exactly for q < L <= e - p when p - q >= s (one
// period before it), else for q < L <= e - p - q (one after it).
//
// Computed on the ranked text (rank order is character order, so the runs are the same), by
// encoded position: `start[k]` is where segment k begins.
//
// Paragraphs are independent: blocks of them are worked on `threads` threads, their covers joined
// in block order.
template <class Sym>
std::vector<Cover> overlap_covers(const UninitialisedVector<Sym>& enc, const std::vector<std::uint32_t>& start,
                                  std::uint32_t min_chars, unsigned threads) {
  constexpr std::size_t kBlock = 4096;  // segments per task
  const std::size_t segments = start.size() - 1, blocks = (segments + kBlock - 1) / kBlock;
  std::vector<std::vector<Cover>> found(blocks);
  struct Scratch {
    std::vector<std::uint32_t> lyn;
    std::vector<Run> runs;
    std::vector<Cover> here;
    std::vector<std::uint64_t> grams;
  };
  detail::PerThread<Scratch> scratch(threads, [] { return std::make_unique<Scratch>(); });
  detail::parallel_for(blocks, threads, [&](std::size_t block, unsigned w) {
    auto& [lyn, runs, here, grams] = scratch[w];
    std::vector<Cover>& covers = found[block];
    for (std::size_t k = block * kBlock; k < std::min(segments, (block + 1) * kBlock); ++k) {
      const std::uint32_t s0 = start[k], len = start[k + 1] - s0 - 1;  // without its separator
      // A run [s, e) of period q gives covers only if its highest one, L - q at s (L = e - s), is at
      // least min_chars: then c[s, s + L - q) occurs at s and at s + q, so some min_chars symbols
      // occur twice in the paragraph. Most paragraphs repeat none (dense 1 GiB: this stage went from
      // 1.2 to 0.2 s), and the hashing costs a fraction of paragraph_runs()'s two Lyndon passes.
      if (!repeats_a_gram(enc.data() + s0, len, min_chars, grams)) continue;
      runs.clear();
      paragraph_runs(enc.data() + s0, len, min_chars + 1, lyn, runs);
      if (runs.empty()) continue;
      here.clear();
      for (const Run& r : runs)
        for (std::uint32_t p = r.start; p < r.end; ++p) {
          const std::uint32_t high = p >= r.start + r.period ? r.end - p : r.end - p - std::min(r.end - p, r.period);
          if (high <= r.period || high < min_chars) {
            if (p >= r.start + r.period) break;  // high only falls from here on
            continue;
          }
          here.push_back({s0 + p, r.period, high});
        }
      std::sort(here.begin(), here.end(), [](const Cover& a, const Cover& b) {
        return a.pos != b.pos ? a.pos < b.pos : a.low < b.low;
      });
      for (const Cover& cv : here) {  // union per position
        if (!covers.empty() && covers.back().pos == cv.pos && cv.low <= covers.back().high)
          covers.back().high = std::max(covers.back().high, cv.high);
        else covers.push_back(cv);
      }
    }
  });
  std::vector<Cover> covers;
  for (const auto& f : found) covers.insert(covers.end(), f.begin(), f.end());
  return covers;
}

// Counts over a prefix of the suffix array.
struct Fenwick {
  std::vector<std::int32_t> t;
  explicit Fenwick(std::size_t n) : t(n + 1, 0) {}
  void add(std::size_t i, std::int32_t v) {
    for (++i; i < t.size(); i += i & (~i + 1)) t[i] += v;
  }
  std::int64_t prefix(std::size_t n) const {  // sum of [0, n)
    std::int64_t s = 0;
    for (; n > 0; n -= n & (~n + 1)) s += t[n];
    return s;
  }
};

// Segments with the same characters, searched once. Copies are common in the text the phrases
// search (dense 1 GiB: 29% of the kept characters are in stretches that another stretch repeats
// exactly), and the suffix array's cost is per character searched. Over the collapsed text:
//  - an interval of the suffix array holding two or more collapsed positions is a maximal repeat
//    exactly when the same interval of the whole text's suffix array is: copies have the same
//    characters on either side, so they add no left difference and no branch;
//  - each position stands for the same offset in every copy: it counts as that many occurrences,
//    and as the distinct documents of the copies (Hui's count generalised to a set of documents
//    per leaf: each (leaf, document) is a leaf of its own);
//  - the one repeat that no interval shows is a whole segment whose copies are its only
//    occurrences (a leaf of the collapsed array): added on its own (repeats_over).
struct Collapsed {
  // Per collapsed segment k: the original segment it is (its first copy). The first `multi` have
  // copies; the rest, one segment each, come in segment order, so their documents do not fall.
  std::vector<std::uint32_t> kept;
  std::uint32_t multi = 0;
  std::vector<std::uint32_t> copy_begin;  // per k, and one past the last: its copies in `copy_start`
  // Where each copy begins in the text (SegmentedText::segment_start of its segment), increasing
  // within each k: the positions a collapsed position stands for are these plus its offset.
  std::vector<std::uint32_t> copy_start;
  // What the sweep reads of k, in one record (a random read per suffix): its copies, its distinct
  // documents, and the document itself when it is one, else where its documents begin in `docs`.
  struct Info {
    std::uint32_t copies, documents, doc;
  };
  std::vector<Info> info;
  std::vector<std::uint32_t> docs;  // dense document numbers (0, 1, ... in segment order)
  std::uint32_t documents = 0;      // dense documents in all
  std::span<const std::uint32_t> copy_starts(std::size_t k) const noexcept {
    return {copy_start.data() + copy_begin[k], copy_begin[k + 1] - copy_begin[k]};
  }
  std::span<const std::uint32_t> docs_of(std::size_t k) const noexcept {
    const Info& i = info[k];
    return i.documents == 1 ? std::span<const std::uint32_t>(&i.doc, 1) : std::span<const std::uint32_t>(docs.data() + i.doc, i.documents);
  }
};

// The segments of `text` collapsed, or nothing when no two are equal.
std::optional<Collapsed> collapse_segments(const SegmentedText& text, unsigned threads) {
  const std::size_t segments = text.segments();
  if (segments < 2) return std::nullopt;
  auto chars_of = [&](std::size_t s) {
    return std::span<const char32_t>(text.chars.data() + text.segment_start[s], text.segment_start[s + 1] - text.segment_start[s]);
  };
  struct Key {
    std::uint64_t hash;
    std::uint32_t length, segment;
  };
  std::vector<Key> keys(segments);
  constexpr std::size_t kBlock = 4096;
  detail::parallel_for((segments + kBlock - 1) / kBlock, threads, [&](std::size_t b, unsigned) {
    for (std::size_t k = b * kBlock; k < std::min(segments, (b + 1) * kBlock); ++k) {
      const auto c = chars_of(k);
      keys[k] = {XXH3_64bits(c.data(), c.size_bytes()), static_cast<std::uint32_t>(c.size()), static_cast<std::uint32_t>(k)};
    }
  });
  // A total order (the segment last), so the result does not depend on the thread count.
  detail::parallel_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (a.length != b.length) return a.length < b.length;
    return a.segment < b.segment;
  }, threads);
  std::vector<std::uint32_t> rep(segments);  // the first segment with the same characters
  // Groups of equal hashes and lengths, on all threads: each piece starts at the first group that
  // begins in it.
  auto same_key = [&](std::size_t x, std::size_t y) { return keys[x].hash == keys[y].hash && keys[x].length == keys[y].length; };
  const std::size_t pieces = threads <= 1 ? 1 : std::size_t{4} * threads;
  std::atomic<bool> any{false};
  detail::parallel_for(pieces, threads, [&](std::size_t piece, unsigned) {
    std::size_t g = segments * piece / pieces;
    const std::size_t to = segments * (piece + 1) / pieces;
    while (g > 0 && g < to && same_key(g, g - 1)) ++g;  // that group belongs to the piece before
    std::vector<std::uint32_t> firsts;  // the group's distinct texts' first segments
    bool found = false;
    while (g < to) {
      std::size_t e = g + 1;
      while (e < segments && same_key(e, g)) ++e;
      firsts.clear();
      for (std::size_t q = g; q < e; ++q) {  // in segment order: the first of each text comes first
        const std::uint32_t seg = keys[q].segment;
        const auto c = chars_of(seg);
        std::uint32_t r = seg;
        for (const std::uint32_t f : firsts)  // one unless the hash collides
          if (std::ranges::equal(chars_of(f), c)) {
            r = f;
            break;
          }
        if (r == seg) firsts.push_back(seg);
        else found = true;
        rep[seg] = r;
      }
      g = e;
    }
    if (found) any = true;
  });
  std::vector<Key>().swap(keys);
  if (!any) return std::nullopt;
  Collapsed col;
  // The copies of each text, counted at its first segment; then the collapsed order: the texts
  // with copies, then the others, each in segment order.
  std::vector<std::uint32_t> count(segments, 0);
  for (std::uint32_t s = 0; s < segments; ++s) ++count[rep[s]];
  std::vector<std::uint32_t> index(segments);  // at each first segment: its collapsed index
  for (const bool copied : {true, false}) {
    for (std::uint32_t s = 0; s < segments; ++s)
      if (rep[s] == s && (count[s] >= 2) == copied) {
        index[s] = static_cast<std::uint32_t>(col.kept.size());
        col.kept.push_back(s);
      }
    if (copied) col.multi = static_cast<std::uint32_t>(col.kept.size());
  }
  const std::size_t kept = col.kept.size();
  col.copy_begin.resize(kept + 1, 0);
  for (std::size_t k = 0; k < kept; ++k) col.copy_begin[k + 1] = col.copy_begin[k] + count[col.kept[k]];
  col.copy_start.resize(segments);  // segments first, starts once their documents are counted
  std::vector<std::uint32_t>& next = count;  // where each collapsed segment's next copy goes
  for (std::size_t k = 0; k < kept; ++k) next[k] = col.copy_begin[k];
  for (std::uint32_t s = 0; s < segments; ++s) col.copy_start[next[index[rep[s]]]++] = s;
  std::vector<std::uint32_t>().swap(index);
  // Dense documents: segment_doc is non-decreasing.
  std::vector<std::uint32_t>& dense = count;
  dense.assign(segments, 0);
  for (std::size_t s = 0; s < segments; ++s)
    dense[s] = s == 0 ? 0 : dense[s - 1] + (text.segment_doc[s] != text.segment_doc[s - 1]);
  col.documents = dense[segments - 1] + 1;
  col.info.resize(kept);
  for (std::size_t k = 0; k < kept; ++k) {
    const auto copies = col.copy_starts(k);  // segments still
    const auto first = static_cast<std::uint32_t>(col.docs.size());
    for (const std::uint32_t c : copies)  // copies increase, so their documents do not fall
      if (col.docs.size() == first || col.docs.back() != dense[c]) col.docs.push_back(dense[c]);
    const auto n = static_cast<std::uint32_t>(col.docs.size()) - first;
    col.info[k] = {static_cast<std::uint32_t>(copies.size()), n, n == 1 ? col.docs.back() : first};
    if (n == 1) col.docs.pop_back();  // held in the record
  }
  for (std::uint32_t& c : col.copy_start) c = text.segment_start[c];
  return col;
}

// The characters of a text that lends them to maximal_repeats() for its peak: released once
// ranked, rebuilt from the ranks when the LCP is gone.
struct Lent {
  UninitialisedVector<char32_t>* chars = nullptr;  // null: the text is only read
  std::vector<char32_t> char_of;           // rank -> character
};

// Maximal repeats with their position lists end to end: repeat i (in `heads`, by first position,
// then length) occurs at positions[first, first + count) of its head, sorted. One array for all
// lists instead of a vector each: making dense 1 GiB's 4.1 M candidates from lists allocated one
// by one on the workers took 1.1-1.6 s on one thread, much of it in malloc's free; from the one
// array, 0.7 s (bench/RESULTS.md).
struct RepeatLists {
  struct Head {
    std::uint32_t length = 0, documents = 0, count = 0;
    std::uint64_t first = 0;
  };
  std::vector<Head> heads;
  PositionArray positions;

  std::span<std::uint32_t> positions_of(const Head& h) { return {positions.data() + h.first, h.count}; }
  // Each repeat with a vector of its own (maximal_repeats()).
  std::vector<Repeat> to_repeats() const {
    std::vector<Repeat> out(heads.size());
    for (std::size_t i = 0; i < heads.size(); ++i) {
      const Head& h = heads[i];
      out[i].length = h.length;
      out[i].documents = h.documents;
      out[i].positions.assign(positions.begin() + static_cast<std::ptrdiff_t>(h.first),
                              positions.begin() + static_cast<std::ptrdiff_t>(h.first + h.count));
    }
    return out;
  }
};

// maximal_repeats() over the ranked text `enc` (symbols below `alphabet`, 0 after each segment):
// the segments of `text`, or with `col` its collapsed segments (col->kept, in order), segment k
// starting at enc_start[k] (one past the last: enc's size). Only the segments of `text` are read
// here (its characters may be lent).
template <class Sym, class Advance>
RepeatLists repeats_over(UninitialisedVector<Sym> enc, std::vector<std::uint32_t> enc_start, std::uint32_t alphabet,
                         const SegmentedText& text, const Collapsed* col, const RepeatOptions& options,
                         RepeatCounts& counts, Advance advance, Lent& lent) {
  const std::size_t segments = col ? col->kept.size() : text.segments(), m = enc.size();
  // The progress units of the whole text that the collapsed one leaves out, counted as each pass
  // ends (repeat_work() counts every character).
  const std::size_t skipped = text.segment_start.back() + text.segments() - m;
  const StartIndex segment_index(enc_start, m);
  auto segment_of = [&](std::size_t e) { return segment_index.find(enc_start, static_cast<std::uint32_t>(e)); };

  // Suffix array of the ranked text (SA-IS: 4 bytes a character, linear time however repetitive).
  // The overlap ranges (below) read only the ranked text; they are found first, on all threads,
  // since SA-IS takes two (a second one gathers ahead what each induction pass reads).
  using Clock = std::chrono::steady_clock;
  auto lap = [at = Clock::now()](double& seconds) mutable {
    const auto now = Clock::now();
    seconds += std::chrono::duration<double>(now - at).count();
    at = now;
  };
  std::vector<Cover> covers;
  if (options.fold_periodic) covers = overlap_covers(enc, enc_start, options.min_chars, options.threads);
  lap(counts.seconds_covers);
  PositionArray sa;
  suffix_array(std::span<const Sym>(enc), alphabet, sa, options.threads);
  advance(m + skipped);
  lap(counts.seconds_sort);

  // LCP by text position, stopping at separators as if each were unique, so no span crosses a
  // segment: the LCP of suffix sa[i] with sa[i - 1] is plcp[sa[i]] & kLcpMask. Above it, whether
  // sa[i] is a separator and whether the characters left of sa[i] and sa[i - 1] differ, so that
  // the sweep reads one array at each suffix (permuted_lcp_marked).
  PositionArray plcp;
  permuted_lcp_marked(std::span<const Sym>(enc), sa, plcp, options.threads);
  advance(m + skipped);
  lap(counts.seconds_lcp);
  auto lcp_at = [&](std::size_t i) -> std::int32_t {  // -1 at the end closes every interval
    return i == m ? -1 : static_cast<std::int32_t>(plcp[sa[i]] & kLcpMask);
  };

  // Overlap ranges of every position, by suffix-array rank: one pass over sa finds the ranks of
  // the (few) covered positions.
  if (!covers.empty()) {
    std::vector<std::uint64_t> marked((m + 63) / 64, 0);
    for (const Cover& cv : covers) marked[cv.pos >> 6] |= std::uint64_t{1} << (cv.pos & 63);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> rank_of;  // (encoded position, rank)
    for (std::size_t i = 0; i < m; ++i)
      if ((marked[sa[i] >> 6] >> (sa[i] & 63)) & 1) rank_of.push_back({sa[i], static_cast<std::uint32_t>(i)});
    std::sort(rank_of.begin(), rank_of.end());
    for (Cover& cv : covers)
      cv.pos = std::lower_bound(rank_of.begin(), rank_of.end(), std::pair<std::uint32_t, std::uint32_t>{cv.pos, 0})->second;
  }
  // Documents renumbered densely (they are non-decreasing), so sparse or huge numbers cost nothing;
  // the document of a position is found by a search over the documents' first positions.
  //
  // Collapsed, the segments with copies come first (below `copied_end`), each with its list of
  // documents, found through its segment (copied_index); the others have one document each and
  // are in segment order, so the same search over them finds it, among far fewer starts (the
  // document numbers are then doc_number[] of what it finds).
  std::vector<std::uint32_t> doc_begin;  // encoded position where dense document d begins
  std::vector<std::uint32_t> doc_number;
  const std::uint32_t copied_end = col ? enc_start[col->multi] : 0;
  for (std::size_t k = col ? col->multi : 0; k < segments; ++k) {
    const std::uint32_t d = col ? col->info[k].doc : text.segment_doc[k];
    if (doc_begin.empty() || d != doc_number.back()) {
      doc_begin.push_back(enc_start[k]);
      doc_number.push_back(d);
    }
  }
  const auto docs = static_cast<std::int32_t>(col ? col->documents : doc_begin.size());
  const StartIndex doc_index(doc_begin, m);
  // The document of e, which is not in a segment with copies. Without collapsing, the dense
  // numbers are the indexes themselves.
  auto doc_of = [&](std::uint32_t e) -> std::uint32_t {
    const std::size_t at = doc_index.find(doc_begin, e);
    return col ? doc_number[at] : static_cast<std::uint32_t>(at);
  };
  const std::span<const std::uint32_t> copied_start(enc_start.data(), col ? col->multi + 1 : 0);
  const StartIndex copied_index = col ? StartIndex(copied_start, copied_end) : StartIndex();

  // Bottom-up traversal of the LCP intervals. Each open interval accumulates:
  //  - dup: occurrences that repeat a document already counted (Hui's method: a pair of
  //    consecutive same-document suffixes is charged to their lowest common interval), so
  //    documents = size - dup, where size counts each suffix's documents (one, or a collapsed
  //    segment's distinct documents: each is a leaf of its own here);
  //  - w0, u0: the occurrences and the documents of the suffixes before its left bound (running
  //    sums over the piece), so that its own are the sums at its right bound less these;
  //  - mixed: left-maximal, when the characters left of its occurrences are not all the same (or
  //    one occurrence starts a segment). They are not all the same exactly when two neighbours in
  //    the suffix array differ (kLcpLeftDiffers), and a pair of neighbours is charged to their
  //    lowest common interval, then passed up as intervals close.
  struct Node {
    std::int32_t depth;
    std::size_t lb;
    std::uint64_t w0 = 0, u0 = 0;
    std::size_t dup = 0;
    bool mixed = false;
  };
  auto merge = [&](Node& parent, const Node& child) {
    parent.dup += child.dup;
    parent.mixed = parent.mixed || child.mixed;
  };

  // Intervals that pass the filters; their occurrences are listed only once they are kept.
  struct Found {
    std::size_t lb, rb;
    std::uint32_t length, documents;
    std::uint32_t occurrences;  // rb - lb + 1 unless collapsed copies count several times
  };
  constexpr std::size_t kStep = std::size_t{1} << 16;  // progress every kStep suffixes
  // Each suffix reads its LCP and flags at a random place of an array far larger than the cache.
  // They are gathered a chunk of kChunk suffixes at a time into a small buffer, in a loop that does
  // nothing else, fetching kAhead suffixes early: the sweep's branches depend on each LCP, and when
  // it read them in place (fetched ahead the same way) each mispredicted branch waited on a miss.
  // On the dense 1 GiB corpus's suffix array (143 M suffixes, one thread, in a harness) the sweep
  // took 18.2 s reading in place and 8.2 s from the chunks, of which gathering is about 1.4 s; in
  // the pipeline (two threads) 7.6 s against 4.1 s.
  constexpr std::size_t kAhead = 16;
  constexpr std::size_t kChunk = 4096;

  // The sweep over suffix-array indices [a, b), where a == 0 or lcp_at(a) < min_chars, and b == m
  // or lcp_at(b) < min_chars: no reported interval (depth >= min_chars) spans such a cut, so its
  // leaves, children, left characters and same-document pairs all lie inside one piece, and the
  // pieces report exactly the intervals of one sweep over [0, m), in the same order. Intervals
  // shallower than min_chars differ between pieces and one sweep (a piece starts from its own
  // root), but are never reported. `last` holds, per document, the last index of it seen by this
  // worker; its earlier pieces (parallel_for hands each worker increasing indices) left smaller
  // indices in it, which count as none (a pair across a cut is charged to a shallow interval).
  auto sweep = [&](std::size_t a, std::size_t b, std::vector<std::int64_t>& last, std::vector<Found>& found) {
    std::vector<Node> stack;
    stack.push_back({0, a});
    const auto first = static_cast<std::int64_t>(a);
    // word(i) is plcp[sa[i]], for i in [a, b) in increasing order, from the chunk holding i.
    // Collapsed, what each suffix counts is gathered with it the same way: the segment of a suffix
    // in a segment with copies (two more random reads), whose record is requested, else its
    // document (kOneDocument set). Read in place, these took the sweep from 4 to 21 s on dense
    // 1 GiB (when every suffix looked up its segment).
    constexpr std::uint64_t kOneDocument = std::uint64_t{1} << 32, kStartsSegment = std::uint64_t{1} << 33;
    std::vector<std::uint32_t> chunk(kChunk);
    std::vector<std::uint64_t> chunk_segment(col ? kChunk : 0);
    std::size_t chunk_at = a, chunk_end = a;
    auto fill = [&](std::size_t i) {
      chunk_at = i;
      chunk_end = std::min(b, i + kChunk);
      for (std::size_t k = i; k < chunk_end; ++k) {
        if (k + kAhead < chunk_end) __builtin_prefetch(plcp.data() + sa[k + kAhead]);
        chunk[k - i] = plcp[sa[k]];
      }
      if (!col) return;
      for (std::size_t k = i; k < chunk_end; ++k) {
        if (k + kAhead < chunk_end && sa[k + kAhead] < copied_end) copied_index.prefetch(sa[k + kAhead]);
        if (k + kAhead / 2 < chunk_end && sa[k + kAhead / 2] < copied_end)
          copied_index.prefetch_starts(copied_start, sa[k + kAhead / 2]);
        const std::uint32_t e = sa[k];
        if (e >= copied_end) {
          chunk_segment[k - i] = kOneDocument | doc_of(e);
          continue;
        }
        const auto g = static_cast<std::uint32_t>(copied_index.find(copied_start, e));
        __builtin_prefetch(col->info.data() + g);
        chunk_segment[k - i] = g | (e == copied_start[g] ? kStartsSegment : 0);
      }
      // Then the lists of documents, once the records saying where they are have arrived.
      for (std::size_t k = i; k < chunk_end; ++k) {
        const std::uint64_t v = chunk_segment[k - i];
        if (v & kOneDocument) continue;
        const Collapsed::Info& in = col->info[static_cast<std::uint32_t>(v)];
        if (in.documents > 1) __builtin_prefetch(col->docs.data() + in.doc);
      }
    };
    auto word = [&](std::size_t i) {
      if (i >= chunk_end) fill(i);
      return chunk[i - chunk_at];
    };
    auto segment_at = [&](std::size_t i) {  // after word(i)
      return chunk_segment[i - chunk_at];
    };
    std::uint64_t w = 0, u = 0;                            // occurrences and documents of the suffixes counted
    std::uint64_t w_before_last = 0, u_before_last = 0;  // the same before the last suffix
    auto charge = [&](std::uint32_t d, std::size_t i) {
      const std::int64_t p = last[d];
      last[d] = static_cast<std::int64_t>(i);
      if (p < first) return;
      // Deepest open interval whose left bound is <= p: the lowest common interval of p and i (the
      // root's is a <= p). Searched without branches: this runs for most suffixes (137 M of 143 M on
      // dense 1 GiB), and a binary search's branches mispredict about every other step.
      std::size_t at = 0;
      for (std::size_t len = stack.size(); len > 1;) {
        const std::size_t half = len / 2;
        at = stack[at + half].lb <= static_cast<std::size_t>(p) ? at + half : at;
        len -= half;
      }
      stack[at].dup += 1;
    };
    auto count_document = [&](std::size_t i) {
      w_before_last = w;
      u_before_last = u;
      if (word(i) & kLcpSeparator) return;  // separator suffix: not an occurrence of anything
      if (!col || (segment_at(i) & kOneDocument)) {
        charge(col ? static_cast<std::uint32_t>(segment_at(i)) : doc_of(sa[i]), i);
        ++w;
        ++u;
        return;
      }
      const std::uint64_t v = segment_at(i);
      const auto k = static_cast<std::uint32_t>(v);
      w += col->info[k].copies;
      const auto in = col->docs_of(k);
      for (const std::uint32_t d : in) charge(d, i);
      u += in.size();
      // A whole segment whose copies are its only occurrences: no interval of the collapsed suffix
      // array holds it (the LCPs on both sides of its one suffix are shorter than it), so it is
      // reported here. At the piece's end the LCP after it is below min_chars.
      if (!(v & kStartsSegment) || in.size() < options.min_docs) return;
      const std::uint32_t len = enc_start[k + 1] - enc_start[k] - 1;
      if (len < options.min_chars || (word(i) & kLcpMask) >= len) return;
      if (i + 1 < b && (word(i + 1) & kLcpMask) >= len) return;
      found.push_back({i, i, len, static_cast<std::uint32_t>(in.size()), col->info[k].copies});
    };
    // Called before the suffix after rb is counted: w and u are the sums up to rb.
    auto report = [&](const Node& node, std::size_t rb) {
      if (node.depth < static_cast<std::int32_t>(options.min_chars) || !node.mixed) return;
      const std::uint64_t documents = u - node.u0 - node.dup;
      if (documents < options.min_docs) return;
      found.push_back({node.lb, rb, static_cast<std::uint32_t>(node.depth), static_cast<std::uint32_t>(documents),
                       static_cast<std::uint32_t>(w - node.w0)});
    };

    count_document(a);
    std::size_t advanced = 0;
    for (std::size_t i = a + 1; i <= b; ++i) {
      if ((i - a) % kStep == 0) {
        advance(kStep);
        advanced += kStep;
      }
      std::size_t lb = i - 1;
      std::uint64_t lb_w0 = w_before_last, lb_u0 = u_before_last;  // the sums before lb
      bool have_child = false;
      Node child{0, 0};
      // -1 at the end closes every interval.
      const std::int32_t lcp = i == b ? -1 : static_cast<std::int32_t>(word(i) & kLcpMask);
      while (stack.size() > 1 && lcp < stack.back().depth) {  // the root (depth 0) stays
        Node top = stack.back();
        stack.pop_back();
        report(top, i - 1);
        lb = top.lb;
        lb_w0 = top.w0;
        lb_u0 = top.u0;
        // The popped interval's parent is the next one down, or the one about to be pushed.
        if (lcp <= stack.back().depth) {
          merge(stack.back(), top);
        } else {
          child = top;
          have_child = true;
        }
      }
      if (i == b) break;
      if (lcp > stack.back().depth) {
        Node node{lcp, lb, lb_w0, lb_u0};
        if (have_child) merge(node, child);
        stack.push_back(node);
      }
      // The top now has depth lcp: the lowest interval holding both i - 1 and i.
      if (word(i) & kLcpLeftDiffers) stack.back().mixed = true;
      count_document(i);
    }
    advance(b - a - advanced);
  };

  // Pieces: many per worker, so an uneven piece does not leave a core idle; one piece (the plain
  // sweep) with one worker. (With 4 per worker, the last piece of dense 1 GiB ran alone for about
  // a second; a piece costs only its own stack and chunk buffers.) Each nominal cut moves forward
  // to the next index whose LCP is below min_chars.
  std::vector<std::size_t> cuts{0};
  const std::size_t pieces = options.threads <= 1 ? 1 : std::size_t{32} * options.threads;
  for (std::size_t k = 1; k < pieces; ++k) {
    std::size_t c = std::max(m * k / pieces, cuts.back() + 1);
    while (c < m && lcp_at(c) >= static_cast<std::int32_t>(options.min_chars)) ++c;
    if (c >= m) break;
    cuts.push_back(c);
  }
  cuts.push_back(m);
  std::vector<std::vector<Found>> found_in(cuts.size() - 1);
  detail::PerThread<std::vector<std::int64_t>> last_in_doc(options.threads, [&] {
    return std::make_unique<std::vector<std::int64_t>>(static_cast<std::size_t>(docs), -1);
  });
  detail::parallel_for(found_in.size(), options.threads, [&](std::size_t k, unsigned w) {
    sweep(cuts[k], cuts[k + 1], last_in_doc[w], found_in[k]);
  });
  advance(skipped);
  std::vector<Found> found;
  {
    std::size_t total = 0;
    for (const auto& f : found_in) total += f.size();
    found.reserve(total);
    for (auto& f : found_in) {
      found.insert(found.end(), f.begin(), f.end());
      std::vector<Found>().swap(f);
    }
  }
  PositionArray().swap(plcp);
  if (lent.chars) {
    // Rebuilt on all threads, in pieces of segments (every character is written by one segment:
    // its own, or the one it is a copy of).
    lent.chars->resize(text.segment_start.back());
    const std::size_t pieces = std::max(1u, options.threads) * std::size_t{4};
    detail::parallel_for(pieces, options.threads, [&](std::size_t piece, unsigned) {
      for (std::size_t k = segments * piece / pieces, to = segments * (piece + 1) / pieces; k < to; ++k) {
        const std::uint32_t len = enc_start[k + 1] - enc_start[k] - 1;
        auto put = [&](std::uint32_t c) {
          for (std::uint32_t q = 0; q < len; ++q) (*lent.chars)[c + q] = lent.char_of[enc[enc_start[k] + q]];
        };
        if (!col) put(text.segment_start[k]);
        else
          for (const std::uint32_t c : col->copy_starts(k)) put(c);
      }
    });
  }
  UninitialisedVector<Sym>().swap(enc);

  // Folding: an interval of length L is folded when every suffix in it is covered at L. A sweep
  // from the longest length down keeps the positions covered at the current length counted by
  // rank, so each interval costs two prefix sums instead of its occurrences.
  std::vector<char> fold(found.size(), 0);
  if (!covers.empty() && !found.empty()) {
    auto order = [](std::size_t size, auto key) {
      std::vector<std::uint32_t> o(size);
      for (std::uint32_t k = 0; k < size; ++k) o[k] = k;
      // The order among equal keys does not matter: counts at one length are the same either way.
      std::sort(o.begin(), o.end(), [&](std::uint32_t x, std::uint32_t y) { return key(x) > key(y); });
      return o;
    };
    const auto by_high = order(covers.size(), [&](std::uint32_t k) { return covers[k].high; });
    const auto by_low = order(covers.size(), [&](std::uint32_t k) { return covers[k].low; });
    const auto by_length = order(found.size(), [&](std::uint32_t k) { return found[k].length; });
    // Counted over the covered ranks alone (a few), not over every suffix.
    std::vector<std::uint32_t> ranks;
    for (const Cover& cv : covers) ranks.push_back(cv.pos);
    std::sort(ranks.begin(), ranks.end());
    ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
    auto slot = [&](std::size_t r) {  // covered ranks below r
      return static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), r) - ranks.begin());
    };
    Fenwick covered(ranks.size());
    std::size_t h = 0, l = 0;
    for (std::uint32_t f : by_length) {
      const std::uint32_t len = found[f].length;
      for (; h < by_high.size() && covers[by_high[h]].high >= len; ++h) covered.add(slot(covers[by_high[h]].pos), 1);
      for (; l < by_low.size() && covers[by_low[l]].low >= len; ++l) covered.add(slot(covers[by_low[l]].pos), -1);
      const auto count = covered.prefix(slot(found[f].rb + 1)) - covered.prefix(slot(found[f].lb));
      fold[f] = static_cast<std::size_t>(count) == found[f].rb - found[f].lb + 1;
    }
  }
  std::vector<std::uint32_t> kept;
  std::uint64_t positions = 0;
  for (std::uint32_t f = 0; f < found.size(); ++f) {
    if (fold[f]) { ++counts.periodic; continue; }
    kept.push_back(f);
    positions += found[f].occurrences;
  }
  if (positions > options.max_positions) {
    // Keep the repeats that reuse the most characters (the order of the phrase ranking, with the
    // suffix-array order for ties, so the choice is deterministic) while their positions fit.
    std::stable_sort(kept.begin(), kept.end(), [&](std::uint32_t x, std::uint32_t y) {
      const Found &a = found[x], &b = found[y];
      const std::uint64_t sa_ = std::uint64_t{a.documents} * a.length, sb = std::uint64_t{b.documents} * b.length;
      if (sa_ != sb) return sa_ > sb;
      if (a.documents != b.documents) return a.documents > b.documents;
      if (a.length != b.length) return a.length > b.length;
      return a.lb < b.lb;
    });
    std::uint64_t taken = 0;
    std::size_t k = 0;
    for (; k < kept.size(); ++k) {
      const std::uint64_t size = found[kept[k]].occurrences;
      if (size > options.max_positions - taken) break;  // it and the rest are left out
      taken += size;
    }
    counts.truncated += kept.size() - k;
    kept.resize(k);
  }

  lap(counts.seconds_sweep);
  // Each repeat's positions by its own index: the same lists for any number of workers.
  // Mapping a position to its segment reads two arrays far larger than the cache at random (the
  // block's answer, then the starts after it), and a repeat has a few positions: the positions of
  // a batch of repeats are taken into one list first, so that each read can be requested 16 and 8
  // positions ahead across the repeats' boundaries.
  // Each kept repeat's list at its place in one array (in kept order), by the sizes known already.
  RepeatLists out;
  std::vector<RepeatLists::Head> heads(kept.size());
  {
    std::uint64_t total = 0;
    for (std::size_t j = 0; j < kept.size(); ++j) {
      const Found& fd = found[kept[j]];
      heads[j] = {fd.length, fd.documents, fd.occurrences, total};
      total += fd.occurrences;
    }
    out.positions.resize(total);
  }
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order(kept.size());  // (first position, length), index
  constexpr std::size_t kListBatch = 1024;  // repeats
  // Collapsed, each position becomes the same offset in every copy of its segment: the segment and
  // offset first, then the copies' starts, whose two reads (where the list is, then the list) are
  // requested 16 and 8 positions ahead.
  struct Lists {
    std::vector<std::uint32_t> flat, expanded, segment;
  };
  detail::PerThread<Lists> lists_of(options.threads, [] { return std::make_unique<Lists>(); });
  detail::parallel_for((kept.size() + kListBatch - 1) / kListBatch, options.threads, [&](std::size_t batch, unsigned w) {
    const std::size_t j0 = batch * kListBatch, j1 = std::min(kept.size(), j0 + kListBatch);
    auto& [flat, expanded, segment] = lists_of[w];
    flat.clear();
    expanded.clear();
    segment.clear();
    for (std::size_t j = j0; j < j1; ++j) flat.insert(flat.end(), sa.begin() + found[kept[j]].lb, sa.begin() + found[kept[j]].rb + 1);
    constexpr std::size_t kAhead = 16;
    for (std::size_t q = 0; q < flat.size(); ++q) {
      if (q + kAhead < flat.size()) segment_index.prefetch(flat[q + kAhead]);
      if (q + kAhead / 2 < flat.size()) segment_index.prefetch_starts(enc_start, flat[q + kAhead / 2]);
      const std::size_t k = segment_of(flat[q]);
      if (!col) {
        flat[q] = static_cast<std::uint32_t>(flat[q] - k);
        continue;
      }
      flat[q] -= enc_start[k];
      segment.push_back(static_cast<std::uint32_t>(k));
    }
    if (col) {
      for (std::size_t q = 0; q < flat.size(); ++q) {
        if (q + kAhead < flat.size()) __builtin_prefetch(col->copy_begin.data() + segment[q + kAhead]);
        if (q + kAhead / 2 < flat.size()) __builtin_prefetch(col->copy_start.data() + col->copy_begin[segment[q + kAhead / 2]]);
        for (const std::uint32_t c : col->copy_starts(segment[q])) expanded.push_back(c + flat[q]);
      }
    }
    const std::vector<std::uint32_t>& listed = col ? expanded : flat;
    // The batch's lists lie end to end in `out.positions` as in `listed`.
    std::copy(listed.begin(), listed.end(), out.positions.begin() + static_cast<std::ptrdiff_t>(heads[j0].first));
    for (std::size_t j = j0; j < j1; ++j) {
      const std::span<std::uint32_t> list = out.positions_of(heads[j]);
      std::sort(list.begin(), list.end());
      order[j] = {std::uint64_t{list.front()} << 32 | heads[j].length, static_cast<std::uint32_t>(j)};
    }
  });
  PositionArray().swap(sa);  // before the sorted heads below, so that they are not on top
  // In the order of first position, then length (unique: a string has one length), sorted as keys
  // taken while each list was at hand: comparing the repeats themselves read the first position
  // from each one's list, a cache miss per comparison (1.3 s for dense 1 GiB's 4 M repeats).
  // Keys are unique, so the order does not depend on the number of threads.
  detail::parallel_sort(order.begin(), order.end(), std::less<>(), options.threads);
  out.heads.reserve(heads.size());
  for (const auto& [key, j] : order) out.heads.push_back(heads[j]);
  lap(counts.seconds_lists);
  return out;
}

// maximal_repeats(); `lend` is text.chars when the caller lends them.
RepeatLists repeats_of(const SegmentedText& text, UninitialisedVector<char32_t>* lend, const RepeatOptions& options,
                       RepeatCounts& counts, std::atomic<std::uint64_t>* done) {
  if (auto m = options.validate(); !m.empty()) throw Error(errc::usage, m);
  const std::size_t n = text.chars.size(), segments = text.segments();
  if (n == 0 || segments == 0) return {};
  const std::size_t m = n + segments;  // characters plus one separator per segment
  auto advance = [done](std::uint64_t units) {
    if (done) *done += units;
  };
  const StageClock clock;
  auto ranked = [&] { counts.seconds_rank += clock.elapsed(); };

  // The text as ranks (1..K in code-point order, so rank order is character order), with 0 as
  // the separator after each segment: 2 bytes a character when K < 2^16, as almost always.
  std::uint32_t k = 0;
  {
    // Ranks by a direct table over code points: sorting a copy of every character was a
    // quarter of the run time on a 100 MB corpus.
    // A small text ranks by binary search over its sorted distinct characters instead: zeroing and
    // scanning the 4.4 MB table costs milliseconds per call (likely why the phrases fuzz target,
    // which calls this on small texts, ran about 30 times a second in CI). Both give the same ranks.
    constexpr std::size_t kCodePoints = 0x110000;
    constexpr std::size_t kSmall = std::size_t{1} << 14;
    const bool small = n < kSmall;
    std::vector<std::uint32_t> rank_of(small ? 0 : kCodePoints, 0);
    std::vector<char32_t> distinct;
    if (small) {
      for (char32_t c : text.chars) distinct.push_back(static_cast<char32_t>(std::min<std::size_t>(c, kCodePoints - 1)));
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      k = static_cast<std::uint32_t>(distinct.size());
    } else {
      // Marked on all threads (a pass over every character, a quarter of a second on one thread for
      // dense 1 GiB). Each mark is read before it is written: after the first few thousand
      // characters nearly every one is already marked, and the threads only share the lines.
      const std::size_t pieces = std::max(1u, options.threads);
      detail::parallel_for(pieces, options.threads, [&](std::size_t piece, unsigned) {
        for (std::size_t p = n * piece / pieces, to = n * (piece + 1) / pieces; p < to; ++p) {
          std::atomic_ref<std::uint32_t> mark(rank_of[std::min<std::size_t>(text.chars[p], kCodePoints - 1)]);
          if (mark.load(std::memory_order_relaxed) == 0) mark.store(1, std::memory_order_relaxed);
        }
      });
      for (auto& r : rank_of)
        if (r) r = ++k;
    }
    auto rank = [&](char32_t c) -> std::uint32_t {
      const auto x = static_cast<char32_t>(std::min<std::size_t>(c, kCodePoints - 1));
      if (!small) return rank_of[x];
      return static_cast<std::uint32_t>(std::lower_bound(distinct.begin(), distinct.end(), x) - distinct.begin()) + 1;
    };
    if (m >= kNoSuffix)
      throw Error(errc::input, "the corpus has " + std::to_string(n) +
                                   " content characters, more than the suffix array can index at once");
    // The LCP shares its word with two flags (permuted_lcp_marked), so no common prefix, and so no
    // segment, may reach 2^30 characters: a paragraph of over a billion characters.
    for (std::size_t s = 0; s < segments; ++s)
      if (text.segment_start[s + 1] - text.segment_start[s] > kLcpMask)
        throw Error(errc::input, "a paragraph has " + std::to_string(text.segment_start[s + 1] - text.segment_start[s]) +
                                     " content characters, more than the " + std::to_string(kLcpMask) +
                                     " that recur phrases searches at once");
    // Lent characters are rebuilt from their ranks, so only when every one has a rank of its own.
    Lent lent;
    if (lend && std::all_of(text.chars.begin(), text.chars.end(), [](char32_t c) { return c < kCodePoints - 1; })) {
      lent.chars = lend;
      lent.char_of.resize(k + 1);
      if (small) std::copy(distinct.begin(), distinct.end(), lent.char_of.begin() + 1);
      else
        for (std::size_t c = 0; c < kCodePoints; ++c)
          if (rank_of[c]) lent.char_of[rank_of[c]] = static_cast<char32_t>(c);
    }
    const std::optional<Collapsed> col =
        options.collapse_copies ? collapse_segments(text, options.threads) : std::nullopt;
    const Collapsed* const cp = col ? &*col : nullptr;
    // Where each searched segment begins in the encoded text (one separator per earlier segment),
    // for encoding and for repeats_over.
    const std::size_t searched = cp ? cp->kept.size() : segments;
    std::vector<std::uint32_t> enc_start(searched + 1, 0);
    for (std::size_t j = 0; j < searched; ++j) {
      const std::size_t s = cp ? cp->kept[j] : j;
      enc_start[j + 1] = enc_start[j] + (text.segment_start[s + 1] - text.segment_start[s]) + 1;
    }
    // Encoded on all threads, in pieces of segments, each written from its segments' starts (one
    // thread: 0.4 s for dense 1 GiB).
    auto encode = [&](auto& enc) {
      const std::size_t pieces = std::max(1u, options.threads) * std::size_t{4};
      enc.resize(enc_start[searched]);
      detail::parallel_for(pieces, options.threads, [&](std::size_t q, unsigned) {
        for (std::size_t j = searched * q / pieces; j < searched * (q + 1) / pieces; ++j) {
          const std::size_t s = cp ? cp->kept[j] : j;
          std::size_t e = enc_start[j];
          for (std::uint32_t p = text.segment_start[s]; p < text.segment_start[s + 1]; ++p)
            enc[e++] = static_cast<std::remove_reference_t<decltype(enc[0])>>(rank(text.chars[p]));
          enc[e] = 0;
        }
      });
      if (lent.chars) UninitialisedVector<char32_t>().swap(*lent.chars);
      advance(m);
    };
    if (k < 0xFFFF) {
      UninitialisedVector<std::uint16_t> enc;  // every symbol written by encode()
      encode(enc);
      ranked();
      return repeats_over<std::uint16_t>(std::move(enc), std::move(enc_start), k + 1, text, cp, options, counts, advance, lent);
    }
    UninitialisedVector<std::uint32_t> enc;
    encode(enc);
    ranked();
    return repeats_over<std::uint32_t>(std::move(enc), std::move(enc_start), k + 1, text, cp, options, counts, advance, lent);
  }
}

}  // namespace

std::vector<Repeat> maximal_repeats(const SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                    std::atomic<std::uint64_t>* done) {
  return repeats_of(text, nullptr, options, counts, done).to_repeats();
}

std::vector<Repeat> maximal_repeats_lending(SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                            std::atomic<std::uint64_t>* done) {
  return repeats_of(text, &text.chars, options, counts, done).to_repeats();
}

std::vector<Repeat> maximal_repeats(const SegmentedText& text, const RepeatOptions& options) {
  RepeatCounts counts;
  return maximal_repeats(text, options, counts);
}

std::size_t bounded_edit_distance(std::u32string_view a, std::u32string_view b, std::size_t limit) {
  if (a.size() > b.size()) std::swap(a, b);
  // The distance never exceeds the longer length; capping keeps limit + 1 from overflowing.
  limit = std::min(limit, b.size());
  const std::size_t la = a.size(), lb = b.size();
  if (lb - la > limit) return limit + 1;
  if (la == 0) return lb;
  // Row i holds D[i][j] for j in [i - limit, i + limit]; cells outside the band count as limit+1.
  const std::size_t big = limit + 1;
  std::vector<std::size_t> prev(lb + 1, big), cur(lb + 1, big);
  for (std::size_t j = 0; j <= std::min(lb, limit); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= la; ++i) {
    const std::size_t jlo = i > limit ? i - limit : 0, jhi = std::min(lb, i + limit);
    std::fill(cur.begin() + static_cast<std::ptrdiff_t>(jlo > 0 ? jlo - 1 : 0),
              cur.begin() + static_cast<std::ptrdiff_t>(std::min(lb, jhi + 1) + 1), big);
    std::size_t row_min = big;
    for (std::size_t j = jlo; j <= jhi; ++j) {
      std::size_t v;
      if (j == 0) v = i;
      else {
        v = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
        v = std::min(v, prev[j] + 1);
        v = std::min(v, cur[j - 1] + 1);
      }
      cur[j] = std::min(v, big);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[lb], big);
}

std::size_t variant_distance_limit(std::size_t len_a, std::size_t len_b, double tolerance) noexcept {
  if (tolerance <= 0) return 0;
  const auto lim = static_cast<std::size_t>(tolerance * static_cast<double>(std::max(len_a, len_b)));
  return std::max<std::size_t>(1, lim);
}

std::string VariantOptions::validate() const {
  if (!(tolerance >= 0 && tolerance < 1)) return "the variant tolerance must be in [0, 1)";
  if (threads > 1024) return "threads must be at most 1024";
  return {};
}

std::string PhraseLimits::validate() const {
  if (max_locations_per_phrase < 1) return "max_locations_per_phrase must be at least 1";
  if (max_locations < 1) return "max_locations must be at least 1";
  if (max_location_chars < 1) return "max_location_chars must be at least 1";
  if (max_positions < 1) return "max_positions must be at least 1";
  return {};
}

std::vector<std::vector<std::uint32_t>> group_variants(const std::vector<std::u32string>& texts,
                                                       const std::vector<double>& weights, double tolerance,
                                                       unsigned threads) {
  VariantOptions options;
  options.tolerance = tolerance;
  options.threads = threads;
  options.max_edit_cells = std::numeric_limits<std::uint64_t>::max();
  VariantCounts counts;
  return group_variants(texts, weights, options, counts);
}

std::vector<std::vector<std::uint32_t>> group_variants(const std::vector<std::u32string>& texts,
                                                       const std::vector<double>& weights,
                                                       const VariantOptions& options, VariantCounts& counts,
                                                       std::atomic<std::uint64_t>* done) {
  const std::vector<std::u32string_view> views(texts.begin(), texts.end());
  return group_variants(std::span<const std::u32string_view>(views), weights, options, counts, done);
}

std::vector<std::vector<std::uint32_t>> group_variants(std::span<const std::u32string_view> texts,
                                                       const std::vector<double>& weights,
                                                       const VariantOptions& options, VariantCounts& counts,
                                                       std::atomic<std::uint64_t>* done) {
  if (auto m = options.validate(); !m.empty()) throw Error(errc::usage, m);
  auto advance = [done](std::uint64_t units) {
    if (done) *done += units;
  };
  const double tolerance = options.tolerance;
  const unsigned threads = std::max(1u, options.threads);
  counts = {};
  const std::size_t n = texts.size();
  std::vector<std::vector<std::uint32_t>> adj(n);
  if (n > 1) {  // at tolerance 0 only identical texts pass the check
    // Candidates: MinHash LSH over character bigrams. The curve is centred well below the
    // bigram Jaccard that texts at the tolerance typically keep, about (1-2t)/(1+2t), so they are
    // nearly always candidates; every candidate is then checked by edit distance.
    MinHashOptions mo;
    mo.perms = 64;
    LshOptions lo;
    lo.threshold = std::clamp(0.5 * (1 - 2 * tolerance) / (1 + 2 * tolerance), 0.05, 0.5);
    const LshParams params = resolve_params(mo.perms, lo);
    const MinHasher hasher(mo);
    std::vector<std::uint32_t> keys(n * params.bands);  // band-major
    struct Scratch {  // reused text after text (a million cores on dense 1 GiB)
      std::vector<std::uint64_t> sh, bk;
      std::vector<std::uint32_t> sig;
    };
    detail::PerThread<Scratch> scratch(threads, [] { return std::make_unique<Scratch>(); });
    detail::parallel_for(n, threads, [&](std::size_t i, unsigned w) {
      const std::u32string_view t = texts[i];
      auto& [sh, bk, sig] = scratch[w];
      sh.clear();
      if (t.size() < 2) sh.push_back(XXH3_64bits(t.data(), t.size() * sizeof(char32_t)));
      for (std::size_t k = 0; k + 1 < t.size(); ++k) sh.push_back(XXH3_64bits(t.data() + k, 2 * sizeof(char32_t)));
      sig.assign(mo.perms, 0);
      hasher.sign(sh, sig);
      bk.assign(params.bands, 0);
      band_keys(sig, params, bk);
      for (unsigned b = 0; b < params.bands; ++b) keys[b * n + i] = fold_key(bk[b]);
      advance(1);
    });
    // Buckets are cut (pairs with their first text only) beyond 20,000 texts, which only near-
    // identical floods of distinct texts reach.
    auto pairs = candidate_pairs_band_major(keys, n, params.bands, 20000, nullptr, threads);
    // Texts of up to 8 characters share too few shingles for LSH to be reliable: when there are
    // not too many of them, every pair of them is a candidate.
    {
      constexpr std::size_t kShortTexts = 4000;
      std::vector<std::uint32_t> shorts;
      for (std::uint32_t i = 0; i < n; ++i)
        if (texts[i].size() <= 8) shorts.push_back(i);
      if (shorts.size() <= kShortTexts && shorts.size() >= 2) {
        // Both lists are sorted (LSH's pairs, and these as made): merged, not sorted again (up to
        // 8 M pairs here, a third of a second on one thread).
        std::vector<std::pair<std::uint32_t, std::uint32_t>> all, more;
        more.reserve(shorts.size() * (shorts.size() - 1) / 2);
        for (std::size_t x = 0; x < shorts.size(); ++x)
          for (std::size_t y = x + 1; y < shorts.size(); ++y) more.emplace_back(shorts[x], shorts[y]);
        all.reserve(pairs.size() + more.size());
        std::merge(pairs.begin(), pairs.end(), more.begin(), more.end(), std::back_inserter(all));
        all.erase(std::unique(all.begin(), all.end()), all.end());
        pairs = std::move(all);
      }
    }
    // The budget: pairs cheapest first, so that a few huge near-identical texts (periodic input:
    // hundreds of candidates thousands of characters long) cannot starve the ordinary ones. The
    // choice depends on the pairs alone, never on thread timing.
    counts.pairs = pairs.size();
    std::vector<std::uint64_t> cost(pairs.size());
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const std::size_t la = texts[pairs[k].first].size(), lb = texts[pairs[k].second].size();
      const std::size_t lo = std::min(la, lb), hi = std::max(la, lb);
      const std::size_t lim = std::min(variant_distance_limit(la, lb, tolerance), hi);
      cost[k] = hi - lo > lim ? 0 : std::uint64_t{lo} * std::min<std::uint64_t>(2 * std::uint64_t{lim} + 1, hi + 1);
    }
    std::vector<char> chosen(pairs.size(), 1);
    {
      std::uint64_t total = 0;
      for (std::uint64_t c : cost) total += c;
      if (total > options.max_edit_cells) {
        std::vector<std::uint32_t> by_cost(pairs.size());
        for (std::uint32_t k = 0; k < by_cost.size(); ++k) by_cost[k] = k;
        std::stable_sort(by_cost.begin(), by_cost.end(), [&](std::uint32_t x, std::uint32_t y) { return cost[x] < cost[y]; });
        std::fill(chosen.begin(), chosen.end(), 0);
        total = 0;
        for (std::uint32_t k : by_cost) {
          if (cost[k] > options.max_edit_cells - total) break;  // the rest cost at least as much
          total += cost[k];
          chosen[k] = 1;
        }
      }
      counts.edit_cells = total;
      for (char c : chosen) counts.pairs_checked += c != 0;
      counts.pairs_unchecked = counts.pairs - counts.pairs_checked;
    }
    std::vector<char> ok(pairs.size(), 0);
    const std::size_t chunks = (pairs.size() + 1023) / 1024;
    if (chunks == 0) advance(n);
    detail::parallel_for(chunks, threads, [&](std::size_t c, unsigned) {
      advance((c + 1) * n / chunks - c * n / chunks);  // the checks' share of the n units
      for (std::size_t k = c * 1024; k < std::min(pairs.size(), (c + 1) * 1024); ++k) {
        if (!chosen[k]) continue;
        const std::u32string_view a = texts[pairs[k].first], b = texts[pairs[k].second];
        const std::size_t lim = variant_distance_limit(a.size(), b.size(), tolerance);
        ok[k] = bounded_edit_distance(a, b, lim) <= lim;
      }
    });
    for (std::size_t k = 0; k < pairs.size(); ++k)
      if (ok[k]) {
        adj[pairs[k].first].push_back(pairs[k].second);
        adj[pairs[k].second].push_back(pairs[k].first);
      }
    for (auto& a : adj) std::sort(a.begin(), a.end());
  } else {
    advance(2 * n);
  }
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  // A total order (the index last), so that sorting on all threads gives the same one.
  detail::parallel_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    const double wx = x < weights.size() ? weights[x] : 0, wy = y < weights.size() ? weights[y] : 0;
    if (wx != wy) return wx > wy;
    if (texts[x].size() != texts[y].size()) return texts[x].size() > texts[y].size();
    return x < y;
  }, threads);
  std::vector<char> taken(n, 0);
  std::vector<std::vector<std::uint32_t>> groups;
  for (std::uint32_t u : order) {
    if (taken[u]) continue;
    taken[u] = 1;
    std::vector<std::uint32_t> g{u};
    for (std::uint32_t v : adj[u])
      if (!taken[v]) { taken[v] = 1; g.push_back(v); }
    std::sort(g.begin() + 1, g.end());
    groups.push_back(std::move(g));
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// The stages of `recur phrases`

namespace {
// Appends the documents of `occurrences` to `docs`, sorted and each once; returns how many.
std::uint32_t append_documents(const SegmentedText& text, std::span<const Occurrence> occurrences,
                               std::vector<std::uint32_t>& docs) {
  const std::size_t first = docs.size();
  for (const Occurrence& o : occurrences) docs.push_back(text.document_of(o.start));
  const auto begin = docs.begin() + static_cast<std::ptrdiff_t>(first);
  std::sort(begin, docs.end());
  docs.erase(std::unique(begin, docs.end()), docs.end());
  return static_cast<std::uint32_t>(docs.size() - first);
}
}  // namespace

std::uint32_t count_documents(const SegmentedText& text, std::span<const Occurrence> occurrences) {
  std::vector<std::uint32_t> docs;
  docs.reserve(occurrences.size());
  return append_documents(text, occurrences, docs);
}

namespace {
// The block (index of its first word) and the two counters (bit offsets within the block) of a hash.
struct CounterSlots {
  std::size_t block;
  unsigned a, b;  // counter index in the block, 0..255
};
CounterSlots slots_of_mixed(std::uint64_t x, unsigned block_shift) noexcept {
  const auto a = static_cast<unsigned>(x & 255), b0 = static_cast<unsigned>((x >> 8) & 255);
  return {static_cast<std::size_t>(block_shift >= 64 ? 0 : x >> block_shift) * 8, a, b0 == a ? (a ^ 1u) : b0};
}
}  // namespace

void window_hashes(std::span<const char32_t> chars, unsigned k, std::vector<std::uint64_t>& out) {
  for_each_window(chars, k, [&](std::size_t, std::uint64_t h) { out.push_back(h); });
}

WindowCounter::WindowCounter(std::uint64_t expected_windows) {
  // 4 counters of 2 bits per window: one byte each; blocks of 64 bytes.
  const std::uint64_t bytes = std::bit_ceil(std::max<std::uint64_t>(expected_windows, std::uint64_t{1} << 16));
  const std::uint64_t blocks = bytes / 64;
  words_ = blocks * 8;
  block_shift_ = 64 - static_cast<unsigned>(std::countr_zero(blocks));
  // Fresh anonymous pages, which read as zero: the kernel clears each where it is first touched,
  // on the counting threads, in parallel. A memset here cleared all of them on this one thread
  // first (dense 1 GiB: 512 MiB, 1.5 s of one thread at the start of the run).
  // Aligned to 2 MiB and marked for huge pages: every window touches a random block, and with 4 KiB
  // pages nearly every touch of a 512 MiB table also misses the TLB (the counting ran 1.6x slower
  // per byte at 1 GiB than at 100 MiB).
  // A small table (the minimum is 64 KiB) stays on ordinary pages: small runs (tests, fuzzing)
  // would otherwise map 2 MiB each time.
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  const bool huge = bytes >= kHuge;
  const std::size_t slack = huge ? kHuge : 0;  // room to align the start
  void* m = ::mmap(nullptr, bytes + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  auto* base = static_cast<char*>(m);
  char* start = base;
  if (huge) {  // the mapping less its unaligned head and its tail: `bytes` from a 2 MiB boundary
    start = reinterpret_cast<char*>((reinterpret_cast<std::uintptr_t>(base) + kHuge - 1) & ~std::uintptr_t{kHuge - 1});
    if (start > base) ::munmap(base, static_cast<std::size_t>(start - base));
    if (const std::size_t tail = static_cast<std::size_t>(base + bytes + slack - (start + bytes)); tail > 0)
      ::munmap(start + bytes, tail);
    ::madvise(start, bytes, MADV_HUGEPAGE);  // a hint: failure only costs speed
  }
  table_ = std::unique_ptr<std::uint64_t[], Unmap>(reinterpret_cast<std::uint64_t*>(start), Unmap{bytes});
  locks_ = std::make_unique<std::mutex[]>(kRegions);
}

WindowCounter::~WindowCounter() = default;

void WindowCounter::Unmap::operator()(std::uint64_t* p) const noexcept { ::munmap(p, bytes); }

WindowCounter::Writer::Writer(WindowCounter& counter) : counter_(&counter), held_(kRegions) {}

WindowCounter::Writer::~Writer() { flush(); }

void WindowCounter::add_document(std::vector<std::uint64_t>& hashes) {
  Writer w(*this);
  w.add_document(hashes);
  w.flush();
}

void WindowCounter::Writer::add_document(std::vector<std::uint64_t>& hashes) {
  // Made unique with an open-addressing set (cache-resident for a document's windows): sorting
  // took most of the counting time on a 100 MB corpus. The set holds mixed hashes (mix64 is a
  // bijection, so they are as unique as the hashes), which place themselves in the set and in the
  // table alike. 0 marks an empty slot, so hash 0 (mixed: 0) is kept apart.
  auto hold = [&](std::uint64_t x) {
    std::vector<std::uint64_t>& held = held_[x >> kRegionShift];
    held.push_back(x);
    if (held.size() >= kPending) raise(static_cast<unsigned>(x >> kRegionShift));
  };
  const std::size_t size = std::bit_ceil(std::max<std::size_t>(16, hashes.size() * 2));
  set_.assign(size, 0);
  bool zero = false;
  std::size_t unique = 0;
  for (std::uint64_t h : hashes) {
    const std::uint64_t x = mix64(h);
    if (x == 0) {
      if (!zero) {
        hashes[unique++] = h;
        hold(x);
      }
      zero = true;
      continue;
    }
    if (insert_new(set_, x)) {
      hashes[unique++] = h;
      hold(x);
    }
  }
  hashes.resize(unique);
}

void WindowCounter::Writer::flush() {
  for (unsigned r = 0; r < kRegions; ++r)
    if (!held_[r].empty()) raise(r);
}

void WindowCounter::Writer::raise(unsigned region) {
  std::vector<std::uint64_t>& held = held_[region];
  std::uint64_t* const table = counter_->table_.get();
  const unsigned shift = counter_->block_shift_;
  // Plain loads and stores under the region's lock (atomic_ref only so that count() may read them
  // the same way; relaxed accesses compile to ordinary moves). Blocks are fetched a few windows
  // ahead, for writing: the table is far larger than the caches.
  std::lock_guard<std::mutex> lock(counter_->locks_[region]);
  auto bump = [&](std::size_t block, unsigned counter) {
    std::atomic_ref<std::uint64_t> word(table[block + counter / 32]);
    const unsigned at = (counter % 32) * 2;
    const std::uint64_t w = word.load(std::memory_order_relaxed);
    if (((w >> at) & 3) < kSaturation) word.store(w + (std::uint64_t{1} << at), std::memory_order_relaxed);
  };
  constexpr std::size_t kAhead = 16;
  const std::size_t n = held.size();
  for (std::size_t i = 0; i < std::min(kAhead, n); ++i) __builtin_prefetch(table + slots_of_mixed(held[i], shift).block, 1);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(table + slots_of_mixed(held[i + kAhead], shift).block, 1);
    const CounterSlots s = slots_of_mixed(held[i], shift);
    bump(s.block, s.a);
    bump(s.block, s.b);
  }
  held.clear();
}

void WindowCounter::prefetch_mixed(std::uint64_t x) const noexcept {
  __builtin_prefetch(table_.get() + slots_of_mixed(x, block_shift_).block);
}

unsigned WindowCounter::count_mixed(std::uint64_t x) const noexcept {
  const CounterSlots s = slots_of_mixed(x, block_shift_);
  auto get = [&](unsigned counter) {
    const std::uint64_t w = std::atomic_ref<const std::uint64_t>(table_[s.block + counter / 32]).load(std::memory_order_relaxed);
    return static_cast<unsigned>((w >> ((counter % 32) * 2)) & 3);
  };
  return std::min(get(s.a), get(s.b));
}

unsigned WindowCounter::count(std::uint64_t h) const noexcept { return count_mixed(mix64(h)); }

void WindowCounter::Reader::recurs(std::span<const std::uint64_t> hashes, unsigned min_docs, std::vector<std::uint8_t>& out) {
  const WindowCounter& c = *counter_;
  const unsigned need = std::min(min_docs, kSaturation);
  out.resize(hashes.size());
  auto answer = [&](std::uint64_t x) { return static_cast<std::uint8_t>(c.count_mixed(x) >= need); };
  constexpr std::size_t kAhead = 16;  // blocks fetched ahead
  auto fetch = [&](std::uint64_t x) { c.prefetch_mixed(x); };
  if (hashes.size() < kDirect) {
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      if (i + kAhead < hashes.size()) fetch(mix64(hashes[i + kAhead]));
      out[i] = answer(mix64(hashes[i]));
    }
    return;
  }
  // Each piece counting-sorted by region (as the Writer holds them), then read in that order.
  std::array<std::uint32_t, kRegions + 1> at{};
  for (std::size_t from = 0; from < hashes.size(); from += piece_) {
    const std::size_t size = std::min(piece_, hashes.size() - from);
    mixed_.resize(size);
    index_.resize(size);
    at.fill(0);
    for (std::size_t i = 0; i < size; ++i) ++at[(mix64(hashes[from + i]) >> kRegionShift) + 1];
    for (unsigned r = 0; r < kRegions; ++r) at[r + 1] += at[r];
    for (std::size_t i = 0; i < size; ++i) {
      const std::uint64_t x = mix64(hashes[from + i]);
      const std::uint32_t to = at[x >> kRegionShift]++;
      mixed_[to] = x;
      index_[to] = static_cast<std::uint32_t>(i);
    }
    std::uint8_t* const piece = out.data() + from;
    for (std::size_t j = 0; j < size; ++j) {
      if (j + kAhead < size) fetch(mixed_[j + kAhead]);
      piece[index_[j]] = answer(mixed_[j]);
    }
  }
}

void recurring_stretches(std::span<const std::uint8_t> recurs, unsigned k, std::vector<Occurrence>& out) {
  std::size_t from = 0, until = 0;  // the open stretch [from, until), empty when until == 0
  for (std::size_t i = 0; i < recurs.size(); ++i) {
    if (!recurs[i]) continue;
    if (until == 0 || i > until) {
      if (until > from) out.push_back({static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(until - from)});
      from = i;
    }
    until = i + k;
  }
  if (until > from) out.push_back({static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(until - from)});
}

void recurring_stretches(std::span<const char32_t> chars, unsigned k, const WindowCounter& counter,
                         unsigned min_docs, std::vector<Occurrence>& out) {
  thread_local std::vector<std::uint64_t> hashes;
  thread_local std::vector<std::uint8_t> recurs;
  hashes.clear();
  window_hashes(chars, k, hashes);
  WindowCounter::Reader(counter).recurs(hashes, min_docs, recurs);
  recurring_stretches(recurs, k, out);
}

RecurringText recurring_text(const SegmentedText& text, unsigned k, unsigned min_docs, unsigned threads,
                             std::atomic<std::uint64_t>* done) {
  k = std::max(1u, k);
  threads = std::max(1u, threads);
  const std::size_t segments = text.segments();
  // Documents as ranges of segments (segment_doc is non-decreasing).
  std::vector<std::size_t> doc_first;
  for (std::size_t s = 0; s < segments; ++s)
    if (s == 0 || text.segment_doc[s] != text.segment_doc[s - 1]) doc_first.push_back(s);
  const std::size_t docs = doc_first.size();
  doc_first.push_back(segments);
  auto segment = [&](std::size_t s) {
    return std::span<const char32_t>(text.chars.data() + text.segment_start[s],
                                     text.segment_start[s + 1] - text.segment_start[s]);
  };
  WindowCounter counter(text.chars.size());
  {
    struct Scratch {
      std::vector<std::uint64_t> hashes;
      WindowCounter::Writer writer;
    };
    detail::PerThread<Scratch> scratch(threads, [&] { return std::unique_ptr<Scratch>(new Scratch{{}, WindowCounter::Writer(counter)}); });
    detail::parallel_for(docs, threads, [&](std::size_t d, unsigned w) {
      std::vector<std::uint64_t>& hashes = scratch[w].hashes;
      hashes.clear();
      for (std::size_t s = doc_first[d]; s < doc_first[d + 1]; ++s) window_hashes(segment(s), k, hashes);
      scratch[w].writer.add_document(hashes);
      if (done) done->fetch_add(1, std::memory_order_relaxed);
    });
    for (unsigned w = 0; w < std::max(threads, 1u); ++w) scratch[w].writer.flush();
  }
  // The kept stretches of each segment, in order.
  std::vector<std::vector<Occurrence>> kept(segments);
  detail::parallel_for(segments, threads, [&](std::size_t s, unsigned) {
    recurring_stretches(segment(s), k, counter, min_docs, kept[s]);
  });
  RecurringText out;
  for (std::size_t s = 0; s < segments; ++s)
    for (const Occurrence& st : kept[s]) {
      const std::uint32_t start = text.segment_start[s] + st.start;
      out.text.add_segment(std::span<const char32_t>(text.chars.data() + start, st.length), text.segment_doc[s]);
      out.origin.push_back(start);
    }
  return out;
}

namespace {
// The maximal repeats as candidates, in their order; positions mapped by `kept` (identity when
// null), texts read from `chars` at the mapped positions.
// One thread on purpose: made in order, the candidates' texts and lists lie in memory in the order
// of their indices, which the grouping and chaining read them in. Made in chunks on two threads
// (two malloc arenas), this took 0.17 s instead of 0.26 s on dense 100 MiB, but the three stages
// after it lost 0.15 s; on dense 1 GiB group_templates alone ran 2-3 s slower (phr8 report).
std::vector<Candidate> candidates_of(RepeatLists& repeats, const RecurringText* kept, const UninitialisedVector<char32_t>& chars) {
  const std::vector<RepeatLists::Head>& heads = repeats.heads;
  std::vector<Candidate> out;
  out.reserve(heads.size());
  // Each repeat's list and first occurrence's text lie at random places of arrays far larger than
  // the cache: requested 8 and 4 repeats ahead (the text only when positions are not mapped).
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < heads.size(); ++i) {
    if (i + kAhead < heads.size()) __builtin_prefetch(repeats.positions.data() + heads[i + kAhead].first);
    if (const std::size_t a = i + kAhead / 2; !kept && a < heads.size() && heads[a].count > 0)
      __builtin_prefetch(chars.data() + repeats.positions[heads[a].first]);
    const RepeatLists::Head& h = heads[i];
    const std::span<std::uint32_t> positions = repeats.positions_of(h);
    if (kept)
      for (std::uint32_t& p : positions) p = kept->original(p);
    Candidate c;
    const auto first = chars.begin() + positions.front();
    c.text.assign(first, first + h.length);
    c.occurrences.reserve(positions.size());
    for (std::uint32_t p : positions) c.occurrences.push_back({p, h.length});
    c.documents = h.documents;
    out.push_back(std::move(c));
  }
  return out;
}
}  // namespace

std::vector<Candidate> repeat_candidates(SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                         std::atomic<std::uint64_t>* done) {
  return repeat_candidates(text, options, counts, done, nullptr);
}

std::vector<Candidate> repeat_candidates(SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                         std::atomic<std::uint64_t>* done, const AlongsideFn& alongside) {
  RepeatLists repeats = repeats_of(text, &text.chars, options, counts, done);
  const StageClock clock;
  // Positions are not mapped here (no `kept`): the candidates and `alongside` only read the lists.
  const OccurrencesOf occurrences_of = [&](std::size_t i, std::vector<Occurrence>& scratch) {
    const RepeatLists::Head& h = repeats.heads[i];
    scratch.clear();
    for (std::uint32_t p : repeats.positions_of(h)) scratch.push_back({p, h.length});
    return std::span<const Occurrence>(scratch);
  };
  // The candidates on the calling thread (parallel_for's worker 0), as without `alongside`: their
  // texts and lists then lie in its malloc arena in index order, which the grouping reads them in
  // (made on two threads, group_templates, merge_variants and locate each took a quarter to a half
  // longer). Should the other workers take every index first, the calling thread makes them after.
  std::vector<Candidate> out;
  bool made = false;
  detail::parallel_for(alongside ? std::max(1u, options.threads) : 1, options.threads, [&](std::size_t, unsigned worker) {
    if (worker == 0 && !made) {
      out = candidates_of(repeats, nullptr, text.chars);
      made = true;
    }
    if (alongside) alongside(repeats.heads.size(), occurrences_of);
  });
  if (!made) out = candidates_of(repeats, nullptr, text.chars);
  counts.seconds_candidates += clock.elapsed();
  return out;
}

std::vector<Candidate> span_candidates(const SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                       unsigned threads) {
  if (options.min_docs < 2) {
    RepeatLists repeats = repeats_of(text, nullptr, options, counts, nullptr);
    return candidates_of(repeats, nullptr, text.chars);
  }
  const RecurringText rt = recurring_text(text, options.min_chars, options.min_docs, threads);
  RepeatLists repeats = repeats_of(rt.text, nullptr, options, counts, nullptr);
  return candidates_of(repeats, &rt, text.chars);
}

std::vector<Candidate> sentence_candidates(const SegmentedText& text, std::span<const Occurrence> sentences,
                                           unsigned min_chars) {
  std::vector<Candidate> out;
  std::unordered_map<std::uint64_t, std::uint32_t> index;  // text hash -> candidate
  for (const Occurrence& s : sentences) {
    if (s.length < min_chars) continue;
    const char32_t* first = text.chars.data() + s.start;
    const std::uint64_t h = XXH3_64bits(first, s.length * sizeof(char32_t));
    auto [it, fresh] = index.emplace(h, static_cast<std::uint32_t>(out.size()));
    if (fresh) out.push_back({std::u32string(first, first + s.length), {}, 0});
    out[it->second].occurrences.push_back(s);
  }
  for (Candidate& c : out) c.documents = count_documents(text, c.occurrences);
  return out;
}

std::vector<std::u32string> stock_phrases(const std::vector<std::string>& lines, const NormalizeOptions& normalize) {
  Normalizer norm(normalize);
  std::vector<std::u32string> stock;
  std::string normalized;
  OffsetMap map;
  Content content;
  for (const auto& line : lines) {
    norm.normalize(line, {}, normalized, map);
    extract_content(normalized, content, false);
    if (!content.chars.empty()) stock.emplace_back(content.chars.begin(), content.chars.end());
  }
  return stock;
}

std::string TemplateOptions::validate() const {
  if (!(own_entry_ratio >= 1)) return "own_entry_ratio must be at least 1";
  if (!(chain_share > 0 && chain_share <= 1)) return "chain_share must be in (0, 1]";
  if (clause_reach > 15) return "clause_reach must be at most 15";
  if (!(clause_share > 0 && clause_share <= 1)) return "clause_share must be in (0, 1]";
  return {};
}

std::vector<TemplateGroup> group_templates(const std::vector<Candidate>& candidates, const SegmentedText& text,
                                           const TemplateOptions& options, std::atomic<std::uint64_t>* done,
                                           unsigned threads) {
  if (auto m = options.validate(); !m.empty()) throw Error(errc::usage, m);
  constexpr std::uint32_t kFree = UINT32_MAX;
  const auto n = static_cast<std::uint32_t>(candidates.size());
  std::vector<std::uint32_t> order(n);
  {
    // Longest first, then most documents, then first found: sorted as keys in one array, since a
    // comparison that reads two candidate records at random waits on memory twice.
    struct Key {
      std::uint32_t length, documents, index;
    };
    std::vector<Key> keys(n);
    for (std::uint32_t i = 0; i < n; ++i)
      keys[i] = {static_cast<std::uint32_t>(candidates[i].text.size()), candidates[i].documents, i};
    detail::parallel_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
      if (a.length != b.length) return a.length > b.length;
      if (a.documents != b.documents) return a.documents > b.documents;
      return a.index < b.index;
    }, threads);
    for (std::uint32_t i = 0; i < n; ++i) order[i] = keys[i].index;
  }
  // Templates under construction, merged with union-find; `owner` holds, per character, the
  // template (any id of it) that claimed it first.
  struct Draft {
    std::uint32_t core = 0, extent_chars = 0;
    std::vector<std::uint32_t> docs;  // documents of its members together, sorted
    std::vector<std::uint32_t> members;
    std::vector<std::uint32_t> inside;  // the templates covering its first member when it began
  };
  std::vector<Draft> drafts;
  std::vector<std::uint32_t> parent;
  auto find = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  // Sized by the segments, not by `chars`: the pipeline frees the characters once the candidates
  // hold their texts, and nothing here reads them.
  std::vector<std::uint32_t> owner(text.segment_start.empty() ? 0 : text.segment_start.back(), kFree);
  std::vector<std::uint32_t> covers, merged, extensions;  // scratch, reused candidate after candidate
  auto add_documents = [&](std::vector<std::uint32_t>& into, std::span<const std::uint32_t> from) {
    // Most candidates add no document to a widespread template (a slogan's thousands): found by
    // search, without walking and copying the template's list.
    if (from.size() * 16 < into.size()) {
      auto at = into.begin();
      bool all = true;
      for (std::uint32_t d : from) {
        at = std::lower_bound(at, into.end(), d);
        if (at == into.end() || *at != d) {
          all = false;
          break;
        }
      }
      if (all) return;
    }
    merged.clear();
    std::set_union(into.begin(), into.end(), from.begin(), from.end(), std::back_inserter(merged));
    // Copied, not swapped: a swap would hand the scratch's capacity (the largest union so far,
    // a slogan's thousands of documents) to a template of a few, and over a million templates
    // that held 0.8 GB of dense 1 GiB.
    into.assign(merged.begin(), merged.end());
  };

  // What the loop reads of each candidate (its length, documents, occurrence starts and the sorted
  // list of their documents), gathered in the loop's order a batch at a time by pipeline(): on a
  // second thread when there is one. Candidates come in length order, so each one's record and
  // occurrence list lie at random places of arrays far larger than the cache; the loop (one
  // thread: each candidate reads what the ones before it claimed) waited on them, and on finding
  // each occurrence's document, for most of its time (dense 1 GiB: 8 s of 14 in the stage).
  struct Taken {
    std::uint32_t c, len, documents;
    std::uint32_t first_start, starts;  // its occurrences' starts in Batch::starts
    std::uint32_t first_doc, docs;      // its documents in Batch::docs
  };
  struct Batch {
    std::vector<Taken> taken;
    std::vector<std::uint32_t> starts, docs;
  };
  constexpr std::size_t kBatch = 4096;
  constexpr unsigned kSlots = 3;
  std::vector<Batch> batches(kSlots);
  auto gather = [&](std::size_t k, unsigned slot) {
    Batch& b = batches[slot];
    b.taken.clear();
    b.starts.clear();
    b.docs.clear();
    const std::size_t to = std::min<std::size_t>(n, (k + 1) * kBatch);
    for (std::size_t oi = k * kBatch; oi < to; ++oi) {
      if (oi + 16 < n) {  // a record spans two cache lines
        const char* record = reinterpret_cast<const char*>(&candidates[order[oi + 16]]);
        __builtin_prefetch(record);
        __builtin_prefetch(record + sizeof(Candidate) - 1);
      }
      if (oi + 8 < n) __builtin_prefetch(candidates[order[oi + 8]].occurrences.data());
      const std::uint32_t c = order[oi];
      const Candidate& cand = candidates[c];
      Taken t{c, static_cast<std::uint32_t>(cand.text.size()), cand.documents, static_cast<std::uint32_t>(b.starts.size()),
              0, static_cast<std::uint32_t>(b.docs.size()), 0};
      for (const Occurrence& o : cand.occurrences) b.starts.push_back(o.start);
      t.starts = static_cast<std::uint32_t>(b.starts.size()) - t.first_start;
      t.docs = append_documents(text, cand.occurrences, b.docs);
      b.taken.push_back(t);
    }
  };
  auto take = [&](std::size_t, unsigned slot) {
    const Batch& b = batches[slot];
    for (std::size_t j = 0; j < b.taken.size(); ++j) {
      if (done) ++*done;
      // The owner entries of the occurrences a few candidates ahead, fetched early: the starts
      // are at hand in the batch, so nothing waits to ask for them.
      if (j + 4 < b.taken.size()) {
        const Taken& next = b.taken[j + 4];
        for (std::uint32_t q = 0; q < std::min<std::uint32_t>(8, next.starts) && next.len != 0; ++q) {
          const std::uint32_t at = b.starts[next.first_start + q];
          __builtin_prefetch(owner.data() + at);
          __builtin_prefetch(owner.data() + at + next.len / 2);
          __builtin_prefetch(owner.data() + at + next.len - 1);
        }
      }
      const Taken& cand = b.taken[j];
      const std::uint32_t c = cand.c, len = cand.len;
      if (len == 0) continue;
      const std::span<const std::uint32_t> starts(b.starts.data() + cand.first_start, cand.starts);
      covers.clear();
      for (const std::uint32_t start : starts) {
        const std::uint32_t a = owner[start], e = owner[start + len - 1], mid = owner[start + len / 2];
        if (a != kFree && e != kFree && find(a) == find(e)) covers.push_back(find(a));
        else if (mid != kFree) covers.push_back(find(mid));
      }
      // A template that stood on its own inside others is covered by them too: what covers it covers
      // what lies inside it (each character remembers only the tightest template over it).
      for (std::size_t k = 0; k < covers.size() && covers.size() < 256; ++k)
        for (std::uint32_t outer : drafts[covers[k]].inside) {
          const std::uint32_t r = find(outer);
          if (std::find(covers.begin(), covers.end(), r) == covers.end()) covers.push_back(r);
        }
      std::sort(covers.begin(), covers.end());
      covers.erase(std::unique(covers.begin(), covers.end()), covers.end());
      // The templates that are only this candidate plus a few characters, and the most widespread
      // covering template that it does not outnumber by own_entry_ratio.
      extensions.clear();
      std::uint32_t best = kFree;
      for (std::uint32_t t : covers) {
        if (drafts[t].extent_chars <= len + options.extension_limit(len) && drafts[t].docs.size() <= cand.documents)
          extensions.push_back(t);
        if (static_cast<double>(cand.documents) < options.own_entry_ratio * static_cast<double>(drafts[t].docs.size()) &&
            (best == kFree || drafts[t].docs.size() > drafts[best].docs.size()))
          best = t;
      }
      const bool joins = best != kFree && std::find(extensions.begin(), extensions.end(), best) == extensions.end();
      std::uint32_t target = joins ? best : extensions.empty() ? kFree : extensions.front();
      // Its extensions go where it goes.
      for (std::uint32_t t : extensions) {
        if (t == target) continue;
        Draft& into = drafts[target];
        Draft& from = drafts[t];
        into.members.insert(into.members.end(), from.members.begin(), from.members.end());
        into.extent_chars = std::max(into.extent_chars, from.extent_chars);
        add_documents(into.docs, from.docs);
        into.inside.insert(into.inside.end(), from.inside.begin(), from.inside.end());
        std::vector<std::uint32_t>().swap(from.members);
        std::vector<std::uint32_t>().swap(from.inside);
        std::vector<std::uint32_t>().swap(from.docs);
        parent[t] = target;
      }
      if (!joins && !extensions.empty()) drafts[target].core = c;  // 1. the core of its extensions
      if (target == kFree) {                                       // 3. a template of its own
        target = static_cast<std::uint32_t>(drafts.size());
        drafts.push_back({c, len, {}, {}, covers});
        parent.push_back(target);
      }
      Draft& d = drafts[target];
      d.members.push_back(c);
      d.extent_chars = std::max(d.extent_chars, len);
      add_documents(d.docs, std::span<const std::uint32_t>(b.docs.data() + cand.first_doc, cand.docs));
      // It claims its characters: each holds the shortest candidate over it so far (the latest), so
      // a shorter one finds the tightest span around it, and through it that span's template.
      for (const std::uint32_t start : starts) std::fill_n(owner.begin() + start, len, target);
    }
  };
  detail::pipeline((n + kBatch - 1) / kBatch, threads, kSlots, gather, take);
  std::vector<std::uint32_t>().swap(owner);
  std::vector<TemplateGroup> out;
  for (std::uint32_t t = 0; t < drafts.size(); ++t) {
    if (parent[t] != t) continue;
    std::vector<std::uint32_t>().swap(drafts[t].docs);
    TemplateGroup g{drafts[t].core, std::move(drafts[t].members)};
    std::sort(g.members.begin(), g.members.end());
    out.push_back(std::move(g));
  }
  return out;
}

namespace {

// True when `core` lies inside a stock phrase or is one plus at most `extra` characters.
bool is_stock(const std::u32string& core, const std::vector<std::u32string>& stock, const TemplateOptions& options) {
  for (const std::u32string& s : stock) {
    if (s.find(core) != std::u32string::npos) return true;
    if (core.size() >= s.size() && core.size() - s.size() <= options.extension_limit(static_cast<std::uint32_t>(s.size())) &&
        core.find(s) != std::u32string::npos)
      return true;
  }
  return false;
}

}  // namespace

std::size_t exclude_stock(std::vector<TemplateGroup>& groups, const std::vector<Candidate>& candidates,
                          const std::vector<std::u32string>& stock, const TemplateOptions& options) {
  if (stock.empty()) return 0;
  return std::erase_if(groups, [&](const TemplateGroup& g) {
    // The template goes when its core is stock, or when all it holds is stock and extensions of it.
    if (is_stock(candidates[g.core].text, stock, options)) return true;
    return std::all_of(g.members.begin(), g.members.end(),
                       [&](std::uint32_t m) { return is_stock(candidates[m].text, stock, options); });
  });
}

void merge_overlapping(std::vector<Occurrence>& all, std::vector<Occurrence>& out) {
  out.clear();
  std::sort(all.begin(), all.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.start != b.start ? a.start < b.start : a.length > b.length;
  });
  for (const Occurrence& o : all) {
    if (!out.empty()) {
      Occurrence& last = out.back();
      if (o.start < last.start + last.length) {
        last.length = std::max(last.length, o.start + o.length - last.start);
        continue;
      }
    }
    out.push_back(o);
  }
}

namespace {

// The occurrences of `members` merged where they overlap or nest, by start, into `out` (replaced);
// each covers the whole stretch its members cover there. `all` is scratch.
void merged_occurrences(const std::vector<Candidate>& candidates, const std::vector<std::uint32_t>& members,
                        std::vector<Occurrence>& all, std::vector<Occurrence>& out) {
  all.clear();
  // Each member's record and list lie at random places of arrays far larger than the caches (this
  // copy was a fifth of the templates stage on dense 1 GiB): the records are asked for first, then
  // each list kAhead members before it is copied, so that the misses overlap.
  constexpr std::size_t kAhead = 4;
  const std::size_t n = members.size();
  auto fetch_record = [&](std::size_t i) { __builtin_prefetch(&candidates[members[i]].occurrences); };
  auto fetch_list = [&](std::size_t i) { __builtin_prefetch(candidates[members[i]].occurrences.data()); };
  for (std::size_t i = 0; i < std::min(n, 2 * kAhead); ++i) fetch_record(i);
  for (std::size_t i = 0; i < std::min(n, kAhead); ++i) fetch_list(i);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 2 * kAhead < n) fetch_record(i + 2 * kAhead);
    if (i + kAhead < n) fetch_list(i + kAhead);
    const std::vector<Occurrence>& occ = candidates[members[i]].occurrences;
    all.insert(all.end(), occ.begin(), occ.end());
  }
  merge_overlapping(all, out);
}

// Where an occurrence lies in its paragraph: the paragraph and content characters [begin, end).
struct Place {
  std::uint32_t paragraph, begin, end;
};
Place place_of(const SegmentedText& text, const ParagraphLayout& layout, const Occurrence& o) {
  const std::size_t seg = text.segment_of(o.start);
  const std::uint32_t begin = layout.offset_of(seg) + (o.start - text.segment_start[seg]);
  return {layout.paragraph_of(seg), begin, begin + o.length};
}

}  // namespace

std::vector<TemplateGroup> chain_templates(std::vector<TemplateGroup> groups,
                                           const std::vector<Candidate>& candidates, const SegmentedText& text,
                                           const ParagraphLayout& layout, const TemplateOptions& options,
                                           unsigned threads) {
  if (auto m = options.validate(); !m.empty()) throw Error(errc::usage, m);
  const auto n = static_cast<std::uint32_t>(groups.size());
  if (options.chain_gap == 0 || n < 2) return groups;
  // Every occurrence of every template, as a place in its paragraph.
  struct Piece {
    std::uint32_t paragraph, begin, end, group;
  };
  std::vector<Piece> pieces;
  std::vector<std::uint32_t> docs(n), places(n);
  {
    // Found by group in parallel, a batch at a time (so the pieces held twice are one batch's),
    // and appended in group order: the same pieces for any number of workers.
    struct Scratch {
      std::vector<Occurrence> all, merged;
    };
    detail::PerThread<Scratch> scratch(threads, [] { return std::make_unique<Scratch>(); });
    constexpr std::uint32_t kBatch = 1u << 14;
    std::vector<std::vector<Piece>> batch;
    for (std::uint32_t g0 = 0; g0 < n; g0 += kBatch) {
      const std::uint32_t size = std::min(kBatch, n - g0);
      batch.assign(size, {});
      detail::parallel_for(size, threads, [&](std::size_t k, unsigned w) {
        const auto g = static_cast<std::uint32_t>(g0 + k);
        Scratch& sc = scratch[w];
        merged_occurrences(candidates, groups[g].members, sc.all, sc.merged);
        docs[g] = count_documents(text, sc.merged);
        places[g] = static_cast<std::uint32_t>(sc.merged.size());
        batch[k].reserve(sc.merged.size());
        for (const Occurrence& o : sc.merged) {
          const Place p = place_of(text, layout, o);
          batch[k].push_back({p.paragraph, p.begin, p.end, g});
        }
      });
      for (const auto& b : batch) pieces.insert(pieces.end(), b.begin(), b.end());
    }
  }
  // (Two pieces with all four equal would be one occurrence twice: merged_occurrences merges them.)
  detail::parallel_sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
    if (a.paragraph != b.paragraph) return a.paragraph < b.paragraph;
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end < b.end;
    return a.group < b.group;
  }, threads);
  // Pairs of templates next to each other, with the pieces (occurrences) of each. A piece looks at
  // the next few pieces only: more than kNeighbours starting within its reach is a pile of
  // overlapping templates, which group_templates() has already had its say on.
  constexpr std::size_t kNeighbours = 16;
  struct Link {
    std::uint32_t a, b;  // templates, a < b
    std::uint32_t pa, pb;  // their pieces
    auto operator<=>(const Link&) const = default;
  };
  // Counted first, then stored: pieces and links stand side by side at the stage's peak, and
  // growing by doubling would add up to as much again (6 M pieces and 5 M links on dense 1 GiB).
  pieces.shrink_to_fit();
  // The links of the pieces [from, to), in order.
  auto for_each_link = [&](std::size_t from, std::size_t to, auto&& f) {
    for (auto i = static_cast<std::uint32_t>(from); i < to; ++i) {
      const Piece& p = pieces[i];
      const std::uint64_t reach = std::uint64_t{p.end} + options.chain_gap;
      for (std::uint32_t j = i + 1; j < pieces.size() && j <= i + kNeighbours; ++j) {
        const Piece& q = pieces[j];
        if (q.paragraph != p.paragraph || q.begin > reach) break;
        if (q.group < p.group) f(Link{q.group, p.group, j, i});
        else if (q.group > p.group) f(Link{p.group, q.group, i, j});
      }
    }
  };
  // On all threads, in ranges of pieces: each range's links counted, then written from where the
  // ranges before it end (the same array as one pass would make).
  const std::size_t ranges = std::max(1u, threads) * std::size_t{4};
  auto range = [&](std::size_t r) { return std::pair{pieces.size() * r / ranges, pieces.size() * (r + 1) / ranges}; };
  std::vector<std::size_t> link_at(ranges + 1, 0);
  detail::parallel_for(ranges, threads, [&](std::size_t r, unsigned) {
    const auto [from, to] = range(r);
    std::size_t count = 0;
    for_each_link(from, to, [&](const Link&) { ++count; });
    link_at[r + 1] = count;
  });
  for (std::size_t r = 0; r < ranges; ++r) link_at[r + 1] += link_at[r];
  std::vector<Link> links(link_at[ranges]);
  detail::parallel_for(ranges, threads, [&](std::size_t r, unsigned) {
    const auto [from, to] = range(r);
    std::size_t at = link_at[r];
    for_each_link(from, to, [&](const Link& l) { links[at++] = l; });
  });
  std::vector<Piece>().swap(pieces);
  detail::parallel_sort(links.begin(), links.end(), std::less<Link>(), threads);
  // Each pair's runs of links decided on all threads (a run's test sorts its pieces; in a profile of
  // dense 1 GiB, with its 5 M links, chain_templates's own code took about 0.3 s on one thread, these
  // tests and the assembly below), in ranges of links that start at a run; the chains are then
  // joined in link order on one thread, which only reads the flags.
  std::vector<std::size_t> run_at(ranges + 1, links.size());
  run_at[0] = 0;
  for (std::size_t r = 1; r < ranges; ++r) {
    std::size_t i = links.size() * r / ranges;
    while (i > 0 && i < links.size() && links[i].a == links[i - 1].a && links[i].b == links[i - 1].b) ++i;
    run_at[r] = std::max(i, run_at[r - 1]);
  }
  std::vector<char> chained(links.size(), 0);  // at the first link of each run: the pair chains
  detail::parallel_for(ranges, threads, [&](std::size_t r, unsigned) {
    std::vector<std::uint32_t> side;
    auto distinct = [&](std::size_t i, std::size_t j, bool first) {
      side.clear();
      for (std::size_t k = i; k < j; ++k) side.push_back(first ? links[k].pa : links[k].pb);
      std::sort(side.begin(), side.end());
      return static_cast<double>(std::unique(side.begin(), side.end()) - side.begin());
    };
    for (std::size_t i = run_at[r]; i < run_at[r + 1];) {
      std::size_t j = i;
      while (j < links.size() && links[j].a == links[i].a && links[j].b == links[i].b) ++j;
      // Chained when at least chain_share of the places of each are next to the other: a piece that
      // is mostly elsewhere (a stock phrase, used around many passages and often several times a
      // document) stands on its own.
      const double share = options.chain_share;
      chained[i] = distinct(i, j, true) >= share * places[links[i].a] && distinct(i, j, false) >= share * places[links[i].b];
      i = j;
    }
  });
  std::vector<std::uint32_t> parent(n);
  for (std::uint32_t g = 0; g < n; ++g) parent[g] = g;
  auto find = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::size_t i = 0; i < links.size(); ++i)
    if (chained[i]) {
      const std::uint32_t ra = find(links[i].a), rb = find(links[i].b);
      if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
    }
  // The chains, in order of their first part (a root is its chain's smallest group): each group's
  // chain and each chain's core found in group order, then each chain's members gathered from its
  // parts (moved when it has one).
  std::vector<std::uint32_t> index_of(n, UINT32_MAX), chain_of(n);
  auto weight = [&](std::uint32_t g) {
    return std::uint64_t{docs[g]} * candidates[groups[g].core].text.size();
  };
  std::vector<std::uint32_t> best;  // per chain: the part whose core it takes
  std::vector<std::uint32_t> parts;
  std::vector<std::size_t> first_part{0};  // per chain, into `part_list` (counted, then filled)
  for (std::uint32_t g = 0; g < n; ++g) {
    const std::uint32_t r = find(g);
    if (index_of[r] == UINT32_MAX) {
      index_of[r] = static_cast<std::uint32_t>(best.size());
      best.push_back(g);
      parts.push_back(0);
      first_part.push_back(0);
    } else if (weight(g) > weight(best[index_of[r]])) {
      best[index_of[r]] = g;
    }
    const std::uint32_t c = index_of[r];
    chain_of[g] = c;
    parts[c] += groups[g].parts;
    ++first_part[c + 1];
  }
  const std::size_t chains = best.size();
  for (std::size_t c = 0; c < chains; ++c) first_part[c + 1] += first_part[c];
  std::vector<std::uint32_t> part_list(n);
  {
    std::vector<std::size_t> next(first_part.begin(), first_part.end() - 1);
    for (std::uint32_t g = 0; g < n; ++g) part_list[next[chain_of[g]]++] = g;  // in group order
  }
  // On this thread: members made on the workers would come from their malloc arenas, and the
  // stages after this one read and free them here.
  std::vector<TemplateGroup> out(chains);
  for (std::size_t c = 0; c < chains; ++c) {
    TemplateGroup& ch = out[c];
    ch.core = groups[best[c]].core;
    ch.parts = parts[c];
    const std::span<const std::uint32_t> of(part_list.data() + first_part[c], first_part[c + 1] - first_part[c]);
    if (of.size() == 1) {
      ch.members = std::move(groups[of[0]].members);
    } else {
      std::size_t size = 0;
      for (const std::uint32_t g : of) size += groups[g].members.size();
      ch.members.reserve(size);
      for (const std::uint32_t g : of) ch.members.insert(ch.members.end(), groups[g].members.begin(), groups[g].members.end());
    }
    if (ch.parts > 1) std::sort(ch.members.begin(), ch.members.end());
  }
  return out;
}

std::vector<TemplateGroup> merge_variants(const std::vector<TemplateGroup>& groups,
                                          const std::vector<Candidate>& candidates, const VariantOptions& options,
                                          VariantCounts& counts, std::atomic<std::uint64_t>* done) {
  // The cores' texts copied end to end, in group order: group_variants reads them in that order,
  // and the candidates' own lie at random places (read in place: 1.9-2.1 s for the stage against
  // 1.5-1.9 s in three pairs of dense 1 GiB runs). One array, where a string each was an
  // allocation per core.
  std::size_t total = 0;
  for (const TemplateGroup& g : groups) total += candidates[g.core].text.size();
  std::u32string all;
  all.reserve(total);
  std::vector<std::u32string_view> texts;
  std::vector<double> weights;
  texts.reserve(groups.size());
  weights.reserve(groups.size());
  for (const TemplateGroup& g : groups) all += candidates[g.core].text;
  for (std::size_t g = 0, at = 0; g < groups.size(); ++g) {
    const Candidate& c = candidates[groups[g].core];
    texts.emplace_back(all.data() + at, c.text.size());
    at += c.text.size();
    // Occurrences only break ties: below a millionth of a document even for a billion of them.
    weights.push_back(static_cast<double>(c.documents) + 1e-9 * static_cast<double>(c.occurrences.size()));
  }
  const auto merged = group_variants(std::span<const std::u32string_view>(texts), weights, options, counts, done);
  // group_variants lists groups in template order; keep the order of the templates' groups.
  std::vector<std::vector<std::uint32_t>> sorted = merged;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a[0] < b[0]; });
  std::vector<TemplateGroup> out;
  out.reserve(sorted.size());
  for (const auto& m : sorted) {
    TemplateGroup g{groups[m[0]].core, {}, 1};
    for (std::uint32_t k : m) {
      g.members.insert(g.members.end(), groups[k].members.begin(), groups[k].members.end());
      g.parts = std::max(g.parts, groups[k].parts);  // variants of a chained passage are no more pieces of it
    }
    std::sort(g.members.begin(), g.members.end());
    out.push_back(std::move(g));
  }
  return out;
}

std::uint64_t distinct_occurrences(std::span<const Occurrence> occurrences) {
  std::vector<Occurrence> sorted(occurrences.begin(), occurrences.end());
  std::sort(sorted.begin(), sorted.end(), [](const Occurrence& a, const Occurrence& b) { return a.start < b.start; });
  std::uint64_t count = 0, reach = 0;
  for (const Occurrence& o : sorted)
    if (o.start >= reach || count == 0) {
      ++count;
      reach = std::uint64_t{o.start} + o.length;
    }
  return count;
}

std::vector<Template> make_templates(const std::vector<Candidate>& candidates, const std::vector<TemplateGroup>& groups,
                                     const SegmentedText& text, unsigned min_docs, const ParagraphLayout& layout,
                                     unsigned chain_gap, unsigned threads) {
  // Made by group index into `made`, then those under min_docs documents erased in group order:
  // the same templates for any number of workers.
  struct Scratch {
    std::vector<Occurrence> all;
    std::vector<std::uint32_t> lengths;
  };
  detail::PerThread<Scratch> scratch(threads, [] { return std::make_unique<Scratch>(); });
  std::vector<Template> made(groups.size());
  detail::parallel_for(groups.size(), threads, [&](std::size_t gi, unsigned w) {
    const TemplateGroup& g = groups[gi];
    std::vector<Occurrence>& all = scratch[w].all;
    std::vector<std::uint32_t>& lengths = scratch[w].lengths;
    Template& t = made[gi];
    t.candidate = g.core;
    t.chars = static_cast<std::uint32_t>(candidates[g.core].text.size());
    t.members = g.members;
    t.extent = g.core;
    t.parts = g.parts;
    for (std::uint32_t m : g.members)
      if (candidates[m].text.size() > candidates[t.extent].text.size()) t.extent = m;
    // Overlapping or nested occurrences become one: the stretch they cover together.
    merged_occurrences(candidates, g.members, all, t.occurrences);
    if (g.parts > 1 && chain_gap > 0 && !t.occurrences.empty()) {
      // The pieces of one copy of an edited passage become one occurrence, across its edits.
      std::size_t w = 0;
      Place last = place_of(text, layout, t.occurrences[0]);
      for (std::size_t k = 1; k < t.occurrences.size(); ++k) {
        const Place p = place_of(text, layout, t.occurrences[k]);
        if (p.paragraph == last.paragraph && std::uint64_t{p.begin} <= std::uint64_t{last.end} + chain_gap) {
          last.end = std::max(last.end, p.end);
        } else {
          t.occurrences[w++].length = last.end - last.begin;
          t.occurrences[w] = t.occurrences[k];
          last = p;
        }
      }
      t.occurrences[w++].length = last.end - last.begin;
      t.occurrences.resize(w);
      lengths.clear();
      for (const Occurrence& o : t.occurrences) lengths.push_back(o.length);
      std::nth_element(lengths.begin(), lengths.begin() + lengths.size() / 2, lengths.end());
      t.chars = lengths[lengths.size() / 2];
    }
    t.documents = count_documents(text, t.occurrences);
    if (t.documents < min_docs) {
      t = Template{};  // its occurrences freed now, not at the end
      return;
    }
    t.extent_chars = static_cast<std::uint32_t>(candidates[t.extent].text.size());
    for (const auto& [shown, c] : {std::pair{&t.shown_core, t.candidate}, std::pair{&t.shown_extent, t.extent}}) {
      const auto& occs = candidates[c].occurrences;
      shown->assign(occs.begin(), occs.begin() + static_cast<std::ptrdiff_t>(std::min(occs.size(), kShownSamples)));
    }
    t.score = static_cast<double>(t.documents) * static_cast<double>(t.chars);
  });
  // The dropped ones were reset to no documents, fewer than min_docs (>= 1 when any is dropped).
  std::erase_if(made, [&](const Template& t) { return t.documents < min_docs; });
  return made;
}

void rank_templates(std::vector<Template>& templates) {
  // The last key is unique between templates of different texts, so the order is total in practice;
  // std::sort (not stable) is kept because the golden outputs were made with it. It sorts the keys,
  // taken once, and the templates are moved into their order after: comparing the templates read
  // each one's first occurrence from its list, a cache miss per comparison, and moved the records
  // (dense 1 GiB: 350 K templates, a third of a second on one thread). std::sort makes the same
  // moves for the same comparisons whatever it sorts, so the order is the same as before.
  struct Key {
    double score;
    std::uint32_t documents, chars, first, index;
  };
  std::vector<Key> keys(templates.size());
  for (std::size_t i = 0; i < templates.size(); ++i) {
    const Template& t = templates[i];
    keys[i] = {t.score, t.documents, t.chars, t.occurrences.front().start, static_cast<std::uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.documents != b.documents) return a.documents > b.documents;
    if (a.chars != b.chars) return a.chars > b.chars;
    return a.first < b.first;
  });
  std::vector<Template> sorted;
  sorted.reserve(templates.size());
  for (const Key& k : keys) sorted.push_back(std::move(templates[k.index]));
  templates = std::move(sorted);
}

OutputPlan plan_output(const std::vector<Template>& templates, const PhraseLimits& limits) {
  OutputPlan plan;
  plan.listed.reserve(templates.size());
  std::uint64_t locations = 0, chars = 0;
  bool full = false;
  for (const Template& t : templates) {
    if (full) break;
    std::uint32_t n = 0;
    for (const Occurrence& o : t.occurrences) {
      if (n >= limits.max_locations_per_phrase) break;
      if (locations >= limits.max_locations || chars + o.length > limits.max_location_chars) {
        full = true;
        break;
      }
      ++n;
      ++locations;
      chars += o.length;
    }
    if (n == 0) break;  // not even its first location fits: it and the rest are omitted
    plan.listed.push_back(n);
    plan.locations_omitted += t.occurrences.size() - n;
  }
  plan.phrases_omitted = templates.size() - plan.listed.size();
  return plan;
}

ContentSpan locate_content(const Content& content, const OffsetMap& map, std::uint32_t first, std::uint32_t count) {
  ContentSpan s;
  s.norm_begin = content.norm_begin[first];
  s.norm_end = content.norm_end[first + count - 1];
  s.input_begin = map.to_input_begin(s.norm_begin);
  s.input_end = map.to_input_end(s.norm_end);
  return s;
}

std::string display_text(std::string_view normalized) {
  // Letters and digits outside CJK are words that a line break separated: they keep one space.
  auto wordish = [](std::string_view t, std::size_t at, bool before) {
    std::size_t i = at;
    char32_t cp;
    if (before) {
      if (i == 0) return false;
      do --i; while (i > 0 && (static_cast<unsigned char>(t[i]) & 0xC0) == 0x80);
      std::size_t j = i;
      cp = next_code_point(t, j);
    } else {
      if (i >= t.size()) return false;
      cp = next_code_point(t, i);
    }
    return is_content_char(cp) && !is_cjk(cp);
  };
  std::string out;
  out.reserve(normalized.size());
  for (std::size_t i = 0; i < normalized.size();) {
    const char ch = normalized[i];
    if (ch != '\n' && ch != '\r') {
      out += ch;
      ++i;
      continue;
    }
    // A line break with the spaces and tabs around it.
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
    std::size_t j = i;
    while (j < normalized.size() && (normalized[j] == '\n' || normalized[j] == '\r' || normalized[j] == ' ' ||
                                     normalized[j] == '\t'))
      ++j;
    if (wordish(out, out.size(), true) && wordish(normalized, j, false)) out += ' ';
    i = j;
  }
  return out;
}

std::string most_frequent_form(std::span<const std::string> forms) {
  std::map<std::string_view, std::pair<std::size_t, std::size_t>> seen;  // form -> (count, first k)
  std::size_t best = 0, best_count = 0;
  for (std::size_t k = 0; k < forms.size(); ++k) {
    auto& [count, first] = seen.try_emplace(forms[k], std::size_t{0}, k).first->second;
    ++count;
    if (count > best_count || (count == best_count && first < best)) {
      best_count = count;
      best = first;
    }
  }
  return forms.empty() ? std::string() : forms[best];
}

}  // namespace recur
