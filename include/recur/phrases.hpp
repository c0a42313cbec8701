#pragma once
/// \file phrases.hpp
/// Recurring phrasing: maximal repeated spans across documents, recurring sentences, and the
/// grouping of near-identical variants under one template. Pure: works on characters in memory.
///
/// Text is compared as *content characters*: the normalised text with punctuation and white space
/// removed (see is_content_char), so 体制顺、机制活 and 体制顺，机制活 are the same span.
///
/// `recur phrases` is a composition of the stages at the end of this header, over plain records:
///
///     content    extract_content, content_sentence_ends   normalised paragraph -> SegmentedText
///     find       span_candidates | sentence_candidates     -> Candidate (every occurrence of its text)
///     group      group_templates                           -> TemplateGroup (core, extensions, pieces)
///     exclude    stock_phrases, exclude_stock              templates whose core is stock
///     chain      chain_templates                           the pieces of an edited passage as one template
///     variants   merge_variants                            near-identical cores as one template
///     templates  make_templates                            -> Template
///     clause     candidate_continuations, clause_templates  shown core and extent at clause punctuation (clause.hpp)
///     rank       rank_templates                            Templates in ranking order
///     caps       plan_output                               -> OutputPlan (which locations to list)
///     locate     locate_content                            content span -> normalised / input bytes
///     records    display_text, most_frequent_form          -> Phrase::text, Phrase::variants
#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recur/text.hpp"
#include "recur/uninitialised.hpp"

namespace recur {

struct PhraseLocation;  // report.hpp
struct PhraseVariant;   // report.hpp

/// What lies between two content characters, for the clause bounds of shown texts (clause.hpp):
/// nothing, only an enumeration comma (、: between items of a list), or clause punctuation or the
/// end of a paragraph. Ordered: a stronger boundary compares greater.
enum class Boundary : std::uint8_t { none = 0, list = 1, clause = 2 };

/// A Boundary per position, in two bits (a paragraph's or a whole text's characters), 32 to a
/// word: a paragraph's bits are appended to its file's a word at a time (two std::vector<bool>,
/// appended bit by bit, were 4-10% of reading and filtering a dense corpus).
class BoundaryBits {
 public:
  void push_back(Boundary b) {
    if (size_ % kPer == 0) words_.push_back(0);
    words_.back() |= std::uint64_t{static_cast<std::uint8_t>(b)} << (size_ % kPer * 2);
    ++size_;
  }
  Boundary operator[](std::size_t k) const noexcept {
    return static_cast<Boundary>((words_[k / kPer] >> (k % kPer * 2)) & 3);
  }
  /// Raises position k to at least `b`.
  void raise(std::size_t k, Boundary b) {
    if (b > (*this)[k]) {
      std::uint64_t& w = words_[k / kPer];
      const unsigned shift = k % kPer * 2;
      w = (w & ~(std::uint64_t{3} << shift)) | (std::uint64_t{static_cast<std::uint8_t>(b)} << shift);
    }
  }
  /// Appends positions [first, first + count) of `more`.
  void append(const BoundaryBits& more, std::size_t first, std::size_t count) {
    words_.resize((size_ + count + kPer - 1) / kPer, 0);
    for (std::size_t done = 0; done < count; done += kPer) {
      const std::size_t take = std::min(kPer, count - done);
      std::uint64_t v = more.fields(first + done);
      if (take < kPer) v &= (std::uint64_t{1} << (take * 2)) - 1;
      const std::size_t at = size_ + done;
      const unsigned shift = at % kPer * 2;
      words_[at / kPer] |= v << shift;  // the positions from size_ on are 0 until written
      if (shift != 0 && at / kPer + 1 < words_.size()) words_[at / kPer + 1] |= v >> (64 - shift);
    }
    size_ += count;
  }
  void append(const BoundaryBits& more) { append(more, 0, more.size()); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  void clear() noexcept {
    words_.clear();
    size_ = 0;
  }
  void reserve(std::size_t n) { words_.reserve((n + kPer - 1) / kPer); }
  void release() {
    std::vector<std::uint64_t>().swap(words_);
    size_ = 0;
  }

 private:
  static constexpr std::size_t kPer = 32;  // positions per word
  // The 32 positions from k on, packed as in a word (0 past the end).
  std::uint64_t fields(std::size_t k) const noexcept {
    const std::size_t w = k / kPer;
    const unsigned shift = k % kPer * 2;
    std::uint64_t v = w < words_.size() ? words_[w] >> shift : 0;
    if (shift != 0 && w + 1 < words_.size()) v |= words_[w + 1] << (64 - shift);
    return v;
  }
  std::vector<std::uint64_t> words_;
  std::size_t size_ = 0;
};

/// True for characters that take part in phrase matching: CJK characters, letters and digits.
/// Punctuation, symbols and white space are left out.
bool is_content_char(char32_t c) noexcept;

/// The content characters (is_content_char) of well-formed UTF-8 text. A report member's count:
/// the common CJK ideographs (U+4E00..U+9FFF) and ASCII are told by their bytes, without decoding.
std::uint64_t count_content_chars(std::string_view utf8) noexcept;

/// The content characters of a normalised paragraph and, for each, where it is in that text.
struct Content {
  std::vector<char32_t> chars;           ///< content characters, in order
  std::vector<std::uint32_t> norm_begin; ///< byte offset of chars[k] in the normalised text
  std::vector<std::uint32_t> norm_end;   ///< one past its last byte
  /// Per character: the boundary after it (the strongest punctuation before the next content
  /// character, see boundary_of() in clause.hpp; the paragraph's end is a clause boundary).
  BoundaryBits clause_after;
};

/// The content characters of `normalized` into `out` (replaced), with their clause marks. The byte offsets are filled only
/// `with_offsets`: finding phrases needs the characters alone, and the offsets would triple the
/// memory of the first pass; locating and sentence splitting need them.
void extract_content(std::string_view normalized, Content& out, bool with_offsets);

/// Sentence ends of a paragraph counted in content characters, from `byte_ends` (increasing byte
/// offsets in the normalised text where sentences end, as SentenceSplitter::split gives): the
/// number of content characters before each, written to `ends` (replaced). A sentence without
/// content characters is dropped (equal ends are written once), and the last end is always
/// content.chars.size(), so sentence k is [ends[k-1], ends[k]) with ends[-1] = 0. `content` must
/// have its offsets.
void content_sentence_ends(const Content& content, std::span<const std::size_t> byte_ends,
                           std::vector<std::uint32_t>& ends);

/// Which of ascending starts (starts[0] == 0) holds a position: the last k with starts[k] <= pos.
/// It keeps the answer for the first position of every block of 2^shift positions and searches
/// only between the answers of two neighbouring blocks, a step or two when blocks hold about one
/// start each. A binary search over all the starts (millions of segments or documents in a dense
/// corpus) missed the cache at most of its steps, for every position asked about. The starts are
/// not kept: each call names them, so they may grow between extend() calls.
class StartIndex {
 public:
  explicit StartIndex(unsigned shift = 6) noexcept : shift_(shift) {}
  /// Over all of `starts` at once, for positions below `positions`; the block size is chosen for
  /// about one start per block.
  StartIndex(std::span<const std::uint32_t> starts, std::size_t positions);
  /// Answers for every block that begins below `end`, from `starts` as known now (every start
  /// added later must be at or past `end`).
  void extend(std::span<const std::uint32_t> starts, std::uint64_t end);
  /// The last k with starts[k] <= pos (positions past the blocks covered: a search of all starts).
  std::size_t find(std::span<const std::uint32_t> starts, std::uint32_t pos) const noexcept;
  /// Asks the processor for what find(starts, pos) reads first: its block's answer. For loops over
  /// positions at random, a few positions before prefetch_starts() and several before find().
  void prefetch(std::uint32_t pos) const noexcept {
    if (const std::size_t b = pos >> shift_; b < first_.size()) __builtin_prefetch(first_.data() + b);
  }
  /// Asks for the starts find(starts, pos) searches (reads the block's answer: prefetch() it first).
  void prefetch_starts(std::span<const std::uint32_t> starts, std::uint32_t pos) const noexcept {
    if (const std::size_t b = pos >> shift_; b < first_.size() && first_[b] < starts.size())
      __builtin_prefetch(starts.data() + first_[b]);
  }

