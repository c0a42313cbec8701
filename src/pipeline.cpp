// recur report: the stages composed. Each step's records are plain structs from the stage headers,
// so a step can run on a shard of the inputs (one MPI rank's) as well as on all of them.
//
//   scan + index   per input, in parallel: read, decode, segment, normalise, shingle, sign, band
//                  keys (index.hpp). Only locations and band keys are kept.
//   candidates     pairs of paragraphs that share a band key (lsh.hpp).
//   verify         shingle sets rebuilt for the paragraphs in a pair, exact Jaccard (verify.hpp).
//   cluster        star clustering; its second pass's pairs are verified the same way (cluster.hpp).
//   materialise    members located in the original files, texts read back (materialise.hpp).
#include "recur/pipeline.hpp"

#include <string_view>
#include <unordered_map>

#include "recur/error.hpp"
#include "recur/index.hpp"
#include "recur/materialise.hpp"
#include "recur/scan.hpp"
#include "recur/verify.hpp"

namespace recur {

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
  j["structure"] = o.keep_structure ? "keep" : "body";
  j["sort"] = o.sort == ClusterOrder::weight ? "weight" : "size";
  j["cross_doc"] = o.cross_doc;
  j["max_bucket"] = o.max_bucket;
  j["threads"] = threads;
  return j;
}

void finish_report(Report& report, const Source& source, const ReportOptions& o, std::span<const MemberFacts> facts,
                   const std::function<const std::vector<std::uint64_t>&(std::size_t)>& document_chars,
                   const std::function<std::string(std::uint32_t, std::uint32_t)>& document_name) {
  // Inputs of equal names are one input to order_report, which asks for their documents' names
  // under the first of them: a document is named as the first member in it (cluster after cluster)
  // is. Unique names, the usual case, need no such map.
  std::unordered_map<std::string_view, std::uint32_t> first_of_name;
  for (std::size_t i = source.count(); i-- > 0;) first_of_name[source.name(i)] = static_cast<std::uint32_t>(i);
  const auto key = [](std::uint32_t input, std::uint32_t doc) { return std::uint64_t{input} << 32 | doc; };
  std::unordered_map<std::uint64_t, std::uint32_t> named_by;  // key(first input, document) -> its first member's input
  if (first_of_name.size() < source.count())
    for (const MemberFacts& f : facts)
      named_by.try_emplace(key(first_of_name.at(source.name(f.input)), f.document_index), f.input);
  ReportOrder order = order_report(report.clusters.size(), facts, source, o.cross_doc, o.sort, document_chars,
                                   [&](std::uint32_t input, std::uint32_t doc) {
                                     const auto it = named_by.find(key(input, doc));
                                     return document_name(it == named_by.end() ? input : it->second, doc);
                                   });
  Stats& st = report.stats;
  st.clusters_single_document = order.single_document;
  st.clusters = order.clusters.size();
  st.clustered_paragraphs = order.clustered_paragraphs;
  report.documents = std::move(order.documents);
  std::vector<ReportCluster> ordered(order.clusters.size());
  for (std::size_t k = 0; k < ordered.size(); ++k) {
    ordered[k] = std::move(report.clusters[order.clusters[k]]);
    ordered[k].id = static_cast<std::uint32_t>(k + 1);
  }
  report.clusters = std::move(ordered);
}

