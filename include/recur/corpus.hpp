#pragma once
/// \file corpus.hpp
/// The file-system adapter: finding input files and reading bytes. Everything else in recur
/// works on bytes in memory.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace recur {

/// An input that could not be used, with the reason (shown to the user and in JSON "skipped").
struct Skipped {
  std::string path;
  std::string reason;
};

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

/// Reads a whole file into `out`. Returns false and sets `reason` when it cannot.
bool read_file(const std::string& path, std::string& out, std::string& reason);

/// Reads an input: a file from disk, or the bytes of a stream read when it was listed.
bool read_input(const InputFile& input, std::string& out, std::string& reason);

/// read_ranges() for an input, file or stream.
bool read_input_ranges(const InputFile& input,
                       std::span<const std::pair<std::uint64_t, std::uint64_t>> ranges,
                       std::vector<std::string>& out, std::string& reason);

/// Reads byte ranges [first, second) of one file, opening it once: `out[k]` gets `ranges[k]`.
/// Returns false and sets `reason` when it cannot; `out` then holds only empty strings.
bool read_ranges(const std::string& path, std::span<const std::pair<std::uint64_t, std::uint64_t>> ranges,
                 std::vector<std::string>& out, std::string& reason);

/// A file's size and modification time, to notice a file changing during a run.
struct FileStamp {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

/// The stamp of `path`, or a zero stamp when it cannot be read.
FileStamp stamp_of(const std::string& path);

/// The stamp of an input; a stream's never changes (its bytes are held in memory).
FileStamp stamp_of(const InputFile& input);

}  // namespace recur
