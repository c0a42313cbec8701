// Tests for encoding.hpp: UTF-8 validation and decode() with its map back to original bytes.
#include "recur/encoding.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using recur::decode;
using recur::DecodeOptions;
using recur::DecodeResult;
using recur::is_valid_utf8;

// 济南市坚持… (two lines, 135 characters) encoded as GB18030, produced with
//   python3 -c "print(TEXT.encode('gb18030'))"
// Every character is two bytes except the newline and the digits 8 5 9 0 9 5 (one byte each).
const std::string kGbUtf8 =
    "济南市坚持把改革创新作为推动组工事业发展的动力所在、活力之源，围绕提升组织工作创新力，树牢创新思维、增强创新精神、强化创新措施，以创新引领推动省会组织工作走在全\n聚焦培养选拔优秀年轻干部，制定年轻干部队伍建设五年计划，加强“85后”“90后”“95后”优秀干部战略储备。";
const std::string kGbBytes =
    "\xbc\xc3\xc4\xcf\xca\xd0\xbc\xe1\xb3\xd6\xb0\xd1\xb8\xc4\xb8\xef\xb4\xb4\xd0\xc2\xd7\xf7\xce\xaa"
    "\xcd\xc6\xb6\xaf\xd7\xe9\xb9\xa4\xca\xc2\xd2\xb5\xb7\xa2\xd5\xb9\xb5\xc4\xb6\xaf\xc1\xa6\xcb\xf9"
    "\xd4\xda\xa1\xa2\xbb\xee\xc1\xa6\xd6\xae\xd4\xb4\xa3\xac\xce\xa7\xc8\xc6\xcc\xe1\xc9\xfd\xd7\xe9"
    "\xd6\xaf\xb9\xa4\xd7\xf7\xb4\xb4\xd0\xc2\xc1\xa6\xa3\xac\xca\xf7\xc0\xce\xb4\xb4\xd0\xc2\xcb\xbc"
    "\xce\xac\xa1\xa2\xd4\xf6\xc7\xbf\xb4\xb4\xd0\xc2\xbe\xab\xc9\xf1\xa1\xa2\xc7\xbf\xbb\xaf\xb4\xb4"
    "\xd0\xc2\xb4\xeb\xca\xa9\xa3\xac\xd2\xd4\xb4\xb4\xd0\xc2\xd2\xfd\xc1\xec\xcd\xc6\xb6\xaf\xca\xa1"
    "\xbb\xe1\xd7\xe9\xd6\xaf\xb9\xa4\xd7\xf7\xd7\xdf\xd4\xda\xc8\xab\x0a\xbe\xdb\xbd\xb9\xc5\xe0\xd1"
    "\xf8\xd1\xa1\xb0\xce\xd3\xc5\xd0\xe3\xc4\xea\xc7\xe1\xb8\xc9\xb2\xbf\xa3\xac\xd6\xc6\xb6\xa8\xc4"
    "\xea\xc7\xe1\xb8\xc9\xb2\xbf\xb6\xd3\xce\xe9\xbd\xa8\xc9\xe8\xce\xe5\xc4\xea\xbc\xc6\xbb\xae\xa3"
    "\xac\xbc\xd3\xc7\xbf\xa1\xb0\x38\x35\xba\xf3\xa1\xb1\xa1\xb0\x39\x30\xba\xf3\xa1\xb1\xa1\xb0\x39"
    "\x35\xba\xf3\xa1\xb1\xd3\xc5\xd0\xe3\xb8\xc9\xb2\xbf\xd5\xbd\xc2\xd4\xb4\xa2\xb1\xb8\xa1\xa3";

DecodeResult decode_auto(std::string_view bytes) { return decode(bytes, DecodeOptions{}); }

DecodeResult decode_as(std::string_view bytes, const std::string& encoding) {
  DecodeOptions options;
  options.encoding = encoding;
  return decode(bytes, options);
}

