#pragma once
/// \file spill.hpp
/// Where the index stage keeps every indexed paragraph's shingle values (fold_shingle, verify.hpp)
/// for the verify stage, which then reads them back instead of reading, normalising and shingling
/// its paragraphs again. Those three were most of verify's work: on dense 1 GiB 1.9 M of the
/// 2.6 M paragraphs are in candidate pairs, and rebuilding their sets took 2.2 s of the stage's
/// 2.8 s. Keeping the values in memory instead would hold about 1.3 GB through the candidate
/// search, whose own peak is on top of it (over 2 GiB), so they go to a store outside the heap:
/// an unlinked temporary file (FileSpill, corpus.hpp), which the page cache keeps in memory while
/// there is room.
///
/// A store that fails (a full disk) costs only speed: the inputs whose values it did not keep are
/// read back and shingled again by the verify stage, as without a store, and the report is the same.
///
/// Core: no I/O here; the file behind FileSpill is the adapter's.
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace recur {

/// A store of 32-bit values addressed by their position (in values, not bytes). Room is reserved
/// first, then written in pieces, so that one input's values lie together however many threads
/// write at once and however large the input is. Room reserved but never written is never read.
class Spill {
 public:
  virtual ~Spill() = default;
  /// Room for `values` values: where it starts. Thread-safe.
  virtual std::uint64_t reserve(std::uint64_t values) = 0;
  /// Writes `values` at `at` (inside reserved room). False when they could not be written. Thread-safe
  /// for disjoint places.
  virtual bool write(std::uint64_t at, std::span<const std::uint32_t> values) = 0;
  /// Reads values [at, at + out.size()), written before. False when they could not be read.
  /// Thread-safe.
  virtual bool read(std::uint64_t at, std::span<std::uint32_t> out) const = 0;
};

/// A Spill in memory: for tests, and for callers that have the memory to spare.
class MemorySpill final : public Spill {
 public:
  std::uint64_t reserve(std::uint64_t values) override;
  bool write(std::uint64_t at, std::span<const std::uint32_t> values) override;
  bool read(std::uint64_t at, std::span<std::uint32_t> out) const override;

 private:
  mutable std::mutex mutex_;  // reserve() may move the values while another thread writes
  std::vector<std::uint32_t> values_;
};

}  // namespace recur
