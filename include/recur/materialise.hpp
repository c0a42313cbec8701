#pragma once
/// \file materialise.hpp
/// The last stage of `recur report`: clusters of paragraph ids become report clusters whose
/// members are located in the user's original files (path, document, paragraph, lines, original
/// byte offsets) and carry their text, read back through the Source.
///
/// Core: reads only through the Source.
#include <span>
#include <string>
#include <vector>

#include "recur/cluster.hpp"
#include "recur/index.hpp"
#include "recur/report.hpp"

namespace recur {

/// The report member for paragraph `record` of input `name` (indexed as `file`).
Member make_member(const std::string& name, const FileIndex& file, const ParagraphRecord& record, double similarity,
                   std::string text);

/// The report clusters of `clusters` (ids 1.., representative first), members' texts read back
/// input by input on `threads` threads. An input that cannot be read back keeps its members with
/// empty texts, and `problems[input]` says why.
std::vector<ReportCluster> materialise(const Source& source, const ParagraphIndex& index,
                                       std::span<const Cluster> clusters, const DecodeOptions& decode,
                                       unsigned threads, std::vector<Status>& problems);

/// Adds "NAME: message" for every input whose status is not ok to `warnings`, and tells `warn`.
void report_problems(const Source& source, std::span<const Status> problems, std::vector<std::string>& warnings,
                     const WarnFn& warn);

}  // namespace recur
