#pragma once
/// \file phrases.hpp
/// Recurring phrasing: maximal repeated spans across documents, recurring sentences, and the
/// grouping of near-identical variants under one template. Pure: works on characters in memory.
///
/// Text is compared as *content characters*: the normalised text with punctuation and white space
/// removed (see is_content_char), so 体制顺、机制活 and 体制顺，机制活 are the same span.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace recur {

/// True for characters that take part in phrase matching: CJK characters, letters and digits.
/// Punctuation, symbols and white space are left out.
bool is_content_char(char32_t c) noexcept;

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

}  // namespace recur