 private:
  unsigned shift_;
  std::vector<std::uint32_t> first_;  // per block: the answer for its first position
};

/// Text to search: content characters of all segments, concatenated. A segment is one paragraph
/// (spans never cross paragraphs); each belongs to a document (document frequency counts those).
struct SegmentedText {
  /// Content characters of every segment, in order. Grown without zeroing (resize() leaves new
  /// characters unset): `recur phrases` sizes it once for hundreds of MB and writes it on all
  /// threads, where zeroing it first took most of a second on one.
  UninitialisedVector<char32_t> chars;
  std::vector<std::uint32_t> segment_start; ///< start of segment k in `chars`; size = segments + 1
  std::vector<std::uint32_t> segment_doc;   ///< document of segment k (non-decreasing)

  /// segment_of()'s index over segment_start, in blocks of 64 characters (kept by add_segment).
  StartIndex segment_index{6};
  /// document_of()'s runs: where each run of segments of one document starts, and its document
  /// (kept by add_segment), with their index in blocks of 4096 characters. There are about as many
  /// runs as documents, so all of it stays in the cache, where segment_of() reads two arrays of the
  /// size of the text at random (and segment_doc a third).
  std::vector<std::uint32_t> run_start, run_doc;
  StartIndex run_index{12};

  /// Appends a segment of document `doc` (documents must come in non-decreasing order).
  void add_segment(std::span<const char32_t> content, std::uint32_t doc);
  /// Builds segment_of()'s and document_of()'s indexes afresh, for a text whose chars,
  /// segment_start and segment_doc were filled in directly (as add_segment() would have).
  void index_segments();
  std::size_t segments() const noexcept { return segment_doc.size(); }
  /// The segment holding character position `pos`.
  std::size_t segment_of(std::uint32_t pos) const noexcept;
  /// The document holding character position `pos` (below chars.size()): segment_doc[segment_of(pos)].
  std::uint32_t document_of(std::uint32_t pos) const noexcept { return run_doc[run_index.find(run_start, pos)]; }
};

/// Where the segments of a SegmentedText lie in their paragraphs, when a segment may be only a
/// stretch of one (the kept text of `recur phrases`): per segment, its paragraph (any numbering,
/// non-decreasing) and the content characters of that paragraph before it. Empty (the default):
/// each segment is a whole paragraph of its own.
struct ParagraphLayout {
  std::vector<std::uint32_t> paragraph;  ///< paragraph of segment k; empty = k
  std::vector<std::uint32_t> offset;     ///< content characters of its paragraph before segment k; empty = 0
  std::uint32_t paragraph_of(std::size_t segment) const noexcept {
    return paragraph.empty() ? static_cast<std::uint32_t>(segment) : paragraph[segment];
  }
  std::uint32_t offset_of(std::size_t segment) const noexcept { return offset.empty() ? 0 : offset[segment]; }
};

/// Limits for maximal_repeats().
struct RepeatOptions {
  unsigned min_chars = 10;  ///< shortest span reported, in content characters (default 10)
  unsigned min_docs = 3;    ///< fewest distinct documents a span must occur in (default 3)
  /// Leave out a repeat when *every* occurrence overlaps another occurrence of it (default false:
  /// the plain definition). Such a repeat lies inside periodic runs (a unit written back to back):
  /// a unit u repeated k times has maximal repeats u^2 .. u^(k-1) with about k^2/2 occurrences of
  /// about k/2 units each, which is all noise once u itself and the whole run are reported. A
  /// repeat with one occurrence clear of the others (the whole run, where it recurs) stays.
  bool fold_periodic = false;
  /// Most occurrences listed in all repeats together (default 2^26, about 256 MB of positions).
  /// Beyond it the repeats with the fewest reused characters (documents x length) are left out and
  /// counted in RepeatCounts::truncated: only degenerate input (one character written for
  /// megabytes, with --min-chars 1) comes near it.
  std::uint64_t max_positions = std::uint64_t{1} << 26;
  /// Workers for finding the repeats (default 1): the overlap ranges beside the suffix array, the
  /// LCP, the sweep over it and the repeats' position lists. The result is the same for any count.
  unsigned threads = 1;
  /// Search segments that copy one another exactly once (default true): the suffix array holds
  /// one copy, whose positions stand for every copy. The repeats are the same either way; false
  /// searches every copy (the tests compare the two on inputs too large for the brute force).
  bool collapse_copies = true;

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// A maximal repeat: a span that occurs at `positions` (starts in SegmentedText::chars, sorted),
/// at least twice (a repeat, even with min_docs 1), cannot be extended left or right without
/// losing an occurrence, and occurs in `documents` distinct documents.
struct Repeat {
  std::uint32_t length = 0;
  std::uint32_t documents = 0;
  std::vector<std::uint32_t> positions;
};

/// Every maximal repeat of at least options.min_chars characters occurring in at least
/// options.min_docs documents, with a suffix array and its LCP (suffix_array.hpp): linear time
/// for the suffix array and LCP, and at the peak about 14 bytes per content character (the
/// characters, 4; their ranks, 2; the suffix array, 4; the LCP by position, 4). Ordered by first
/// position, then length. Throws Error(errc::input) when the text exceeds the suffix array's limit
/// (2^32 - 2 characters and segments) or a segment has 2^30 characters or more (the LCP shares its
/// word with two flags: permuted_lcp_marked).
///
/// With fold_periodic, whether every occurrence overlaps another is decided without listing the
/// occurrences: an occurrence of a span of length L overlaps another exactly when it lies in a run
/// (a maximal periodic stretch) of period q < L with room for one more period beside it. The runs
/// are found per paragraph from Lyndon roots (Bannai et al., "The Runs Theorem"), and each
/// position's covered lengths are counted over the suffix-array interval of every span in one
/// sweep, so a folded span costs O(log n) instead of its occurrences: a sentence written k times
/// back to back costs O(k log k), not O(k^2).
std::vector<Repeat> maximal_repeats(const SegmentedText& text, const RepeatOptions& options);

/// What maximal_repeats() left out.
struct RepeatCounts {
  std::uint64_t periodic = 0;   ///< repeats left out by RepeatOptions::fold_periodic
  std::uint64_t truncated = 0;  ///< repeats left out by RepeatOptions::max_positions
  /// Where the time went (wall seconds), for a report's stage timings: ranking the text (and
  /// finding the segments that copy one another, which are searched once), the
  /// overlap ranges of periodic runs, the suffix array, the LCP, the sweep for maximal repeats,
  /// their position lists, and (repeat_candidates) the candidates made from them.
  double seconds_rank = 0, seconds_covers = 0, seconds_sort = 0, seconds_lcp = 0, seconds_sweep = 0,
         seconds_lists = 0, seconds_candidates = 0;
};

/// maximal_repeats(), also counting into `counts` what was left out. `done` (optional) is
/// advanced by repeat_work(text) units in all as the work goes on, for a progress display.
std::vector<Repeat> maximal_repeats(const SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                    std::atomic<std::uint64_t>* done = nullptr);

/// maximal_repeats(), with `text` lending its characters: text.chars is released once ranked and
/// rebuilt from the ranks, unchanged, before it returns, so the peak holds 4 bytes per character
/// less (about 10 instead of 14). The text must not be read by anyone else meanwhile, and if it
/// throws, text.chars may be left empty.
std::vector<Repeat> maximal_repeats_lending(SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                            std::atomic<std::uint64_t>* done = nullptr);

/// The units of work maximal_repeats() reports: 4 per character and segment (encoding, suffix
/// sorting, LCP, and the sweep over the intervals, one each).
inline std::uint64_t repeat_work(const SegmentedText& text) noexcept {
  return 4 * (std::uint64_t{text.chars.size()} + text.segments());
}

/// Levenshtein distance between `a` and `b` if it is at most `limit`, else limit + 1 (banded, so
/// O(limit * length)).
std::size_t bounded_edit_distance(std::u32string_view a, std::u32string_view b, std::size_t limit);

/// The largest edit distance at which two texts count as variants: tolerance x the longer length,
/// rounded down, and at least 1 when tolerance > 0.
std::size_t variant_distance_limit(std::size_t len_a, std::size_t len_b, double tolerance) noexcept;

/// Groups near-identical texts (edit distance within variant_distance_limit()) under templates.
/// Items are taken in order of (weight desc, length desc, index asc); each one not yet grouped
/// becomes a template and takes in every ungrouped item within the limit of it (star grouping, so
/// variants never chain). Candidates come from MinHash LSH over character bigrams (texts of up to
/// 8 characters, when there are at most 4000 of them, are all compared), then every pair is
/// checked exactly; the candidate search is
/// probabilistic, so at tolerances above about 0.2 a pair within the limit can be missed. Returns groups; group[0] is the template, the rest in index order;
/// groups are in template order. Every index appears in exactly one group.
std::vector<std::vector<std::uint32_t>> group_variants(const std::vector<std::u32string>& texts,
                                                       const std::vector<double>& weights,
                                                       double tolerance, unsigned threads = 1);

/// Options of group_variants() with a work budget.
///
/// | option           | default | meaning |
/// | ---------------- | ------- | ------- |
/// | `tolerance`      | 0.1     | as variant_distance_limit(); 0 groups only identical texts |
/// | `threads`        | 1       | threads for signatures and checks; the result does not depend on it |
/// | `max_edit_cells` | 2^32    | budget of edit-distance cells (see below) |
///
/// A candidate pair costs the cells of its band, shorter length x (2 x limit + 1), or nothing
/// when the lengths alone differ by more than the limit. Pairs are checked cheapest first (ties in
/// pair order) while the total stays within `max_edit_cells`; the rest are left unchecked and count
/// as not variants. Near-identical long texts in numbers (periodic input) are what reach it: on
/// real reports the checks use a few million cells. 2^32 cells take a few seconds on one core.
struct VariantOptions {
  double tolerance = 0.1;  ///< largest edit distance as a fraction of the longer length
  unsigned threads = 1;    ///< threads; the groups are the same for any number
  std::uint64_t max_edit_cells = std::uint64_t{1} << 32;  ///< budget of edit-distance cells

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// The work group_variants() did, and what the budget cut.
struct VariantCounts {
  std::uint64_t pairs = 0;            ///< candidate pairs (LSH, plus short texts all against all)
  std::uint64_t pairs_checked = 0;    ///< pairs checked by edit distance (or by length alone)
  std::uint64_t pairs_unchecked = 0;  ///< pairs left out by the budget: pairs - pairs_checked
  std::uint64_t edit_cells = 0;       ///< band cells of the checked pairs, at most max_edit_cells
};

/// group_variants() within a budget of edit-distance cells; `counts` tells the work done and
/// whether the budget cut it (pairs_unchecked > 0).
/// `done` (optional) is advanced by 2 units per text in all: one as its signature is made, one
/// for its share of the checks.
std::vector<std::vector<std::uint32_t>> group_variants(const std::vector<std::u32string>& texts,
                                                       const std::vector<double>& weights,
                                                       const VariantOptions& options, VariantCounts& counts,
                                                       std::atomic<std::uint64_t>* done = nullptr);
/// The same over views of the texts (merge_variants() passes views into one array of its cores' texts).
std::vector<std::vector<std::uint32_t>> group_variants(std::span<const std::u32string_view> texts,
                                                       const std::vector<double>& weights,
                                                       const VariantOptions& options, VariantCounts& counts,
                                                       std::atomic<std::uint64_t>* done = nullptr);

/// Caps on the work and output of `recur phrases`, so that degenerate input (periodic text, one
/// passage pasted thousands of times) gives a bounded report in bounded time. Whatever a cap cuts
/// is counted in the report (stats.truncated, a warning, and per phrase `locations_omitted`);
/// nothing is cut silently. The defaults are far above what real reports need.
///
/// | cap                        | default  | meaning |
/// | -------------------------- | -------- | ------- |
/// | `max_edit_cells`           | 2^32     | edit-distance work when grouping variants (VariantOptions) |
/// | `max_locations_per_phrase` | 10,000   | locations listed per phrase, the first in input order; occurrences and documents still count all |
/// | `max_locations`            | 1,000,000| locations listed in all; phrases are listed in ranking order until a cap is reached, the rest are omitted |
/// | `max_location_chars`       | 2^24     | content characters of all listed locations (about 50 MB of Chinese text) |
/// | `max_positions`            | 2^26     | occurrences of all recurring spans found (RepeatOptions::max_positions), before variant grouping |
struct PhraseLimits {
  std::uint64_t max_edit_cells = std::uint64_t{1} << 32;   ///< see VariantOptions::max_edit_cells
  std::uint64_t max_locations_per_phrase = 10000;          ///< locations listed per phrase
  std::uint64_t max_locations = 1000000;                   ///< locations listed in the whole report
  std::uint64_t max_location_chars = std::uint64_t{1} << 24;  ///< content characters of listed locations
  std::uint64_t max_positions = std::uint64_t{1} << 26;  ///< see RepeatOptions::max_positions

