#pragma once
/// \file mpi.hpp
/// `recur report` across the ranks of an MPI job (mpirun, srun): the MPI adapter. It composes the
/// same stages as run_report (pipeline.hpp), each rank over its shard of the inputs, and exchanges
/// plain records between them. MPI adapter: built only when CMake finds MPI and Boost.MPI
/// (RECUR_MPI); the core never includes this header (tests/check_layers.py).
///
///   shard      inputs in sorted order, cut into N contiguous ranges of about equal bytes
///   index      scan + index of the rank's own inputs (index.hpp); global ids = input order
///   shuffle    band keys to their owner, (key * N) >> 32, band by band (MPI_Alltoallv, chunked)
///   lsh        the owner pairs the items of each (band, key) bucket (lsh.hpp): the same buckets
///              as one process, so the same pairs; pairs go to the owner of their first id
///   verify     the owner of a pair verifies it; the other side's shingle set (or signature) is
///              fetched from its owner (verify.hpp)
///   cluster    edges gathered on rank 0, star clustering (cluster.hpp); the second pass's pairs
///              verified by their owners as above
///   materialise members located and read back by the rank that indexed them
///   plan       rank 0 gets each member's facts (MemberFacts, 24 B, and an estimate of its bytes) and
///              the names of their documents, not the members; orders the clusters as finish_report
///              does (order_report, materialise.hpp) and cuts the clusters the format writes into
///              one contiguous block per rank, balanced by time (the blocks that are sized before
///              they are written get fewer bytes)
///   members    each member sent with its text (and its input's number, not its path) to the rank
///              that formats its cluster, in rounds of 16 MiB through one reused buffer each way.
///              Rank r + 1 formats block r, rank 0 the last block
///   write      rank 0 opens the output once every rank holds its block. When every rank can open
///              rank 0's temporary file (a shared filesystem; not for HTML), rank 0 writes the head
///              while the other ranks count their block's bytes (report_clusters_size, report.hpp),
///              then each rank formats its block (write_report_clusters, report.hpp) straight into
///              the file at its offset; else rank 0 writes the head, then the blocks in order: its
///              own formatted into its stream, the others' formatted into memory by their ranks and
///              received in pieces of at most 64 MiB; rank 0 writes the tail
///
/// The report is byte-identical to one process's for any number of ranks, apart from the stage
/// times and options.threads / options.ranks.
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <ostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "recur/corpus.hpp"
#include "recur/pipeline.hpp"

namespace recur {

/// True when this process was started by an MPI launcher: Open MPI's mpirun (OMPI_COMM_WORLD_SIZE),
/// a PMI/PMIx launcher such as Slurm's srun or MPICH's hydra (PMI_SIZE, PMIX_RANK). Reads the
/// environment only: asking does not initialise MPI, and a build without MPI can ask too.
inline bool started_by_mpi() noexcept {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (const char* v = std::getenv(name); v && *v) return true;
  return false;
}

/// What one rank did in a distributed run: for the summary on standard error and the benchmark.
struct RankFigures {
  int rank = 0;
  std::uint64_t inputs = 0, bytes = 0, paragraphs = 0;  ///< its shard
  std::uint64_t sent = 0, received = 0;                 ///< bytes exchanged with other ranks
  std::uint64_t exchange_rounds = 0;                    ///< MPI_Alltoallv calls (chunks)
  std::uint64_t peak_rss = 0;                           ///< bytes (getrusage)
  std::vector<std::pair<std::string, double>> seconds;  ///< wall seconds of its stages
};

/// MPI for the lifetime of the object: the Boost.MPI environment (MPI_Init_thread with
/// MPI_THREAD_FUNNELED: only the main thread calls MPI) and the world communicator.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const noexcept;
  int size() const noexcept;
  /// Prints `message` on standard error and ends every rank (MPI_Abort) with exit status `code`:
  /// for a failure on one rank that the others, waiting in an exchange, cannot see.
  [[noreturn]] void abort(const std::string& message, int code) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// How a distributed run writes its report. Rank 0's settings count: they are sent to the other
/// ranks (whose terminal, for one, is not the user's).
struct ReportWriting {
  enum class Format { json, csv, text, html } format = Format::json;
  TextOptions text;          ///< for Format::text, as the CLI sets them (colour, --top, excerpts)
  bool member_text = true;   ///< false: --no-text (drop_member_text, report.hpp)
  /// Rank 0: opens the output and returns where to write. Called once every rank holds what it
  /// will write (CSV, text, HTML), or, for JSON, once the clusters are ordered and planned, so that a
  /// run that fails before leaves no output nor temporary file (JSON: the members are then formatted
  /// where they were read and written as they arrive; a failure removes the temporary file).
  std::function<std::ostream&()> open;
  /// Rank 0, once open() was called: the temporary file it writes, or "" (standard output, a
  /// device). When every rank can open it (a shared filesystem), each rank writes its block into it
  /// at its offset instead of sending it to rank 0. Unset: "".
  std::function<std::string()> temp_path;
};

/// Runs `recur report` with the inputs sharded across the ranks of `session` and writes it through
/// `writing.open()` on rank 0: the bytes write_json (write_csv, write_text, write_html) writes for
/// the report of one process, apart from the stage times and options.threads / options.ranks.
/// Every rank calls it with the same options. `list` is used on rank 0 only (it is sent to the
/// others, streams included). Returns, on rank 0, the report without its clusters (counts,
/// skipped inputs, warnings); other ranks get an empty Report. `figures`, when given, receives
/// every rank's figures on rank 0 (by rank). Throws Error(errc::usage) for invalid options (on
/// every rank alike). Inputs that cannot be used are skipped and counted as in run_report.
///
/// Memory of the report stage: each rank holds the members it read back; then, for JSON into a file
/// every rank can open, the exchange's buffers (16 MiB a round each way) and the members of other
/// ranks that arrive before their turn (none at 2 ranks); otherwise the members of its block, and the
/// formatted bytes of its block too when it cannot write into rank 0's file. Two 4 MiB write buffers.
/// Rank 0 also holds 32 B per member (their facts, to order the clusters), the names of the documents
/// in clusters and one piece of at most 64 MiB while it receives blocks. The members are not freed
/// (left to the end of the process, except under a sanitizer): call it once per process.
Report run_report_distributed(const MpiSession& session, InputList list, const ReportOptions& options,
                              const ReportWriting& writing, const ProgressFn& progress = {},
                              const WarnFn& warn = {}, std::vector<RankFigures>* figures = nullptr);

}  // namespace recur
