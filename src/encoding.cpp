// Decoding input bytes to UTF-8 with a map back to the original bytes.
#include "recur/encoding.hpp"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "recur/text.hpp"

namespace recur {
namespace {

// One step of UTF-8 decoding at s[i]: a valid character, or an ill-formed sequence to replace by
// one U+FFFD. An ill-formed sequence is a "maximal subpart" (Unicode 3.9, D93b): the longest
// prefix of a valid sequence, or one byte. That is what ICU, Python and browsers replace, so
// forced and detected UTF-8 give the same text.
struct Utf8Step {
  std::size_t length;
  bool valid;
};
Utf8Step utf8_step(const unsigned char* s, std::size_t i, std::size_t n) noexcept {
  const unsigned char b0 = s[i];
  if (b0 < 0x80) return {1, true};
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (Unicode table 3-7)
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};  // a continuation byte, C0, C1 or F5..FF
  }
  std::size_t k = 1;
  if (i + 1 < n && s[i + 1] >= lo && s[i + 1] <= hi) {
    k = 2;
    while (k < need && i + k < n && (s[i + k] & 0xC0) == 0x80) ++k;
  }
  return {k, k == need};
}

// What decode_utf8_replacing would find, without building anything.
struct Utf8Scan {
  std::size_t chars = 0;      // decoded characters, each U+FFFD included
  std::size_t replaced = 0;   // ill-formed sequences (one U+FFFD each)
  std::size_t stretches = 0;  // maximal runs of consecutive ill-formed sequences
  std::size_t multibyte = 0;  // well-formed characters of 2 to 4 bytes: evidence for UTF-8
};
Utf8Scan scan_utf8(std::string_view bytes) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  Utf8Scan r;
  bool in_stretch = false;
  for (std::size_t i = 0; i < n;) {
    const Utf8Step st = utf8_step(s, i, n);
    ++r.chars;
    if (!st.valid) {
      ++r.replaced;
      r.stretches += !in_stretch;
    } else {
      r.multibyte += st.length > 1;
    }
    in_stretch = !st.valid;
    i += st.length;
  }
  return r;
}

// Decodes UTF-8 replacing each ill-formed sequence with U+FFFD. Every byte of a character maps to
// the original start of that character, the bytes of a U+FFFD to the first byte it replaces.
Decoded decode_utf8_replacing(std::string_view bytes, std::uint64_t base) {
  Decoded d;
  d.text.reserve(bytes.size() + 64);
  d.to_original.reserve(bytes.size() + 65);
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  for (std::size_t i = 0; i < n;) {
    const Utf8Step st = utf8_step(s, i, n);
    if (st.valid) {
      d.text.append(bytes.data() + i, st.length);
    } else {
      d.text += "\xEF\xBF\xBD";
      ++d.replaced;
    }
    d.to_original.resize(d.text.size(), base + i);
    i += st.length;
  }
  d.to_original.push_back(base + n);
  return d;
}

// Characters in valid UTF-8 text (bytes that are not continuation bytes).
std::size_t count_chars(std::string_view text) noexcept {
  std::size_t c = 0;
  for (const char ch : text) c += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return c;
}

// The rule of DecodeOptions::max_invalid_per_char.
bool within_allowance(std::size_t invalid, std::size_t chars, const DecodeOptions& o) noexcept {
  return invalid <= o.min_invalid_allowed ||
         static_cast<double>(invalid) <= o.max_invalid_per_char * static_cast<double>(chars);
}

// In auto mode, UTF-8 errors at least this dense (1 stretch per kDenseChars characters) make a
// file worth trying as GB18030 even when the allowance would accept it as UTF-8. Measured on the
// shared corpus encoded as GB18030: pieces of 5 to 200 characters have at least 1 stretch per 20
// characters (and from 30 characters on, 1 per 11); corrupted UTF-8 within the allowance is
// this dense only in files of a few hundred characters.
constexpr std::size_t kDenseChars = 30;

// Beyond the allowance, a legacy encoding must fit the bytes clearly better than UTF-8. It does not
// while well-formed multi-byte UTF-8 characters outnumber the invalid stretches this many to one:
// bytes of another encoding rarely form a well-formed multi-byte UTF-8 character (in real GB18030
// Chinese they do about once per 12 characters, against an invalid stretch at least every 20, so
// the ratio stays near 1), while a damaged Chinese UTF-8 file has thousands of characters per
// damaged spot. Such a file is damaged UTF-8, and reading it as windows-1252 would turn every
// character into mojibake that matches nothing.
constexpr std::size_t kUtf8Evidence = 20;

