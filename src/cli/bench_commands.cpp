// `recur synth` (generate a corpus with planted reuse) and `recur eval` (score a report).
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iomanip>
#include <set>
#include <unistd.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "recur/corpus.hpp"
#include "recur/encoding.hpp"
#include "recur/error.hpp"
#include "recur/output.hpp"
#include "recur/synth.hpp"
#include "recur/text.hpp"

namespace recur::cli {
namespace {
namespace fs = std::filesystem;

// "1GiB", "100MiB", "10M", "500kB", "12345": bytes. `option` names the option in messages.
std::uint64_t parse_size(const std::string& s, const std::string& option) {
  std::size_t pos = 0;
  double v = 0;
  try {
    if (s.empty() || s[0] == '-' || s[0] == '+' || std::isspace(static_cast<unsigned char>(s[0])))
      throw std::invalid_argument(s);
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    throw Error(errc::usage, option + ": expected a size such as 100MB or 1GiB, got '" + s + "'");
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
  else throw Error(errc::usage, option + ": unknown unit '" + unit + "' (use B, kB, MB, GB, KiB, MiB, GiB)");
  if (!(v * mult >= 1) || !(v * mult < 1e18))
    throw Error(errc::usage, option + ": expected a size of at least 1 byte, got '" + s + "'");
  return static_cast<std::uint64_t>(v * mult);
}

// The `count` most frequent CJK characters of the texts under `dir`, most frequent first.
std::vector<char32_t> alphabet_from(const std::string& dir, std::size_t count) {
  InputList list = find_inputs({dir}, "*.txt");
  std::unordered_map<char32_t, std::uint64_t> freq;
  for (const auto& f : list.files) {
    std::string bytes;
    if (!read_file(f.path, bytes).ok()) continue;
    DecodeResult d = decode(bytes, DecodeOptions{});
    if (!d.ok()) continue;
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
  bool quiet = false, force = false;
};

// True when `inner` is `outer` or lies under it (both existing paths).
bool is_within(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(inner, ec), b = fs::weakly_canonical(outer, ec);
  auto [ai, bi] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return bi == b.end();
}

int run_synth(const SynthArgs& a) {
  SynthOptions o;
  o.size = parse_size(a.size, "--size");
  o.document_bytes = parse_size(a.doc_size, "--doc-size");
  o.seed = a.seed;
  if (!a.from.empty() && is_within(a.from, a.output))
    throw Error(errc::usage, "--from " + a.from + " lies in the output folder -o " + a.output +
                                 ", which recur synth replaces; name another output folder");
  if (!a.from.empty()) o.alphabet = alphabet_from(a.from, 3000);
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  // Generated in a temporary folder that replaces -o only when complete: an interrupted or failed
  // run leaves -o as it was. Paths in the truth file name the final folder.
  InterruptScope scope;  // from here a signal sets a flag; the loop below stops and the folder is removed
  AtomicFolder folder(a.output, a.force);
  const fs::path out(a.output), docs = out / "docs", temp(folder.temp_path());
  std::error_code ec;
  fs::create_directories(temp / "docs", ec);
  if (ec) {
    std::cerr << "recur synth: cannot create " << (temp / "docs").string() << ": " << ec.message() << "\n";
    return kExitNothing;
  }
  std::ofstream truth(temp / "truth.jsonl", std::ios::binary);
  if (!truth) {
    std::cerr << "recur synth: cannot write " << (temp / "truth.jsonl").string() << "\n";
    return kExitNothing;
  }
  const bool show_progress = !a.quiet && ::isatty(STDERR_FILENO) == 1;
  std::uint64_t bytes = 0, planted_total = 0;
  bool failed = false;
  auto name_of = [&](std::uint64_t doc) {
    std::ostringstream n;
    n << std::setw(6) << std::setfill('0') << doc << ".txt";
    return n.str();
  };
  const std::uint64_t documents = synthesize(o, [&](std::uint64_t doc, const std::string& text,
                                                    const std::vector<PlantedParagraph>& planted) {
    if (const int sig = interrupt_requested()) throw Interrupted{sig};
    const std::string name = name_of(doc), path = (docs / name).string();
    std::ofstream f(temp / "docs" / name, std::ios::binary);
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
    if (show_progress && doc % 256 == 255)
      std::cerr << "\rrecur synth: " << bytes / 1000000 << " of " << o.size / 1000000 << " MB" << std::flush;
  });
  if (show_progress) std::cerr << "\r\x1b[K";
  truth.close();
  if (failed || !truth) {
    std::cerr << "recur synth: error writing under " << temp.string() << " (disk full?); " << out.string()
              << " is unchanged\n";
    return kExitNothing;
  }
  if (const int sig = interrupt_requested()) throw Interrupted{sig};
  folder.commit();
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
  // A report of another corpus scores 0 without being wrong: say so instead.
  std::set<std::string> truth_files, report_files;
  for (const auto& t : truth) truth_files.insert(t.path);
  for (const auto& c : clusters)
    for (const auto& m : c.members) report_files.insert(m.first);
  if (truth.empty()) throw Error(errc::input, a.truth + " has no truth records");
  if (!report_files.empty() &&
      std::none_of(report_files.begin(), report_files.end(), [&](const std::string& f) { return truth_files.count(f); }))
    throw Error(errc::input, "no file of the truth " + a.truth + " is in the report " + a.report + " (" +
                                 std::to_string(report_files.size()) +
                                 " clustered files, matched by name): the report is of another corpus");
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
  sub->add_option("--seed", args->seed, "Random seed")
      ->check(whole_number(0, UINT64_MAX, "a whole number from 0 to 18446744073709551615"))
      ->capture_default_str();
  sub->add_option("-o,--output", args->output,
                  "Output folder: new or empty (written in full, then moved into place)")
      ->required();
  sub->add_flag("--force", args->force, "Replace the contents of a non-empty output folder");
  sub->add_option("--from", args->from,
                  "Directory of real reports whose most frequent 3000 Chinese characters make the alphabet "
                  "(default: 3000 characters from U+4E00)");
  sub->add_option("--doc-size", args->doc_size, "Approximate size of one document")->capture_default_str();
  sub->add_flag("-q,--quiet", args->quiet, "No progress on stderr (shown only when stderr is a terminal)");
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