// Length in bytes of the UTF-8 sequence starting with `lead`.
std::size_t utf8_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// Checks that every decoded byte maps to the original offset of the character it came from,
// where original character i has length original_len(i) and the original starts at `start`.
template <typename LenFn>
void expect_char_offsets(const recur::Decoded& d, std::uint64_t start, std::uint64_t original_size,
                         LenFn original_len) {
  ASSERT_FALSE(d.is_identity());
  ASSERT_EQ(d.to_original.size(), d.text.size() + 1);
  std::uint64_t orig = start;
  std::size_t index = 0;
  for (std::size_t pos = 0; pos < d.text.size(); ++index) {
    const std::size_t len = utf8_length(static_cast<unsigned char>(d.text[pos]));
    for (std::size_t k = 0; k < len; ++k) {
      EXPECT_EQ(d.original(pos + k), orig) << "decoded byte " << pos + k << " (character " << index << ")";
    }
    orig += original_len(d.text.substr(pos, len));
    pos += len;
  }
  EXPECT_EQ(orig, original_size);
  EXPECT_EQ(d.original(d.text.size()), original_size);
}

// --- is_valid_utf8 ---------------------------------------------------------------------------

TEST(IsValidUtf8, AcceptsAsciiChineseAndFourByteSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii 123"));
  EXPECT_TRUE(is_valid_utf8("组织工作，。"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));        // U+1F600
  EXPECT_TRUE(is_valid_utf8("\xF0\xA0\x80\x80"));        // U+20000, CJK extension B
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBD"));            // U+FFFD
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));            // U+D7FF, just below the surrogates
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));            // U+E000, just above them
  EXPECT_TRUE(is_valid_utf8(std::string_view("a\0b", 3)));  // NUL is valid UTF-8
}

// The validator skips ahead over ASCII words and runs of 3-byte sequences; it must agree with a
// plain byte-by-byte reading of Unicode's table 3-7 wherever an error falls relative to those
// runs. Reference: the well-formed byte sequences of Unicode 3.9, table 3-7.
bool reference_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  auto in = [&](std::size_t k, unsigned lo, unsigned hi) {
    if (i + k >= text.size()) return false;
    const auto b = static_cast<unsigned char>(text[i + k]);
    return b >= lo && b <= hi;
  };
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    if (b <= 0x7F) len = 1;
    else if (b >= 0xC2 && b <= 0xDF) len = in(1, 0x80, 0xBF) ? 2 : 0;
    else if (b == 0xE0) len = in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) len = in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    else if (b == 0xED) len = in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
    else if (b == 0xF0) len = in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    else if (b >= 0xF1 && b <= 0xF3) len = in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    else if (b == 0xF4) len = in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (len == 0) return false;
    i += len;
  }
  return true;
}

TEST(IsValidUtf8, AgreesWithTable37OnMostlyChineseTextWithOneBadByte) {
  const std::vector<std::string> pieces = {"组", "织", "，", "。", "\xEF\xBF\xBD", "\xED\x9F\xBF", "\xE0\xA0\x80",
                                           "a", "1", "\n", "é", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"};
  std::mt19937 rng(21);
  std::size_t invalid = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 24);
    for (int i = 0; i < n; ++i) text += pieces[rng() % (round % 2 ? 4 : pieces.size())];
    if (!text.empty() && rng() % 4 != 0) {  // one byte replaced by any value, or the text cut short
      if (rng() % 5 == 0) text.resize(rng() % text.size());
      else text[rng() % text.size()] = static_cast<char>(rng() % 256);
    }
    const bool expected = reference_valid_utf8(text);
    invalid += !expected;
    ASSERT_EQ(is_valid_utf8(text), expected) << ::testing::PrintToString(text);
  }
  EXPECT_GT(invalid, 5000u);  // the corruptions do produce invalid text
}

TEST(IsValidUtf8, RejectsOverlongEncodings) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // '/' in two bytes
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // '/' in three bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // U+07FF in three bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
}

