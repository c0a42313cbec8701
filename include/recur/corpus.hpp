#pragma once
/// \file corpus.hpp
/// The file-system adapter: finding input files and reading bytes. Everything else in recur
/// works on bytes in memory.
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "recur/source.hpp"
#include "recur/spill.hpp"
#include "recur/status.hpp"

namespace recur {

/// A file to read, with what stat() said when it was found.
struct InputFile {
  std::string path;          ///< as recur opens it: the argument, or argument / relative path
  std::uint64_t size = 0;
  /// The file's identity (st_dev, st_ino of the file a link leads to), so that an output path can
  /// be recognised as one of the inputs whatever name or link leads to it. 0/0 for a stream.
  std::uint64_t device = 0, inode = 0;
  /// The bytes of a stream input (standard input, a pipe), read once when it was listed because a
  /// stream cannot be read twice; null for files, which are read when needed.
  std::shared_ptr<const std::string> data;
};

/// The result of find_inputs().
struct InputList {
  std::vector<InputFile> files;   ///< sorted by path (bytewise), no duplicates
  std::vector<Skipped> problems;  ///< arguments that do not exist, directories without matches, ...
};

/// Expands `paths`: a file is taken as it is (whatever its name); a directory is searched
/// recursively for regular files whose name matches `glob` (fnmatch, e.g. "*.txt"). Symbolic links
/// to files are followed, links to directories are not (no cycles). Never throws for missing or
/// unreadable paths: they go to `problems`.
///
/// Streams are read at once, since they cannot be read twice: the argument "-" is standard input,
/// listed under the name `stdin_name`; a pipe or character device named as an argument (a named
/// pipe, /dev/stdin, a shell's <(...)) is listed under its own name.
InputList find_inputs(const std::vector<std::string>& paths, const std::string& glob,
                      const std::string& stdin_name = "-");

/// Reads a whole file into `out`.
Status read_file(const std::string& path, std::string& out);

/// Reads an input: a file from disk, or the bytes of a stream read when it was listed.
Status read_input(const InputFile& input, std::string& out);

/// read_ranges() for an input, file or stream.
Status read_input_ranges(const InputFile& input, std::span<const ByteRange> ranges, std::vector<std::string>& out);

/// Reads byte ranges [first, second) of one file, opening it once: `out[k]` gets `ranges[k]`.
/// On failure `out` holds only empty strings.
Status read_ranges(const std::string& path, std::span<const ByteRange> ranges, std::vector<std::string>& out);

/// The stamp of `path`, or a zero stamp when it cannot be read.
FileStamp stamp_of(const std::string& path);

/// The stamp of an input; a stream's never changes (its bytes are held in memory).
FileStamp stamp_of(const InputFile& input);

/// The Source over listed inputs: files are read from disk when a stage asks, streams from the
/// bytes read when they were listed. `list.problems` are its problems().
class FileSource final : public Source {
 public:
  explicit FileSource(InputList list) : list_(std::move(list)) {}
  const InputList& list() const noexcept { return list_; }

  std::size_t count() const noexcept override { return list_.files.size(); }
  const std::string& name(std::size_t i) const override { return list_.files.at(i).path; }
  std::uint64_t size(std::size_t i) const override { return list_.files.at(i).size; }
  Status read(std::size_t i, std::string& out) const override { return read_input(list_.files.at(i), out); }
  Status read_ranges(std::size_t i, std::span<const ByteRange> ranges,
                     std::vector<std::string>& out) const override {
    return read_input_ranges(list_.files.at(i), ranges, out);
  }
  FileStamp stamp(std::size_t i) const override { return stamp_of(list_.files.at(i)); }
  std::span<const Skipped> problems() const noexcept override { return list_.problems; }

 private:
  InputList list_;
};

/// A Spill (spill.hpp) in a temporary file of directory `dir` that has no name: it is unlinked
/// from the start (O_TMPFILE, else mkstemp and unlink), so no run leaves it behind, whatever ends
/// the run. Its room is reserved by position, so room never written takes no disk space (a hole).
/// The page cache keeps its pages in memory while there is room; they are not the process's.
class FileSpill final : public Spill {
 public:
  /// The spill, or null with `error` saying why (no such directory, not writable).
  static std::unique_ptr<FileSpill> create(const std::string& dir, std::string& error);
  ~FileSpill() override;
  FileSpill(const FileSpill&) = delete;
  FileSpill& operator=(const FileSpill&) = delete;

  std::uint64_t reserve(std::uint64_t values) override;
  bool write(std::uint64_t at, std::span<const std::uint32_t> values) override;
  bool read(std::uint64_t at, std::span<std::uint32_t> out) const override;

 private:
  explicit FileSpill(int fd) : fd_(fd) {}
  int fd_;
  std::atomic<std::uint64_t> end_{0};  // values reserved
};

/// Where temporary files go when the user does not say: $TMPDIR, else /tmp.
std::string default_temp_dir();

}  // namespace recur
