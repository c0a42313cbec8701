#pragma once
/// \file fuzz_util.hpp
/// What every fuzz target shares: CHECK (an invariant that aborts with a message, so libFuzzer
/// saves the input), a reader for the option bytes at the start of an input, and a way to turn
/// arbitrary bytes into the valid UTF-8 that the stages after decoding are promised.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

/// Aborts with the failed condition, its place and a formatted explanation when `cond` is false.
/// Abort (not an exception) so that libFuzzer reports a crash and writes the reproducer.
#define CHECK(cond, ...)                                                                       \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "\nCHECK failed: %s\n  at %s:%d\n  ", #cond, __FILE__, __LINE__); \
      std::fprintf(stderr, "" __VA_ARGS__);                                                    \
      std::fprintf(stderr, "\n");                                                              \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)

namespace recur_fuzz {

/// Reads option bytes from the front of an input; past the end it yields zeros, so every input
/// (even an empty one) is usable and a seed of plain text gets some options from its first bytes.
class Header {
 public:
  Header(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  /// The next byte, or 0 past the end.
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  /// The bytes not yet read.
  std::string_view rest() const {
    return pos_ < size_ ? std::string_view(reinterpret_cast<const char*>(data_) + pos_, size_ - pos_)
                        : std::string_view();
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

/// Length of the well-formed UTF-8 sequence at s[i] (no overlongs, no surrogates, at most
/// U+10FFFF), or 0 when there is none. Written independently of recur's decoder on purpose.
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const std::size_t left = s.size() - i;
  auto cont = [&](std::size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

/// `bytes` with every byte that does not start a well-formed sequence replaced by U+FFFD: valid
/// UTF-8 that keeps the valid parts of the input byte for byte (what decode() hands on).
inline std::string to_valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    if (const std::size_t n = utf8_sequence_length(bytes, i)) {
      out.append(bytes.data() + i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

/// True when `pos` is a code point boundary of valid UTF-8 `s` (0 and s.size() included).
inline bool is_boundary(std::string_view s, std::size_t pos) {
  return pos == 0 || pos == s.size() ||
         (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) != 0x80);
}

/// Moves `pos` back to the code point boundary at or before it.
inline std::size_t floor_boundary(std::string_view s, std::size_t pos) {
  if (pos > s.size()) pos = s.size();
  while (!is_boundary(s, pos)) --pos;
  return pos;
}

}  // namespace recur_fuzz
