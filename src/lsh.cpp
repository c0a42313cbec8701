// LSH banding: parameter choice, band keys, candidate pairs.
#include "recur/lsh.hpp"

#include <xxhash.h>

#include <boost/sort/pdqsort/pdqsort.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include "parallel.hpp"

namespace recur {
namespace {

// The entries (key << 32 | item) of one band whose key may occur more than once, sorted by key
// with item order kept within a key. Nearly every key of a band is unique, so sorting all of them
// (an LSD radix sort over the whole band cost 18 ns per entry) is wasted work. Instead:
//   1. a stable partition by the key's top 8 bits into 256 buckets, so each bucket is small enough
//      to stay in cache. It is done as two partitions of 16: scattering to 256 places at once
//      missed the TLB on nearly every write (24 ms for 2.66 M entries, against 15 ms for two passes);
//   2. per bucket, two bitmaps indexed by the key's low bits mark bits seen once and seen again;
//      only entries whose bit was seen again are kept (all repeated keys, plus about 1 in 16
//      unique keys that share low bits with another), then sorted.
// Entries with a unique key that slip through form runs of one and give no pairs.
void colliding_band_entries(std::span<const std::uint32_t> keys, std::vector<std::uint64_t>& out,
                            std::vector<std::uint64_t>& tmp, std::vector<std::uint64_t>& tmp2,
                            std::vector<std::uint64_t>& seen, std::vector<std::uint64_t>& again) {
  constexpr unsigned kBuckets = 256, kFan = 16;
  const std::size_t n = keys.size();
  out.clear();
  tmp.resize(n);
  tmp2.resize(n);
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
    // About 16 bits per entry keeps chance hits near 1 in 16; the key has 24 bits left.
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
    const std::size_t first = out.size();
    for (std::size_t i = lo; i < hi; ++i) {
      const std::uint32_t h = static_cast<std::uint32_t>(tmp[i] >> 32) & mask;
      if (again[h >> 6] >> (h & 63) & 1) out.push_back(tmp[i]);
    }
    for (std::size_t i = lo; i < hi; ++i) {  // clear only the words used
      const std::uint32_t h = static_cast<std::uint32_t>(tmp[i] >> 32) & mask;
      seen[h >> 6] = 0;
      again[h >> 6] = 0;
    }
    boost::sort::pdqsort_branchless(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
  }
}

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
  // (a << 32 | b), into one of kParts lists by a's range. Then per list: sort and deduplicate.
  // The lists, in order, are the sorted pairs.
  //
  // On dense corpora a near-duplicate pair shares most of the 30 bands, so 10x more pairs are
  // emitted than are distinct (dense 100 MiB: 4.06 M for 410 k). Sorting each band's list and
  // merging the 30 sorted lists cost a sort plus five merge rounds over all of them; one sort of
  // small, cache-sized lists is one pass, and the lists are sorted in parallel.
  constexpr std::size_t kParts = 256;
  const auto part_of = [&](std::uint64_t a) {  // a < count; the min guards a caller that breaks that
    return std::min<std::size_t>(kParts - 1, static_cast<std::size_t>(a * kParts / std::max<std::size_t>(count, 1)));
  };
  std::vector<std::size_t> truncated(bands, 0);
  struct Scratch {
    std::vector<std::uint64_t> entries, tmp, tmp2, seen, again;
    std::vector<std::vector<std::uint64_t>> parts = std::vector<std::vector<std::uint64_t>>(kParts);
  };
  std::vector<Scratch> scratch(std::max(1u, threads));
  detail::parallel_for(bands, threads, [&](std::size_t b, unsigned w) {
    Scratch& sc = scratch[w];
    colliding_band_entries(keys.subspan(b * count, count), sc.entries, sc.tmp, sc.tmp2, sc.seen, sc.again);
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
          std::vector<std::uint64_t>& out = sc.parts[part_of(a)];
          for (std::size_t y = x + 1; y < j; ++y)  // items ascend within a run: x's item < y's
            out.push_back(a << 32 | (entries[y] & 0xFFFFFFFFu));
        }
      }
      i = j;
    }
  });
  std::vector<std::vector<std::uint64_t>> lists(kParts);
  detail::parallel_for(kParts, threads, [&](std::size_t p, unsigned) {
    std::vector<std::uint64_t>& list = lists[p];
    std::size_t size = 0;
    for (const Scratch& sc : scratch) size += sc.parts[p].size();
    list.reserve(size);
    for (Scratch& sc : scratch) {
      list.insert(list.end(), sc.parts[p].begin(), sc.parts[p].end());
      std::vector<std::uint64_t>().swap(sc.parts[p]);
    }
    boost::sort::pdqsort_branchless(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
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
