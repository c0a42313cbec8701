#pragma once
/// \file pipeline.hpp
/// `recur report` as a library call: reads the inputs and runs every stage
/// (decode, strip, segment, normalise, shingle, sign, band, verify, cluster) on all cores.
///
/// Paragraph ids come from input order (sorted paths, then position in the file), never from
/// timing, and stages exchange plain records, so the same stages can later run sharded across
/// processes.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "recur/options.hpp"
#include "recur/report.hpp"

namespace recur {

/// What a progress callback is told.
struct Progress {
  const char* stage = "";      ///< "reading", "candidates", "verifying", "clustering", "writing"
  std::uint64_t done = 0;      ///< units done (bytes while reading, pairs while verifying, ...)
  std::uint64_t total = 0;     ///< units in all, 0 when unknown
};

/// Called about four times a second from a helper thread while the run goes on.
using ProgressFn = std::function<void(const Progress&)>;
/// Called once per warning (a file skipped, an encoding guessed), from the calling thread, in
/// input order.
using WarnFn = std::function<void(const std::string&)>;

/// The number of threads `threads` means (0 = hardware concurrency, at least 1).
unsigned effective_threads(unsigned threads) noexcept;

/// Runs the whole report over `inputs` (files or directories). Throws Error(errc::usage) for
/// invalid options; bad input files are reported in Report::skipped, never thrown.
Report run_report(const std::vector<std::string>& inputs, const ReportOptions& options,
                  const ProgressFn& progress = {}, const WarnFn& warn = {});

/// The same over inputs already listed (find_inputs()), e.g. after the caller has checked them
/// against its output path; `list.problems` become skipped entries.
Report run_report(InputList list, const ReportOptions& options, const ProgressFn& progress = {},
                  const WarnFn& warn = {});

/// The "options" object of the JSON report: every effective option.
nlohmann::ordered_json options_json(const ReportOptions& options, LshParams params, unsigned threads);

/// Runs `recur phrases` over `inputs` (files or directories). Throws Error(errc::usage) for
/// invalid options and Error(errc::input) when the corpus is too large or too repetitive for the
/// suffix array; bad input files are reported in PhrasesReport::skipped.
PhrasesReport run_phrases(const std::vector<std::string>& inputs, const PhrasesOptions& options,
                          const ProgressFn& progress = {}, const WarnFn& warn = {});

/// The same over inputs already listed (find_inputs()).
PhrasesReport run_phrases(InputList list, const PhrasesOptions& options, const ProgressFn& progress = {},
                          const WarnFn& warn = {});

/// The "options" object of the phrases JSON: every effective option.
nlohmann::ordered_json options_json(const PhrasesOptions& options, unsigned threads);


}  // namespace recur
