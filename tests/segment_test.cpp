// Tests for segment.hpp: documents and paragraphs, in lines, indent and automatic mode.
#include "recur/segment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "recur/error.hpp"

namespace {

using recur::ParagraphMode;
using recur::Range;
using recur::Segmentation;
using recur::Span;

const std::string kIndent = "\u3000\u3000";  // two ideographic spaces, the usual paragraph indent

Segmentation seg(std::string_view text, ParagraphMode mode, std::vector<Range> stripped = {},
                 std::vector<Range> doc_starts = {}) {
  return recur::segment(text, mode, stripped, doc_starts);
}

std::string span_text(std::string_view text, const Span& s) {
  return std::string(text.substr(s.begin, s.end - s.begin));
}

std::string without_cr(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '\r'), s.end());
  return s;
}

std::vector<std::string> texts(std::string_view text, const Segmentation& s) {
  std::vector<std::string> out;
  for (const Span& p : s.paragraphs) out.push_back(span_text(text, p));
  return out;
}

// The byte range of the first occurrence of `needle` in `text`.
Range find_range(std::string_view text, std::string_view needle) {
  const auto at = text.find(needle);
  EXPECT_NE(at, std::string_view::npos) << needle;
  return {at, at + needle.size()};
}

// Checks a paragraph's text and lines.
void expect_paragraph(std::string_view text, const Span& p, std::string_view expected,
                      std::uint32_t line, std::uint32_t line_end) {
  EXPECT_EQ(span_text(text, p), expected);
  const auto at = text.find(expected);
  EXPECT_EQ(p.begin, at);
  EXPECT_EQ(p.end, at + expected.size());
  EXPECT_EQ(p.line, line) << expected;
  EXPECT_EQ(p.line_end, line_end) << expected;
}

// --- ParagraphMode ----------------------------------------------------------------------------

TEST(ParagraphMode, ParsesItsThreeNamesAndPrintsThemBack) {
  EXPECT_EQ(recur::parse_paragraph_mode("auto"), ParagraphMode::automatic);
  EXPECT_EQ(recur::parse_paragraph_mode("indent"), ParagraphMode::indent);
  EXPECT_EQ(recur::parse_paragraph_mode("lines"), ParagraphMode::lines);
  for (auto mode : {ParagraphMode::automatic, ParagraphMode::indent, ParagraphMode::lines}) {
    EXPECT_EQ(recur::parse_paragraph_mode(recur::to_string(mode)), mode);
  }
  EXPECT_STREQ(recur::to_string(ParagraphMode::automatic), "auto");
  EXPECT_STREQ(recur::to_string(ParagraphMode::indent), "indent");
  EXPECT_STREQ(recur::to_string(ParagraphMode::lines), "lines");
}

TEST(ParagraphMode, RejectsAnUnknownNameWithAUsageError) {
  for (const char* name : {"automatic", "", "paragraphs", "line"}) {
    try {
      recur::parse_paragraph_mode(name);
      ADD_FAILURE() << "accepted '" << name << "'";
    } catch (const recur::Error& e) {
      EXPECT_EQ(e.code(), recur::errc::usage);
    }
  }
}

// --- lines mode -------------------------------------------------------------------------------

TEST(SegmentLines, OneTrimmedParagraphPerNonEmptyLine) {
  const std::string text = "  第一行  \n\n第二行\n   \n" + kIndent + "第三行\t\n\u00A0\n第四行";
  const auto s = seg(text, ParagraphMode::lines);
  EXPECT_EQ(s.mode, ParagraphMode::lines);
  ASSERT_EQ(s.paragraphs.size(), 4u);
  expect_paragraph(text, s.paragraphs[0], "第一行", 1, 1);
  expect_paragraph(text, s.paragraphs[1], "第二行", 3, 3);
  expect_paragraph(text, s.paragraphs[2], "第三行", 5, 5);
  expect_paragraph(text, s.paragraphs[3], "第四行", 7, 7);
  EXPECT_EQ(s.paragraphs[0].begin, 2u);
  EXPECT_EQ(s.paragraphs[0].end, 11u);
  ASSERT_EQ(s.documents.size(), 1u);
  EXPECT_EQ(s.documents[0].name, "");
  EXPECT_EQ(s.documents[0].line, 1u);
  for (const auto& p : s.paragraphs) EXPECT_EQ(p.document, 0u);
}

