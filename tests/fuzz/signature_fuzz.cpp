// Fuzz target: shingling (shingle.hpp) and MinHash signatures (minhash.hpp), both schemes.
//
// Input: byte 0 picks the shingle size (bits 0-1: 1..4), whether the text is normalised first
// (bit 2) and the number of permutations (bits 3-5); byte 1 the seeds; the rest, made valid
// UTF-8, is a paragraph.
//
// Invariants:
// - tokens carry characters: no tokens exactly when no characters, never more tokens than
//   characters, never more characters than code points; tokenising twice gives the same tokens;
// - shingles(): as many as the tokens allow; shingle_set() is their sorted, deduplicated set;
// - signing the same set twice, with the same or a new MinHasher, or the set's shingles in
//   another order with duplicates, gives the same signature (both schemes); an empty set gives
//   all 0xFFFFFFFF; a signature estimates Jaccard 1 against itself;
// - classic MinHash of a union is the element-wise minimum of the parts' signatures;
// - a signature span of the wrong size is refused with recur::Error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "recur/error.hpp"
#include "recur/minhash.hpp"
#include "recur/shingle.hpp"
#include "recur/text.hpp"

namespace {

constexpr unsigned kPerms[] = {1, 2, 3, 16, 64, 100, 128, 256};

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::vector<std::uint32_t> sign(const recur::MinHasher& h, const std::vector<std::uint64_t>& shingles) {
  std::vector<std::uint32_t> sig(h.options().perms, 0x12345678u);  // every entry must be written
  h.sign(shingles, sig);
  return sig;
}

void check_signatures(const std::vector<std::uint64_t>& set, const std::vector<std::uint64_t>& with_duplicates,
                      const recur::MinHashOptions& o) {
  const char* scheme = o.scheme == recur::MinHashScheme::classic ? "classic" : "one permutation";
  CHECK(o.validate().empty(), "%s: valid options refused", scheme);
  const recur::MinHasher h(o);
  const auto a = sign(h, set);
  CHECK(a == sign(h, set), "%s, %u perms: signing the same %zu shingles twice differs", scheme, o.perms, set.size());
  CHECK(a == sign(recur::MinHasher(o), set), "%s: a second MinHasher with the same options signs differently", scheme);
  CHECK(a == sign(h, with_duplicates), "%s: shingles in another order, with duplicates, sign differently", scheme);
  CHECK(recur::estimate_jaccard(a, a) == 1.0, "%s: a signature does not estimate Jaccard 1 against itself", scheme);
  if (set.empty())
    CHECK(std::all_of(a.begin(), a.end(), [](std::uint32_t v) { return v == 0xFFFFFFFFu; }),
          "%s: the empty set's signature is not all 0xFFFFFFFF", scheme);

  if (o.scheme == recur::MinHashScheme::classic && set.size() >= 2) {
    // Two overlapping parts whose union is the set.
    const std::size_t cut = set.size() / 2;
    const std::vector<std::uint64_t> left(set.begin(), set.begin() + cut + 1), right(set.begin() + cut, set.end());
    const auto l = sign(h, left), r = sign(h, right);
    for (unsigned i = 0; i < o.perms; ++i)
      CHECK(a[i] == std::min(l[i], r[i]), "classic: value %u of the union is %u, the parts give %u and %u", i, a[i],
            l[i], r[i]);
  }

  bool refused = false;
  std::vector<std::uint32_t> wrong(o.perms + 1);
  try {
    h.sign(set, wrong);
  } catch (const recur::Error&) {
    refused = true;
  }
  CHECK(refused, "%s: a signature of %u entries was accepted for %u permutations", scheme, o.perms + 1, o.perms);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  recur_fuzz::Header h(data, size);
  const std::uint8_t flags = h.byte(), seed = h.byte();
  recur::ShingleOptions so;
  so.size = 1 + (flags & 3);
  so.seed = seed & 0x0F;
  std::string text = recur_fuzz::to_valid_utf8(h.rest());
  if (flags & 4) {
    static recur::Normalizer normalizer;
    std::string normalized;
    recur::OffsetMap map;
    normalizer.normalize(text, {}, normalized, map);
    text = std::move(normalized);
  }

  // One Shingler per size and seed (each holds an ICU word-break iterator).
  static std::unique_ptr<recur::Shingler> shinglers[4][16];
  auto& sh = shinglers[so.size - 1][so.seed];
  if (!sh) {
    CHECK(so.validate().empty(), "valid shingle options refused");
    sh = std::make_unique<recur::Shingler>(so);
  }

  std::vector<std::uint64_t> tokens, again, shingles, set;
  const std::size_t chars = sh->tokenize(text, tokens);
  CHECK(sh->tokenize(text, again) == chars && again == tokens, "tokenising the same text twice differs");
  CHECK(tokens.empty() == (chars == 0), "%zu tokens hold %zu characters", tokens.size(), chars);
  CHECK(tokens.size() <= chars && chars <= code_points(text), "%zu tokens, %zu characters, %zu code points",
        tokens.size(), chars, code_points(text));

  sh->shingles(tokens, shingles);
  const std::size_t expected = tokens.empty() ? 0 : tokens.size() < so.size ? 1 : tokens.size() - so.size + 1;
  CHECK(shingles.size() == expected, "%zu tokens of shingle size %u give %zu shingles, not %zu", tokens.size(),
        so.size, shingles.size(), expected);
  CHECK(sh->shingle_set(text, set) == chars, "shingle_set() counts other characters than tokenize()");
  std::vector<std::uint64_t> sorted = shingles;
  recur::sort_unique(sorted);
  CHECK(set == sorted, "shingle_set() is not the sorted set of shingles() (%zu vs %zu)", set.size(), sorted.size());
  CHECK(std::is_sorted(set.begin(), set.end()) && std::adjacent_find(set.begin(), set.end()) == set.end(),
        "shingle_set() is not sorted and unique");

  // The set's shingles reversed, with each other one repeated.
  std::vector<std::uint64_t> shuffled(set.rbegin(), set.rend());
  for (std::size_t k = 0; k < set.size(); k += 2) shuffled.push_back(set[k]);

  recur::MinHashOptions mo;
  mo.perms = kPerms[(flags >> 3) & 7];
  mo.seed = 1 + seed;
  for (auto scheme : {recur::MinHashScheme::one_permutation, recur::MinHashScheme::classic}) {
    mo.scheme = scheme;
    check_signatures(set, shuffled, mo);
  }
  return 0;
}
