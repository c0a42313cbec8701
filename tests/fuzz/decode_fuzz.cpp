// Fuzz target: recur::decode (encoding.hpp).
//
// The whole input is a file's bytes, decoded with automatic detection (BOM, strict UTF-8, mostly
// UTF-8 with replacements, GB18030, ICU detection), through both overloads. Then the same bytes
// are decoded with an encoding forced as --encoding does, picked by the last byte.
//
// Invariants:
// - a decoded text is valid UTF-8 (is_valid_utf8, and an independent check);
// - identity results are the input bytes after `shift`;
// - otherwise `to_original` has text.size()+1 entries, is non-decreasing, stays inside the input,
//   ends at its size, and the bytes of a decoded character map together (or byte for byte);
// - decode(string_view) and decode(string&&) agree (on valid UTF-8, where they differ in code).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "recur/encoding.hpp"

namespace {

using recur_fuzz::utf8_sequence_length;

void check_decoded(std::string_view bytes, const recur::DecodeResult& r, const char* how) {
  if (!r.ok()) {
    CHECK(!r.status.message().empty(), "%s: a failed decode gives no reason", how);
    return;
  }
  const recur::Decoded& d = r.decoded;
  CHECK(recur::is_valid_utf8(d.text), "%s (%s): decoded text is not valid UTF-8", how, d.encoding.c_str());
  for (std::size_t i = 0; i < d.text.size();) {
    const std::size_t n = utf8_sequence_length(d.text, i);
    CHECK(n > 0, "%s (%s): is_valid_utf8 accepted an invalid sequence at decoded byte %zu", how,
          d.encoding.c_str(), i);
    i += n;
  }
  CHECK(!d.encoding.empty(), "%s: no encoding named", how);
  if (d.is_identity()) {
    CHECK(d.shift <= bytes.size(), "%s (%s): shift %llu beyond the %zu input bytes", how, d.encoding.c_str(),
          static_cast<unsigned long long>(d.shift), bytes.size());
    CHECK(bytes.substr(d.shift) == d.text, "%s (%s): identity result differs from the input after shift %llu",
          how, d.encoding.c_str(), static_cast<unsigned long long>(d.shift));
    return;
  }
  const auto& m = d.to_original;
  CHECK(m.size() == d.text.size() + 1, "%s (%s): to_original has %zu entries for %zu bytes", how,
        d.encoding.c_str(), m.size(), d.text.size());
  CHECK(m.back() == bytes.size(), "%s (%s): to_original ends at %llu, not at the input size %zu", how,
        d.encoding.c_str(), static_cast<unsigned long long>(m.back()), bytes.size());
  for (std::size_t i = 0; i < d.text.size(); ++i) {
    CHECK(m[i] < bytes.size(), "%s (%s): decoded byte %zu maps to %llu, outside the %zu input bytes", how,
          d.encoding.c_str(), i, static_cast<unsigned long long>(m[i]), bytes.size());
    CHECK(m[i] <= m[i + 1], "%s (%s): to_original decreases at decoded byte %zu (%llu > %llu)", how,
          d.encoding.c_str(), i, static_cast<unsigned long long>(m[i]),
          static_cast<unsigned long long>(m[i + 1]));
    // A byte inside a decoded character maps where its lead byte does (a converted character) or
    // one past the byte before it (UTF-8 copied byte for byte by the replacing decoder).
    if ((static_cast<unsigned char>(d.text[i]) & 0xC0) == 0x80)
      CHECK(m[i] == m[i - 1] || m[i] == m[i - 1] + 1,
            "%s (%s): decoded byte %zu of a character maps to %llu, the byte before to %llu", how,
            d.encoding.c_str(), i, static_cast<unsigned long long>(m[i]),
            static_cast<unsigned long long>(m[i - 1]));
  }
  for (std::size_t i = 0; i <= d.text.size(); ++i)
    CHECK(d.original(i) == m[i], "%s: original() disagrees with to_original", how);
}

void check_same(const recur::DecodeResult& a, const recur::DecodeResult& b, const char* how) {
  CHECK(a.ok() == b.ok() && a.status.message() == b.status.message(), "%s: the two decode overloads disagree: ok %d/%d, '%s' / '%s'",
        how, a.ok(), b.ok(), a.status.message().c_str(), b.status.message().c_str());
  if (!a.ok()) return;
  const recur::Decoded &x = a.decoded, &y = b.decoded;
  CHECK(x.text == y.text && x.encoding == y.encoding && x.shift == y.shift && x.replaced == y.replaced &&
            x.note == y.note,
        "%s: the two decode overloads give different results (%s / %s)", how, x.encoding.c_str(),
        y.encoding.c_str());
  // The string&& overload may keep the identity form where the view overload built a map; what
  // matters is that every offset maps to the same place.
  for (std::size_t i = 0; i <= x.text.size(); ++i)
    CHECK(x.original(i) == y.original(i), "%s: the overloads map decoded byte %zu differently", how, i);
}

// Encodings a user may force with --encoding (ICU converter names).
constexpr const char* kForced[] = {"utf-8",     "UTF-8",  "gb18030",   "gbk",       "big5",    "utf-16le",
                                   "utf-16be",  "utf-32le", "utf-32be", "shift_jis", "euc-kr",  "windows-1252",
                                   "iso-8859-1", "utf-16", "utf-32",    "cesu-8",    "scsu",    "utf-7"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::uint8_t last = size > 0 ? data[size - 1] : 0;

  recur::DecodeOptions automatic;
  // Half the time, a tolerant mostly-UTF-8 allowance, so that replacement paths run on short inputs.
  if (last & 0x80) automatic.max_invalid_per_char = 0.25;
  // Converter chunks of 1..32 bytes half the time, so that small files cross the chunk boundaries
  // a 4 MiB file would (where the first fuzz finding lived).
  if (last & 0x40) automatic.chunk_bytes = 1 + (last & 0x1F);
  CHECK(automatic.validate().empty(), "valid options rejected");
  const recur::DecodeResult by_view = recur::decode(bytes, automatic);
  check_decoded(bytes, by_view, "auto");
  // The string&& overload has a path of its own only for valid UTF-8 (else it calls the view
  // overload).
  if (recur::is_valid_utf8(bytes)) {
    const recur::DecodeResult by_move = recur::decode(std::string(bytes), automatic);
    check_decoded(bytes, by_move, "auto (string&&)");
    check_same(by_view, by_move, "auto");
  }

  recur::DecodeOptions forced = automatic;
  forced.encoding = kForced[last % (sizeof kForced / sizeof kForced[0])];
  CHECK(forced.validate().empty(), "ICU does not know the converter '%s'", forced.encoding.c_str());
  check_decoded(bytes, recur::decode(bytes, forced), forced.encoding.c_str());
  return 0;
}
