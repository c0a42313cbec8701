#pragma once
/// \file cluster.hpp
/// Clustering of verified pairs (verify.hpp computes their similarities).
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
#include <utility>
#include <vector>

namespace recur {

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

/// Exact similarity of two items (may return a negative value for "unknown", which never passes).
using SimilarityFn = std::function<double(std::uint32_t, std::uint32_t)>;

/// The star clustering after its first pass, and what its second pass needs to know.
///
/// The second pass compares each paragraph left alone with the representatives of the clusters of
/// its verified neighbours: pairs that were never candidates, so their similarity is not known yet.
/// pending() lists them; the caller verifies them (verify.hpp) and hands the similarities to
/// star_second_pass. The clustering itself never calls back into the pipeline.
struct StarDraft {
  /// Clusters of the first pass, representative first, in the order they were formed.
  std::vector<Cluster> clusters;
  /// An item left alone and the clusters (indices into `clusters`) of its verified neighbours, in
  /// the order it will try them.
  struct Loner {
    std::uint32_t item = 0;
    std::vector<std::uint32_t> clusters;
  };
  std::vector<Loner> loners;

  /// (item, representative) for every loner and each of its clusters, in order: the pairs whose
  /// similarity star_second_pass needs.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pending() const;
};

/// The first pass: stars around the best-connected items (see the file comment).
StarDraft star_first_pass(std::size_t count, std::vector<Edge> edges, double threshold);

/// The second pass and the final order. `similarity[k]` is the similarity of `draft.pending()[k]`.
/// Returns clusters of at least two members ordered by size (desc), then representative id (asc);
/// members after the representative in increasing item id.
std::vector<Cluster> star_second_pass(StarDraft draft, std::span<const double> similarity, double threshold);

/// Clusters `count` items given verified `edges` (similarity >= threshold; others are ignored).
/// Returns clusters of at least two members ordered by size (desc), then representative id (asc).
/// Deterministic: depends only on the set of edges, not on their order.
/// Both passes in one call, `similarity` answering pending(); without it the second pass joins nobody.
std::vector<Cluster> cluster_star(std::size_t count, std::vector<Edge> edges, double threshold,
                                  const SimilarityFn& similarity = {});

}  // namespace recur
