// Clusters of ids to located report members.
#include "recur/materialise.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
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
  out.content_chars = count_content_chars(out.text);
  out.text_json_extra = json_escape_extra(out.text);  // while the text is in the cache
  return out;
}

std::vector<ReportCluster> materialise(const Source& source, const ParagraphIndex& index,
                                       std::span<const Cluster> clusters, const DecodeOptions& decode,
                                       unsigned threads, std::vector<Status>& problems,
                                       std::vector<MemberFacts>* facts) {
  // (cluster, member) by input, so that each input is read back once.
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> by_input(index.inputs());
  for (std::uint32_t c = 0; c < clusters.size(); ++c)
    for (std::uint32_t m = 0; m < clusters[c].members.size(); ++m)
      by_input[index.input_of(clusters[c].members[m].item)].emplace_back(c, m);
  std::vector<ReportCluster> out(clusters.size());
  std::vector<std::size_t> first_fact(clusters.size() + 1, 0);  // cluster c's facts from first_fact[c]
  for (std::uint32_t c = 0; c < clusters.size(); ++c) {
    out[c].id = c + 1;
    out[c].representative = 0;
    out[c].members.resize(clusters[c].members.size());
    first_fact[c + 1] = first_fact[c] + clusters[c].members.size();
  }
  if (facts) facts->assign(first_fact.back(), {});
  problems.assign(index.inputs(), {});
  detail::parallel_for(index.inputs(), threads, [&](std::size_t fi, unsigned) {
    if (by_input[fi].empty()) return;
    std::vector<const ParagraphRecord*> paras;
    for (auto [c, m] : by_input[fi]) paras.push_back(&index.record(clusters[c].members[m].item));
    std::vector<std::string> texts;
    problems[fi] = read_paragraphs(source, fi, index.file(fi), decode, paras, texts);
    for (std::size_t k = 0; k < paras.size(); ++k) {
      auto [c, m] = by_input[fi][k];
      Member& member = out[c].members[m];
      member =
          make_member(source.name(fi), index.file(fi), *paras[k], clusters[c].members[m].similarity, std::move(texts[k]));
      if (facts)
        (*facts)[first_fact[c] + m] = {c, m, static_cast<std::uint32_t>(fi), member.document_index, member.content_chars};
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

ReportOrder order_report(std::size_t count, std::span<const MemberFacts> facts, const Source& source,
                         bool cross_doc, ClusterOrder order,
                         const std::function<const std::vector<std::uint64_t>&(std::size_t)>& document_chars,
                         const std::function<std::string(std::uint32_t, std::uint32_t)>& document_name) {
  // Inputs by name, as the report's paths compare: name_rank orders them as their names do (equal
  // names equal), first[rank] is the first input of that name.
  std::vector<std::uint32_t> name_rank(source.count()), first;
  {
    std::vector<std::uint32_t> by_name(source.count());
    for (std::uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
    std::stable_sort(by_name.begin(), by_name.end(),
                     [&](std::uint32_t x, std::uint32_t y) { return source.name(x) < source.name(y); });
    for (std::size_t k = 0; k < by_name.size(); ++k) {
      if (k == 0 || source.name(by_name[k]) != source.name(by_name[k - 1])) first.push_back(by_name[k]);
      name_rank[by_name[k]] = static_cast<std::uint32_t>(first.size() - 1);
    }
  }
  // A document by name: (name rank, document index), in input order.
  auto doc_key = [&](const MemberFacts& f) { return std::uint64_t{name_rank.at(f.input)} << 32 | f.document_index; };

  // The members, cluster after cluster, each at its place (a counting sort): their document keys
  // and characters, the only facts read below. Reading them through pointers to the facts, in the
  // clusters' order, missed the cache at every member (half of this function's time on the dense
  // 1 GiB corpus, on rank 0 alone under MPI).
  std::vector<std::size_t> start(count + 1, 0);
  for (const MemberFacts& f : facts) ++start.at(f.cluster + 1);
  for (std::size_t c = 0; c < count; ++c) start[c + 1] += start[c];
  std::vector<std::uint64_t> key_at(facts.size()), chars_at(facts.size());
  {
    std::vector<std::uint8_t> filled(facts.size(), 0);
    for (const MemberFacts& f : facts) {
      const std::size_t at = start[f.cluster] + f.member;
      if (f.member >= start[f.cluster + 1] - start[f.cluster] || filled[at])
        throw std::logic_error("order_report: members of a cluster missing or repeated");
      filled[at] = 1;
      key_at[at] = doc_key(f);
      chars_at[at] = f.content_chars;
    }
  }

  ReportOrder out;
  std::vector<std::uint64_t> weight(count, 0);
  for (std::uint32_t c = 0; c < count; ++c) {
    if (start[c + 1] == start[c]) throw std::logic_error("order_report: a cluster without members");
    bool one_document = true;
    for (std::size_t k = start[c]; k < start[c + 1]; ++k) {
      weight[c] += chars_at[k];
      one_document = one_document && key_at[k] == key_at[start[c]];
    }
    weight[c] -= chars_at[start[c]];
    if (cross_doc && one_document) ++out.single_document;
    else out.clusters.push_back(c);
  }
  auto size = [&](std::uint32_t c) { return start[c + 1] - start[c]; };
  std::stable_sort(out.clusters.begin(), out.clusters.end(), [&](std::uint32_t x, std::uint32_t y) {
    if (order == ClusterOrder::weight) {
      if (weight[x] != weight[y]) return weight[x] > weight[y];
      return size(x) > size(y);
    }
    if (size(x) != size(y)) return size(x) > size(y);
    return weight[x] > weight[y];
  });

  // Pairs of documents: each cluster's documents with their paragraphs and characters, every two
  // of them added up over the clusters kept.
  struct Side {
    std::uint64_t paragraphs = 0, chars = 0;
  };
  struct PairHash {
    std::size_t operator()(const std::pair<std::uint64_t, std::uint64_t>& k) const noexcept {
      return std::hash<std::uint64_t>()(k.first * 0x9E3779B97F4A7C15ull ^ k.second);
    }
  };
  std::unordered_map<std::pair<std::uint64_t, std::uint64_t>, std::pair<Side, Side>, PairHash> shared;
  std::vector<std::pair<std::uint64_t, Side>> docs;  // one cluster's documents, by key
  for (std::uint32_t c : out.clusters) {
    out.clustered_paragraphs += size(c);
    docs.clear();
    for (std::size_t k = start[c]; k < start[c + 1]; ++k) docs.push_back({key_at[k], Side{1, chars_at[k]}});
    std::sort(docs.begin(), docs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::size_t kept = 0;
    for (std::size_t k = 0; k < docs.size(); ++k)
      if (kept > 0 && docs[kept - 1].first == docs[k].first) {
        docs[kept - 1].second.paragraphs += docs[k].second.paragraphs;
        docs[kept - 1].second.chars += docs[k].second.chars;
      } else {
        docs[kept++] = docs[k];
      }
    docs.resize(kept);
    for (std::size_t x = 0; x < docs.size(); ++x)
      for (std::size_t y = x + 1; y < docs.size(); ++y) {
        auto& acc = shared[{docs[x].first, docs[y].first}];
        acc.first.paragraphs += docs[x].second.paragraphs;
        acc.first.chars += docs[x].second.chars;
        acc.second.paragraphs += docs[y].second.paragraphs;
        acc.second.chars += docs[y].second.chars;
      }
  }
  std::vector<std::pair<std::pair<std::uint64_t, std::uint64_t>, std::pair<Side, Side>>> pairs(shared.begin(),
                                                                                              shared.end());
  shared = {};
  std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  auto make = [&](std::uint64_t key, const Side& s) {
    const std::uint32_t input = first[key >> 32], doc = static_cast<std::uint32_t>(key);
    DocumentShare d;
    d.path = source.name(input);
    d.document = document_name(input, doc);
    d.document_index = doc;
    d.paragraphs = s.paragraphs;
    d.chars = s.chars;
    const auto& chars = document_chars(input);
    const std::uint64_t total = doc >= 1 && doc <= chars.size() ? chars[doc - 1] : 0;
    d.share = total ? std::min(1.0, static_cast<double>(s.chars) / static_cast<double>(total)) : 0.0;
    return d;
  };
  out.documents.reserve(pairs.size());
  for (const auto& [keys, sides] : pairs)
    out.documents.push_back({make(keys.first, sides.first), make(keys.second, sides.second)});
  std::stable_sort(out.documents.begin(), out.documents.end(), [](const DocumentPair& x, const DocumentPair& y) {
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
