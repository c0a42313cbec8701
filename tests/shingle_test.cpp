// Tests for shingle.hpp: tokens, shingles and shingle sets.
#include "recur/shingle.hpp"

#include <gtest/gtest.h>
#include <unicode/uchar.h>
#define XXH_INLINE_ALL  // XXH3 itself, as the reference for the shingle hashes
#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using recur::ShingleOptions;
using recur::Shingler;

using Hashes = std::vector<std::uint64_t>;

Hashes shingle_set(std::string_view text, ShingleOptions options = {}) {
  Shingler shingler(options);
  Hashes out{12345};  // must be replaced, not appended to
  shingler.shingle_set(text, out);
  return out;
}

Hashes tokens_of(std::string_view text, std::size_t* chars = nullptr) {
  Shingler shingler;
  Hashes tokens{1, 2, 3};  // cleared by tokenize()
  const std::size_t n = shingler.tokenize(text, tokens);
  if (chars) *chars = n;
  return tokens;
}

ShingleOptions with_size(unsigned size) {
  ShingleOptions options;
  options.size = size;
  return options;
}

// --- options ---------------------------------------------------------------------------------

TEST(ShingleOptions, DefaultsAreSizeTwoSeedZeroAndValid) {
  const ShingleOptions options;
  EXPECT_EQ(options.size, 2u);
  EXPECT_EQ(options.seed, 0u);
  EXPECT_EQ(options.validate(), "");
  EXPECT_EQ(with_size(3).validate(), "");
}

TEST(ShingleOptions, SizeZeroIsInvalid) {
  EXPECT_FALSE(with_size(0).validate().empty());
}

// --- tokenize --------------------------------------------------------------------------------

TEST(ShingleTokenize, EachCjkCharacterIsOneTokenAndPunctuationIsNone) {
  std::size_t chars = 0;
  const auto tokens = tokens_of("组织，工作。", &chars);
  EXPECT_EQ(tokens.size(), 4u);
  EXPECT_EQ(chars, 4u);
}

TEST(ShingleTokenize, EqualCharactersGiveEqualTokens) {
  const auto tokens = tokens_of("组织组工");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0], tokens[2]);
  EXPECT_NE(tokens[0], tokens[1]);
  EXPECT_NE(tokens[1], tokens[3]);
}

TEST(ShingleTokenize, AnAsciiWordIsOneTokenAndCountsItsCharacters) {
  std::size_t chars = 0;
  const auto tokens = tokens_of("gdp增长", &chars);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(chars, 5u);  // g d p 增 长
  const auto reversed = tokens_of("增长gdp");
  ASSERT_EQ(reversed.size(), 3u);
  EXPECT_EQ(tokens[0], reversed[2]);  // the word "gdp" hashes the same wherever it is
  EXPECT_EQ(tokens[1], reversed[0]);

  EXPECT_EQ(tokens_of("abc def", &chars).size(), 2u);
  EXPECT_EQ(chars, 6u);
  EXPECT_EQ(tokens_of("2023年", &chars).size(), 2u);
  EXPECT_EQ(chars, 5u);
  EXPECT_EQ(tokens_of("gdp,cpi", &chars).size(), 2u);
  EXPECT_EQ(chars, 6u);
  EXPECT_NE(tokens_of("gdp")[0], tokens_of("cpi")[0]);
}

TEST(ShingleTokenize, NonAsciiWordsAreOneTokenEach) {
  std::size_t chars = 0;
  EXPECT_EQ(tokens_of("café au lait", &chars).size(), 3u);
  EXPECT_EQ(chars, 10u);
}

TEST(ShingleTokenize, TextWithoutTokensGivesNoneAndZeroCharacters) {
  std::size_t chars = 99;
  EXPECT_TRUE(tokens_of("，。！  \n\t、（）", &chars).empty());
  EXPECT_EQ(chars, 0u);
  EXPECT_TRUE(tokens_of("", &chars).empty());
  EXPECT_EQ(chars, 0u);
}

// --- shingles --------------------------------------------------------------------------------

