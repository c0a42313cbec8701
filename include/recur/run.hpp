#pragma once
/// \file run.hpp
/// The commands over files and directories: lists them (corpus.hpp) and runs the pipeline
/// (pipeline.hpp) over a FileSource. I/O adapter.
#include <memory>
#include <string>
#include <vector>

#include "recur/corpus.hpp"
#include "recur/pipeline.hpp"

namespace recur {

/// Runs the report over `inputs` (files or directories, "-" for standard input).
Report run_report(const std::vector<std::string>& inputs, const ReportOptions& options,
                  const ProgressFn& progress = {}, const WarnFn& warn = {});

/// The same over inputs already listed (find_inputs()), e.g. after the caller has checked them
/// against its output path; `list.problems` become skipped entries.
Report run_report(InputList list, const ReportOptions& options, const ProgressFn& progress = {},
                  const WarnFn& warn = {});

/// The spill (spill.hpp) of a `recur report` run with `options`: a FileSpill in --temp-dir, else
/// in default_temp_dir(). Null with --no-verify, or when the default directory fails (`warn` is
/// told; the run then reads paragraphs back instead: slower, the same report). Throws
/// Error(errc::usage) when the --temp-dir directory fails.
std::unique_ptr<Spill> report_spill(const ReportOptions& options, const WarnFn& warn);

/// Runs `recur phrases` over `inputs` (files or directories).
PhrasesReport run_phrases(const std::vector<std::string>& inputs, const PhrasesOptions& options,
                          const ProgressFn& progress = {}, const WarnFn& warn = {});

/// The same over inputs already listed (find_inputs()); `keep` as for the Source overload
/// (pipeline.hpp).
PhrasesReport run_phrases(InputList list, const PhrasesOptions& options, const ProgressFn& progress = {},
                          const WarnFn& warn = {}, PhrasesWorkPtr* keep = nullptr);

}  // namespace recur
