// recur report: the stages wired together over all cores.
//
// Shape of a run (each step's records are plain structs, so steps can later be sharded):
//   1. index    per file, in parallel: read, decode, strip, segment, normalise, shingle, sign, band
//               keys. Only locations and band keys are kept; text and shingles are dropped.
//   2. lsh      candidate pairs from band keys.
//   3. verify   shingle sets rebuilt only for paragraphs in a candidate pair (re-reading their
//               bytes), exact Jaccard per pair.
//   4. cluster  star clustering of the verified pairs.
//   5. report   member texts read back from the original files.
// Memory therefore grows with the number of paragraphs (locations + band keys), not with the
// size of the text.
#include "recur/pipeline.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "recur/cluster.hpp"
#include "recur/corpus.hpp"
#include "recur/error.hpp"
#include "load.hpp"
#include "parallel.hpp"

namespace recur {
namespace {

using detail::CompiledInput;
using detail::input_options_json;
using detail::LoadedFile;
using detail::LoadSettings;
using detail::load_file;
using detail::normalize_span;

using Clock = std::chrono::steady_clock;
double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A paragraph that was indexed: where it is, in decoded and original offsets.
struct ParaRec {
  std::uint32_t number = 0;  // 1-based within the file
  std::uint32_t line = 0, line_end = 0, document = 0;
  std::uint64_t dbegin = 0, dend = 0;  // decoded text
  std::uint64_t obegin = 0, oend = 0;  // original bytes
};

// Everything stage 1 learns about one file.
struct FileResult {
  bool ok = false;
  std::string reason;  // when !ok
  std::string note;    // warning when ok
  std::uint64_t bytes = 0;
  FileStamp stamp;
  bool identity = true;  // decoded bytes == original bytes (shifted)
  std::vector<DocumentInfo> documents;
  std::uint32_t paragraphs = 0, too_short = 0;
  std::vector<ParaRec> indexed;
  std::vector<std::uint32_t> keys;        // bands x indexed.size() (band-major), folded (fold_key)
  std::vector<std::uint32_t> signatures;  // indexed.size() x perms, only without verification
  std::vector<Range> stripped;            // decoded offsets of --strip matches
  double t_read = 0, t_segment = 0, t_normalize = 0, t_shingle = 0, t_sign = 0;
};

// Per-thread state: ICU objects and scratch buffers reused across paragraphs.
struct Worker {
  Normalizer normalizer;
  Shingler shingler;
  std::string normalized;
  std::string buffer;  // file bytes, reused from file to file
  OffsetMap map;
  std::vector<std::uint64_t> tokens, shingles;
  std::vector<std::uint32_t> signature;
  std::vector<std::uint64_t> band;
  std::vector<Range> removed;
  Worker(const ReportOptions& o) : normalizer(o.input.normalize), shingler(o.shingle) {}
};

// Options compiled once for the run.
struct Context {
  const ReportOptions& options;
  LshParams params;
  MinHasher hasher;
  LoadSettings load;
  std::atomic<std::uint64_t> bytes_done{0};
  std::atomic<std::uint64_t> units_done{0};
  std::atomic<std::uint64_t> units_total{0};
  std::atomic<const char*> stage{"reading"};
};


void index_file(const InputFile& file, Context& ctx, Worker& w, FileResult& r) {
  const ReportOptions& o = ctx.options;
  LoadedFile lf = load_file(file, ctx.load, &w.buffer);
  r.stamp = lf.stamp;
  r.bytes = lf.bytes;
  r.t_read = lf.seconds_read;
  r.t_segment = lf.seconds_segment;
  if (!lf.ok) {
    r.reason = std::move(lf.reason);
    ctx.bytes_done += file.size;
    return;
  }
  r.ok = true;
  r.note = std::move(lf.note);
  r.identity = lf.decoded.is_identity();
  r.stripped = std::move(lf.stripped);
  const Decoded& d = lf.decoded;
  const std::string_view text = d.text;
  Segmentation& seg = lf.seg;
  r.documents = std::move(seg.documents);
  r.paragraphs = static_cast<std::uint32_t>(seg.paragraphs.size());

  const unsigned bands = ctx.params.bands, perms = ctx.hasher.options().perms;
  w.signature.resize(perms);
  w.band.resize(bands);
  // Exact capacity: growth slack on these per-file vectors was most of the peak memory.
  r.indexed.reserve(seg.paragraphs.size());
  // Band-major: band b of paragraph k at keys[b * capacity + k], compacted at the end; the run's
  // candidate search reads one band at a time.
  const std::size_t capacity = seg.paragraphs.size();
  r.keys.resize(capacity * bands);
  if (!o.verify) r.signatures.reserve(seg.paragraphs.size() * perms);
  std::uint64_t reported = 0;
  // Stage times: the whole loop is timed, and split between the stages in the proportions measured
  // on every 16th paragraph. Reading the clock four times per paragraph cost 2.5% of the run.
  constexpr std::size_t kSampleEvery = 16;
  double sampled[3] = {0, 0, 0};  // normalise, shingle, sign
  const auto loop_start = Clock::now();
  for (std::size_t k = 0; k < seg.paragraphs.size(); ++k) {
    const Span& sp = seg.paragraphs[k];
    const bool timed = k % kSampleEvery == 0;
    Clock::time_point a, b, c;
    if (timed) a = Clock::now();
    normalize_span(w.normalizer, text.substr(sp.begin, sp.end - sp.begin), sp.begin, r.stripped, w.removed,
                   w.normalized, w.map);
    if (timed) b = Clock::now();
    const std::size_t chars = w.shingler.tokenize(w.normalized, w.tokens);
    if (chars < o.min_chars) {
      ++r.too_short;
      if (timed) {
        sampled[0] += seconds_between(a, b);
        sampled[1] += seconds_between(b, Clock::now());
      }
      continue;
    }
    w.shingler.shingles(w.tokens, w.shingles);
    if (timed) c = Clock::now();
    ctx.hasher.sign(w.shingles, w.signature);
    band_keys(w.signature, ctx.params, w.band);
    for (unsigned band = 0; band < bands; ++band)
      r.keys[band * capacity + r.indexed.size()] = fold_key(w.band[band]);
    if (!o.verify) r.signatures.insert(r.signatures.end(), w.signature.begin(), w.signature.end());
    if (timed) {
      sampled[0] += seconds_between(a, b);
      sampled[1] += seconds_between(b, c);
      sampled[2] += seconds_between(c, Clock::now());
    }
    ParaRec rec;
    rec.number = static_cast<std::uint32_t>(k + 1);
    rec.line = sp.line;
    rec.line_end = sp.line_end;
    rec.document = sp.document;
    rec.dbegin = sp.begin;
    rec.dend = sp.end;
    rec.obegin = d.original(sp.begin);
    rec.oend = d.original(sp.end);
    r.indexed.push_back(rec);
    // Progress in original bytes, roughly: where this paragraph ends.
    if (rec.oend > reported + (1u << 20)) {
      ctx.bytes_done += rec.oend - reported;
      reported = rec.oend;
    }
  }
  ctx.bytes_done += file.size > reported ? file.size - reported : 0;
  if (const double total = sampled[0] + sampled[1] + sampled[2]; total > 0) {
    const double scale = seconds_between(loop_start, Clock::now()) / total;
    r.t_normalize = sampled[0] * scale;
    r.t_shingle = sampled[1] * scale;
    r.t_sign = sampled[2] * scale;
  }
  const std::size_t rows = r.indexed.size();
  if (rows < capacity) {  // close the gaps left by paragraphs too short to index
    for (unsigned b = 1; b < bands; ++b)
      std::copy_n(r.keys.begin() + static_cast<std::ptrdiff_t>(b * capacity), rows,
                  r.keys.begin() + static_cast<std::ptrdiff_t>(b * rows));
    r.keys.resize(rows * bands);
  }
  w.buffer = std::move(lf.decoded.text);  // for the next file
  if (r.too_short * 4 > r.paragraphs) {  // many short paragraphs: give back the unused capacity
    r.indexed.shrink_to_fit();
    r.keys.shrink_to_fit();
    r.signatures.shrink_to_fit();
  }
}

// The decoded text of indexed paragraphs of one file, re-read from disk. `texts[k]` for
// `paras[k]`. Returns false with `reason` when the file cannot be re-read or has changed.
bool paragraph_texts(const InputFile& file, const FileResult& fr, const Context& ctx,
                     const std::vector<const ParaRec*>& paras, std::vector<std::string>& texts,
                     std::string& reason) {
  texts.assign(paras.size(), {});
  if (!(stamp_of(file) == fr.stamp)) {
    reason = "changed while recur was running; its matches were dropped";
    return false;
  }
  if (fr.identity) {  // the paragraphs' original bytes are their text
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    ranges.reserve(paras.size());
    for (const ParaRec* p : paras) ranges.emplace_back(p->obegin, p->oend);
    return read_input_ranges(file, ranges, texts, reason);
  }
  std::string bytes;
  if (!read_input(file, bytes, reason)) return false;
  DecodeResult dr = decode(std::move(bytes), ctx.options.input.decode);
  if (!dr.ok) {
    reason = dr.reason;
    return false;
  }
  for (std::size_t k = 0; k < paras.size(); ++k)
    texts[k] = dr.decoded.text.substr(paras[k]->dbegin, paras[k]->dend - paras[k]->dbegin);
  return true;
}

}  // namespace


unsigned effective_threads(unsigned threads) noexcept {
  if (threads > 0) return threads;
  unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? hc : 1;
}


nlohmann::ordered_json options_json(const ReportOptions& o, LshParams params, unsigned threads) {
  nlohmann::ordered_json j;
  input_options_json(o.input, j);
  j["min_chars"] = o.min_chars;
  j["shingle"] = o.shingle.size;
  j["shingle_seed"] = o.shingle.seed;
  j["perms"] = o.minhash.perms;
  j["seed"] = o.minhash.seed;
  j["minhash"] = o.minhash.scheme == MinHashScheme::classic ? "classic" : "oph";
  j["threshold"] = o.lsh.threshold;
  j["bands"] = params.bands;
  j["rows"] = params.rows;
  j["lsh_weights"] = {o.lsh.false_positive_weight, o.lsh.false_negative_weight};
  j["verify"] = o.verify;
  j["max_bucket"] = o.max_bucket;
  j["threads"] = threads;
  return j;
}

Report run_report(const std::vector<std::string>& inputs, const ReportOptions& o, const ProgressFn& progress,
                  const WarnFn& warn) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  return run_report(find_inputs(inputs, o.input.glob, o.input.stdin_name), o, progress, warn);
}

