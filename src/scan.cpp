// One input up to paragraphs, and the accounting of a run's inputs.
#include "recur/scan.hpp"

#include <algorithm>
#include <chrono>

namespace recur {

ScanSettings::ScanSettings(const InputOptions& o) : options_(o) {
  for (const auto& s : o.strip) strip_.emplace_back(s, false, "--strip");
  if (!o.doc_split.empty()) doc_split_.emplace(o.doc_split, true, "--doc-split");
}

std::vector<Range> merge_ranges(std::vector<Range> r) {
  std::sort(r.begin(), r.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  std::vector<Range> out;
  for (const Range& x : r) {
    if (!out.empty() && x.begin <= out.back().end) out.back().end = std::max(out.back().end, x.end);
    else out.push_back(x);
  }
  return out;
}

void normalize_span(Normalizer& normalizer, std::string_view span, std::size_t begin,
                    const std::vector<Range>& stripped, std::vector<Range>& removed, std::string& out,
                    OffsetMap& map) {
  // The stripped ranges inside [begin, end), relative to begin.
  const std::size_t end = begin + span.size();
  removed.clear();
  auto it = std::lower_bound(stripped.begin(), stripped.end(), begin,
                             [](const Range& r, std::size_t p) { return r.end <= p; });
  for (; it != stripped.end() && it->begin < end; ++it)
    removed.push_back({std::max(it->begin, begin) - begin, std::min(it->end, end) - begin});
  normalizer.normalize(span, removed, out, map);
}

ScannedFile scan_file(const Source& source, std::size_t i, const ScanSettings& s, std::string* buffer) {
  using Clock = std::chrono::steady_clock;
  ScannedFile r;
  FileOutcome& out = r.outcome;
  const auto t0 = Clock::now();
  std::string bytes = buffer ? std::move(*buffer) : std::string();  // its capacity is reused
  r.stamp = source.stamp(i);
  if (out.status = source.read(i, bytes); !out.status.ok()) return r;
  out.bytes = bytes.size();
  DecodeResult dr = decode(std::move(bytes), s.options().decode);
  const auto t1 = Clock::now();
  out.seconds_read = std::chrono::duration<double>(t1 - t0).count();
  if (!dr.ok()) {
    out.status = std::move(dr.status);
    return r;
  }
  r.decoded = std::move(dr.decoded);
  out.note = r.decoded.note;
  const std::string_view text = r.decoded.text;

  // A regex that fails on this input would silently change offsets or documents: skip the input.
  std::vector<Range> found;
  for (const Pattern& p : s.strip()) {
    auto m = p.find_all(text, &out.status);
    found.insert(found.end(), m.begin(), m.end());
  }
  r.stripped = merge_ranges(std::move(found));
  std::vector<Range> starts;
  if (s.doc_split()) starts = s.doc_split()->find_all(text, &out.status);
  if (!out.status.ok()) {
    r.stripped.clear();
    return r;
  }
  r.seg = segment(text, s.options().paragraphs, r.stripped, starts);
  if (r.seg.paragraphs.empty()) out.note = out.note.empty() ? "no text (only white space)" : out.note + "; no text";
  out.documents = r.seg.documents.size();
  out.paragraphs = r.seg.paragraphs.size();
  out.seconds_segment = std::chrono::duration<double>(Clock::now() - t1).count();
  return r;
}

CorpusSummary summarise(const Source& source, std::span<const FileOutcome> outcomes) {
  CorpusSummary sum;
  CorpusStats& st = sum.stats;
  const auto problems = source.problems();
  sum.skipped.assign(problems.begin(), problems.end());
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const FileOutcome& o = outcomes[i];
    if (!o.status.ok()) {
      sum.skipped.emplace_back(source.name(i), o.status);
      continue;
    }
    ++st.files_read;
    st.bytes += o.bytes;
    st.documents += o.documents;
    st.paragraphs += o.paragraphs;
    if (!o.note.empty()) sum.warnings.push_back(source.name(i) + ": " + o.note);
  }
  std::stable_sort(sum.skipped.begin(), sum.skipped.end(),
                   [](const Skipped& a, const Skipped& b) { return a.path < b.path; });
  st.files_skipped = sum.skipped.size();
  st.files = st.files_read + st.files_skipped;
  return sum;
}

void announce(const CorpusSummary& sum, const std::function<void(const std::string&)>& warn) {
  if (!warn) return;
  for (const auto& s : sum.skipped) warn("skipped " + s.path + ": " + s.reason);
  for (const auto& w : sum.warnings) warn(w);
}

}  // namespace recur
