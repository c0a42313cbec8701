// Normalisation with ICU, offset maps, regex patterns, character classes.
#include "recur/text.hpp"

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/translit.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cassert>
#include <unordered_map>

#include "recur/encoding.hpp"
#include "recur/error.hpp"

namespace recur {

// ---------------------------------------------------------------------------------------------
// OffsetMap

void OffsetMap::add_change(std::size_t norm, std::size_t orig, std::size_t norm_len,
                           std::size_t orig_len) {
  // Touching changes stay separate so that every changed character keeps its own offsets.
  changes_.push_back({norm, orig, norm_len, orig_len});
}

namespace {
// The last change starting at or before `pos` (for begin lookups: strictly containing or before).
const OffsetMap::Change* change_at_or_before(const std::vector<OffsetMap::Change>& changes,
                                             std::size_t pos) noexcept {
  auto it = std::upper_bound(changes.begin(), changes.end(), pos,
                             [](std::size_t p, const OffsetMap::Change& c) { return p < c.norm; });
  if (it == changes.begin()) return nullptr;
  return &*std::prev(it);
}
}  // namespace

std::size_t OffsetMap::to_input_begin(std::size_t pos) const noexcept {
  const Change* c = change_at_or_before(changes_, pos);
  if (c == nullptr) return pos;
  if (pos < c->norm + c->norm_len) return c->orig;  // inside a changed span: its start
  // A zero-length change (a removal) at exactly pos: the character at pos comes after it.
  return c->orig + c->orig_len + (pos - c->norm - c->norm_len);
}

std::size_t OffsetMap::to_input_end(std::size_t pos) const noexcept {
  // The end of a span ending at pos is the end of the character before pos.
  if (pos == 0) return 0;
  const Change* c = change_at_or_before(changes_, pos - 1);
  if (c == nullptr) return pos;
  if (pos <= c->norm + c->norm_len) return c->orig + c->orig_len;  // ends inside/at end of change
  return c->orig + c->orig_len + (pos - c->norm - c->norm_len);
}

// ---------------------------------------------------------------------------------------------
// Character classes

bool is_cjk_other(char32_t c) noexcept {
  if (c < 0x2E80) return false;
  return (c >= 0x4E00 && c <= 0x9FFF) ||    // CJK Unified Ideographs
         (c >= 0x3400 && c <= 0x4DBF) ||    // Extension A
         (c >= 0x3040 && c <= 0x309F && c != 0x3099 && c != 0x309A && c != 0x309B && c != 0x309C) ||
         (c >= 0x30A0 && c <= 0x30FF && c != 0x30A0 && c != 0x30FB) ||  // Katakana (not ・)
         (c >= 0x31F0 && c <= 0x31FF) ||    // Katakana extensions
         (c >= 0x3100 && c <= 0x312F) ||    // Bopomofo
         (c >= 0x2E80 && c <= 0x2FDF) ||    // radicals
         (c >= 0x3005 && c <= 0x3007) ||    // 々 〆 〇
         (c >= 0x3021 && c <= 0x3029) ||    // Hangzhou numerals
         (c >= 0xF900 && c <= 0xFAFF) ||    // compatibility ideographs
         (c >= 0x20000 && c <= 0x3FFFF);    // supplementary ideographs
}

bool is_space(char32_t c) noexcept {
  switch (c) {
    case ' ': case '\t': case '\n': case '\r': case '\v': case '\f': case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200B;
  }
}

// ---------------------------------------------------------------------------------------------
// Normalizer

namespace {

// What a normaliser does to each character of the Basic Multilingual Plane on its own, built once
// per normaliser kind from ICU. A character whose entry is `alone` has a normalisation boundary on
// both sides whatever surrounds it, so its normal form is `mapped` in any text; a character with
// only a boundary after it still maps alone when the next character has one before it. Chinese
// text is nearly all such characters (ideographs, full-width punctuation, digits), and the table
// lookup is several times faster than ICU's normalizeUTF8 with an edit record.
struct BmpTable {
  // One 32-bit entry per code point (a 256 KiB table): where its mapping is in `pool`, and flags.
  static constexpr std::uint32_t kOffsetMask = (1u << 20) - 1;
  static constexpr unsigned kLengthShift = 20;          // 8 bits: mapping length in bytes
  static constexpr std::uint32_t kUsable = 1u << 28;    // mapping known (at most 255 bytes)
  static constexpr std::uint32_t kIdentity = 1u << 29;  // maps to itself
  static constexpr std::uint32_t kBefore = 1u << 30;    // boundary before it, always
  static constexpr std::uint32_t kAfter = 1u << 31;     // boundary after it, always
  std::vector<std::uint32_t> entries;  // indexed by code point, 0..0xFFFF
  std::string pool;
  // Lead bytes of 3-byte sequences whose 4096 code points are all normalisation-inert (those of
  // the CJK ideographs among them): such a character is skipped without decoding it.
  bool inert_lead[256] = {};

