// The PAN text-alignment format (a small XML reader and writer for it) and the PAN measures.
#include "recur/pan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "recur/error.hpp"
#include "recur/text.hpp"

namespace recur {
namespace {

// ---------------------------------------------------------------- reading --------------------

// A reader for the XML that PAN files are: elements, attributes, character references, comments,
// processing instructions, CDATA and a DOCTYPE (skipped). It checks well-formedness as far as
// this format needs (matching tags, quoted attributes, known entities) and says where it failed.
class XmlReader {
 public:
  explicit XmlReader(std::string_view s) : s_(s) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  PanDocument read() {
    skip_misc();
    if (at_end() || s_[pos_] != '<') fail("expected the root element <document reference=\"...\">");
    Tag root = start_tag();
    PanDocument doc;
    const std::string* ref = root.find("reference");
    if (ref == nullptr) fail("the root element <" + root.name + "> has no reference attribute", root.at);
    doc.reference = *ref;
    if (!root.empty) content(root, doc);
    skip_misc();
    if (!at_end()) fail("unexpected content after the root element </" + root.name + ">");
    return doc;
  }

 private:
  struct Tag {
    std::string name;
    std::vector<std::pair<std::string, std::string>> attributes;
    bool empty = false;   // <x/>
    std::size_t at = 0;   // where the tag starts
    const std::string* find(std::string_view key) const {
      for (const auto& [k, v] : attributes)
        if (k == key) return &v;
      return nullptr;
    }
  };

  bool at_end() const noexcept { return pos_ >= s_.size(); }
  bool starts(std::string_view p) const noexcept { return s_.substr(pos_, p.size()) == p; }

