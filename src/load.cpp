// Reading one input file up to paragraphs.
#include "load.hpp"

#include <algorithm>
#include <chrono>

namespace recur::detail {

CompiledInput::CompiledInput(const InputOptions& o) : options(o) {
  for (const auto& s : o.strip) strip.emplace_back(s, false, "--strip");
  if (!o.doc_split.empty()) doc_split.emplace(o.doc_split, true, "--doc-split");
}

LoadSettings CompiledInput::settings() const {
  return {options.decode, options.paragraphs, &strip, doc_split ? &*doc_split : nullptr};
}

void input_options_json(const InputOptions& o, nlohmann::ordered_json& j) {
  j["glob"] = o.glob;
  j["encoding"] = o.decode.encoding;
  j["simplify"] = o.normalize.simplify;
  j["casefold"] = o.normalize.casefold;
  j["strip"] = o.strip;
  j["doc_split"] = o.doc_split;
  j["paragraphs"] = to_string(o.paragraphs);
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

LoadedFile load_file(const InputFile& input, const LoadSettings& s, std::string* buffer) {
  using Clock = std::chrono::steady_clock;
  LoadedFile r;
  const auto t0 = Clock::now();
  std::string bytes = buffer ? std::move(*buffer) : std::string();  // its capacity is reused
  r.stamp = stamp_of(input);
  if (!read_input(input, bytes, r.reason)) return r;
  r.bytes = bytes.size();
  DecodeResult dr = decode(std::move(bytes), s.decode);
  const auto t1 = Clock::now();
  r.seconds_read = std::chrono::duration<double>(t1 - t0).count();
  if (!dr.ok) {
    r.reason = dr.reason;
    return r;
  }
  r.decoded = std::move(dr.decoded);
  r.note = r.decoded.note;
  const std::string_view text = r.decoded.text;

  // A regex that fails on this file would silently change offsets or documents: skip the file.
  std::string regex_error;
  std::vector<Range> found;
  if (s.strip)
    for (const Pattern& p : *s.strip) {
      auto m = p.find_all(text, &regex_error);
      found.insert(found.end(), m.begin(), m.end());
    }
  r.stripped = merge_ranges(std::move(found));
  std::vector<Range> starts;
  if (s.doc_split) starts = s.doc_split->find_all(text, &regex_error);
  if (!regex_error.empty()) {
    r.reason = regex_error;
    r.stripped.clear();
    return r;
  }
  r.seg = segment(text, s.paragraphs, r.stripped, starts);
  if (r.seg.paragraphs.empty()) r.note = r.note.empty() ? "no text (only white space)" : r.note + "; no text";
  r.seconds_segment = std::chrono::duration<double>(Clock::now() - t1).count();
  r.ok = true;
  return r;
}

}  // namespace recur::detail
