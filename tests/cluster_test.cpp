// Tests for cluster.hpp: exact Jaccard and star clustering.
#include "recur/cluster.hpp"
#include "recur/verify.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using recur::Cluster;
using recur::Edge;

using Set = std::vector<std::uint64_t>;

// A cluster written as {representative, member, member, ...}.
std::vector<std::vector<std::uint32_t>> ids(const std::vector<Cluster>& clusters) {
  std::vector<std::vector<std::uint32_t>> out;
  for (const auto& c : clusters) {
    out.emplace_back();
    for (const auto& m : c.members) out.back().push_back(m.item);
  }
  return out;
}

using Ids = std::vector<std::vector<std::uint32_t>>;

// Symmetric similarity from a table; unknown pairs are -1.
recur::SimilarityFn table(std::map<std::pair<std::uint32_t, std::uint32_t>, double> t) {
  return [t](std::uint32_t a, std::uint32_t b) {
    const auto it = t.find({std::min(a, b), std::max(a, b)});
    return it == t.end() ? -1.0 : it->second;
  };
}

// --- exact_jaccard ---------------------------------------------------------------------------

TEST(ExactJaccard, KnownValues) {
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{1, 2, 3}, Set{2, 3, 4}), 0.5);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{1, 2, 3}, Set{1, 2, 3}), 1.0);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{1, 2}, Set{3, 4}), 0.0);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{1}, Set{1, 2}), 0.5);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{1, 5, 9}, Set{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), 0.3);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{0, UINT64_MAX}, Set{UINT64_MAX}), 0.5);
}

TEST(ExactJaccard, EmptySets) {
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{}, Set{}), 1.0);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{}, Set{1}), 0.0);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set{1, 2}, Set{}), 0.0);
}

TEST(ExactJaccard, AgreesWithSetIntersectionOnRandomSets) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    Set a, b;
    const unsigned range = 5 + rng() % 100;
    for (unsigned i = 0, n = rng() % 60; i < n; ++i) a.push_back(rng() % range);
    for (unsigned i = 0, n = rng() % 60; i < n; ++i) b.push_back(rng() % range);
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    std::sort(b.begin(), b.end());
    b.erase(std::unique(b.begin(), b.end()), b.end());
    Set inter, uni;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(inter));
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(uni));
    const double expected = uni.empty() ? 1.0 : double(inter.size()) / double(uni.size());
    EXPECT_DOUBLE_EQ(recur::exact_jaccard(a, b), expected);
    EXPECT_DOUBLE_EQ(recur::exact_jaccard(b, a), expected);
    // The 32-bit sets ShingleSets keeps: the same values, the same answer.
    const std::vector<std::uint32_t> a32(a.begin(), a.end()), b32(b.begin(), b.end());
    EXPECT_DOUBLE_EQ(recur::exact_jaccard(a32, b32), expected);
    EXPECT_DOUBLE_EQ(recur::exact_jaccard(b32, a32), expected);
  }
}

TEST(ExactJaccard, ThirtyTwoBitSetsAtTheExtremes) {
  using Set32 = std::vector<std::uint32_t>;
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set32{0, UINT32_MAX}, Set32{UINT32_MAX}), 0.5);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set32{}, Set32{}), 1.0);
  EXPECT_DOUBLE_EQ(recur::exact_jaccard(Set32{7}, Set32{}), 0.0);
  EXPECT_EQ(recur::fold_shingle(0x0000000100000002ull), 3u);
}

