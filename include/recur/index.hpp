#pragma once
/// \file index.hpp
/// The index stage of `recur report`: each scanned paragraph is normalised, shingled, signed and
/// cut into LSH band keys. Only locations and band keys are kept (the text is dropped), so memory
/// grows with the number of paragraphs, not with the size of the text; the text of the few
/// paragraphs a later stage needs is read back through the Source (read_paragraphs).
///
///   Source --scan_file--> ScannedFile --Indexer::index--> FileIndex   (per input, in parallel)
///   FileIndex... --> ParagraphIndex (global ids) --take_band_keys--> candidate search (lsh.hpp)
///
/// Paragraph ids come from input order (input number, then position in the input), never from
/// timing. Core: reads only through the Source.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recur/lsh.hpp"
#include "recur/minhash.hpp"
#include "recur/options.hpp"
#include "recur/progress.hpp"
#include "recur/scan.hpp"
#include "recur/shingle.hpp"
#include "recur/spill.hpp"
#include "recur/uninitialised.hpp"

namespace recur {

/// A paragraph that was indexed: where it is, in decoded and original offsets.
struct ParagraphRecord {
  std::uint32_t number = 0;            ///< 1-based paragraph number within its input
  std::uint32_t line = 0, line_end = 0;  ///< 1-based first and last line
  std::uint32_t document : 24 = 0;     ///< 0-based document within its input
  ParagraphKind kind : 8 = ParagraphKind::body;  ///< body unless IndexSettings::keep_structure
  std::uint64_t dbegin = 0, dend = 0;  ///< decoded text [dbegin, dend)
  std::uint64_t obegin = 0, oend = 0;  ///< original bytes [obegin, oend)
};

/// Everything the index stage keeps of one input.
struct FileIndex {
  FileOutcome outcome;                  ///< read or skipped, with counts (scan.hpp)
  FileStamp stamp;                      ///< when it was read
  bool identity = true;                 ///< decoded bytes == original bytes (shifted): texts can be read back by range
  std::vector<DocumentInfo> documents;  ///< its documents (names for the report)
  std::uint32_t too_short = 0;          ///< paragraphs under min_chars: counted, not indexed
  std::array<std::uint32_t, kParagraphKinds> kinds{};  ///< paragraphs of each kind (all of them)
  /// Content characters of each document's indexed kinds (body paragraphs, short ones included).
  std::vector<std::uint64_t> document_chars;
  std::vector<ParagraphRecord> paragraphs;  ///< the indexed paragraphs, in order
  /// Folded band keys (fold_key), band-major: band b of paragraphs[k] at keys[b * paragraphs.size() + k].
  UninitialisedVector<std::uint32_t> keys;  // every value written once sized
  /// Signatures, paragraphs.size() x perms, kept only when IndexSettings::keep_signatures.
  std::vector<std::uint32_t> signatures;
  std::vector<Range> stripped;          ///< decoded offsets of --strip matches (to normalise again)
  /// Where its paragraphs' shingle values (unsorted, as shingled) start in the Spill the index stage
  /// was given (spill.hpp), or kNotSpilled: no spill, or the spill failed.
  std::uint64_t spill_at = kNotSpilled;
  /// paragraphs[k]'s values are the spill's [spill_at + shingles_at[k], spill_at + shingles_at[k + 1])
  /// (paragraphs.size() + 1 entries when spilled, else none).
  std::vector<std::uint32_t> shingles_at;
  static constexpr std::uint64_t kNotSpilled = UINT64_MAX;
  double seconds_normalize = 0, seconds_shingle = 0, seconds_sign = 0;
};

/// What indexing needs from the command's options.
struct IndexSettings {
  NormalizeOptions normalize;
  ShingleOptions shingle;
  MinHashOptions minhash;
  LshParams params;                 ///< bands x rows (resolve_params)
  unsigned min_chars = 10;          ///< shorter paragraphs (content characters) are not indexed
  bool keep_signatures = false;     ///< keep signatures (for --no-verify's estimates)
  bool keep_structure = false;      ///< index titles, headings, toc entries and bylines too

  /// The settings of `recur report`'s options.
  static IndexSettings of(const ReportOptions& options);
};

/// Indexes scanned inputs; one per thread (it holds ICU objects and scratch buffers, reused from
/// paragraph to paragraph). The MinHasher is shared.
class Indexer {
 public:
  /// `spill`, when given, receives every indexed paragraph's shingle values (FileIndex::spill_at).
  Indexer(const IndexSettings& settings, const MinHasher& hasher, Spill* spill = nullptr);

