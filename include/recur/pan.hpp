#pragma once
/// \file pan.hpp
/// The PAN text-alignment format and its measures (Potthast et al., "An Evaluation Framework for
/// Plagiarism Detection", COLING 2010; the semantics of PAN's pan13-text-alignment-perfmeasures.py).
///
/// A PAN annotation names a span of a suspicious document and a span of a source document, in
/// Unicode code points of the decoded texts (not bytes). Truth files call them "plagiarism" (a
/// case), detectors write "detected-plagiarism" (a detection). One XML file per document pair:
///
///     <document reference="susp.txt">
///     <feature name="detected-plagiarism" this_offset="5" this_length="30"
///              source_reference="src.txt" source_offset="12" source_length="31"/>
///     </document>
///
/// Pure: parsing takes a string, writing takes a stream; listing folders and opening files is the
/// caller's job.
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace recur {

/// The feature name of a case in PAN truth files.
inline constexpr std::string_view kPanCase = "plagiarism";
/// The feature name of a detection in PAN detection files.
inline constexpr std::string_view kPanDetection = "detected-plagiarism";

/// One case or detection: a span of the suspicious document (`this_*`) and a span of the source
/// document (`source_*`). Offsets and lengths count Unicode code points of the decoded text.
struct PanAnnotation {
  std::string name{kPanDetection};  ///< the feature name: kPanCase or kPanDetection
  std::string this_reference;       ///< the suspicious document (the file's `reference`)
  std::uint64_t this_offset = 0, this_length = 0;
  std::string source_reference;
  std::uint64_t source_offset = 0, source_length = 0;
  /// False for an intrinsic annotation (no source_* attributes): only the suspicious side counts,
  /// as in PAN's evaluator.
  bool external = true;
  /// Truth files only: how the passage was obscured (PAN: "none", "random", ...; `recur synth
  /// --passages`: the character edit rate, e.g. "0.06"). Empty when absent; never compared.
  std::string obfuscation;

  /// Equal in the seven values PAN's evaluator compares (not name or obfuscation).
  bool same_span(const PanAnnotation& o) const noexcept;
};

/// The annotations of one PAN XML file (one document pair, or all pairs of a suspicious document).
struct PanDocument {
  std::string reference;  ///< the suspicious document, the root element's `reference`
  std::vector<PanAnnotation> annotations;  ///< in file order; this_reference == reference
};

/// Parses a PAN XML file. Reads the root element's `reference` and its child elements whose `name`
/// is "plagiarism" or "detected-plagiarism"; other features (PAN truth has "about", "language")
/// and other elements are ignored. Attributes may come in any order, in single or double quotes,
/// with XML character references (&amp; &quot; &#x4E00; ...). An XML declaration, comments,
/// processing instructions, a DOCTYPE and a UTF-8 byte-order mark are skipped.
///
/// Throws Error(errc::input) with "line L: what is wrong" for malformed XML (including control
/// characters other than tab and line breaks in attribute values), a missing root
/// `reference`, a feature without this_offset/this_length, only some of the three source_*
/// attributes, or an offset or length that is not a whole number.
PanDocument parse_pan_xml(std::string_view xml);

/// Writes `doc` as PAN XML: an XML declaration, `<document reference="...">`, one `<feature .../>`
/// line per annotation (its name; source_* unless intrinsic; obfuscation when not empty), and
/// `</document>`. Attribute values are escaped (& < > " tab, line feed, carriage return), so
/// parse_pan_xml() gives back the same document. XML cannot hold other control characters: each
/// is written as U+FFFD (parse_pan_xml() refuses them).
void write_pan_xml(std::ostream& out, const PanDocument& doc);

/// `<susp stem>-<src stem>.xml`, the file name of a pair's annotations in PAN's text-alignment
/// task ("suspicious-document00001.txt", "source-document00002.txt" ->
/// "suspicious-document00001-source-document00002.xml"). A stem is the last path component
/// without its last extension.
std::string pan_pair_file_name(std::string_view susp, std::string_view src);

/// The PAN measures of detections against cases.
///
/// A detection *detects* a case when both name the same suspicious document and their suspicious
/// spans overlap and, when both are external, they name the same source document and their source
/// spans overlap.
struct PanScores {
  /// Macro-averaged recall: the mean over cases of the share of the case's characters (suspicious
  /// plus source side) covered by detections that detect it. 1 with no cases and no detections,
  /// 0 when only one of the two is empty.
  double recall = 1;
  /// Macro-averaged precision: the same with the roles of cases and detections swapped.
  double precision = 1;
  /// Mean number of detections per detected case (at least 1); 1 when no case is detected.
  double granularity = 1;
  /// F1 of precision and recall divided by log2(1 + granularity); 0 when both are 0.
  double plagdet = 1;
  /// Micro-averaged recall and precision: characters counted over all documents at once (each
  /// character of a document once, however many annotations cover it), and their plagdet.
  double micro_recall = 1, micro_precision = 1, micro_plagdet = 1;
  std::uint64_t cases = 0;           ///< distinct cases
  std::uint64_t detections = 0;      ///< distinct detections
  std::uint64_t detected_cases = 0;  ///< cases detected by at least one detection
  std::uint64_t true_detections = 0; ///< detections that detect at least one case
};

/// All measures, after collapsing exact duplicates (same_span) in each list, as PAN's evaluator
/// does by reading annotations into a set. A case or detection of length 0 on both sides has no
/// characters to cover: its share counts as 0 (PAN's evaluator divides by zero there).
PanScores pan_scores(const std::vector<PanAnnotation>& cases, const std::vector<PanAnnotation>& detections);

/// F1(recall, precision) / log2(1 + granularity); 0 when recall and precision are both 0, when
/// either is negative, or when granularity < 1 (PAN's plagdet_score).
double plagdet_score(double recall, double precision, double granularity) noexcept;

/// True when `a` and `b` overlap on the suspicious side of the same document and, when both are
/// external, on the source side of the same source document.
bool pan_overlapping(const PanAnnotation& a, const PanAnnotation& b) noexcept;

/// The measures for a subset of the cases (one obfuscation, one length range). Recall and
/// granularity are over the cases of the group; precision is over the detections that detect at
/// least one case of the group, measured against all cases (so a detection that also covers a
/// neighbouring case of another group is not penalised); plagdet combines the three. Detections
/// that detect no case belong to no group: they lower only the overall precision.
struct PanGroupScores {
  std::string label;  ///< the obfuscation, or the length range ("30-99")
  PanScores scores;
};

/// The measures grouped by the cases' `obfuscation` (sorted by label, numerically when both labels
/// are numbers), after collapsing duplicates as pan_scores() does.
std::vector<PanGroupScores> pan_scores_by_obfuscation(const std::vector<PanAnnotation>& cases,
                                                      const std::vector<PanAnnotation>& detections);

/// The measures grouped by the length of the cases' suspicious side, in ranges starting at each of
/// `bounds` (ascending; the last range is open: {0, 30, 100} gives "0-29", "30-99", "100+"). Empty
/// ranges are left out.
std::vector<PanGroupScores> pan_scores_by_length(const std::vector<PanAnnotation>& cases,
                                                 const std::vector<PanAnnotation>& detections,
                                                 const std::vector<std::uint64_t>& bounds);

}  // namespace recur
