#pragma once
// Reading one input file up to paragraphs (internal): read, decode, find --strip markers and
// --doc-split lines, segment. Shared by `recur report` and `recur phrases`.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "recur/corpus.hpp"
#include "recur/options.hpp"
#include "recur/pipeline.hpp"  // Progress, ProgressFn (the Ticker)
#include "recur/encoding.hpp"
#include "recur/segment.hpp"
#include "recur/text.hpp"

namespace recur::detail {

/// What load_file() needs from the command's options.
struct LoadSettings {
  DecodeOptions decode;
  ParagraphMode paragraphs = ParagraphMode::automatic;
  const std::vector<Pattern>* strip = nullptr;  ///< may be null
  const Pattern* doc_split = nullptr;           ///< may be null
};

/// The regular expressions of InputOptions, compiled once per run (throws Error(errc::usage) for
/// an invalid one).
struct CompiledInput {
  explicit CompiledInput(const InputOptions& options);
  LoadSettings settings() const;

  const InputOptions& options;
  std::vector<Pattern> strip;
  std::optional<Pattern> doc_split;
};

/// Adds the InputOptions to a JSON "options" object.
void input_options_json(const InputOptions& options, nlohmann::ordered_json& out);

/// One file, decoded and segmented; `ok` false with `reason` when it must be skipped.
struct LoadedFile {
  bool ok = false;
  std::string reason;       ///< why it was skipped
  std::string note;         ///< a warning when ok (encoding guessed, bytes replaced, no text)
  std::uint64_t bytes = 0;  ///< size read
  FileStamp stamp;          ///< to notice changes if the file is read again
  Decoded decoded;
  std::vector<Range> stripped;  ///< --strip matches, decoded offsets, sorted and merged
  Segmentation seg;
  double seconds_read = 0, seconds_segment = 0;
};

/// `buffer`, when given, lends its memory for reading the file (it is left empty): a caller that
/// reads many files moves `decoded.text` back into it when done, so files are read without a new
/// allocation, and new pages, each time.
LoadedFile load_file(const InputFile& input, const LoadSettings& settings, std::string* buffer = nullptr);

/// Sorted, merged union of ranges.
std::vector<Range> merge_ranges(std::vector<Range> ranges);

/// Normalises `span`, the decoded text that starts at decoded offset `begin`, leaving out the
/// parts of it that sorted `stripped` covers. `removed` is scratch; `map` leads back to offsets
/// within `span`. The one way every pipeline normalises a paragraph.
void normalize_span(Normalizer& normalizer, std::string_view span, std::size_t begin,
                    const std::vector<Range>& stripped, std::vector<Range>& removed, std::string& out,
                    OffsetMap& map);

/// Calls `progress` with `sample()` four times a second on a helper thread until destroyed.
class Ticker {
 public:
  Ticker(const ProgressFn& progress, std::function<Progress()> sample) {
    if (!progress) return;
    thread_ = std::thread([this, progress, sample = std::move(sample)] {
      std::unique_lock lock(mutex_);
      while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return finished_; })) progress(sample());
    });
  }
  ~Ticker() {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace recur::detail
