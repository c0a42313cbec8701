// `recur synth` (generate a corpus with planted reuse, or PAN-style pairs with planted passages)
// and `recur eval` (score a report against a synth truth, or PAN detections against PAN truth).
#include <charconv>
#include <filesystem>
#include <tuple>
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
#include "recur/pan.hpp"
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

// The decoded texts of the *.txt files under `dir` (unreadable ones left out).
std::vector<std::string> texts_from(const std::string& dir) {
  InputList list = find_inputs({dir}, "*.txt");
  std::vector<std::string> texts;
  for (const auto& f : list.files) {
    std::string bytes;
    if (!read_file(f.path, bytes).ok()) continue;
    DecodeResult d = decode(bytes, DecodeOptions{});
    if (d.ok()) texts.push_back(std::move(d.decoded.text));
  }
  return texts;
}

// The `count` most frequent CJK characters of `texts` (read from `dir`), most frequent first.
std::vector<char32_t> alphabet_from(const std::string& dir, const std::vector<std::string>& texts, std::size_t count) {
  std::unordered_map<char32_t, std::uint64_t> freq;
  for (const std::string& t : texts) {
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
  // --passages: PAN-style pairs. size_given / doc_size_given tell whether the user set them.
  bool passages = false, size_given = false, doc_size_given = false, pairs_given = false, unrelated_given = false;
  std::uint64_t pairs = PassageSynthOptions{}.pairs;
  double unrelated = PassageSynthOptions{}.unrelated_share;
  // Density (not with --passages): reuse_given etc. tell whether the user set them.
  double reuse = 0;
  std::string family_size = "2-5";
  double stock = SynthOptions{}.stock_share, stock_edit = SynthOptions{}.stock_edit;
  bool reuse_given = false, family_size_given = false, stock_given = false, stock_edit_given = false;
};

// "A-B" (or "A") family sizes in paragraphs -> copies per family (size - 1).
std::pair<unsigned, unsigned> parse_family_size(const std::string& s) {
  unsigned a = 0, b = 0;
  const auto dash = s.find('-');
  const std::string lo = s.substr(0, dash), hi = dash == std::string::npos ? lo : s.substr(dash + 1);
  auto whole = [&](const std::string& t, unsigned& v) {
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    return !t.empty() && r.ec == std::errc() && r.ptr == t.data() + t.size();
  };
  if (!whole(lo, a) || !whole(hi, b) || a < 2 || a > b || b > 1001)
    throw Error(errc::usage, "--family-size: expected A-B with 2 <= A <= B <= 1001 paragraphs, e.g. 2-8, got '" + s + "'");
  return {a - 1, b - 1};
}

// A passage-mode document of about 4000 characters: 3 bytes per CJK character in UTF-8.
constexpr const char* kPassageDocSize = "12kB";

// True when `inner` is `outer` or lies under it (both existing paths).
bool is_within(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(inner, ec), b = fs::weakly_canonical(outer, ec);
  auto [ai, bi] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return bi == b.end();
}

int run_synth_passages(const SynthArgs& a);

int run_synth(const SynthArgs& a) {
  if (a.passages) return run_synth_passages(a);
  if (a.pairs_given) throw Error(errc::usage, "--pairs applies only with --passages");
  if (a.unrelated_given) throw Error(errc::usage, "--unrelated applies only with --passages");
  SynthOptions o;
  o.size = parse_size(a.size, "--size");
  o.document_bytes = parse_size(a.doc_size, "--doc-size");
  o.seed = a.seed;
  if (!a.from.empty() && is_within(a.from, a.output))
    throw Error(errc::usage, "--from " + a.from + " lies in the output folder -o " + a.output +
                                 ", which recur synth replaces; name another output folder");
  if (a.family_size_given) std::tie(o.min_copies, o.max_copies) = parse_family_size(a.family_size);
  if (a.reuse_given)
    if (auto m = o.with_reuse(a.reuse); !m.empty()) throw Error(errc::usage, m);
  if (a.stock_given && a.from.empty()) throw Error(errc::usage, "--stock needs --from DIR (the stock paragraphs are its paragraphs)");
  o.stock_share = a.stock;
  o.stock_edit = a.stock_edit;
  if (!a.from.empty()) {
    const std::vector<std::string> texts = texts_from(a.from);
    o.alphabet = alphabet_from(a.from, texts, 3000);
    if (o.stock_share > 0) {
      o.stock = stock_paragraphs(texts);
      o.chain = vocabulary_chain(texts);
    }
  }
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

// `recur synth --passages`: OUT/src, OUT/susp, OUT/truth (PAN XML per pair) and OUT/pairs.
int run_synth_passages(const SynthArgs& a) {
  if (a.size_given) throw Error(errc::usage, "--size does not apply to --passages (use --pairs and --doc-size)");
  if (a.reuse_given || a.family_size_given || a.stock_given || a.stock_edit_given)
    throw Error(errc::usage, "--reuse, --family-size, --stock and --stock-edit do not apply to --passages");
  PassageSynthOptions o;
  o.pairs = a.pairs;
  o.seed = a.seed;
  o.unrelated_share = a.unrelated;
  o.document_chars = parse_size(a.doc_size_given ? a.doc_size : kPassageDocSize, "--doc-size") / 3;
  if (!a.from.empty() && is_within(a.from, a.output))
    throw Error(errc::usage, "--from " + a.from + " lies in the output folder -o " + a.output +
                                 ", which recur synth replaces; name another output folder");
  if (!a.from.empty()) o.alphabet = alphabet_from(a.from, texts_from(a.from), 3000);
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  InterruptScope scope;
  AtomicFolder folder(a.output, a.force);
  const fs::path out(a.output), temp(folder.temp_path());
  std::error_code ec;
  for (const char* sub : {"src", "susp", "truth"}) {
    fs::create_directories(temp / sub, ec);
    if (ec) {
      std::cerr << "recur synth: cannot create " << (temp / sub).string() << ": " << ec.message() << "\n";
      return kExitNothing;
    }
  }
  std::ofstream pairs(temp / "pairs", std::ios::binary);
  if (!pairs) {
    std::cerr << "recur synth: cannot write " << (temp / "pairs").string() << "\n";
    return kExitNothing;
  }
  const bool show_progress = !a.quiet && ::isatty(STDERR_FILENO) == 1;
  std::uint64_t bytes = 0, planted = 0, unrelated = 0;
  bool failed = false;
  auto write = [&](const fs::path& path, auto&& fill) {
    std::ofstream f(path, std::ios::binary);
    fill(f);
    f.close();
    if (!f) failed = true;
  };
  const std::uint64_t n = synthesize_passages(o, [&](const PassagePair& p) {
    if (const int sig = interrupt_requested()) throw Interrupted{sig};
    write(temp / "src" / p.src_name, [&](std::ostream& f) { f << p.src_text; });
    write(temp / "susp" / p.susp_name, [&](std::ostream& f) { f << p.susp_text; });
    write(temp / "truth" / pan_pair_file_name(p.susp_name, p.src_name),
          [&](std::ostream& f) { write_pan_xml(f, pan_truth(p)); });
    pairs << p.susp_name << ' ' << p.src_name << '\n';
    bytes += p.src_text.size() + p.susp_text.size();
    planted += p.passages.size();
    unrelated += p.passages.empty();
    if (show_progress && p.index % 64 == 63)
      std::cerr << "\rrecur synth: " << p.index + 1 << " of " << o.pairs << " pairs" << std::flush;
  });
  if (show_progress) std::cerr << "\r\x1b[K";
  pairs.close();
  if (failed || !pairs) {
    std::cerr << "recur synth: error writing under " << temp.string() << " (disk full?); " << out.string()
              << " is unchanged\n";
    return kExitNothing;
  }
  if (const int sig = interrupt_requested()) throw Interrupted{sig};
  folder.commit();
  std::cout << "recur synth: " << n << " document pairs (" << unrelated << " without reuse), " << planted
            << " planted passages, " << bytes << " bytes in " << (out / "src").string() << " and "
            << (out / "susp").string() << "; PAN truth in " << (out / "truth").string() << ", pairs in "
            << (out / "pairs").string() << "\n";
  return kExitOk;
}

struct EvalArgs {
  std::string report, truth, format = "text";
  std::vector<std::string> pan;  // TRUTH_DIR DETECTIONS_DIR
};

// Files are matched by name within the corpus, so a report made from another working directory
// (a relative or absolute path to the same docs/) still scores.
std::string file_key(const std::string& path) { return fs::path(path).filename().string(); }

// The annotations of the PAN XML files in `dir` and its immediate subfolders (`*.xml` and
// `*/*.xml`, hidden names left out, as PAN's evaluator globs), and the documents they name.
struct PanFolder {
  std::vector<PanAnnotation> annotations;
  std::set<std::string> references;
  std::size_t files = 0;
};

PanFolder read_pan_folder(const std::string& dir, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw Error(errc::io, what + " " + dir + " does not exist");
  if (!fs::is_directory(dir, ec)) throw Error(errc::usage, what + " " + dir + " is not a folder");
  auto visible = [](const fs::path& p) { return p.filename().string().rfind('.', 0) != 0; };
  // The visible entries of `d` for which `keep` holds (a broken link is no file and no folder).
  auto list = [&](const fs::path& d, auto keep) {
    std::vector<fs::path> out;
    std::error_code e, kind;
    for (fs::directory_iterator it(d, e), end; !e && it != end; it.increment(e))
      if (visible(it->path()) && keep(*it, kind)) out.push_back(it->path());
    if (e) throw Error(errc::io, "cannot list " + d.string() + ": " + e.message());
    return out;
  };
  auto is_xml = [](const fs::directory_entry& x, std::error_code& e) {
    return x.path().extension() == ".xml" && x.is_regular_file(e);
  };
  std::vector<fs::path> files = list(dir, is_xml);
  auto is_folder = [](const fs::directory_entry& x, std::error_code& e) { return x.is_directory(e); };
  for (const auto& sub : list(dir, is_folder))
    for (auto& f : list(sub, is_xml)) files.push_back(std::move(f));
  std::sort(files.begin(), files.end());
  PanFolder folder;
  folder.files = files.size();
  for (const auto& f : files) {
    std::string bytes;
    if (Status st = read_file(f.string(), bytes); !st.ok()) throw Error(errc::io, f.string() + ": " + st.message());
    PanDocument d;
    try {
      d = parse_pan_xml(bytes);
    } catch (const Error& e) {
      throw Error(errc::input, f.string() + ": " + e.what());
    }
    folder.references.insert(d.reference);
    for (auto& x : d.annotations) folder.annotations.push_back(std::move(x));
  }
  return folder;
}

// The four numbers of a row, as JSON.
nlohmann::ordered_json pan_json(const PanScores& s) {
  nlohmann::ordered_json j;
  j["plagdet"] = s.plagdet;
  j["precision"] = s.precision;
  j["recall"] = s.recall;
  j["granularity"] = s.granularity;
  return j;
}

// Case length ranges reported by eval --pan (characters of the suspicious side).
const std::vector<std::uint64_t> kPanLengthBounds = {0, 30, 100, 300, 1000};

int run_eval_pan(const EvalArgs& a) {
  const PanFolder truth = read_pan_folder(a.pan[0], "TRUTH_DIR");
  const PanFolder detected = read_pan_folder(a.pan[1], "DETECTIONS_DIR");
  if (truth.files == 0) throw Error(errc::input, "no *.xml file in TRUTH_DIR " + a.pan[0] + " (nor one folder down)");
  // Detections of other documents score 0 without being wrong: say so instead.
  if (!detected.annotations.empty() &&
      std::none_of(detected.annotations.begin(), detected.annotations.end(),
                   [&](const PanAnnotation& d) { return truth.references.count(d.this_reference) > 0; }))
    throw Error(errc::input, "no suspicious document of the detections in " + a.pan[1] + " is in the truth " +
                                 a.pan[0] + ": the detections are of another corpus");
  if (detected.files == 0)
    std::cerr << "recur eval: no *.xml file in DETECTIONS_DIR " << a.pan[1] << ": no detections\n";
  const PanScores s = pan_scores(truth.annotations, detected.annotations);
  const auto by_obfuscation = pan_scores_by_obfuscation(truth.annotations, detected.annotations);
  const auto by_length = pan_scores_by_length(truth.annotations, detected.annotations, kPanLengthBounds);
  if (a.format == "json") {
    nlohmann::ordered_json j = pan_json(s);
    j["micro"] = {{"plagdet", s.micro_plagdet}, {"precision", s.micro_precision}, {"recall", s.micro_recall}};
    j["cases"] = s.cases;
    j["detections"] = s.detections;
    j["detected_cases"] = s.detected_cases;
    j["true_detections"] = s.true_detections;
    j["truth_files"] = truth.files;
    j["detection_files"] = detected.files;
    auto rows = [](const std::vector<PanGroupScores>& groups, const char* key) {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const auto& g : groups) {
        nlohmann::ordered_json row;
        row[key] = g.label;
        row["cases"] = g.scores.cases;
        row["detected_cases"] = g.scores.detected_cases;
        row["detections"] = g.scores.detections;
        const nlohmann::ordered_json scores = pan_json(g.scores);
        for (const auto& [k, v] : scores.items()) row[k] = v;
        arr.push_back(row);
      }
      return arr;
    };
    j["by_obfuscation"] = rows(by_obfuscation, "obfuscation");
    j["by_length"] = rows(by_length, "length");
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << std::fixed << std::setprecision(4);
  std::cout << "PAN text alignment: " << s.cases << " cases in " << truth.files << " truth files, " << s.detections
            << " detections in " << detected.files << " files\n";
  std::cout << "plagdet " << s.plagdet << "  precision " << s.precision << "  recall " << s.recall << "  granularity "
            << s.granularity << "\n";
  std::cout << "micro-averaged: plagdet " << s.micro_plagdet << "  precision " << s.micro_precision << "  recall "
            << s.micro_recall << "\n";
  std::cout << "cases detected " << s.detected_cases << " of " << s.cases << "; detections that detect a case "
            << s.true_detections << " of " << s.detections << "\n";
  auto table = [&](const std::vector<PanGroupScores>& groups, const std::string& title) {
    std::cout << title << ":\n";
    std::cout << "  " << std::left << std::setw(12) << "" << std::right << std::setw(7) << "cases" << std::setw(9)
              << "plagdet" << std::setw(11) << "precision" << std::setw(8) << "recall" << std::setw(13)
              << "granularity\n";
    for (const auto& g : groups)
      std::cout << "  " << std::left << std::setw(12) << (g.label.empty() ? "(none)" : g.label) << std::right
                << std::setw(7) << g.scores.cases << std::setw(9) << g.scores.plagdet << std::setw(11)
                << g.scores.precision << std::setw(8) << g.scores.recall << std::setw(12) << g.scores.granularity
                << "\n";
  };
  table(by_obfuscation, "by obfuscation (recur synth: the edit rate)");
  table(by_length, "by case length (characters of the suspicious side)");
  return kExitOk;
}

int run_eval(const EvalArgs& a) {
  if (!a.pan.empty()) {
    if (!a.report.empty() || !a.truth.empty())
      throw Error(errc::usage, "--pan TRUTH_DIR DETECTIONS_DIR takes the place of REPORT and --truth");
    return run_eval_pan(a);
  }
  if (a.report.empty() || a.truth.empty())
    throw Error(errc::usage, "REPORT and --truth TRUTH are required (or --pan TRUTH_DIR DETECTIONS_DIR)");
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
      "place name changed. Streams (memory does not grow with --size); deterministic for a --seed.\n"
      "Density: --reuse sets the share of paragraphs in families, --family-size their sizes, and --stock\n"
      "makes background sentences edited clauses of the --from reports. The defaults give a sparse corpus\n"
      "(0.06 candidate pairs per paragraph); --reuse 0.65 --family-size 2-8 --stock 0.5 --from DIR gives one\n"
      "as dense as real reports (README \"recur synth\" compares both with ../shared/corpus).\n"
      "With --passages: PAN text-alignment data instead: OUT/src/source-documentNNNNN.txt and\n"
      "OUT/susp/suspicious-documentNNNNN.txt (--pairs pairs), passages of one sentence to several paragraphs\n"
      "copied from source to suspicious document (edited 0-15%, some with two sentences swapped, at any\n"
      "position and in any order; a share --unrelated of pairs has none), OUT/truth/ with one PAN XML file\n"
      "per pair (name=\"plagiarism\", offsets in characters, obfuscation = the edit rate) and OUT/pairs.");
  auto* size = sub->add_option("--size", args->size, "Total size: 10MiB, 100MB, 1GiB, ...")->capture_default_str();
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
  auto* doc_size = sub->add_option("--doc-size", args->doc_size,
                                   std::string("Approximate size of one document (with --passages: ") +
                                       kPassageDocSize + ", about 4000 characters)")
                       ->capture_default_str();
  sub->add_flag("--passages", args->passages, "Write PAN text-alignment pairs with planted passages (see above)");
  auto* pairs = sub->add_option("--pairs", args->pairs, "With --passages: document pairs")
                    ->check(whole_number(1, 10'000'000, "a whole number from 1 to 10000000"))
                    ->capture_default_str();
  auto* unrelated = sub->add_option("--unrelated", args->unrelated,
                                    "With --passages: share of pairs without planted passages")
                        ->check(decimal([](double v) { return v >= 0 && v <= 1; }, "a number from 0 to 1"))
                        ->capture_default_str();
  auto* reuse = sub->add_option("--reuse", args->reuse,
                                "Share of paragraphs in planted families, originals and copies (default about "
                                "0.042: 1.2% of paragraphs start a family of 3.5 on average). Dense, like real "
                                "reports: 0.5")
                    ->check(decimal([](double v) { return v >= 0 && v <= 0.8; }, "a number from 0 to 0.8"));
  auto* family_size = sub->add_option("--family-size", args->family_size,
                                      "Paragraphs per family, original included, drawn uniformly from A-B (e.g. 2-8)")
                          ->capture_default_str();
  auto* stock = sub->add_option("--stock", args->stock,
                                "Share of background paragraphs that are loose variants of --from paragraphs "
                                "(themes with --stock-edit of their characters replaced, each used 16 times with "
                                "stock-edit/2 to 2 x stock-edit replaced again, replacements following the --from "
                                "reports' character bigrams), so unrelated paragraphs share words and phrases as "
                                "in real reports, at a rate that does not grow with --size (default 0: none)")
                    ->check(decimal([](double v) { return v >= 0 && v <= 1; }, "a number from 0 to 1"))
                    ->capture_default_str();
  auto* stock_edit = sub->add_option("--stock-edit", args->stock_edit,
                                     "Share of a theme's Chinese characters replaced (see --stock)")
                         ->check(decimal([](double v) { return v >= 0 && v <= 0.5; }, "a number from 0 to 0.5"))
                         ->capture_default_str();
  sub->add_flag("-q,--quiet", args->quiet, "No progress on stderr (shown only when stderr is a terminal)");
  return {sub, [args, size, doc_size, pairs, unrelated, reuse, family_size, stock, stock_edit] {
            args->reuse_given = reuse->count() > 0;
            args->family_size_given = family_size->count() > 0;
            args->stock_given = stock->count() > 0;
            args->stock_edit_given = stock_edit->count() > 0;
            args->size_given = size->count() > 0;
            args->doc_size_given = doc_size->count() > 0;
            args->pairs_given = pairs->count() > 0;
            args->unrelated_given = unrelated->count() > 0;
            return run_synth(*args);
          }};
}

Command add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* sub = app.add_subcommand(
      "eval",
      "Score a `recur report` JSON against a `recur synth` truth file: pairwise precision, recall and F1\n"
      "(a predicted pair is two paragraphs in one cluster, a true pair two paragraphs of one family;\n"
      "clustered background paragraphs make false pairs), recall by edit rate, families split across\n"
      "clusters and clusters merging families. Files are matched by name.\n"
      "With --pan TRUTH_DIR DETECTIONS_DIR: the PAN text-alignment measures (Potthast et al. 2010) of the\n"
      "detections against the truth, both folders of PAN XML files (*.xml and */*.xml): macro precision and\n"
      "recall over characters, granularity, plagdet = F1 / log2(1 + granularity), micro-averaged precision\n"
      "and recall, and the same by obfuscation and by case length.");
  sub->add_option("REPORT", args->report, "recur report --format json output");
  sub->add_option("--truth", args->truth, "truth.jsonl written by recur synth");
  sub->add_option("--pan", args->pan, "TRUTH_DIR DETECTIONS_DIR: score PAN XML detections (instead of REPORT)")
      ->expected(2)
      ->type_name("DIR");
  sub->add_option("--format", args->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  return {sub, [args] { return run_eval(*args); }};
}

}  // namespace recur::cli
