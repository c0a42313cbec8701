// The verify stage: exact similarities of candidate pairs.
#include "recur/verify.hpp"

#include <boost/sort/pdqsort/pdqsort.hpp>

#include <algorithm>
#include <bit>
#include <memory>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "parallel.hpp"
#include "small_sort.hpp"

namespace recur {

namespace {

// The common elements of a[i..] and b[j..], sorted and duplicate-free: a merge without branches on
// the comparisons, which are unpredictable (each is a coin flip on random hashes); a mispredicted
// branch per element cost more than the comparison.
template <class T>
std::size_t intersection_tail(const T* a, std::size_t na, const T* b, std::size_t nb, std::size_t i,
                              std::size_t j) noexcept {
  std::size_t inter = 0;
  while (i < na && j < nb) {
    const T x = a[i], y = b[j];
    inter += x == y;
    i += x <= y;
    j += y <= x;
  }
  return inter;
}

// |A n B| / |A u B| from the sizes and the intersection; two empty sets are identical.
double jaccard_of(std::size_t inter, std::size_t na, std::size_t nb) noexcept {
  if (na == 0 && nb == 0) return 1.0;
  return static_cast<double>(inter) / static_cast<double>(na + nb - inter);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RECUR_AVX2_INTERSECTION 1
// Blocks of 8: each block of a is compared with all 8 rotations of the current block of b (8
// compares, one popcount), then the block with the smaller last value moves on, both when the last
// values are equal. Without duplicates a value meets its equal in exactly one pair of blocks on that
// path, so nothing is counted twice or missed; the last partial blocks go through the merge. The
// scalar merge spends a step per element of either set; this spends a step per 8 of one: verifying
// the candidate pairs of a dense corpus (sets of ~130 values, most pairs similar) was a third of
// the verify stage, nearly all in the merge.
__attribute__((target("avx2,popcnt"))) std::size_t intersection_avx2(const std::uint32_t* a, std::size_t na,
                                                               const std::uint32_t* b, std::size_t nb) noexcept {
  std::size_t i = 0, j = 0, inter = 0;
  const __m256i rotate = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
  while (i + 8 <= na && j + 8 <= nb) {
    const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + j));
    __m256i eq = _mm256_cmpeq_epi32(va, vb);
    for (int r = 1; r < 8; ++r) {
      vb = _mm256_permutevar8x32_epi32(vb, rotate);
      eq = _mm256_or_si256(eq, _mm256_cmpeq_epi32(va, vb));
    }
    inter += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(eq)))));
    const std::uint32_t amax = a[i + 7], bmax = b[j + 7];
    i += amax <= bmax ? 8 : 0;
    j += bmax <= amax ? 8 : 0;
  }
  return inter + intersection_tail(a, na, b, nb, i, j);
}

// Blocks of 16 as intersection_avx2 has blocks of 8, each pair of blocks compared by one
// VP2INTERSECTD (AMD Zen 5; Intel's Tiger Lake had it too), then the rest by intersection_avx2.
__attribute__((target("avx512f,avx512vp2intersect,avx2,popcnt"))) std::size_t intersection_vp2intersect(
    const std::uint32_t* a, std::size_t na, const std::uint32_t* b, std::size_t nb) noexcept {
  std::size_t i = 0, j = 0, inter = 0;
  while (i + 16 <= na && j + 16 <= nb) {
    __mmask16 in_a, in_b;
    _mm512_2intersect_epi32(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + j), &in_a, &in_b);
    inter += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(in_a)));
    const std::uint32_t amax = a[i + 15], bmax = b[j + 15];
    i += amax <= bmax ? 16 : 0;
    j += bmax <= amax ? 16 : 0;
  }
  return inter + intersection_avx2(a + i, na - i, b + j, nb - j);
}
#endif

std::size_t intersection_size(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept {
#ifdef RECUR_AVX2_INTERSECTION
  static const bool vp2 = __builtin_cpu_supports("avx512vp2intersect") && __builtin_cpu_supports("avx2");
  if (vp2) return intersection_vp2intersect(a.data(), a.size(), b.data(), b.size());
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  if (avx2) return intersection_avx2(a.data(), a.size(), b.data(), b.size());
#endif
  return intersection_tail(a.data(), a.size(), b.data(), b.size(), 0, 0);
}

}  // namespace

