// `recur compare`: the reused passages between two texts.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "common.hpp"
#include "recur/compare.hpp"
#include "recur/error.hpp"
#include "recur/pan.hpp"
#include "../parallel.hpp"

namespace recur::cli {
namespace {

struct CompareArgs {
  CommonArgs common;
  CompareOptions options;
  std::vector<std::string> texts;  // A B, each FILE or FILE#N
  std::vector<std::string> bases;
  unsigned threads = 0;
  // The PAN batch form.
  std::string pairs, susp, src;
  bool force = false;
};

// "FILE#N" -> (FILE, N-1) when FILE#N is not itself a file and N is a positive whole number.
std::pair<std::string, std::int64_t> split_document(const std::string& arg) {
  const std::size_t hash = arg.rfind('#');
  if (hash == std::string::npos || hash + 1 == arg.size() || stamp_of(arg).size > 0) return {arg, -1};
  for (std::size_t k = hash + 1; k < arg.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(arg[k]))) return {arg, -1};
  const std::string digits = arg.substr(hash + 1);
  if (digits.size() > 9 || std::stoll(digits) < 1)
    throw Error(errc::usage, arg + ": the document number after # must be from 1 to 999999999");
  return {arg.substr(0, hash), std::stoll(digits) - 1};
}

// One named file (or standard input) as an input: a directory or a missing file is an error here,
// since compare needs exactly that text.
InputFile one_input(const std::string& path, const InputOptions& input, const std::string& role) {
  InputList list = find_inputs({path}, "*", input.stdin_name);
  if (!list.problems.empty()) throw Error(errc::input, role + " " + path + ": " + list.problems.front().reason);
  if (list.files.size() != 1)
    throw Error(errc::usage, role + " " + path + " is a directory; compare takes two files (report and query take folders)");
  return std::move(list.files.front());
}

// The passages of a report as a PAN document: A is the suspicious text, B the source; offsets and
// lengths in code points of the decoded files.
PanDocument pan_document(const CompareReport& r, const std::string& susp, const std::string& src) {
  PanDocument doc;
  doc.reference = susp;
  for (const ReportPassage& p : r.passages) {
    PanAnnotation a;
    a.this_reference = susp;
    a.this_offset = p.a.char_start;
    a.this_length = p.a.char_length;
    a.source_reference = src;
    a.source_offset = p.b.char_start;
    a.source_length = p.b.char_length;
    doc.annotations.push_back(std::move(a));
  }
  return doc;
}

// `recur compare --pairs PAIRS --susp DIR --src DIR --format pan -o OUTDIR`: one XML file per pair.
int run_pan_batch(CompareArgs& a) {
  const CompareOptions& o = a.options;
  if (a.common.format != "pan") throw Error(errc::usage, "--pairs writes PAN files: give --format pan");
  if (a.susp.empty() || a.src.empty()) throw Error(errc::usage, "--pairs needs --susp DIR and --src DIR");
  if (a.common.output.empty() || a.common.output == "-")
    throw Error(errc::usage, "--pairs writes one file per pair: give -o OUTDIR");
  std::ifstream in(a.pairs);
  if (!in) throw Error(errc::io, "cannot read --pairs " + a.pairs);
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string susp, src, extra;
    if (!(words >> susp)) continue;  // blank line
    if (!(words >> src) || (words >> extra))
      throw Error(errc::usage, a.pairs + ":" + std::to_string(n) + ": expected 'SUSP SRC', got '" + line + "'");
    pairs.emplace_back(susp, src);
  }
  namespace fs = std::filesystem;
  for (const std::string& dir : {a.susp, a.src})
    if (fs::weakly_canonical(dir) == fs::weakly_canonical(a.common.output))
      throw Error(errc::usage, "-o " + a.common.output + " is an input folder; name another output folder");
  AtomicFolder folder(a.common.output, a.force);
  const unsigned threads = effective_threads(a.threads);
  std::vector<std::string> problems(pairs.size());
  std::atomic<bool> stop{false};
  {
    InterruptScope interrupts;
    detail::parallel_for(pairs.size(), threads, [&](std::size_t k, unsigned) {
      if (stop) return;
      if (interrupt_requested()) {
        stop = true;
        return;
      }
      const auto& [susp, src] = pairs[k];
      InputList list;
      list.files.push_back(one_input((fs::path(a.susp) / susp).string(), o.input, "suspicious"));
      list.files.push_back(one_input((fs::path(a.src) / src).string(), o.input, "source"));
      PanDocument doc;
      doc.reference = susp;
      try {
        doc = pan_document(run_compare(FileSource(std::move(list)), {0, -1}, {1, -1}, o), susp, src);
      } catch (const Error& e) {
        problems[k] = e.what();  // the pair's file is written without detections
      }
      std::ofstream out(fs::path(folder.temp_path()) / pan_pair_file_name(susp, src), std::ios::binary);
      write_pan_xml(out, doc);
      if (!out.flush()) problems[k] = "cannot write " + pan_pair_file_name(susp, src);
    });
    if (const int sig = interrupt_requested()) throw Interrupted{sig};
  }
  std::size_t failed = 0;
  for (std::size_t k = 0; k < pairs.size(); ++k)
    if (!problems[k].empty()) {
      ++failed;
      if (!a.common.quiet) std::cerr << "recur compare: " << pairs[k].first << " " << pairs[k].second << ": " << problems[k] << "\n";
    }
  folder.commit();
  if (!a.common.quiet)
    std::cerr << "recur compare: " << pairs.size() << " pairs written to " << a.common.output
              << (failed ? " (" + std::to_string(failed) + " without detections: see above)" : std::string()) << "\n";
  return kExitOk;
}

