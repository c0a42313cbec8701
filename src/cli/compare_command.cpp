// `recur compare`: the reused passages between two texts.
#include <cctype>
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "recur/compare.hpp"
#include "recur/error.hpp"

namespace recur::cli {
namespace {

struct CompareArgs {
  CommonArgs common;
  CompareOptions options;
  std::vector<std::string> texts;  // A B, each FILE or FILE#N
  std::vector<std::string> bases;
  unsigned threads = 0;
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

int run(CompareArgs& a) {
  CompareOptions& o = a.options;
  finish_input_options(o.input, a.common);
  if (auto msg = o.validate(); !msg.empty()) throw Error(errc::usage, msg);
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
  sub->add_option("TEXT", args->texts, "The two texts: A B (FILE, FILE#N, or - for standard input)")->expected(2);
  add_input_options(*sub, o.input, args->common, false);
  sub->add_option("--base", args->bases,
                  "Template text (files or folders): passages also found in it are marked template and not counted")
      ->take_all();
  sub->add_option("--seed", o.align.seed, "Tokens per seed: shorter finds more edited text, longer is faster")
      ->check(whole_number(2, 64, "a whole number from 2 to 64"))
      ->capture_default_str();
  sub->add_option("--min-length", o.align.min_tokens,
                  "Shortest passage, in tokens (characters for Chinese) on each side")
      ->check(whole_number(2, 1000000, "a whole number from 2 to 1000000, at least --seed"))
      ->capture_default_str();
  sub->add_option("--max-gap", o.align.max_gap,
                  "Largest edited stretch, in tokens, bridged inside one passage")
      ->check(whole_number(0, 10000, "a whole number from 0 to 10000"))
      ->capture_default_str();
  sub->add_option("--min-similarity", o.align.min_similarity, "Passages less similar than this are dropped")
      ->check(decimal([](double v) { return v >= 0 && v <= 1; }, "a number from 0 to 1"))
      ->capture_default_str();
  add_output_options(*sub, args->threads, args->common, {"text", "json", "html"},
                     "Output format: text (coverage and passages), json (full report), html (one self-contained "
                     "page: the passages of both texts side by side, a click shows the partner)");
  return {sub, [args] { return run(*args); }};
}

}  // namespace recur::cli