TEST(Shingles, FourCjkCharactersGiveThreeDistinctPairs) {
  Shingler shingler;
  Hashes tokens, out{7, 7};
  shingler.tokenize("组织工作", tokens);
  shingler.shingles(tokens, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_NE(out[0], out[1]);
  EXPECT_NE(out[1], out[2]);
  EXPECT_NE(out[0], out[2]);
  EXPECT_EQ(shingle_set("组织工作").size(), 3u);
}

TEST(Shingles, KeepOrderAndDuplicates) {
  Shingler shingler;
  Hashes tokens, out;
  shingler.tokenize("组织组织", tokens);
  shingler.shingles(tokens, out);
  ASSERT_EQ(out.size(), 3u);  // 组织 织组 组织
  EXPECT_EQ(out[0], out[2]);
  EXPECT_NE(out[0], out[1]);
  EXPECT_EQ(shingle_set("组织组织").size(), 2u);
}

TEST(Shingles, DependOnTokenOrder) {
  EXPECT_NE(shingle_set("组织"), shingle_set("织组"));
}

TEST(Shingles, PunctuationAndWhitespaceDoNotChangeTheShingles) {
  const auto plain = shingle_set("组织工作");
  EXPECT_EQ(shingle_set("组织，工作"), plain);
  EXPECT_EQ(shingle_set("组织 工作"), plain);
  EXPECT_EQ(shingle_set("组织\n工作。"), plain);
  EXPECT_EQ(shingle_set("“组织”、（工作）！"), plain);
}

TEST(Shingles, FewerTokensThanTheSizeGiveOneShingle) {
  EXPECT_EQ(shingle_set("组").size(), 1u);
  EXPECT_EQ(shingle_set("组织", with_size(3)).size(), 1u);
  EXPECT_EQ(shingle_set("组织工作", with_size(5)).size(), 1u);
  EXPECT_NE(shingle_set("组"), shingle_set("织"));
  EXPECT_NE(shingle_set("组织", with_size(3)), shingle_set("织组", with_size(3)));

  Shingler shingler;
  Hashes out;
  shingler.shingles({42}, out);
  EXPECT_EQ(out.size(), 1u);
}

TEST(Shingles, NoTokensGiveNoShingles) {
  Shingler shingler;
  Hashes out{1, 2};
  shingler.shingles({}, out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(shingle_set("，。、").empty());
  EXPECT_TRUE(shingle_set("").empty());
}

TEST(Shingles, SizeThreeOfFiveTokensGivesThree) {
  Shingler shingler(with_size(3));
  Hashes tokens, out;
  shingler.tokenize("组织工作gdp", tokens);
  ASSERT_EQ(tokens.size(), 5u);
  shingler.shingles(tokens, out);
  EXPECT_EQ(out.size(), 3u);
}

TEST(Shingles, ShingleSetReturnsTheCharacterCountAndIsSortedUnique) {
  Shingler shingler;
  Hashes out;
  EXPECT_EQ(shingler.shingle_set("组织，工作组织工作gdp", out), 11u);
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
  EXPECT_EQ(std::adjacent_find(out.begin(), out.end()), out.end());
  EXPECT_EQ(out.size(), 5u);  // 组织 织工 工作 作组 作+gdp
}

TEST(Shingles, DifferentSeedsGiveDifferentHashes) {
  ShingleOptions other;
  other.seed = 1;
  const auto a = shingle_set("坚持稳中求进工作总基调");
  const auto b = shingle_set("坚持稳中求进工作总基调", other);
  ASSERT_EQ(a.size(), b.size());
  Hashes common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  EXPECT_TRUE(common.empty());
  EXPECT_EQ(shingle_set("坚持稳中求进工作总基调", other), b);  // but each seed is deterministic
}

TEST(Shingles, OptionsAreKept) {
  ShingleOptions options;
  options.size = 3;
  options.seed = 99;
  Shingler shingler(options);
  EXPECT_EQ(shingler.options().size, 3u);
  EXPECT_EQ(shingler.options().seed, 99u);
}

// Known answer: the shingle hashes of a fixed string with the default options. Every signature,
// band key and therefore every result depends on these values: a change here changes every
// report, and signatures stored by an older version would no longer be comparable.
// The expected values were computed outside recur, with libxxhash itself: a CJK token is its code
// point, "gdp" is XXH3_64bits_withSeed("gdp", 3, 0x9E3779B97F4A7C15), and each shingle is
// XXH3_64bits_withSeed over the two tokens as 16 little-endian bytes, seed 0.
TEST(Shingles, KnownAnswerWithDefaultOptions) {
  Shingler shingler;
  Hashes tokens, out;
  shingler.tokenize("坚持稳中求进，gdp增长", tokens);
  ASSERT_EQ(tokens.size(), 9u);  // 坚 持 稳 中 求 进 gdp 增 长
  EXPECT_EQ(tokens[0], 0x575Au);  // 坚
  EXPECT_EQ(tokens[8], 0x957Fu);  // 长
  shingler.shingles(tokens, out);
  const Hashes expected = {
      7055563688586257352ull, 2272408309209285809ull,  5120629589412385325ull,
      9477832000544339503ull, 5971881247375586820ull,  16196957968870031222ull,
      8959250309028740562ull, 16606255387132884576ull,
  };
  EXPECT_EQ(out, expected);
}

// Two-token shingles are hashed 8 at a time where the processor has AVX-512 (shingle.cpp), the
// rest one at a time: every count of tokens around multiples of 8, several seeds, tokens that are
// code points and tokens that use all 64 bits (words), each shingle against XXH3 itself.
TEST(Shingles, PairsAreXxh3OfTheirSixteenBytesAtEveryLength) {
  std::mt19937_64 rng(17);
  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{99}, ~std::uint64_t{0}}) {
    ShingleOptions options;
    options.seed = seed;
    ASSERT_EQ(options.size, 2u);
    Shingler shingler(options);
    for (std::size_t n = 0; n <= 45; ++n) {
      Hashes tokens(n), out;
      for (auto& t : tokens) t = rng() % 3 == 0 ? rng() : 0x4E00 + rng() % 0x5200;
      shingler.shingles(tokens, out);
      Hashes expected;
      if (n > 0 && n <= 2) expected.push_back(XXH3_64bits_withSeed(tokens.data(), n * sizeof(std::uint64_t), seed));
      for (std::size_t i = 0; n > 2 && i + 2 <= n; ++i)
        expected.push_back(XXH3_64bits_withSeed(tokens.data() + i, 2 * sizeof(std::uint64_t), seed));
      ASSERT_EQ(out, expected) << "tokens " << n << ", seed " << seed;
    }
  }
}

