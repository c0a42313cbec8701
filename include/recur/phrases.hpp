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
std::vector<Repeat> maximal_repeats(const SegmentedText& text, const RepeatOptions& options);

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

}  // namespace recur