  /// Empty when valid, else a sentence naming the cap.
  std::string validate() const;
};

// ---------------------------------------------------------------------------------------------
// The stages of `recur phrases`, in the order it calls them.

/// One occurrence of a phrase: `length` content characters from `start` in SegmentedText::chars.
struct Occurrence {
  std::uint32_t start = 0;
  std::uint32_t length = 0;
  friend bool operator==(const Occurrence&, const Occurrence&) = default;
};

/// A recurring text found in the corpus, before variants are grouped.
struct Candidate {
  std::u32string text;                  ///< its content characters
  std::vector<Occurrence> occurrences;  ///< every occurrence, by start (all of `text`'s length)
  std::uint32_t documents = 0;          ///< distinct documents of the occurrences
};

/// The number of distinct documents (SegmentedText::segment_doc) that `occurrences` lie in.
std::uint32_t count_documents(const SegmentedText& text, std::span<const Occurrence> occurrences);

/// The part of a text that can hold a recurring span: the characters covered by a window of `k`
/// characters that occurs in at least `min_docs` documents (and a few more that WindowCounter
/// cannot tell apart from those). Every span of at least k characters in
/// at least min_docs documents lies in it whole, at every occurrence, with the characters around it
/// that make it maximal, so the maximal repeats of the kept text (min_chars >= k, min_docs) are
/// those of the whole text at the mapped positions.
///
/// How: every window is hashed (window_hashes()) and counted once per document in a WindowCounter
/// (1 byte per character, documents counted in parallel), then each segment keeps its
/// recurring_stretches(). A collision only keeps more text.
struct RecurringText {
  SegmentedText text;                 ///< the kept stretches, each a segment of its document
  std::vector<std::uint32_t> origin;  ///< per segment of `text`: its start in the original characters
  /// The original position of position `pos` of `text`.
  std::uint32_t original(std::uint32_t pos) const noexcept {
    const std::size_t s = text.segment_of(pos);
    return origin[s] + (pos - text.segment_start[s]);
  }
};
/// Hashes of every window of `k` characters of `chars` (a paragraph or a stretch of one), appended
/// to `out` in order: a rolling polynomial hash mod 2^64. The hash of a window depends only on its
/// characters, so equal windows anywhere in the corpus have equal hashes.
void window_hashes(std::span<const char32_t> chars, unsigned k, std::vector<std::uint64_t>& out);

/// How many documents hold each window, counted from above in fixed memory: the first pass of
/// `recur phrases`, which sees every window once and keeps none of the text.
///
/// A blocked counting filter: 2-bit saturating counters (0, 1, 2, "3 or more"), 256 to a 64-byte
/// block; a window hash picks a block and two counters in it, and its count is the smaller of the
/// two. A count is never below the true number of documents (a collision only adds), so filtering
/// on it keeps every window that recurs, and a few that do not (about 1% at the default size, see
/// the constructor). Counts saturate at 3: for --min-docs above 3 the filter keeps the windows in
/// at least 3 documents, which is still every window it must keep. One cache miss per window.
///
/// Documents may be added from several threads at once, each through its own Writer: a writer
/// holds a thread's windows per region of the table (kRegions) and raises a region's counters,
/// under that region's lock, once it holds kPending of them. The counters are then raised with
/// plain loads and stores: with 2 threads, compare-exchanges on a shared table took 35 ns a window
/// and plain updates of owned regions 22 ns (the table is far larger than the caches). Saturating
/// counts do not depend on the order of the additions, so neither does the result.
///
/// A region is small (2 MiB of the 512 MiB table of dense 1 GiB) so that a raise's 4,096 windows
/// touch few pages: reads at random over a table this large miss the address translation as well
/// as the caches. A harness raising 16 M windows over 512 MiB of counters on this project's VM, two
/// processes at once: 37-40 ns a window with 64 regions, 22-24 ns with 256 (bench/RESULTS.md).
class WindowCounter {
 public:
  static constexpr unsigned kSaturation = 3;
  static constexpr unsigned kRegions = 256;     ///< locked parts of the table
  static constexpr std::size_t kPending = 4096;  ///< windows a writer holds per region before raising them
  /// Memory for about `expected_windows` windows: 4 counters (1 byte) per window, rounded up to
  /// a power of two, at least 64 KiB. At that load a window in one document reaches a count of 3
  /// by collisions with probability under 1% (both of its counters must be hit twice by others).
  explicit WindowCounter(std::uint64_t expected_windows);
  ~WindowCounter();