// The punctuation ranges that skip ICU's property lookups must hold no letter or digit.
TEST(ShingleTokenize, PunctuationBlocksHoldNoLettersOrDigits) {
  std::size_t in_blocks = 0;
  for (char32_t c = 0x80; c < 0x10000; ++c) {
    if (!recur::is_punctuation_block(c)) continue;
    ++in_blocks;
    EXPECT_FALSE(u_isalnum(static_cast<UChar32>(c))) << std::hex << static_cast<std::uint32_t>(c);
    EXPECT_FALSE(u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_ALPHABETIC))
        << std::hex << static_cast<std::uint32_t>(c);
  }
  EXPECT_GT(in_blocks, 100u);
  for (char32_t c : {U'。', U'，', U'“', U'”', U'、', U'《', U'》', U'…', U'—', U'【'})
    EXPECT_TRUE(recur::is_punctuation_block(c)) << std::hex << static_cast<std::uint32_t>(c);
  for (char32_t c : {U'a', U'é', U'中', U'々', U'〇', U'ー', U'Ａ'}) EXPECT_FALSE(recur::is_punctuation_block(c));
}

// Text with punctuation between words: the words are still found.
TEST(ShingleTokenize, WordsBetweenChinesePunctuationAreTokens) {
  std::size_t chars = 0;
  const auto t = tokens_of("《café》、“naïve”。", &chars);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(chars, 9u);
}

