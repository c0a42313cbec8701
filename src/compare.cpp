// recur compare: two texts aligned, passages located.
#include "recur/compare.hpp"

#include <algorithm>

#include "recur/error.hpp"
#include "recur/options.hpp"

namespace recur {

std::string CompareOptions::validate() const {
  if (auto m = input.validate(); !m.empty()) return m;
  if (auto m = align.validate(); !m.empty()) return m;
  if (!(template_share > 0 && template_share <= 1)) return "template_share must be in (0, 1]";
  return {};
}

namespace {
constexpr std::size_t kCpStep = 4096;

std::uint64_t count_code_points(std::string_view s) {
  std::uint64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
}  // namespace

std::uint64_t PreparedText::code_points_before(std::size_t pos) const {
  const std::string& t = file.decoded.text;
  pos = std::min(pos, t.size());
  const std::size_t k = pos / kCpStep;
  return cp_index[k] + count_code_points(std::string_view(t).substr(k * kCpStep, pos - k * kCpStep));
}

std::uint32_t PreparedText::line_of(std::size_t pos) const {
  return static_cast<std::uint32_t>(std::upper_bound(newlines.begin(), newlines.end(), pos) - newlines.begin() + 1);
}

Status prepare_text(const Source& source, TextRef ref, const ScanSettings& scan, Normalizer& normalizer,
                    PreparedText& out) {
  out = PreparedText{};
  out.path = source.name(ref.input);
  out.file = scan_file(source, ref.input, scan);
  if (!out.file.ok()) return out.file.outcome.status;
  const Segmentation& seg = out.file.seg;
  if (ref.document >= static_cast<std::int64_t>(seg.documents.size()))
    throw Error(errc::usage, out.path + "#" + std::to_string(ref.document + 1) + ": the file has " +
                                 std::to_string(seg.documents.size()) + " documents" +
                                 (scan.options().doc_split.empty() ? " (no --doc-split given)" : ""));
  const std::string& t = out.file.decoded.text;
  for (std::size_t p = t.find('\n'); p != std::string::npos; p = t.find('\n', p + 1)) out.newlines.push_back(p);
  out.cp_index.resize(t.size() / kCpStep + 1);
  for (std::size_t k = 1; k < out.cp_index.size(); ++k)
    out.cp_index[k] = out.cp_index[k - 1] + count_code_points(std::string_view(t).substr((k - 1) * kCpStep, kCpStep));
  if (ref.document >= 0) {
    out.document_index = static_cast<std::uint32_t>(ref.document + 1);
    out.document = document_name(seg.documents[ref.document], out.path);
    // The document's text: from its first paragraph to its last.
    std::size_t b = t.size(), e = 0;
    for (const Span& sp : seg.paragraphs)
      if (sp.document == static_cast<std::uint64_t>(ref.document)) {
        b = std::min<std::size_t>(b, sp.begin);
        e = std::max<std::size_t>(e, sp.end);
      }
    out.chars = e > b ? out.code_points_before(e) - out.code_points_before(b) : 0;
  } else {
    out.document = seg.documents.size() == 1 ? document_name(seg.documents[0], out.path) : out.path;
    out.chars = out.code_points_before(t.size());
  }
  out.tokens = tokenize(out.file, normalizer, ref.document);
  return {};
}

PassageSpan locate_span(const PreparedText& text, TokenSpan span) {
  PassageSpan s;
  s.path = text.path;
  if (span.end <= span.begin) return s;
  const std::size_t db = text.tokens.begin[span.begin], de = text.tokens.end[span.end - 1];
  const Decoded& d = text.file.decoded;
  s.byte_start = d.original(db);
  s.byte_end = d.original(de);
  s.line = text.line_of(db);
  s.line_end = text.line_of(de > db ? de - 1 : db);
  s.char_start = text.code_points_before(db);
  s.char_length = text.code_points_before(de) - s.char_start;
  s.content_chars = text.tokens.content_chars(span.begin, span.end);
  s.text = d.text.substr(db, de - db);
  // The document of the span: the last document starting at or before its first line.
  const auto& docs = text.file.seg.documents;
  std::size_t doc = 0;
  while (doc + 1 < docs.size() && docs[doc + 1].line <= s.line) ++doc;
  s.document_index = static_cast<std::uint32_t>(doc + 1);
  s.document = docs.empty() ? text.path : document_name(docs[doc], text.path);
  return s;
}

std::vector<TokenSpan> template_spans(const PreparedText& text, const std::vector<PreparedText>& bases,
                                      const AlignOptions& options) {
  std::vector<TokenSpan> spans;
  for (const PreparedText& base : bases)
    for (const Passage& p : align(text.tokens, base.tokens, options)) spans.push_back(p.a);
  std::sort(spans.begin(), spans.end(), [](const TokenSpan& x, const TokenSpan& y) { return x.begin < y.begin; });
  std::vector<TokenSpan> merged;
  for (const TokenSpan& s : spans) {
    if (!merged.empty() && s.begin <= merged.back().end) merged.back().end = std::max(merged.back().end, s.end);
    else merged.push_back(s);
  }
  return merged;
}

bool mostly_template(TokenSpan span, const std::vector<TokenSpan>& templates, double share) {
  std::uint64_t inside = 0;
  for (const TokenSpan& t : templates) {
    const std::uint32_t b = std::max(span.begin, t.begin), e = std::min(span.end, t.end);
    if (e > b) inside += e - b;
  }
  return span.size() > 0 && static_cast<double>(inside) >= share * span.size();
}

nlohmann::ordered_json options_json(const CompareOptions& o, std::size_t bases) {
  nlohmann::ordered_json j;
  input_options_json(o.input, j);
  j["seed"] = o.align.seed;
  j["min_length"] = o.align.min_tokens;
  j["max_gap"] = o.align.max_gap;
  j["min_similarity"] = o.align.min_similarity;
  j["bases"] = bases;
  return j;
}

CompareReport run_compare(const Source& source, TextRef a, TextRef b, const CompareOptions& o, const Source* bases) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  const ScanSettings scan(o.input);
  Normalizer normalizer(o.input.normalize);
  PreparedText ta, tb;
  auto prepare = [&](const Source& src, TextRef ref, PreparedText& out) {
    if (Status s = prepare_text(src, ref, scan, normalizer, out); !s.ok())
      throw Error(errc::input, src.name(ref.input) + ": " + s.message());
  };
  prepare(source, a, ta);
  prepare(source, b, tb);
  std::vector<PreparedText> base_texts;
  if (bases) {
    base_texts.resize(bases->count());
    for (std::size_t i = 0; i < bases->count(); ++i) prepare(*bases, {i, -1}, base_texts[i]);
  }