// The 32-bit sets are intersected 16 values at a time (VP2INTERSECT), then 8 (AVX2), where the CPU
// has them, and the rest merged: sets of every size around multiples of 8 and 16, from disjoint to
// equal, with shared values placed so that blocks end on equal values, on either side of the
// other's, and in long runs.
TEST(ExactJaccard, ThirtyTwoBitSetsOfEveryShapeAgreeWithSetIntersection) {
  using Set32 = std::vector<std::uint32_t>;
  std::mt19937_64 rng(23);
  const auto sorted_unique = [](Set32 v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t na = rng() % 90, nb = trial % 7 == 0 ? rng() % 400 : rng() % 90;
    // Small ranges give many shared values and equal block ends; full-range values give few.
    const std::uint32_t range = trial % 3 == 0 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(8 + rng() % 300);
    Set32 a, b;
    for (std::size_t i = 0; i < na; ++i) a.push_back(static_cast<std::uint32_t>(rng() % range));
    for (std::size_t i = 0; i < nb; ++i) b.push_back(static_cast<std::uint32_t>(rng() % range));
    if (trial % 5 == 0) b.insert(b.end(), a.begin(), a.begin() + static_cast<std::ptrdiff_t>(na / 2));
    a = sorted_unique(a);
    b = sorted_unique(b);
    Set32 inter, uni;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(inter));
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(uni));
    const double expected = uni.empty() ? 1.0 : double(inter.size()) / double(uni.size());
    ASSERT_EQ(recur::exact_jaccard(a, b), expected) << "trial " << trial;
    ASSERT_EQ(recur::exact_jaccard(b, a), expected) << "trial " << trial;
    ASSERT_EQ(recur::exact_jaccard(a, a), 1.0);
  }
  // Interleaved and offset runs: every value of one set between two of the other, then equal.
  Set32 even, odd, all;
  for (std::uint32_t v = 0; v < 200; ++v) {
    (v % 2 ? odd : even).push_back(v);
    all.push_back(v);
  }
  EXPECT_EQ(recur::exact_jaccard(even, odd), 0.0);
  EXPECT_EQ(recur::exact_jaccard(even, all), 0.5);
  EXPECT_EQ(recur::exact_jaccard(odd, all), 0.5);
}

// sort_unique_hashes against sort + unique: random hashes (the case it is built for), many
// duplicates, values crowded into one bucket (the pdqsort fallback), all sizes around the cut-over.
TEST(SortUniqueHashes, EqualsSortThenUnique) {
  std::mt19937_64 rng(11);
  std::vector<std::uint32_t> scratch;
  const auto check = [&](std::vector<std::uint32_t> v, const char* what) {
    std::vector<std::uint32_t> want = v;
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    const std::size_t kept = recur::sort_unique_hashes(v.data(), v.size(), scratch);
    v.resize(kept);
    EXPECT_EQ(v, want) << what << ", n = " << want.size();
  };
  for (std::size_t n : {0, 1, 2, 15, 16, 17, 31, 32, 33, 130, 256, 257, 300, 512, 513, 4096, 70000, 300000}) {
    std::vector<std::uint32_t> v(n);
    for (auto& x : v) x = static_cast<std::uint32_t>(rng());
    check(v, "random");
    for (auto& x : v) x = static_cast<std::uint32_t>(rng() % 17);  // duplicates, all in bucket 0
    check(v, "small values");
    for (auto& x : v) x = 0xABC00000u | static_cast<std::uint32_t>(rng() & 0xFFFFF);  // one bucket
    check(v, "one top-bits prefix");
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint32_t>(n - i) * 0x01000193u;
    check(v, "descending steps");
    std::fill(v.begin(), v.end(), UINT32_MAX);
    check(v, "all equal");
  }
}

// --- cluster_star ----------------------------------------------------------------------------

TEST(ClusterStar, NoEdgesGiveNoClusters) {
  EXPECT_TRUE(recur::cluster_star(10, {}, 0.5).empty());
  EXPECT_TRUE(recur::cluster_star(0, {}, 0.5).empty());
}

TEST(ClusterStar, APairIsOneClusterWithTheLowerIdAsRepresentative) {
  const auto c = recur::cluster_star(5, {{1, 3, 0.8}}, 0.5);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(ids(c), (Ids{{1, 3}}));
  EXPECT_DOUBLE_EQ(c[0].members[0].similarity, 1.0);
  EXPECT_DOUBLE_EQ(c[0].members[1].similarity, 0.8);
}

TEST(ClusterStar, RepresentativeIsTheNodeWithMostNeighbours) {
  const std::vector<Edge> edges = {{0, 3, 0.7}, {1, 3, 0.8}, {2, 3, 0.6}, {3, 4, 0.9}, {0, 1, 0.95}};
  const auto c = recur::cluster_star(5, edges, 0.5);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(ids(c), (Ids{{3, 0, 1, 2, 4}}));
  // Each member carries its similarity to the representative, not to anyone else.
  EXPECT_DOUBLE_EQ(c[0].members[0].similarity, 1.0);
  EXPECT_DOUBLE_EQ(c[0].members[1].similarity, 0.7);
  EXPECT_DOUBLE_EQ(c[0].members[2].similarity, 0.8);
  EXPECT_DOUBLE_EQ(c[0].members[3].similarity, 0.6);
  EXPECT_DOUBLE_EQ(c[0].members[4].similarity, 0.9);
}

