// Documents and paragraphs from decoded text; sentences from paragraphs.
#include "recur/segment.hpp"

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cassert>

#include "recur/encoding.hpp"
#include "recur/error.hpp"

namespace recur {

ParagraphMode parse_paragraph_mode(const std::string& name) {
  if (name == "auto") return ParagraphMode::automatic;
  if (name == "indent") return ParagraphMode::indent;
  if (name == "lines") return ParagraphMode::lines;
  throw Error(errc::usage, "--paragraphs must be auto, indent or lines, not '" + name + "'");
}

const char* to_string(ParagraphMode mode) noexcept {
  switch (mode) {
    case ParagraphMode::automatic: return "auto";
    case ParagraphMode::indent: return "indent";
    case ParagraphMode::lines: return "lines";
  }
  return "auto";
}

namespace {

// A line shorter than this many characters that does not end a sentence is a title or a heading,
// not a wrapped line: wrapping happens to long lines (001 in the corpus wraps at 32+ characters).
constexpr std::size_t kMinWrappedChars = 20;
// A line starting like a heading (一、 （一） 1. 第一章 ①) is not wrapped when at most this long.
constexpr std::size_t kMaxHeadingChars = 40;
// A file whose non-empty lines are indented at least this often marks paragraphs by indentation.
constexpr double kIndentedShare = 0.10;

bool is_chinese_numeral(char32_t c) noexcept {
  switch (c) {
    case U'一': case U'二': case U'三': case U'四': case U'五': case U'六': case U'七':
    case U'八': case U'九': case U'十': case U'百': case U'零': case U'〇':
      return true;
    default:
      return false;
  }
}

bool is_sentence_final(char32_t c) noexcept {
  switch (c) {
    case U'。': case U'！': case U'？': case U'；': case U'：': case U'…': case U'.': case U'!':
    case U'?': case U';': case U':': case U'．': case U'｡':
      return true;
    default:
      return false;
  }
}

bool is_closing(char32_t c) noexcept {
  switch (c) {
    case U'”': case U'’': case U'」': case U'』': case U'）': case U')': case U'》': case U'】':
    case U'〕': case U'"': case U'\'': case U'〉':
      return true;
    default:
      return false;
  }
}

// What segmentation needs to know about one line.
struct LineInfo {
  std::size_t begin = 0, end = 0;  // content: first to one past last non-space, non-stripped char
  bool empty = true;
  bool indented = false;
  bool ends_sentence = false;
  bool heading = false;
  bool toc_entry = false;          // ends in spaces and a page number: "综述　　13"
  std::size_t chars = 0;           // code points in [begin, end)
};

class StrippedCursor {
 public:
  explicit StrippedCursor(std::span<const Range> ranges) : ranges_(ranges) {}
  // The stripped range containing pos, if any (positions are visited in increasing order).
  const Range* at(std::size_t pos) {
    while (i_ < ranges_.size() && ranges_[i_].end <= pos) ++i_;
    if (i_ < ranges_.size() && ranges_[i_].begin <= pos) return &ranges_[i_];
    return nullptr;
  }

