// One-file HTML reports: the JSON contract embedded in a page with its viewer (html.hpp).
#include "recur/html.hpp"

#include <cstddef>
#include <streambuf>
#include <string>
#include <string_view>

#include "viewer_assets.hpp"  // generated from src/html/viewer.css and viewer.js (CMakeLists.txt)

namespace recur {
namespace {

// The JSON report as the page holds it, written through to `out`:
// - every `<` as \u003c. In JSON text `<` can only stand inside a string, where \u003c is the same
//   character, so the JSON is unchanged; and no report text (`</script>`, `<!--`) can end the
//   script element or change how the page parses;
// - without the indentation (white space outside strings), a third of a pretty-printed report;
// - in script elements of about kChunk bytes (one element of 100 MB takes the browser's HTML parser
//   twice as long as a hundred of 1 MB), split only before an ASCII byte, never inside a character.
//   The viewer joins their texts in order.
class PageJsonBuf : public std::streambuf {
 public:
  static constexpr std::size_t kChunk = std::size_t{1} << 20;
  static constexpr std::string_view kNext = "</script>\n<script type=\"application/json\" class=\"recur-data\">";

  explicit PageJsonBuf(std::ostream& out) : out_(out) { buf_.reserve(kChunk + 64); }
  ~PageJsonBuf() override { flush_buf(); }

 protected:
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    const char c = traits_type::to_char_type(ch);
    xsputn(&c, 1);
    return out_ ? ch : traits_type::eof();
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) put(s[i]);
    return out_ ? n : 0;
  }
  int sync() override {
    flush_buf();
    return out_.flush() ? 0 : -1;
  }

 private:
  void put(char c) {
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
    } else if (c == '"') {
      in_string_ = true;
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      return;
    }
    if (static_cast<unsigned char>(c) < 0x80 && chunk_ >= kChunk) {
      buf_ += kNext;
      chunk_ = 0;
    }
    if (c == '<') {
      buf_ += "\\u003c";
      chunk_ += 6;
    } else {
      buf_ += c;
      ++chunk_;
    }
    if (buf_.size() >= kChunk) flush_buf();
  }
  void flush_buf() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

  std::ostream& out_;
  std::string buf_;
  std::size_t chunk_ = 0;  // bytes in the current script element
  bool in_string_ = false, escaped_ = false;
};

// The page around the data: `kind` (report, phrases, compare) tells the viewer which views to
// draw; `title` is the page's title until the viewer sets a more precise one.
template <class R>
void write_page_start(const R& report, std::string_view kind, std::string_view title, std::ostream& out) {
  out << kHtmlSignature << kind << "\">\n"
      << "<head>\n<meta charset=\"utf-8\">\n"
      // Nothing may be fetched: not a script, a style sheet, a font, an image or a connection.
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta name=\"generator\" content=\"recur " << report.version << "\">\n"
      << "<link rel=\"icon\" href=\"data:,\">\n"
      << "<title>" << title << "</title>\n"
      << "<style>\n" << html_assets::kViewerCss << "</style>\n</head>\n<body>\n"
      << "<header id=\"bar\"><span class=\"brand\">" << title << "</span><nav id=\"tabs\"></nav></header>\n"
      << "<main id=\"app\"><p class=\"loading\">Loading the report…</p></main>\n"
      << "<noscript><p>This report is drawn by JavaScript. Without it, the whole report is in the page "
         "source as JSON (the texts of the script elements of class recur-data, joined).</p></noscript>\n"
      << "<script type=\"application/json\" id=\"recur-data\" class=\"recur-data\">";
}

void write_page_end(std::ostream& out) {
  out << "</script>\n<script>\n" << html_assets::kViewerJs << "</script>\n</body>\n</html>\n";
}

template <class R>
void write_page(const R& report, std::string_view kind, std::string_view title, std::ostream& out) {
  write_page_start(report, kind, title, out);
  {
    PageJsonBuf buf(out);
    std::ostream data(&buf);
    write_json(report, data);
    data.flush();
  }
  write_page_end(out);
}

}  // namespace

void write_html(const Report& report, std::ostream& out) { write_page(report, "report", "recur report", out); }

struct ReportPage::Impl {
  explicit Impl(std::ostream& o) : out(o), buf(o), data(&buf) {}
  std::ostream& out;
  PageJsonBuf buf;
  std::ostream data;
  bool finished = false;
};

ReportPage::ReportPage(const Report& report, std::ostream& out) {
  write_page_start(report, "report", "recur report", out);
  impl_ = std::make_unique<Impl>(out);
}
ReportPage::~ReportPage() = default;
std::ostream& ReportPage::json() { return impl_->data; }
void ReportPage::finish() {
  if (impl_->finished) return;
  impl_->finished = true;
  impl_->data.flush();
  write_page_end(impl_->out);
}

void write_html(const PhrasesReport& report, std::ostream& out) {
  write_page(report, "phrases", "recur phrases", out);
}

void write_html(const CompareReport& report, std::ostream& out) {
  write_page(report, "compare", "recur compare", out);
}

void write_html(const QueryReport& report, std::ostream& out) { write_page(report, "query", "recur query", out); }

}  // namespace recur
