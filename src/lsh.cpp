// LSH banding: parameter choice, band keys, candidate pairs.
#include "recur/lsh.hpp"

#include <xxhash.h>

#include <boost/sort/pdqsort/pdqsort.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "parallel.hpp"
#include "small_sort.hpp"

namespace recur {
namespace {

// Sorts a few values in place: an insertion sort up to 32 (the counting sorts below leave one to
// a few values per group), pdqsort past that.
template <class T>
void sort_small(T* first, std::size_t n) {
  if (n > 32) {
    boost::sort::pdqsort_branchless(first, first + n);
    return;
  }
  for (std::size_t x = 1; x < n; ++x) {
    const T v = first[x];
    std::size_t y = x;
    for (; y > 0 && first[y - 1] > v; --y) first[y] = first[y - 1];
    first[y] = v;
  }
}

// The entries (key << 32 | item) of one band whose key occurs more than once, sorted by key with
// item order kept within a key. Nearly every key of a band is unique, so sorting all of them (an
// LSD radix sort over the whole band cost 18 ns per entry) is wasted work. Instead:
//   1. a stable partition by the key's top 8 bits into 256 buckets, so each bucket is small enough
//      to stay in cache. It is done as two partitions of 16: scattering to 256 places at once
//      missed the TLB on nearly every write (24 ms for 2.66 M entries, against 15 ms for two passes);
//   2. per bucket, two bitmaps indexed by the key's low bits mark bits seen once and seen again;
//      only entries whose bit was seen again are kept (all repeated keys, plus about 1 in 16
//      unique keys that share low bits with another);
//   3. those, a stable counting sort by the key's next bits (1 to 2 entries a sub-bucket, up to
//      12 bits: 8,192 survivors in a bucket), then
//      sort_small per sub-bucket; only runs of two or more entries stay.
//      Sorting them with pdqsort instead was twice the cost on dense 1 GiB, where 40% of the
//      entries collide; the bitmaps keep sparse corpora, where few collide, from paying for
//      counting all of them.
void colliding_band_entries(std::span<const std::uint32_t> keys, std::vector<std::uint64_t>& out,
                            std::vector<std::uint64_t>& tmp, std::vector<std::uint64_t>& tmp2,
                            std::vector<std::uint64_t>& seen, std::vector<std::uint64_t>& again,
                            std::vector<std::uint32_t>& sub) {
  constexpr unsigned kBuckets = 256, kFan = 16, kSubBits = 12;
  const std::size_t n = keys.size();
  out.clear();
  tmp.resize(n);
  tmp2.resize(n);
  sub.resize((std::size_t{1} << kSubBits) + 1);
  // start[b]: where bucket b (the key's top 8 bits) begins once partitioned.
  std::size_t start[kBuckets + 1] = {};
  for (std::uint32_t k : keys) ++start[(k >> 24) + 1];
  for (unsigned b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
  {
    std::size_t pos[kFan];  // by the top 4 bits, into tmp2
    for (unsigned h = 0; h < kFan; ++h) pos[h] = start[h * kFan];
    for (std::size_t i = 0; i < n; ++i)
      tmp2[pos[keys[i] >> 28]++] = std::uint64_t{keys[i]} << 32 | static_cast<std::uint32_t>(i);
  }
  for (unsigned h = 0; h < kFan; ++h) {  // then each part by the next 4 bits, into tmp
    std::size_t pos[kFan];
    std::copy(start + h * kFan, start + (h + 1) * kFan, pos);
    for (std::size_t i = start[h * kFan]; i < start[(h + 1) * kFan]; ++i)
      tmp[pos[(tmp2[i] >> 56) & (kFan - 1)]++] = tmp2[i];
  }
  for (unsigned b = 0; b < kBuckets; ++b) {
    const std::size_t lo = start[b], hi = start[b + 1];
    if (hi - lo < 2) continue;
    // 2. About 16 bits per entry keeps chance hits near 1 in 16; the key has 24 bits left.
    const unsigned bits = std::clamp<unsigned>(static_cast<unsigned>(std::bit_width(hi - lo)) + 4, 10, 24);
    const std::uint32_t mask = (std::uint32_t{1} << bits) - 1;
    if (seen.size() < (std::size_t{1} << bits) / 64) {
      seen.assign((std::size_t{1} << bits) / 64, 0);
      again.assign(seen.size(), 0);
    }
    for (std::size_t i = lo; i < hi; ++i) {
      const std::uint32_t h = static_cast<std::uint32_t>(tmp[i] >> 32) & mask;
      const std::uint64_t bit = std::uint64_t{1} << (h & 63);
      again[h >> 6] |= seen[h >> 6] & bit;
      seen[h >> 6] |= bit;
    }
    std::uint64_t* const kept = tmp2.data() + lo;  // tmp2 is free again: the survivors go there
    std::size_t m = 0;
    for (std::size_t i = lo; i < hi; ++i) {
      const std::uint32_t h = static_cast<std::uint32_t>(tmp[i] >> 32) & mask;
      kept[m] = tmp[i];
      m += again[h >> 6] >> (h & 63) & 1;
    }
    for (std::size_t i = lo; i < hi; ++i) {  // clear only the words used
      const std::uint32_t h = static_cast<std::uint32_t>(tmp[i] >> 32) & mask;
      seen[h >> 6] = 0;
      again[h >> 6] = 0;
    }
    if (m < 2) continue;
    // 3. kept[0, m) counted into tmp[lo, lo + m) by the key's next sub_bits bits; sub[s] ends as
    // the end of sub-bucket s.
    const unsigned sub_bits = std::min(kSubBits, static_cast<unsigned>(std::bit_width(m)) - 1);
    const unsigned subs = 1u << sub_bits, shift = 56 - sub_bits;
    const auto sub_of = [&](std::uint64_t e) { return static_cast<std::uint32_t>(e >> shift) & (subs - 1); };
    std::fill(sub.begin(), sub.begin() + subs + 1, 0);
    for (std::size_t i = 0; i < m; ++i) ++sub[sub_of(kept[i]) + 1];
    for (unsigned s = 0; s < subs; ++s) sub[s + 1] += sub[s];
    std::uint64_t* const sorted = tmp.data() + lo;
    for (std::size_t i = 0; i < m; ++i) sorted[sub[sub_of(kept[i])]++] = kept[i];
    std::size_t first = 0;
    for (unsigned s = 0; s < subs; ++s) {
      const std::size_t last = sub[s];
      if (last - first >= 2) {
        std::uint64_t* const e = sorted + first;
        const std::size_t k = last - first;
        sort_small(e, k);  // whole entries: within a key, by item, as the stable sorts left them
        for (std::size_t i = 0; i < k;) {
          std::size_t j = i + 1;
          while (j < k && (e[j] >> 32) == (e[i] >> 32)) ++j;
          if (j - i >= 2) out.insert(out.end(), e + i, e + j);
          i = j;
        }
      }
      first = last;
    }
  }
}

// Emitted pairs, appended in blocks of a fixed size: a growing vector copies each pair about once
// more and clears twice the fresh pages (0.3 GB of pairs on dense 1 GiB).
class PairBlocks {
 public:
  void push(std::uint64_t pair) {
    if (fill_ == kBlock) {
      blocks_.push_back(std::unique_ptr<std::uint64_t[]>(new std::uint64_t[kBlock]));  // owned if push_back throws
      fill_ = 0;
    }
    blocks_.back()[fill_++] = pair;
  }
  std::size_t size() const noexcept { return blocks_.empty() ? 0 : (blocks_.size() - 1) * kBlock + fill_; }
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const std::uint64_t* block = blocks_[k].get();
      const std::size_t n = k + 1 < blocks_.size() ? kBlock : fill_;
      for (std::size_t i = 0; i < n; ++i) f(block[i]);
    }
  }

