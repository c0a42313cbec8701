#pragma once
/// \file segment.hpp
/// Splitting decoded text into documents and paragraphs, and paragraphs into sentences. Pure:
/// works on a string and ranges found beforehand (markers to strip, lines that start documents).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recur/text.hpp"

namespace recur {

/// How lines become paragraphs.
enum class ParagraphMode {
  /// Per file: `indent` when at least 10% of its non-empty lines start with indentation
  /// (the file marks paragraphs by indenting them, so unindented lines may be wrapped
  /// continuations), else `lines`.
  automatic,
  /// A line starts a paragraph when it is indented, follows an empty line, follows a line
  /// ending in sentence-final punctuation (。！？；：.!?;: possibly inside closing quotes),
  /// follows a heading (一、 （一） 1. ... at most 40 characters) or a short line (under 20
  /// characters, such as a title), or starts a document. Other lines continue the paragraph
  /// they follow (a wrapped paragraph, as in a PDF extraction).
  indent,
  /// One paragraph per non-empty line.
  lines
};

/// Parses "auto", "indent" or "lines"; throws Error(errc::usage) otherwise.
ParagraphMode parse_paragraph_mode(const std::string& name);
/// "auto", "indent" or "lines".
const char* to_string(ParagraphMode mode) noexcept;

/// What a paragraph is, by its shape (classify_paragraph()). `recur report` clusters only body
/// paragraphs by default: titles, headings, table-of-contents entries and bylines recur in every
/// report without being reused wording.
enum class ParagraphKind : std::uint8_t {
  body,     ///< running text
  title,    ///< a document's title line, or a short line without sentence punctuation
  heading,  ///< a numbered heading: 一、 （一） (1) 1. 1、 第一章 ①, at most 40 characters
  toc,      ///< a table-of-contents entry: one line ending in white space or dots and a page number
  byline,   ///< a signature, unit or date line: 中共某市委常委、组织部部长  某某 / 2023年5月12日
};
/// The number of kinds, for arrays indexed by kind.
inline constexpr std::size_t kParagraphKinds = 5;
/// "body", "title", "heading", "toc", "byline".
const char* to_string(ParagraphKind kind) noexcept;

/// The kind of the paragraph `text` (its trimmed text; `starts_document` when a --doc-split line
/// starts it). Rules, first match wins:
///  1. more than 60 characters: body;
///  2. one line ending in white space or leader dots and a page number of 1-4 digits: toc;
///  3. a heading number at its start (一、 （一） (1) 1. 1、 第一章 ①) and at most 40 characters: heading;
///  4. a comma, full stop, semicolon, question or exclamation mark inside it (a sentence): body;
///  5. the line of a --doc-split match: title;
///  6. only a date (digits or Chinese numerals with 年月日): byline;
///  7. a word of document titles (总结 综述 报告 讲话 汇报 经验 材料 发言 意见 方案 通知 纪实 侧记 调研): title;
///  8. a rank or unit word (书记 部长 主任 市长 县长 区长 局长 常委 委员 主席 处长 科长 组织部 宣传部
///     统战部 办公室 党委 党组 作者 来源 供稿 撰稿 执笔 记者 通讯员): byline;
///  9. at most 40 characters not ending a sentence: title;
/// 10. otherwise body.
ParagraphKind classify_paragraph(std::string_view text, bool starts_document) noexcept;

/// A paragraph found by segment(): byte offsets into the decoded text.
struct Span {
  std::size_t begin = 0;      ///< first byte of its first non-space character
  std::size_t end = 0;        ///< one past its last non-space character
  std::uint32_t line = 0;     ///< 1-based line of `begin`
  std::uint32_t line_end = 0; ///< 1-based line of the last byte
  std::uint32_t document = 0; ///< index into Segmentation::documents
  ParagraphKind kind = ParagraphKind::body;  ///< classify_paragraph() of its text
};

/// A document: the whole file, or the part starting at a line matched by --doc-split.
struct DocumentInfo {
  std::string name;        ///< the matching line (trimmed), or empty for the whole file / preamble
  std::uint32_t line = 1;  ///< 1-based line where it starts
};

/// The name reports give a document: its --doc-split line, or `path` for a whole file (and for
/// the preamble before a compilation's first split line).
inline const std::string& document_name(const DocumentInfo& doc, const std::string& path) noexcept {
  return doc.name.empty() ? path : doc.name;
}

/// The result of segment().
struct Segmentation {
  std::vector<DocumentInfo> documents;
  std::vector<Span> paragraphs;
  ParagraphMode mode = ParagraphMode::lines;  ///< the mode actually used (never automatic)
};

/// Splits `text` (decoded UTF-8) into documents and paragraphs.
/// `stripped`: sorted byte ranges to ignore when judging indentation, punctuation and emptiness
/// (markers the user strips). `doc_starts`: sorted byte ranges of --doc-split matches; a line that
/// contains the start of one starts a new document. Lines end at '\n'; a trailing '\r' is space.
Segmentation segment(std::string_view text, ParagraphMode mode, std::span<const Range> stripped,
                     std::span<const Range> doc_starts);

/// Splits text into sentences by ICU's sentence break rules for the root locale: a sentence ends
/// after 。！？ or . ! ? (with the closing quotes and spaces that follow), so 一是……；二是…… stays
/// one sentence. Holds an ICU break iterator, so make one per thread; reusing it across texts
/// avoids building the iterator each time.
class SentenceSplitter {
 public:
  /// Throws Error(errc::internal) when ICU has no sentence break data.
  SentenceSplitter();
  ~SentenceSplitter();
  SentenceSplitter(const SentenceSplitter&) = delete;
  SentenceSplitter& operator=(const SentenceSplitter&) = delete;

  /// Byte offsets in `text` (valid UTF-8) where its sentences end, increasing, written to `ends`
  /// (replaced): sentence k is [ends[k-1], ends[k]) with ends[-1] = 0. The last end is text.size();
  /// empty text has no sentences.
  void split(std::string_view text, std::vector<std::size_t>& ends);
  /// split() into a new vector.
  std::vector<std::size_t> split(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace recur
