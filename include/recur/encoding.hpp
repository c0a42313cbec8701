#pragma once
/// \file encoding.hpp
/// Turning a file's bytes into UTF-8 text, with a map back to the original bytes.
/// No I/O: the caller reads the bytes (see corpus.hpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace recur {

/// How to decode input bytes.
struct DecodeOptions {
  /// "auto" (default): BOM, then strict UTF-8, then ICU charset detection (GB18030, Big5, ...).
  /// Anything else is an ICU converter name ("gb18030", "gbk", "utf-16le", ...) forced on every file.
  std::string encoding = "auto";
  /// In auto mode, a file that is mostly UTF-8 but has a few invalid sequences is decoded with
  /// U+FFFD replacements (and a warning) when the invalid bytes are at most this fraction of
  /// the file (default 0.001 = 0.1%); more than that and it is treated as another encoding or skipped.
  double max_invalid_fraction = 0.001;

  /// Empty when valid, else a sentence saying what is wrong.
  std::string validate() const;
};

/// A decoded file: UTF-8 text plus the way back to the original bytes.
struct Decoded {
  std::string text;        ///< UTF-8
  std::string encoding;    ///< what was used: "UTF-8", "UTF-8 with BOM", "UTF-16LE", "GB18030", ...
  std::string note;        ///< a warning for the user (replacements, detection confidence), or empty
  std::uint64_t shift = 0; ///< original offset of text[0] when `to_original` is empty (BOM length)
  /// Empty when text bytes are the original bytes shifted by `shift` (UTF-8 input, the common case).
  /// Otherwise text.size()+1 entries: the original offset of each decoded byte (the start of the
  /// original character it came from), and the original size at the end.
  std::vector<std::uint64_t> to_original;
  std::size_t replaced = 0; ///< invalid sequences replaced by U+FFFD

  /// True when decoded offsets map to original offsets by adding `shift`.
  bool is_identity() const noexcept { return to_original.empty(); }
  /// Original byte offset of decoded offset `pos` (0 <= pos <= text.size()).
  std::uint64_t original(std::size_t pos) const noexcept {
    return to_original.empty() ? pos + shift : to_original[pos];
  }
};

/// The outcome of decoding: `ok` with `decoded`, or not ok with a `reason` for the skip list.
struct DecodeResult {
  bool ok = false;
  std::string reason;  ///< why the file cannot be used ("binary file (NUL bytes)", ...)
  Decoded decoded;
};

/// Decodes `bytes` as described in DecodeOptions. Never throws on bad input: a file that
/// cannot be decoded comes back with ok == false and a reason.
DecodeResult decode(std::string_view bytes, const DecodeOptions& options);

/// The same, taking the bytes: valid UTF-8 without a BOM (the common case) is moved into the result
/// instead of copied.
DecodeResult decode(std::string&& bytes, const DecodeOptions& options);

/// True when `bytes` is well-formed UTF-8 (no surrogates, no overlongs).
bool is_valid_utf8(std::string_view bytes) noexcept;

}  // namespace recur
