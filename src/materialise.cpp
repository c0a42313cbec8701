// Clusters of ids to located report members.
#include "recur/materialise.hpp"

#include "parallel.hpp"

namespace recur {

Member make_member(const std::string& name, const FileIndex& file, const ParagraphRecord& p, double similarity,
                   std::string text) {
  Member out;
  out.path = name;
  out.document = document_name(file.documents[p.document], name);
  out.document_index = p.document + 1;
  out.paragraph = p.number;
  out.line = p.line;
  out.line_end = p.line_end;
  out.byte_start = p.obegin;
  out.byte_end = p.oend;
  out.similarity = similarity;
  out.text = std::move(text);
  return out;
}

std::vector<ReportCluster> materialise(const Source& source, const ParagraphIndex& index,
                                       std::span<const Cluster> clusters, const DecodeOptions& decode,
                                       unsigned threads, std::vector<Status>& problems) {
  // (cluster, member) by input, so that each input is read back once.
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> by_input(index.inputs());
  for (std::uint32_t c = 0; c < clusters.size(); ++c)
    for (std::uint32_t m = 0; m < clusters[c].members.size(); ++m)
      by_input[index.input_of(clusters[c].members[m].item)].emplace_back(c, m);
  std::vector<ReportCluster> out(clusters.size());
  for (std::uint32_t c = 0; c < clusters.size(); ++c) {
    out[c].id = c + 1;
    out[c].representative = 0;
    out[c].members.resize(clusters[c].members.size());
  }
  problems.assign(index.inputs(), {});
  detail::parallel_for(index.inputs(), threads, [&](std::size_t fi, unsigned) {
    if (by_input[fi].empty()) return;
    std::vector<const ParagraphRecord*> paras;
    for (auto [c, m] : by_input[fi]) paras.push_back(&index.record(clusters[c].members[m].item));
    std::vector<std::string> texts;
    problems[fi] = read_paragraphs(source, fi, index.file(fi), decode, paras, texts);
    for (std::size_t k = 0; k < paras.size(); ++k) {
      auto [c, m] = by_input[fi][k];
      out[c].members[m] =
          make_member(source.name(fi), index.file(fi), *paras[k], clusters[c].members[m].similarity, std::move(texts[k]));
    }
  });
  return out;
}

void report_problems(const Source& source, std::span<const Status> problems, std::vector<std::string>& warnings,
                     const WarnFn& warn) {
  for (std::size_t i = 0; i < problems.size(); ++i)
    if (!problems[i].ok()) {
      std::string msg = source.name(i) + ": " + problems[i].message();
      if (warn) warn(msg);
      warnings.push_back(std::move(msg));
    }
}

}  // namespace recur