TEST(SegmentLines, LinesEndingInPunctuationOrNotAreAllSeparate) {
  const std::string text =
      "坚持以新时代中国特色社会主义思想为指导全面贯彻党的二十大精神\n深入推进组织工作高质量发展\n";
  const auto s = seg(text, ParagraphMode::lines);
  EXPECT_EQ(s.paragraphs.size(), 2u);
}

TEST(SegmentLines, EmptyAndBlankTextHaveNoParagraphs) {
  EXPECT_TRUE(seg("", ParagraphMode::lines).paragraphs.empty());
  EXPECT_TRUE(seg("\n \n\t\r\n" + kIndent + "\n", ParagraphMode::lines).paragraphs.empty());
  EXPECT_TRUE(seg("\n \n" + kIndent + "\n", ParagraphMode::indent).paragraphs.empty());
}

TEST(SegmentLines, CrLfLineEndingsGiveTheSameParagraphsWithoutTheCr) {
  const std::string lf = "  第一行  \n\n第二行\n" + kIndent + "第三行。\n";
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const auto a = seg(lf, ParagraphMode::lines);
  const auto b = seg(crlf, ParagraphMode::lines);
  ASSERT_EQ(a.paragraphs.size(), 3u);
  ASSERT_EQ(b.paragraphs.size(), a.paragraphs.size());
  for (std::size_t i = 0; i < a.paragraphs.size(); ++i) {
    EXPECT_EQ(span_text(crlf, b.paragraphs[i]), span_text(lf, a.paragraphs[i]));
    EXPECT_NE(crlf[b.paragraphs[i].end - 1], '\r');
    EXPECT_EQ(b.paragraphs[i].line, a.paragraphs[i].line);
    EXPECT_EQ(b.paragraphs[i].line_end, a.paragraphs[i].line_end);
  }
}

// --- indent mode ------------------------------------------------------------------------------

// Line 1 is indented and long without final punctuation, so line 2 continues it.
const std::string kL1 = "坚持以新时代中国特色社会主义思想为指导全面贯彻党的二十大精神";  // 29 characters
const std::string kL2 = "深入推进组织工作高质量发展。";
const std::string kL3 = "围绕中心服务大局持续加强干部队伍建设不断提升组织工作质量";  // after 。: new
const std::string kL4 = "加强基层党组织建设";                                          // indented: new
const std::string kL5 = "一、总体要求";                                              // heading
const std::string kL6 = "坚持稳中求进工作总基调完整准确全面贯彻新发展理念加快构建新发展格局";
const std::string kL7 = "着力推动高质量发展。";

TEST(SegmentIndent, JoinsWrappedLinesAndSplitsAtIndentsPunctuationAndHeadings) {
  const std::string text = kIndent + kL1 + "\n" + kL2 + "\n" + kL3 + "\n" + kIndent + kL4 + "\n" +
                           kL5 + "\n" + kL6 + "\n" + kL7 + "\n";
  const auto s = seg(text, ParagraphMode::indent);
  EXPECT_EQ(s.mode, ParagraphMode::indent);
  ASSERT_EQ(s.paragraphs.size(), 5u) << ::testing::PrintToString(texts(text, s));
  expect_paragraph(text, s.paragraphs[0], kL1 + "\n" + kL2, 1, 2);
  expect_paragraph(text, s.paragraphs[1], kL3, 3, 3);
  expect_paragraph(text, s.paragraphs[2], kL4, 4, 4);
  expect_paragraph(text, s.paragraphs[3], kL5, 5, 5);
  expect_paragraph(text, s.paragraphs[4], kL6 + "\n" + kL7, 6, 7);
}

TEST(SegmentIndent, AContinuationCanSpanManyLines) {
  const std::string text = kIndent + kL1 + "\n" + kL3 + "\n" + kL6 + "\n" + kL7 + "\n" + kL3;
  const auto s = seg(text, ParagraphMode::indent);
  ASSERT_EQ(s.paragraphs.size(), 2u) << ::testing::PrintToString(texts(text, s));
  expect_paragraph(text, s.paragraphs[0], kL1 + "\n" + kL3 + "\n" + kL6 + "\n" + kL7, 1, 4);
  EXPECT_EQ(s.paragraphs[1].line, 5u);
  EXPECT_EQ(s.paragraphs[1].begin, text.size() - kL3.size());
  EXPECT_EQ(s.paragraphs[1].end, text.size());
}