TEST(IsValidUtf8, RejectsSurrogatesAndCodePointsAboveTheLast) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));          // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));          // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80"));  // CESU-8 surrogate pair
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // five-byte form
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xFE"));
}

TEST(IsValidUtf8, RejectsTruncatedSequencesAndStrayContinuationBytes) {
  EXPECT_FALSE(is_valid_utf8("\xE4\xB8"));              // 中 without its last byte
  EXPECT_FALSE(is_valid_utf8("组\xE4\xB8"));
  EXPECT_FALSE(is_valid_utf8("\xE4\xB8组"));            // truncated in the middle
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));          // 4-byte sequence cut short
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("\x80"));                  // continuation without a lead
  EXPECT_FALSE(is_valid_utf8("a\xBF" "b"));
  EXPECT_FALSE(is_valid_utf8("\xE4\x41\xAD"));          // lead followed by ASCII
}

// --- decode: UTF-8 ---------------------------------------------------------------------------

TEST(Decode, PlainUtf8IsTheIdentityWithShiftZero) {
  const std::string bytes = "一、总体要求\n坚持稳中求进工作总基调。GDP 5.2%\n";
  const auto r = decode_auto(bytes);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, bytes);
  EXPECT_TRUE(r.decoded.is_identity());
  EXPECT_EQ(r.decoded.shift, 0u);
  EXPECT_EQ(r.decoded.replaced, 0u);
  EXPECT_EQ(r.decoded.encoding, "UTF-8");
  for (std::size_t pos = 0; pos <= bytes.size(); ++pos) EXPECT_EQ(r.decoded.original(pos), pos);
}

TEST(Decode, Utf8WithBomDropsTheBomAndShiftsOffsetsByThree) {
  const std::string body = "组织工作\n第二行";
  const auto r = decode_auto("\xEF\xBB\xBF" + body);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, body);
  EXPECT_EQ(r.decoded.encoding, "UTF-8 with BOM");
  EXPECT_EQ(r.decoded.shift, 3u);
  for (std::size_t pos = 0; pos <= body.size(); ++pos) EXPECT_EQ(r.decoded.original(pos), pos + 3);
}

TEST(Decode, ForcedUtf8DecodesTheSameText) {
  const std::string bytes = "组织工作";
  const auto r = decode_as(bytes, "utf-8");
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, bytes);
  for (std::size_t pos = 0; pos <= bytes.size(); ++pos) EXPECT_EQ(r.decoded.original(pos), pos);
}

// --- decode: UTF-16 --------------------------------------------------------------------------

// "中a😀\n" in UTF-16: 中 U+4E2D, a, U+1F600 (surrogate pair D83D DE00), newline.
TEST(Decode, Utf16LeWithBomMapsEachCharacterToItsOriginalBytes) {
  const std::string bytes("\xFF\xFE" "\x2D\x4E" "a\x00" "\x3D\xD8\x00\xDE" "\n\x00", 12);
  const auto r = decode_auto(bytes);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, "中a😀\n");
  EXPECT_NE(r.decoded.encoding.find("16"), std::string::npos) << r.decoded.encoding;
  // 中 came from bytes 2..3, a from 4..5, 😀 from 6..9, the newline from 10..11.
  expect_char_offsets(r.decoded, 2, bytes.size(), [](std::string_view c) { return c.size() == 4 ? 4 : 2; });
  EXPECT_EQ(r.decoded.original(0), 2u);
  EXPECT_EQ(r.decoded.original(3), 4u);
  EXPECT_EQ(r.decoded.original(4), 6u);
  EXPECT_EQ(r.decoded.original(7), 6u);
  EXPECT_EQ(r.decoded.original(8), 10u);
  EXPECT_EQ(r.decoded.original(9), 12u);
}

TEST(Decode, Utf16BeWithBomMapsEachCharacterToItsOriginalBytes) {
  const std::string bytes("\xFE\xFF" "\x4E\x2D" "\x00" "a" "\xD8\x3D\xDE\x00" "\x00\n", 12);
  const auto r = decode_auto(bytes);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, "中a😀\n");
  EXPECT_NE(r.decoded.encoding.find("16"), std::string::npos) << r.decoded.encoding;
  expect_char_offsets(r.decoded, 2, bytes.size(), [](std::string_view c) { return c.size() == 4 ? 4 : 2; });
}