  /// Indexes `file` (ok or not; a skipped input gives an empty index with its outcome).
  /// `progress`, when given, advances by original bytes as paragraphs are done.
  FileIndex index(const ScannedFile& file, std::atomic<std::uint64_t>* progress = nullptr);

 private:
  const IndexSettings& settings_;
  const MinHasher& hasher_;
  Spill* spill_;
  Normalizer normalizer_;
  Shingler shingler_;
  std::string normalized_;
  OffsetMap map_;
  std::vector<std::uint64_t> tokens_, shingles_, band_;
  std::vector<std::uint32_t> signature_;
  UninitialisedVector<std::uint32_t> spilling_;  // values not yet written to the spill
  std::vector<Range> removed_;
};

/// Scans and indexes every input of `source` on `threads` threads: result[i] for input i.
/// `progress.done` advances by bytes of input. `spill`: as for Indexer.
std::vector<FileIndex> index_inputs(const Source& source, const ScanSettings& scan, const IndexSettings& settings,
                                    unsigned threads, ProgressCounters* progress = nullptr, Spill* spill = nullptr);

/// Band keys of all paragraphs, band-major: band b of paragraph id at data[b * count + id].
struct BandKeys {
  std::unique_ptr<std::uint32_t[]> data;  ///< uninitialised until filled: zeroing cost as much as the copy
  std::size_t count = 0;                   ///< paragraphs
  unsigned bands = 0;
  std::span<const std::uint32_t> span() const { return {data.get(), count * bands}; }
};

/// The indexed paragraphs of a run under global ids: input by input, paragraph by paragraph.
class ParagraphIndex {
 public:
  explicit ParagraphIndex(std::vector<FileIndex> files);

  /// Paragraphs indexed (ids are 0 .. size()-1).
  std::size_t size() const noexcept { return first_id_.back(); }
  /// Inputs (indexed or skipped).
  std::size_t inputs() const noexcept { return files_.size(); }
  const FileIndex& file(std::size_t input) const { return files_[input]; }
  /// The input paragraph `id` is in.
  std::uint32_t input_of(std::uint32_t id) const { return input_of_[id]; }
  /// The first id of an input's paragraphs.
  std::uint32_t first_id(std::size_t input) const { return first_id_[input]; }
  const ParagraphRecord& record(std::uint32_t id) const {
    const std::uint32_t f = input_of_[id];
    return files_[f].paragraphs[id - first_id_[f]];
  }
  /// The kept signature of paragraph `id` (IndexSettings::keep_signatures), `perms` values.
  std::span<const std::uint32_t> signature(std::uint32_t id, unsigned perms) const;

  /// All band keys gathered band-major, in parallel; each input's keys are freed once copied.
  BandKeys take_band_keys(unsigned bands, unsigned threads);

 private:
  std::vector<FileIndex> files_;
  std::vector<std::uint32_t> first_id_;  // inputs + 1
  std::vector<std::uint32_t> input_of_;  // per id
};

/// The decoded texts of `paragraphs` of input `input` (`texts[k]` for `paragraphs[k]`), read back
/// through the source: by byte range when decoding was the identity, else by decoding the input
/// again. Not ok (code `changed`) when the input's stamp differs from the one it was indexed with.
Status read_paragraphs(const Source& source, std::size_t input, const FileIndex& file, const DecodeOptions& decode,
                       std::span<const ParagraphRecord* const> paragraphs, std::vector<std::string>& texts);

/// read_paragraphs without a string per paragraph, for readers that only look at the texts:
/// `views[k]` is the text of `paragraphs[k]`, pointing into `buffer` or `texts`. When the
/// paragraphs are at least half of the input (a corpus dense with reuse), or decoding was not the
/// identity, the input is read whole into `buffer` (decoded); else the paragraphs are read by range
/// into `texts`, as read_paragraphs does. Copying each paragraph out of the file (1.9 million on
/// dense 1 GiB) was a tenth of rebuilding the shingle sets. On failure every view is empty.
Status read_paragraph_views(const Source& source, std::size_t input, const FileIndex& file, const DecodeOptions& decode,
                            std::span<const ParagraphRecord* const> paragraphs, std::string& buffer,
                            std::vector<std::string>& texts, std::vector<std::string_view>& views);

}  // namespace recur
