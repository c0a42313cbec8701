// Exact verification and star clustering.
#include "recur/cluster.hpp"

#include <boost/sort/pdqsort/pdqsort.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <numeric>
#include <span>
#include <utility>

namespace recur {
namespace {

struct CentreKey {
  double strength;
  std::uint32_t id;
};

// Sorts `keys` by strength, descending, stably (ties keep their order), by a least-significant-digit
// radix sort of the strengths' bits (11 bits a pass; a pass where every key has the same digit is
// skipped). The bits of a double order as its value does when it is finite and not negative: for
// any other strength, and for fewer than 1,024 keys, it sorts nothing and returns false.
bool radix_sort_by_strength_desc(std::span<CentreKey> keys, std::vector<CentreKey>& scratch) {
  if (keys.size() < 1024) return false;
  constexpr int kBits = 11, kPasses = 6;  // 66 >= 64 bits
  constexpr std::uint64_t kRadix = std::uint64_t{1} << kBits;
  const auto digit = [](const CentreKey& k, int pass) {
    return static_cast<std::size_t>((~std::bit_cast<std::uint64_t>(k.strength) >> (pass * kBits)) & (kRadix - 1));
  };
  std::vector<std::uint32_t> count(kPasses * kRadix, 0);
  for (const CentreKey& k : keys) {
    if (!std::isfinite(k.strength) || std::signbit(k.strength)) return false;
    for (int p = 0; p < kPasses; ++p) ++count[p * kRadix + digit(k, p)];
  }
  scratch.resize(keys.size());
  CentreKey* from = keys.data();
  CentreKey* to = scratch.data();
  for (int p = 0; p < kPasses; ++p) {
    std::uint32_t* c = count.data() + p * kRadix;
    if (c[digit(from[0], p)] == keys.size()) continue;  // one digit: nothing moves
    std::uint32_t sum = 0;
    for (std::uint64_t d = 0; d < kRadix; ++d) sum += std::exchange(c[d], sum);
    for (std::size_t i = 0; i < keys.size(); ++i) to[c[digit(from[i], p)]++] = from[i];
    std::swap(from, to);
  }
  if (from != keys.data()) std::copy(from, from + keys.size(), keys.data());
  return true;
}

}  // namespace

StarDraft star_first_pass(std::size_t count, std::vector<Edge> edges, double threshold) {
  // Canonical edge order, so the result does not depend on the order edges arrive in.
  for (auto& e : edges)
    if (e.a > e.b) std::swap(e.a, e.b);
  std::erase_if(edges, [&](const Edge& e) { return e.similarity < threshold || e.a == e.b || e.b >= count; });
  const auto by_ends = [](const Edge& x, const Edge& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; };
  // The pipeline's edges come in candidate-pair order, which is this order already: checking is
  // one pass instead of a sort of millions of edges on dense corpora.
  if (!std::is_sorted(edges.begin(), edges.end(), by_ends)) boost::sort::pdqsort(edges.begin(), edges.end(), by_ends);
  edges.erase(std::unique(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
                return x.a == y.a && x.b == y.b;
              }), edges.end());