// tokenize() takes runs of CJK Unified Ideographs, and runs of marks before them, on fast paths;
// tokenize_general() sends every character through the general path. Random mixes of the pieces
// Chinese reports hold (and of the cases where the fast paths must hand over: words after
// punctuation, "3，000", kana, extension-A ideographs, 2- and 4-byte characters) tokenize alike.
TEST(ShingleTokenize, FastPathsGiveTheGeneralPathsTokensAndCount) {
  const std::vector<std::string> pieces = {
      "中", "国", "组织", "工作", "鿿", "一", "，", "。", "、", "“", "”", "《", "》", "：", "；", "！",
      "…", "—", "【", "】", "\u3000", " ", "\n", ",", ".", "(", ")", "'", "-", "3", "2024", "3.14",
      "1,000", "3，000", "5。2", "don't", "abc", "GDP", "x", "カタカナ", "ひらがな", "ー", "々", "〇",
      "㐀", "豈", "한국", "Москва", "café", "é", "😀", "𠀀", "½", "②", "Ⅻ"};
  std::mt19937_64 next(20261203);  // the standard fixes its sequence: the same mixes everywhere
  Shingler shingler;
  Hashes fast, general;
  std::size_t with_words = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const std::size_t count = next() % 40;
    for (std::size_t k = 0; k < count; ++k) text += pieces[next() % pieces.size()];
    const std::size_t fast_chars = shingler.tokenize(text, fast);
    const std::size_t general_chars = shingler.tokenize_general(text, general);
    ASSERT_EQ(fast, general) << text;
    ASSERT_EQ(fast_chars, general_chars) << text;
    with_words += std::any_of(fast.begin(), fast.end(), [](std::uint64_t t) { return t >= 0x110000; });
  }
  EXPECT_GT(with_words, 1000u);  // the mixes hold words as well as CJK characters
}

// Long runs of CJK Unified Ideographs, which tokenize() decodes 16 at a time where the processor
// has AVX-512 VBMI: runs of every length up to 50 around multiples of 16, ending at the text's end
// or at a character just outside the block (U+4DFF, U+A000), a 2- or 4-byte character, a mark or
// a word, with the block's first and last code points inside.
TEST(ShingleTokenize, LongIdeographRunsGiveTheGeneralPathsTokens) {
  const auto utf8 = [](char32_t c) {
    std::string out;
    if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (c & 0x3F));
    return out;
  };
  const std::vector<std::string> ends = {"", utf8(0x4DFF), utf8(0xA000), "é", utf8(0x20000), "，", "GDP", "3", " "};
  std::mt19937_64 next(5);
  Shingler shingler;
  Hashes fast, general;
  for (std::size_t run = 0; run <= 50; ++run) {
    for (const std::string& end : ends) {
      std::string text;
      for (std::size_t k = 0; k < run; ++k) {
        const std::uint64_t pick = next() % 8;
        text += utf8(pick == 0 ? 0x4E00 : pick == 1 ? 0x9FFF : static_cast<char32_t>(0x4E00 + next() % 0x5200));
      }
      text += end;
      text += text;  // a second run after the end piece
      const std::size_t fast_chars = shingler.tokenize(text, fast);
      const std::size_t general_chars = shingler.tokenize_general(text, general);
      ASSERT_EQ(fast, general) << "run " << run << " then '" << end << "'";
      ASSERT_EQ(fast_chars, general_chars) << "run " << run << " then '" << end << "'";
    }
  }
}

// --- sort_unique -----------------------------------------------------------------------------

TEST(SortUnique, SortsAndRemovesDuplicates) {
  Hashes v = {3, 1, 3, 2, 1, UINT64_MAX, 0, UINT64_MAX};
  recur::sort_unique(v);
  EXPECT_EQ(v, (Hashes{0, 1, 2, 3, UINT64_MAX}));
  Hashes empty;
  recur::sort_unique(empty);
  EXPECT_TRUE(empty.empty());
  Hashes one = {5, 5, 5};
  recur::sort_unique(one);
  EXPECT_EQ(one, (Hashes{5}));
}

}  // namespace
