#pragma once
/// \file output.hpp
/// The output adapter: files and folders written so that no user data is ever lost.
///
/// - An output is written under a temporary name next to its final path and renamed into place
///   only when complete (AtomicFile, AtomicFolder). A reader never sees half a report, and a run
///   that fails or is interrupted leaves the previous file, if any, unchanged and no temporary
///   behind.
/// - An output is never one of the run's inputs (protect_inputs()).
/// - SIGINT, SIGTERM and SIGHUP remove the temporaries and end the process with 128 + the signal
///   number (130 after Ctrl-C), once install_interrupt_handlers() has run.
#include <atomic>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>

#include "recur/corpus.hpp"

namespace recur {

/// A file written under a temporary name in the folder of its final path, then renamed into
/// place by commit(). If `path` is a symbolic link, the file it leads to is replaced (the link
/// stays). The new file keeps the permissions of the file it replaces (else 0666 less the umask).
class AtomicFile {
 public:
  /// Creates the temporary file. Throws Error(errc::io) with a message naming `path` when its
  /// folder cannot be written, and Error(errc::usage) when `path` is a directory.
  ///
  /// An existing path that is not a regular file (a character device such as /dev/null or
  /// /dev/stdout, a named pipe) cannot be replaced: renaming over it would destroy the device node.
  /// It is written directly instead, and commit() only flushes.
  explicit AtomicFile(const std::string& path);
  /// Discards the temporary unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Where to write.
  std::ostream& stream() { return out_; }
  /// Flushes, syncs and renames the temporary over the final path. Throws Error(errc::io) naming
  /// the path when writing failed (the temporary is then removed and the old file kept).
  void commit();
  /// Removes the temporary; the final path is left as it was. Safe to call twice.
  void discard() noexcept;
  /// The path that commit() replaces (a symbolic link followed).
  const std::string& path() const noexcept { return path_; }
  /// The temporary's path, while it exists.
  const std::string& temp_path() const noexcept { return temp_; }

 private:
  std::string path_, temp_;
  std::ofstream out_;
  int slot_ = -1;
  bool committed_ = false;
  bool direct_ = false;  // writing into a device or pipe, not through a temporary
};

/// A folder generated under a temporary name next to its final path, then moved into place by
/// commit(). Used by `recur synth`: an interrupted generation leaves nothing behind.
class AtomicFolder {
 public:
  /// Refuses (Error(errc::usage)) a final path that is a non-empty folder unless `replace`, or that
  /// is not a folder; then creates the temporary folder. Throws Error(errc::io) when it cannot.
  AtomicFolder(const std::string& path, bool replace);
  /// Removes the temporary folder and everything in it unless commit() succeeded.
  ~AtomicFolder();
  AtomicFolder(const AtomicFolder&) = delete;
  AtomicFolder& operator=(const AtomicFolder&) = delete;

  /// The temporary folder to write into.
  const std::string& temp_path() const noexcept { return temp_; }
  /// Moves the temporary folder to the final path. A folder already there (empty, or any when
  /// `replace` was given) is removed only after the new one is in place.
  void commit();

 private:
  std::string path_, temp_;
  bool replace_ = false;
  bool committed_ = false;
};

/// Installs handlers for SIGINT, SIGTERM and SIGHUP. A signal removes the temporaries of every
/// uncommitted AtomicFile, prints "recur: interrupted" on stderr and ends the process with status
/// 128 + signal number, unless an InterruptScope is alive: then it only sets a flag.
void install_interrupt_handlers();

/// While alive, a signal does not end the process: it sets a flag that long-running work polls
/// with interrupt_requested(), so that it can clean up what a signal handler cannot (a folder).
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

/// The signal received while an InterruptScope was alive, or 0.
int interrupt_requested() noexcept;

/// Thrown by work that saw interrupt_requested(); the CLI turns it into exit status 128 + signal.
struct Interrupted {
  int signal = 0;
};

/// Protects the inputs of a run from its output `output` (a path; "" and "-" mean standard output
/// and are always fine). When `output` is the same file as one of `inputs.files`, by device and
/// inode, whatever name or link leads to it:
/// - if the file begins like a report recur writes (looks_like_recur_output() in report.hpp), it
///   is recur's previous report: it is taken out of the inputs, listed in `inputs.problems` with the
///   reason, and will be replaced;
/// - otherwise throws Error(errc::usage) naming the file: recur never writes over an input.
void protect_inputs(const std::string& output, InputList& inputs);

/// Throws Error(errc::usage) when `output` is the same existing file as `input` (`what` names the
/// option that read it, e.g. "--exclude").
void refuse_same_file(const std::string& output, const std::string& input, const std::string& what);

}  // namespace recur