  // Adjacency in CSR form.
  std::vector<std::uint32_t> degree(count, 0);
  std::vector<double> strength(count, 0);
  // Edges come by their first end, so e.a walks these arrays in order and e.b jumps: its entries
  // are fetched kAhead edges early (as in the fill below), on dense corpora far larger than the cache.
  constexpr std::size_t kAhead = 16;
  for (std::size_t k = 0; k < edges.size(); ++k) {
    if (k + kAhead < edges.size()) {
      __builtin_prefetch(&degree[edges[k + kAhead].b], 1);
      __builtin_prefetch(&strength[edges[k + kAhead].b], 1);
    }
    const Edge& e = edges[k];
    ++degree[e.a]; ++degree[e.b];
    strength[e.a] += e.similarity; strength[e.b] += e.similarity;
  }
  std::vector<std::size_t> start(count + 1, 0);
  for (std::size_t i = 0; i < count; ++i) start[i + 1] = start[i] + degree[i];
  // Every entry is written by the fill below: left unzeroed (zeroing it was a fifth of this
  // function's samples on BM_cluster_dense).
  struct Neighbour {
    std::uint32_t item;
    double similarity;
  };
  const auto adj = std::make_unique_for_overwrite<Neighbour[]>(start[count]);
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < edges.size(); ++k) {
      if (k + kAhead < edges.size()) __builtin_prefetch(&fill[edges[k + kAhead].b], 1);
      if (k + kAhead / 2 < edges.size()) __builtin_prefetch(&adj[fill[edges[k + kAhead / 2].b]], 1);
      const Edge& e = edges[k];
      adj[fill[e.a]++] = {e.b, e.similarity};
      adj[fill[e.b]++] = {e.a, e.similarity};
    }
  }
  // The centres' order, (degree desc, strength desc, id asc): a total order. Sorting ids compared
  // through degree[] and strength[] took 45% of the stage on the dense 1 GiB corpus (random reads
  // in every comparison). Instead the ids are counted into one bucket per degree, ascending within
  // it, and only each bucket's contiguous (strength, id) keys are sorted.
  std::vector<std::uint32_t> order;
  {
    std::uint32_t max_degree = 0;
    for (std::size_t i = 0; i < count; ++i) max_degree = std::max(max_degree, degree[i]);
    std::vector<std::size_t> at(static_cast<std::size_t>(max_degree) + 1, 0);  // by max_degree - degree
    for (std::size_t i = 0; i < count; ++i)
      if (degree[i] > 0) ++at[max_degree - degree[i]];
    std::size_t total = 0;
    for (std::size_t& a : at) total += std::exchange(a, total);  // each bucket's first place
    std::vector<CentreKey> keys(total);
    for (std::uint32_t i = 0; i < count; ++i)
      if (degree[i] > 0) keys[at[max_degree - degree[i]]++] = {strength[i], i};
    // Within a bucket the ids are ascending, so a stable sort by strength alone gives the order. A
    // large bucket (most ids have a degree of 1 to 7 on dense corpora) is radix-sorted on the bits
    // of its strengths, which order as the values do when they are finite and not negative (sums
    // of similarities); pdqsort on (strength, id) took a quarter of the stage.
    std::vector<CentreKey> scratch;
    for (std::size_t b = 0, first = 0; b < at.size(); first = at[b++]) {  // at[b] is now bucket b's end
      const std::span<CentreKey> bucket(keys.data() + first, at[b] - first);
      if (!radix_sort_by_strength_desc(bucket, scratch))
        boost::sort::pdqsort(bucket.begin(), bucket.end(), [](const CentreKey& x, const CentreKey& y) {
          return x.strength != y.strength ? x.strength > y.strength : x.id < y.id;
        });
    }
    order.resize(total);
    for (std::size_t k = 0; k < total; ++k) order[k] = keys[k].id;
  }

  constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> cluster_of(count, kNone);
  std::vector<Cluster> clusters;
  // The centres come in no order of memory: what each one reads is fetched ahead, in three steps
  // (its own entries, then its neighbours' list, then their cluster_of), which overlaps the cache
  // misses that took most of this loop on the dense corpora.
  const auto fetch_ahead = [&](std::size_t i) {
    if (i + 16 < order.size()) {
      __builtin_prefetch(&start[order[i + 16]]);
      __builtin_prefetch(&cluster_of[order[i + 16]]);
    }
    // Only for centres still free (most ids are taken by an earlier centre before their turn).
    if (i + 8 < order.size() && cluster_of[order[i + 8]] == kNone) __builtin_prefetch(&adj[start[order[i + 8]]]);
    if (i + 4 < order.size() && cluster_of[order[i + 4]] == kNone) {
      const std::uint32_t w = order[i + 4];
      for (std::size_t k = start[w], end = std::min(start[w + 1], start[w] + 8); k < end; ++k)
        __builtin_prefetch(&cluster_of[adj[k].item]);
    }
  };
  for (std::size_t i = 0; i < order.size(); ++i) {
    fetch_ahead(i);
    const std::uint32_t u = order[i];
    if (cluster_of[u] != kNone) continue;
    Cluster c;
    for (std::size_t k = start[u]; k < start[u + 1]; ++k) {
      const auto [v, s] = adj[k];
      if (cluster_of[v] == kNone) c.members.push_back({v, s});
    }
    if (c.members.empty()) continue;
    const auto id = static_cast<std::uint32_t>(clusters.size());
    cluster_of[u] = id;
    for (const auto& m : c.members) cluster_of[m.item] = id;
    c.members.insert(c.members.begin(), ClusterMember{u, 1.0});
    clusters.push_back(std::move(c));
  }

  // Loners: a paragraph left alone will try the clusters of its verified neighbours.
  StarDraft draft;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i + 16 < order.size()) __builtin_prefetch(&cluster_of[order[i + 16]]);
    const std::uint32_t u = order[i];
    if (cluster_of[u] != kNone) continue;
    StarDraft::Loner loner{u, {}};
    for (std::size_t k = start[u]; k < start[u + 1]; ++k) {
      const std::uint32_t c = cluster_of[adj[k].item];
      if (c != kNone && std::find(loner.clusters.begin(), loner.clusters.end(), c) == loner.clusters.end())
        loner.clusters.push_back(c);
    }
    if (!loner.clusters.empty()) draft.loners.push_back(std::move(loner));
  }
  draft.clusters = std::move(clusters);
  return draft;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> StarDraft::pending() const {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  for (const Loner& l : loners)
    for (std::uint32_t c : l.clusters) out.emplace_back(l.item, clusters[c].members[0].item);
  return out;
}