TEST(Decode, Utf16LeWithBomOfRealTextRoundTrips) {
  // 组织工作 as UTF-16LE: 7EC4 7EC7 5DE5 4F5C.
  const std::string bytes("\xFF\xFE\xC4\x7E\xC7\x7E\xE5\x5D\x5C\x4F", 10);
  const auto r = decode_auto(bytes);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, "组织工作");
  expect_char_offsets(r.decoded, 2, bytes.size(), [](std::string_view) { return 2; });
}

// --- decode: GB18030 -------------------------------------------------------------------------

TEST(Decode, Gb18030IsDetectedInAutoMode) {
  const auto r = decode_auto(kGbBytes);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, kGbUtf8);
  std::string name = r.decoded.encoding;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  EXPECT_NE(name.find("GB"), std::string::npos) << r.decoded.encoding;
  expect_char_offsets(r.decoded, 0, kGbBytes.size(),
                      [](std::string_view c) { return c.size() == 1 ? 1 : 2; });
}

TEST(Decode, Gb18030CanBeForcedEvenForAShortText) {
  // 组织工作 in GB18030 (python3 -c "print('组织工作'.encode('gb18030'))").
  const std::string bytes = "\xd7\xe9\xd6\xaf\xb9\xa4\xd7\xf7";
  const auto r = decode_as(bytes, "gb18030");
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, "组织工作");
  expect_char_offsets(r.decoded, 0, bytes.size(), [](std::string_view) { return 2; });
  EXPECT_EQ(r.decoded.original(3), 2u);   // 织 starts at original byte 2
  EXPECT_EQ(r.decoded.original(9), 6u);   // 作 at 6
}

TEST(Decode, ForcedGb18030DecodesTheLongSample) {
  const auto r = decode_as(kGbBytes, "gb18030");
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.text, kGbUtf8);
}

// --- decode: files that cannot be used -------------------------------------------------------

TEST(Decode, BinaryWithNulBytesIsRejectedWithAReason) {
  static const char kPng[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0";
  std::string bytes(kPng, sizeof kPng - 1);
  bytes += "组织工作组织工作组织工作";  // some text does not make it a text file
  const auto r = decode_auto(bytes);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.reason.empty());
}

TEST(Decode, EmptyInputIsRejectedWithAReason) {
  const auto r = decode_auto("");
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.reason.empty());
}

TEST(Decode, MostlyUtf8WithOneInvalidByteIsRepairedWithAWarning) {
  std::string head, tail;
  for (int i = 0; i < 200; ++i) head += "组织工作";  // 2400 bytes
  for (int i = 0; i < 200; ++i) tail += "创新发展";
  const std::string bytes = head + "\xFF" + tail;   // one bad byte in 4801: 0.02%
  const auto r = decode_auto(bytes);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.replaced, 1u);
  EXPECT_FALSE(r.decoded.note.empty());
  EXPECT_EQ(r.decoded.text, head + "\xEF\xBF\xBD" + tail);
  EXPECT_TRUE(is_valid_utf8(r.decoded.text));
  // Offsets still point at the original bytes: before, at and after the replacement.
  EXPECT_EQ(r.decoded.original(0), 0u);
  EXPECT_EQ(r.decoded.original(head.size() - 3), head.size() - 3);
  EXPECT_EQ(r.decoded.original(head.size()), head.size());          // U+FFFD <- the bad byte
  EXPECT_EQ(r.decoded.original(head.size() + 3), head.size() + 1);  // first character after it
  EXPECT_EQ(r.decoded.original(r.decoded.text.size() - 3), bytes.size() - 3);
  EXPECT_EQ(r.decoded.original(r.decoded.text.size()), bytes.size());
}

