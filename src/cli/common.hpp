#pragma once
// What every subcommand shares: the input options, the output options, the progress line.
#include <CLI/CLI.hpp>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include <iostream>

#include "recur/pipeline.hpp"
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

/// PATH..., --glob, --encoding, --simplify, --strip, --doc-split, --paragraphs.
void add_input_options(CLI::App& sub, InputOptions& input, CommonArgs& args);
/// --threads, --format, -o, --quiet, --top, --color.
void add_output_options(CLI::App& sub, unsigned& threads, CommonArgs& args);
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

/// Where a report goes: the -o file or standard output.
class Output {
 public:
  /// Opens -o (or takes stdout for "" and "-"); false with a message on stderr when it cannot.
  bool open(const std::string& path);
  std::ostream& stream() { return *out_; }
  bool is_stdout() const { return out_ == &std::cout; }
  /// Flushes; false with a message on stderr when writing failed.
  bool finish(const std::string& path);

 private:
  std::ofstream file_;
  std::ostream* out_ = &std::cout;
};

/// Callbacks wired to a progress line (progress, and warnings unless --quiet).
struct Feedback {
  std::shared_ptr<ProgressLine> line;
  ProgressFn progress;
  WarnFn warn;
};
Feedback make_feedback(bool quiet);

/// Whether the text format should use colour.
bool use_color(const CommonArgs& args, const Output& out);

/// Writes `report` (Report or PhrasesReport) in --format and returns the exit status:
/// kExitNothing when the output could not be written or no input could be read.
template <class R>
int write_report(const R& report, Output& out, const CommonArgs& args, TextOptions text) {
  if (args.format == "json") {
    write_json(report, out.stream());
  } else if (args.format == "csv") {
    write_csv(report, out.stream());
  } else {
    text.color = use_color(args, out);
    text.top = args.top;
    write_text(report, out.stream(), text);
  }
  if (!out.finish(args.output)) return kExitNothing;
  if (report.stats.files_read == 0) {
    std::cerr << "recur: nothing could be read (" << report.stats.files_skipped << " inputs skipped)\n";
    return kExitNothing;
  }
  return kExitOk;
}

}  // namespace recur::cli