double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept {
  return jaccard_of(intersection_tail(a.data(), a.size(), b.data(), b.size(), 0, 0), a.size(), b.size());
}

double exact_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) noexcept {
  return jaccard_of(intersection_size(a, b), a.size(), b.size());
}

namespace {

// sort_unique_hashes, reading value i as value(i) and writing the sorted, duplicate-free values to
// `out`, which may be where the values are (all are read before the first is written).
template <class Value>
std::size_t sort_unique_into(Value&& value, std::size_t n, std::uint32_t* out, std::vector<std::uint32_t>& scratch) {
  // Below 32 values, too few for buckets to pay; past 2^18 (a paragraph of a quarter million
  // characters: rare), pdqsort, which needs no scratch of up to 3n words. Else 2^bits buckets on
  // the top bits, more than n of them: most buckets then hold one value or none, so the insertion
  // sort below seldom moves one, and its comparisons are predictable. With n / 2 to n buckets (up
  // to two values a bucket, in random order) they went either way: 6.1 ns a value against 5.1 ns,
  // over 20,000 sets of 40 to 340 random values. Up to 512 values on a processor with AVX-512, a
  // sorting network in its registers instead (small_sort.hpp), which also drops the duplicates:
  // 4.9 → 1.8 ns a value with them dropped, 200,000 sets of 40-340 random values (AMD EPYC VM).
  static const bool network = detail::small_sort_avx512_available();
  if (network && n <= detail::kSmallSortMax) {
    for (std::size_t i = 0; i < n; ++i) out[i] = value(i);
    return detail::small_sort_unique_avx512(out, n);
  }
  if (n < 32 || n > (std::size_t{1} << 18)) {
    for (std::size_t i = 0; i < n; ++i) out[i] = value(i);
    boost::sort::pdqsort_branchless(out, out + n);
    return static_cast<std::size_t>(std::unique(out, out + n) - out);
  }
  const unsigned bits = static_cast<unsigned>(std::bit_width(n));  // 6..19
  const unsigned shift = 32 - bits;
  const std::size_t buckets = std::size_t{1} << bits;
  scratch.resize(n + buckets + 1);
  std::uint32_t* const ends = scratch.data();               // [buckets + 1]: counts, then bucket ends
  std::uint32_t* const tmp = scratch.data() + buckets + 1;  // [n]
  std::fill(ends, ends + buckets + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++ends[(value(i) >> shift) + 1];
  for (std::size_t b = 1; b <= buckets; ++b) ends[b] += ends[b - 1];
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t v = value(i);
    tmp[ends[v >> shift]++] = v;
  }
  // Ordered by bucket now, so one insertion sort over the whole array moves each value only within
  // its bucket: about n moves in all for hashes. Values crowded into few buckets would make that
  // quadratic, so past 4n moves the rest is left to pdqsort.
  std::size_t moves = 0;
  for (std::size_t i = 1; i < n; ++i) {
    const std::uint32_t x = tmp[i];
    std::size_t j = i;
    for (; j > 0 && tmp[j - 1] > x; --j) tmp[j] = tmp[j - 1];
    tmp[j] = x;
    moves += i - j;
    if (moves > 4 * n) {
      boost::sort::pdqsort_branchless(tmp, tmp + n);
      break;
    }
  }
  // Out, without duplicates (sorted now, so they are neighbours).
  std::size_t kept = 1;
  out[0] = tmp[0];
  for (std::size_t i = 1; i < n; ++i) {
    out[kept] = tmp[i];
    kept += tmp[i] != out[kept - 1];
  }
  return kept;
}

// A paragraph's shingle hashes folded (fold_shingle), sorted and deduplicated into `out` (room for
// hashes.size()): folded as the sort reads them, not written folded and read back (250 M values in
// dense 1 GiB's sets; ShingleSets::build 3.23-3.44 -> 3.02-3.28 s).
std::size_t fold_sort_unique(std::span<const std::uint64_t> hashes, std::uint32_t* out,
                             std::vector<std::uint32_t>& scratch) {
  return sort_unique_into([&](std::size_t i) { return fold_shingle(hashes[i]); }, hashes.size(), out, scratch);
}

}  // namespace