  /// One thread's way in: counts documents, holding up to kRegions * kPending windows (8 MiB) not
  /// yet in the table. Call flush() (or destroy it) before reading counts.
  class Writer {
   public:
    explicit Writer(WindowCounter& counter);
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    /// Counts one document: `hashes` are all its windows (any order, repeats allowed); they are
    /// made unique here (the first of each kept, in order).
    void add_document(std::vector<std::uint64_t>& hashes);
    /// Raises every held window's counters.
    void flush();

   private:
    void raise(unsigned region);
    WindowCounter* counter_;
    std::vector<std::vector<std::uint64_t>> held_;  // per region: mixed hashes (slots_of)
    std::vector<std::uint64_t> set_;                 // the open-addressing set of add_document
  };

  /// One thread's way to ask about many windows at once (the second pass of `recur phrases`):
  /// recurs() of each, the same answers as asking one by one. Above kDirect windows they are taken a
  /// region of the table at a time, in pieces of kPiece: on this project's VM, asked one by one,
  /// each read waited on the address translation as well as on the memory (a harness over 512 MiB
  /// of counters: 31-35 ns a window one by one, 15-17 ns by region in pieces of 4 M; bench/RESULTS.md).
  class Reader {
   public:
    static constexpr std::size_t kDirect = 4096;        ///< fewer windows are asked one by one
    static constexpr std::size_t kPiece = std::size_t{1} << 22;  ///< windows sorted by region at once
    /// `piece`: windows sorted by region at once (tests ask for small pieces).
    explicit Reader(const WindowCounter& counter, std::size_t piece = kPiece)
        : counter_(&counter), piece_(std::max<std::size_t>(1, piece)) {}
    /// out[i] = 1 when recurs(hashes[i], min_docs), else 0 (out is resized to hashes.size()).
    void recurs(std::span<const std::uint64_t> hashes, unsigned min_docs, std::vector<std::uint8_t>& out);

