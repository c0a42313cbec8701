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
///     find       span_candidates | sentence_candidates     -> Candidate
///     exclude    stock_phrases, exclude_stock
///     group      group_candidates                          -> groups of candidate indices
///     templates  make_templates, rank_templates            -> Template, in ranking order
///     caps       plan_output                               -> OutputPlan (which locations to list)
///     locate     locate_content                            content span -> normalised / input bytes
///     records    canonical_form, count_variants            -> Phrase::text, Phrase::variants
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recur/text.hpp"

namespace recur {

struct PhraseLocation;  // report.hpp
struct PhraseVariant;   // report.hpp

/// True for characters that take part in phrase matching: CJK characters, letters and digits.
/// Punctuation, symbols and white space are left out.
bool is_content_char(char32_t c) noexcept;

/// The content characters of a normalised paragraph and, for each, where it is in that text.
struct Content {
  std::vector<char32_t> chars;           ///< content characters, in order
  std::vector<std::uint32_t> norm_begin; ///< byte offset of chars[k] in the normalised text
  std::vector<std::uint32_t> norm_end;   ///< one past its last byte
};

/// The content characters of `normalized` into `out` (replaced). The byte offsets are filled only
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

/// Text to search: content characters of all segments, concatenated. A segment is one paragraph
/// (spans never cross paragraphs); each belongs to a document (document frequency counts those).
struct SegmentedText {
  std::vector<char32_t> chars;              ///< content characters of every segment, in order
  std::vector<std::uint32_t> segment_start; ///< start of segment k in `chars`; size = segments + 1
  std::vector<std::uint32_t> segment_doc;   ///< document of segment k (non-decreasing)

  /// Appends a segment of document `doc` (documents must come in non-decreasing order).
  void add_segment(std::span<const char32_t> content, std::uint32_t doc);
  std::size_t segments() const noexcept { return segment_doc.size(); }
  /// The segment holding character position `pos`.
  std::size_t segment_of(std::uint32_t pos) const noexcept;
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
/// options.min_docs documents, with a suffix array (libdivsufsort) and its LCP array: O(n log n)
/// time, about 16 bytes of memory per content character at the peak. Ordered by first position,
/// then length. Throws Error(errc::input) when the text exceeds the suffix array's limit (2^30
/// content characters).
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
};

/// maximal_repeats(), also counting into `counts` what was left out.
std::vector<Repeat> maximal_repeats(const SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts);

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
std::vector<std::vector<std::uint32_t>> group_variants(const std::vector<std::u32string>& texts,
                                                       const std::vector<double>& weights,
                                                       const VariantOptions& options, VariantCounts& counts);

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

/// Candidates for `--unit span`: the maximal repeats of `text` (maximal_repeats() with `options`,
/// counting what it leaves out into `counts`), in its order. Each repeat's positions are released
/// as it is converted, so the two lists are not both held whole.
std::vector<Candidate> span_candidates(const SegmentedText& text, const RepeatOptions& options, RepeatCounts& counts);

/// Candidates for `--unit sentence`: sentences (spans of `text`) of at least `min_chars` content
/// characters whose texts are identical, in order of first occurrence. Every such text is a
/// candidate, even one that occurs once (--min-docs is applied to templates). Texts are compared
/// by a 64-bit hash (XXH3), so that the corpus is never sorted; a collision is astronomically rare.
std::vector<Candidate> sentence_candidates(const SegmentedText& text, std::span<const Occurrence> sentences,
                                           unsigned min_chars);

/// Stock phrases (--exclude lines) as content characters, normalised like the corpus with
/// `normalize`; lines without content characters are left out.
std::vector<std::u32string> stock_phrases(const std::vector<std::string>& lines, const NormalizeOptions& normalize);

/// Removes the candidates whose text lies inside one of the `stock` phrases (a part of a stock
/// phrase is stock too); returns how many were removed. The order of the rest is kept.
std::size_t exclude_stock(std::vector<Candidate>& candidates, const std::vector<std::u32string>& stock);

/// group_variants() over the candidates' texts, weighted by documents and then occurrences (a
/// template is the form in the most documents; of two in as many, the more frequent).
std::vector<std::vector<std::uint32_t>> group_candidates(const std::vector<Candidate>& candidates,
                                                         const VariantOptions& options, VariantCounts& counts);

/// A recurring phrase: a group of candidates (a template and its variants) as one.
struct Template {
  std::uint32_t candidate = 0;  ///< its template, group[0]: an index into the candidates
  std::uint32_t chars = 0;      ///< content characters of that candidate's text
  /// The occurrences of all its candidates, by start: where several start at one place, the
  /// longest; one that lies inside another (a shorter variant nested in a longer one) is left out,
  /// being the same text.
  std::vector<Occurrence> occurrences;
  std::uint32_t documents = 0;  ///< distinct documents of `occurrences`
  /// Characters reused across documents, documents x chars: long template passages in many
  /// documents come first; a short slogan needs many documents to rank as high.
  double score = 0;
};

/// The templates of `groups` (from group_candidates()) that occur in at least `min_docs`
/// documents, in group order.
std::vector<Template> make_templates(const std::vector<Candidate>& candidates,
                                     const std::vector<std::vector<std::uint32_t>>& groups,
                                     const SegmentedText& text, unsigned min_docs);

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

/// The canonical text of a template: the index k into `forms` of its most frequent normalised form
/// (ties: the one listed first). `listed` are the template's listed occurrences and `forms[k]` the
/// normalised text of the template's own length at listed[k]; only occurrences that start where
/// the template's own candidate occurs (`own`, sorted by start) take part, since at other places
/// the text is a variant's. When none does, 0.
std::size_t canonical_form(std::span<const Occurrence> listed, std::span<const Occurrence> own,
                           std::span<const std::string> forms);

/// The ways a phrase is written among its `locations`: one entry per distinct text as written,
/// with its occurrences and distinct documents (path, document_index); by occurrences, then
/// documents (descending), then text.
std::vector<PhraseVariant> count_variants(const std::vector<PhraseLocation>& locations);

}  // namespace recur
