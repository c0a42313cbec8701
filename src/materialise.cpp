// Clusters of ids to located report members.
#include "recur/materialise.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "parallel.hpp"
#include "recur/encoding.hpp"
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
  // Texts come back decoded, so this never fires; it keeps Member::text's promise (well-formed
  // UTF-8, which the counting below and the JSON writer rely on) even if a reader broke it.
  if (!is_valid_utf8(out.text)) out.text = to_valid_utf8(out.text);
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
  // A document is keyed by (rank of its path in string order) << 32 | document_index, so that keys
  // order as (path, document_index) do. Keyed by the strings themselves (a std::map node and two
  // string copies per member), this took 1-2 s of one thread on a dense 1 GiB corpus.
  std::unordered_map<std::string_view, std::uint32_t> rank;
  for (const ReportCluster& c : clusters)
    for (const Member& m : c.members) rank.try_emplace(m.path, 0);
  std::vector<std::string_view> paths;
  paths.reserve(rank.size());
  for (const auto& entry : rank) paths.push_back(entry.first);
  std::sort(paths.begin(), paths.end());
  for (std::size_t i = 0; i < paths.size(); ++i) rank[paths[i]] = static_cast<std::uint32_t>(i);

  struct Side {
    std::uint64_t paragraphs = 0, chars = 0;
  };
  struct PairHash {
    std::size_t operator()(const std::pair<std::uint64_t, std::uint64_t>& p) const noexcept {
      return std::hash<std::uint64_t>()(p.first * 0x9E3779B97F4A7C15ull ^ p.second);
    }
  };
  std::unordered_map<std::pair<std::uint64_t, std::uint64_t>, std::pair<Side, Side>, PairHash> shared;
  std::unordered_map<std::uint64_t, std::string_view> names;  // the first member's document name
  std::vector<std::pair<std::uint64_t, Side>> by_doc;
  for (const ReportCluster& c : clusters) {
    by_doc.clear();
    for (const Member& m : c.members) {
      const std::uint64_t key = std::uint64_t{rank.find(m.path)->second} << 32 | m.document_index;
      by_doc.push_back({key, Side{1, m.content_chars}});
      names.try_emplace(key, m.document);
    }
    // The members' documents, each once, in key order.
    std::sort(by_doc.begin(), by_doc.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::size_t kept = 0;
    for (std::size_t i = 0; i < by_doc.size(); ++i) {
      if (kept > 0 && by_doc[kept - 1].first == by_doc[i].first) {
        by_doc[kept - 1].second.paragraphs += by_doc[i].second.paragraphs;
        by_doc[kept - 1].second.chars += by_doc[i].second.chars;
      } else {
        by_doc[kept++] = by_doc[i];
      }
    }
    for (std::size_t x = 0; x < kept; ++x)
      for (std::size_t y = x + 1; y < kept; ++y) {
        auto& acc = shared[{by_doc[x].first, by_doc[y].first}];
        acc.first.paragraphs += by_doc[x].second.paragraphs;
        acc.first.chars += by_doc[x].second.chars;
        acc.second.paragraphs += by_doc[y].second.paragraphs;
        acc.second.chars += by_doc[y].second.chars;
      }
  }
  // In key order, then by characters (the stable sort keeps key order among equals).
  std::vector<std::pair<std::pair<std::uint64_t, std::uint64_t>, std::pair<Side, Side>>> rows(shared.begin(),
                                                                                             shared.end());
  std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<DocumentPair> out;
  out.reserve(rows.size());
  for (const auto& [keys, sides] : rows) {
    auto make = [&](std::uint64_t k, const Side& s) {
      DocumentShare d;
      d.path = std::string(paths[k >> 32]);
      d.document = std::string(names.at(k));
      d.document_index = static_cast<std::uint32_t>(k);
      d.paragraphs = s.paragraphs;
      d.chars = s.chars;
      const std::uint64_t total = document_chars(d.path, d.document_index);
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