 private:
  std::span<const Range> ranges_;
  std::size_t i_ = 0;
};

// Position of the code point that ends just before `pos` (text is valid UTF-8).
std::size_t previous_code_point(std::string_view text, std::size_t pos) noexcept {
  do --pos; while (pos > 0 && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80);
  return pos;
}

LineInfo analyse_line(std::string_view text, std::size_t ls, std::size_t le, std::span<const Range> stripped) {
  LineInfo info;
  // Content characters (not white space, not stripped): the last two and the second.
  char32_t last = 0, before_last = 0, second_seen = 0;
  auto it = std::lower_bound(stripped.begin(), stripped.end(), ls,
                             [](const Range& r, std::size_t p) { return r.end <= p; });
  if (it == stripped.end() || it->begin >= le) {
    // No stripped text on this line (nearly always): only the ends of the line are decoded.
    if (ls == le) return info;
    std::size_t i = ls, k = ls;
    info.indented = is_space(next_code_point(text, k));
    for (k = i; i < le && is_space(next_code_point(text, k)); k = i) i = k;
    if (i == le) return info;
    info.empty = false;
    info.begin = i;
    std::size_t e = le, p = previous_code_point(text, e);
    for (k = p; is_space(next_code_point(text, k)); k = p) e = p, p = previous_code_point(text, p);
    info.end = e;
    k = p;
    last = next_code_point(text, k);
    while (p > info.begin) {
      p = previous_code_point(text, p);
      k = p;
      const char32_t c = next_code_point(text, k);
      if (!is_space(c)) {
        before_last = c;
        break;
      }
    }
    k = info.begin;
    next_code_point(text, k);
    while (k < e) {
      const char32_t c = next_code_point(text, k);
      if (!is_space(c)) {
        second_seen = c;
        break;
      }
    }
  } else {
    StrippedCursor cur(std::span<const Range>(it, stripped.end()));
    bool seen_first = false;
    std::size_t n_content = 0;
    for (std::size_t i = ls; i < le;) {
      if (const Range* r = cur.at(i)) {
        i = std::min(std::max(r->end, i + 1), le);
        continue;
      }
      const std::size_t start = i;
      const char32_t c = next_code_point(text, i);
      if (!seen_first) {
        seen_first = true;
        info.indented = is_space(c);
      }
      if (is_space(c)) continue;
      if (info.empty) {
        info.begin = start;
        info.empty = false;
      }
      info.end = i;
      before_last = last;
      last = c;
      if (++n_content == 2) second_seen = c;
    }
    if (info.empty) return info;
  }
  // Characters between begin and end (spaces inside included), for the length heuristics: the
  // bytes that start a code point.
  std::size_t chars = 0;
  for (std::size_t k = info.begin; k < info.end; ++k)
    chars += (static_cast<unsigned char>(text[k]) & 0xC0) != 0x80;
  info.chars = chars;
  {
    // A table-of-contents entry ends in white space and a page number; it is never wrapped.
    std::size_t j = info.end;
    while (j > info.begin && text[j - 1] >= '0' && text[j - 1] <= '9') --j;
    const bool digits = j < info.end;
    const bool space_before = (j > info.begin && (text[j - 1] == ' ' || text[j - 1] == '\t')) ||
                              (j >= info.begin + 3 && text.substr(j - 3, 3) == "\u3000");
    info.toc_entry = digits && space_before;
  }
  info.ends_sentence = is_sentence_final(last) || (is_closing(last) && is_sentence_final(before_last));
  // Headings: 一、 二十、  （一） (1)  1. 1、 第一章  ①
  std::size_t k = info.begin;
  char32_t c0 = next_code_point(text, k);
  bool heading = false;
  if (is_chinese_numeral(c0) || (c0 >= U'0' && c0 <= U'9') || (c0 >= U'０' && c0 <= U'９')) {
    char32_t c = c0;
    std::size_t j = k;
    while (j < info.end && (is_chinese_numeral(c) || (c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９')))
      c = next_code_point(text, j);
    heading = c == U'、' || c == U'.' || c == U'．' || c == U'，';
  } else if (c0 == U'（' || c0 == U'(') {
    std::size_t j = k;
    char32_t c = j < info.end ? next_code_point(text, j) : 0;
    bool digits = false;
    while (j <= info.end && (is_chinese_numeral(c) || (c >= U'0' && c <= U'9'))) {
      digits = true;
      if (j >= info.end) break;
      c = next_code_point(text, j);
    }
    heading = digits && (c == U'）' || c == U')');
  } else if (c0 == U'第') {
    heading = is_chinese_numeral(second_seen) || (second_seen >= U'0' && second_seen <= U'9');
  } else if (c0 >= 0x2460 && c0 <= 0x2473) {  // ① .. ⑳
    heading = true;
  }
  info.heading = heading && chars <= kMaxHeadingChars;
  return info;
}

}  // namespace

Segmentation segment(std::string_view text, ParagraphMode mode, std::span<const Range> stripped,
                     std::span<const Range> doc_starts) {
  // Preconditions, checked in debug builds only: valid UTF-8, ranges sorted, within the text and
  // on character boundaries.
  assert(is_valid_utf8(text));
#ifndef NDEBUG
  for (std::span<const Range> ranges : {stripped, doc_starts})
    for (std::size_t k = 0; k < ranges.size(); ++k) {
      assert(ranges[k].begin <= ranges[k].end && ranges[k].end <= text.size());
      assert(k == 0 || ranges[k - 1].begin <= ranges[k].begin);
      for (std::size_t at : {ranges[k].begin, ranges[k].end})
        assert(at == text.size() || (static_cast<unsigned char>(text[at]) & 0xC0) != 0x80);
    }
#endif
  Segmentation seg;
  // Pass 1: line boundaries and their analysis.
  std::vector<LineInfo> lines;
  std::vector<std::size_t> line_starts;
  {
    std::size_t ls = 0;
    while (ls <= text.size()) {
      std::size_t nl = text.find('\n', ls);
      std::size_t le = nl == std::string_view::npos ? text.size() : nl;
      line_starts.push_back(ls);
      lines.push_back(analyse_line(text, ls, le, stripped));
      if (nl == std::string_view::npos) break;
      ls = nl + 1;
    }
  }
  if (mode == ParagraphMode::automatic) {
    std::size_t nonempty = 0, indented = 0;
    for (const auto& l : lines) {
      if (l.empty) continue;
      ++nonempty;
      if (l.indented) ++indented;
    }
    mode = nonempty > 0 && static_cast<double>(indented) >= kIndentedShare * static_cast<double>(nonempty)
               ? ParagraphMode::indent
               : ParagraphMode::lines;
  }
  seg.mode = mode;

  bool open = false;
  bool break_after_previous = true;
  std::size_t doc_cursor = 0;
  auto close = [&] { open = false; };
  auto ensure_document = [&](std::uint32_t line_no) {
    if (seg.documents.empty()) seg.documents.push_back({std::string(), line_no});
  };
  for (std::size_t li = 0; li < lines.size(); ++li) {
    const LineInfo& l = lines[li];
    const std::uint32_t line_no = static_cast<std::uint32_t>(li + 1);
    const std::size_t ls = line_starts[li];
    const std::size_t le = li + 1 < lines.size() ? line_starts[li + 1] : text.size() + 1;
    bool doc_start = false;
    while (doc_cursor < doc_starts.size() && doc_starts[doc_cursor].begin < le) {
      if (doc_starts[doc_cursor].begin >= ls) doc_start = true;
      ++doc_cursor;
    }
    if (doc_start) {
      // The document is named by its line as written (stripped markers included, white space
      // trimmed), even when stripping leaves the line empty.
      close();
      std::size_t nb = ls, ne = std::min(le, text.size());
      if (ne > nb && text[ne - 1] == '\n') --ne;
      while (nb < ne) {
        std::size_t k = nb;
        if (!is_space(next_code_point(text, k))) break;
        nb = k;
      }
      while (ne > nb) {
        std::size_t k = ne - 1;
        while (k > nb && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) --k;
        std::size_t j = k;
        if (!is_space(next_code_point(text, j))) break;
        ne = k;
      }
      seg.documents.push_back({std::string(text.substr(nb, ne - nb)), line_no});
    }
    if (l.empty) {
      close();
      break_after_previous = true;
      continue;
    }
    const bool starts_new = mode == ParagraphMode::lines || !open || doc_start || l.indented ||
                            break_after_previous;
    if (starts_new) {
      close();
      ensure_document(line_no);
      Span p;
      p.begin = l.begin;
      p.line = line_no;
      p.document = static_cast<std::uint32_t>(seg.documents.size() - 1);
      seg.paragraphs.push_back(p);
      open = true;
    }
    Span& p = seg.paragraphs.back();
    p.end = l.end;
    p.line_end = line_no;
    break_after_previous =
        doc_start || l.ends_sentence || l.heading || l.toc_entry || l.chars < kMinWrappedChars;
  }
  for (Span& p : seg.paragraphs) {
    const bool starts_document = p.document < seg.documents.size() && !seg.documents[p.document].name.empty() &&
                                 seg.documents[p.document].line == p.line;
    p.kind = classify_paragraph(text.substr(p.begin, p.end - p.begin), starts_document);
  }
  return seg;
}

const char* to_string(ParagraphKind kind) noexcept {
  switch (kind) {
    case ParagraphKind::body: return "body";
    case ParagraphKind::title: return "title";
    case ParagraphKind::heading: return "heading";
    case ParagraphKind::toc: return "toc";
    case ParagraphKind::byline: return "byline";
  }
  return "body";
}

namespace {

constexpr std::size_t kMaxStructureChars = 60;  // longer paragraphs are body
constexpr std::size_t kMaxTitleChars = 40;

bool contains_any(std::string_view text, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (text.find(w) != std::string_view::npos) return true;
  return false;
}

bool is_date_only(std::string_view text) {
  bool year_or_month = false, digit = false;
  for (std::size_t i = 0; i < text.size();) {
    const char32_t c = next_code_point(text, i);
    if ((c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９') || is_chinese_numeral(c)) digit = true;
    else if (c == U'年' || c == U'月') year_or_month = true;
    else if (!(c == U'日' || c == U'号' || is_space(c) || c == U'（' || c == U'）' || c == U'(' || c == U')'))
      return false;
  }
  return digit && year_or_month;
}

}  // namespace

ParagraphKind classify_paragraph(std::string_view text, bool starts_document) noexcept {
  std::size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  if (chars > kMaxStructureChars) return ParagraphKind::body;
  const LineInfo info = analyse_line(text, 0, text.size(), {});
  if (info.empty) return ParagraphKind::body;
  const bool one_line = text.find('\n') == std::string_view::npos;
  // Page numbers after leader dots: "综述……13", "综述....13".
  bool leader = false;
  {
    std::size_t j = info.end;
    while (j > info.begin && text[j - 1] >= '0' && text[j - 1] <= '9') --j;
    if (j < info.end && j > info.begin) {
      const std::size_t p = previous_code_point(text, j);
      std::size_t k = p;
      const char32_t c = next_code_point(text, k);
      leader = c == U'…' || c == U'.' || c == U'·' || c == U'．' || c == U'⋯';
    }
  }
  if (one_line && (info.toc_entry || leader)) return ParagraphKind::toc;
  if (info.heading && !info.ends_sentence) return ParagraphKind::heading;
  if (contains_any(text, {"，", "。", "；", "！", "？", ",", ";", "!", "?"})) return ParagraphKind::body;
  if (starts_document) return ParagraphKind::title;
  if (is_date_only(text.substr(info.begin, info.end - info.begin))) return ParagraphKind::byline;
  if (contains_any(text, {"总结", "综述", "报告", "讲话", "汇报", "经验", "材料", "发言", "意见", "方案", "通知", "纪实",
                          "侧记", "调研"}))
    return ParagraphKind::title;
  if (contains_any(text, {"书记", "部长", "主任", "市长", "县长", "区长", "局长", "常委", "委员", "主席", "处长", "科长",
                          "组织部", "宣传部", "统战部", "办公室", "党委", "党组", "作者", "来源", "供稿", "撰稿", "执笔",
                          "记者", "通讯员"}))
    return ParagraphKind::byline;
  if (chars <= kMaxTitleChars && !info.ends_sentence) return ParagraphKind::title;
  return ParagraphKind::body;
}

// The break iterator reads the UTF-8 through a UText, so no UTF-16 copy of the text is made and
// its boundaries come back as byte offsets.
struct SentenceSplitter::Impl {
  std::unique_ptr<icu::BreakIterator> iterator;
  UText* utext = nullptr;
  ~Impl() { utext_close(utext); }
};

SentenceSplitter::SentenceSplitter() : impl_(std::make_unique<Impl>()) {
  UErrorCode status = U_ZERO_ERROR;
  impl_->iterator.reset(icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !impl_->iterator) throw Error(errc::internal, "ICU sentence break is unavailable");
}

SentenceSplitter::~SentenceSplitter() = default;

void SentenceSplitter::split(std::string_view text, std::vector<std::size_t>& ends) {
  ends.clear();
  UErrorCode status = U_ZERO_ERROR;
  impl_->utext = utext_openUTF8(impl_->utext, text.data(), static_cast<int64_t>(text.size()), &status);
  impl_->iterator->setText(impl_->utext, status);
  if (U_FAILURE(status)) throw Error(errc::internal, "ICU sentence break failed");
  icu::BreakIterator& it = *impl_->iterator;
  for (int32_t b = it.next(); b != icu::BreakIterator::DONE; b = it.next()) ends.push_back(static_cast<std::size_t>(b));
}

std::vector<std::size_t> SentenceSplitter::split(std::string_view text) {
  std::vector<std::size_t> ends;
  split(text, ends);
  return ends;
}

}  // namespace recur
