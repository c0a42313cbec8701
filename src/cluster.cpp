// Exact verification and star clustering.
#include "recur/cluster.hpp"

#include <boost/sort/pdqsort/pdqsort.hpp>

#include <algorithm>
#include <memory>
#include <numeric>
#include <utility>

namespace recur {

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
  for (const auto& e : edges) {
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
    for (const auto& e : edges) {
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
    struct Key {
      double strength;
      std::uint32_t id;
    };
    std::vector<Key> keys(total);
    for (std::uint32_t i = 0; i < count; ++i)
      if (degree[i] > 0) keys[at[max_degree - degree[i]]++] = {strength[i], i};
    for (std::size_t b = 0, first = 0; b < at.size(); first = at[b++])  // at[b] is now bucket b's end
      boost::sort::pdqsort(keys.begin() + static_cast<std::ptrdiff_t>(first), keys.begin() + static_cast<std::ptrdiff_t>(at[b]),
                           [](const Key& x, const Key& y) {
                             return x.strength != y.strength ? x.strength > y.strength : x.id < y.id;
                           });
    order.resize(total);
    for (std::size_t k = 0; k < total; ++k) order[k] = keys[k].id;
  }

  constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> cluster_of(count, kNone);
  std::vector<Cluster> clusters;
  for (std::uint32_t u : order) {
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
  for (std::uint32_t u : order) {
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
