// `recur report`: parse options, run the pipeline, write the report.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>

#include "commands.hpp"
#include "recur/error.hpp"
#include "recur/pipeline.hpp"

namespace recur::cli {
namespace {

struct ReportArgs {
  std::vector<std::string> paths;
  ReportOptions options;
  std::string paragraphs = "auto";
  std::string format = "text";
  std::string output;
  std::string color = "auto";
  bool quiet = false;
  bool no_verify = false;
  std::size_t top = 10;
};

// A one-line progress display on stderr, shown only after the run has taken a second.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  // Called from the pipeline's ticker thread while warnings may be printed from the main thread.
  void operator()(const Progress& p) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (elapsed < 1.0) return;
    std::ostringstream line;
    line << "recur: " << p.stage;
    if (p.total > 0) {
      const double pct = 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total);
      line.setf(std::ios::fixed);
      line.precision(1);
      line << " " << pct << "%";
      if (std::string_view(p.stage) == "reading")
        line << " (" << static_cast<double>(p.done) / 1e6 << " of " << static_cast<double>(p.total) / 1e6 << " MB, "
             << static_cast<double>(p.done) / 1e6 / elapsed << " MB/s)";
      else
        line << " (" << p.done << " of " << p.total << ")";
    }
    line << "  " << static_cast<int>(elapsed) << " s";
    std::fprintf(stderr, "\r\x1b[K%s", line.str().c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    erase();
  }
  // Prints a message on its own line; the progress line is redrawn at the next tick.
  void message(const std::string& text) {
    std::lock_guard lock(mutex_);
    erase();
    std::cerr << "recur: " << text << "\n";
  }

 private:
  void erase() {
    if (shown_) std::fprintf(stderr, "\r\x1b[K");
    shown_ = false;
  }
  std::mutex mutex_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

int run(ReportArgs& a) {
  ReportOptions& o = a.options;
  o.paragraphs = parse_paragraph_mode(a.paragraphs);
  o.verify = !a.no_verify;
  if (auto msg = o.validate(); !msg.empty()) throw Error(errc::usage, msg);

  // Open the output before the run so that a bad -o fails fast.
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!a.output.empty() && a.output != "-") {
    file.open(a.output, std::ios::binary);
    if (!file) {
      std::cerr << "recur: cannot write " << a.output << ": " << std::strerror(errno) << "\n";
      return kExitNothing;
    }
    out = &file;
  }
  const bool stderr_tty = ::isatty(STDERR_FILENO) == 1;
  auto line = std::make_shared<ProgressLine>(stderr_tty && !a.quiet);
  ProgressFn progress = [line](const Progress& p) { (*line)(p); };
  WarnFn warn = [line, &a](const std::string& msg) {
    if (!a.quiet) line->message(msg);
  };
  Report report = run_report(a.paths, o, progress, warn);
  line->clear();