Report run_report(InputList list, const ReportOptions& o, const ProgressFn& progress, const WarnFn& warn) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  const auto start = Clock::now();
  const unsigned threads = effective_threads(o.threads);
  const LshParams params = resolve_params(o.minhash.perms, o.lsh);
  Context ctx{o, params, MinHasher(o.minhash), {}};
  CompiledInput compiled(o.input);
  ctx.load = compiled.settings();

  Report report;
  report.version = version();
  report.options = options_json(o, params, threads);

  std::uint64_t total_bytes = 0;
  for (const auto& f : list.files) total_bytes += f.size;

  // Progress: counters sampled four times a second until the run ends.
  detail::Ticker ticker(progress, [&] {
    const char* stage = ctx.stage.load();
    Progress p{stage, 0, 0};
    if (std::string_view(stage) == "reading") {
      p.done = ctx.bytes_done.load();
      p.total = total_bytes;
    } else {
      p.done = ctx.units_done.load();
      p.total = ctx.units_total.load();
    }
    return p;
  });

  // 1. index
  std::vector<FileResult> files(list.files.size());
  {
    std::vector<std::unique_ptr<Worker>> workers(threads);
    detail::parallel_for(list.files.size(), threads, [&](std::size_t i, unsigned w) {
      if (!workers[w]) workers[w] = std::make_unique<Worker>(o);
      index_file(list.files[i], ctx, *workers[w], files[i]);
    });
  }
  const auto t_indexed = Clock::now();

  // Statistics and the skip list, in path order.
  Stats& st = report.stats;
  report.skipped = list.problems;
  double t_read = 0, t_segment = 0, t_normalize = 0, t_shingle = 0, t_sign = 0;
  std::vector<std::uint32_t> first_id(files.size() + 1, 0);
  for (std::size_t i = 0; i < files.size(); ++i) {
    const FileResult& fr = files[i];
    first_id[i + 1] = first_id[i] + static_cast<std::uint32_t>(fr.indexed.size());
    t_read += fr.t_read; t_segment += fr.t_segment; t_normalize += fr.t_normalize;
    t_shingle += fr.t_shingle; t_sign += fr.t_sign;
    if (!fr.ok) {
      report.skipped.push_back({list.files[i].path, fr.reason});
      continue;
    }
    ++st.files_read;
    st.bytes += fr.bytes;
    st.documents += fr.documents.size();
    st.paragraphs += fr.paragraphs;
    st.paragraphs_too_short += fr.too_short;
    st.paragraphs_indexed += fr.indexed.size();
    if (!fr.note.empty()) report.warnings.push_back(list.files[i].path + ": " + fr.note);
  }
  std::stable_sort(report.skipped.begin(), report.skipped.end(),
                   [](const Skipped& a, const Skipped& b) { return a.path < b.path; });
  st.files_skipped = report.skipped.size();
  st.files = st.files_read + st.files_skipped;
  if (warn) {
    for (const auto& s : report.skipped) warn("skipped " + s.path + ": " + s.reason);
    for (const auto& w : report.warnings) warn(w);
  }

  // Global ids in input order: file by file, paragraph by paragraph.
  const std::size_t n = first_id.back();
  std::vector<std::uint32_t> file_of(n);
  for (std::size_t i = 0; i < files.size(); ++i)
    std::fill(file_of.begin() + first_id[i], file_of.begin() + first_id[i + 1], static_cast<std::uint32_t>(i));
  auto rec_of = [&](std::uint32_t id) -> const ParaRec& {
    return files[file_of[id]].indexed[id - first_id[file_of[id]]];
  };

  // 2. lsh
  ctx.stage = "candidates";
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  {
    // Band-major, so that each band's keys are contiguous. Files copy into disjoint places, so
    // they are copied in parallel, each freed once copied; the array is left uninitialised until
    // then (zeroing 30 keys per paragraph first took as long as the copy).
    const unsigned bands = params.bands;
    const std::unique_ptr<std::uint32_t[]> keys(new std::uint32_t[n * bands]);
    detail::parallel_for(files.size(), threads, [&](std::size_t f, unsigned) {
      const std::vector<std::uint32_t>& fk = files[f].keys;
      const std::size_t rows = fk.size() / bands;
      for (unsigned b = 0; b < bands; ++b)
        std::copy_n(fk.begin() + static_cast<std::ptrdiff_t>(b * rows), rows,
                    keys.get() + std::size_t{b} * n + first_id[f]);
      std::vector<std::uint32_t>().swap(files[f].keys);
    });
    std::size_t truncated = 0;
    pairs = candidate_pairs_band_major(std::span<const std::uint32_t>(keys.get(), n * bands), n, bands,
                                       o.max_bucket, &truncated, threads);
    st.truncated_buckets = truncated;
  }
  st.candidate_pairs = pairs.size();
  const auto t_lsh = Clock::now();

  // 3. verify
  ctx.stage = "verifying";
  std::vector<std::uint32_t> involved;
  for (auto [a, b] : pairs) { involved.push_back(a); involved.push_back(b); }
  std::sort(involved.begin(), involved.end());
  involved.erase(std::unique(involved.begin(), involved.end()), involved.end());
  constexpr std::uint32_t kNoSlot = UINT32_MAX;
  std::vector<std::uint32_t> slot(n, kNoSlot);
  for (std::size_t k = 0; k < involved.size(); ++k) slot[involved[k]] = static_cast<std::uint32_t>(k);
  std::vector<std::vector<std::uint64_t>> sets;
  std::vector<char> usable(involved.size(), 1);
  std::vector<std::string> reread_problems(files.size());
  if (o.verify) {
    sets.resize(involved.size());
    // Involved paragraphs grouped by file (they are sorted by id, hence by file).
    std::vector<std::pair<std::size_t, std::size_t>> groups;  // [begin, end) in `involved`
    for (std::size_t k = 0; k < involved.size();) {
      std::size_t e = k;
      while (e < involved.size() && file_of[involved[e]] == file_of[involved[k]]) ++e;
      groups.emplace_back(k, e);
      k = e;
    }
    ctx.units_total = involved.size();
    ctx.units_done = 0;
    std::vector<std::unique_ptr<Worker>> workers(threads);
    detail::parallel_for(groups.size(), threads, [&](std::size_t g, unsigned w) {
      if (!workers[w]) workers[w] = std::make_unique<Worker>(o);
      Worker& wk = *workers[w];
      auto [b, e] = groups[g];
      const std::uint32_t fi = file_of[involved[b]];
      std::vector<const ParaRec*> paras;
      for (std::size_t k = b; k < e; ++k) paras.push_back(&rec_of(involved[k]));
      std::vector<std::string> texts;
      std::string reason;
      if (!paragraph_texts(list.files[fi], files[fi], ctx, paras, texts, reason)) {
        reread_problems[fi] = reason;
        for (std::size_t k = b; k < e; ++k) usable[k] = 0;
        return;
      }
      for (std::size_t k = b; k < e; ++k) {
        const ParaRec& p = *paras[k - b];
        normalize_span(wk.normalizer, texts[k - b], p.dbegin, files[fi].stripped, wk.removed, wk.normalized, wk.map);
        wk.shingler.shingle_set(wk.normalized, sets[k]);
      }
      ctx.units_done += e - b;
    });
  }
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!reread_problems[i].empty()) {
      std::string msg = list.files[i].path + ": " + reread_problems[i];
      report.warnings.push_back(msg);
      if (warn) warn(msg);
    }

  auto similarity = [&](std::uint32_t a, std::uint32_t b) -> double {
    const std::uint32_t sa = slot[a], sb = slot[b];
    if (sa == kNoSlot || sb == kNoSlot || !usable[sa] || !usable[sb]) return -1;
    if (o.verify) return exact_jaccard(sets[sa], sets[sb]);
    const unsigned perms = o.minhash.perms;
    const FileResult& fa = files[file_of[a]];
    const FileResult& fb = files[file_of[b]];
    std::span<const std::uint32_t> siga(fa.signatures.data() + std::size_t{a - first_id[file_of[a]]} * perms, perms);
    std::span<const std::uint32_t> sigb(fb.signatures.data() + std::size_t{b - first_id[file_of[b]]} * perms, perms);
    return estimate_jaccard(siga, sigb);
  };
  std::vector<double> sims(pairs.size());
  ctx.units_total = pairs.size();
  ctx.units_done = 0;
  {
    constexpr std::size_t kChunk = 4096;
    const std::size_t chunks = (pairs.size() + kChunk - 1) / kChunk;
    detail::parallel_for(chunks, threads, [&](std::size_t c, unsigned) {
      const std::size_t e = std::min(pairs.size(), (c + 1) * kChunk);
      for (std::size_t k = c * kChunk; k < e; ++k) sims[k] = similarity(pairs[k].first, pairs[k].second);
      ctx.units_done += e - c * kChunk;
    });
  }
  std::vector<Edge> edges;
  for (std::size_t k = 0; k < pairs.size(); ++k)
    if (sims[k] >= o.lsh.threshold) edges.push_back({pairs[k].first, pairs[k].second, sims[k]});
  st.verified_pairs = edges.size();
  const auto t_verify = Clock::now();

  // 4. cluster
  ctx.stage = "clustering";
  std::vector<Cluster> clusters = cluster_star(n, std::move(edges), o.lsh.threshold, similarity);
  st.clusters = clusters.size();
  const auto t_cluster = Clock::now();

  // 5. report: member texts, read file by file.
  ctx.stage = "writing";
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> by_file(files.size());  // (cluster, member)
  for (std::uint32_t c = 0; c < clusters.size(); ++c)
    for (std::uint32_t m = 0; m < clusters[c].members.size(); ++m)
      by_file[file_of[clusters[c].members[m].item]].emplace_back(c, m);
  report.clusters.resize(clusters.size());
  for (std::uint32_t c = 0; c < clusters.size(); ++c) {
    report.clusters[c].id = c + 1;
    report.clusters[c].representative = 0;
    report.clusters[c].members.resize(clusters[c].members.size());
    st.clustered_paragraphs += clusters[c].members.size();
  }
  std::vector<std::string> text_problems(files.size());
  detail::parallel_for(files.size(), threads, [&](std::size_t fi, unsigned) {
    if (by_file[fi].empty()) return;
    std::vector<const ParaRec*> paras;
    for (auto [c, m] : by_file[fi]) paras.push_back(&rec_of(clusters[c].members[m].item));
    std::vector<std::string> texts;
    std::string reason;
    if (!paragraph_texts(list.files[fi], files[fi], ctx, paras, texts, reason)) text_problems[fi] = reason;
    for (std::size_t k = 0; k < paras.size(); ++k) {
      auto [c, m] = by_file[fi][k];
      const ParaRec& p = *paras[k];
      const FileResult& fr = files[fi];
      Member& out = report.clusters[c].members[m];
      out.path = list.files[fi].path;
      out.document = fr.documents[p.document].name.empty() ? out.path : fr.documents[p.document].name;
      out.document_index = p.document + 1;
      out.paragraph = p.number;
      out.line = p.line;
      out.line_end = p.line_end;
      out.byte_start = p.obegin;
      out.byte_end = p.oend;
      out.similarity = clusters[c].members[m].similarity;
      out.text = std::move(texts[k]);
    }
  });
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!text_problems[i].empty()) {
      std::string msg = list.files[i].path + ": " + text_problems[i];
      report.warnings.push_back(msg);
      if (warn) warn(msg);
    }
  const auto t_report = Clock::now();

  st.seconds = {{"index", seconds_between(start, t_indexed)},
                {"read", t_read},
                {"segment", t_segment},
                {"normalize", t_normalize},
                {"shingle", t_shingle},
                {"signature", t_sign},
                {"lsh", seconds_between(t_indexed, t_lsh)},
                {"verify", seconds_between(t_lsh, t_verify)},
                {"cluster", seconds_between(t_verify, t_cluster)},
                {"report", seconds_between(t_cluster, t_report)},
                {"total", seconds_between(start, t_report)}};
  return report;
}

}  // namespace recur