std::vector<Cluster> star_second_pass(StarDraft draft, std::span<const double> similarity, double threshold) {
  constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<Cluster>& clusters = draft.clusters;
  // Each loner joins the most similar representative that passes the threshold (ties: the earlier
  // cluster). Joins are decided against the first pass only, so loners do not depend on each other.
  std::vector<std::pair<std::uint32_t, ClusterMember>> joins;
  std::size_t k = 0;
  for (const StarDraft::Loner& l : draft.loners) {
    double best = -1;
    std::uint32_t best_cluster = kNone;
    for (std::uint32_t c : l.clusters) {
      const double s = k < similarity.size() ? similarity[k] : -1;
      ++k;
      if (s >= threshold && (s > best || (s == best && c < best_cluster))) {
        best = s;
        best_cluster = c;
      }
    }
    if (best_cluster != kNone) joins.push_back({best_cluster, ClusterMember{l.item, best}});
  }
  for (const auto& [c, m] : joins) clusters[c].members.push_back(m);

  for (auto& c : clusters)
    std::sort(c.members.begin() + 1, c.members.end(),
              [](const ClusterMember& x, const ClusterMember& y) { return x.item < y.item; });
  std::sort(clusters.begin(), clusters.end(), [](const Cluster& x, const Cluster& y) {
    if (x.members.size() != y.members.size()) return x.members.size() > y.members.size();
    return x.members[0].item < y.members[0].item;
  });
  return std::move(clusters);
}

std::vector<Cluster> cluster_star(std::size_t count, std::vector<Edge> edges, double threshold,
                                  const SimilarityFn& similarity) {
  StarDraft draft = star_first_pass(count, std::move(edges), threshold);
  std::vector<double> sims;
  if (similarity)
    for (const auto& [a, b] : draft.pending()) sims.push_back(similarity(a, b));
  else
    draft.loners.clear();
  return star_second_pass(std::move(draft), sims, threshold);
}

}  // namespace recur