   private:
    const WindowCounter* counter_;
    std::size_t piece_;
    std::vector<std::uint64_t> mixed_;  // a piece's mixed hashes, by region
    std::vector<std::uint32_t> index_;  // and where each is in the piece
  };

  /// Counts one document at once (a Writer flushed at return). Safe to call from several threads.
  void add_document(std::vector<std::uint64_t>& hashes);
  /// At least the number of documents holding the window of hash `h`, at most kSaturation.
  unsigned count(std::uint64_t h) const noexcept;
  /// True when the window of hash `h` may be in at least `min_docs` documents.
  bool recurs(std::uint64_t h, unsigned min_docs) const noexcept {
    return count(h) >= std::min(min_docs, kSaturation);
  }
  std::size_t bytes() const noexcept { return words_ * sizeof(std::uint64_t); }

 private:
  /// A mixed hash's region: its top bits, as its block's (regions are whole blocks).
  static constexpr unsigned kRegionShift = 64 - std::countr_zero(kRegions);
  /// count() and a fetch of the counters, of a hash already mixed (mix64 in phrases.cpp), which
  /// places it in the table.
  unsigned count_mixed(std::uint64_t x) const noexcept;
  void prefetch_mixed(std::uint64_t x) const noexcept;
  struct Unmap {  // the table is a mapping of its own (see the constructor)
    std::size_t bytes;  // (no default member initialiser: it would not let unique_ptr default-construct it here)
    void operator()(std::uint64_t* p) const noexcept;
  };
  std::unique_ptr<std::uint64_t[], Unmap> table_;  // 32 counters per word, 8 words per block
  std::size_t words_ = 0;
  unsigned block_shift_ = 0;  // 64 - log2(blocks); at least 1024 blocks, so a region is whole blocks
  std::unique_ptr<std::mutex[]> locks_;  // per region
};

/// The stretches of `chars` covered by a window of `k` characters that `counter` says may recur in
/// `min_docs` documents, appended to `out` as (start, length) in `chars`, in order. Stretches
/// that touch or overlap are one; two stretches are at least one character apart.
void recurring_stretches(std::span<const char32_t> chars, unsigned k, const WindowCounter& counter,
                         unsigned min_docs, std::vector<Occurrence>& out);

/// The same from the answers: `recurs[i]` (nonzero: recurs) for each window i of a text of
/// recurs.size() + k - 1 characters, as WindowCounter::Reader gives them.
void recurring_stretches(std::span<const std::uint8_t> recurs, unsigned k, std::vector<Occurrence>& out);

/// See RecurringText. `done` (optional) counts the documents hashed, for a progress display.
/// Over a SegmentedText in memory, with WindowCounter and recurring_stretches() (`recur phrases`
/// runs the same two steps streaming, file by file).
RecurringText recurring_text(const SegmentedText& text, unsigned k, unsigned min_docs, unsigned threads = 1,
                             std::atomic<std::uint64_t>* done = nullptr);

/// Candidates for `--unit span`: the maximal repeats of `text` (maximal_repeats() with `options`,
/// counting what it leaves out into `counts`), in its order. With min_docs >= 2 the suffix array
/// covers only recurring_text() (min_chars-character windows), which gives the same repeats with
/// less memory and time when little of the text recurs. Each repeat's positions are released as it
/// is converted, so the two lists are not both held whole.
std::vector<Candidate> span_candidates(const SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                       unsigned threads = 1);

/// Candidates from the maximal repeats of `text` as it is (no prefilter; positions in `text`):
/// what span_candidates() runs on the kept text, and `recur phrases` on the stretches its streaming
/// first pass kept. `text` lends its characters for the peak (maximal_repeats_lending()) and is
/// unchanged when it returns. `done` as for maximal_repeats().
std::vector<Candidate> repeat_candidates(SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                         std::atomic<std::uint64_t>* done = nullptr);

/// The occurrences of candidate `index` (0 <= index < the count it came with), as its Candidate
/// holds them: written into `scratch` (or not), valid until the next call with the same scratch.
using OccurrencesOf = std::function<std::span<const Occurrence>(std::size_t index, std::vector<Occurrence>& scratch)>;

/// Work on the candidates' occurrences that needs nothing else of them, shared by any number of
/// threads (each call takes what is left to do, and returns when nothing is): repeat_candidates()
/// calls it options.threads times in all, on the other threads while it makes the candidates on
/// the calling one and on the calling one once they are made, with their number and their
/// occurrences by index. Making the
/// candidates allocates each one's text and list, and fresh memory comes from the kernel a page
/// at a time: dense 1 GiB's 4 M candidates took 2 s of one core, while the others waited.
using AlongsideFn = std::function<void(std::size_t count, const OccurrencesOf& occurrences_of)>;

/// repeat_candidates() with `alongside` run while the candidates are made, and after (on the
/// calling thread). The same candidates. An exception from `alongside` or the candidates is
/// rethrown once every thread has stopped (detail::parallel_for).
std::vector<Candidate> repeat_candidates(SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts,
                                         std::atomic<std::uint64_t>* done, const AlongsideFn& alongside);

/// Candidates for `--unit sentence`: sentences (spans of `text`) of at least `min_chars` content
/// characters whose texts are identical, in order of first occurrence. Every such text is a
/// candidate, even one that occurs once (--min-docs is applied to templates). Texts are compared
/// by a 64-bit hash (XXH3), so that the corpus is never sorted; a collision is astronomically rare.
std::vector<Candidate> sentence_candidates(const SegmentedText& text, std::span<const Occurrence> sentences,
                                           unsigned min_chars);

/// Stock phrases (--exclude lines) as content characters, normalised like the corpus with
/// `normalize`; lines without content characters are left out.
std::vector<std::u32string> stock_phrases(const std::vector<std::string>& lines, const NormalizeOptions& normalize);

/// How recurring spans are grouped into templates (group_templates()).
///
/// | option            | default | meaning |
/// | ----------------- | ------- | ------- |
/// | `own_entry_ratio` | 1.5     | a span inside (or overlapping) a template joins it unless it is in at least this many times the documents of every template that covers it |
/// | `extension_chars` | 4       | an *extension* of a span adds at most max(extension_chars, length / 3) characters to it |
/// | `chain_gap`       | 24      | chain_templates(): most content characters between two chained pieces of one passage (the edits between them); 0 = no chaining |
/// | `chain_share`     | 0.5     | chain_templates(): share of the places of each of two templates that must be next to the other |
/// | `clause_reach`    | 4       | clause_bounds() (clause.hpp): most characters a shown end moves to reach clause punctuation (at most 15; 0 = ends stay) |
/// | `clause_share`    | 0.5     | clause_bounds(): share of a span's documents at which a boundary or continuation must hold |
struct TemplateOptions {
  double own_entry_ratio = 1.5;  ///< documents a covered span needs, relative to its covers, to stand alone
  unsigned extension_chars = 4;  ///< extensions add at most max(this, length / 3) characters
  unsigned chain_gap = 24;       ///< most characters between chained pieces (0: no chaining)
  double chain_share = 0.5;      ///< places of each that must be next to the other, to chain them
  unsigned clause_reach = 4;     ///< most characters an end moves to a clause boundary
  double clause_share = 0.5;     ///< documents at which a boundary must hold, as a share of the span's