  explicit BmpTable(const icu::Normalizer2& norm) : entries(0x10000, 0) {
    for (UChar32 c = 0; c < 0x10000; ++c) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;  // surrogates: not characters
      std::uint32_t& e = entries[static_cast<std::size_t>(c)];
      if (norm.hasBoundaryBefore(c)) e |= kBefore;
      if (norm.hasBoundaryAfter(c)) e |= kAfter;
      if (norm.isInert(c)) {
        e |= kUsable | kIdentity;
        continue;
      }
      UErrorCode status = U_ZERO_ERROR;
      const icu::UnicodeString in(c);
      const icu::UnicodeString out = norm.normalize(in, status);
      std::string bytes;
      out.toUTF8String(bytes);
      if (U_FAILURE(status) || bytes.size() > 255 || pool.size() + bytes.size() > kOffsetMask) continue;
      e |= kUsable | static_cast<std::uint32_t>(pool.size()) | static_cast<std::uint32_t>(bytes.size()) << kLengthShift;
      if (out == in) e |= kIdentity;
      pool += bytes;
    }
    for (unsigned lead = 0xE1; lead <= 0xEF; ++lead) {
      bool all = lead != 0xED;  // ED leads surrogates and more
      for (std::size_t c = (lead & 0x0Fu) << 12; all && c < ((lead & 0x0Fu) + 1) << 12; ++c)
        all = norm.isInert(static_cast<UChar32>(c)) != 0;
      inert_lead[lead] = all;
    }
  }
};

const icu::Normalizer2& icu_normalizer(bool casefold) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = casefold ? icu::Normalizer2::getNFKCCasefoldInstance(status)
                                       : icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || n == nullptr)
    throw Error(errc::internal, std::string("ICU normaliser: ") + u_errorName(status));
  return *n;
}

// Built on first use (a few milliseconds), then shared read-only by every thread.
const BmpTable& bmp_table(bool casefold) {
  if (casefold) {
    static const BmpTable folded(icu_normalizer(true));
    return folded;
  }
  static const BmpTable plain(icu_normalizer(false));
  return plain;
}

}  // namespace

struct Normalizer::Impl {
  NormalizeOptions options;
  const icu::Normalizer2* norm = nullptr;
  const BmpTable* table = nullptr;
  std::unique_ptr<icu::Transliterator> simplifier;
  std::unordered_map<char32_t, std::string> simplified;  // per-character cache
  std::string scratch;
  OffsetMap scratch_map;

  const std::string& simplify_char(char32_t c, std::string_view bytes) {
    auto it = simplified.find(c);
    if (it != simplified.end()) return it->second;
    icu::UnicodeString u(static_cast<UChar32>(c));
    simplifier->transliterate(u);
    std::string out;
    u.toUTF8String(out);
    if (out.empty()) out.assign(bytes);
    return simplified.emplace(c, std::move(out)).first->second;
  }

