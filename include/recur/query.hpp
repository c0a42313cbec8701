#pragma once
/// \file query.hpp
/// `recur query` as stages, and the seeds an archive stores (`recur index`).
///
/// An archive keeps, for every archived document, a *sample* of its alignment seeds (align.hpp's
/// seed_hashes over tokenize()): those whose hash is divisible by `sample`. The sample is chosen by
/// content, not by position, so a query samples exactly the k-grams the archive sampled wherever
/// they stand. A query document then:
///
///   tokenize ─▶ sampled_seeds ─▶ ArchiveView::lookup ─▶ boilerplate (in > max_docs documents)
///                                        │                 and shared counts per document
///                                        ▼
///                    candidates (≥ min_shared shared seeds, best max_sources)
///                                        ▼
///      align (align.hpp, boilerplate seeds ignored) ─▶ locate_span on both sides (compare.hpp)
///                                        ▼
///              templates (boilerplate only, or --base) ─▶ coverage ─▶ QueryResult
///
/// The archive is read through ArchiveView: its texts as a Source (so archived text is decoded
/// and segmented exactly as a file is), its documents, and the seed lookup. MemoryArchive is one
/// in memory; the SQLite archive (archive.hpp, recur::io) is the persistent one.
///
/// Core: reads only through the Source and the ArchiveView.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "recur/align.hpp"
#include "recur/compare.hpp"
#include "recur/fingerprint.hpp"
#include "recur/input_options.hpp"
#include "recur/progress.hpp"
#include "recur/report.hpp"
#include "recur/source.hpp"

namespace recur {

/// Default sampling rate of the archive's seeds: one seed in 8 is stored. A passage of 30 Chinese
/// characters has 25 seeds of 6, so the chance that none of them is sampled is (7/8)^25 = 3.5%;
/// the seed index is 1/8 of the size it would be with every seed.
inline constexpr unsigned kDefaultSeedSample = 8;

/// Whether the archive stores seed hash `h` (sampled by content: the same k-gram is sampled in
/// every text).
inline bool is_sampled(std::uint64_t h, unsigned sample) noexcept { return h % sample == 0; }

/// The seeds of `text` an archive stores and a query looks up: seed_hashes(text, seed) that
/// is_sampled(), sorted, without repeats.
std::vector<std::uint64_t> sampled_seeds(const TokenText& text, unsigned seed, unsigned sample);

/// The options that decide what an archive stores (and so must be the same for every `add` and
/// `query` of one archive: archive_fingerprint()).
struct ArchiveOptions {
  InputOptions input;                   ///< as for `recur report`; --encoding is kept per file
  unsigned seed = AlignOptions{}.seed;  ///< --seed: tokens per seed (default 6, as `compare`)
  unsigned sample = kDefaultSeedSample; ///< --sample: seeds whose hash is divisible by it are stored

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// The fingerprint an archive made with `options` stores (fingerprint.hpp): normalisation,
/// segmentation, --seed and --sample; the MinHash fields keep their defaults.
Fingerprint archive_fingerprint(const ArchiveOptions& options);

/// Sets the options a fingerprint records (casefold, --simplify, --strip, --doc-split,
/// --paragraphs, --seed, --sample) in `options`; the others are left as they are.
void apply_fingerprint(const Fingerprint& fingerprint, ArchiveOptions& options);

/// One document of a scanned file as an archive stores it.
struct DocumentSeeds {
  std::uint32_t index = 1;          ///< 1-based document number within the file (as FILE#N)
  std::string title;                ///< its --doc-split line; empty for a whole file or a preamble
  std::uint64_t content_chars = 0;  ///< content characters (what coverage counts)
  std::vector<std::uint64_t> seeds; ///< sampled_seeds() of its tokens
};

/// The documents of `file` with their sampled seeds, in order. Documents without content
/// characters (an empty preamble) are left out: nothing in them can be found.
std::vector<DocumentSeeds> document_seeds(const ScannedFile& file, Normalizer& normalizer, unsigned seed,
                                          unsigned sample);

/// An archived document as a query sees it.
struct ArchivedDocument {
  std::uint64_t id = 0;             ///< the archive's id for it (stable while it is archived)
  std::size_t input = 0;            ///< its file: an input number of ArchiveView::texts()
  std::uint32_t index = 1;          ///< 1-based document number within the file
  std::uint64_t content_chars = 0;
};

/// What a query reads of an archive. Implementations: MemoryArchive (below), SqliteArchive's view
/// (archive.hpp). The const methods may be called from several threads.
class ArchiveView {
 public:
  virtual ~ArchiveView() = default;

  /// The archive's name in reports (its path).
  virtual const std::string& name() const = 0;
  /// The fingerprint it was built with.
  virtual const Fingerprint& fingerprint() const = 0;
  /// The archived files: names are the paths they had when added; read() gives their original bytes.
  virtual const Source& texts() const = 0;
  /// The --encoding input `input` of texts() was added with ("auto" unless one was forced).
  virtual const std::string& encoding(std::size_t input) const = 0;
  /// The number of archived documents.
  virtual std::size_t documents() const = 0;
  /// The document with id `id`, or null.
  virtual const ArchivedDocument* document(std::uint64_t id) const = 0;
  /// For each of `hashes` (ascending, no repeats), the ids of the documents that store it, in
  /// ascending order; when there are more than `limit`, only limit + 1 of them (the caller needs to
  /// know only that there are more). `out` is resized to hashes.size().
  virtual void lookup(std::span<const std::uint64_t> hashes, std::size_t limit,
                      std::vector<std::vector<std::uint64_t>>& out) const = 0;
};

/// An archive held in memory: the same documents and seeds as the SQLite archive would store for
/// the same inputs and options. For tests, and for callers that archive a few texts on the fly.
class MemoryArchive final : public ArchiveView {
 public:
  /// Archives every input of `source` (its bytes are copied) under `options`. Inputs that cannot
  /// be read or decoded are left out and listed in skipped().
  MemoryArchive(const Source& source, const ArchiveOptions& options, std::string name = "memory");

