// Microbenchmarks for each stage of recur, on generated Chinese-like text. Reports bytes/s or
// items/s so figures compare across machines as ratios.
#include <benchmark/benchmark.h>
#include <boost/sort/pdqsort/pdqsort.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "recur/cluster.hpp"
#include "recur/compare.hpp"
#include "recur/verify.hpp"
#include "recur/encoding.hpp"
#include "recur/lsh.hpp"
#include "recur/minhash.hpp"
#include "recur/phrases.hpp"
#include "recur/segment.hpp"
#include "recur/shingle.hpp"
#include "recur/text.hpp"

namespace {

// A paragraph of `chars` random common CJK characters with full-width punctuation every ~15.
std::string make_paragraph(std::mt19937_64& rng, std::size_t chars) {
  std::string s;
  std::uniform_int_distribution<int> cp(0x4E00, 0x4E00 + 2500), gap(8, 20);
  int next_punct = gap(rng);
  for (std::size_t i = 0; i < chars; ++i) {
    char32_t c = static_cast<char32_t>(cp(rng));
    if (--next_punct == 0) { c = U'，'; next_punct = gap(rng); }
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
  s += "。";
  return s;
}

std::string make_text(std::size_t paragraphs, std::size_t chars) {
  std::mt19937_64 rng(42);
  std::string t;
  for (std::size_t i = 0; i < paragraphs; ++i) t += "\u3000\u3000" + make_paragraph(rng, chars) + "\n";
  return t;
}

// Decoding a file's bytes: UTF-8 validation and the binary check (the "read" stage, less the copy).
void BM_decode(benchmark::State& state) {
  const std::string t = make_text(static_cast<std::size_t>(state.range(0)), 200);
  for (auto _ : state) {
    std::string bytes = t;
    benchmark::DoNotOptimize(recur::decode(std::move(bytes), {}));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * t.size()));
}
BENCHMARK(BM_decode)->Arg(1000);

// Auto-detecting a short file in GB18030 (two lines of a report, 264 bytes): the GB18030 probe and
// ICU's detector run on every such file, so their fixed cost per call shows here.
void BM_decode_gb18030_small(benchmark::State& state) {
  // python3 -c "print(TEXT.encode('gb18030'))"
  static const char kGb[] =
    "\xbc\xc3\xc4\xcf\xca\xd0\xbc\xe1\xb3\xd6\xb0\xd1\xb8\xc4\xb8\xef\xb4\xb4\xd0\xc2\xd7\xf7\xce\xaa"
    "\xcd\xc6\xb6\xaf\xd7\xe9\xb9\xa4\xca\xc2\xd2\xb5\xb7\xa2\xd5\xb9\xb5\xc4\xb6\xaf\xc1\xa6\xcb\xf9"
    "\xd4\xda\xa1\xa2\xbb\xee\xc1\xa6\xd6\xae\xd4\xb4\xa3\xac\xce\xa7\xc8\xc6\xcc\xe1\xc9\xfd\xd7\xe9"
    "\xd6\xaf\xb9\xa4\xd7\xf7\xb4\xb4\xd0\xc2\xc1\xa6\xa3\xac\xca\xf7\xc0\xce\xb4\xb4\xd0\xc2\xcb\xbc"
    "\xce\xac\xa1\xa2\xd4\xf6\xc7\xbf\xb4\xb4\xd0\xc2\xbe\xab\xc9\xf1\xa1\xa2\xc7\xbf\xbb\xaf\xb4\xb4"
    "\xd0\xc2\xb4\xeb\xca\xa9\xa3\xac\xd2\xd4\xb4\xb4\xd0\xc2\xd2\xfd\xc1\xec\xcd\xc6\xb6\xaf\xca\xa1"
    "\xbb\xe1\xd7\xe9\xd6\xaf\xb9\xa4\xd7\xf7\xd7\xdf\xd4\xda\xc8\xab\x0a\xbe\xdb\xbd\xb9\xc5\xe0\xd1"
    "\xf8\xd1\xa1\xb0\xce\xd3\xc5\xd0\xe3\xc4\xea\xc7\xe1\xb8\xc9\xb2\xbf\xa3\xac\xd6\xc6\xb6\xa8\xc4"
    "\xea\xc7\xe1\xb8\xc9\xb2\xbf\xb6\xd3\xce\xe9\xbd\xa8\xc9\xe8\xce\xe5\xc4\xea\xbc\xc6\xbb\xae\xa3"
    "\xac\xbc\xd3\xc7\xbf\xa1\xb0\x38\x35\xba\xf3\xa1\xb1\xa1\xb0\x39\x30\xba\xf3\xa1\xb1\xa1\xb0\x39"
    "\x35\xba\xf3\xa1\xb1\xd3\xc5\xd0\xe3\xb8\xc9\xb2\xbf\xd5\xbd\xc2\xd4\xb4\xa2\xb1\xb8\xa1\xa3\x0a";
  const std::string_view bytes(kGb, sizeof kGb - 1);
  for (auto _ : state) benchmark::DoNotOptimize(recur::decode(bytes, {}));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_decode_gb18030_small);

void BM_normalize(benchmark::State& state) {
  const std::string p = make_text(1, static_cast<std::size_t>(state.range(0)));
  recur::Normalizer n;
  std::string out;
  recur::OffsetMap map;
  for (auto _ : state) {
    n.normalize(p, {}, out, map);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.size()));
}
BENCHMARK(BM_normalize)->Arg(100)->Arg(300)->Arg(3000);