std::size_t sort_unique_hashes(std::uint32_t* first, std::size_t n, std::vector<std::uint32_t>& scratch) {
  return sort_unique_into([&](std::size_t i) { return first[i]; }, n, first, scratch);
}

// A bitmap over the ids rather than a sort of every pair's two ids: dense 1 GiB's 4.5 M pairs made
// 9 M ids, and sorting them took 0.4 s on one thread between two parallel stages.
std::vector<std::uint32_t> involved(std::span<const IdPair> pairs) {
  std::uint32_t top = 0;
  for (auto [a, b] : pairs) top = std::max({top, a, b});
  std::vector<std::uint64_t> bits(pairs.empty() ? 0 : std::size_t{top} / 64 + 1);
  for (auto [a, b] : pairs) {
    bits[a / 64] |= std::uint64_t{1} << (a % 64);
    bits[b / 64] |= std::uint64_t{1} << (b % 64);
  }
  std::size_t n = 0;
  for (std::uint64_t word : bits) n += static_cast<std::size_t>(std::popcount(word));
  std::vector<std::uint32_t> ids;
  ids.reserve(n);
  for (std::size_t w = 0; w < bits.size(); ++w)
    for (std::uint64_t word = bits[w]; word != 0; word &= word - 1)
      ids.push_back(static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(word))));
  return ids;
}