TEST(ClusterStar, EqualDegreesAreBrokenBySumOfSimilaritiesThenId) {
  // Degrees: 0, 1 and 2 have two neighbours; sums 1.2, 1.8, 1.5. So 1 goes first and takes 2 and
  // 4; then 0 takes 3.
  const std::vector<Edge> edges = {{0, 2, 0.6}, {0, 3, 0.6}, {1, 2, 0.9}, {1, 4, 0.9}};
  const auto c = recur::cluster_star(5, edges, 0.5);
  EXPECT_EQ(ids(c), (Ids{{1, 2, 4}, {0, 3}}));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_DOUBLE_EQ(c[1].members[1].similarity, 0.6);

  // Same degrees and sums: the lower id is the representative.
  const auto d = recur::cluster_star(6, {{2, 4, 0.7}, {4, 5, 0.7}, {2, 3, 0.7}}, 0.5);
  // Degrees 2: {2, 4}, both sum 1.4: 2 wins and takes 3 and 4; 5 is left alone.
  EXPECT_EQ(ids(d), (Ids{{2, 3, 4}}));
}

TEST(ClusterStar, AChainDoesNotLinkItsEnds) {
  // 0 ~ 1 ~ 2 ~ 3: 1 and 2 tie; 1 (lower id) takes 0 and 2. 3 only resembles 2, so without a
  // similarity function it stays out; 0 and 3 are never together.
  const std::vector<Edge> edges = {{0, 1, 0.8}, {1, 2, 0.8}, {2, 3, 0.8}};
  EXPECT_EQ(ids(recur::cluster_star(4, edges, 0.5)), (Ids{{1, 0, 2}}));
  // 3 against the representative 1 is below the threshold: still out.
  EXPECT_EQ(ids(recur::cluster_star(4, edges, 0.5, table({{{1, 3}, 0.3}, {{0, 3}, 0.1}}))),
            (Ids{{1, 0, 2}}));
  // Unknown similarity (negative) never passes.
  EXPECT_EQ(ids(recur::cluster_star(4, edges, 0.5, table({}))), (Ids{{1, 0, 2}}));
}

TEST(ClusterStar, AChainEndJoinsWhenItPassesAgainstTheRepresentative) {
  const std::vector<Edge> edges = {{0, 1, 0.8}, {1, 2, 0.8}, {2, 3, 0.8}};
  const auto c = recur::cluster_star(4, edges, 0.5, table({{{1, 3}, 0.55}}));
  EXPECT_EQ(ids(c), (Ids{{1, 0, 2, 3}}));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_DOUBLE_EQ(c[0].members[3].similarity, 0.55);
}

TEST(ClusterStar, AHubWithADistantNeighbourOfANeighbour) {
  // 0 ~ 1, 0 ~ 3, 0 ~ 4 and 1 ~ 2: 0 is the representative; 2 resembles only 1.
  const std::vector<Edge> edges = {{0, 1, 0.9}, {0, 3, 0.9}, {0, 4, 0.9}, {1, 2, 0.9}};
  EXPECT_EQ(ids(recur::cluster_star(5, edges, 0.5)), (Ids{{0, 1, 3, 4}}));
  EXPECT_EQ(ids(recur::cluster_star(5, edges, 0.5, table({{{0, 2}, 0.2}}))), (Ids{{0, 1, 3, 4}}));
  EXPECT_EQ(ids(recur::cluster_star(5, edges, 0.5, table({{{0, 2}, 0.5}}))),
            (Ids{{0, 1, 2, 3, 4}}));  // exactly the threshold passes
}