int run(CompareArgs& a) {
  CompareOptions& o = a.options;
  finish_input_options(o.input, a.common);
  if (auto msg = o.validate(); !msg.empty()) throw Error(errc::usage, msg);
  if (!a.pairs.empty()) {
    if (!a.texts.empty()) throw Error(errc::usage, "give either two texts or --pairs, not both");
    return run_pan_batch(a);
  }
  if (a.texts.size() != 2) throw Error(errc::usage, "compare takes two texts: A B (each FILE or FILE#N)");

  Output out;
  out.open(a.common.output);
  const auto [path_a, doc_a] = split_document(a.texts[0]);
  const auto [path_b, doc_b] = split_document(a.texts[1]);
  InputList list;
  list.files.push_back(one_input(path_a, o.input, "A"));
  if (path_b == path_a) list.files.push_back(list.files.front());  // two documents of one file
  else list.files.push_back(one_input(path_b, o.input, "B"));
  std::unique_ptr<FileSource> bases;
  if (!a.bases.empty()) {
    InputList b = find_inputs(a.bases, o.input.glob, o.input.stdin_name);
    if (!b.problems.empty()) throw Error(errc::input, "--base " + b.problems.front().path + ": " + b.problems.front().reason);
    bases = std::make_unique<FileSource>(std::move(b));
  }
  // The output is never one of the texts read, not even recur's previous report.
  InputList read = list;
  if (bases) read.files.insert(read.files.end(), bases->list().files.begin(), bases->list().files.end());
  protect_inputs(a.common.output, read);
  if (!read.problems.empty())
    throw Error(errc::usage, "-o " + a.common.output + " is one of the texts read (" + read.problems.front().path +
                                 "); name another output file");
  const FileSource source(std::move(list));
  CompareReport report = run_compare(source, {0, doc_a}, {1, doc_b}, o, bases.get());
  if (!a.common.quiet)
    for (const auto& w : report.warnings) std::cerr << "recur compare: " << w << "\n";
  if (a.common.format == "json") {
    write_json(report, out.stream());
  } else if (a.common.format == "html") {
    write_html(report, out.stream());
  } else if (a.common.format == "pan") {
    namespace fs = std::filesystem;
    write_pan_xml(out.stream(), pan_document(report, fs::path(path_a).filename().string(),
                                             fs::path(path_b).filename().string()));
  } else {
    TextOptions text;
    text.color = use_color(a.common, out);
    text.top = a.common.top == 0 ? SIZE_MAX : a.common.top;
    text.excerpt_chars = 120;
    write_text(report, out.stream(), text);
  }
  return out.finish() ? kExitOk : kExitNothing;
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CompareOptions& o = args->options;
  CLI::App* sub = app.add_subcommand(
      "compare",
      "The passages two texts share: what A reused from B and B from A, verbatim or edited.\n\n"
      "A and B are files; FILE#N is the N-th document (1-based) of a compilation split by --doc-split.\n"
      "Texts are compared as tokens: each Chinese character is a token, each word of other scripts is one;\n"
      "punctuation and spaces are ignored. Passages are found in any order and at any position: seeds of\n"
      "--seed tokens, exact runs, chains across edits (gaps up to --max-gap tokens), swapped parts merged.\n"
      "similarity = 1 - token edits / tokens of the longer span (character-level for Chinese); kind is\n"
      "'exact' when both spans have the same tokens. Passages of one text never overlap.\n\n"
      "Coverage: a_in_b is the share of A's content characters (letters, digits, CJK characters) inside\n"
      "passages, each character counted once; b_in_a the same for B. Passages found in a --base text are\n"
      "templates: listed, marked, and not counted in coverage.\n\n"
      "Exit status: 0 done, 1 a text could not be read or the output not written, 2 invalid options.");
  sub->add_option("TEXT", args->texts, "The two texts: A B (FILE, FILE#N, or - for standard input)")->expected(0, 2);
  add_input_options(*sub, o.input, args->common, false);
  add_align_options(*sub, o.align, args->bases);
  sub->add_option("--seed", o.align.seed, "Tokens per seed: shorter finds more edited text, longer is faster")
      ->check(whole_number(2, 64, "a whole number from 2 to 64"))
      ->capture_default_str();
  sub->add_option("--pairs", args->pairs,
                  "PAN text-alignment batch: a file of 'SUSP SRC' lines (names relative to --susp and --src); "
                  "writes OUTDIR/<susp stem>-<src stem>.xml per pair (with --format pan -o OUTDIR)");
  sub->add_option("--susp", args->susp, "With --pairs: the folder of suspicious documents");
  sub->add_option("--src", args->src, "With --pairs: the folder of source documents");
  sub->add_flag("--force", args->force, "With --pairs: replace a non-empty OUTDIR");
  add_output_options(*sub, args->threads, args->common, {"text", "json", "pan", "html"},
                     "Output format: text (coverage and passages), json (full report), pan (PAN text-alignment "
                     "XML: A is the suspicious document, B the source; offsets in characters), html (one "
                     "self-contained page: the passages of both texts side by side, a click shows the partner)");
  return {sub, [args] { return run(*args); }};
}

}  // namespace recur::cli