void BM_segment(benchmark::State& state) {
  const std::string t = make_text(static_cast<std::size_t>(state.range(0)), 200);
  for (auto _ : state) benchmark::DoNotOptimize(recur::segment(t, recur::ParagraphMode::automatic, {}, {}));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * t.size()));
}
BENCHMARK(BM_segment)->Arg(1000);

void BM_shingle(benchmark::State& state) {
  const std::string p = make_text(1, static_cast<std::size_t>(state.range(0)));
  recur::Shingler s;
  std::vector<std::uint64_t> tokens, out;
  for (auto _ : state) {
    s.tokenize(p, tokens);
    s.shingles(tokens, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.size()));
}
BENCHMARK(BM_shingle)->Arg(100)->Arg(300)->Arg(3000);

// The tokenizer with and without its fast paths (tokenize_general: every character through the
// general path), on the same text: what the fast paths save.
void BM_tokenize(benchmark::State& state) {
  const std::string p = make_text(1, 3000);
  recur::Shingler s;
  std::vector<std::uint64_t> tokens;
  const bool general = state.range(0) != 0;
  for (auto _ : state) {
    if (general) s.tokenize_general(p, tokens);
    else s.tokenize(p, tokens);
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetLabel(general ? "general path" : "fast paths");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.size()));
}
BENCHMARK(BM_tokenize)->Arg(0)->Arg(1);

// Content characters of a member's text (materialise counts them for every member of a report).
void BM_count_content_chars(benchmark::State& state) {
  const std::string t = make_text(100, static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(recur::count_content_chars(t));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * t.size()));
}
BENCHMARK(BM_count_content_chars)->Arg(200);

void BM_signature(benchmark::State& state) {
  std::mt19937_64 rng(1);
  // Many different sets in turn: with one set the branch predictor learns its bins, and the
  // benchmark would show a speed real paragraphs never get.
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  std::vector<std::vector<std::uint64_t>> sets(256, std::vector<std::uint64_t>(n));
  for (auto& set : sets)
    for (auto& x : set) x = rng();
  recur::MinHasher h;
  std::vector<std::uint32_t> sig(h.options().perms);
  std::size_t next = 0;
  for (auto _ : state) {
    h.sign(sets[next++ % sets.size()], sig);
    benchmark::DoNotOptimize(sig.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  // ~3 UTF-8 bytes of CJK text per shingle
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n * 3));
}
BENCHMARK(BM_signature)->Arg(30)->Arg(100)->Arg(300)->Arg(3000);