  // Applies Traditional->Simplified character by character to `in` (whose map back to the input
  // is `in_map`), writing `out` and `out_map`. Character by character keeps every offset exact.
  void simplify(const std::string& in, const OffsetMap& in_map, std::string& out, OffsetMap& out_map) {
    out.clear();
    out_map.clear();
    const auto& changes = in_map.changes();
    std::size_t p = 0, ci = 0;
    while (p < in.size() || ci < changes.size()) {
      if (ci < changes.size() && changes[ci].norm == p) {
        const auto& c = changes[ci++];
        std::size_t q = out.size();
        std::size_t end = p + c.norm_len;
        while (p < end) {
          std::size_t start = p;
          char32_t cp = next_code_point(in, p);
          out += is_cjk(cp) ? simplify_char(cp, std::string_view(in).substr(start, p - start))
                            : in.substr(start, p - start);
        }
        out_map.add_change(q, c.orig, out.size() - q, c.orig_len);
        continue;
      }
      if (p >= in.size()) break;
      std::size_t start = p;
      char32_t cp = next_code_point(in, p);
      std::string_view bytes = std::string_view(in).substr(start, p - start);
      if (!is_cjk(cp)) {
        out += bytes;
        continue;
      }
      const std::string& s = simplify_char(cp, bytes);
      if (s == bytes) {
        out += bytes;
      } else {
        std::size_t in_b = in_map.to_input_begin(start);
        std::size_t in_e = in_map.to_input_end(p);
        out_map.add_change(out.size(), in_b, s.size(), in_e - in_b);
        out += s;
      }
    }
  }
};