  CompareReport r;
  r.version = version();
  r.options = options_json(o, base_texts.size());
  r.a = {ta.path, ta.document, ta.chars, ta.tokens.content_chars(0, ta.tokens.size())};
  r.b = {tb.path, tb.document, tb.chars, tb.tokens.content_chars(0, tb.tokens.size())};
  if (!ta.file.outcome.note.empty()) r.warnings.push_back(ta.path + ": " + ta.file.outcome.note);
  if (!tb.file.outcome.note.empty() && tb.path != ta.path) r.warnings.push_back(tb.path + ": " + tb.file.outcome.note);

  const std::vector<Passage> passages = align(ta.tokens, tb.tokens, o.align);
  const auto templ_a = template_spans(ta, base_texts, o.align);
  const auto templ_b = template_spans(tb, base_texts, o.align);
  std::vector<TokenSpan> own_a, own_b, tpl_a, tpl_b;
  for (const Passage& p : passages) {
    ReportPassage rp;
    rp.a = locate_span(ta, p.a);
    rp.b = locate_span(tb, p.b);
    rp.similarity = p.similarity;
    rp.exact = p.exact;
    rp.is_template = mostly_template(p.a, templ_a, o.template_share) || mostly_template(p.b, templ_b, o.template_share);
    (rp.is_template ? tpl_a : own_a).push_back(p.a);
    (rp.is_template ? tpl_b : own_b).push_back(p.b);
    r.passages.push_back(std::move(rp));
  }
  auto share = [](std::uint64_t n, std::uint64_t d) { return d ? static_cast<double>(n) / static_cast<double>(d) : 0.0; };
  r.a_in_b = share(covered_chars(ta.tokens, own_a), r.a.content_chars);
  r.b_in_a = share(covered_chars(tb.tokens, own_b), r.b.content_chars);
  r.a_template = share(covered_chars(ta.tokens, tpl_a), r.a.content_chars);
  r.b_template = share(covered_chars(tb.tokens, tpl_b), r.b.content_chars);
  return r;
}

}  // namespace recur