struct ConverterCloser {
  void operator()(UConverter* c) const noexcept { ucnv_close(c); }
};

// Counts the sequences ICU substitutes, then substitutes as ICU's default callback does. Counting
// U+FFFD in the output instead would take a literal U+FFFD in valid text for an error.
extern "C" void U_CALLCONV count_and_substitute(const void* context, UConverterToUnicodeArgs* args,
                                                const char* code_units, int32_t length,
                                                UConverterCallbackReason reason, UErrorCode* err) {
  if (reason <= UCNV_IRREGULAR) ++*static_cast<std::size_t*>(const_cast<void*>(context));
  UCNV_TO_U_CALLBACK_SUBSTITUTE(nullptr, args, code_units, length, reason, err);
}

// Converts `bytes` from `charset` with ICU, `chunk_bytes` at a time, recording for every output
// byte the offset of the source character it came from. Returns false with `reason` when ICU
// does not know the charset.
bool convert_with_map(std::string_view bytes, const std::string& charset, std::uint64_t base,
                      std::size_t chunk_bytes, Decoded& d, std::string& reason) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(charset.c_str(), &status));
  if (U_FAILURE(status)) {
    reason = "unknown encoding '" + charset + "'";
    return false;
  }
  std::size_t substituted = 0;
  ucnv_setToUCallBack(conv.get(), count_and_substitute, &substituted, nullptr, nullptr, &status);
  if (U_FAILURE(status)) {
    reason = std::string("cannot set up the ") + charset + " converter: " + u_errorName(status);
    return false;
  }
  d.text.clear();
  d.to_original.clear();
  d.text.reserve(bytes.size() * 3 / 2 + 16);
  d.to_original.reserve(bytes.size() * 3 / 2 + 17);
  // Chunks keep ICU's int32 offsets in range; the converter carries state across chunks. The
  // buffers hold one chunk's output (a byte gives at most two UTF-16 units, plus what the
  // converter carried), sized to the input: detection converts many short files.
  const std::size_t chunk = std::max<std::size_t>(1, std::min(chunk_bytes, bytes.size()));
  std::vector<UChar> target(2 * chunk + 16);
  std::vector<int32_t> offsets(target.size());
  UChar pending_high = 0;
  std::uint64_t pending_offset = 0;
  const std::uint64_t end_offset = base + bytes.size();
  std::uint64_t last = base;  // offsets never decrease
  const char* src = bytes.data();
  const char* const src_end = bytes.data() + bytes.size();
  while (true) {
    const std::uint64_t chunk_offset = base + static_cast<std::uint64_t>(src - bytes.data());
    const char* chunk_end = (src_end - src > static_cast<std::ptrdiff_t>(chunk)) ? src + chunk : src_end;
    const bool flush = chunk_end == src_end;
    // Bytes of a character cut by the previous chunk wait inside the converter, and began
    // `pending` bytes before this chunk; the first character this call produces is theirs. ICU
    // does not say so consistently (see offsets_from below); UTF-8 is decoded without ICU.
    status = U_ZERO_ERROR;
    const int32_t pending = std::max(0, ucnv_toUCountPending(conv.get(), &status));
    const std::uint64_t carried_start = chunk_offset - static_cast<std::uint64_t>(pending);
    bool carried = pending > 0;
    UChar* t = target.data();
    status = U_ZERO_ERROR;
    ucnv_toUnicode(conv.get(), &t, target.data() + target.size(), &src, chunk_end, offsets.data(),
                   flush, &status);
    if (U_FAILURE(status) && status != U_BUFFER_OVERFLOW_ERROR) {
      reason = std::string("cannot decode as ") + charset + ": " + u_errorName(status);
      return false;
    }
    const std::size_t produced = static_cast<std::size_t>(t - target.data());
    // Converters that give the carried character an offset (0) count every offset of this call
    // from where the carried bytes began (ICU 72: UTF-8, UTF-32); the others from the chunk.
    const std::uint64_t offsets_from = carried && produced > 0 && offsets[0] >= 0 ? carried_start : chunk_offset;
    for (std::size_t k = 0; k < produced; ++k) {
      std::uint64_t off = carried || offsets[k] < 0 ? carried_start
                                                    : offsets_from + static_cast<std::uint64_t>(offsets[k]);
      // A converter that misreports cannot make the map go back or leave the input: a character
      // starts at one of its bytes, so before end_offset. (ICU's GB18030 converter, given an invalid
      // sequence cut by chunks of a few bytes, reported an offset past the end: found by fuzz_decode.)
      off = std::clamp(off, last, std::max(last, end_offset - 1));
      UChar u = target[k];
      char32_t c;
      if (U16_IS_LEAD(u)) {
        pending_high = u;
        pending_offset = off;
        continue;
      }
      if (U16_IS_TRAIL(u) && pending_high != 0) {
        c = U16_GET_SUPPLEMENTARY(pending_high, u);
        off = pending_offset;
        pending_high = 0;
      } else {
        if (pending_high != 0) {  // lone lead surrogate
          append_utf8(d.text, 0xFFFD);
          d.to_original.resize(d.text.size(), pending_offset);
          ++d.replaced;
          pending_high = 0;
        }
        // A lone trail surrogate: ICU's converters report these to the callback instead, but should
        // one pass through it is a replacement like any other, and counted as one.
        c = u;
        if (U16_IS_SURROGATE(u)) {
          c = 0xFFFD;
          ++d.replaced;
        }
      }
      append_utf8(d.text, c);
      d.to_original.resize(d.text.size(), off);
      last = off;
      carried = false;
    }
    if (status == U_BUFFER_OVERFLOW_ERROR) continue;  // same chunk, more output
    if (flush) break;
  }
  if (pending_high != 0) {
    append_utf8(d.text, 0xFFFD);
    d.to_original.resize(d.text.size(), pending_offset);
    ++d.replaced;
  }
  d.to_original.push_back(end_offset);
  d.replaced += substituted;
  return true;
}