Normalizer::Normalizer(const NormalizeOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->norm = &icu_normalizer(options.casefold);
  if (options.table) impl_->table = &bmp_table(options.casefold);
  UErrorCode status = U_ZERO_ERROR;
  if (options.simplify) {
    impl_->simplifier.reset(icu::Transliterator::createInstance("Traditional-Simplified", UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !impl_->simplifier)
      throw Error(errc::internal, std::string("ICU Traditional-Simplified transliterator: ") + u_errorName(status));
  }
}

Normalizer::~Normalizer() = default;

void Normalizer::normalize(std::string_view input, std::span<const Range> removed, std::string& out,
                           OffsetMap& map) {
  // Preconditions, checked in debug builds only: valid UTF-8, removed ranges sorted, disjoint and
  // on character boundaries.
  assert(is_valid_utf8(input));
#ifndef NDEBUG
  for (std::size_t k = 0; k < removed.size(); ++k) {
    assert(removed[k].begin <= removed[k].end && removed[k].end <= input.size());
    assert(k == 0 || removed[k - 1].end <= removed[k].begin);
    for (std::size_t at : {removed[k].begin, removed[k].end})
      assert(at == input.size() || (static_cast<unsigned char>(input[at]) & 0xC0) != 0x80);
  }
#endif
  Impl& im = *impl_;
  std::string& target = im.options.simplify ? im.scratch : out;
  OffsetMap& target_map = im.options.simplify ? im.scratch_map : map;
  target.clear();
  target_map.clear();
  icu::StringByteSink<std::string> sink(&target);
  icu::Edits edits;
  std::size_t pos = 0;
  auto normalize_part = [&](std::size_t begin, std::size_t end) {
    const std::size_t out_base = target.size();
    UErrorCode status = U_ZERO_ERROR;
    edits.reset();
    im.norm->normalizeUTF8(0, icu::StringPiece(input.data() + begin, static_cast<int32_t>(end - begin)),
                           sink, &edits, status);
    if (U_FAILURE(status)) {  // cannot happen for valid UTF-8; keep the text as it is
      target.resize(out_base);
      target.append(input.data() + begin, end - begin);
      return;
    }
    if (!edits.hasChanges()) return;
    icu::Edits::Iterator it = edits.getFineChangesIterator();
    while (it.next(status)) {
      target_map.add_change(out_base + static_cast<std::size_t>(it.destinationIndex()),
                            begin + static_cast<std::size_t>(it.sourceIndex()),
                            static_cast<std::size_t>(it.newLength()),
                            static_cast<std::size_t>(it.oldLength()));
    }
  };
  // ICU takes int32 lengths: cut longer pieces where normalisation cannot reach across (before a
  // character with a normalisation boundary before it), so the parts normalise independently.
  // The boundary is searched for as far as it takes: a cut inside a run of combining marks would
  // stop them being reordered and composed together.
  auto is_continuation = [&](std::size_t at) {
    return (static_cast<unsigned char>(input[at]) & 0xC0) == 0x80;
  };
  auto boundary_before = [&](std::size_t at) {
    std::size_t k = at;
    return im.norm->hasBoundaryBefore(static_cast<UChar32>(next_code_point(input, k))) != 0;
  };
  const std::size_t max_part =
      std::clamp<std::size_t>(im.options.icu_piece_bytes, 4, static_cast<std::size_t>(INT32_MAX));
  auto normalize_piece = [&](std::size_t begin, std::size_t end) {
    while (end - begin > max_part) {
      std::size_t cut = begin + max_part;
      while (cut > begin && is_continuation(cut)) --cut;
      std::size_t found = cut;
      while (found > begin && !boundary_before(found))
        do --found; while (found > begin && is_continuation(found));
      if (found == begin) {  // none in reach: the first boundary after it
        found = begin + max_part;
        while (found < end && (is_continuation(found) || !boundary_before(found))) ++found;
        if (found - begin > static_cast<std::size_t>(INT32_MAX)) found = cut;  // 2 GiB of marks: cut anyway
        if (found == cut && cut == begin) found = begin + max_part;
        while (found < end && is_continuation(found)) ++found;
      }
      if (found >= end) break;
      normalize_part(begin, found);
      begin = found;
    }
    if (begin < end) normalize_part(begin, end);
  };
  // With the table: characters that map on their own are copied or replaced here; each run of
  // the others, up to the next place where a boundary is certain, goes through ICU.
  auto normalize_with_table = [&](std::size_t begin, std::size_t end) {
    const BmpTable& t = *im.table;
    std::size_t i = begin, copied = begin;  // input[copied, i) is unchanged and not yet copied
    // A character of the input: its table entry (0 when ICU must be asked), code point, and where
    // the next one starts.
    struct Char {
      std::uint32_t entry;
      char32_t cp;
      std::size_t next;
    };
    auto char_at = [&](std::size_t at) {
      Char ch{0, 0, at};
      ch.cp = next_code_point(input, ch.next);
      if (ch.cp < 0x10000) {
        ch.entry = t.entries[ch.cp];
      } else if (im.norm->isInert(static_cast<UChar32>(ch.cp))) {
        // Outside the table, an inert character (most of them: ideographs of the extensions,
        // emoji) maps to itself alone.
        ch.entry = BmpTable::kUsable | BmpTable::kIdentity | BmpTable::kBefore | BmpTable::kAfter;
      }
      return ch;
    };
    auto has_before = [&](const Char& ch) {
      return (ch.entry & BmpTable::kUsable) ? (ch.entry & BmpTable::kBefore) != 0
                                            : im.norm->hasBoundaryBefore(static_cast<UChar32>(ch.cp)) != 0;
    };
    auto has_after = [&](const Char& ch) {
      return (ch.entry & BmpTable::kUsable) ? (ch.entry & BmpTable::kAfter) != 0
                                            : im.norm->hasBoundaryAfter(static_cast<UChar32>(ch.cp)) != 0;
    };
    while (i < end) {
      if (t.inert_lead[static_cast<unsigned char>(input[i])]) {  // an ideograph: nothing to do
        i += 3;
        continue;
      }
      const Char ch = char_at(i);
      const std::uint32_t e = ch.entry;
      // A boundary is known before i (start of the piece, or after what was handled last).
      if ((e & BmpTable::kUsable) && ((e & BmpTable::kAfter) || ch.next >= end || has_before(char_at(ch.next)))) {
        if (!(e & BmpTable::kIdentity)) {
          const std::size_t length = e >> BmpTable::kLengthShift & 0xFF;
          target.append(input.data() + copied, i - copied);
          target_map.add_change(target.size(), i, length, ch.next - i);
          target.append(t.pool, e & BmpTable::kOffsetMask, length);
          copied = ch.next;
        }
        i = ch.next;
        continue;
      }
      // A run that may interact: extend it to the next certain boundary.
      std::size_t j = ch.next;
      for (bool after = has_after(ch); j < end;) {
        const Char d = char_at(j);
        if (after || has_before(d)) break;
        after = has_after(d);
        j = d.next;
      }
      target.append(input.data() + copied, i - copied);
      normalize_piece(i, j);
      i = copied = j;
    }
    target.append(input.data() + copied, end - copied);
  };
  auto normalize_span = [&](std::size_t begin, std::size_t end) {
    if (im.table) normalize_with_table(begin, end);
    else normalize_piece(begin, end);
  };
  for (const Range& r : removed) {
    std::size_t b = std::min(r.begin, input.size()), e = std::min(r.end, input.size());
    if (b < pos) b = pos;
    if (e <= b) continue;
    normalize_span(pos, b);
    target_map.add_change(target.size(), b, 0, e - b);
    pos = e;
  }
  normalize_span(pos, input.size());
  if (im.options.simplify) im.simplify(im.scratch, im.scratch_map, out, map);
}

// ---------------------------------------------------------------------------------------------
// Pattern

struct Pattern::Impl {
  std::unique_ptr<icu::RegexPattern> pattern;
};

Pattern::Pattern(const std::string& regex, bool multiline, const std::string& option_name,
                 std::size_t piece_bytes)
    : impl_(std::make_unique<Impl>()), source_(regex), piece_bytes_(std::max<std::size_t>(1, piece_bytes)) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError perr{};
  impl_->pattern.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(regex),
                                                  multiline ? UREGEX_MULTILINE : 0, perr, status));
  if (U_FAILURE(status))
    throw Error(errc::usage, option_name + ": invalid regular expression '" + regex + "' (" +
                                 u_errorName(status) + " at offset " + std::to_string(perr.offset) + ")");
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