Report run_report(const Source& source, const ReportOptions& o, const ProgressFn& progress, const WarnFn& warn,
                  Spill* spill) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  StageClock clock;
  const unsigned threads = effective_threads(o.threads);
  const IndexSettings settings = IndexSettings::of(o);
  const ScanSettings scan(o.input);
  Report report;
  report.version = version();
  report.options = options_json(o, settings.params, threads);
  Stats& st = report.stats;

  ProgressCounters counters;
  counters.begin("reading", total_size(source));
  Ticker ticker(progress, counters);

  // scan + index, then the accounting of every input.
  if (!o.verify) spill = nullptr;  // the MinHash estimates need no sets
  ParagraphIndex index(index_inputs(source, scan, settings, threads, &counters, spill));
  {
    std::vector<FileOutcome> outcomes;
    for (std::size_t i = 0; i < index.inputs(); ++i) {
      outcomes.push_back(index.file(i).outcome);
      st.paragraphs_too_short += index.file(i).too_short;
      for (std::size_t k = 0; k < kParagraphKinds; ++k) st.paragraphs_by_kind[k] += index.file(i).kinds[k];
    }
    account_inputs(source, outcomes, report, warn);
    st.paragraphs_indexed = index.size();
  }
  // Stage times summed over inputs (thread-seconds).
  double read = 0, segment = 0, normalize = 0, shingle = 0, sign = 0;
  for (std::size_t i = 0; i < index.inputs(); ++i) {
    const FileIndex& f = index.file(i);
    read += f.outcome.seconds_read;
    segment += f.outcome.seconds_segment;
    normalize += f.seconds_normalize;
    shingle += f.seconds_shingle;
    sign += f.seconds_sign;
  }
  clock.mark("index");
  clock.add("read", read);
  clock.add("segment", segment);
  clock.add("normalize", normalize);
  clock.add("shingle", shingle);
  clock.add("signature", sign);

  // candidates
  counters.begin("candidates");
  std::vector<IdPair> pairs;
  {
    const BandKeys keys = index.take_band_keys(settings.params.bands, threads);
    std::size_t truncated = 0;
    pairs = candidate_pairs_band_major(keys.span(), keys.count, keys.bands, o.max_bucket, &truncated, threads);
    st.truncated_buckets = truncated;
  }
  st.candidate_pairs = pairs.size();
  clock.mark("lsh");

  // verify: exact Jaccard on shingle sets, or the MinHash estimate with --no-verify.
  counters.begin("verifying");
  ShingleSets sets;
  // The sets of the paragraphs in `of`, each input's problem reported.
  const auto build_sets = [&](std::span<const IdPair> of, ProgressCounters* progress) {
    std::vector<Status> problems;
    sets = ShingleSets::build(source, index, involved(of), o.input, o.shingle, threads, problems, progress, spill);
    report_problems(source, problems, report.warnings, warn);
  };
  if (o.verify) build_sets(pairs, &counters);
  const unsigned perms = o.minhash.perms;
  const SimilarityFn estimate = [&](std::uint32_t a, std::uint32_t b) {
    return estimate_jaccard(index.signature(a, perms), index.signature(b, perms));
  };
  const auto all_similarities = [&](std::span<const IdPair> todo, std::atomic<std::uint64_t>* done) {
    return o.verify ? sets.similarities(todo, o.lsh.threshold, threads, done)
                    : similarities(todo, estimate, threads, done);
  };
  counters.begin("verifying", pairs.size());
  std::vector<Edge> edges = verified_edges(pairs, all_similarities(pairs, &counters.done), o.lsh.threshold);
  st.verified_pairs = edges.size();
  // The sets are freed before clustering, whose first pass then takes their memory instead of
  // fresh pages (a fresh page is a fault and a clearing: up to seconds per GB on this project's
  // VM). Its second pass needs the sets of only the few paragraphs it has left alone (352 of
  // 1.9 M on dense 1 GiB), rebuilt below.
  sets = ShingleSets();
  std::vector<IdPair>().swap(pairs);
  clock.mark("verify");

  // cluster: the second pass's pairs are verified like the candidates.
  counters.begin("clustering");
  StarDraft draft = star_first_pass(index.size(), std::move(edges), o.lsh.threshold);
  const auto pending = draft.pending();
  // Every paragraph here has a verified edge, so its set was made by the first build (from the
  // spill or its input): a problem now is new (the input changed since it was read back).
  if (o.verify && !pending.empty()) build_sets(pending, nullptr);
  std::vector<Cluster> clusters =
      star_second_pass(std::move(draft), all_similarities(pending, nullptr), o.lsh.threshold);
  sets = ShingleSets();  // no longer needed: give their memory to the report's texts
  clock.mark("cluster");

  // materialise
  counters.begin("writing");
  std::vector<Status> problems;
  std::vector<MemberFacts> facts;
  report.clusters = materialise(source, index, clusters, o.input.decode, threads, problems, &facts);
  report_problems(source, problems, report.warnings, warn);
  finish_report(
      report, source, o, facts,
      [&](std::size_t input) -> const std::vector<std::uint64_t>& { return index.file(input).document_chars; },
      [&](std::uint32_t input, std::uint32_t doc) {
        return document_name(index.file(input).documents.at(doc - 1), source.name(input));
      });
  clock.mark("report");
  st.seconds = clock.finish();
  return report;
}

}  // namespace recur