// Share of C0 control characters other than tab, newline, carriage return and form feed.
// This scans every byte of every input, so it skips 8 bytes at a time when none is below 0x20
// (true of almost every word of text: a newline comes every few hundred bytes).
bool looks_binary(std::string_view text) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t controls = 0, i = 0;
  auto count = [&](unsigned char c) {
    controls += (c < 0x20) & (c != '\t') & (c != '\n') & (c != '\r') & (c != '\f') & (c != 0x1A);
  };
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s + i, 8);
    // Non-zero exactly when some byte is below 0x20 (bytes >= 0x80 cannot borrow into a false hit).
    if (((w - kOnes * 0x20) & ~w & kHigh) == 0) continue;
    for (std::size_t k = 0; k < 8; ++k) count(s[i + k]);
  }
  for (; i < n; ++i) count(s[i]);
  return controls > 16 && controls * 100 > text.size();
}

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

DecodeResult fail(std::string reason, StatusCode code = StatusCode::encoding) {
  DecodeResult r;
  r.status = Status(code, std::move(reason));
  return r;
}

DecodeResult finish(Decoded d) {
  if (looks_binary(d.text)) return fail("binary file (control characters)", StatusCode::binary);
  DecodeResult r;
  r.decoded = std::move(d);
  return r;
}

DecodeResult decode_with(std::string_view bytes, const std::string& charset, std::uint64_t base,
                         const std::string& label, const DecodeOptions& options) {
  Decoded d;
  std::string reason;
  if (!convert_with_map(bytes, charset, base, options.chunk_bytes, d, reason)) return fail(reason);
  d.encoding = label;
  if (d.replaced > 0) {
    if (!within_allowance(d.replaced, count_chars(d.text), options))
      return fail("not valid " + label + ": " + std::to_string(d.replaced) +
                  " undecodable sequences (use --encoding to name the right one)");
    d.note = std::to_string(d.replaced) + " undecodable sequences replaced by U+FFFD";
  }
  return finish(std::move(d));
}

// UTF-8 with replacements when its invalid stretches are within the allowance, else a reason.
// `base` is where `bytes` start in the file (a BOM before them).
DecodeResult decode_utf8_tolerant(std::string_view bytes, std::uint64_t base, const std::string& label,
                                  const DecodeOptions& options) {
  if (is_valid_utf8(bytes)) {
    Decoded d;
    d.text.assign(bytes);
    d.encoding = label;
    d.shift = base;
    return finish(std::move(d));
  }
  const Utf8Scan scan = scan_utf8(bytes);
  if (!within_allowance(scan.stretches, scan.chars, options))
    return fail("not valid " + label + " (" + std::to_string(scan.stretches) + " invalid stretches in " +
                std::to_string(scan.chars) + " characters); use --encoding to name the encoding");
  Decoded d = decode_utf8_replacing(bytes, base);
  d.encoding = label;
  d.note = std::to_string(d.replaced) + " invalid UTF-8 sequences replaced by U+FFFD";
  return finish(std::move(d));
}

