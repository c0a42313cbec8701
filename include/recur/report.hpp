#pragma once
/// \file report.hpp
/// The report model and its writers (text, JSON, CSV). Writers take a std::ostream; they never
/// open files.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "recur/scan.hpp"
#include "recur/status.hpp"

namespace recur {

/// One paragraph in a cluster, located in the user's original file.
struct Member {
  std::string path;              ///< as opened
  std::string document;          ///< document name: the --doc-split line, else the path
  std::uint32_t document_index = 0;  ///< 1-based document number within the file
  std::uint32_t paragraph = 0;   ///< 1-based paragraph number within the file
  std::uint32_t line = 0;        ///< 1-based first line
  std::uint32_t line_end = 0;    ///< 1-based last line
  std::uint64_t byte_start = 0;  ///< offset of the first byte in the original file
  std::uint64_t byte_end = 0;    ///< offset one past the last byte
  double similarity = 0;         ///< exact Jaccard with the representative (1 for it)
  std::string text;              ///< the original bytes [byte_start, byte_end), decoded to well-formed UTF-8
  ParagraphKind kind = ParagraphKind::body;  ///< body, unless --structure keep
  std::uint64_t content_chars = 0;  ///< content characters of `text` (punctuation and spaces not counted)
  /// The bytes JSON's escapes add to `text` (json_escape_extra), when known: set with the text by
  /// make_member, so that a writer need not scan the text again to size it (an MPI rank's block)
  /// or to copy it when nothing needs escaping. Unknown: the writer scans.
  std::optional<std::uint64_t> text_json_extra;
};

/// A cluster of near-duplicate paragraphs. members[representative] is the representative.
struct ReportCluster {
  std::uint32_t id = 0;  ///< 1-based, in output order
  std::uint32_t representative = 0;
  /// Reused content characters: the members' content characters less the representative's (what
  /// --sort weight orders by).
  std::uint64_t weight = 0;
  std::vector<Member> members;
};

/// Counts for the whole run: the corpus counts every command shares (files, files_read,
/// files_skipped, documents, paragraphs, bytes; files == files_read + files_skipped and
/// skipped.size() == files_skipped), then the report's own.
struct Stats : CorpusStats {
  std::uint64_t paragraphs_too_short = 0, paragraphs_indexed = 0, candidate_pairs = 0, verified_pairs = 0,
                clusters = 0, clustered_paragraphs = 0, truncated_buckets = 0;
  /// Clusters left out by --cross-doc because all their members are in one document.
  std::uint64_t clusters_single_document = 0;
  /// Paragraphs of each kind (ParagraphKind order: body, title, heading, toc, byline); only body
  /// paragraphs are indexed unless --structure keep.
  std::array<std::uint64_t, kParagraphKinds> paragraphs_by_kind{};
  /// Stage name and seconds, in pipeline order.
  std::vector<std::pair<std::string, double>> seconds;
};

/// One document's side of a DocumentPair.
struct DocumentShare {
  std::string path;
  std::string document;              ///< its --doc-split line, or the path
  std::uint32_t document_index = 0;  ///< 1-based within the file
  std::uint64_t paragraphs = 0;      ///< its paragraphs in clusters shared with the other document
  std::uint64_t chars = 0;           ///< their content characters
  double share = 0;                  ///< chars / the document's content characters (body paragraphs)
};

/// Two documents that share clustered paragraphs: how much of each is in clusters with the other.
struct DocumentPair {
  DocumentShare a, b;  ///< a before b in input order
};

/// Everything a `recur report` run produced.
struct Report {
  std::string version;
  nlohmann::ordered_json options;  ///< every effective option
  Stats stats;
  std::vector<Skipped> skipped;
  std::vector<std::string> warnings;  ///< per-file notes (encoding guessed, bytes replaced)
  /// Pairs of documents sharing clustered paragraphs, most shared characters first.
  std::vector<DocumentPair> documents;
  std::vector<ReportCluster> clusters;
  /// Whether members carry their text (default true). `recur report --no-text` clears the texts
  /// and sets this false: the JSON members then have no "text" and the CSV's text column is empty,
  /// for large runs where the texts would be bigger than the input.
  bool member_text = true;
};

/// Clears every member's text and sets report.member_text false (--no-text).
void drop_member_text(Report& report);

/// Writes the JSON contract (see README). Byte-identical for identical reports, at any number of
/// `threads` (the clusters are formatted in pieces on that many threads and written in order).
void write_json(const Report& report, std::ostream& out, unsigned threads = 1);

/// True when `head`, the first bytes of a file, begin the way every report recur writes begins
/// (report or phrases; JSON, CSV or text): how recur recognises its own previous output at an
/// output path that is also an input, so that it replaces it instead of reading it.
bool looks_like_recur_output(std::string_view head) noexcept;

/// Writes one CSV row per cluster member (RFC 4180 quoting), with a header row.
void write_csv(const Report& report, std::ostream& out);

/// Terminal summary settings.
struct TextOptions {
  /// ANSI colours: differences from the representative in red (deleted) and green (inserted);
  /// without colour they are marked [-deleted-]{+inserted+}, as wdiff does.
  bool color = false;
  std::size_t top = 10;          ///< clusters shown in full (default 10)
  std::size_t members = 5;       ///< members shown per cluster (default 5)
  std::size_t excerpt_chars = 60;  ///< characters of each excerpt (default 60); SIZE_MAX: whole paragraphs
  std::size_t document_pairs = 10;  ///< document pairs shown in the summary (default 10)
};

/// Writes a human summary: counts, the largest clusters with excerpts, skipped files.
void write_text(const Report& report, std::ostream& out, const TextOptions& options);

/// A report written in parts, for a run whose clusters are formatted where they are (the MPI run,
/// mpi.hpp): write_json(report, out) (write_csv, write_text alike) writes exactly
/// write_report_head(report, f, o, report.clusters.size(), out), then write_report_clusters() of
/// any contiguous runs of the clusters in order, then write_report_tail(). Each part may be
/// written from a Report that holds only its own clusters (the head and tail read none).
enum class ReportFormat { json, csv, text };

/// Everything before the first cluster; `total` is the number of clusters in the whole report.
void write_report_head(const Report& report, ReportFormat format, const TextOptions& options, std::size_t total,
                       std::ostream& out);
/// The clusters of `report`, which are the whole report's from index `first` on (0-based). For
/// text, only those among the first options.top are written (clusters_written()).
void write_report_clusters(const Report& report, ReportFormat format, const TextOptions& options, std::size_t first,
                           std::ostream& out);
/// The number of bytes write_report_clusters(report, format, options, first, out) writes, without
/// writing them (the MPI run's offsets of its blocks in the output). For JSON it is counted field
/// by field, with no text copied (about half the time of formatting the block: 0.55 against
/// 1.05-1.1 s for half the dense 1 GiB corpus's report); the other formats are
/// formatted into a counter.
std::uint64_t report_clusters_size(const Report& report, ReportFormat format, const TextOptions& options,
                                   std::size_t first);
/// JSON only, a block's bytes from its parts (what an MPI rank needs to know where every block
/// starts before any is formatted): write_report_clusters writes, for a cluster, its frame
/// (json_cluster_frame_size: its fields and the separators between its members; `first`: the
/// report's first cluster) plus each member's object (json_member_size, with or without its text).
std::uint64_t json_member_size(const Member& m, bool member_text);
std::uint64_t json_cluster_frame_size(std::uint32_t id, std::size_t size, std::uint32_t representative,
                                      std::uint64_t weight, bool first);
/// JSON only, a block's bytes assembled from members formatted elsewhere (an MPI rank formats the
/// members it read and sends their bytes to the rank whose block holds them). For each cluster:
/// append_json_cluster_open, then per member append_json_member_separator (first: member 0) and
/// the member's append_json_member, then append_json_cluster_close. Together they append exactly
/// what write_report_clusters writes.
void append_json_cluster_open(std::string& out, std::uint32_t id, std::size_t size, std::uint32_t representative,
                              std::uint64_t weight, bool first);
void append_json_member_separator(std::string& out, bool first);
void append_json_cluster_close(std::string& out, std::size_t size);
/// A member's object begins with its path and its document's name, the same bytes for every member
/// of that document (json_member_head: a writer of many members formats them once per document,
/// and does not read each member's own copies of the names). append_json_member appends the object
/// of `m`, whose json_member_head(m.path, m.document) is `head`; json_member_size counts it.
std::string json_member_head(std::string_view path, std::string_view document);
void append_json_member(std::string& out, std::string_view head, const Member& m, bool member_text);
std::uint64_t json_member_size(std::string_view head, const Member& m, bool member_text);
/// The bytes the report's JSON adds to `s` by escaping it (quotes, backslashes and control
/// characters: what nlohmann::json::dump writes without ensure_ascii). `s` is well-formed UTF-8.
std::uint64_t json_escape_extra(std::string_view s) noexcept;
/// Everything after the last cluster.
void write_report_tail(const Report& report, ReportFormat format, const TextOptions& options, std::size_t total,
                       std::ostream& out);
/// How many of a report's first clusters (of `total`) a format writes: all of them, except text's
/// first options.top.
std::size_t clusters_written(ReportFormat format, const TextOptions& options, std::size_t total);

// ---------------------------------------------------------------------------------------------
// recur phrases

/// One occurrence of a recurring phrase, located in the user's original file.
struct PhraseLocation {
  std::string path;
  std::string document;
  std::uint32_t document_index = 0;  ///< 1-based document number within the file
  std::uint32_t line = 0;            ///< 1-based line of byte_start
  std::uint64_t byte_start = 0;      ///< original bytes [byte_start, byte_end)
  std::uint64_t byte_end = 0;
  std::string text;                  ///< the occurrence as written (original bytes, decoded)
};

/// One variant of a phrase: one text in content characters (forms differing only in punctuation,
/// spaces or line breaks are one variant), with the counts of that text in the whole corpus.
struct PhraseVariant {
  std::string text;  ///< shown form: its most frequent form as written, line breaks joined
  /// Every place its text occurs (distinct, non-overlapping positions), also inside longer
  /// variants, and the documents of those places.
  std::uint64_t documents = 0, occurrences = 0;
};

/// A recurring phrase: a template with its core, extent and variants.
struct Phrase {
  std::uint32_t id = 0;
  std::string text;          ///< its core, as shown (as written, line breaks joined: display_text)
  std::uint32_t chars = 0;   ///< content characters of the core (punctuation and spaces not counted)
  /// Distinct places where it occurs (its variants' occurrences merged where they overlap or nest,
  /// so no two locations overlap), and the documents of those places: the union over its variants.
  std::uint64_t documents = 0, occurrences = 0;
  double score = 0;
  std::string extent;              ///< its longest variant, as shown
  std::uint32_t extent_chars = 0;  ///< content characters of `extent`
  std::vector<PhraseVariant> variants;  ///< every variant, with its counts over the whole corpus
  std::vector<PhraseLocation> locations;
  /// Occurrences not listed in `locations` because a PhraseLimits cap was reached (0: all listed).
  std::uint64_t locations_omitted = 0;
  /// Pieces of an edited passage chained into this phrase (1: not chained; see chain_templates()).
  /// A chained phrase's variants are its versions: the distinct texts of its listed locations.
  std::uint32_t parts = 1;
};

/// Counts for a `recur phrases` run: the corpus counts every command shares, then its own.
struct PhraseStats : CorpusStats {
  std::uint64_t content_chars = 0, candidates = 0, excluded = 0,
                phrases = 0;  ///< phrases listed (those found = phrases + phrases_omitted)
  /// Spans left out because every occurrence overlaps another one: the inside of periodic runs
  /// (RepeatOptions::fold_periodic).
  std::uint64_t periodic = 0;
  /// Templates chained into another as pieces of one edited passage (chain_templates()).
  std::uint64_t chained = 0;
  /// What the caps of PhraseLimits cut: phrases (lowest ranked) and locations not listed, candidate
  /// pairs not checked for variants, and the edit-distance cells spent.
  std::uint64_t phrases_omitted = 0, locations_omitted = 0, variant_pairs_unchecked = 0, edit_cells = 0;
  std::vector<std::pair<std::string, double>> seconds;
};

/// Everything a `recur phrases` run produced.
struct PhrasesReport {
  std::string version;
  nlohmann::ordered_json options;
  PhraseStats stats;
  std::vector<Skipped> skipped;
  std::vector<std::string> warnings;
  std::vector<Phrase> phrases;
};

/// Writes the phrases JSON contract (see README). Byte-identical for identical reports.
void write_json(const PhrasesReport& report, std::ostream& out);
/// Writes one CSV row per location (phrase columns repeated), with a header row.
void write_csv(const PhrasesReport& report, std::ostream& out);
/// Writes the top phrases with variants and a few locations.
void write_text(const PhrasesReport& report, std::ostream& out, const TextOptions& options);

// ---------------------------------------------------------------------------------------------
// recur compare (and the passages of recur query)

/// One side of a passage, located in the user's original file.
struct PassageSpan {
  std::string path;
  std::string document;              ///< the --doc-split line of its document, or the path
  std::uint32_t document_index = 0;  ///< 1-based document number within the file
  std::uint64_t byte_start = 0;      ///< original bytes [byte_start, byte_end)
  std::uint64_t byte_end = 0;
  std::uint32_t line = 0;            ///< 1-based first line
  std::uint32_t line_end = 0;        ///< 1-based last line
  /// Unicode code points of the decoded file before the span, and in it (PAN's offsets).
  std::uint64_t char_start = 0, char_length = 0;
  std::uint64_t content_chars = 0;   ///< content characters in the span (punctuation, spaces not counted)
  std::string text;                  ///< the original bytes, decoded
};

/// A reused passage: a span of each text, the same apart from small edits.
struct ReportPassage {
  PassageSpan a, b;
  double similarity = 0;   ///< 1 − token edits / tokens of the longer span (characters for Chinese)
  bool exact = false;      ///< kind "exact": the same tokens (punctuation and spaces may differ); else "edited"
  bool is_template = false;  ///< also found in template text (--base): not counted in coverage
};

/// A compared text.
struct TextSummary {
  std::string path;
  std::string document;
  std::uint64_t chars = 0;          ///< characters (code points) of the text
  std::uint64_t content_chars = 0;  ///< of which content characters (what coverage counts)
};

/// What `recur compare` found.
struct CompareReport {
  std::string version;
  nlohmann::ordered_json options;
  TextSummary a, b;
  /// Shares of each text's content characters covered by passages (union: each character once):
  /// a_in_b, b_in_a by passages that are not templates; a_template, b_template by those that are.
  double a_in_b = 0, b_in_a = 0, a_template = 0, b_template = 0;
  std::vector<ReportPassage> passages;  ///< by position in a
  std::vector<std::string> warnings;
};

/// Writes the compare JSON contract (see README). Byte-identical for identical reports.
void write_json(const CompareReport& report, std::ostream& out);
/// Writes coverage, then each passage with its two spans one above the other, differences marked.
void write_text(const CompareReport& report, std::ostream& out, const TextOptions& options);

/// The JSON object of one passage (as in compare and query reports).
nlohmann::ordered_json passage_json(const ReportPassage& passage);

// ---------------------------------------------------------------------------------------------
// recur query

/// An archived document a query reuses, with the passages found in it.
struct QuerySource {
  std::string path;                  ///< the path the file had when it was added to the archive
  std::string document;              ///< its --doc-split line, or the path
  std::uint32_t document_index = 1;  ///< 1-based document number within the file
  /// The query's content characters covered by this document's passages that are not templates
  /// (union: each character once), and their share of the query's content characters.
  std::uint64_t chars = 0;
  double share = 0;
  std::vector<ReportPassage> passages;  ///< a = the query, b = this document; by position in the query
};

/// One query: a file, or one document of a compilation (--doc-split).
struct QueryResult {
  std::string path;
  std::string document;              ///< its --doc-split line, or the path
  std::uint32_t document_index = 1;  ///< 1-based document number within the file
  std::uint64_t content_chars = 0;
  /// Shares of the query's content characters covered by passages from any source (union):
  /// `found` by passages that are not templates, `templ` by those that are.
  double found = 0, templ = 0;
  std::vector<QuerySource> sources;  ///< by chars, descending (then path and document)
};

/// Counts of a `recur query` run.
struct QueryStats {
  std::uint64_t queries = 0;           ///< query texts (documents) run
  std::uint64_t seeds = 0;             ///< sampled seeds looked up (sum over queries)
  std::uint64_t boilerplate_seeds = 0; ///< of which stored by more than max_docs documents
  std::uint64_t candidates = 0;        ///< archived documents aligned (sum over queries)
  std::uint64_t passages = 0;          ///< passages found (sum over queries and sources)
  double seconds_lookup = 0;           ///< looking up seeds in the archive (sum over queries)
  double seconds_align = 0;            ///< reading, aligning and locating candidates (sum over queries)
  /// "prepare", "lookup", "align", "query" (everything per query: reading it, lookup, align), "total".
  std::vector<std::pair<std::string, double>> seconds;
};

/// What `recur query` found.
struct QueryReport {
  std::string version;
  nlohmann::ordered_json options;
  std::string archive_path;            ///< the archive, as named on the command line
  std::uint64_t archive_documents = 0; ///< documents in it
  std::string archive_fingerprint;     ///< its fingerprint (canonical text, fingerprint.hpp)
  QueryStats stats;
  std::vector<QueryResult> queries;    ///< in input order, then document order
  std::vector<Skipped> skipped;
  std::vector<std::string> warnings;
};

/// Writes the query JSON contract (see README). Byte-identical for identical reports.
void write_json(const QueryReport& report, std::ostream& out);
/// Writes one summary line per query ("37% of new.txt is found in the archive: 21% in A.txt, ..."),
/// then its passages, grouped by source.
void write_text(const QueryReport& report, std::ostream& out, const TextOptions& options);

}  // namespace recur