TEST(SegmentIndent, EverySentenceFinalPunctuationEndsAParagraph) {
  for (const std::string end : {"。", "！", "？", "；", "：", ".", "!", "?", ";", ":", "。”", "。’", "！」"}) {
    const std::string text = kIndent + kL1 + end + "\n" + kL3 + "\n";
    const auto s = seg(text, ParagraphMode::indent);
    EXPECT_EQ(s.paragraphs.size(), 2u) << "line ending in " << end;
  }
}

TEST(SegmentIndent, OtherPunctuationDoesNotEndAParagraph) {
  for (const std::string end : {"，", "、", ",", "（", "“"}) {
    const std::string text = kIndent + kL1 + end + "\n" + kL3 + "\n";
    const auto s = seg(text, ParagraphMode::indent);
    EXPECT_EQ(s.paragraphs.size(), 1u) << "line ending in " << end;
  }
}

TEST(SegmentIndent, ALongHeadingIsNotJoinedToTheNextLine) {
  // Over 20 characters, so only the heading rule separates it from the next line.
  for (const std::string heading : {"（一）坚持稳中求进工作总基调完整准确全面贯彻新发展理念",
                                    "一、坚持稳中求进工作总基调完整准确全面贯彻新发展理念",
                                    "1. 坚持稳中求进工作总基调完整准确全面贯彻新发展理念"}) {
    const std::string text = heading + "\n" + kL3 + "\n";
    const auto s = seg(text, ParagraphMode::indent);
    ASSERT_EQ(s.paragraphs.size(), 2u) << heading;
    EXPECT_EQ(span_text(text, s.paragraphs[0]), heading);
    EXPECT_EQ(s.paragraphs[1].line, 2u);
  }
}

TEST(SegmentIndent, AShortLineSuchAsATitleIsNotJoined) {
  const std::string title = "关于组织工作的报告";
  const std::string text = title + "\n" + kL3 + "\n";
  const auto s = seg(text, ParagraphMode::indent);
  ASSERT_EQ(s.paragraphs.size(), 2u);
  EXPECT_EQ(span_text(text, s.paragraphs[0]), title);
}

TEST(SegmentIndent, AnEmptyLineEndsAParagraph) {
  const std::string text = kIndent + kL1 + "\n\n" + kL3 + "\n \n" + kL6 + "\n";
  const auto s = seg(text, ParagraphMode::indent);
  ASSERT_EQ(s.paragraphs.size(), 3u);
  EXPECT_EQ(s.paragraphs[1].line, 3u);
  EXPECT_EQ(s.paragraphs[2].line, 5u);
}

TEST(SegmentIndent, CrLfLineEndingsGiveTheSameParagraphs) {
  const std::string lf = kIndent + kL1 + "\n" + kL2 + "\n" + kL3 + "\n" + kIndent + kL4 + "\n" +
                         kL5 + "\n" + kL6 + "\n" + kL7 + "\n";
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const auto a = seg(lf, ParagraphMode::indent);
  const auto b = seg(crlf, ParagraphMode::indent);
  ASSERT_EQ(b.paragraphs.size(), a.paragraphs.size());
  for (std::size_t i = 0; i < a.paragraphs.size(); ++i) {
    EXPECT_EQ(without_cr(span_text(crlf, b.paragraphs[i])), span_text(lf, a.paragraphs[i]));
    EXPECT_NE(crlf[b.paragraphs[i].end - 1], '\r');
    EXPECT_EQ(b.paragraphs[i].line, a.paragraphs[i].line);
    EXPECT_EQ(b.paragraphs[i].line_end, a.paragraphs[i].line_end);
  }
}

// --- automatic mode ---------------------------------------------------------------------------

std::string lines_with_indented(int lines, int indented, int empty) {
  std::string text;
  for (int i = 0; i < lines; ++i) {
    if (i < indented) text += kIndent;
    text += kL3 + "\n";  // long, no final punctuation: joined in indent mode
    if (i < empty) text += "\n";
  }
  return text;
}