bool is_utf8_converter(const std::string& name) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(name.c_str(), &status));
  return U_SUCCESS(status) && ucnv_getType(conv.get()) == UCNV_UTF8;
}

}  // namespace

std::string to_valid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n;) {
    const Utf8Step step = utf8_step(s, i, n);
    if (step.valid) {
      out.append(bytes.data() + i, step.length);
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
    }
    i += step.length;
  }
  return out;
}

// simdjson's validator (64 bytes a step, the processor's widest vectors chosen at run time): 24 GB/s
// on a dense corpus's Chinese text against 2.8-6.2 GB/s for recur's own, which read 3-byte
// sequences 4 at a time with 64-bit words. Every input is validated once when read and every member
// text once more when read back for the report, 1.8 GB of text on dense 1 GiB.
bool is_valid_utf8(std::string_view bytes) noexcept { return simdjson::validate_utf8(bytes.data(), bytes.size()); }

std::string DecodeOptions::validate() const {
  if (encoding.empty()) return "--encoding must not be empty (use auto)";
  if (encoding != "auto") {
    UErrorCode status = U_ZERO_ERROR;
    UConverter* c = ucnv_open(encoding.c_str(), &status);
    if (U_FAILURE(status)) return "--encoding: ICU does not know the encoding '" + encoding + "'";
    ucnv_close(c);
  }
  if (!(max_invalid_per_char >= 0 && max_invalid_per_char < 1))
    return "max_invalid_per_char must be in [0, 1)";
  if (chunk_bytes == 0 || chunk_bytes > (std::size_t{1} << 28))
    return "chunk_bytes must be in [1, 256 MiB] (ICU offsets are 32-bit)";
  return {};
}