ShingleSets ShingleSets::build(const Source& source, const ParagraphIndex& index, std::vector<std::uint32_t> ids,
                               const InputOptions& input, const ShingleOptions& shingle, unsigned threads,
                               std::vector<Status>& problems, ProgressCounters* progress, const Spill* spill) {
  ShingleSets s;
  s.slot_.assign(index.size(), kNone);
  for (std::size_t k = 0; k < ids.size(); ++k) s.slot_[ids[k]] = static_cast<std::uint32_t>(k);
  s.refs_.resize(ids.size());
  s.usable_.assign(ids.size(), 1);
  problems.assign(index.inputs(), {});
  // The ids grouped by input (sorted ids are sorted by input): one read-back per input.
  std::vector<std::pair<std::size_t, std::size_t>> groups;  // [begin, end) in `ids`
  for (std::size_t k = 0; k < ids.size();) {
    std::size_t e = k;
    while (e < ids.size() && index.input_of(ids[e]) == index.input_of(ids[k])) ++e;
    groups.emplace_back(k, e);
    k = e;
  }
  s.arenas_.resize(groups.size());
  if (progress) progress->begin("verifying", ids.size());
  struct Worker {
    Normalizer normalizer;
    Shingler shingler;
    std::string normalized;
    OffsetMap map;
    std::vector<Range> removed;
    std::vector<std::uint64_t> tokens, shingles;
    std::vector<std::uint32_t> scratch, spilled;  // spilled: values read back from the spill
    std::string bytes;  // an input read whole (read_paragraph_views), kept for the next one's
    std::vector<std::string> texts;
    std::vector<std::string_view> views;
    Worker(const NormalizeOptions& n, const ShingleOptions& s) : normalizer(n), shingler(s) {}
  };
  detail::PerThread<Worker> workers(threads, [&] { return std::make_unique<Worker>(input.normalize, shingle); });
  // Appends the set of ids[k] (group g) to `arena`: room for its n values, which `sort_unique(out)`
  // sorts and deduplicates into `out`, returning how many it kept.
  const auto append_set = [&](auto& arena, std::size_t g, std::size_t k, std::size_t n,
                              const auto& sort_unique) {
    const std::size_t at = arena.size();
    arena.resize(at + n);
    arena.resize(at + sort_unique(arena.data() + at));
    s.refs_[k] = {static_cast<std::uint32_t>(g), static_cast<std::uint32_t>(arena.size() - at), at};
  };
  // The sets of group g from the spill: the values of runs of its paragraphs that lie close
  // together (most of an input's, on a dense corpus) read at once, then sorted. False when a read
  // fails.
  const auto from_spill = [&](std::size_t g, Worker& wk) {
    const auto [b, e] = groups[g];
    const std::uint32_t fi = index.input_of(ids[b]), first = index.first_id(fi);
    const FileIndex& file = index.file(fi);
    const auto begin = [&](std::size_t k) { return file.shingles_at[ids[k] - first]; };
    const auto end = [&](std::size_t k) { return file.shingles_at[ids[k] - first + 1]; };
    auto& arena = s.arenas_[g];
    std::size_t values = 0;
    for (std::size_t k = b; k < e; ++k) values += end(k) - begin(k);
    arena.reserve(values);
    // Values (64 KiB) read and dropped rather than read in two; at most kSpan values (8 MiB) at once.
    constexpr std::uint32_t kGap = 16 << 10, kSpan = 2 << 20;
    for (std::size_t k = b; k < e;) {
      std::size_t j = k + 1;
      while (j < e && begin(j) <= end(j - 1) + kGap && end(j) - begin(k) <= kSpan) ++j;
      const std::uint32_t from = begin(k), count = end(j - 1) - from;
      if (wk.spilled.size() < count) wk.spilled.resize(count);
      if (!spill->read(file.spill_at + from, std::span(wk.spilled.data(), count))) {
        arena = {};
        return false;
      }
      for (; k < j; ++k) {
        const std::uint32_t* values = wk.spilled.data() + (begin(k) - from);
        const std::size_t n = end(k) - begin(k);
        append_set(arena, g, k, n, [&](std::uint32_t* out) {
          return sort_unique_into([&](std::size_t i) { return values[i]; }, n, out, wk.scratch);
        });
      }
    }
    return true;
  };
  detail::parallel_for(groups.size(), threads, [&](std::size_t g, unsigned w) {
    Worker& wk = workers[w];
    const auto [b, e] = groups[g];
    const std::uint32_t fi = index.input_of(ids[b]);
    const FileIndex& file = index.file(fi);
    if (spill && file.spill_at != FileIndex::kNotSpilled && from_spill(g, wk)) {
      if (progress) progress->done += e - b;
      return;
    }
    std::vector<const ParagraphRecord*> paras;
    for (std::size_t k = b; k < e; ++k) paras.push_back(&index.record(ids[k]));
    if (Status st = read_paragraph_views(source, fi, file, input.decode, paras, wk.bytes, wk.texts, wk.views);
        !st.ok()) {
      problems[fi] = std::move(st);
      std::fill(s.usable_.begin() + static_cast<std::ptrdiff_t>(b), s.usable_.begin() + static_cast<std::ptrdiff_t>(e), 0);
      return;
    }
    auto& arena = s.arenas_[g];
    std::size_t text_bytes = 0;
    for (std::string_view t : wk.views) text_bytes += t.size();
    arena.reserve(text_bytes / 3 + 16);  // about one shingle per CJK character (3 bytes)
    for (std::size_t k = b; k < e; ++k) {
      const ParagraphRecord& p = *paras[k - b];
      normalize_span(wk.normalizer, wk.views[k - b], p.dbegin, file.stripped, wk.removed, wk.normalized, wk.map);
      wk.shingler.tokenize(wk.normalized, wk.tokens);
      wk.shingler.shingles(wk.tokens, wk.shingles);
      // Folded, sorted and deduplicated straight into the arena.
      append_set(arena, g, k, wk.shingles.size(),
                 [&](std::uint32_t* out) { return fold_sort_unique(wk.shingles, out, wk.scratch); });
    }
    if (progress) progress->done += e - b;
  });
  return s;
}

std::optional<std::span<const std::uint32_t>> ShingleSets::set(std::uint32_t id) const {
  if (id >= slot_.size()) return std::nullopt;
  const std::uint32_t k = slot_[id];
  if (k == kNone || !usable_[k]) return std::nullopt;
  const Ref& r = refs_[k];
  return std::span<const std::uint32_t>(arenas_[r.group].data() + r.offset, r.size);
}

double ShingleSets::similarity(std::uint32_t a, std::uint32_t b) const {
  const auto sa = set(a);
  const auto sb = set(b);
  if (!sa || !sb) return -1;
  return exact_jaccard(*sa, *sb);
}

