// Fuzz target: passage alignment (align.hpp).
//
// Input: byte 0 picks the seed size (bits 0-2: 2..9) and the minimum length (bits 3-5); byte 1
// the maximum gap; byte 2 where the rest is cut into texts A and B. Both are made valid UTF-8 and
// tokenised. A is also aligned with its two halves swapped, so that moved text is exercised.
//
// Invariants, for every alignment:
// - spans are inside their texts, at least min_tokens long on each side, similarity in
//   [min_similarity, 1]; passages are sorted by position in A;
// - no two passages overlap in A, nor in B;
// - an exact passage has the same tokens on both sides;
// - the result does not depend on being computed twice;
// - covered_chars() never exceeds the text's content characters.
// And tokenisation: token ranges are inside the text, in order, never empty.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "recur/align.hpp"

namespace {

recur::TokenText tokens_of(const std::string& text) {
  recur::TokenText t;
  recur::append_tokens(text, recur::OffsetMap{}, 0, t);
  CHECK(t.hash.size() == t.begin.size() && t.begin.size() == t.end.size() && t.end.size() == t.chars.size(),
        "token arrays of different sizes");
  for (std::size_t i = 0; i < t.size(); ++i) {
    CHECK(t.begin[i] < t.end[i] && t.end[i] <= text.size(), "token %zu has range [%llu, %llu) in %zu bytes", i,
          static_cast<unsigned long long>(t.begin[i]), static_cast<unsigned long long>(t.end[i]), text.size());
    CHECK(i == 0 || t.end[i - 1] <= t.begin[i], "tokens %zu and %zu overlap", i - 1, i);
    CHECK(t.chars[i] >= 1, "token %zu holds no character", i);
  }
  return t;
}

void check(const recur::TokenText& a, const recur::TokenText& b, const recur::AlignOptions& o, const char* what) {
  const auto ps = recur::align(a, b, o);
  for (std::size_t k = 0; k < ps.size(); ++k) {
    const recur::Passage& p = ps[k];
    CHECK(p.a.begin < p.a.end && p.a.end <= a.size() && p.b.begin < p.b.end && p.b.end <= b.size(),
          "%s: passage %zu out of its texts", what, k);
    CHECK(p.a.size() >= o.min_tokens && p.b.size() >= o.min_tokens, "%s: passage %zu shorter than %u tokens", what, k,
          o.min_tokens);
    CHECK(p.similarity >= o.min_similarity && p.similarity <= 1.0, "%s: passage %zu has similarity %f", what, k,
          p.similarity);
    CHECK(k == 0 || ps[k - 1].a.begin <= p.a.begin, "%s: passages not in the order of A", what);
    if (p.exact)
      CHECK(std::equal(a.hash.begin() + p.a.begin, a.hash.begin() + p.a.end, b.hash.begin() + p.b.begin,
                       b.hash.begin() + p.b.end),
            "%s: exact passage %zu has different tokens", what, k);
    for (std::size_t j = 0; j < k; ++j) {
      const recur::Passage& q = ps[j];
      CHECK(!(q.a.begin < p.a.end && p.a.begin < q.a.end), "%s: passages %zu and %zu overlap in A", what, j, k);
      CHECK(!(q.b.begin < p.b.end && p.b.begin < q.b.end), "%s: passages %zu and %zu overlap in B", what, j, k);
    }
  }
  const auto again = recur::align(a, b, o);
  CHECK(again.size() == ps.size(), "%s: a second alignment finds %zu passages, not %zu", what, again.size(), ps.size());
  for (std::size_t k = 0; k < ps.size() && k < again.size(); ++k)
    CHECK(again[k].a == ps[k].a && again[k].b == ps[k].b, "%s: passage %zu differs the second time", what, k);
  std::vector<recur::TokenSpan> spans;
  for (const auto& p : ps) spans.push_back(p.a);
  CHECK(recur::covered_chars(a, spans) <= a.content_chars(0, a.size()), "%s: more covered than there is", what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  recur_fuzz::Header h(data, size);
  const std::uint8_t flags = h.byte(), gap = h.byte(), cut = h.byte();
  recur::AlignOptions o;
  o.seed = 2 + (flags & 7);
  o.min_tokens = o.seed + ((flags >> 3) & 7) * 3;
  o.max_gap = gap % 64;
  if (!o.validate().empty()) return 0;
  const std::string_view rest = h.rest();
  const std::size_t at = rest.size() * cut / 256;
  const std::string a = recur_fuzz::to_valid_utf8(rest.substr(0, at));
  const std::string b = recur_fuzz::to_valid_utf8(rest.substr(at));
  const recur::TokenText ta = tokens_of(a), tb = tokens_of(b);
  check(ta, tb, o, "A with B");
  // A with its halves swapped.
  const std::size_t half = recur_fuzz::floor_boundary(a, a.size() / 2);
  const std::string swapped = a.substr(half) + "\n" + a.substr(0, half);
  check(ta, tokens_of(swapped), o, "A with A swapped");
  return 0;
}