DecodeResult decode(std::string_view bytes, const DecodeOptions& options) {
  if (bytes.empty()) return fail("empty file", StatusCode::empty);

  if (options.encoding != "auto") {
    // UTF-8 under any of its names is decoded here, not by ICU: the same replacements as in auto
    // mode, and ICU's UTF-8 converter misreports offsets of a character cut by a chunk boundary.
    if (is_utf8_converter(options.encoding)) {
      const std::uint64_t skip = starts_with(bytes, "\xEF\xBB\xBF") ? 3 : 0;  // a BOM is not text
      return decode_utf8_tolerant(bytes.substr(skip), skip, options.encoding, options);
    }
    return decode_with(bytes, options.encoding, 0, options.encoding, options);
  }

  // Byte-order marks decide.
  if (starts_with(bytes, "\xEF\xBB\xBF")) {
    DecodeResult r = decode_utf8_tolerant(bytes.substr(3), 3, "UTF-8 with BOM", options);
    if (const std::string& m = r.status.message(); !r.ok() && m.rfind("not valid", 0) == 0)
      r.status = Status(r.status.code(), "not valid UTF-8 despite its byte-order mark (" + m.substr(m.find('(') + 1));
    return r;
  }
  if (starts_with(bytes, std::string_view("\xFF\xFE\x00\x00", 4)))
    return decode_with(bytes.substr(4), "UTF-32LE", 4, "UTF-32LE", options);
  if (starts_with(bytes, std::string_view("\x00\x00\xFE\xFF", 4)))
    return decode_with(bytes.substr(4), "UTF-32BE", 4, "UTF-32BE", options);
  if (starts_with(bytes, "\xFF\xFE"))
    return decode_with(bytes.substr(2), "UTF-16LE", 2, "UTF-16LE", options);
  if (starts_with(bytes, "\xFE\xFF"))
    return decode_with(bytes.substr(2), "UTF-16BE", 2, "UTF-16BE", options);

  if (std::memchr(bytes.data(), 0, bytes.size()) != nullptr)
    return fail("binary file (contains NUL bytes; UTF-16 needs a byte-order mark or --encoding)", StatusCode::binary);

  if (is_valid_utf8(bytes)) {
    Decoded d;
    d.text.assign(bytes);
    d.encoding = "UTF-8";
    return finish(std::move(d));
  }

  // Chinese government files are most often GB18030/GBK, which is invalid UTF-8 at least every
  // few characters. When the UTF-8 errors are that dense and the bytes decode as GB18030 without a
  // single error to mostly Chinese, take GB18030. (ICU's statistical detector needs a few dozen
  // characters to recognise GB18030 and guesses wildly on short files.) Sparse errors are
  // corruption of UTF-8: a corrupted UTF-8 file of a few hundred characters decodes cleanly as
  // GB18030 surprisingly often, so this is not tried for them.
  const Utf8Scan scan = scan_utf8(bytes);
  if (scan.stretches * kDenseChars >= scan.chars) {
    Decoded d;
    std::string reason;
    if (convert_with_map(bytes, "GB18030", 0, options.chunk_bytes, d, reason) && d.replaced == 0) {
      std::size_t cjk = 0, other = 0;
      for (std::size_t i = 0; i < d.text.size();) {
        const char32_t c = next_code_point(d.text, i);
        if (c >= 0x80) ((c >= 0x3000 && c <= 0x9FFF) || (c >= 0xFF00 && c <= 0xFFEF) ? cjk : other)++;
      }
      if (cjk >= 2 && cjk >= 4 * other) {
        d.encoding = "GB18030";
        d.note = "not UTF-8; decoded as GB18030 (decodes cleanly to Chinese text; use --encoding to force another)";
        return finish(std::move(d));
      }
    }
  }

  // UTF-8 but for a few invalid stretches: keep it, say so.
  if (within_allowance(scan.stretches, scan.chars, options)) {
    Decoded d = decode_utf8_replacing(bytes, 0);
    d.encoding = "UTF-8";
    d.note = std::to_string(d.replaced) + " invalid UTF-8 sequences replaced by U+FFFD";
    return finish(std::move(d));
  }

  // More damage than the allowance, but UTF-8 still explains the file far better than any legacy
  // encoding could: read it as UTF-8 all the same, and say how damaged it is.
  if (scan.multibyte >= kUtf8Evidence * scan.stretches) {
    Decoded d = decode_utf8_replacing(bytes, 0);
    d.encoding = "UTF-8";
    d.note = std::to_string(d.replaced) + " invalid UTF-8 sequences replaced by U+FFFD (" +
             std::to_string(scan.stretches) + " damaged stretches in " + std::to_string(scan.chars) +
             " characters, more than the 1 per 1,000 of a lightly damaged file: check the file)";
    return finish(std::move(d));
  }

  // Another encoding: ask ICU's detector (on a prefix; detection does not need the whole file).
  UErrorCode status = U_ZERO_ERROR;
  UCharsetDetector* det = ucsdet_open(&status);
  if (U_FAILURE(status)) return fail("not UTF-8 and charset detection is unavailable (use --encoding)");
  const std::size_t probe = std::min<std::size_t>(bytes.size(), std::size_t{1} << 20);
  ucsdet_setText(det, bytes.data(), static_cast<int32_t>(probe), &status);
  int32_t found = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(det, &found, &status);
  std::vector<std::pair<std::string, int32_t>> candidates;
  for (int32_t k = 0; U_SUCCESS(status) && k < found; ++k) {
    UErrorCode s2 = U_ZERO_ERROR;
    const char* name = ucsdet_getName(matches[k], &s2);
    int32_t conf = ucsdet_getConfidence(matches[k], &s2);
    if (U_SUCCESS(s2) && name != nullptr && std::strcmp(name, "UTF-8") != 0 && conf >= 10)
      candidates.emplace_back(name, conf);
  }
  ucsdet_close(det);
  for (const auto& [name, conf] : candidates) {
    // GB2312 is reported for GBK/GB18030 text too; GB18030 is a superset, so decode with it.
    std::string charset = (name == "GB2312" || name == "GBK") ? "GB18030" : name;
    DecodeResult r = decode_with(bytes, charset, 0, charset, options);
    if (r.ok()) {
      std::string note = "not UTF-8; decoded as " + charset + " (ICU detection, confidence " +
                         std::to_string(conf) + "; use --encoding to force)";
      r.decoded.note = r.decoded.note.empty() ? note : note + "; " + r.decoded.note;
      return r;
    }
  }
  return fail("not valid UTF-8 (" + std::to_string(scan.stretches) + " invalid stretches in " +
              std::to_string(scan.chars) + " characters) and no other encoding fits; use --encoding to name it");
}

DecodeResult decode(std::string&& bytes, const DecodeOptions& options) {
  if (options.encoding == "auto" && !bytes.empty() && !starts_with(bytes, "\xEF\xBB\xBF") &&
      !starts_with(bytes, "\xFF\xFE") && !starts_with(bytes, "\xFE\xFF") &&
      std::memchr(bytes.data(), 0, bytes.size()) == nullptr && is_valid_utf8(bytes)) {
    Decoded d;
    d.text = std::move(bytes);
    d.encoding = "UTF-8";
    return finish(std::move(d));
  }
  return decode(std::string_view(bytes), options);
}

}  // namespace recur
