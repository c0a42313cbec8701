#pragma once
/// \file archive.hpp
/// The persistent archive of `recur index` and `recur query`: one SQLite file holding the
/// original bytes of every archived file, its documents, and a seed index for lookup.
///
/// Schema (archive format 1; README "recur index" describes it for users):
///
///   | table  | one row per                                   | columns                                            |
///   | ------ | --------------------------------------------- | -------------------------------------------------- |
///   | meta   | setting                                       | key, value: format, fingerprint, created, recur_version |
///   | files  | archived file                                 | id, path (as given when added), size, hash (XXH3-128 hex of the bytes), encoding (--encoding), added (UTC ISO-8601) |
///   | texts  | archived file                                 | file, bytes: its original bytes                    |
///   | docs   | document (a file, or one --doc-split document) | id, file, idx (1-based), title (--doc-split line), chars (content characters), seeds (postings stored) |
///   | parts  | sorted run of postings                        | id, postings, first_block, blocks, directory (largest hash of each block) |
///   | blocks | up to 320 postings of a part                  | id, data: hashes (8 bytes each) then document ids (4 bytes each), sorted by (hash, document) |
///
/// A posting is (seed hash, document id): the document stores that sampled seed (query.hpp). The
/// postings form a log-structured index: each batch of added files becomes a new part, written
/// sequentially, and parts of a size tier are merged when there are 8 of them, so adding never
/// inserts at random into a large B-tree (measured: 31,000 random inserts/s with one transaction
/// per file, against sequential blocks at disk speed). A lookup binary-searches each part's
/// directory and reads one block.
///
/// Safety: every change is an SQLite transaction (WAL mode, synchronous NORMAL). An add commits
/// whole files in batches (at most `AddSettings::batch_bytes` of text each), so an interrupted or
/// killed add leaves the archive as it was after its last batch: whole documents, never part of one.
/// Readers (`query`) see a consistent snapshot while an add writes.
///
/// I/O adapter (recur::io).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recur/fingerprint.hpp"
#include "recur/progress.hpp"
#include "recur/query.hpp"
#include "recur/source.hpp"
#include "recur/status.hpp"

struct sqlite3;