  [[noreturn]] void fail(const std::string& what) const { fail(what, pos_); }
  [[noreturn]] void fail(const std::string& what, std::size_t at) const {
    at = std::min(at, s_.size());
    const auto line = 1 + std::count(s_.begin(), s_.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    throw Error(errc::input, "line " + std::to_string(line) + ": " + what);
  }

  static bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  static bool is_name_start(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || u >= 0x80;
  }
  static bool is_name_char(char c) noexcept {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
  }

  void skip_space() {
    while (!at_end() && is_space(s_[pos_])) ++pos_;
  }

  // Skips past `close`, which must follow; `what` names the construct in the message.
  void skip_past(std::string_view close, const char* what) {
    const std::size_t start = pos_;
    const std::size_t end = s_.find(close, pos_);
    if (end == std::string_view::npos) fail(std::string("unterminated ") + what, start);
    pos_ = end + close.size();
  }

  // A comment, processing instruction or DOCTYPE at pos_, skipped; false when there is none.
  bool skip_markup() {
    if (starts("<!--")) {
      skip_past("-->", "comment (no -->)");
    } else if (starts("<?")) {
      skip_past("?>", "processing instruction (no ?>)");
    } else if (starts("<!DOCTYPE")) {
      // An internal subset [...] may hold '>' characters.
      const std::size_t start = pos_;
      int depth = 0;
      for (; !at_end(); ++pos_) {
        if (s_[pos_] == '[') ++depth;
        else if (s_[pos_] == ']') --depth;
        else if (s_[pos_] == '>' && depth <= 0) break;
      }
      if (at_end()) fail("unterminated DOCTYPE", start);
      ++pos_;
    } else {
      return false;
    }
    return true;
  }

  // White space, comments and processing instructions (before and after the root element).
  void skip_misc() {
    for (;;) {
      skip_space();
      if (!skip_markup()) return;
    }
  }

  std::string name() {
    if (at_end() || !is_name_start(s_[pos_])) fail("expected a name");
    const std::size_t start = pos_;
    while (!at_end() && is_name_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  // Appends the character reference or entity at pos_ (just after '&') to `out`.
  void reference(std::string& out) {
    const std::size_t amp = pos_ - 1;
    const std::size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 10)
      fail("'&' must start a reference such as &amp; (write & as &amp;)", amp);
    const std::string_view ent = s_.substr(pos_, semi - pos_);
    pos_ = semi + 1;
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (!ent.empty() && ent[0] == '#') {
      const bool hex = ent.size() > 1 && ent[1] == 'x';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      std::uint32_t cp = 0;
      const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      // XML allows no control characters but tab, line feed and carriage return, even as references.
      const bool control = cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r';
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || control ||
          cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
        fail("invalid character reference &" + std::string(ent) + ";", amp);
      append_utf8(out, static_cast<char32_t>(cp));
    } else {
      fail("unknown entity &" + std::string(ent) + "; (XML knows &amp; &lt; &gt; &quot; &apos;)", amp);
    }
  }

  // A quoted attribute value, references decoded, white space normalised as XML does.
  std::string value() {
    if (at_end() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail("expected a quoted attribute value");
    const char quote = s_[pos_];
    const std::size_t start = pos_++;
    std::string v;
    for (;;) {
      if (at_end()) fail("unterminated attribute value", start);
      const char c = s_[pos_++];
      if (c == quote) return v;
      if (c == '<') fail("'<' in an attribute value (write it as &lt;)", pos_ - 1);
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
        fail("control character " + std::to_string(static_cast<int>(c)) + " in an attribute value", pos_ - 1);
      if (c == '&') reference(v);
      else v += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
    }
  }

  // A start tag at pos_ ('<' name attributes '>' or '/>').
  Tag start_tag() {
    Tag t;
    t.at = pos_;
    ++pos_;  // '<'
    t.name = name();
    for (;;) {
      const std::size_t before = pos_;
      skip_space();
      if (at_end()) fail("unterminated tag <" + t.name + ">", t.at);
      if (starts("/>")) {
        pos_ += 2;
        t.empty = true;
        return t;
      }
      if (s_[pos_] == '>') {
        ++pos_;
        return t;
      }
      if (pos_ == before) fail("expected white space, '>' or '/>' in <" + t.name + ">");
      const std::size_t key_at = pos_;
      std::string key = name();
      skip_space();
      if (at_end() || s_[pos_] != '=') fail("expected '=' after the attribute " + key);
      ++pos_;
      skip_space();
      std::string v = value();
      if (t.find(key) != nullptr) fail("the attribute " + key + " appears twice in <" + t.name + ">", key_at);
      t.attributes.emplace_back(std::move(key), std::move(v));
    }
  }

  // The content of `parent` up to and including its end tag. Children of the root that are
  // plagiarism features become annotations; everything deeper is checked and skipped.
  void content(const Tag& root, PanDocument& doc) {
    std::vector<std::string> open = {root.name};
    while (!open.empty()) {
      const std::size_t lt = s_.find('<', pos_);
      if (lt == std::string_view::npos)
        fail("unexpected end of input: <" + open.back() + "> is not closed", s_.size());
      for (std::size_t i = pos_; i < lt; ++i)  // text: check its references, ignore it
        if (s_[i] == '&') {
          pos_ = i + 1;
          std::string sink;
          reference(sink);
          i = pos_ - 1;
        }
      pos_ = lt;
      if (skip_markup()) continue;
      if (starts("<![CDATA[")) {
        skip_past("]]>", "CDATA section (no ]]>)");
        continue;
      }
      if (starts("</")) {
        const std::size_t at = pos_;
        pos_ += 2;
        const std::string n = name();
        skip_space();
        if (at_end() || s_[pos_] != '>') fail("expected '>' to end </" + n, at);
        ++pos_;
        if (n != open.back()) fail("</" + n + "> does not close <" + open.back() + ">", at);
        open.pop_back();
        continue;
      }
      if (starts("<!")) fail("unexpected '<!'");
      Tag t = start_tag();
      if (open.size() == 1) annotation(t, doc);
      if (!t.empty) open.push_back(t.name);
    }
  }

  std::uint64_t number(const Tag& t, const std::string& key) {
    std::string_view v = *t.find(key);
    while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
    while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
    std::uint64_t n = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size())
      fail(key + "=\"" + std::string(*t.find(key)) + "\" is not a whole number", t.at);
    return n;
  }

  void annotation(const Tag& t, PanDocument& doc) {
    const std::string* n = t.find("name");
    if (n == nullptr || (*n != kPanCase && *n != kPanDetection)) return;
    for (const char* key : {"this_offset", "this_length"})
      if (t.find(key) == nullptr) fail("the feature \"" + *n + "\" has no " + key, t.at);
    PanAnnotation a;
    a.name = *n;
    a.this_reference = doc.reference;
    a.this_offset = number(t, "this_offset");
    a.this_length = number(t, "this_length");
    const int sources = (t.find("source_reference") != nullptr) + (t.find("source_offset") != nullptr) +
                        (t.find("source_length") != nullptr);
    if (sources != 0 && sources != 3)
      fail("the feature \"" + *n + "\" has only some of source_reference, source_offset and source_length", t.at);
    a.external = sources == 3;
    if (a.external) {
      a.source_reference = *t.find("source_reference");
      a.source_offset = number(t, "source_offset");
      a.source_length = number(t, "source_length");
    }
    if (const std::string* o = t.find("obfuscation")) a.obfuscation = *o;
    if (a.this_offset + a.this_length < a.this_offset || a.source_offset + a.source_length < a.source_offset)
      fail("offset plus length overflows", t.at);
    doc.annotations.push_back(std::move(a));
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------- writing --------------------

void escape(std::ostream& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '&': out << "&amp;"; break;
      case '<': out << "&lt;"; break;
      case '>': out << "&gt;"; break;
      case '"': out << "&quot;"; break;
      case '\t': out << "&#9;"; break;
      case '\n': out << "&#10;"; break;
      case '\r': out << "&#13;"; break;
      default:
        // XML has no way to write other control characters: U+FFFD stands for them.
        if (static_cast<unsigned char>(c) < 0x20) out << "\xEF\xBF\xBD";
        else out << c;
    }
  }
}

// ---------------------------------------------------------------- measures -------------------

using Annotations = std::vector<const PanAnnotation*>;

// A half-open range of code points.
struct Span {
  std::uint64_t begin, end;
};

Span this_span(const PanAnnotation& a) { return {a.this_offset, a.this_offset + a.this_length}; }
Span source_span(const PanAnnotation& a) {
  return a.external ? Span{a.source_offset, a.source_offset + a.source_length} : Span{0, 0};
}
Span intersect(Span a, Span b) {
  const std::uint64_t lo = std::max(a.begin, b.begin), hi = std::min(a.end, b.end);
  return lo < hi ? Span{lo, hi} : Span{lo, lo};
}

// Characters covered by `spans`, each once.
std::uint64_t union_length(std::vector<Span>& spans) {
  std::sort(spans.begin(), spans.end(), [](Span a, Span b) { return a.begin < b.begin; });
  std::uint64_t total = 0, reach = 0;
  bool any = false;
  for (const Span s : spans) {
    if (s.end <= s.begin) continue;
    if (!any || s.begin >= reach) {
      total += s.end - s.begin;
      reach = s.end;
      any = true;
    } else if (s.end > reach) {
      total += s.end - reach;
      reach = s.end;
    }
  }
  return total;
}

std::unordered_map<std::string_view, Annotations> by_document(const Annotations& list) {
  std::unordered_map<std::string_view, Annotations> index;
  for (const PanAnnotation* a : list) index[a->this_reference].push_back(a);
  return index;
}

// Distinct annotations (same_span), the first of each in input order.
Annotations distinct(const std::vector<PanAnnotation>& list) {
  auto key = [](const PanAnnotation* a) {
    return std::tie(a->this_reference, a->this_offset, a->this_length, a->source_reference, a->source_offset,
                    a->source_length, a->external);
  };
  Annotations sorted;
  for (const auto& a : list) sorted.push_back(&a);
  std::stable_sort(sorted.begin(), sorted.end(), [&](auto* x, auto* y) { return key(x) < key(y); });
  sorted.erase(std::unique(sorted.begin(), sorted.end(), [&](auto* x, auto* y) { return key(x) == key(y); }),
               sorted.end());
  std::sort(sorted.begin(), sorted.end(), std::less<>());  // back to input order (addresses in one vector)
  return sorted;
}

// The share of `a`'s characters (both sides) covered by the annotations in `others` that overlap
// it (PAN's case_recall).
double covered_share(const PanAnnotation& a, const Annotations& others) {
  std::vector<Span> t, s;
  for (const PanAnnotation* o : others) {
    if (!pan_overlapping(a, *o)) continue;
    t.push_back(intersect(this_span(a), this_span(*o)));
    s.push_back(intersect(source_span(a), source_span(*o)));
  }
  const std::uint64_t total = a.this_length + (a.external ? a.source_length : 0);
  if (total == 0) return 0;
  return static_cast<double>(union_length(t) + union_length(s)) / static_cast<double>(total);
}

// PAN's macro_avg_recall: the mean over `cases` of covered_share by `detections`. Precision is
// the same with the roles swapped.
double macro_recall(const Annotations& cases, const Annotations& detections) {
  if (cases.empty() && detections.empty()) return 1;
  if (cases.empty() || detections.empty()) return 0;
  const auto index = by_document(detections);
  double sum = 0;
  for (const PanAnnotation* c : cases)
    if (auto it = index.find(c->this_reference); it != index.end()) sum += covered_share(*c, it->second);
  return sum / static_cast<double>(cases.size());
}

// Detections per case in `cases` (0 for a case no detection overlaps).
std::vector<std::uint64_t> detections_per_case(const Annotations& cases, const Annotations& detections) {
  const auto index = by_document(detections);
  std::vector<std::uint64_t> counts;
  for (const PanAnnotation* c : cases) {
    std::uint64_t n = 0;
    if (auto it = index.find(c->this_reference); it != index.end())
      for (const PanAnnotation* d : it->second) n += pan_overlapping(*c, *d);
    counts.push_back(n);
  }
  return counts;
}

// Characters covered by `list`, each character of a document once: suspicious sides per suspicious
// document plus source sides per source document (PAN's count_chars).
std::uint64_t count_chars(const std::vector<PanAnnotation>& list) {
  std::map<std::string_view, std::vector<Span>> t, s;
  for (const auto& a : list) {
    t[a.this_reference].push_back(this_span(a));
    if (a.external) s[a.source_reference].push_back(source_span(a));
  }
  std::uint64_t total = 0;
  for (auto* side : {&t, &s})
    for (auto& [ref, spans] : *side) total += union_length(spans);
  return total;
}

std::vector<PanAnnotation> copies(const Annotations& list) {
  std::vector<PanAnnotation> out;
  for (const PanAnnotation* a : list) out.push_back(*a);
  return out;
}

// The overlaps of every case with every detection that detects it (PAN's true_detections).
std::vector<PanAnnotation> overlaps(const Annotations& cases, const Annotations& detections) {
  const auto index = by_document(detections);
  std::vector<PanAnnotation> out;
  for (const PanAnnotation* c : cases) {
    auto it = index.find(c->this_reference);
    if (it == index.end()) continue;
    for (const PanAnnotation* d : it->second) {
      if (!pan_overlapping(*c, *d)) continue;
      PanAnnotation o;
      o.this_reference = c->this_reference;
      o.source_reference = c->source_reference;
      o.external = c->external && d->external;
      const Span t = intersect(this_span(*c), this_span(*d));
      o.this_offset = t.begin;
      o.this_length = t.end - t.begin;
      if (o.external) {
        const Span s = intersect(source_span(*c), source_span(*d));
        o.source_offset = s.begin;
        o.source_length = s.end - s.begin;
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

double ratio(std::uint64_t a, std::uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

// The measures of `detections` on `cases`. Precision is measured against `all_cases` and micro
// recall and precision count true characters against `cases` and `all_cases` respectively, so
// that a group (a subset of the cases, with the detections that detect them) is scored as part of
// the whole; for the whole, `cases` == `all_cases`.
PanScores measure(const Annotations& cases, const Annotations& detections, const Annotations& all_cases) {
  PanScores r;
  r.cases = cases.size();
  r.detections = detections.size();
  r.recall = macro_recall(cases, detections);
  r.precision = macro_recall(detections, all_cases);
  const auto per_case = detections_per_case(cases, detections);
  std::uint64_t detected = 0, total = 0;
  for (auto n : per_case) {
    detected += n > 0;
    total += n;
  }
  r.detected_cases = detected;
  r.granularity = detections.empty() || detected == 0 ? 1.0 : ratio(total, detected);
  for (auto n : detections_per_case(detections, all_cases)) r.true_detections += n > 0;
  r.plagdet = plagdet_score(r.recall, r.precision, r.granularity);
  if (cases.empty() && detections.empty()) {
    r.micro_recall = r.micro_precision = 1;
  } else if (cases.empty() || detections.empty()) {
    r.micro_recall = r.micro_precision = 0;
  } else {
    r.micro_recall = ratio(count_chars(overlaps(cases, detections)), count_chars(copies(cases)));
    r.micro_precision = ratio(count_chars(overlaps(all_cases, detections)), count_chars(copies(detections)));
  }
  r.micro_plagdet = plagdet_score(r.micro_recall, r.micro_precision, r.granularity);
  return r;
}

// The group of cases by `label_of`, scored as measure() describes, in the order `less` gives.
template <class Label, class Less>
std::vector<PanGroupScores> grouped(const std::vector<PanAnnotation>& case_list,
                                    const std::vector<PanAnnotation>& detection_list, Label label_of, Less less) {
  const Annotations cases = distinct(case_list), detections = distinct(detection_list);
  std::map<std::string, Annotations, Less> groups(less);
  for (const PanAnnotation* c : cases) groups[label_of(*c)].push_back(c);
  std::vector<PanGroupScores> out;
  for (const auto& [label, members] : groups) {
    Annotations hits;
    const auto index = by_document(members);
    for (const PanAnnotation* d : detections)
      if (auto it = index.find(d->this_reference); it != index.end())
        if (std::any_of(it->second.begin(), it->second.end(),
                        [&](const PanAnnotation* c) { return pan_overlapping(*c, *d); }))
          hits.push_back(d);
    out.push_back({label, measure(members, hits, cases)});
  }
  return out;
}

std::optional<double> as_number(const std::string& s) {
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Numbers first, in numeric order, then other labels in byte order.
struct LabelLess {
  bool operator()(const std::string& a, const std::string& b) const {
    const auto x = as_number(a), y = as_number(b);
    if (x && y) return *x != *y ? *x < *y : a < b;
    if (x || y) return x.has_value();
    return a < b;
  }
};

}  // namespace

bool PanAnnotation::same_span(const PanAnnotation& o) const noexcept {
  return this_reference == o.this_reference && this_offset == o.this_offset && this_length == o.this_length &&
         source_reference == o.source_reference && source_offset == o.source_offset &&
         source_length == o.source_length && external == o.external;
}

PanDocument parse_pan_xml(std::string_view xml) { return XmlReader(xml).read(); }

void write_pan_xml(std::ostream& out, const PanDocument& doc) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<document reference=\"";
  escape(out, doc.reference);
  out << "\">\n";
  for (const auto& a : doc.annotations) {
    out << "<feature name=\"";
    escape(out, a.name);
    out << "\" this_offset=\"" << a.this_offset << "\" this_length=\"" << a.this_length << '"';
    if (a.external) {
      out << " source_reference=\"";
      escape(out, a.source_reference);
      out << "\" source_offset=\"" << a.source_offset << "\" source_length=\"" << a.source_length << '"';
    }
    if (!a.obfuscation.empty()) {
      out << " obfuscation=\"";
      escape(out, a.obfuscation);
      out << '"';
    }
    out << "/>\n";
  }
  out << "</document>\n";
}

std::string pan_pair_file_name(std::string_view susp, std::string_view src) {
  auto stem = [](std::string_view p) {
    if (const auto slash = p.find_last_of('/'); slash != std::string_view::npos) p.remove_prefix(slash + 1);
    if (const auto dot = p.find_last_of('.'); dot != std::string_view::npos && dot > 0) p = p.substr(0, dot);
    return std::string(p);
  };
  return stem(susp) + "-" + stem(src) + ".xml";
}

bool pan_overlapping(const PanAnnotation& a, const PanAnnotation& b) noexcept {
  bool hit = a.this_reference == b.this_reference && b.this_offset + b.this_length > a.this_offset &&
             b.this_offset < a.this_offset + a.this_length;
  if (a.external && b.external)
    hit = hit && a.source_reference == b.source_reference && b.source_offset + b.source_length > a.source_offset &&
          b.source_offset < a.source_offset + a.source_length;
  return hit;
}

double plagdet_score(double recall, double precision, double granularity) noexcept {
  if ((recall == 0 && precision == 0) || recall < 0 || precision < 0 || granularity < 1) return 0;
  return (2 * recall * precision / (recall + precision)) / std::log2(1 + granularity);
}

PanScores pan_scores(const std::vector<PanAnnotation>& cases, const std::vector<PanAnnotation>& detections) {
  const Annotations c = distinct(cases), d = distinct(detections);
  return measure(c, d, c);
}

std::vector<PanGroupScores> pan_scores_by_obfuscation(const std::vector<PanAnnotation>& cases,
                                                      const std::vector<PanAnnotation>& detections) {
  return grouped(cases, detections, [](const PanAnnotation& a) { return a.obfuscation; }, LabelLess{});
}

std::vector<PanGroupScores> pan_scores_by_length(const std::vector<PanAnnotation>& cases,
                                                 const std::vector<PanAnnotation>& detections,
                                                 const std::vector<std::uint64_t>& bounds) {
  auto label_of = [&](const PanAnnotation& a) {
    auto it = std::upper_bound(bounds.begin(), bounds.end(), a.this_length);
    if (bounds.empty()) return std::string("0+");
    if (it == bounds.begin()) return "0-" + std::to_string(bounds.front() - 1);
    const std::uint64_t lo = *(it - 1);
    return it == bounds.end() ? std::to_string(lo) + "+" : std::to_string(lo) + "-" + std::to_string(*it - 1);
  };
  // Ranges in numeric order of their lower bound.
  auto less = [](const std::string& a, const std::string& b) {
    return std::stoull(a) != std::stoull(b) ? std::stoull(a) < std::stoull(b) : a < b;
  };
  return grouped(cases, detections, label_of, less);
}

}  // namespace recur
