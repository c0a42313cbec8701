// Fuzz target: recur::Normalizer (text.hpp), its offset map, removed ranges, table and ICU paths.
//
// Input: byte 0 picks the options (bit 0 case folding, bit 1 Traditional->Simplified, bits 2-4
// the number of removed ranges), then two bytes per removed range (where it starts, as a fraction
// of the text, and its length in bytes); the rest, made valid UTF-8, is the text.
//
// Invariants:
// - the normalised text is valid UTF-8;
// - the changes are in order and inside both texts, and the bytes between them are the input
//   bytes they map to (so the map is a true alignment);
// - every offset maps back into the input, monotonically, onto a character boundary, and the
//   start of a normalised character never lies inside a removed range;
// - the table path and the ICU-only path give the same text, and the table's offsets are at least
//   as precise as ICU's (ICU may report one change for a segment it recomposed, such as ㈎ then
//   U+0300, where the table knows the boundary inside it);
// - normalising again with the same object gives the same result.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "recur/encoding.hpp"
#include "recur/text.hpp"

namespace {

using recur::OffsetMap;
using recur::Range;
using recur_fuzz::is_boundary;

// One normaliser per option combination, built on first use (ICU set-up is costly). `piece` is
// 0 for the default ICU piece size, else 1..4: pieces of 8..32 bytes, so that short inputs cross
// the piece boundaries a 64 MiB file would.
recur::Normalizer& normalizer(bool casefold, bool simplify, bool table, unsigned piece = 0) {
  static std::unique_ptr<recur::Normalizer> cache[8 * 5];
  auto& slot = cache[((casefold ? 4 : 0) | (simplify ? 2 : 0) | (table ? 1 : 0)) * 5 + piece];
  if (!slot) {
    recur::NormalizeOptions o;
    o.casefold = casefold;
    o.simplify = simplify;
    o.table = table;
    if (piece > 0) o.icu_piece_bytes = 8 * piece;
    slot = std::make_unique<recur::Normalizer>(o);
  }
  return *slot;
}

// Sorted, disjoint removed ranges on character boundaries (touching ranges are kept apart: the
// contract allows them and they are a case of their own).
std::vector<Range> removed_ranges(recur_fuzz::Header& h, unsigned count, std::string_view text) {
  std::vector<Range> r;
  for (unsigned k = 0; k < count; ++k) {
    const std::size_t at = recur_fuzz::floor_boundary(text, h.byte() * (text.size() + 1) / 256);
    const std::size_t end = recur_fuzz::floor_boundary(text, at + h.byte());
    r.push_back({at, std::max(at, end)});
  }
  std::sort(r.begin(), r.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  std::vector<Range> out;
  for (const Range& x : r) {
    if (!out.empty() && x.begin < out.back().end) out.back().end = std::max(out.back().end, x.end);
    else out.push_back(x);
  }
  return out;
}

void check_map(std::string_view input, std::span<const Range> removed, const std::string& out,
               const OffsetMap& map, const char* how) {
  CHECK(recur::is_valid_utf8(out), "%s: normalised text is not valid UTF-8", how);
  // The changes, and the unchanged stretches between them, align the two texts.
  std::size_t norm = 0, orig = 0;
  for (const OffsetMap::Change& c : map.changes()) {
    CHECK(c.norm >= norm && c.orig >= orig, "%s: change (norm %zu, orig %zu) out of order after (%zu, %zu)", how,
          c.norm, c.orig, norm, orig);
    CHECK(c.norm - norm == c.orig - orig,
          "%s: unchanged stretch of %zu normalised bytes at %zu maps to %zu input bytes at %zu", how, c.norm - norm,
          norm, c.orig - orig, orig);
    CHECK(c.norm + c.norm_len <= out.size() && c.orig + c.orig_len <= input.size(),
          "%s: change (norm %zu+%zu, orig %zu+%zu) outside the texts (%zu, %zu bytes)", how, c.norm, c.norm_len,
          c.orig, c.orig_len, out.size(), input.size());
    CHECK(out.compare(norm, c.norm - norm, input, orig, c.orig - orig) == 0,
          "%s: unchanged stretch at normalised %zu differs from the input at %zu", how, norm, orig);
    norm = c.norm + c.norm_len;
    orig = c.orig + c.orig_len;
  }
  CHECK(out.size() - norm == input.size() - orig && out.compare(norm, std::string::npos, input, orig) == 0,
        "%s: the tail after the last change (normalised %zu, input %zu) is not the input's", how, norm, orig);

  std::size_t last_begin = 0, last_end = 0;
  for (std::size_t pos = 0; pos <= out.size(); ++pos) {
    if (!is_boundary(out, pos)) continue;
    const std::size_t b = map.to_input_begin(pos), e = map.to_input_end(pos);
    CHECK(b <= input.size() && e <= input.size(), "%s: offset %zu maps to [%zu, %zu), outside the %zu input bytes",
          how, pos, b, e, input.size());
    CHECK(b >= last_begin && e >= last_end, "%s: offset %zu maps back (begin %zu after %zu, end %zu after %zu)",
          how, pos, b, last_begin, e, last_end);
    CHECK(is_boundary(input, b) && is_boundary(input, e), "%s: offset %zu maps inside an input character (%zu, %zu)",
          how, pos, b, e);
    if (pos < out.size()) {
      for (const Range& r : removed)
        CHECK(!(r.begin <= b && b < r.end), "%s: character at %zu starts at input %zu, inside removed [%zu, %zu)",
              how, pos, b, r.begin, r.end);
      std::size_t next = pos + 1;
      while (!is_boundary(out, next)) ++next;
      CHECK(b < map.to_input_end(next), "%s: character at %zu comes from no input bytes ([%zu, %zu))", how, pos, b,
            map.to_input_end(next));
    }
    last_begin = b;
    last_end = e;
  }
}

struct Result {
  std::string text;
  OffsetMap map;
};

Result run(recur::Normalizer& n, std::string_view input, std::span<const Range> removed) {
  Result r;
  r.text = "stale";  // the output is replaced, not appended to
  n.normalize(input, removed, r.text, r.map);
  return r;
}

void check_same(const Result& a, const Result& b, const char* what) {
  CHECK(a.text == b.text, "%s: texts differ (%zu / %zu bytes)", what, a.text.size(), b.text.size());
  for (std::size_t pos = 0; pos <= a.text.size(); ++pos) {
    if (!is_boundary(a.text, pos)) continue;
    CHECK(a.map.to_input_begin(pos) == b.map.to_input_begin(pos) &&
              a.map.to_input_end(pos) == b.map.to_input_end(pos),
          "%s: offset %zu maps to begin %zu / %zu, end %zu / %zu", what, pos, a.map.to_input_begin(pos),
          b.map.to_input_begin(pos), a.map.to_input_end(pos), b.map.to_input_end(pos));
  }
}

// `fine` gives the same text as `coarse` and maps every character into the input within the span
// `coarse` maps it to: it may split a change of `coarse`, never widen or move one.
void check_refines(const Result& fine, const Result& coarse, const char* what) {
  CHECK(fine.text == coarse.text, "%s: texts differ (%zu / %zu bytes)", what, fine.text.size(), coarse.text.size());
  for (std::size_t pos = 0; pos <= fine.text.size(); ++pos) {
    if (!is_boundary(fine.text, pos)) continue;
    CHECK(fine.map.to_input_begin(pos) >= coarse.map.to_input_begin(pos) &&
              fine.map.to_input_end(pos) <= coarse.map.to_input_end(pos),
          "%s: offset %zu maps to begin %zu / %zu, end %zu / %zu", what, pos, fine.map.to_input_begin(pos),
          coarse.map.to_input_begin(pos), fine.map.to_input_end(pos), coarse.map.to_input_end(pos));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  recur_fuzz::Header h(data, size);
  const std::uint8_t flags = h.byte();
  const bool casefold = !(flags & 1), simplify = (flags & 2) != 0;
  const unsigned n_removed = (flags >> 2) & 7;
  // The range bytes come first, so the text is what follows them.
  std::uint8_t range_bytes[14] = {};
  for (unsigned k = 0; k < 2 * n_removed; ++k) range_bytes[k] = h.byte();
  const std::string text = recur_fuzz::to_valid_utf8(h.rest());
  recur_fuzz::Header rh(range_bytes, 2 * n_removed);
  const std::vector<Range> removed = removed_ranges(rh, n_removed, text);

  recur::Normalizer& with_table = normalizer(casefold, simplify, true);
  // Bits 5-7 of the flags: small ICU pieces for the ICU-only path (0 = the default size).
  recur::Normalizer& icu_only = normalizer(casefold, simplify, false, (flags >> 5) % 5);

  const Result t = run(with_table, text, removed);
  check_map(text, removed, t.text, t.map, "table");
  const Result i = run(icu_only, text, removed);
  check_map(text, removed, i.text, i.map, "ICU only");
  check_refines(t, i, "table path vs ICU only");
  check_same(t, run(with_table, text, removed), "the same call twice");

  if (!removed.empty()) {
    const Result whole = run(with_table, text, {});
    check_map(text, {}, whole.text, whole.map, "table, nothing removed");
    check_refines(whole, run(icu_only, text, {}), "table path vs ICU only, nothing removed");
  }
  return 0;
}