namespace recur {

/// Version of the archive's schema (tables and block layout). Raised when they change; an archive
/// of a newer format is refused ("use a newer recur"), an older one must be rebuilt.
inline constexpr int kArchiveFormat = 1;

/// An archived document, as `recur index list` shows it.
struct ArchiveDocumentInfo {
  std::uint64_t id = 0;
  std::string path;                  ///< the file's path when it was added
  std::uint32_t index = 1;           ///< 1-based document number within the file
  std::string title;                 ///< its --doc-split line (empty for a whole file)
  std::uint64_t file_size = 0;       ///< bytes of the file
  std::uint64_t content_chars = 0;
  std::uint64_t seeds = 0;           ///< postings stored for it
  std::string added;                 ///< UTC ISO-8601
};

/// What `recur index info` shows.
struct ArchiveInfo {
  std::string path;
  int format = kArchiveFormat;
  Fingerprint fingerprint;
  std::string created;               ///< UTC ISO-8601
  std::string created_by;            ///< recur version that created it
  std::uint64_t files = 0, documents = 0, text_bytes = 0, content_chars = 0;
  std::uint64_t postings = 0, parts = 0, blocks = 0;
  std::uint64_t page_size = 0, pages = 0, free_pages = 0;
  std::uint64_t bytes_on_disk = 0;   ///< the database file and its write-ahead log
};

/// How an add runs (what it stores is ArchiveOptions).
struct AddSettings {
  unsigned threads = 0;                            ///< reading and seeding threads (0 = all cores)
  std::uint64_t batch_bytes = std::uint64_t{64} << 20;  ///< text per transaction (default 64 MiB)
  ProgressFn progress;                             ///< "adding": bytes of input
  WarnFn warn;                                     ///< files skipped, encodings guessed
  /// Polled between files: when it returns non-zero, the files done so far are committed and
  /// add() returns with `interrupted` set to that value (a signal number).
  std::function<int()> stop;
};

/// What an add did.
struct AddSummary {
  std::uint64_t files = 0;       ///< inputs seen
  std::uint64_t added = 0;       ///< new files archived
  std::uint64_t replaced = 0;    ///< files whose content changed: old documents replaced
  std::uint64_t unchanged = 0;   ///< same path and content hash: nothing done
  std::uint64_t documents = 0;   ///< documents archived (added and replaced files)
  std::uint64_t bytes = 0;       ///< bytes of the files archived
  std::uint64_t postings = 0;    ///< postings written
  std::vector<Skipped> skipped;  ///< inputs that could not be archived
  std::vector<std::string> warnings;
  int interrupted = 0;           ///< the signal that stopped it (AddSettings::stop), else 0
  std::vector<std::pair<std::string, double>> seconds;
};

/// What a removal did.
struct RemoveSummary {
  std::uint64_t files = 0, documents = 0, postings = 0;
  std::vector<std::string> removed;    ///< paths removed
  std::vector<std::string> not_found;  ///< arguments that matched no archived path
};

/// A consistency check of the archive (for tests and `recur index info --check`).
struct ArchiveCheck {
  std::string integrity;              ///< PRAGMA integrity_check: "ok" when sound
  std::uint64_t documents = 0;        ///< documents checked
  /// Documents whose postings in the index differ from docs.seeds or from the seeds recomputed
  /// from their stored text: "path#N: ...".
  std::vector<std::string> problems;
  bool ok() const { return integrity == "ok" && problems.empty(); }
};

/// An open archive.
class Archive {
 public:
  /// Opens the archive at `path` read-only (SQLITE_OPEN_READONLY: the file is never written).
  /// Throws Error(errc::input) with a sentence when there is no file, it is not a recur archive, or
  /// it has a newer format.
  static std::unique_ptr<Archive> open_read(const std::string& path);
  /// Opens the archive at `path` for writing. With `create` and no file at `path`, creates one that
  /// will store `options` (nothing is written before the first add). Errors as open_read().
  static std::unique_ptr<Archive> open_write(const std::string& path, bool create = false,
                                             const ArchiveOptions& options = {});
  ~Archive();
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  const std::string& path() const noexcept { return path_; }
  /// The fingerprint stored in the archive (for a new archive: the one it will store).
  const Fingerprint& fingerprint() const noexcept { return fingerprint_; }
  /// Whether the archive already exists on disk (false for a new one before its first add).
  bool exists() const noexcept { return initialised_; }

  /// Archives the inputs of `files` under `options`: new files are added, files archived before
  /// under the same path are skipped when their content hash is the same and replaced when it is
  /// not. Throws Error(errc::usage) naming the option when `options` do not match the archive.
  AddSummary add(const Source& files, const ArchiveOptions& options, const AddSettings& settings = {});

  /// Removes the archived files whose path is one of `paths`, or lies under one of them (a
  /// folder), with their documents, texts and postings, in one transaction.
  RemoveSummary remove(const std::vector<std::string>& paths);

  /// The archived documents, by path then document number.
  std::vector<ArchiveDocumentInfo> list() const;
  /// Counts and sizes.
  ArchiveInfo info() const;
  /// Runs PRAGMA integrity_check and checks that every document's postings are all there: their
  /// count in the index equals docs.seeds and the seeds recomputed from its stored text.
  ArchiveCheck check() const;

  /// A snapshot for queries: what the archive holds now, unchanged by later adds (a read
  /// transaction held until the view is destroyed). The Archive must outlive it.
  std::unique_ptr<ArchiveView> view() const;

 private:
  Archive() = default;
  void initialise(const ArchiveOptions& options);
  void load_meta();

  std::string path_;
  sqlite3* db_ = nullptr;
  bool read_only_ = true;
  bool initialised_ = false;
  Fingerprint fingerprint_;
};

}  // namespace recur
