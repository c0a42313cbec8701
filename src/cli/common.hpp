#pragma once
// What every subcommand shares: the input options, the output options, the progress line.
#include <CLI/CLI.hpp>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include <iostream>

#include "recur/align.hpp"
#include "recur/html.hpp"
#include "recur/output.hpp"
#include "recur/run.hpp"
#include "recur/report.hpp"

namespace recur::cli {

/// Exit statuses (documented in --help and README).
inline constexpr int kExitOk = 0;        ///< the run completed, even with skipped files
inline constexpr int kExitNothing = 1;   ///< nothing could be read, or an output could not be written
inline constexpr int kExitUsage = 2;     ///< invalid options or arguments

/// Arguments every command takes besides its own options.
struct CommonArgs {
  std::vector<std::string> paths;
  std::string paragraphs = "auto";
  std::string format = "text";
  std::string output;
  std::string color = "auto";
  bool quiet = false;
  std::size_t top = 10;
};

/// PATH... (unless `paths` is false), --glob, --encoding, --simplify, --strip, --doc-split, --paragraphs.
void add_input_options(CLI::App& sub, InputOptions& input, CommonArgs& args, bool paths = true);
/// --threads, --format (one of `formats`, the first the default), -o, --quiet, --top, --color.
void add_output_options(CLI::App& sub, unsigned& threads, CommonArgs& args,
                        const std::vector<std::string>& formats = {"text", "json", "csv", "html"},
                        const std::string& format_help = "Output format: text (summary), json (full report), csv, "
                                                         "html (one self-contained page to open in a browser: "
                                                         "overview, filters, differences highlighted)");
/// What compare and query align by: --base (template texts), --min-length, --max-gap,
/// --min-similarity. --seed is not here: query takes it from the archive (archive_args.hpp).
void add_align_options(CLI::App& sub, AlignOptions& align, std::vector<std::string>& bases);
/// Fills what add_input_options() could not set directly; throws Error(errc::usage).
void finish_input_options(InputOptions& input, const CommonArgs& args);

/// A one-line progress display on stderr, shown only after the run has taken a second and only
/// when stderr is a terminal; warnings are printed above it.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled);
  void update(const Progress& p);
  void clear();
  void message(const std::string& text);

 private:
  void erase();
  std::mutex mutex_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

/// Where a report goes: standard output, or the -o file written atomically (output.hpp).
class Output {
 public:
  /// Prepares -o (standard output for "" and "-"). Throws Error when the file cannot be created.
  void open(const std::string& path);
  std::ostream& stream() { return file_ ? file_->stream() : std::cout; }
  bool is_stdout() const { return !file_; }
  /// The temporary file being written, or "".
  std::string temp_path() const { return file_ ? file_->temp_path() : std::string(); }
  /// Puts the file in place (or flushes standard output); false with a message on stderr when
  /// writing failed, and then any previous file at the path is unchanged.
  bool finish();

 private:
  std::unique_ptr<AtomicFile> file_;
};

/// Lists the inputs of a command (find_inputs(), reading standard input for "-") and protects
/// them from the output (protect_inputs()): throws Error(errc::usage) when -o is an input, and
/// leaves out recur's previous report at -o. `out` must be open, so that its temporary file (which
/// a listing of its folder may meet) is not taken for an input.
InputList list_inputs(const InputOptions& input, const CommonArgs& args, const Output& out);

/// A CLI11 check that its value is a whole number in [lo, hi]: no sign, no fraction. `words` is
/// how --help and the error message describe the range ("a whole number from 1 to 1024").
CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi, const std::string& words);

/// A CLI11 check that its value is a decimal number in the range `words` describes; `ok` decides.
CLI::Validator decimal(std::function<bool(double)> ok, const std::string& words);

/// Callbacks wired to a progress line (progress, and warnings unless --quiet).
struct Feedback {
  std::shared_ptr<ProgressLine> line;
  ProgressFn progress;
  WarnFn warn;
};
Feedback make_feedback(bool quiet);

/// Characters of an excerpt in the text format: fitted to the terminal's width ($COLUMNS, else the
/// terminal's size when standard output is one, else 100 columns), leaving room for the indent.
std::size_t excerpt_width(const Output& out);

/// Whether the text format should use colour.
bool use_color(const CommonArgs& args, const Output& out);

/// Hands `big` (a report of millions of members, say) to the end of the process instead of
/// destroying it: the kernel takes a process's memory back at once, where destroying each string
/// one by one took seconds on a dense 1 GiB corpus (clang's -disable-free does the same). Builds
/// with a sanitizer free it as usual, so that leak checking stays meaningful.
template <class T, class D>
void free_at_exit(std::unique_ptr<T, D> big) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  big.reset();
#else
  static_cast<void>(big.release());
#endif
}

/// Writes `report` (Report or PhrasesReport) in --format and returns the exit status:
/// kExitNothing when the output could not be written or no input could be read. A Report's JSON is
/// formatted on `threads` threads.
template <class R>
int write_report(const R& report, Output& out, const CommonArgs& args, TextOptions text, unsigned threads = 1) {
  if (args.format == "json") {
    if constexpr (std::is_same_v<R, Report>)
      write_json(report, out.stream(), threads);
    else
      write_json(report, out.stream());
  } else if (args.format == "csv") {
    write_csv(report, out.stream());
  } else if (args.format == "html") {
    write_html(report, out.stream());
  } else {
    text.color = use_color(args, out);
    text.top = args.top == 0 ? SIZE_MAX : args.top;  // --top 0: all
    write_text(report, out.stream(), text);
  }
  if (!out.finish()) return kExitNothing;
  if (report.stats.files_read == 0) {
    std::cerr << "recur: nothing could be read (" << report.stats.files_skipped << " inputs skipped)\n";
    return kExitNothing;
  }
  return kExitOk;
}

}  // namespace recur::cli
