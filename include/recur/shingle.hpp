#pragma once
/// \file shingle.hpp
/// Shingles: hashed n-grams of tokens. A token is one CJK character, or one word of any other
/// script (ICU word break; a plain run of ASCII letters and digits is taken as one word without
/// asking ICU). Punctuation and whitespace are not tokens, so shingles run across them: a
/// shingle of size 2 over "组织，工作" is {组织, 织工, 工作}. A CJK token is its code point, a
/// word token the XXH3 hash of its bytes; a shingle is the XXH3 hash of its tokens.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace recur {

/// Shingling settings.
struct ShingleOptions {
  /// Tokens per shingle (default 2). Measured on ../shared/corpus with 12% random character
  /// edits: size 2 keeps edited copies at Jaccard >= 0.58 (mean 0.66) while unrelated paragraphs
  /// stay near 0.02; size 3 drops edited copies to 0.41..0.54, too close to any usable threshold.
  unsigned size = 2;
  /// Seed of the XXH3 shingle hash (default 0). Part of the result: signatures from different
  /// seeds are not comparable.
  std::uint64_t seed = 0;

  /// Empty when valid, else a sentence saying what is wrong.
  std::string validate() const;
};

/// Turns normalised text into shingle hashes. Holds an ICU word-break iterator, so make one per
/// thread.
class Shingler {
 public:
  explicit Shingler(const ShingleOptions& options = {});
  ~Shingler();
  Shingler(const Shingler&) = delete;
  Shingler& operator=(const Shingler&) = delete;

  /// Appends the token hashes of `normalized` to `tokens` (cleared first) and returns the
  /// number of characters in them (CJK characters plus the characters of words): the length
  /// that --min-chars compares with.
  std::size_t tokenize(std::string_view normalized, std::vector<std::uint64_t>& tokens);

  /// tokenize() without its fast paths (runs of CJK Unified Ideographs, runs of punctuation
  /// before them): every character goes through the general path. Same result, slower; the
  /// reference that the tests compare tokenize() with.
  std::size_t tokenize_general(std::string_view normalized, std::vector<std::uint64_t>& tokens);

  /// Shingle hashes of a token sequence, in order, duplicates kept. Fewer tokens than the
  /// shingle size give one shingle of all of them; no tokens give none.
  void shingles(const std::vector<std::uint64_t>& tokens, std::vector<std::uint64_t>& out) const;

  /// tokenize() then shingles(), sorted and without duplicates: the 64-bit shingle set.
  /// Verification (ShingleSets, verify.hpp) keeps these values folded to 32 bits (fold_shingle).
  std::size_t shingle_set(std::string_view normalized, std::vector<std::uint64_t>& out);

  const ShingleOptions& options() const noexcept { return options_; }

 private:
  std::size_t tokenize_impl(std::string_view s, std::vector<std::uint64_t>& tokens, bool fast);
  ShingleOptions options_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::uint64_t> scratch_;
};

/// True for code points in punctuation blocks that hold no letters or digits (general punctuation,
/// CJK symbols and punctuation, full-width punctuation): never part of a word token.
bool is_punctuation_block(char32_t c) noexcept;

/// Sorts `v` and removes duplicates.
void sort_unique(std::vector<std::uint64_t>& v);

}  // namespace recur
