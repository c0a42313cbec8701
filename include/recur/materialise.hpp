#pragma once
/// \file materialise.hpp
/// The last stage of `recur report`: clusters of paragraph ids become report clusters whose
/// members are located in the user's original files (path, document, paragraph, lines, original
/// byte offsets) and carry their text, read back through the Source.
///
/// Core: reads only through the Source.
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "recur/cluster.hpp"
#include "recur/index.hpp"
#include "recur/report.hpp"

namespace recur {

/// The report member for paragraph `record` of input `name` (indexed as `file`). `text` is taken
/// as its text; ill-formed UTF-8 in it (never expected: texts are read back decoded) is replaced by
/// U+FFFD, so that Member::text is always well-formed.
Member make_member(const std::string& name, const FileIndex& file, const ParagraphRecord& record, double similarity,
                   std::string text);

/// The report clusters of `clusters` (ids 1.., representative first), members' texts read back
/// input by input on `threads` threads. An input that cannot be read back keeps its members with
/// empty texts, and `problems[input]` says why.
std::vector<ReportCluster> materialise(const Source& source, const ParagraphIndex& index,
                                       std::span<const Cluster> clusters, const DecodeOptions& decode,
                                       unsigned threads, std::vector<Status>& problems);

/// Reused content characters of a cluster: its members' content characters less the
/// representative's (ReportCluster::weight).
std::uint64_t cluster_weight(const ReportCluster& cluster);

/// Orders `clusters` (weight: by weight desc, then size desc; size: by size desc, then weight desc;
/// ties keep their order, which is the clustering's: representative in input order) and numbers
/// them 1.. in that order.
void rank_clusters(std::vector<ReportCluster>& clusters, ClusterOrder order);

/// Leaves out the clusters whose members all come from one document (the documents of a
/// compilation split by --doc-split count separately); returns how many were left out.
std::size_t keep_cross_document(std::vector<ReportCluster>& clusters);

/// The pairs of documents that share clusters, with each one's paragraphs and content characters
/// in clusters shared with the other and their share of its content characters.
/// `document_chars(path, document_index)` gives a document's content characters.
std::vector<DocumentPair> document_pairs(
    const std::vector<ReportCluster>& clusters,
    const std::function<std::uint64_t(const std::string&, std::uint32_t)>& document_chars);

/// Adds "NAME: message" for every input whose status is not ok to `warnings`, and tells `warn`.
void report_problems(const Source& source, std::span<const Status> problems, std::vector<std::string>& warnings,
                     const WarnFn& warn);

}  // namespace recur