std::vector<Range> Pattern::find_all(std::string_view text, Status* error) const {
  // Backtracking memory per match; ICU's default (8 MB) fails on long lines with patterns such as
  // (a|b)+, and a failure must never look like "no more matches".
  constexpr int32_t kStackLimit = 1 << 30;
  const std::size_t piece_size = piece_bytes_;
  std::vector<Range> found;
  std::string failure;
  std::unique_ptr<icu::RegexMatcher> m;
  UText* ut = nullptr;
  for (std::size_t piece = 0; piece < text.size() && failure.empty();) {
    std::size_t end = text.size();
    if (end - piece > piece_size) {
      const std::size_t nl = text.rfind('\n', piece + piece_size);
      end = nl != std::string_view::npos && nl >= piece ? nl + 1 : text.find('\n', piece + piece_size);
      if (end == std::string_view::npos) end = text.size();
    }
    if (end - piece > static_cast<std::size_t>(INT32_MAX)) {
      failure = "a line longer than 2 GiB cannot be matched by --strip/--doc-split";
      break;
    }
    UErrorCode status = U_ZERO_ERROR;
    ut = utext_openUTF8(ut, text.data() + piece, static_cast<int64_t>(end - piece), &status);
    if (!m && U_SUCCESS(status)) {
      m.reset(impl_->pattern->matcher(status));
      if (U_SUCCESS(status)) m->setStackLimit(kStackLimit, status);
    }
    if (U_SUCCESS(status)) m->reset(ut);
    while (U_SUCCESS(status) && m->find(status)) {
      const int64_t b = m->start64(status), e = m->end64(status);
      if (U_SUCCESS(status) && e > b)
        found.push_back({piece + static_cast<std::size_t>(b), piece + static_cast<std::size_t>(e)});
    }
    if (U_FAILURE(status))
      failure = std::string("regular expression '") + source_ + "' failed: " + u_errorName(status);
    piece = end;
  }
  m.reset();
  utext_close(ut);
  if (!failure.empty()) {
    if (!error) throw Error(errc::input, failure);
    *error = Status(StatusCode::pattern, failure);
  }
  return found;
}

}  // namespace recur
