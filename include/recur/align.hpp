#pragma once
/// \file align.hpp
/// Passage alignment: the spans two texts share apart from small edits, found in any order.
///
/// Texts are compared as token sequences: every CJK character is a token (no word segmentation),
/// and so is every word of other scripts; spaces and punctuation are not tokens, so 体制顺、机制活
/// and 体制顺，机制活 align exactly. Each token keeps its decoded byte range, which leads back to
/// the original file.
///
/// The method, and why (docs/ARCHITECTURE.md, README "recur compare"):
///  1. **Seeds**: every run of `seed` consecutive tokens (a k-gram), hashed. Seeds at every token
///     position, not only after punctuation or spaces: passim's word-boundary seeds give a 44-character
///     Chinese sentence 4 seeds instead of 31.
///  2. **Exact runs**: seeds shared by both texts, on the same diagonal and consecutive, become
///     maximal exact runs (Dolos's fragments). They are order-free: a run can be anywhere in
///     either text, so moved and swapped passages are found (passim #9 chains only in increasing
///     order and loses them).
///  3. **Chains**: runs close on both sides (gaps of at most `max_gap` tokens) are chained by
///     dynamic programming (as minimap2 chains anchors), so an edited passage is one chain across
///     its edits.
///  4. **Alignment**: the tokens between consecutive runs of a chain are aligned by edit distance;
///     a passage's similarity is 1 − edits / tokens of its longer span.
///  5. **Passages**: chains whose spans are within `max_gap` of each other on both sides, in any
///     order (two swapped sentences), are merged into one passage, as Sanchez-Perez et al. merge
///     seeds by proximity; short or dissimilar ones are dropped; where two passages overlap in
///     either text the one with more aligned tokens is kept, so the passages of a text never
///     overlap (PAN's granularity punishes split and duplicated detections).
///
/// Core: no I/O.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recur/scan.hpp"
#include "recur/text.hpp"

namespace recur {

/// How passages are found. Defaults measured with `recur synth --passages` and `recur eval --pan`
/// (README "recur compare").
struct AlignOptions {
  /// Tokens per seed (default 6: survives an edit rate of 15%, where exact runs average about 6
  /// characters, and rare enough by chance in 100 KB reports).
  unsigned seed = 6;
  /// Shortest passage, in tokens on each side (default 20: a clause of 20 Chinese characters;
  /// shorter shared strings are mostly stock phrases).
  unsigned min_tokens = 20;
  /// Largest gap, in tokens on either side, bridged between two exact runs of one passage and
  /// between two parts of a passage (default 24: a rewritten clause).
  unsigned max_gap = 24;
  /// Passages whose similarity is lower are dropped, and parts are not merged into a passage whose
  /// similarity would fall below it (default 0.7: an edit rate of 15% gives about 0.85, while stock
  /// phrases merged across unrelated text fall to 0.5–0.65).
  double min_similarity = 0.7;
  /// A seed that occurs more often than this in either text is repetition within the text, not
  /// evidence of reuse, and is not used (default 64).
  unsigned max_occurrences = 64;

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// A text as alignment sees it: its tokens, each with its decoded byte range.
struct TokenText {
  std::vector<std::uint64_t> hash;        ///< per token: the code point of a CJK character, else a hash of the word
  std::vector<std::uint64_t> begin, end;  ///< per token: decoded byte range [begin, end)
  std::vector<std::uint32_t> chars;       ///< per token: content characters (1 for a CJK character)

  std::size_t size() const noexcept { return hash.size(); }
  /// Content characters of tokens [first, last).
  std::uint64_t content_chars(std::size_t first, std::size_t last) const noexcept;
};

/// Appends the tokens of `normalized` (a normalised paragraph) to `out`; `map` leads from offsets in
/// `normalized` back to offsets in the paragraph's decoded text, which starts at decoded offset
/// `base`.
void append_tokens(std::string_view normalized, const OffsetMap& map, std::uint64_t base, TokenText& out);

/// The tokens of the paragraphs of `file` (all of them, or those of document `document`, 0-based,
/// when it is not -1), normalised as every stage normalises them (normalize_span).
TokenText tokenize(const ScannedFile& file, Normalizer& normalizer, std::int64_t document = -1);

/// The seed hashes of `text`: seeds[i] covers tokens [i, i + k). Empty when the text is shorter.
std::vector<std::uint64_t> seed_hashes(const TokenText& text, unsigned k);

/// A span of tokens [begin, end).
struct TokenSpan {
  std::uint32_t begin = 0, end = 0;
  std::uint32_t size() const noexcept { return end - begin; }
  friend bool operator==(const TokenSpan&, const TokenSpan&) = default;
};

/// A passage: a span of each text whose content is the same apart from small edits.
struct Passage {
  TokenSpan a, b;
  /// Tokens in exact runs shared by both spans (at least `seed` long each).
  std::uint32_t matched = 0;
  /// Token edits (substitutions, insertions, deletions) of the alignment through the exact runs,
  /// plus the tokens of the longer side between merged parts.
  std::uint32_t edits = 0;
  /// 1 − edits / tokens of the longer span: the token-level (for Chinese, character-level)
  /// alignment identity.
  double similarity = 0;
  /// The two spans have identical tokens (punctuation and spaces may differ).
  bool exact = false;
};

/// The passages of `a` and `b`, ordered by their position in `a`. `ignore`, when given, says which
/// seed hashes not to use (template text known in advance, boilerplate of an archive).
/// Deterministic.
std::vector<Passage> align(const TokenText& a, const TokenText& b, const AlignOptions& options,
                           const std::function<bool(std::uint64_t)>& ignore = {});

/// Content characters covered by the union of `spans` of `text` (each character counted once).
std::uint64_t covered_chars(const TokenText& text, std::vector<TokenSpan> spans);

/// Token edit distance of two token sequences (Levenshtein on token hashes).
std::uint32_t edit_distance(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b);

}  // namespace recur