TEST(SegmentAutomatic, PicksIndentWhenAtLeastATenthOfNonEmptyLinesAreIndented) {
  // 1 indented of 10 non-empty lines (the empty lines do not count).
  const std::string text = lines_with_indented(10, 1, 0) + "\n\n\n\n\n";
  const auto s = seg(text, ParagraphMode::automatic);
  EXPECT_EQ(s.mode, ParagraphMode::indent);
  const auto explicit_indent = seg(text, ParagraphMode::indent);
  ASSERT_EQ(s.paragraphs.size(), explicit_indent.paragraphs.size());
  EXPECT_EQ(s.paragraphs.size(), 1u);  // all ten lines are one wrapped paragraph

  const auto more = seg(lines_with_indented(10, 3, 0), ParagraphMode::automatic);
  EXPECT_EQ(more.mode, ParagraphMode::indent);
}

TEST(SegmentAutomatic, EmptyLinesDoNotCountTowardsTheTenth) {
  const auto s = seg(lines_with_indented(10, 1, 10), ParagraphMode::automatic);
  EXPECT_EQ(s.mode, ParagraphMode::indent);
}

TEST(SegmentAutomatic, PicksLinesWhenFewerThanATenthAreIndented) {
  const std::string text = lines_with_indented(11, 1, 0);
  const auto s = seg(text, ParagraphMode::automatic);
  EXPECT_EQ(s.mode, ParagraphMode::lines);
  EXPECT_EQ(s.paragraphs.size(), 11u);

  const auto none = seg(lines_with_indented(5, 0, 0), ParagraphMode::automatic);
  EXPECT_EQ(none.mode, ParagraphMode::lines);
  EXPECT_EQ(none.paragraphs.size(), 5u);
}

TEST(SegmentAutomatic, NeverReportsAutomaticAsTheModeUsed) {
  EXPECT_NE(seg("", ParagraphMode::automatic).mode, ParagraphMode::automatic);
  EXPECT_NE(seg("一行。", ParagraphMode::automatic).mode, ParagraphMode::automatic);
}

// --- documents --------------------------------------------------------------------------------

TEST(SegmentDocuments, DocStartsSplitDocumentsAndParagraphsCarryTheirIndex) {
  const std::string text =
      "前言内容写在这里。\n  第一号文件  \n正文一的内容。\n第二号文件\n正文二的内容。\n";
  const std::vector<Range> starts = {find_range(text, "第一号文件"), find_range(text, "第二号文件")};
  const auto s = seg(text, ParagraphMode::lines, {}, starts);
  ASSERT_EQ(s.documents.size(), 3u);
  EXPECT_EQ(s.documents[0].name, "");
  EXPECT_EQ(s.documents[0].line, 1u);
  EXPECT_EQ(s.documents[1].name, "第一号文件");
  EXPECT_EQ(s.documents[1].line, 2u);
  EXPECT_EQ(s.documents[2].name, "第二号文件");
  EXPECT_EQ(s.documents[2].line, 4u);
  ASSERT_EQ(s.paragraphs.size(), 5u);
  const std::vector<std::uint32_t> expected_doc = {0, 1, 1, 2, 2};
  for (std::size_t i = 0; i < s.paragraphs.size(); ++i) {
    EXPECT_EQ(s.paragraphs[i].document, expected_doc[i]) << span_text(text, s.paragraphs[i]);
  }
  EXPECT_EQ(span_text(text, s.paragraphs[2]), "正文一的内容。");
}

TEST(SegmentDocuments, AMatchInsideALineNamesTheDocumentAfterTheWholeTrimmedLine) {
  const std::string text = "正文。\n" + kIndent + "附件：第一号文件 \n正文一。\n";
  const auto s = seg(text, ParagraphMode::lines, {}, {find_range(text, "号文件")});
  ASSERT_EQ(s.documents.size(), 2u);
  EXPECT_EQ(s.documents[1].name, "附件：第一号文件");
  EXPECT_EQ(s.documents[1].line, 2u);
  ASSERT_EQ(s.paragraphs.size(), 3u);
  EXPECT_EQ(s.paragraphs[0].document, 0u);
  EXPECT_EQ(s.paragraphs[2].document, 1u);
}

TEST(SegmentDocuments, ADocumentStartingOnLineOneOwnsItsParagraphs) {
  const std::string text = "第一号文件\n正文一。\n第二号文件\n正文二。";
  const auto s = seg(text, ParagraphMode::lines, {},
                     {find_range(text, "第一号文件"), find_range(text, "第二号文件")});
  ASSERT_EQ(s.paragraphs.size(), 4u);
  for (std::size_t i = 0; i < s.paragraphs.size(); ++i) {
    ASSERT_LT(s.paragraphs[i].document, s.documents.size());
    EXPECT_EQ(s.documents[s.paragraphs[i].document].name, i < 2 ? "第一号文件" : "第二号文件");
  }
}

