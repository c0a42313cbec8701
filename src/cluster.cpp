// Exact verification and star clustering.
#include "recur/cluster.hpp"

#include <algorithm>
#include <numeric>

namespace recur {

double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept {
  if (a.empty() && b.empty()) return 1.0;
  std::size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) ++i;
    else if (b[j] < a[i]) ++j;
    else { ++inter; ++i; ++j; }
  }
  return static_cast<double>(inter) / static_cast<double>(a.size() + b.size() - inter);
}

std::vector<Cluster> cluster_star(std::size_t count, std::vector<Edge> edges, double threshold,
                                  const SimilarityFn& similarity) {
  // Canonical edge order, so the result does not depend on the order edges arrive in.
  for (auto& e : edges)
    if (e.a > e.b) std::swap(e.a, e.b);
  std::erase_if(edges, [&](const Edge& e) { return e.similarity < threshold || e.a == e.b || e.b >= count; });
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
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
  std::vector<std::pair<std::uint32_t, double>> adj(start[count]);
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (const auto& e : edges) {
      adj[fill[e.a]++] = {e.b, e.similarity};
      adj[fill[e.b]++] = {e.a, e.similarity};
    }
  }
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < count; ++i)
    if (degree[i] > 0) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    if (degree[x] != degree[y]) return degree[x] > degree[y];
    if (strength[x] != strength[y]) return strength[x] > strength[y];
    return x < y;
  });

  constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> cluster_of(count, kNone);
  std::vector<Cluster> clusters;
  for (std::uint32_t u : order) {
    if (cluster_of[u] != kNone) continue;
    Cluster c;
    for (std::size_t k = start[u]; k < start[u + 1]; ++k) {
      auto [v, s] = adj[k];
      if (cluster_of[v] == kNone) c.members.push_back({v, s});
    }
    if (c.members.empty()) continue;
    const auto id = static_cast<std::uint32_t>(clusters.size());
    cluster_of[u] = id;
    for (const auto& m : c.members) cluster_of[m.item] = id;
    c.members.insert(c.members.begin(), ClusterMember{u, 1.0});
    clusters.push_back(std::move(c));
  }

  // Second pass: a paragraph left alone joins the most similar representative among the clusters
  // of its verified neighbours, if it passes the threshold against that representative.
  if (similarity) {
    std::vector<std::pair<std::uint32_t, ClusterMember>> joins;
    for (std::uint32_t u : order) {
      if (cluster_of[u] != kNone) continue;
      std::vector<std::uint32_t> tried;
      double best = -1;
      std::uint32_t best_cluster = kNone;
      for (std::size_t k = start[u]; k < start[u + 1]; ++k) {
        std::uint32_t c = cluster_of[adj[k].first];
        if (c == kNone || std::find(tried.begin(), tried.end(), c) != tried.end()) continue;
        tried.push_back(c);
        double s = similarity(u, clusters[c].members[0].item);
        if (s >= threshold && (s > best || (s == best && c < best_cluster))) {
          best = s;
          best_cluster = c;
        }
      }
      if (best_cluster != kNone) joins.push_back({best_cluster, ClusterMember{u, best}});
    }
    for (const auto& [c, m] : joins) {
      clusters[c].members.push_back(m);
      cluster_of[m.item] = c;
    }
  }

  for (auto& c : clusters)
    std::sort(c.members.begin() + 1, c.members.end(),
              [](const ClusterMember& x, const ClusterMember& y) { return x.item < y.item; });
  std::sort(clusters.begin(), clusters.end(), [](const Cluster& x, const Cluster& y) {
    if (x.members.size() != y.members.size()) return x.members.size() > y.members.size();
    return x.members[0].item < y.members[0].item;
  });
  return clusters;
}

}  // namespace recur
