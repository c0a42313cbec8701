// `recur report` under mpirun or srun (recur/mpi.hpp): every rank runs the distributed pipeline,
// rank 0 lists the inputs and writes the report. A build without MPI refuses to run as several
// ranks, since each would run the whole report and write the same output.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "recur/error.hpp"
#include "recur/mpi.hpp"
#include "recur/output.hpp"

namespace recur::cli {

#if RECUR_HAVE_MPI

namespace {

// "rank 1: 2 inputs, 48.1 MB, 190320 paragraphs; index 10.2 s, ...; sent 10.1 MiB, received 9.8 MiB
// in 35 rounds; peak 410 MiB": what each rank did, for tuning a cluster run.
void print_figures(const std::vector<RankFigures>& figures) {
  for (const RankFigures& f : figures) {
    std::fprintf(stderr, "recur: rank %d: %llu inputs, %.1f MB, %llu paragraphs;", f.rank,
                 static_cast<unsigned long long>(f.inputs), static_cast<double>(f.bytes) / 1e6,
                 static_cast<unsigned long long>(f.paragraphs));
    for (const auto& [name, s] : f.seconds)
      if (name != "total") std::fprintf(stderr, " %s %.2f s,", name.c_str(), s);
    std::fprintf(stderr, " sent %.1f MiB, received %.1f MiB in %llu rounds; peak %.0f MiB\n",
                 static_cast<double>(f.sent) / 1048576.0, static_cast<double>(f.received) / 1048576.0,
                 static_cast<unsigned long long>(f.exchange_rounds), static_cast<double>(f.peak_rss) / 1048576.0);
  }
}

}  // namespace

int run_report_under_mpi(const ReportOptions& o, const CommonArgs& common, TextOptions text, bool full,
                         bool no_text) {
  MpiSession mpi;
  const std::string who = "recur report: rank " + std::to_string(mpi.rank()) + " of " + std::to_string(mpi.size());
  try {
    InputList inputs;
    ReportWriting writing;  // rank 0's; the run sends it to the others
    Output out;
    // Open MPI gives rank 0 a pseudo-terminal for standard output whatever the user's is: colour
    // only when asked for (--color always), so a redirected report has no escape codes.
    CommonArgs args = common;
    if (args.color == "auto") args.color = "never";
    if (mpi.rank() == 0) {  // only rank 0 lists the inputs and writes
      // -o is tried before the run (a bad path fails fast) but its temporary file is removed
      // until every rank has formatted its part: a rank killed mid-run leaves nothing.
      Output probe;
      probe.open(common.output);
      inputs = list_inputs(o.input, common, probe);
      using F = ReportWriting::Format;
      writing.format = args.format == "json" ? F::json : args.format == "csv" ? F::csv : args.format == "html" ? F::html : F::text;
      text.excerpt_chars = full ? SIZE_MAX : excerpt_width(probe);
      text.color = use_color(args, probe);
      text.top = args.top == 0 ? SIZE_MAX : args.top;  // --top 0: all
      writing.text = text;
      writing.member_text = !no_text;
      writing.open = [&]() -> std::ostream& {
        out.open(common.output);
        return out.stream();
      };
      writing.temp_path = [&] { return out.temp_path(); };
    }
    Feedback fb = make_feedback(common.quiet || mpi.rank() != 0);
    std::vector<RankFigures> figures;
    const Report report = run_report_distributed(mpi, std::move(inputs), o, writing, fb.progress, fb.warn, &figures);
    fb.line->clear();
    if (mpi.rank() != 0) return kExitOk;
    if (!common.quiet) print_figures(figures);
    if (!out.finish()) return kExitNothing;
    if (report.stats.files_read == 0) {
      std::cerr << "recur: nothing could be read (" << report.stats.files_skipped << " inputs skipped)\n";
      return kExitNothing;
    }
    return kExitOk;
  } catch (const Error& e) {
    mpi.abort(who + ": " + e.what(), e.code() == errc::usage ? kExitUsage : kExitNothing);
  } catch (const Interrupted& e) {
    mpi.abort(who + ": interrupted; no output written", 128 + e.signal);
  } catch (const std::exception& e) {
    mpi.abort(who + ": internal error: " + e.what() + "; no output written", 3);
  }
}

#else

int run_report_under_mpi(const ReportOptions&, const CommonArgs&, TextOptions, bool, bool) {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* v = std::getenv(name); v && std::atoi(v) > 1)
      throw Error(errc::usage,
                  "this recur was built without MPI (RECUR_MPI): under mpirun or srun every rank would run the "
                  "whole report; run it as one process, or build recur where MPI and Boost.MPI are installed");
  return -1;  // one rank: run as usual
}

#endif

}  // namespace recur::cli
