// `recur synth` (generate a corpus with planted reuse) and `recur eval` (score a report).
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "recur/corpus.hpp"
#include "recur/encoding.hpp"
#include "recur/error.hpp"
#include "recur/synth.hpp"
#include "recur/text.hpp"

namespace recur::cli {
namespace {
namespace fs = std::filesystem;

// "1GiB", "100MiB", "10M", "500kB", "12345": bytes.
std::uint64_t parse_size(const std::string& s) {
  std::size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    throw Error(errc::usage, "--size: not a size: '" + s + "'");
  }
  std::string unit = s.substr(pos);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb") mult = 1e3;
  else if (unit == "m" || unit == "mb") mult = 1e6;
  else if (unit == "g" || unit == "gb") mult = 1e9;
  else if (unit == "kib") mult = 1024.0;
  else if (unit == "mib") mult = 1024.0 * 1024;
  else if (unit == "gib") mult = 1024.0 * 1024 * 1024;
  else throw Error(errc::usage, "--size: unknown unit '" + unit + "' (use B, kB, MB, GB, KiB, MiB, GiB)");
  if (!(v > 0)) throw Error(errc::usage, "--size must be positive");
  return static_cast<std::uint64_t>(v * mult);
}

// The `count` most frequent CJK characters of the texts under `dir`, most frequent first.
std::vector<char32_t> alphabet_from(const std::string& dir, std::size_t count) {
  InputList list = find_inputs({dir}, "*.txt");
  std::unordered_map<char32_t, std::uint64_t> freq;
  for (const auto& f : list.files) {
    std::string bytes, reason;
    if (!read_file(f.path, bytes, reason)) continue;
    DecodeResult d = decode(bytes, DecodeOptions{});
    if (!d.ok) continue;
    const std::string& t = d.decoded.text;
    for (std::size_t i = 0; i < t.size();) {
      const char32_t c = next_code_point(t, i);
      if (is_cjk(c)) ++freq[c];
    }
  }
  std::vector<std::pair<char32_t, std::uint64_t>> v(freq.begin(), freq.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < v.size() && i < count; ++i) out.push_back(v[i].first);
  if (out.size() < 100) throw Error(errc::usage, "--from " + dir + ": fewer than 100 distinct Chinese characters found");
  return out;
}

struct SynthArgs {
  std::string size = "100MB", output, from, doc_size = "100kB";
  std::uint64_t seed = 7;
  bool quiet = false;
};

int run_synth(const SynthArgs& a) {
  SynthOptions o;
  o.size = parse_size(a.size);
  o.document_bytes = parse_size(a.doc_size);
  o.seed = a.seed;
  if (!a.from.empty()) o.alphabet = alphabet_from(a.from, 3000);
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  const fs::path out(a.output), docs = out / "docs";
  std::error_code ec;
  fs::create_directories(docs, ec);
  if (ec) {
    std::cerr << "recur: cannot create " << docs.string() << ": " << ec.message() << "\n";
    return kExitNothing;
  }
  std::ofstream truth(out / "truth.jsonl", std::ios::binary);
  if (!truth) {
    std::cerr << "recur: cannot write " << (out / "truth.jsonl").string() << "\n";
    return kExitNothing;
  }
  std::uint64_t bytes = 0, planted_total = 0;
  bool failed = false;
  auto name_of = [&](std::uint64_t doc) {
    std::ostringstream n;
    n << std::setw(6) << std::setfill('0') << doc << ".txt";
    return (docs / n.str()).string();
  };
  const std::uint64_t documents = synthesize(o, [&](std::uint64_t doc, const std::string& text,
                                                    const std::vector<PlantedParagraph>& planted) {
    const std::string path = name_of(doc);
    std::ofstream f(path, std::ios::binary);
    f << text;
    if (!f) failed = true;
    bytes += text.size();
    for (const auto& p : planted) {
      nlohmann::ordered_json j;
      j["family"] = p.family;
      j["path"] = path;
      j["line"] = p.line;
      j["edit_rate"] = p.edit_rate;
      truth << j.dump() << '\n';
      ++planted_total;
    }
    if (!a.quiet && doc % 256 == 255)
      std::cerr << "\rrecur synth: " << bytes / 1000000 << " of " << o.size / 1000000 << " MB" << std::flush;
  });
  if (!a.quiet) std::cerr << "\r\x1b[K";
  truth.flush();
  if (failed || !truth) {
    std::cerr << "recur: error writing under " << out.string() << "\n";
    return kExitNothing;
  }
  std::cout << "recur synth: " << documents << " documents, " << bytes << " bytes, " << planted_total
            << " planted paragraphs in " << (out / "docs").string() << "; truth in " << (out / "truth.jsonl").string()
            << "\n";
  return kExitOk;
}

struct EvalArgs {
  std::string report, truth, format = "text";
};

// Files are matched by name within the corpus, so a report made from another working directory
// (a relative or absolute path to the same docs/) still scores.
std::string file_key(const std::string& path) { return fs::path(path).filename().string(); }

int run_eval(const EvalArgs& a) {
  std::ifstream rin(a.report, std::ios::binary);
  if (!rin) throw Error(errc::io, "cannot read " + a.report);
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(rin);
  } catch (const std::exception& e) {
    throw Error(errc::input, a.report + " is not JSON: " + e.what());
  }
  if (!report.contains("clusters")) throw Error(errc::input, a.report + " has no \"clusters\": not a recur report");
  std::vector<PredictedCluster> clusters;
  for (const auto& c : report["clusters"]) {
    PredictedCluster pc;
    for (const auto& m : c["members"])
      pc.members.emplace_back(file_key(m["path"].get<std::string>()), m["line"].get<std::uint64_t>());
    clusters.push_back(std::move(pc));
  }
  std::ifstream tin(a.truth, std::ios::binary);
  if (!tin) throw Error(errc::io, "cannot read " + a.truth);
  std::vector<TruthEntry> truth;
  std::size_t line_no = 0;
  for (std::string line; std::getline(tin, line);) {
    ++line_no;
    if (line.empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      truth.push_back({j["family"].get<std::uint64_t>(), file_key(j["path"].get<std::string>()),
                       j["line"].get<std::uint64_t>(), j["edit_rate"].get<double>()});
    } catch (const std::exception& e) {
      throw Error(errc::input, a.truth + ":" + std::to_string(line_no) + ": not a truth record (" + e.what() + ")");
    }
  }
  const Evaluation ev = evaluate(clusters, truth);
  // Recall of one edit rate from its (true pairs, found pairs).
  auto recall_of = [](const auto& counts) {
    return counts.first ? static_cast<double>(counts.second) / static_cast<double>(counts.first) : 1.0;
  };
  if (a.format == "json") {
    nlohmann::ordered_json j;
    j["precision"] = ev.precision;
    j["recall"] = ev.recall;
    j["f1"] = ev.f1;
    j["true_pairs"] = ev.true_pairs;
    j["predicted_pairs"] = ev.predicted_pairs;
    j["correct_pairs"] = ev.correct_pairs;
    nlohmann::ordered_json rates = nlohmann::ordered_json::array();
    for (const auto& [rate, v] : ev.by_edit_rate)
      rates.push_back({{"edit_rate", rate}, {"true_pairs", v.first}, {"found_pairs", v.second},
                       {"recall", recall_of(v)}});
    j["by_edit_rate"] = rates;
    j["families"] = ev.families;
    j["families_split"] = ev.families_split;
    j["clusters_merging_families"] = ev.clusters_merging;
    j["planted_unclustered"] = ev.planted_unclustered;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << std::fixed << std::setprecision(4);
  std::cout << "pairs: " << ev.true_pairs << " true, " << ev.predicted_pairs << " predicted, " << ev.correct_pairs
            << " correct\n";
  std::cout << "precision " << ev.precision << "  recall " << ev.recall << "  F1 " << ev.f1 << "\n";
  std::cout << "recall by edit rate (a pair counts under the larger rate of its two paragraphs):\n";
  for (const auto& [rate, v] : ev.by_edit_rate)
    std::cout << "  " << std::setprecision(2) << rate << std::setprecision(4) << "  "
              << recall_of(v) << "  (" << v.first
              << " pairs)\n";
  std::cout << "families " << ev.families << ", split across clusters " << ev.families_split
            << ", clusters merging families " << ev.clusters_merging << ", planted paragraphs in no cluster "
            << ev.planted_unclustered << "\n";
  return kExitOk;
}

}  // namespace

