#pragma once
/// \file pipeline.hpp
/// The commands as library calls over a Source: each run is a short composition of the stages
/// (scan.hpp, index.hpp, lsh.hpp, verify.hpp, cluster.hpp, materialise.hpp for `recur report`;
/// scan.hpp, segment.hpp, phrases.hpp for `recur phrases`). docs/ARCHITECTURE.md draws the flow.
///
/// Core: inputs are read only through the Source. For files and directories, see run.hpp.
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "recur/lsh.hpp"
#include "recur/options.hpp"
#include "recur/progress.hpp"
#include "recur/report.hpp"
#include "recur/source.hpp"
#include "recur/spill.hpp"

namespace recur {

struct MemberFacts;

/// Runs `recur report` over the inputs of `source` on `options.threads` threads. Throws
/// Error(errc::usage) for invalid options; inputs that cannot be used are reported in
/// Report::skipped, never thrown. The report depends only on the inputs and the options, not on the
/// thread count (apart from stats.seconds and options.threads), nor on `spill`: given one, the
/// index stage keeps the paragraphs' shingle values there and the verify stage reads them back
/// (spill.hpp); without one, the verify stage reads the paragraphs back from the inputs and
/// shingles them again.
Report run_report(const Source& source, const ReportOptions& options, const ProgressFn& progress = {},
                  const WarnFn& warn = {}, Spill* spill = nullptr);

/// The "options" object of the JSON report: every effective option.
nlohmann::ordered_json options_json(const ReportOptions& options, LshParams params, unsigned threads);

/// The last steps of run_report once the clusters are materialised (ids in clustering order):
/// --cross-doc, the order (--sort), the cluster counts and the pairs of documents.
/// `facts` are the members' (materialise's, cluster after cluster, each with the input it was read
/// from); `document_chars(input)` gives the content characters of the input's documents
/// (FileIndex::document_chars) and `document_name(input, document_index)` Member::document of that
/// input's document. Inputs of equal names count as one (order_report). The members' paths are not
/// looked up: on dense 1 GiB, hashing 1.7 M of them and a map of their documents took 0.3 s.
void finish_report(Report& report, const Source& source, const ReportOptions& options, std::span<const MemberFacts> facts,
                   const std::function<const std::vector<std::uint64_t>&(std::size_t)>& document_chars,
                   const std::function<std::string(std::uint32_t, std::uint32_t)>& document_name);

/// What a phrases run worked on besides its report: the read text, the candidates, the templates
/// and the located forms. On a large corpus they are millions of small blocks, and destroying them
/// took about 2 s of dense 1 GiB's run, on one thread, after the last stage.
struct PhrasesWork;
struct PhrasesWorkDeleter {
  void operator()(PhrasesWork* work) const noexcept;
};
using PhrasesWorkPtr = std::unique_ptr<PhrasesWork, PhrasesWorkDeleter>;

/// Runs `recur phrases` over the inputs of `source`. Throws Error(errc::usage) for invalid options
/// and Error(errc::input) when the corpus is too large or too repetitive for the suffix array;
/// inputs that cannot be used are reported in PhrasesReport::skipped. The run's work is destroyed
/// before it returns, unless `keep` is given: then it is moved there, for a caller about to exit
/// to leave to the kernel (the CLI's free_at_exit).
PhrasesReport run_phrases(const Source& source, const PhrasesOptions& options, const ProgressFn& progress = {},
                          const WarnFn& warn = {}, PhrasesWorkPtr* keep = nullptr);

/// The "options" object of the phrases JSON: every effective option.
nlohmann::ordered_json options_json(const PhrasesOptions& options, unsigned threads);

}  // namespace recur