TEST(SegmentDocuments, ADocumentStartEndsAWrappedParagraphInIndentMode) {
  // kL3 is long and has no final punctuation, so only the document start separates it.
  const std::string doc_line = "第二号文件关于进一步加强组织工作的若干意见全文";
  const std::string text = kIndent + kL1 + "\n" + kL3 + "\n" + doc_line + "\n" + kL6 + "。\n";
  const auto s = seg(text, ParagraphMode::indent, {}, {find_range(text, "第二号文件")});
  ASSERT_EQ(s.documents.size(), 2u);
  EXPECT_EQ(s.documents[1].line, 3u);
  ASSERT_GE(s.paragraphs.size(), 2u) << ::testing::PrintToString(texts(text, s));
  expect_paragraph(text, s.paragraphs[0], kL1 + "\n" + kL3, 1, 2);
  EXPECT_EQ(s.paragraphs[0].document, 0u);
  EXPECT_EQ(s.paragraphs[1].line, 3u);
  EXPECT_EQ(s.paragraphs[1].document, 1u);
  EXPECT_EQ(s.paragraphs.back().document, 1u);
}

// --- stripped ranges --------------------------------------------------------------------------

TEST(SegmentStripped, ALineThatIsEntirelyStrippedIsNotAParagraph) {
  const std::string text = "正文第一段。\n##paidbegin##\n  ##paidend##  \n正文第二段。\n";
  const std::vector<Range> stripped = {find_range(text, "##paidbegin##"),
                                       find_range(text, "##paidend##")};
  const auto s = seg(text, ParagraphMode::lines, stripped);
  ASSERT_EQ(s.paragraphs.size(), 2u);
  EXPECT_EQ(s.paragraphs[0].line, 1u);
  EXPECT_EQ(s.paragraphs[1].line, 4u);
  // Without stripping, the markers are paragraphs of their own.
  EXPECT_EQ(seg(text, ParagraphMode::lines).paragraphs.size(), 4u);
}

TEST(SegmentStripped, AStrippedMarkerDoesNotHideFinalPunctuation) {
  const std::string text = kIndent + kL1 + "。##end##\n" + kL3 + "\n";
  EXPECT_EQ(seg(text, ParagraphMode::indent).paragraphs.size(), 1u);  // '#' is not final
  const auto s = seg(text, ParagraphMode::indent, {find_range(text, "##end##")});
  ASSERT_EQ(s.paragraphs.size(), 2u);
  EXPECT_EQ(s.paragraphs[1].line, 2u);
}

TEST(SegmentStripped, AStrippedMarkerDoesNotHideIndentation) {
  const std::string text = kIndent + kL1 + "\n##m##" + kIndent + kL3 + "\n";
  EXPECT_EQ(seg(text, ParagraphMode::indent).paragraphs.size(), 1u);  // not indented as it stands
  const auto s = seg(text, ParagraphMode::indent, {find_range(text, "##m##")});
  ASSERT_EQ(s.paragraphs.size(), 2u);
  EXPECT_EQ(s.paragraphs[1].line, 2u);
}

// Lines without stripped text take a fast path that decodes only their ends; lines with stripped
// text are walked character by character. An empty stripped range changes no content but forces
// the walk, so the two must give the same segmentation on any text.
TEST(SegmentStripped, TheFastPathForUnstrippedLinesAgreesWithTheFullWalk) {
  const std::vector<std::string> pieces = {"组织", "工作", "。", "，", "　", " ", "\t", "\r", "一、", "（二）",
                                           "第三", "1.", "②", "”", "。”", "综述　　13", "abc", "é", "\n",
                                           "\n", "\n", "　　", "！", "x"};
  std::mt19937 rng(5);
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    // An empty range at every character boundary of every line.
    std::vector<Range> empty_ranges;
    for (std::size_t k = 0; k <= text.size(); ++k)
      if (k == text.size() || (static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) empty_ranges.push_back({k, k});
    for (ParagraphMode mode : {ParagraphMode::automatic, ParagraphMode::indent, ParagraphMode::lines}) {
      const auto fast = seg(text, mode);
      const auto walked = seg(text, mode, empty_ranges);
      ASSERT_EQ(fast.mode, walked.mode) << text;
      ASSERT_EQ(fast.paragraphs.size(), walked.paragraphs.size()) << text;
      for (std::size_t i = 0; i < fast.paragraphs.size(); ++i) {
        const auto &a = fast.paragraphs[i], &b = walked.paragraphs[i];
        EXPECT_EQ(std::tie(a.begin, a.end, a.line, a.line_end, a.document),
                  std::tie(b.begin, b.end, b.line, b.line_end, b.document))
            << "paragraph " << i << " of: " << text;
      }
    }
  }
}

}  // namespace