Command add_synth_command(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* sub = app.add_subcommand(
      "synth",
      "Generate a Chinese report corpus with planted reuse, for benchmarks: OUT/docs/NNNNNN.txt and\n"
      "OUT/truth.jsonl (one line per planted paragraph: family, path, 1-based line, edit_rate).\n"
      "Background paragraphs are random sentences (they share no text); about 1.2% of paragraphs start a\n"
      "family: the original plus 1-4 copies in the next documents, each edited at 0, 4, 8 or 12% of its\n"
      "characters (substitutions, insertions, deletions), some with two sentences swapped or a number or\n"
      "place name changed. Streams (memory does not grow with --size); deterministic for a --seed.");
  sub->add_option("--size", args->size, "Total size: 10MiB, 100MB, 1GiB, ...")->capture_default_str();
  sub->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  sub->add_option("-o,--output", args->output, "Output directory")->required();
  sub->add_option("--from", args->from,
                  "Directory of real reports whose most frequent 3000 Chinese characters make the alphabet "
                  "(default: 3000 characters from U+4E00)");
  sub->add_option("--doc-size", args->doc_size, "Approximate size of one document")->capture_default_str();
  sub->add_flag("-q,--quiet", args->quiet, "No progress on stderr");
  return {sub, [args] { return run_synth(*args); }};
}

Command add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* sub = app.add_subcommand(
      "eval",
      "Score a `recur report` JSON against a `recur synth` truth file: pairwise precision, recall and F1\n"
      "(a predicted pair is two paragraphs in one cluster, a true pair two paragraphs of one family;\n"
      "clustered background paragraphs make false pairs), recall by edit rate, families split across\n"
      "clusters and clusters merging families. Files are matched by name.");
  sub->add_option("REPORT", args->report, "recur report --format json output")->required();
  sub->add_option("--truth", args->truth, "truth.jsonl written by recur synth")->required();
  sub->add_option("--format", args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  return {sub, [args] { return run_eval(*args); }};
}

}  // namespace recur::cli
