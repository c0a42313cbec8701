#pragma once
/// \file encoding.hpp
/// Turning a file's bytes into UTF-8 text, with a map back to the original bytes.
/// No I/O: the caller reads the bytes (see corpus.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recur/status.hpp"

namespace recur {

/// How to decode input bytes.
///
/// | field                  | default | meaning                                                        |
/// |------------------------|---------|----------------------------------------------------------------|
/// | encoding               | "auto"  | detection, or an ICU converter name forced on every file       |
/// | max_invalid_per_char   | 0.001   | invalid stretches tolerated per decoded character (1 in 1,000)  |
/// | min_invalid_allowed    | 8       | invalid stretches tolerated in any file, however short          |
/// | chunk_bytes            | 4 MiB   | bytes handed to ICU per call (for tests and tuning only)        |
///
/// An *invalid stretch* is a maximal run of consecutive bytes that belong to no valid character,
/// however many bytes long: one corrupted character counts once.
struct DecodeOptions {
  /// "auto" (default): BOM, then strict UTF-8, then ICU charset detection (GB18030, Big5, ...).
  /// Anything else is an ICU converter name ("gb18030", "gbk", "utf-16le", ...) forced on every file.
  std::string encoding = "auto";
  /// A file that is valid UTF-8 apart from a few invalid stretches is read as UTF-8, each
  /// ill-formed sequence replaced by U+FFFD with a warning, when it has at most
  /// max(min_invalid_allowed, max_invalid_per_char * characters) invalid stretches. The same
  /// allowance, counted in undecodable sequences, applies to a forced or detected encoding.
  /// In auto mode a short file whose invalid stretches are dense (1 in 30 characters or more) is
  /// read as GB18030 instead when it decodes as GB18030 without a single error to mostly Chinese:
  /// real GB18030 Chinese is invalid UTF-8 at least every 20 characters, corruption is rarer.
  double max_invalid_per_char = 0.001;
  /// See max_invalid_per_char: the allowance of a short file (default 8 invalid stretches).
  std::size_t min_invalid_allowed = 8;
  /// Bytes converted per ICU call (ICU's offsets are int32). Only tests and tuning change this:
  /// tiny chunks make characters straddle chunk boundaries in small inputs. Default 4 MiB; the
  /// conversion buffers are sized to min(chunk_bytes, input size).
  std::size_t chunk_bytes = std::size_t{1} << 22;

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
  /// Otherwise text.size()+1 entries: for each decoded byte, the original offset where the
  /// character it belongs to starts (every byte of a character maps to the same offset; a U+FFFD
  /// maps to the first byte of the invalid sequence it replaces), and the original size at the
  /// end. The entries never decrease and stay within [start of the text, original size].
  std::vector<std::uint64_t> to_original;
  std::size_t replaced = 0; ///< undecodable sequences replaced by U+FFFD (one U+FFFD each)

  /// True when decoded offsets map to original offsets by adding `shift`.
  bool is_identity() const noexcept { return to_original.empty(); }
  /// Original byte offset of decoded offset `pos` (0 <= pos <= text.size()).
  std::uint64_t original(std::size_t pos) const noexcept {
    return to_original.empty() ? pos + shift : to_original[pos];
  }
};

/// The outcome of decoding: ok with `decoded`, or a status for the skip list (codes empty, binary,
/// encoding; "binary file (NUL bytes)", ...).
struct DecodeResult {
  Status status;
  Decoded decoded;
  bool ok() const noexcept { return status.ok(); }
};

/// Decodes `bytes` as described in DecodeOptions. Never throws on bad input: a file that
/// cannot be decoded comes back with a status that is not ok.
DecodeResult decode(std::string_view bytes, const DecodeOptions& options);

/// The same, taking the bytes: valid UTF-8 without a BOM (the common case) is moved into the result
/// instead of copied.
DecodeResult decode(std::string&& bytes, const DecodeOptions& options);

/// True when `bytes` is well-formed UTF-8 (no surrogates, no overlongs).
bool is_valid_utf8(std::string_view bytes) noexcept;

/// `bytes` with each ill-formed UTF-8 sequence (a maximal subpart, as decode() replaces them)
/// replaced by U+FFFD; well-formed input comes back unchanged.
std::string to_valid_utf8(std::string_view bytes);

}  // namespace recur