void BM_band_keys(benchmark::State& state) {
  std::vector<std::uint32_t> sig(128, 7);
  std::vector<std::uint64_t> keys(30);
  for (auto _ : state) {
    recur::band_keys(sig, {30, 4}, keys);
    benchmark::DoNotOptimize(keys.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_band_keys);

// Candidate pairs from 30 bands of folded keys, band-major as the pipeline builds them. Keys are
// uniform 32-bit values (they are hashes); one item in 20 is a near copy of the item before it,
// sharing its keys in three bands out of four.
void BM_candidates(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const unsigned bands = 30;
  std::mt19937_64 rng(3);
  std::vector<std::uint32_t> keys(n * bands);
  for (std::size_t i = 0; i < n; ++i) {
    const bool copy = i > 0 && rng() % 20 == 0;
    for (unsigned b = 0; b < bands; ++b)
      keys[b * n + i] = copy && rng() % 4 != 0 ? keys[b * n + i - 1] : static_cast<std::uint32_t>(rng());
  }
  for (auto _ : state) benchmark::DoNotOptimize(recur::candidate_pairs_band_major(keys, n, bands));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_candidates)->Arg(10000)->Arg(100000)->Arg(1000000);

// The same, dense: each group of items is, with probability 0.65, a family of 2 to 8 (about 90% of
// the items) whose members share each band's key with probability 0.8, so a pair of a family
// collides in about 19 of the 30 bands and is emitted about 19 times (dense 1 GiB: 41.9 M pairs
// emitted for 4.5 M distinct).
void BM_candidates_dense(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const unsigned bands = 30;
  std::mt19937_64 rng(3);
  std::vector<std::uint32_t> keys(n * bands);
  for (std::size_t i = 0; i < n;) {
    const std::size_t size = rng() % 100 < 65 ? std::min<std::size_t>(2 + rng() % 7, n - i) : 1;
    std::vector<std::uint32_t> family(bands);
    for (auto& k : family) k = static_cast<std::uint32_t>(rng());
    for (std::size_t m = 0; m < size; ++m, ++i)
      for (unsigned b = 0; b < bands; ++b)
        keys[b * n + i] = size > 1 && rng() % 5 != 0 ? family[b] : static_cast<std::uint32_t>(rng());
  }
  for (auto _ : state) benchmark::DoNotOptimize(recur::candidate_pairs_band_major(keys, n, bands, SIZE_MAX, nullptr, 2));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_candidates_dense)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_verify(benchmark::State& state) {
  std::mt19937_64 rng(4);
  std::vector<std::uint64_t> a(static_cast<std::size_t>(state.range(0))), b;
  for (auto& x : a) x = rng();
  b = a;
  for (std::size_t i = 0; i < b.size(); i += 3) b[i] = rng();
  recur::sort_unique(a);
  recur::sort_unique(b);
  for (auto _ : state) benchmark::DoNotOptimize(recur::exact_jaccard(a, b));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify)->Arg(300);

// The 32-bit sets verification keeps (130 values, about a paragraph's; a copy edited at about every
// third shingle): exact_jaccard (AVX2 blocks of 8 where the CPU has them), and the branchless
// one-element merge it replaced, for the ratio.
std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>> similar_sets32(std::size_t n) {
  std::mt19937_64 rng(4);
  std::vector<std::uint32_t> a(n), b;
  for (auto& x : a) x = static_cast<std::uint32_t>(rng());
  b = a;
  for (std::size_t i = 0; i < b.size(); i += 3) b[i] = static_cast<std::uint32_t>(rng());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return {a, b};
}

void BM_verify32(benchmark::State& state) {
  const auto [a, b] = similar_sets32(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(recur::exact_jaccard(a, b));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify32)->Arg(130)->Arg(300);

void BM_verify32_merge(benchmark::State& state) {
  const auto [a, b] = similar_sets32(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::size_t i = 0, j = 0, inter = 0;
    while (i < a.size() && j < b.size()) {
      const std::uint32_t x = a[i], y = b[j];
      inter += x == y;
      i += x <= y;
      j += y <= x;
    }
    benchmark::DoNotOptimize(static_cast<double>(inter) / static_cast<double>(a.size() + b.size() - inter));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify32_merge)->Arg(130)->Arg(300);

// Sorting one paragraph's folded shingles (ShingleSets::build): pdqsort, then the bucket sort
// verification uses. Each iteration sorts another of 1,024 sets, as verification does: one set
// sorted again and again lets the branch predictor learn its order, which flattered a version of
// the bucket sort whose comparisons went either way.
std::vector<std::vector<std::uint32_t>> random_hash_sets(std::size_t n) {
  std::mt19937_64 rng(5);
  std::vector<std::vector<std::uint32_t>> sets(1024, std::vector<std::uint32_t>(n));
  for (auto& v : sets)
    for (auto& x : v) x = static_cast<std::uint32_t>(rng());
  return sets;
}

void BM_shingle_set_pdqsort(benchmark::State& state) {
  const auto inputs = random_hash_sets(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint32_t> v;
  std::size_t k = 0;
  for (auto _ : state) {
    v = inputs[k++ % inputs.size()];
    boost::sort::pdqsort_branchless(v.begin(), v.end());
    benchmark::DoNotOptimize(std::unique(v.begin(), v.end()));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_shingle_set_pdqsort)->Arg(130)->Arg(300)->Arg(3000);

void BM_shingle_set_buckets(benchmark::State& state) {
  const auto inputs = random_hash_sets(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint32_t> v, scratch;
  std::size_t k = 0;
  for (auto _ : state) {
    v = inputs[k++ % inputs.size()];
    benchmark::DoNotOptimize(recur::sort_unique_hashes(v.data(), v.size(), scratch));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_shingle_set_buckets)->Arg(130)->Arg(300)->Arg(3000);

void BM_cluster(benchmark::State& state) {
  std::mt19937_64 rng(5);
  const std::size_t n = 100000;
  std::vector<recur::Edge> edges;
  for (std::size_t i = 0; i < n / 4; ++i) {
    auto a = static_cast<std::uint32_t>(rng() % n), b = static_cast<std::uint32_t>(rng() % n);
    if (a != b) edges.push_back({std::min(a, b), std::max(a, b), 0.6});
  }
  for (auto _ : state) benchmark::DoNotOptimize(recur::cluster_star(n, edges, 0.5));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * edges.size()));
}
BENCHMARK(BM_cluster);

// Star clustering at the dense 1 GiB corpus's scale: 2.6 M paragraphs, 65% of them in families of
// 2-8 whose members are all verified pairs (similarity 0.6-1.0), ids scattered as shards scatter
// them (about 3.6 M edges: 1.4 per paragraph, as `recur report` verifies there). Most of the time
// is in the random reads of the adjacency; on rank 0 under MPI all of it is serial.
void BM_cluster_dense(benchmark::State& state) {
  std::mt19937_64 rng(6);
  const std::size_t n = 2600000;
  std::vector<std::uint32_t> ids(n);
  for (std::uint32_t i = 0; i < n; ++i) ids[i] = i;
  std::shuffle(ids.begin(), ids.end(), rng);
  std::vector<recur::Edge> edges;
  std::uniform_real_distribution<double> sim(0.6, 1.0);
  for (std::size_t at = 0; at < n * 65 / 100;) {
    const std::size_t size = 2 + rng() % 7;
    for (std::size_t x = at; x < at + size && x < n; ++x)
      for (std::size_t y = x + 1; y < at + size && y < n; ++y)
        edges.push_back({std::min(ids[x], ids[y]), std::max(ids[x], ids[y]), sim(rng)});
    at += size;
  }
  std::sort(edges.begin(), edges.end(), [](const recur::Edge& x, const recur::Edge& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });  // candidate-pair order, as the pipeline hands them over
  for (auto _ : state) benchmark::DoNotOptimize(recur::cluster_star(n, edges, 0.5));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * edges.size()));
  state.counters["edges"] = static_cast<double>(edges.size());
}
BENCHMARK(BM_cluster_dense)->Unit(benchmark::kMillisecond);

// `recur compare` of two ~100 KB reports in memory (scan, tokenise, align, locate; no process start):
// B reuses every third paragraph of A, edited at 10%, among paragraphs of its own.
void BM_compare_100k(benchmark::State& state) {
  std::mt19937_64 rng(9);
  std::string a, b;
  for (int k = 0; k < 150; ++k) {
    const std::string p = make_paragraph(rng, 220);
    a += "\u3000\u3000" + p + "\n";
    std::string q = k % 3 == 0 ? p : make_paragraph(rng, 220);
    if (k % 3 == 0)  // edit about 10% of the characters: replace every tenth one
      for (std::size_t i = 27; i + 3 <= q.size(); i += 30) q.replace(i, 3, "\u5e02");
    b += "\u3000\u3000" + q + "\n";
  }
  const recur::MemorySource src{{"a.txt", a}, {"b.txt", b}};
  std::size_t passages = 0;
  for (auto _ : state) passages = recur::run_compare(src, {0, -1}, {1, -1}, recur::CompareOptions{}).passages.size();
  state.counters["passages"] = static_cast<double>(passages);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (a.size() + b.size())));
}
BENCHMARK(BM_compare_100k)->Unit(benchmark::kMillisecond);

// The same on two 100 KB slices of the real compilation (../shared/corpus/001_*.txt), when it is
// there: real reports share stock phrases everywhere, which the synthetic text does not.
void BM_compare_100k_real(benchmark::State& state) {
  std::string text;
  for (const char* dir : {"../shared/corpus", "../../shared/corpus", "../../../shared/corpus"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.path().filename().string().rfind("001_", 0) == 0) {
        std::ifstream in(e.path(), std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
      }
    if (!text.empty()) break;
  }
  if (text.size() < 600000) {
    state.SkipWithError("../shared/corpus/001_*.txt not found");
    return;
  }
  const recur::MemorySource src{{"a.txt", text.substr(0, 100000)}, {"b.txt", text.substr(400000, 100000)}};
  std::size_t passages = 0;
  for (auto _ : state) passages = recur::run_compare(src, {0, -1}, {1, -1}, recur::CompareOptions{}).passages.size();
  state.counters["passages"] = static_cast<double>(passages);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 200000));
}
BENCHMARK(BM_compare_100k_real)->Unit(benchmark::kMillisecond);

// recur phrases' prefilter: WindowCounter::Writer::add_document of documents of 2,000 distinct random
// windows into a table sized for Arg(0) million windows. At 358 M (dense 1 GiB: 512 MiB of
// counters) every window's block is a cache miss; at 4 M the table stays in the cache. Reports
// windows/s; the run's first pass over a dense 1 GiB corpus was two thirds in this call.
void BM_window_counter(benchmark::State& state) {
  const std::uint64_t expected = static_cast<std::uint64_t>(state.range(0)) * 1000000;
  recur::WindowCounter counter(expected);
  recur::WindowCounter::Writer writer(counter);
  std::mt19937_64 rng(11);
  std::vector<std::uint64_t> doc(2000), hashes;
  std::uint64_t windows = 0;
  for (auto _ : state) {
    for (auto& h : doc) h = rng();
    hashes = doc;
    writer.add_document(hashes);
    windows += hashes.size();
  }
  writer.flush();
  state.SetItemsProcessed(static_cast<int64_t>(windows));
}
BENCHMARK(BM_window_counter)->Arg(4)->Arg(358);

// recur phrases' second pass: recurring_stretches over paragraphs of 300 characters, each half
// passages of a shared text (whose windows the table counts in 3 documents) and half characters
// of its own, at random, so that runs of recurring and single windows alternate as in reused
// reports. The table is sized for Arg(0) million windows and every block of it is written first
// (untouched pages would all read the one zero page, from the cache). Reports characters/s.
void BM_recurring_stretches(benchmark::State& state) {
  const std::uint64_t expected = static_cast<std::uint64_t>(state.range(0)) * 1000000;
  constexpr unsigned k = 8;
  recur::WindowCounter counter(expected);
  std::mt19937_64 rng(13);
  std::vector<char32_t> shared(1 << 20);
  for (auto& c : shared) c = 0x4E00 + static_cast<char32_t>(rng() % 3000);
  {
    recur::WindowCounter::Writer writer(counter);
    std::vector<std::uint64_t> hashes;
    for (int d = 0; d < 3; ++d) {
      hashes.clear();
      recur::window_hashes(shared, k, hashes);
      writer.add_document(hashes);
    }
    std::vector<std::uint64_t> doc(4096);
    for (std::uint64_t done = 0; done < expected / 2; done += doc.size()) {  // the rest of the load
      for (auto& h : doc) h = rng();
      hashes = doc;
      writer.add_document(hashes);
    }
  }
  std::vector<std::vector<char32_t>> paragraphs(20000);
  std::uint64_t chars = 0;
  for (auto& p : paragraphs) {
    while (p.size() < 300) {
      const std::size_t len = 10 + rng() % 40;
      if (rng() % 2) {
        const std::size_t at = rng() % (shared.size() - len);
        p.insert(p.end(), shared.begin() + at, shared.begin() + at + len);
      } else {
        for (std::size_t i = 0; i < len; ++i) p.push_back(0x4E00 + static_cast<char32_t>(rng() % 3000));
      }
    }
  }
  std::vector<recur::Occurrence> out;
  std::size_t kept = 0;
  for (auto _ : state) {
    for (const auto& p : paragraphs) {
      out.clear();
      recur::recurring_stretches(p, k, counter, 2, out);
      for (const auto& o : out) kept += o.length;
      chars += p.size();
    }
  }
  benchmark::DoNotOptimize(kept);
  state.counters["kept"] = static_cast<double>(kept) / static_cast<double>(std::max<std::uint64_t>(chars, 1));
  state.SetItemsProcessed(static_cast<int64_t>(chars));
}
BENCHMARK(BM_recurring_stretches)->Arg(4)->Arg(358)->Unit(benchmark::kMillisecond);

// recur phrases: the segment of a character position (SegmentedText::segment_of), asked for every
// occurrence of every candidate while templates are grouped and located. A text of Arg(0) million
// segments of 1-129 characters (dense 1 GiB keeps about 2 M stretches, 137 M characters); random
// positions. BM_segment_of_search is the binary search over every start that segment_of was
// before its block index, for comparison.
recur::SegmentedText segmented_text(std::size_t segments) {
  std::mt19937 rng(3);
  recur::SegmentedText text;
  std::u32string chars;
  for (std::size_t k = 0; k < segments; ++k) {
    chars.assign(1 + rng() % 129, U'字');
    text.add_segment(chars, static_cast<std::uint32_t>(k / 200));
  }
  return text;
}
std::vector<std::uint32_t> random_positions(const recur::SegmentedText& text) {
  std::mt19937 rng(4);
  std::vector<std::uint32_t> pos(1 << 16);
  for (auto& p : pos) p = static_cast<std::uint32_t>(rng() % text.chars.size());
  return pos;
}
void BM_segment_of(benchmark::State& state) {
  const recur::SegmentedText text = segmented_text(static_cast<std::size_t>(state.range(0)) * 1000000);
  const std::vector<std::uint32_t> pos = random_positions(text);
  std::size_t sum = 0;
  for (auto _ : state)
    for (std::uint32_t p : pos) sum += text.segment_of(p);
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pos.size()));
}
BENCHMARK(BM_segment_of)->Arg(2);
void BM_segment_of_search(benchmark::State& state) {
  const recur::SegmentedText text = segmented_text(static_cast<std::size_t>(state.range(0)) * 1000000);
  const std::vector<std::uint32_t> pos = random_positions(text);
  std::size_t sum = 0;
  for (auto _ : state)
    for (std::uint32_t p : pos)
      sum += static_cast<std::size_t>(std::upper_bound(text.segment_start.begin(), text.segment_start.end(), p) -
                                      text.segment_start.begin()) - 1;
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pos.size()));
}
BENCHMARK(BM_segment_of_search)->Arg(2);

}  // namespace
