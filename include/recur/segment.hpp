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

/// A paragraph found by segment(): byte offsets into the decoded text.
struct Span {
  std::size_t begin = 0;      ///< first byte of its first non-space character
  std::size_t end = 0;        ///< one past its last non-space character
  std::uint32_t line = 0;     ///< 1-based line of `begin`
  std::uint32_t line_end = 0; ///< 1-based line of the last byte
  std::uint32_t document = 0; ///< index into Segmentation::documents
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
