#pragma once
/// \file corpus.hpp
/// The file-system adapter: finding input files and reading bytes. Everything else in recur
/// works on bytes in memory.
#include <cstdint>
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
InputList find_inputs(const std::vector<std::string>& paths, const std::string& glob);

/// Reads a whole file into `out`. Returns false and sets `reason` when it cannot.
bool read_file(const std::string& path, std::string& out, std::string& reason);

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

}  // namespace recur
