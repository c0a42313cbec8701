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
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <thread>

#include "recur/corpus.hpp"

namespace recur {

/// A stream buffer that writes into an open regular file from a given offset, for outputs of
/// gigabytes (the dense 1 GiB corpus's JSON report is 1.5 GB).
///
/// The whole pages go through `direct`, the same file opened with O_DIRECT (open_direct(); -1:
/// none), around the page cache; the partial pages at the two ends of what is written (and around
/// a seek or a flush) go through `fd`. A thread writes each full buffer while the next is filled.
/// Why: every output is synced before it is renamed into place (AtomicFile::commit), so its bytes
/// reach the disk before the run ends anyway; through the page cache they are first copied into
/// pages touched for the first time (on the 2-core VM of bench/RESULTS.md 60-300 MB/s, and two
/// writers no faster than one) and then written again by the sync, on one thread at the end. With
/// O_DIRECT the disk takes them while the report is being formatted (330-500 MB/s per writer
/// there). Where O_DIRECT is refused (tmpfs at open, an alignment a device wants larger at write)
/// everything goes through `fd`.
class PagedFileWriter : public std::streambuf {
 public:
  static constexpr std::size_t kPage = 4096;  // O_DIRECT's alignment: of offsets, lengths and buffers
  /// Writes from `offset` of the file open as `fd` (and as `direct`, or -1), in two buffers of
  /// `buffer` bytes rounded up to a page. Neither descriptor is closed here. 16 MiB by default:
  /// writing the 1.5 GB dense 1 GiB report took 1.64-1.87 s with 4 MiB and 1.46-1.57 s with 16 MiB
  /// (32 and 64 MiB no better), against 1.23 s formatting into /dev/null. A full buffer waits for
  /// the one before it to be written: with longer writes (and fewer writer threads started) the
  /// formatting threads waited less.
  PagedFileWriter(int fd, int direct, std::uint64_t offset, std::size_t buffer = std::size_t{16} << 20);
  ~PagedFileWriter() override;
  PagedFileWriter(const PagedFileWriter&) = delete;
  PagedFileWriter& operator=(const PagedFileWriter&) = delete;
  /// Bytes written so far (buffered ones included), whatever the seeks.
  std::uint64_t size() const noexcept { return written_ + static_cast<std::uint64_t>(pptr() - pbase()); }
  /// Writes what is buffered and waits for it. Returns "" or why the file could not be written.
  const std::string& finish();
  /// Whether whole pages still go around the page cache (a `direct` descriptor was given and no
  /// write through it was refused). Read after finish().
  bool writes_direct() const noexcept { return direct_ >= 0; }

 protected:
  int_type overflow(int_type ch) override;
  int sync() override;  // writes everything buffered, the partial last page too
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which) override;
  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override;

 private:
  struct Free {
    void operator()(char* p) const noexcept;
  };
  void start_at(std::uint64_t position);
  void drain();
  void wait();
  void put(int fd, const char* p, std::size_t n, std::uint64_t at);
  int fd_, direct_;
  std::uint64_t base_ = 0;     // the file position of pbase()[0]
  std::uint64_t written_ = 0;  // bytes handed to the writing thread
  std::size_t cap_ = 0;
  std::unique_ptr<char, Free> buf_[2];
  int cur_ = 0;
  std::thread writer_;
  std::string why_;  // set by the writing thread, read by the filling one after it joined
};

/// `path` opened again for writing with O_DIRECT, for PagedFileWriter's whole pages; -1 where the
/// filesystem refuses O_DIRECT, or when the environment sets RECUR_WRITE=buffered (or, as the MPI
/// identity test does, RECUR_MPI_WRITE=buffered): then everything goes through the page cache.
int open_direct(const std::string& path);

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
  void close_file() noexcept;
  std::string path_, temp_;
  std::ofstream device_;                     // a device or pipe, written in place
  int fd_ = -1, direct_fd_ = -1;             // the temporary, and it again with O_DIRECT (or -1)
  std::unique_ptr<PagedFileWriter> writer_;  // into fd_ / direct_fd_
  std::ostream out_{nullptr};                // over device_ or writer_
  int slot_ = -1;
  bool committed_ = false;
  bool in_place_ = false;  // writing into a device or pipe, not through a temporary (not O_DIRECT)
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