  /// The most characters an extension of a span of `chars` characters adds.
  std::uint32_t extension_limit(std::uint32_t chars) const noexcept {
    return std::max<std::uint32_t>(extension_chars, chars / 3);
  }
  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// Candidates that make one template: its core and every candidate grouped with it.
struct TemplateGroup {
  std::uint32_t core = 0;                ///< index of the core candidate
  std::vector<std::uint32_t> members;    ///< all its candidates (the core too), ascending
  /// Templates of group_templates() chained into it by chain_templates() (1: not chained). A
  /// chained template is one passage whose copies were edited: its occurrences span the edits.
  /// merge_variants() keeps the most parts of the groups it merges.
  std::uint32_t parts = 1;
  friend bool operator==(const TemplateGroup&, const TemplateGroup&) = default;
};

/// Groups nested and overlapping candidates into templates, so that a passage and the pieces of it
/// that recur with it are one entry, and a slogan and its short extensions (以…为指导, 深入学习…)
/// are one entry. Candidates are taken longest first (then most documents, then index); each
/// character remembers the template of the latest (so the shortest) candidate over it. A
/// candidate is *covered* by a template when, at one of its occurrences, both its ends lie in text
/// of that template, or its middle does (an overlap of about half). Of the templates covering it:
///
///  - its *extensions* are those that are only it plus a few characters: their longest member adds
///    at most extension_limit() characters, and they are in at most as many documents;
///  1. it joins the covering template with the most documents among those whose documents times
///     own_entry_ratio exceed its own, unless that is one of its extensions: a shorter span gets its
///     own entry only when it occurs in at least own_entry_ratio x the documents of every template
///     covering it;
///  2. else, when it has extensions, they become one template whose core is this candidate;
///  3. else it starts a template of its own.
///
/// Its extensions always go with it. A template's documents are those of its members together
/// (a set union per member). Time linear in the characters of all occurrences; 4 bytes per character of
/// `text`. Groups are returned in order of their first member (the longest). `done` (optional) is
/// advanced by one per candidate. The grouping itself runs on one thread; with `threads` >= 2 a
/// second one gathers what it reads of the candidates ahead of it. The result is the same for any
/// `threads`.
std::vector<TemplateGroup> group_templates(const std::vector<Candidate>& candidates, const SegmentedText& text,
                                           const TemplateOptions& options, std::atomic<std::uint64_t>* done = nullptr,
                                           unsigned threads = 1);

/// Removes the templates whose core lies inside one of the `stock` phrases (a part of a stock
/// phrase is stock too) or is a stock phrase plus at most options.extension_limit() characters,
/// with all their members; returns how many were removed. A longer passage that contains a stock
/// phrase stays. The order of the rest is kept.
std::size_t exclude_stock(std::vector<TemplateGroup>& groups, const std::vector<Candidate>& candidates,
                          const std::vector<std::u32string>& stock, const TemplateOptions& options);

/// Chains the pieces of one edited passage into one template. An edited copy of a passage shares
/// with the other copies only the stretches between its edits, so the passage breaks into many
/// maximal spans that neither nest nor overlap, each shared by a different subset of the copies:
/// each would be a template of its own, and a family of 5 copies with a few edits each gives
/// dozens. A *place* of a template is one of its occurrences (its members' occurrences merged
/// where they overlap). Two places are *next to each other* when they are in one paragraph and the
/// second starts at most options.chain_gap content characters after the first ends (or overlaps
/// it). Two templates are chained when at least options.chain_share of the places of *each* are
/// next to a place of the other. So a stock slogan quoted next to a passage (it has many places
/// elsewhere, often several per document) is never chained to it, nor does it chain passages
/// together; a piece of an edited passage is next to the other pieces wherever both survived the
/// edits.
///
/// `layout` tells where the segments of `text` lie in their paragraphs (the kept text of the
/// streaming first pass, where the edits between pieces are not in `text`). Chains are the
/// connected components of the chained pairs (union-find); the core of a chain is the core of its
/// part with the most documents x characters. Time: a sort of all places of all templates and one
/// of the pairs next to each other (a place looks at the next 16 places at most), O(n log n) in
/// the places. Groups keep the order of their first part; options.chain_gap 0 returns `groups`
/// unchanged. `threads` workers find the places of the templates and test the pairs; the result is
/// the same for any count. `groups` is taken by value: a chain of one part takes its members.
std::vector<TemplateGroup> chain_templates(std::vector<TemplateGroup> groups,
                                           const std::vector<Candidate>& candidates, const SegmentedText& text,
                                           const ParagraphLayout& layout, const TemplateOptions& options,
                                           unsigned threads = 1);

/// Merges templates whose cores are near-identical (group_variants() over the core texts, weighted
/// by documents and then occurrences): 一个支部就是一座堡垒 and …一个堡垒 are one template, whose
/// core is the form in the most documents. The merged members are ascending; groups keep the order
/// of their new core's group.
/// `done` as for group_variants() (2 units per group).
std::vector<TemplateGroup> merge_variants(const std::vector<TemplateGroup>& groups,
                                          const std::vector<Candidate>& candidates, const VariantOptions& options,
                                          VariantCounts& counts, std::atomic<std::uint64_t>* done = nullptr);

/// Occurrences counted as distinct positions: sorted by start, an occurrence overlapping the last
/// one counted is not counted again (a text written back to back overlapping itself).
std::uint64_t distinct_occurrences(std::span<const Occurrence> occurrences);

/// A recurring phrase: a group of candidates (its core, extensions, nested pieces and variants).
struct Template {
  std::uint32_t candidate = 0;  ///< its core: an index into the candidates
  std::uint32_t extent = 0;     ///< its longest member (the extent): an index into the candidates
  std::uint32_t chars = 0;      ///< content characters of the core
  std::vector<std::uint32_t> members;  ///< its candidates (the variants), ascending
  /// Where it occurs: the occurrences of all its members merged where they overlap or nest, so
  /// no two overlap; by start. Each covers the whole stretch its members cover there.
  std::vector<Occurrence> occurrences;
  std::uint32_t documents = 0;  ///< distinct documents of `occurrences`: the union over its members
  /// Characters reused across documents, documents x chars: long template passages in many
  /// documents come first; a short slogan needs many documents to rank as high.
  double score = 0;
  /// TemplateGroup::parts. A chained template (parts > 1) is an edited passage: its occurrences
  /// also join pieces at most chain_gap characters apart in one paragraph (across the edits), so
  /// an occurrence's `length` counts the characters of its paragraph from `start` to its end,
  /// edits included, and `chars` is the median length of its occurrences. Its variants are the
  /// versions of the passage as its occurrences write it (see `recur phrases`), not its members.
  std::uint32_t parts = 1;
  /// Content characters of the shown extent (the extent's candidate, or its clause bounds).
  std::uint32_t extent_chars = 0;
  /// Where the shown core and extent are read (kShownSamples occurrences at most, the first in
  /// input order): the occurrences of those candidates, or of their clause bounds (clause.hpp).
  std::vector<Occurrence> shown_core, shown_extent;
};

/// Occurrences located to choose the form a text is shown in (the most frequent of them).
inline constexpr std::size_t kShownSamples = 5;

/// Merges occurrences that overlap or nest: `all` sorted by start (then longest first), then each
/// one that starts inside the last kept one extends it; the kept ones into `out` (replaced).
void merge_overlapping(std::vector<Occurrence>& all, std::vector<Occurrence>& out);

/// The templates of `groups` that occur in at least `min_docs` documents, in group order. The
/// occurrences of chained groups (parts > 1) are joined across gaps of at most `chain_gap`
/// characters in one paragraph of `layout`. `threads` workers make them, each template by its
/// group's index: the result is the same for any count.
std::vector<Template> make_templates(const std::vector<Candidate>& candidates, const std::vector<TemplateGroup>& groups,
                                     const SegmentedText& text, unsigned min_docs,
                                     const ParagraphLayout& layout = ParagraphLayout{}, unsigned chain_gap = 0,
                                     unsigned threads = 1);

/// Sorts templates into ranking order: score, then documents, then length (all descending), then
/// the first occurrence (ascending).
void rank_templates(std::vector<Template>& templates);

/// Which locations the report lists under the caps of PhraseLimits, decided from content lengths
/// before anything is located (so that locating is bounded too).
struct OutputPlan {
  /// Per listed template, in ranking order: it lists its first `listed[t]` occurrences (input
  /// order). Its size is the number of templates listed; the rest are omitted.
  std::vector<std::uint32_t> listed;
  std::uint64_t phrases_omitted = 0;    ///< templates not listed at all (the lowest ranked)
  std::uint64_t locations_omitted = 0;  ///< occurrences of listed templates not listed
};

/// Plans the output of ranked `templates`: in ranking order each lists its first occurrences
/// until max_locations_per_phrase; when max_locations or max_location_chars would be passed, the
/// current template stops there and all after it are omitted; a template none of whose locations
/// fits is omitted with the rest.
OutputPlan plan_output(const std::vector<Template>& templates, const PhraseLimits& limits);

/// Where content characters [first, first + count) of a paragraph lie (count >= 1).
struct ContentSpan {
  std::size_t norm_begin = 0, norm_end = 0;    ///< bytes in the normalised paragraph
  std::size_t input_begin = 0, input_end = 0;  ///< bytes in the text it was normalised from
};

/// Locates content characters [first, first + count) of a paragraph: `content` with offsets from
/// its normalised text, `map` from that text back to the input (Normalizer::normalize). The span
/// runs from the first character's first byte to the last one's last byte, punctuation between
/// them included.
ContentSpan locate_content(const Content& content, const OffsetMap& map, std::uint32_t first, std::uint32_t count);

/// Display text of a stretch of text: line breaks (with the spaces around them) are
/// joined the way the paragraph joins its wrapped lines, without a space between CJK characters and
/// with one between two letters or digits of other scripts; other characters are kept.
std::string display_text(std::string_view normalized);

/// The form shown for a variant: the most frequent of `forms` (display texts at its first
/// occurrences, in input order), ties to the first; empty when there are none.
std::string most_frequent_form(std::span<const std::string> forms);

}  // namespace recur
