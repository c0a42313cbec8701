#pragma once
/// \file scan.hpp
/// The first stage of every command: one input from a Source up to paragraphs. Read, decode,
/// find the --strip markers and --doc-split lines, segment. Then the accounting every command
/// shares: each input is either read or skipped (with a code), never lost.
///
///   Source --scan_file--> ScannedFile --outcome()--> FileOutcome --summarise--> CorpusSummary
///
/// Core: reads only through the Source.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "recur/encoding.hpp"
#include "recur/input_options.hpp"
#include "recur/segment.hpp"
#include "recur/source.hpp"
#include "recur/status.hpp"
#include "recur/text.hpp"

namespace recur {

/// The input options of a run, with their regular expressions compiled once (the constructor
/// throws Error(errc::usage) for an invalid one). Shared read-only by all threads.
class ScanSettings {
 public:
  explicit ScanSettings(const InputOptions& options);

  const InputOptions& options() const noexcept { return options_; }
  const std::vector<Pattern>& strip() const noexcept { return strip_; }
  const Pattern* doc_split() const noexcept { return doc_split_ ? &*doc_split_ : nullptr; }

 private:
  InputOptions options_;
  std::vector<Pattern> strip_;
  std::optional<Pattern> doc_split_;
};

/// What every command needs to know of one input after scanning it, kept when its text is gone:
/// enough to account for it in the statistics and the skip list.
struct FileOutcome {
  Status status;                 ///< why it was skipped, when not ok
  std::string note;              ///< a warning when ok (encoding guessed, bytes replaced, no text)
  std::uint64_t bytes = 0;       ///< size read
  std::uint64_t documents = 0;   ///< documents (--doc-split) in it
  std::uint64_t paragraphs = 0;  ///< paragraphs in it
  double seconds_read = 0;       ///< reading and decoding
  double seconds_segment = 0;    ///< finding markers and segmenting
};

/// One input, decoded and segmented.
struct ScannedFile {
  FileOutcome outcome;
  FileStamp stamp;               ///< to notice a change before the input is read again
  Decoded decoded;               ///< text and the map back to original bytes
  std::vector<Range> stripped;   ///< --strip matches, decoded offsets, sorted and merged
  Segmentation seg;              ///< documents and paragraphs, decoded offsets

  bool ok() const noexcept { return outcome.status.ok(); }
};

/// Scans input `i` of `source`. Never throws for bad input: an input that cannot be read,
/// decoded or matched comes back with a status that is not ok.
///
/// `buffer`, when given, lends its memory for reading (it is left empty): a caller that scans
/// many inputs moves `decoded.text` back into it when done with one, so inputs are read without a
/// new allocation, and new pages, each time.
ScannedFile scan_file(const Source& source, std::size_t i, const ScanSettings& settings,
                      std::string* buffer = nullptr);

/// Counts over the inputs of a run, the same for every command. Every input is either read or
/// skipped: files == files_read + files_skipped.
struct CorpusStats {
  std::uint64_t files = 0, files_read = 0, files_skipped = 0, documents = 0, paragraphs = 0, bytes = 0;
};

/// The accounting of a run's inputs.
struct CorpusSummary {
  CorpusStats stats;
  std::vector<Skipped> skipped;       ///< the source's problems and the inputs not ok, by name
  std::vector<std::string> warnings;  ///< "NAME: note", in input order
};

/// Accounts for every input: `outcomes[i]` is the outcome of input `i` of `source`.
CorpusSummary summarise(const Source& source, std::span<const FileOutcome> outcomes);

/// Passes a summary's skipped inputs ("skipped NAME: REASON") and warnings to `warn`, in order.
void announce(const CorpusSummary& summary, const std::function<void(const std::string&)>& warn);

/// What every command does once its inputs are read: summarise() them, copy the counts into
/// `report.stats` (a CorpusStats or a struct derived from it), announce() the skipped inputs and
/// warnings, and move them into `report.skipped` and `report.warnings`.
template <class R>
void account_inputs(const Source& source, std::span<const FileOutcome> outcomes, R& report,
                    const std::function<void(const std::string&)>& warn) {
  CorpusSummary summary = summarise(source, outcomes);
  static_cast<CorpusStats&>(report.stats) = summary.stats;
  announce(summary, warn);
  report.skipped = std::move(summary.skipped);
  report.warnings = std::move(summary.warnings);
}

/// Sorted, merged union of ranges.
std::vector<Range> merge_ranges(std::vector<Range> ranges);

/// Normalises `span`, the decoded text that starts at decoded offset `begin`, leaving out the
/// parts of it that sorted `stripped` covers. `removed` is scratch; `map` leads back to offsets
/// within `span`. The one way every stage normalises a paragraph, so that indexing, verification
/// and phrase location see the same text.
void normalize_span(Normalizer& normalizer, std::string_view span, std::size_t begin,
                    const std::vector<Range>& stripped, std::vector<Range>& removed, std::string& out,
                    OffsetMap& map);

}  // namespace recur