TEST(Decode, RandomBytesWithNulsAreRejected) {
  std::mt19937_64 rng(20240601);
  std::string bytes(4096, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng() & 0xFF);
  const auto r = decode_auto(bytes);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.reason.empty());
}

TEST(Decode, RandomHighBytesAreRejectedOrComeWithAWarning) {
  std::mt19937_64 rng(7);
  std::string bytes(4096, '\0');
  for (auto& c : bytes) c = static_cast<char>(0x80 | (rng() & 0x7F));
  const auto r = decode_auto(bytes);
  if (r.ok) {
    EXPECT_FALSE(r.decoded.note.empty()) << "decoded garbage as " << r.decoded.encoding << " silently";
    EXPECT_TRUE(is_valid_utf8(r.decoded.text));
    if (!r.decoded.is_identity()) {
      EXPECT_EQ(r.decoded.to_original.size(), r.decoded.text.size() + 1);
    }
    EXPECT_EQ(r.decoded.original(r.decoded.text.size()), bytes.size());
  } else {
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST(Decode, NeverThrowsForAForcedEncodingThatDoesNotFit) {
  // Invalid GB18030 (a lead byte followed by a byte that cannot follow it, then a lone lead).
  const std::string bytes = "\xd7\xe9\x81\x20\x81";
  DecodeResult r;
  EXPECT_NO_THROW(r = decode_as(bytes, "gb18030"));
  if (r.ok) {
    EXPECT_TRUE(is_valid_utf8(r.decoded.text));
  } else {
    EXPECT_FALSE(r.reason.empty());
  }
}

// --- DecodeOptions::validate -----------------------------------------------------------------

TEST(DecodeOptionsValidate, AcceptsTheDefaultsAndKnownConverters) {
  EXPECT_EQ(DecodeOptions{}.validate(), "");
  for (const char* name : {"auto", "gb18030", "gbk", "utf-16le", "UTF-8", "big5"}) {
    DecodeOptions options;
    options.encoding = name;
    EXPECT_EQ(options.validate(), "") << name;
  }
}

TEST(DecodeOptionsValidate, RejectsAnUnknownConverterName) {
  DecodeOptions options;
  options.encoding = "no-such-charset-42";
  EXPECT_FALSE(options.validate().empty());
}

}  // namespace

namespace {

TEST(Decode, CharactersCutByConversionChunksMapToTheirOwnBytes) {
  // 'a' then 组 (D7 E9 in GB18030) repeated: character i starts at byte 1 + 2i, so one of them
  // straddles the converter's 4 MiB chunk boundary (i = 2097151 starts at byte 4194303).
  std::string bytes = "a";
  const std::size_t chars = (std::size_t{1} << 21) + 16;
  bytes.reserve(1 + 2 * chars);
  for (std::size_t i = 0; i < chars; ++i) bytes += "\xD7\xE9";
  DecodeOptions o;
  o.encoding = "gb18030";
  const DecodeResult r = decode(bytes, o);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.replaced, 0u);
  ASSERT_EQ(r.decoded.text.size(), 1 + 3 * chars);
  for (std::size_t i : {std::size_t{0}, std::size_t{2097150}, std::size_t{2097151}, std::size_t{2097152},
                        chars - 1})
    EXPECT_EQ(r.decoded.original(1 + 3 * i), 1 + 2 * i) << "character " << i;
  EXPECT_EQ(r.decoded.original(r.decoded.text.size()), bytes.size());
}

TEST(Decode, LiteralReplacementCharactersAreNotDecodingErrors) {
  std::string bytes = "\xFF\xFE";  // UTF-16LE BOM
  for (int i = 0; i < 20; ++i) bytes += std::string("\xFD\xFF", 2);  // U+FFFD as written
  bytes += std::string("A\0", 2);
  const DecodeResult r = decode(bytes, DecodeOptions{});
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.decoded.replaced, 0u);
  EXPECT_TRUE(r.decoded.note.empty()) << r.decoded.note;
}

}  // namespace
