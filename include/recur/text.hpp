#pragma once
/// \file text.hpp
/// Unicode normalisation (ICU NFKC + case folding, optional Traditional->Simplified) with an
/// offset map from normalised text back to the input, and user-named markers to strip.
/// In the spirit of sentencepiece's Normalize(input, &normalized, &norm_to_orig).
#include <cassert>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recur/status.hpp"

namespace recur {

/// A half-open byte range [begin, end).
struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
  friend bool operator==(const Range&, const Range&) = default;
};

/// Maps byte offsets of normalised text back to byte offsets of the text it came from.
/// Stores only the places where normalisation changed something, so text that was already
/// normal costs nothing. A changed span is atomic: an offset inside it maps to its start
/// (or, for an end offset, to its end).
class OffsetMap {
 public:
  /// One changed span: `norm_len` normalised bytes at `norm` replaced `orig_len` input bytes at `orig`.
  struct Change {
    std::size_t norm, orig, norm_len, orig_len;
  };
  /// Records a change; changes must be appended in increasing order.
  void add_change(std::size_t norm, std::size_t orig, std::size_t norm_len, std::size_t orig_len);
  /// Input offset where the character at normalised offset `pos` starts.
  std::size_t to_input_begin(std::size_t pos) const noexcept;
  /// Input offset where a span ending at normalised offset `pos` ends.
  std::size_t to_input_end(std::size_t pos) const noexcept;
  /// Changes recorded, in order.
  const std::vector<Change>& changes() const noexcept { return changes_; }
  void clear() noexcept { changes_.clear(); }

 private:
  std::vector<Change> changes_;
};

/// Normalisation settings.
struct NormalizeOptions {
  bool casefold = true;   ///< NFKC_Casefold (default) rather than plain NFKC
  bool simplify = false;  ///< also Traditional -> Simplified Chinese (ICU "Hant-Hans"); slower
  /// Characters of the Basic Multilingual Plane that normalise on their own (a normalisation
  /// boundary on both sides) are mapped from a table built once from ICU; the rest go through
  /// ICU. Same text and offsets either way; false sends everything through ICU (for tests).
  bool table = true;
  /// Longest input handed to ICU at once, in bytes (default 64 MiB; ICU takes int32 lengths).
  /// Longer spans are cut before a character with a normalisation boundary before it, so the cut
  /// changes nothing. Only tests change this, to make cuts happen in small inputs.
  std::size_t icu_piece_bytes = std::size_t{1} << 26;
};

/// Normalises text. Holds ICU objects, so make one per thread (it is cheap to copy options,
/// not the object).
class Normalizer {
 public:
  explicit Normalizer(const NormalizeOptions& options = {});
  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  /// Normalises `input` with the byte ranges in `removed` (sorted, disjoint, relative to
  /// `input`) left out. Writes the result to `out` (replaced) and its map back to `input`
  /// offsets to `map` (replaced). Invalid UTF-8 never reaches here (see encoding.hpp).
  void normalize(std::string_view input, std::span<const Range> removed, std::string& out,
                 OffsetMap& map);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A compiled regular expression (ICU syntax), matched against UTF-8 text. Thread-safe:
/// each call makes its own matcher.
class Pattern {
 public:
  /// Compiles `regex`; `multiline` makes ^ and $ match at line boundaries.
  /// Throws Error(errc::usage) naming the option when the regex is invalid.
  /// `piece_bytes` (default 1 GiB) is the size of the pieces find_all matches in; only tests
  /// change it, to make cuts happen in small inputs.
  Pattern(const std::string& regex, bool multiline, const std::string& option_name,
          std::size_t piece_bytes = std::size_t{1} << 30);
  ~Pattern();
  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;

  /// Every non-overlapping match in `text`, as byte ranges, in order. Empty matches are skipped.
  /// Text is matched in pieces of at most `piece_bytes` (1 GiB) cut after a newline (ICU indexes UTF-8 with
  /// int32), so a match never spans such a cut. When matching fails (ICU's backtracking limit,
  /// a single line over 2 GiB), `*status` says why (code `pattern`) and the matches found so far are
  /// returned; with no `status` pointer the failure throws Error(errc::input).
  std::vector<Range> find_all(std::string_view text, Status* status = nullptr) const;
  /// The regex as given.
  const std::string& source() const noexcept { return source_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string source_;
  std::size_t piece_bytes_;
};

/// Decodes one code point from UTF-8 at `s[i]`, advancing `i`. Input must be valid UTF-8.
inline char32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
  // Debug builds check the preconditions: i at the start of a whole character.
  assert(i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80);
  const auto b0 = static_cast<unsigned char>(s[i]);
  assert(i + (b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4) <= s.size());
  if (b0 < 0x80) { ++i; return b0; }
  if (b0 < 0xE0) {
    char32_t c = ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2; return c;
  }
  if (b0 < 0xF0) {
    char32_t c = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    i += 3; return c;
  }
  char32_t c = ((b0 & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
               ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
               (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
  i += 4; return c;
}

/// Appends code point `c` to `out` as UTF-8.
inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

/// is_cjk() past the common ideographs U+4E00..U+9FFF.
bool is_cjk_other(char32_t c) noexcept;

/// True for code points shingled one character at a time: Han ideographs, kana, CJK
/// compatibility ideographs, and the iteration marks. Hangul is word-based (it uses spaces).
/// Inline for the common ideographs, nearly every character of the reports, which tokenising,
/// shingling and reading for phrases ask about one by one.
inline bool is_cjk(char32_t c) noexcept { return (c >= 0x4E00 && c <= 0x9FFF) || is_cjk_other(c); }

/// True for whitespace, including U+3000 IDEOGRAPHIC SPACE and U+00A0.
bool is_space(char32_t c) noexcept;

/// True for the ASCII letters and digits (a byte or a code point below 0x80).
inline bool is_ascii_alnum(char32_t c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace recur
