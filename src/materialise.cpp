// Clusters of ids to located report members.
#include "recur/materialise.hpp"

#include <algorithm>
#include <map>

#include "parallel.hpp"
#include "recur/error.hpp"
#include "recur/phrases.hpp"  // is_content_char

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
  out.kind = p.kind;
  for (std::size_t i = 0; i < out.text.size();) out.content_chars += is_content_char(next_code_point(out.text, i));
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
  for (ReportCluster& c : out) c.weight = cluster_weight(c);
  return out;
}

std::uint64_t cluster_weight(const ReportCluster& c) {
  std::uint64_t total = 0;
  for (const Member& m : c.members) total += m.content_chars;
  return total - c.members[c.representative].content_chars;
}

void rank_clusters(std::vector<ReportCluster>& clusters, ClusterOrder order) {
  std::stable_sort(clusters.begin(), clusters.end(), [order](const ReportCluster& x, const ReportCluster& y) {
    if (order == ClusterOrder::weight) {
      if (x.weight != y.weight) return x.weight > y.weight;
      return x.members.size() > y.members.size();
    }
    if (x.members.size() != y.members.size()) return x.members.size() > y.members.size();
    return x.weight > y.weight;
  });
  for (std::size_t k = 0; k < clusters.size(); ++k) clusters[k].id = static_cast<std::uint32_t>(k + 1);
}

std::size_t keep_cross_document(std::vector<ReportCluster>& clusters) {
  const std::size_t before = clusters.size();
  std::erase_if(clusters, [](const ReportCluster& c) {
    return std::all_of(c.members.begin(), c.members.end(), [&](const Member& m) {
      return m.path == c.members[0].path && m.document_index == c.members[0].document_index;
    });
  });
  return before - clusters.size();
}

std::vector<DocumentPair> document_pairs(
    const std::vector<ReportCluster>& clusters,
    const std::function<std::uint64_t(const std::string&, std::uint32_t)>& document_chars) {
  using Key = std::pair<std::string, std::uint32_t>;  // (path, document_index): input order
  struct Side {
    std::uint64_t paragraphs = 0, chars = 0;
  };
  std::map<std::pair<Key, Key>, std::pair<Side, Side>> shared;
  std::map<Key, std::string> names;
  for (const ReportCluster& c : clusters) {
    std::map<Key, Side> by_doc;
    for (const Member& m : c.members) {
      Key k{m.path, m.document_index};
      Side& s = by_doc[k];
      ++s.paragraphs;
      s.chars += m.content_chars;
      names.emplace(k, m.document);
    }
    for (auto x = by_doc.begin(); x != by_doc.end(); ++x)
      for (auto y = std::next(x); y != by_doc.end(); ++y) {
        auto& acc = shared[{x->first, y->first}];
        acc.first.paragraphs += x->second.paragraphs;
        acc.first.chars += x->second.chars;
        acc.second.paragraphs += y->second.paragraphs;
        acc.second.chars += y->second.chars;
      }
  }
  std::vector<DocumentPair> out;
  for (const auto& [keys, sides] : shared) {
    auto make = [&](const Key& k, const Side& s) {
      DocumentShare d;
      d.path = k.first;
      d.document = names[k];
      d.document_index = k.second;
      d.paragraphs = s.paragraphs;
      d.chars = s.chars;
      const std::uint64_t total = document_chars(k.first, k.second);
      d.share = total ? std::min(1.0, static_cast<double>(s.chars) / static_cast<double>(total)) : 0.0;
      return d;
    };
    out.push_back({make(keys.first, sides.first), make(keys.second, sides.second)});
  }
  std::stable_sort(out.begin(), out.end(), [](const DocumentPair& x, const DocumentPair& y) {
    return x.a.chars + x.b.chars > y.a.chars + y.b.chars;
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
