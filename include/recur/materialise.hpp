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

struct MemberFacts;

/// The report clusters of `clusters` (ids 1.., representative first), members' texts read back
/// input by input on `threads` threads. An input that cannot be read back keeps its members with
/// empty texts, and `problems[input]` says why. `facts`, when given, receives every member's facts
/// (with the input it was read from), cluster after cluster: what finish_report (pipeline.hpp)
/// orders by, found here without looking the members' paths up again.
std::vector<ReportCluster> materialise(const Source& source, const ParagraphIndex& index,
                                       std::span<const Cluster> clusters, const DecodeOptions& decode,
                                       unsigned threads, std::vector<Status>& problems,
                                       std::vector<MemberFacts>* facts = nullptr);

/// Reused content characters of a cluster: its members' content characters less the
/// representative's (ReportCluster::weight).
std::uint64_t cluster_weight(const ReportCluster& cluster);

/// One clustered paragraph as the report's order sees it: a fixed-size record, so that the ranks
/// of an MPI run (mpi.hpp) send these to rank 0 instead of the members.
struct MemberFacts {
  std::uint32_t cluster = 0;         ///< its cluster's index in clustering order
  std::uint32_t member = 0;          ///< its place in the cluster (0: the representative)
  std::uint32_t input = 0;           ///< its input (the Source's number)
  std::uint32_t document_index = 0;  ///< 1-based document within the input
  std::uint64_t content_chars = 0;   ///< Member::content_chars
};

/// What finish_report (pipeline.hpp) decides about the clusters, from their members' facts alone.
struct ReportOrder {
  std::vector<std::uint32_t> clusters;     ///< the clusters kept, in report order (indices in clustering order)
  std::size_t single_document = 0;         ///< clusters left out by --cross-doc
  std::uint64_t clustered_paragraphs = 0;  ///< members of the clusters kept
  std::vector<DocumentPair> documents;     ///< pairs of documents sharing clusters, most shared characters first
};

/// Orders `clusters` clusters whose members are `facts` (any order; every member of every
/// cluster once):
/// - with `cross_doc`, leaves out the clusters whose members all come from one document (the
///   documents of a compilation split by --doc-split count separately);
/// - orders the others (weight: by weight desc, then size desc; size: by size desc, then weight
///   desc; ties keep their order, which is the clustering's: representative in input order). The
///   weight is the members' content characters less the representative's (ReportCluster::weight);
/// - gives the pairs of documents that share clusters, with each one's paragraphs and content
///   characters in clusters shared with the other and their share of its content characters.
/// Inputs are known by name, as the report shows them: inputs of equal names count as the first.
/// `document_chars(input)` gives the content characters of the input's documents
/// (FileIndex::document_chars); `document_name(input, document_index)` the name Member::document
/// has (asked only for documents in a pair).
ReportOrder order_report(std::size_t clusters, std::span<const MemberFacts> facts, const Source& source,
                         bool cross_doc, ClusterOrder order,
                         const std::function<const std::vector<std::uint64_t>&(std::size_t)>& document_chars,
                         const std::function<std::string(std::uint32_t, std::uint32_t)>& document_name);

/// Adds "NAME: message" for every input whose status is not ok to `warnings`, and tells `warn`.
void report_problems(const Source& source, std::span<const Status> problems, std::vector<std::string>& warnings,
                     const WarnFn& warn);

}  // namespace recur
