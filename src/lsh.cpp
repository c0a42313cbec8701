// LSH banding: parameter choice, band keys, candidate pairs.
#include "recur/lsh.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cmath>

#include "parallel.hpp"

namespace recur {
namespace {

// Midpoint rule with enough steps that the choice of (b, r) is stable to the 4th decimal.
// Sorts (key << 32 | item) values by key, keeping item order within a key: a stable LSD radix
// sort on the key's 32 bits in three 11-bit passes. The values arrive in item order, so equal keys
// end up in item order, as a full sort would leave them. Several times faster than std::sort here.
void radix_sort_by_key(std::vector<std::uint64_t>& a, std::vector<std::uint64_t>& tmp) {
  constexpr unsigned kBits = 11, kBuckets = 1u << kBits;
  tmp.resize(a.size());
  for (unsigned shift = 32; shift < 64; shift += kBits) {
    std::vector<std::size_t> count(kBuckets + 1, 0);
    for (std::uint64_t x : a) ++count[((x >> shift) & (kBuckets - 1)) + 1];
    for (unsigned b = 0; b < kBuckets; ++b) count[b + 1] += count[b];
    for (std::uint64_t x : a) tmp[count[(x >> shift) & (kBuckets - 1)]++] = x;
    a.swap(tmp);
  }
}

template <class F>
double integrate(F f, double a, double b) {
  constexpr int kSteps = 400;
  const double h = (b - a) / kSteps;
  double sum = 0;
  for (int i = 0; i < kSteps; ++i) sum += f(a + (i + 0.5) * h);
  return sum * h;
}

}  // namespace

std::string LshOptions::validate(unsigned perms) const {
  if (!(threshold > 0 && threshold <= 1)) return "--threshold must be in (0, 1]";
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
  LshParams best{1, 1};
  double best_err = INFINITY;
  const double t = o.threshold;
  for (unsigned b = 1; b <= perms; ++b) {
    for (unsigned r = 1; b * r <= perms; ++r) {
      if (o.bands && b != o.bands) continue;
      if (o.rows && r != o.rows) continue;
      const LshParams p{b, r};
      const double fp = integrate([&](double s) { return collision_probability(s, p); }, 0.0, t);
      const double fn = t < 1 ? integrate([&](double s) { return 1.0 - collision_probability(s, p); }, t, 1.0) : 0.0;
      const double err = o.false_positive_weight * fp + o.false_negative_weight * fn;
      if (err < best_err - 1e-12) {
        best_err = err;
        best = p;
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

std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs(std::span<const std::uint32_t> keys,
                                                                     std::size_t count, unsigned bands,
                                                                     std::size_t max_bucket,
                                                                     std::size_t* truncated_buckets,
                                                                     unsigned threads) {
  // Per band: sort (key << 32 | item) and emit the pairs of each run of equal keys.
  std::vector<std::vector<std::uint64_t>> band_pairs(bands);  // packed (a << 32 | b), sorted, unique
  std::vector<std::size_t> truncated(bands, 0);
  std::vector<std::vector<std::uint64_t>> scratch(std::max(1u, threads)), sort_tmp(std::max(1u, threads));
  detail::parallel_for(bands, threads, [&](std::size_t b, unsigned w) {
    std::vector<std::uint64_t>& entries = scratch[w];
    entries.resize(count);
    for (std::size_t i = 0; i < count; ++i)
      entries[i] = std::uint64_t{keys[i * bands + b]} << 32 | static_cast<std::uint32_t>(i);
    radix_sort_by_key(entries, sort_tmp[w]);
    std::vector<std::uint64_t>& out = band_pairs[b];
    for (std::size_t i = 0; i < count;) {
      std::size_t j = i + 1;
      while (j < count && (entries[j] >> 32) == (entries[i] >> 32)) ++j;
      const std::size_t size = j - i;
      if (size > 1) {
        const bool cut = size > max_bucket;
        truncated[b] += cut;
        for (std::size_t x = i; x < (cut ? i + 1 : j); ++x)
          for (std::size_t y = x + 1; y < j; ++y)  // items ascend within a run: x's item < y's
            out.push_back((entries[x] & 0xFFFFFFFFu) << 32 | (entries[y] & 0xFFFFFFFFu));
      }
      i = j;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  });
  std::vector<std::uint64_t> all;
  std::size_t total = 0;
  for (const auto& v : band_pairs) total += v.size();
  all.reserve(total);
  for (auto& v : band_pairs) {
    all.insert(all.end(), v.begin(), v.end());
    std::vector<std::uint64_t>().swap(v);
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  if (truncated_buckets)
    for (std::size_t t : truncated) *truncated_buckets += t;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  out.reserve(all.size());
  for (std::uint64_t p : all) out.emplace_back(static_cast<std::uint32_t>(p >> 32), static_cast<std::uint32_t>(p));
  return out;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs(std::span<const std::uint64_t> keys,
                                                                     std::size_t count, unsigned bands,
                                                                     std::size_t max_bucket,
                                                                     std::size_t* truncated_buckets,
                                                                     unsigned threads) {
  std::vector<std::uint32_t> folded(keys.size());
  std::transform(keys.begin(), keys.end(), folded.begin(), fold_key);
  return candidate_pairs(std::span<const std::uint32_t>(folded), count, bands, max_bucket, truncated_buckets,
                         threads);
}

}  // namespace recur
