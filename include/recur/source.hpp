#pragma once
/// \file source.hpp
/// Where a run's inputs come from. Every stage reads inputs through a Source, never through the
/// file system: the files of a directory (FileSource, corpus.hpp), texts held in memory
/// (MemorySource, below, for tests and for callers that have the bytes already), and later a
/// stored archive or one MPI rank's shard.
///
/// Inputs are numbered 0 .. count()-1. That number is the input order: paragraph ids and every
/// output follow it, so it must not depend on timing (FileSource sorts by path).
///
/// Thread safety: the const methods may be called concurrently, for the same or different inputs.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "recur/status.hpp"

namespace recur {

/// A byte range [first, second) of an input.
using ByteRange = std::pair<std::uint64_t, std::uint64_t>;

/// What an input looked like when it was read, to notice it changing before it is read again
/// (paragraph texts are read back after indexing, when they are needed).
struct FileStamp {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

/// The inputs of a run.
class Source {
 public:
  virtual ~Source() = default;

  /// The number of inputs.
  virtual std::size_t count() const noexcept = 0;
  /// The name reports give input `i` (for files, the path as recur opens it).
  virtual const std::string& name(std::size_t i) const = 0;
  /// The size of input `i` in bytes as listed (for progress; the read may find another size).
  virtual std::uint64_t size(std::size_t i) const = 0;
  /// Reads all of input `i` into `out`, reusing its capacity.
  virtual Status read(std::size_t i, std::string& out) const = 0;
  /// Reads byte ranges of input `i`: `out[k]` gets `ranges[k]`. On failure every string is empty,
  /// so no text is half read.
  virtual Status read_ranges(std::size_t i, std::span<const ByteRange> ranges,
                             std::vector<std::string>& out) const = 0;
  /// The stamp of input `i` now (a zero stamp when it cannot be read).
  virtual FileStamp stamp(std::size_t i) const = 0;
  /// Inputs named by the user that are not among the numbered ones (a missing path, a directory
  /// without matches): every run reports them as skipped, so none is lost silently.
  virtual std::span<const Skipped> problems() const noexcept { return {}; }
};

/// The listed sizes of all inputs of `source` summed: what a run's "reading" progress counts to.
std::uint64_t total_size(const Source& source);

/// Inputs held in memory: a name and the bytes of each, in the order added.
class MemorySource final : public Source {
 public:
  MemorySource() = default;
  /// Inputs from (name, bytes) pairs, in this order.
  MemorySource(std::initializer_list<std::pair<std::string, std::string>> inputs);

  /// Adds an input; returns its number.
  std::size_t add(std::string name, std::string bytes);
  /// Adds a problem reported as skipped (as a file source would for a missing path).
  void add_problem(Skipped problem) { problems_.push_back(std::move(problem)); }

  std::size_t count() const noexcept override { return inputs_.size(); }
  const std::string& name(std::size_t i) const override { return inputs_.at(i).first; }
  std::uint64_t size(std::size_t i) const override { return inputs_.at(i).second.size(); }
  Status read(std::size_t i, std::string& out) const override;
  Status read_ranges(std::size_t i, std::span<const ByteRange> ranges,
                     std::vector<std::string>& out) const override;
  FileStamp stamp(std::size_t i) const override { return {size(i), 0}; }
  std::span<const Skipped> problems() const noexcept override { return problems_; }

 private:
  std::vector<std::pair<std::string, std::string>> inputs_;
  std::vector<Skipped> problems_;
};

/// Copies byte ranges out of `bytes` (the read_ranges of sources that hold their bytes).
Status copy_ranges(std::string_view bytes, std::span<const ByteRange> ranges, std::vector<std::string>& out);

}  // namespace recur