TEST(ClusterStar, TheSecondPassPicksTheMostSimilarRepresentative) {
  // Two stars, 0 with {1, 2, 3} and 10 with {11, 12, 13}; 20 resembles 2 and 12 only.
  std::vector<Edge> edges = {{0, 1, 0.8},   {0, 2, 0.8},   {0, 3, 0.8},  {10, 11, 0.8},
                             {10, 12, 0.8}, {10, 13, 0.8}, {2, 20, 0.8}, {12, 20, 0.8}};
  EXPECT_EQ(ids(recur::cluster_star(21, edges, 0.5)), (Ids{{0, 1, 2, 3}, {10, 11, 12, 13}}));
  const auto c = recur::cluster_star(21, edges, 0.5, table({{{0, 20}, 0.55}, {{10, 20}, 0.65}}));
  // 20 joins 10, which makes that cluster the larger one and so the first.
  EXPECT_EQ(ids(c), (Ids{{10, 11, 12, 13, 20}, {0, 1, 2, 3}}));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_DOUBLE_EQ(c[0].members[4].similarity, 0.65);
  // The other way round.
  EXPECT_EQ(ids(recur::cluster_star(21, edges, 0.5, table({{{0, 20}, 0.75}, {{10, 20}, 0.65}}))),
            (Ids{{0, 1, 2, 3, 20}, {10, 11, 12, 13}}));
  // Neither passes.
  EXPECT_EQ(ids(recur::cluster_star(21, edges, 0.5, table({{{0, 20}, 0.45}, {{10, 20}, 0.4}}))),
            (Ids{{0, 1, 2, 3}, {10, 11, 12, 13}}));
}

TEST(ClusterStar, ClustersAreOrderedBySizeThenRepresentativeId) {
  const std::vector<Edge> edges = {{8, 9, 0.9}, {0, 1, 0.9}, {5, 6, 0.9}, {5, 7, 0.9}, {3, 4, 0.9}};
  EXPECT_EQ(ids(recur::cluster_star(10, edges, 0.5)), (Ids{{5, 6, 7}, {0, 1}, {3, 4}, {8, 9}}));
}

TEST(ClusterStar, MembersFollowTheRepresentativeInIncreasingId) {
  const std::vector<Edge> edges = {{1, 7, 0.9}, {2, 7, 0.6}, {7, 9, 0.95}, {5, 7, 0.7}, {0, 7, 0.8}};
  EXPECT_EQ(ids(recur::cluster_star(10, edges, 0.5)), (Ids{{7, 0, 1, 2, 5, 9}}));
}

TEST(ClusterStar, EdgesBelowTheThresholdAreIgnored) {
  EXPECT_TRUE(recur::cluster_star(2, {{0, 1, 0.3}}, 0.5).empty());
  // Without the weak edges 0 has one neighbour and 4 two, so 4 is the representative.
  const std::vector<Edge> edges = {{0, 1, 0.3}, {0, 2, 0.3}, {0, 3, 0.3}, {0, 4, 0.9},
                                   {4, 5, 0.8}, {5, 6, 0.7}};
  EXPECT_EQ(ids(recur::cluster_star(7, edges, 0.5)), (Ids{{4, 0, 5}}));
}

TEST(ClusterStar, DependsOnlyOnTheSetOfEdgesNotTheirOrder) {
  std::mt19937_64 rng(2024);
  for (int trial = 0; trial < 20; ++trial) {
    const std::uint32_t count = 40;
    std::vector<Edge> edges;
    for (std::uint32_t a = 0; a < count; ++a) {
      for (std::uint32_t b = a + 1; b < count; ++b) {
        if (rng() % 12 == 0) edges.push_back({a, b, 0.3 + 0.05 * static_cast<double>(rng() % 14)});
      }
    }
    const auto sim = [](std::uint32_t a, std::uint32_t b) {
      return 0.4 + 0.01 * static_cast<double>((a * 7 + b * 7) % 30);
    };
    const auto expected = recur::cluster_star(count, edges, 0.5, sim);
    ASSERT_FALSE(expected.empty());
    for (int shuffle = 0; shuffle < 5; ++shuffle) {
      std::shuffle(edges.begin(), edges.end(), rng);
      const auto got = recur::cluster_star(count, edges, 0.5, sim);
      ASSERT_EQ(ids(got), ids(expected)) << "trial " << trial;
      for (std::size_t c = 0; c < got.size(); ++c) {
        for (std::size_t m = 0; m < got[c].members.size(); ++m) {
          EXPECT_DOUBLE_EQ(got[c].members[m].similarity, expected[c].members[m].similarity);
        }
      }
    }
  }
}