  const std::string& name() const override { return name_; }
  const Fingerprint& fingerprint() const override { return fingerprint_; }
  const Source& texts() const override { return texts_; }
  const std::string& encoding(std::size_t) const override { return encoding_; }
  std::size_t documents() const override { return docs_.size(); }
  const ArchivedDocument* document(std::uint64_t id) const override;
  void lookup(std::span<const std::uint64_t> hashes, std::size_t limit,
              std::vector<std::vector<std::uint64_t>>& out) const override;

  /// Inputs of the source that were not archived.
  const std::vector<Skipped>& skipped() const noexcept { return skipped_; }
  /// The seeds stored for document `id` (sorted), for tests.
  std::vector<std::uint64_t> seeds_of(std::uint64_t id) const;

 private:
  std::string name_;
  Fingerprint fingerprint_;
  std::string encoding_;
  MemorySource texts_;
  std::vector<ArchivedDocument> docs_;  // id = position + 1
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> postings_;
  std::vector<Skipped> skipped_;
};

/// Every option of `recur query`.
struct QueryOptions {
  InputOptions input;  ///< how the query files are read; must match the archive (but --encoding)
  /// How passages are found; `align.seed` must be the archive's --seed.
  AlignOptions align;
  unsigned sample = kDefaultSeedSample;  ///< must be the archive's --sample
  /// Seeds stored by more than this many archived documents are boilerplate: they choose no
  /// candidate, are ignored by the alignment, and a passage whose sampled seeds are all boilerplate
  /// is a template. 0 (default): 5% of the archive's documents, at least 5 (default_max_docs()).
  /// Measured on ../shared/corpus split into its 81 reports: seeds in 6 to 8 documents (7–10%) still
  /// make stock formulations (“两学一做”学习教育…, 全市组织系统将深入学习贯彻…), while copied
  /// passages are shared by 2 to 4 documents.
  std::uint64_t max_docs = 0;
  /// An archived document is aligned with the query when it shares at least this many sampled,
  /// non-boilerplate seeds with it (default 2: one shared 6-gram is often chance).
  unsigned min_shared = 2;
  /// At most this many archived documents are aligned with each query, those sharing the most
  /// seeds first (default 50).
  unsigned max_sources = 50;
  /// As CompareOptions::template_share, for --base text (default 0.5).
  double template_share = 0.5;
  /// Worker threads for aligning (0 = all cores).
  unsigned threads = 0;

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// The --max-docs a run uses on an archive of `documents` documents: `requested` when given (not
/// 0), else 5% of the documents, at least 5.
std::uint64_t default_max_docs(std::uint64_t documents, std::uint64_t requested = 0) noexcept;

/// The archive options a query with `options` must find in the archive.
ArchiveOptions archive_options(const QueryOptions& options);

/// The candidates of one query text: archived documents sharing sampled seeds with it.
struct Candidates {
  std::vector<std::uint64_t> seeds;        ///< the query's sampled seeds (sorted)
  std::vector<std::uint64_t> boilerplate;  ///< those stored by more than max_docs documents (sorted)
  /// (document id, shared non-boilerplate seeds), most shared first, then by id; at most
  /// max_sources, each with at least min_shared.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> documents;
};

/// Looks up the sampled seeds of `tokens` in `archive` and ranks the documents sharing them.
Candidates find_candidates(const TokenText& tokens, const ArchiveView& archive, const QueryOptions& options,
                           std::uint64_t max_docs);

/// Whether a span of the query is made only of boilerplate: it contains at least one sampled seed
/// and every one of them is in `boilerplate` (sorted). `seeds` = seed_hashes(query tokens).
bool boilerplate_span(TokenSpan span, const std::vector<std::uint64_t>& seeds,
                      const std::vector<std::uint64_t>& boilerplate, unsigned seed, unsigned sample);

/// Runs `recur query`: every input of `queries` (each document, with --doc-split) against
/// `archive`; the inputs of `bases`, when given, are template text. Inputs that cannot be read are
/// listed as skipped. Throws Error(errc::usage) when the options are invalid or do not match the
/// archive's fingerprint (the sentence names the option).
QueryReport run_query(const Source& queries, const ArchiveView& archive, const QueryOptions& options,
                      const Source* bases = nullptr, const ProgressFn& progress = {}, const WarnFn& warn = {});

/// The "options" object of the query JSON (`max_docs` as used on an archive of `documents`).
nlohmann::ordered_json options_json(const QueryOptions& options, std::uint64_t documents, std::size_t bases);

/// Makes `text` (prepared by prepare_text, whole or any document) stand for its document
/// `document` (0-based): its tokens, name, number and characters, as prepare_text() would have made
/// them, without scanning the file again.
void focus_document(PreparedText& text, std::int64_t document, Normalizer& normalizer);

}  // namespace recur