 private:
  static constexpr std::size_t kBlock = 4096;  // pairs: 32 KiB
  std::vector<std::unique_ptr<std::uint64_t[]>> blocks_;
  std::size_t fill_ = kBlock;  // pairs in the last block
};

}  // namespace

std::string LshOptions::validate(unsigned perms) const {
  if (!(threshold > 0 && threshold <= 1)) return "--threshold must be a number greater than 0 and at most 1";
  if (!(false_positive_weight >= 0 && false_negative_weight >= 0) ||
      false_positive_weight + false_negative_weight <= 0)
    return "LSH weights must be non-negative and not both 0";
  if (bands > perms || rows > perms) return "--bands and --rows must each be at most --perms";
  if (bands > 0 && rows > 0 && static_cast<unsigned long>(bands) * rows > perms)
    return "--bands x --rows (" + std::to_string(bands) + " x " + std::to_string(rows) +
           ") must be at most --perms (" + std::to_string(perms) + ")";
  return {};
}

double collision_probability(double s, LshParams p) noexcept {
  return 1.0 - std::pow(1.0 - std::pow(s, p.rows), p.bands);
}

LshParams optimal_params(unsigned perms, const LshOptions& o) {
  // The false-positive area (P over [0, t]) and false-negative area (1 - P over [t, 1]) of every
  // (bands, rows) with bands * rows <= perms, by the midpoint rule. For each step s, s^rows and
  // (1 - s^rows)^bands come from running products, not pow(): evaluating pow() 1.1 million times
  // was 20 ms, a quarter of a whole run on a small corpus.
  constexpr int kSteps = 400;
  const double t = o.threshold;
  std::vector<std::size_t> first(perms + 2, 0);  // first[r]: where row count r's bands start
  for (unsigned r = 1; r <= perms; ++r) first[r + 1] = first[r] + perms / r;
  std::vector<double> fp(first[perms + 1], 0.0), fn(first[perms + 1], 0.0);
  auto accumulate = [&](double lo, double hi, std::vector<double>& area, bool above) {
    const double h = (hi - lo) / kSteps;
    for (int i = 0; i < kSteps; ++i) {
      const double s = lo + (i + 0.5) * h;
      double power = 1;  // s^r
      for (unsigned r = 1; r <= perms; ++r) {
        power *= s;
        const double miss = 1.0 - power;  // a band of r rows does not collide
        double all_miss = 1;              // (1 - s^r)^b: no band collides
        double* row = area.data() + first[r];
        for (unsigned b = 1; b <= perms / r; ++b) {
          all_miss *= miss;
          row[b - 1] += (above ? all_miss : 1.0 - all_miss) * h;
        }
      }
    }
  };
  accumulate(0.0, t, fp, false);
  if (t < 1) accumulate(t, 1.0, fn, true);
  LshParams best{1, 1};
  double best_err = INFINITY;
  for (unsigned b = 1; b <= perms; ++b) {
    for (unsigned r = 1; b * r <= perms; ++r) {
      if (o.bands && b != o.bands) continue;
      if (o.rows && r != o.rows) continue;
      const std::size_t at = first[r] + b - 1;
      const double err = o.false_positive_weight * fp[at] + o.false_negative_weight * fn[at];
      if (err < best_err - 1e-12) {
        best_err = err;
        best = {b, r};
      }
    }
  }
  return best;
}

