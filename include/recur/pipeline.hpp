#pragma once
/// \file pipeline.hpp
/// `recur report` as a library call: reads the inputs and runs every stage
/// (decode, strip, segment, normalise, shingle, sign, band, verify, cluster) on all cores.
///
/// Paragraph ids come from input order (sorted paths, then position in the file), never from
/// timing, and stages exchange plain records, so the same stages can later run sharded across
/// processes.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "recur/encoding.hpp"
#include "recur/lsh.hpp"
#include "recur/minhash.hpp"
#include "recur/phrases.hpp"
#include "recur/report.hpp"
#include "recur/segment.hpp"
#include "recur/shingle.hpp"
#include "recur/text.hpp"

namespace recur {

/// Options of every command that reads a corpus: which files, how to decode, normalise and split.
struct InputOptions {
  std::string glob = "*.txt";            ///< --glob: file-name pattern when searching directories
  std::string stdin_name = "-";          ///< --stdin-name: the name standard input ("-") is reported under
  DecodeOptions decode;                  ///< --encoding
  NormalizeOptions normalize;            ///< --simplify
  std::vector<std::string> strip;        ///< --strip REGEX (repeatable): markers removed before matching
  std::string doc_split;                 ///< --doc-split REGEX: a matching line starts a document
  ParagraphMode paragraphs = ParagraphMode::automatic;  ///< --paragraphs

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// Every option of `recur report`, with its default.
struct ReportOptions {
  InputOptions input;                    ///< what to read and how
  unsigned min_chars = 10;               ///< --min-chars: shorter paragraphs are counted, not indexed
  ShingleOptions shingle;                ///< --shingle
  MinHashOptions minhash;                ///< --perms, --seed
  LshOptions lsh;                        ///< --threshold, --bands, --rows
  bool verify = true;                    ///< --no-verify: report the MinHash estimate instead
  unsigned threads = 0;                  ///< --threads: 0 = all cores
  /// Buckets with more paragraphs than this contribute only pairs with their first paragraph, so
  /// thousands of copies of one boilerplate line cost linear, not quadratic, time (default 1000).
  std::size_t max_bucket = 1000;

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// What `recur phrases` looks for.
enum class PhraseUnit {
  span,     ///< maximal recurring spans of text (suffix array)
  sentence  ///< whole sentences (ICU sentence break), exactly or as near-variants
};

/// Every option of `recur phrases`, with its default.
struct PhrasesOptions {
  InputOptions input;                    ///< what to read and how
  PhraseUnit unit = PhraseUnit::span;    ///< --unit span|sentence
  unsigned min_chars = 10;               ///< --min-chars: shortest phrase, in content characters
  unsigned min_docs = 3;                 ///< --min-docs: fewest distinct documents
  /// --variants: texts whose edit distance is at most this fraction of the longer one (at least
  /// one edit) are variants of one template (default 0.1: 一座堡垒 / 一个堡垒 in an 18-character
  /// slogan); 0 turns grouping off.
  double variant_tolerance = 0.1;
  std::vector<std::string> exclude;      ///< --exclude FILE: stock phrases (one per line) to leave out
  unsigned threads = 0;                  ///< --threads: 0 = all cores
  /// Caps on work and output for degenerate input (see PhraseLimits); what they cut is reported.
  PhraseLimits limits;

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// What a progress callback is told.
struct Progress {
  const char* stage = "";      ///< "reading", "candidates", "verifying", "clustering", "writing"
  std::uint64_t done = 0;      ///< units done (bytes while reading, pairs while verifying, ...)
  std::uint64_t total = 0;     ///< units in all, 0 when unknown
};

/// Called about four times a second from a helper thread while the run goes on.
using ProgressFn = std::function<void(const Progress&)>;
/// Called once per warning (a file skipped, an encoding guessed), from the calling thread, in
/// input order.
using WarnFn = std::function<void(const std::string&)>;

/// The number of threads `threads` means (0 = hardware concurrency, at least 1).
unsigned effective_threads(unsigned threads) noexcept;

/// Runs the whole report over `inputs` (files or directories). Throws Error(errc::usage) for
/// invalid options; bad input files are reported in Report::skipped, never thrown.
Report run_report(const std::vector<std::string>& inputs, const ReportOptions& options,
                  const ProgressFn& progress = {}, const WarnFn& warn = {});

/// The same over inputs already listed (find_inputs()), e.g. after the caller has checked them
/// against its output path; `list.problems` become skipped entries.
Report run_report(InputList list, const ReportOptions& options, const ProgressFn& progress = {},
                  const WarnFn& warn = {});

/// The "options" object of the JSON report: every effective option.
nlohmann::ordered_json options_json(const ReportOptions& options, LshParams params, unsigned threads);

/// Runs `recur phrases` over `inputs` (files or directories). Throws Error(errc::usage) for
/// invalid options and Error(errc::input) when the corpus is too large or too repetitive for the
/// suffix array; bad input files are reported in PhrasesReport::skipped.
PhrasesReport run_phrases(const std::vector<std::string>& inputs, const PhrasesOptions& options,
                          const ProgressFn& progress = {}, const WarnFn& warn = {});

/// The same over inputs already listed (find_inputs()).
PhrasesReport run_phrases(InputList list, const PhrasesOptions& options, const ProgressFn& progress = {},
                          const WarnFn& warn = {});

/// The "options" object of the phrases JSON: every effective option.
nlohmann::ordered_json options_json(const PhrasesOptions& options, unsigned threads);

/// recur's version, "MAJOR.MINOR.PATCH".
const char* version() noexcept;

}  // namespace recur