  if (a.format == "json") {
    write_json(report, *out);
  } else if (a.format == "csv") {
    write_csv(report, *out);
  } else {
    TextOptions t;
    const bool to_tty = out == &std::cout && ::isatty(STDOUT_FILENO) == 1;
    t.color = a.color == "always" || (a.color == "auto" && to_tty && std::getenv("NO_COLOR") == nullptr);
    t.top = a.top;
    write_text(report, *out, t);
  }
  out->flush();
  if (!*out) {
    std::cerr << "recur: error writing " << (a.output.empty() ? "standard output" : a.output) << "\n";
    return kExitNothing;
  }
  if (report.stats.files_read == 0) {
    std::cerr << "recur: nothing could be read (" << report.stats.files_skipped << " inputs skipped)\n";
    return kExitNothing;
  }
  return kExitOk;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  ReportOptions& o = args->options;
  CLI::App* sub = app.add_subcommand(
      "report",
      "Cluster near-duplicate paragraphs across the files under PATH...\n\n"
      "Pipeline: decode (UTF-8, UTF-16 with BOM, GB18030 and others detected by ICU) -> strip markers ->\n"
      "documents and paragraphs -> NFKC + case folding -> shingles (character n-grams for CJK, word\n"
      "n-grams for other scripts; punctuation ignored) -> MinHash -> LSH bands -> exact Jaccard of every\n"
      "candidate pair -> star clusters (every member has Jaccard >= --threshold with the cluster's\n"
      "representative; representatives are the paragraphs with the most similar neighbours).\n\n"
      "LSH: with b bands of r rows a pair of Jaccard s becomes a candidate with probability\n"
      "P(s) = 1 - (1 - s^r)^b. Defaults (128 perms, threshold 0.5) choose b=30, r=4:\n"
      "P(0.3)=0.22  P(0.4)=0.54  P(0.5)=0.86  P(0.6)=0.984  P(0.7)=0.9997.\n"
      "Every candidate is then checked exactly, so the reported similarity is exact Jaccard.\n\n"
      "Output order: clusters by size (largest first), then by input position of the representative;\n"
      "in a cluster the representative comes first, then members in input order. Input files are\n"
      "read in sorted path order, so output does not depend on the file system or on --threads.\n\n"
      "Exit status: 0 the run completed (even if files were skipped), 1 nothing could be read or the\n"
      "output could not be written, 2 invalid options.");
  sub->add_option("PATH", args->paths, "Files or directories (directories are searched recursively for --glob)")
      ->required();
  sub->add_option("--glob", o.glob, "File-name pattern for files found in directories")->capture_default_str();
  sub->add_option("--encoding", o.decode.encoding,
                  "Input encoding: auto (BOM, UTF-8, else ICU detection: GB18030, Big5, ...) or an ICU name "
                  "such as gb18030, gbk, utf-16le, big5")
      ->capture_default_str();
  sub->add_flag("--simplify", o.normalize.simplify, "Map Traditional to Simplified Chinese before comparing");
  sub->add_option("--strip", o.strip,
                  "Regex (ICU syntax) of markers to ignore, e.g. '##paid(begin|end)##'; repeatable. Reported "
                  "text and offsets still show the original bytes")
      ->take_all();
  sub->add_option("--doc-split", o.doc_split,
                  "Regex (ICU, multiline): a line containing a match starts a new document, e.g. '综述$'");
  sub->add_option("--paragraphs", args->paragraphs,
                  "auto: per file, 'indent' if >=10% of lines are indented, else 'lines'; indent: indented lines "
                  "and lines after sentence-final punctuation start paragraphs, wrapped lines are joined; "
                  "lines: one paragraph per non-empty line")
      ->check(CLI::IsMember({"auto", "indent", "lines"}))
      ->capture_default_str();
  sub->add_option("--min-chars", o.min_chars,
                  "Paragraphs with fewer characters (CJK characters plus letters and digits of words) are counted "
                  "but not compared")
      ->capture_default_str();
  sub->add_option("--shingle", o.shingle.size,
                  "Tokens per shingle (a token is a CJK character or a word). 2 keeps copies with 12% of "
                  "characters edited at Jaccard >= 0.58 while unrelated paragraphs stay near 0.02")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  sub->add_option("--perms", o.minhash.perms, "MinHash permutations (signature length)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  sub->add_option("--seed", o.minhash.seed, "MinHash seed (results are reproducible for a given seed)")
      ->capture_default_str();
  sub->add_option("--threshold", o.lsh.threshold,
                  "Jaccard similarity (of shingle sets) at which two paragraphs count as near-duplicates")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--bands", o.lsh.bands, "LSH bands (default: chosen from --threshold and --perms)");
  sub->add_option("--rows", o.lsh.rows, "LSH rows per band (default: chosen from --threshold and --perms)");
  sub->add_flag("--no-verify", args->no_verify,
                "Trust the MinHash estimate instead of computing exact Jaccard for candidates (faster, "
                "approximate; keeps all signatures in memory)");
  sub->add_option("--threads", o.threads, "Worker threads; 0 = all cores")->capture_default_str();
  sub->add_option("--format", args->format, "Output format: text (summary), json (full report), csv (one row per member)")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->capture_default_str();
  sub->add_option("-o,--output", args->output, "Write the report to FILE instead of standard output");
  sub->add_flag("-q,--quiet", args->quiet, "No progress display and no warnings on stderr");
  sub->add_option("--top", args->top, "Clusters shown by the text format")->capture_default_str();
  sub->add_option("--color", args->color, "Colour in the text format: auto (when stdout is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  return {sub, [args] { return run(*args); }};
}

}  // namespace recur::cli