LshParams resolve_params(unsigned perms, const LshOptions& o) {
  if (o.bands && o.rows) return {o.bands, o.rows};
  return optimal_params(perms, o);
}

void band_keys(std::span<const std::uint32_t> signature, LshParams p, std::span<std::uint64_t> keys) noexcept {
  for (unsigned b = 0; b < p.bands; ++b)
    keys[b] = XXH3_64bits_withSeed(signature.data() + static_cast<std::size_t>(b) * p.rows,
                                   p.rows * sizeof(std::uint32_t), b + 1);
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs_band_major(
    std::span<const std::uint32_t> keys, std::size_t count, unsigned bands, std::size_t max_bucket,
    std::size_t* truncated_buckets, unsigned threads) {
  // Per band: sort (key << 32 | item) and emit the pairs of each run of equal keys, packed
  // (a << 32 | b), into one of kParts lists by a's range. Then per part: order by a, sort each
  // a's partners and deduplicate. The parts, in order, are the sorted pairs.
  //
  // On dense corpora a near-duplicate pair shares most of the 30 bands, so 10x more pairs are
  // emitted than are distinct (dense 100 MiB: 4.06 M for 410 k). Sorting each band's list and
  // merging the 30 sorted lists cost a sort plus five merge rounds over all of them; parts of a
  // few hundred kilobytes are ordered in cache, in one pass each, and in parallel.
  constexpr std::size_t kParts = 256;
  // Items are indices of the band's slice of `keys`, so a < count. Part p holds the a with
  // p * count <= a * kParts < (p + 1) * count: [first_of(p), first_of(p + 1)).
  const auto part_of = [&](std::uint64_t a) { return static_cast<std::size_t>(a * kParts / count); };
  const auto first_of = [&](std::size_t p) {
    return static_cast<std::size_t>((std::uint64_t{p} * count + kParts - 1) / kParts);
  };
  std::vector<std::size_t> truncated(bands, 0);
  struct Scratch {
    std::vector<std::uint64_t> entries, tmp, tmp2, seen, again;
    std::vector<std::uint32_t> sub;
    std::vector<PairBlocks> parts = std::vector<PairBlocks>(kParts);
    std::vector<std::size_t> ends;  // for the second step
    std::vector<std::uint32_t> partners;
  };
  std::vector<Scratch> scratch(std::max(1u, threads));
  detail::parallel_for(bands, threads, [&](std::size_t b, unsigned w) {
    Scratch& sc = scratch[w];
    colliding_band_entries(keys.subspan(b * count, count), sc.entries, sc.tmp, sc.tmp2, sc.seen, sc.again, sc.sub);
    const std::vector<std::uint64_t>& entries = sc.entries;
    for (std::size_t i = 0; i < entries.size();) {
      std::size_t j = i + 1;
      while (j < entries.size() && (entries[j] >> 32) == (entries[i] >> 32)) ++j;
      const std::size_t size = j - i;
      if (size > 1) {
        const bool cut = size > max_bucket;
        truncated[b] += cut;
        for (std::size_t x = i; x < (cut ? i + 1 : j); ++x) {
          const std::uint64_t a = entries[x] & 0xFFFFFFFFu;
          PairBlocks& out = sc.parts[part_of(a)];
          for (std::size_t y = x + 1; y < j; ++y)  // items ascend within a run: x's item < y's
            out.push(a << 32 | (entries[y] & 0xFFFFFFFFu));
        }
      }
      i = j;
    }
  });
  // Per part: the pairs counted and placed by a (a counting sort: a part spans count / 256
  // values of a), then each a's partners sorted and deduplicated; the part's distinct pairs go to
  // a list of their own size. Concatenating the workers' lists and sorting them whole (pdqsort)
  // was a third of the stage on dense 1 GiB, and the concatenation wrote 0.3 GB of fresh pages.
  // A dense corpus gives an a about 16 pairs (the same few partners from most of the 30 bands).
  std::vector<std::vector<std::uint64_t>> lists(kParts);
  const bool network = detail::small_sort_avx512_available();
  detail::parallel_for(kParts, threads, [&](std::size_t p, unsigned w) {
    std::vector<std::size_t>& ends = scratch[w].ends;
    std::vector<std::uint32_t>& partners = scratch[w].partners;
    const std::size_t lo = first_of(p), span = first_of(p + 1) - lo;
    std::size_t size = 0;
    ends.assign(span + 1, 0);
    for (const Scratch& sc : scratch) {
      size += sc.parts[p].size();
      sc.parts[p].for_each([&](std::uint64_t x) { ++ends[(x >> 32) - lo + 1]; });
    }
    for (std::size_t i = 0; i < span; ++i) ends[i + 1] += ends[i];
    partners.resize(size);
    for (Scratch& sc : scratch) {  // ends[i] moves from the start of a = lo + i's partners to their end
      sc.parts[p].for_each([&](std::uint64_t x) { partners[ends[(x >> 32) - lo]++] = static_cast<std::uint32_t>(x); });
      sc.parts[p] = PairBlocks();
    }
    // Each a's partners sorted, deduplicated and moved down to `kept`; ends[i] becomes their count.
    // With AVX-512, a sorting network that also deduplicates (small_sort.hpp), then the move.
    std::size_t kept = 0, begin = 0;
    for (std::size_t i = 0; i < span; ++i) {
      const std::size_t end = ends[i];
      std::uint32_t* const first = partners.data() + begin;
      const std::size_t n = end - begin;
      std::size_t distinct = 0;
      if (network && n <= detail::kSmallSortMax) {
        distinct = detail::small_sort_unique_avx512(first, n);
        // Moved down (kept <= begin); std::copy may not write onto its own first element.
        if (kept != begin) std::copy(first, first + distinct, partners.data() + kept);
      } else {
        sort_small(first, n);
        for (std::size_t k = 0; k < n; ++k)  // kept + distinct <= begin + k: never ahead of the reads
          if (distinct == 0 || first[k] != partners[kept + distinct - 1]) partners[kept + distinct++] = first[k];
      }
      ends[i] = distinct;
      kept += distinct;
      begin = end;
    }
    std::vector<std::uint64_t>& list = lists[p];
    list.resize(kept);
    std::size_t k = 0;
    for (std::size_t i = 0; i < span; ++i)
      for (std::size_t d = 0; d < ends[i]; ++d, ++k) list[k] = std::uint64_t{lo + i} << 32 | partners[k];
  });
  std::size_t total = 0;
  for (const auto& list : lists) total += list.size();
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  out.reserve(total);
  for (auto& list : lists) {
    for (std::uint64_t p : list) out.emplace_back(static_cast<std::uint32_t>(p >> 32), static_cast<std::uint32_t>(p));
    std::vector<std::uint64_t>().swap(list);
  }
  if (truncated_buckets)
    for (std::size_t t : truncated) *truncated_buckets += t;
  return out;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs(std::span<const std::uint64_t> keys,
                                                                     std::size_t count, unsigned bands,
                                                                     std::size_t max_bucket,
                                                                     std::size_t* truncated_buckets,
                                                                     unsigned threads) {
  std::vector<std::uint32_t> by_band(keys.size());
  for (std::size_t i = 0; i < count; ++i)
    for (unsigned b = 0; b < bands; ++b) by_band[b * count + i] = fold_key(keys[i * bands + b]);
  return candidate_pairs_band_major(by_band, count, bands, max_bucket, truncated_buckets, threads);
}

BandLookup::BandLookup(std::span<const std::uint32_t> keys, std::size_t count, unsigned bands)
    : count_(count), bands_(bands), keys_(count * bands), items_(count * bands) {
  if (keys.size() != count * bands) throw std::invalid_argument("BandLookup: keys.size() != count * bands");
  std::vector<std::uint64_t> entries(count);
  for (unsigned b = 0; b < bands; ++b) {
    // (key, item) packed so one sort orders by key, then item.
    for (std::size_t i = 0; i < count; ++i) entries[i] = std::uint64_t{keys[b * count + i]} << 32 | i;
    std::sort(entries.begin(), entries.end());
    for (std::size_t i = 0; i < count; ++i) {
      keys_[b * count + i] = static_cast<std::uint32_t>(entries[i] >> 32);
      items_[b * count + i] = static_cast<std::uint32_t>(entries[i]);
    }
  }
}

std::span<const std::uint32_t> BandLookup::items(unsigned band, std::uint32_t key) const {
  if (band >= bands_) return {};
  const auto first = keys_.begin() + static_cast<std::ptrdiff_t>(band * count_);
  const auto [lo, hi] = std::equal_range(first, first + static_cast<std::ptrdiff_t>(count_), key);
  return {items_.data() + (lo - keys_.begin()), static_cast<std::size_t>(hi - lo)};
}

std::vector<std::uint32_t> BandLookup::candidates(std::span<const std::uint32_t> query) const {
  std::vector<std::uint32_t> out;
  for (unsigned b = 0; b < bands_ && b < query.size(); ++b) {
    const auto found = items(b, query[b]);
    out.insert(out.end(), found.begin(), found.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace recur