double ShingleSets::similarity(std::uint32_t a, std::uint32_t b, double threshold) const {
  const auto sa = set(a);
  const auto sb = set(b);
  if (!sa || !sb) return -1;
  const std::size_t small = std::min(sa->size(), sb->size()), large = std::max(sa->size(), sb->size());
  if (large > 0) {
    const double bound = static_cast<double>(small) / static_cast<double>(large);
    if (bound < threshold) return bound;
  }
  return exact_jaccard(*sa, *sb);
}

std::vector<double> ShingleSets::similarities(std::span<const IdPair> pairs, double threshold, unsigned threads,
                                              std::atomic<std::uint64_t>* done) const {
  // A pair's sets are three dependent look-ups away (slot_, refs_, the arena), at random for the
  // pair's second paragraph: waiting on each in turn was most of the time on dense corpora. So
  // the look-ups are staged: slots requested 16 pairs ahead, refs 8 ahead, the sets' first
  // cache lines 4 ahead (the hardware fetches the rest of a set as the merge streams through it).
  std::vector<double> sims(pairs.size());
  constexpr std::size_t kChunk = 4096, kSlots = 16, kRefs = 8, kSets = 4;
  // Ids past the index have no set (as in set()); they are not looked up.
  const auto slot_of = [&](std::uint32_t id) { return id < slot_.size() ? slot_[id] : kNone; };
  const auto fetch_set = [&](std::uint32_t id) {
    const std::uint32_t k = slot_of(id);
    if (k == kNone) return;
    const Ref& r = refs_[k];
    const std::uint32_t* data = arenas_[r.group].data() + r.offset;
    __builtin_prefetch(data);
    if (r.size > 16) __builtin_prefetch(data + 16);  // the next 64-byte line
  };
  const std::size_t chunks = (pairs.size() + kChunk - 1) / kChunk;
  detail::parallel_for(chunks, threads, [&](std::size_t c, unsigned) {
    const std::size_t begin = c * kChunk, end = std::min(pairs.size(), (c + 1) * kChunk);
    for (std::size_t k = begin; k < end; ++k) {
      if (k + kSlots < end)
        for (std::uint32_t id : {pairs[k + kSlots].first, pairs[k + kSlots].second})
          if (id < slot_.size()) __builtin_prefetch(&slot_[id]);
      if (k + kRefs < end)
        for (std::uint32_t id : {pairs[k + kRefs].first, pairs[k + kRefs].second})
          if (const std::uint32_t s = slot_of(id); s != kNone) __builtin_prefetch(&refs_[s]);
      if (k + kSets < end) {
        fetch_set(pairs[k + kSets].first);
        fetch_set(pairs[k + kSets].second);
      }
      sims[k] = similarity(pairs[k].first, pairs[k].second, threshold);
    }
    if (done) *done += end - begin;
  });
  return sims;
}

std::vector<double> similarities(std::span<const IdPair> pairs, const SimilarityFn& similarity, unsigned threads,
                                 std::atomic<std::uint64_t>* done) {
  std::vector<double> sims(pairs.size());
  constexpr std::size_t kChunk = 4096;
  const std::size_t chunks = (pairs.size() + kChunk - 1) / kChunk;
  detail::parallel_for(chunks, threads, [&](std::size_t c, unsigned) {
    const std::size_t e = std::min(pairs.size(), (c + 1) * kChunk);
    for (std::size_t k = c * kChunk; k < e; ++k) sims[k] = similarity(pairs[k].first, pairs[k].second);
    if (done) *done += e - c * kChunk;
  });
  return sims;
}

std::vector<Edge> verified_edges(std::span<const IdPair> pairs, std::span<const double> similarity, double threshold) {
  // Counted first, so the edges are one block of the final size: grown by doubling (dense 1 GiB:
  // 3.9 M edges, 62 MB), the copies and the fresh pages of the larger blocks were a quarter of a
  // second on the calling thread, with the other core idle.
  std::size_t n = 0;
  for (std::size_t k = 0; k < pairs.size(); ++k) n += similarity[k] >= threshold;
  std::vector<Edge> edges;
  edges.reserve(n);
  for (std::size_t k = 0; k < pairs.size(); ++k)
    if (similarity[k] >= threshold) edges.push_back({pairs[k].first, pairs[k].second, similarity[k]});
  return edges;
}

}  // namespace recur
