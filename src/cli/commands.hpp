#pragma once
// Subcommands of the recur CLI. Each one registers its options on a CLI11 subcommand and returns
// the function that runs it (returning the exit status).
#include <CLI/CLI.hpp>
#include <functional>

namespace recur::cli {

/// Exit statuses (documented in --help and README).
inline constexpr int kExitOk = 0;        ///< the run completed, even with skipped files
inline constexpr int kExitNothing = 1;   ///< nothing could be read, or an output could not be written
inline constexpr int kExitUsage = 2;     ///< invalid options or arguments

/// A registered subcommand and the function that runs it once options are parsed.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// Registers `recur report` on `app`.
Command add_report_command(CLI::App& app);
/// Registers `recur phrases` on `app`.
Command add_phrases_command(CLI::App& app);

}  // namespace recur::cli
