#pragma once
/// \file cluster.hpp
/// Exact verification of candidate pairs and clustering of the verified pairs.
///
/// Clustering rule (star clustering, no chaining): every member of a cluster has exact Jaccard
/// >= threshold with the cluster's representative. Paragraphs are taken in order of
/// (number of verified neighbours desc, sum of their similarities desc, id asc); each one not yet
/// in a cluster that still has unclustered neighbours becomes a representative, and its
/// unclustered neighbours join it. Then every paragraph left alone that has a verified neighbour
/// inside some cluster is compared with that cluster's representative (exactly) and joins the
/// most similar one that passes the threshold. So A~B~C with A and C unrelated never puts A and C
/// together unless both pass against the same representative.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace recur {

/// Exact Jaccard similarity of two sorted, duplicate-free sets; 1 when both are empty.
double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept;

/// A verified pair of items (a < b) and their similarity.
struct Edge {
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  double similarity = 0;
};

/// A cluster member: item id and its similarity to the representative (1 for the representative).
struct ClusterMember {
  std::uint32_t item = 0;
  double similarity = 0;
};

/// A cluster: members[0] is the representative; the others follow in increasing item id.
struct Cluster {
  std::vector<ClusterMember> members;
};

/// Exact similarity of two items, used for the second pass (may return a negative value for
/// "unknown", which never passes).
using SimilarityFn = std::function<double(std::uint32_t, std::uint32_t)>;

/// Clusters `count` items given verified `edges` (similarity >= threshold; others are ignored).
/// Returns clusters of at least two members ordered by size (desc), then representative id (asc).
/// Deterministic: depends only on the set of edges, not on their order.
std::vector<Cluster> cluster_star(std::size_t count, std::vector<Edge> edges, double threshold,
                                  const SimilarityFn& similarity = {});

}  // namespace recur
