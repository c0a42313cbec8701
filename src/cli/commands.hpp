#pragma once
// Subcommands of the recur CLI. Each one registers its options on a CLI11 subcommand and returns
// the function that runs it (returning the exit status).
#include <CLI/CLI.hpp>
#include <functional>

#include "common.hpp"

namespace recur::cli {

/// A registered subcommand and the function that runs it once options are parsed.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// Registers `recur report` on `app`.
Command add_report_command(CLI::App& app);
/// Registers `recur phrases` on `app`.
Command add_phrases_command(CLI::App& app);
/// Registers `recur compare` on `app`.
Command add_compare_command(CLI::App& app);
/// Registers `recur index` (add, remove, list, info) on `app`.
Command add_index_command(CLI::App& app);
/// Registers `recur query` on `app`.
Command add_query_command(CLI::App& app);
/// Registers `recur synth` on `app`.
Command add_synth_command(CLI::App& app);
/// Registers `recur eval` on `app`.
Command add_eval_command(CLI::App& app);

/// `recur report` when started by mpirun or srun (report_mpi.cpp): the distributed run (mpi.hpp),
/// every rank calling this, rank 0 writing. Without MPI in the build: -1 (run as usual) for one
/// rank, Error(errc::usage) for more.
int run_report_under_mpi(const ReportOptions& options, const CommonArgs& common, TextOptions text, bool full,
                         bool no_text);

}  // namespace recur::cli
