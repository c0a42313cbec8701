#pragma once
/// \file compare.hpp
/// `recur compare` as stages: each text is scanned and tokenised (prepare_text), the two are
/// aligned (align.hpp), and each passage is located in the original files (locate_span).
/// Known template text (--base) is aligned with each side first; passages found in it are
/// marked as templates and not counted in coverage.
///
/// Core: reads only through the Source. The archive query (issue "Audit reused wording") composes
/// the same stages.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recur/align.hpp"
#include "recur/input_options.hpp"
#include "recur/report.hpp"
#include "recur/scan.hpp"
#include "recur/source.hpp"

namespace recur {

/// Every option of `recur compare`.
struct CompareOptions {
  InputOptions input;  ///< what to read and how, as for `recur report`
  AlignOptions align;  ///< how passages are found
  /// A passage counts as a template when at least this share of its tokens, in either text, lies
  /// in passages shared with a --base text (default 0.5).
  double template_share = 0.5;

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// One text to compare: input `input` of a source, whole or one document (0-based; -1 = whole).
struct TextRef {
  std::size_t input = 0;
  std::int64_t document = -1;
};

/// A text ready to align: scanned, tokenised, with what locating a span needs.
struct PreparedText {
  std::string path;                  ///< the source's name for it
  std::string document;              ///< its document name (--doc-split line), or the path
  std::uint32_t document_index = 0;  ///< 1-based, 0 for a whole file
  ScannedFile file;
  TokenText tokens;
  std::uint64_t chars = 0;           ///< code points of the text (the document's range, or the file)
  std::vector<std::size_t> newlines; ///< decoded offsets of '\n', for line numbers
  std::vector<std::uint64_t> cp_index;  ///< code points before every 4096th decoded byte

  /// Code points of the decoded text before decoded offset `pos`.
  std::uint64_t code_points_before(std::size_t pos) const;
  /// 1-based line of decoded offset `pos`.
  std::uint32_t line_of(std::size_t pos) const;
};

/// Scans and tokenises `ref` of `source`. Not ok when the input cannot be used; Error(errc::usage)
/// when the document does not exist.
Status prepare_text(const Source& source, TextRef ref, const ScanSettings& scan, Normalizer& normalizer,
                    PreparedText& out);

/// Where tokens `span` of `text` are in the original file: bytes, lines, code points, text.
PassageSpan locate_span(const PreparedText& text, TokenSpan span);

/// The token spans of `text` found in any of `bases` (template text), merged.
std::vector<TokenSpan> template_spans(const PreparedText& text, const std::vector<PreparedText>& bases,
                                      const AlignOptions& options);

/// Whether at least `share` of `span`'s tokens lie in `templates` (sorted, merged).
bool mostly_template(TokenSpan span, const std::vector<TokenSpan>& templates, double share);

/// Compares texts `a` and `b` of `source`; the inputs of `bases`, when given, are template text.
/// Throws Error(errc::input) naming the text when one cannot be read or decoded.
CompareReport run_compare(const Source& source, TextRef a, TextRef b, const CompareOptions& options,
                          const Source* bases = nullptr);

/// The "options" object of the compare JSON.
nlohmann::ordered_json options_json(const CompareOptions& options, std::size_t bases);

}  // namespace recur