// --- paragraph kinds (classify_paragraph) ------------------------------------------------------

TEST(ParagraphKinds, EachRuleOnItsExample) {
  using recur::ParagraphKind;
  using recur::classify_paragraph;
  // Table-of-contents entries: white space or leader dots, then a page number.
  EXPECT_EQ(classify_paragraph("新时代北京组织工作综述　　1", false), ParagraphKind::toc);
  EXPECT_EQ(classify_paragraph("党的十八大以来云南组织工作综述  28", false), ParagraphKind::toc);
  EXPECT_EQ(classify_paragraph("第一章 总则……3", false), ParagraphKind::toc);
  // Headings.
  EXPECT_EQ(classify_paragraph("一、省级", false), ParagraphKind::heading);
  EXPECT_EQ(classify_paragraph("（二）坚持政治引领，筑牢思想根基", false), ParagraphKind::heading);
  EXPECT_EQ(classify_paragraph("3. 强化干部队伍建设", false), ParagraphKind::heading);
  EXPECT_EQ(classify_paragraph("第一章 总则", false), ParagraphKind::heading);
  // Titles: the --doc-split line, a title word, or a short line without sentence punctuation.
  EXPECT_EQ(classify_paragraph("新时代天津组织工作综述", true), ParagraphKind::title);
  EXPECT_EQ(classify_paragraph("中共某市委组织部2023年工作总结", false), ParagraphKind::title);
  EXPECT_EQ(classify_paragraph("目　　录", false), ParagraphKind::title);
  // Bylines: rank and unit words, or a date alone.
  EXPECT_EQ(classify_paragraph("中共菏泽市委常委、组织部部长、统战部部长  臧伟", false), ParagraphKind::byline);
  EXPECT_EQ(classify_paragraph("2023年5月12日", false), ParagraphKind::byline);
  EXPECT_EQ(classify_paragraph("二〇二三年五月", false), ParagraphKind::byline);
  // Body: sentences, and anything long.
  EXPECT_EQ(classify_paragraph("全市各级党组织深入学习贯彻党的二十大精神。", false), ParagraphKind::body);
  EXPECT_EQ(classify_paragraph("一是加强理论武装，二是强化组织建设，三是锤炼干部作风", false), ParagraphKind::body);
  EXPECT_EQ(classify_paragraph(std::string(70 * 3, '\0').replace(0, 210, std::string(70, 'x')), false),
            ParagraphKind::body);
  std::string long_title;
  for (int k = 0; k < 30; ++k) long_title += "党建";
  EXPECT_EQ(classify_paragraph(long_title + "综述", false), ParagraphKind::body) << "over 60 characters";
  EXPECT_STREQ(recur::to_string(ParagraphKind::toc), "toc");
}

TEST(ParagraphKinds, SegmentClassifiesEveryParagraph) {
  const std::string text =
      "目录\n新时代甲市组织工作综述　　1\n新时代甲市组织工作综述\n一、强化政治引领\n"
      "全市各级党组织坚持以学习贯彻党的创新理论为首要政治任务，推动理论武装走深走实。\n"
      "中共甲市委常委、组织部部长  某某\n";
  std::vector<recur::Range> starts;
  const std::size_t split = text.find("新时代甲市组织工作综述\n");
  starts.push_back({split, split + 3});
  const recur::Segmentation seg = recur::segment(text, recur::ParagraphMode::lines, {}, starts);
  ASSERT_EQ(seg.paragraphs.size(), 6u);
  using K = recur::ParagraphKind;
  const std::vector<K> expected = {K::title, K::toc, K::title, K::heading, K::body, K::byline};
  for (std::size_t k = 0; k < expected.size(); ++k)
    EXPECT_EQ(seg.paragraphs[k].kind, expected[k]) << "paragraph " << k + 1;
}