// The first pass on graphs large enough that the centres' order is radix-sorted (buckets of a
// thousand ids and more), against the rule written plainly: centres by (degree desc, strength desc,
// id asc), each taking its neighbours still free. Similarities on a coarse grid, so that many
// strengths tie (then the lower id goes first), and some items are left isolated.
TEST(ClusterStar, FirstPassOfALargeGraphFollowsTheCentreOrder) {
  std::mt19937_64 rng(99);
  for (const std::uint32_t count : {3000u, 20000u}) {
    std::vector<Edge> edges;
    for (std::uint32_t k = 0; k < count; ++k) {
      const std::uint32_t a = static_cast<std::uint32_t>(rng() % count), b = static_cast<std::uint32_t>(rng() % count);
      edges.push_back({a, b, 0.5 + 0.125 * static_cast<double>(rng() % 5)});
    }
    const recur::StarDraft got = recur::star_first_pass(count, edges, 0.5);

    // The rule: edges as the pass takes them (ends ordered, by ends, once), then degree and
    // strength summed in that order (the same doubles), the order of centres by a comparison sort.
    for (auto& e : edges)
      if (e.a > e.b) std::swap(e.a, e.b);
    std::erase_if(edges, [](const Edge& e) { return e.a == e.b; });
    std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) { return std::pair{x.a, x.b} < std::pair{y.a, y.b}; });
    edges.erase(std::unique(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) { return x.a == y.a && x.b == y.b; }),
                edges.end());
    std::vector<std::uint32_t> degree(count, 0);
    std::vector<double> strength(count, 0);
    std::vector<std::vector<std::pair<std::uint32_t, double>>> adj(count);
    for (const Edge& e : edges) {
      ++degree[e.a], ++degree[e.b];
      strength[e.a] += e.similarity, strength[e.b] += e.similarity;
      adj[e.a].push_back({e.b, e.similarity});
      adj[e.b].push_back({e.a, e.similarity});
    }
    std::vector<std::uint32_t> order;
    for (std::uint32_t i = 0; i < count; ++i)
      if (degree[i] > 0) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
      if (degree[x] != degree[y]) return degree[x] > degree[y];
      if (strength[x] != strength[y]) return strength[x] > strength[y];
      return x < y;
    });
    std::vector<bool> taken(count, false);
    Ids want;
    for (std::uint32_t u : order) {
      if (taken[u]) continue;
      std::vector<std::uint32_t> c{u};
      for (const auto& [v, sim] : adj[u])
        if (!taken[v]) c.push_back(v);
      if (c.size() == 1) continue;
      for (std::uint32_t v : c) taken[v] = true;
      want.push_back(c);
    }
    ASSERT_GT(want.size(), 100u) << count;  // not vacuous
    EXPECT_EQ(ids(got.clusters), want) << count;
  }
}

TEST(ClusterStar, EveryMemberPassesAgainstItsRepresentativeAndAppearsOnce) {
  std::mt19937_64 rng(77);
  const std::uint32_t count = 60;
  std::map<std::pair<std::uint32_t, std::uint32_t>, double> sims;
  std::vector<Edge> edges;
  for (std::uint32_t a = 0; a < count; ++a) {
    for (std::uint32_t b = a + 1; b < count; ++b) {
      const double s = static_cast<double>(rng() % 100) / 100.0;
      sims[{a, b}] = s;
      if (s >= 0.8) edges.push_back({a, b, s});  // the verified pairs
    }
  }
  const auto c = recur::cluster_star(count, edges, 0.8, table(sims));
  ASSERT_FALSE(c.empty());
  std::vector<int> seen(count, 0);
  for (std::size_t i = 0; i < c.size(); ++i) {
    ASSERT_GE(c[i].members.size(), 2u);
    if (i > 0) {
      const auto& prev = c[i - 1];
      EXPECT_TRUE(prev.members.size() > c[i].members.size() ||
                  (prev.members.size() == c[i].members.size() &&
                   prev.members[0].item < c[i].members[0].item));
    }
    const auto rep = c[i].members[0].item;
    EXPECT_DOUBLE_EQ(c[i].members[0].similarity, 1.0);
    ++seen[rep];
    for (std::size_t m = 1; m < c[i].members.size(); ++m) {
      const auto item = c[i].members[m].item;
      ++seen[item];
      const double s = sims[{std::min(rep, item), std::max(rep, item)}];
      EXPECT_GE(s, 0.8);
      EXPECT_DOUBLE_EQ(c[i].members[m].similarity, s);
      if (m > 1) {
        EXPECT_LT(c[i].members[m - 1].item, item);
      }
    }
  }
  for (std::uint32_t i = 0; i < count; ++i) EXPECT_LE(seen[i], 1) << "item " << i;
}

}  // namespace
