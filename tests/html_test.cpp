/// \file html_test.cpp
/// The one-file HTML report (html.hpp): one self-contained page holding the JSON contract, no
/// network reference, report text that cannot break out of its script element, byte-identical
/// output, and `--format html` on the command line. The page's behaviour in a browser is tested by
/// tests/html/check_html.py (headless Chromium, run by .ci/test).
#include "recur/html.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "recur/encoding.hpp"
#include "test_util.hpp"

using namespace recur_test;

namespace {

constexpr std::string_view kFirstData = "<script type=\"application/json\" id=\"recur-data\" class=\"recur-data\">";
constexpr std::string_view kNextData = "<script type=\"application/json\" class=\"recur-data\">";

recur::Member member(std::string path, std::uint32_t line, double similarity, std::string text) {
  recur::Member m;
  m.path = path;
  m.document = std::move(path);
  m.document_index = 1;
  m.paragraph = m.line = m.line_end = line;
  m.byte_start = 100 * line;
  m.byte_end = m.byte_start + text.size();
  m.similarity = similarity;
  m.text = std::move(text);
  return m;
}

recur::Report sample_report(const std::string& extra_text = "") {
  recur::Report r;
  r.version = "0.1.0";
  r.options = {{"threshold", 0.5}, {"shingle", 2}};
  r.stats.files = r.stats.files_read = 2;
  r.stats.documents = 2;
  r.stats.paragraphs = 4;
  r.stats.clusters = 1;
  r.stats.clustered_paragraphs = 2;
  r.stats.seconds = {{"total", 0.25}};
  r.warnings = {"b.txt: 1 damaged stretch replaced"};
  recur::ReportCluster c;
  c.id = 1;
  c.members.push_back(member("a.txt", 3, 1, "海阳市坚持把学习贯彻党的二十大精神作为首要政治任务" + extra_text));
  c.members.push_back(member("b.txt", 7, 0.8, "江城市坚持把学习贯彻党的二十大精神作为首要政治任务" + extra_text));
  r.clusters.push_back(std::move(c));
  return r;
}

template <class R>
std::string html_of(const R& report) {
  std::ostringstream out;
  recur::write_html(report, out);
  return out.str();
}

template <class R>
std::string json_of(const R& report) {
  std::ostringstream out;
  recur::write_json(report, out);
  return out.str();
}

std::size_t occurrences(std::string_view s, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = s.find(needle); at != std::string_view::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

/// The texts of the page's data elements, in order.
std::vector<std::string> data_chunks(const std::string& page) {
  std::vector<std::string> out;
  std::size_t at = page.find(kFirstData);
  if (at == std::string::npos) return out;
  at += kFirstData.size();
  while (true) {
    const std::size_t end = page.find("</script>", at);
    if (end == std::string::npos) break;
    out.push_back(page.substr(at, end - at));
    const std::string next = "</script>\n" + std::string(kNextData);
    if (page.compare(end, next.size(), next) != 0) break;
    at = end + next.size();
  }
  return out;
}

nlohmann::ordered_json embedded(const std::string& page) {
  std::string text;
  for (const auto& c : data_chunks(page)) text += c;
  return nlohmann::ordered_json::parse(text);
}

}  // namespace

TEST(Html, ReportIsOnePageHoldingTheJsonContract) {
  const recur::Report r = sample_report();
  const std::string page = html_of(r);
  EXPECT_EQ(page.rfind(std::string(recur::kHtmlSignature) + "report\">", 0), 0u) << page.substr(0, 100);
  EXPECT_EQ(occurrences(page, "<html"), 1u);
  EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
  EXPECT_EQ(occurrences(page, "<style>"), 1u);
  ASSERT_EQ(data_chunks(page).size(), 1u);
  EXPECT_EQ(embedded(page), nlohmann::ordered_json::parse(json_of(r)));  // every field, future ones too
  // the viewer and its styles are inline
  EXPECT_NE(page.find("function diffFlags"), std::string::npos);
  EXPECT_NE(page.find("data-ready"), std::string::npos);
  EXPECT_NE(page.find(".pair"), std::string::npos);
}

TEST(Html, PhrasesAndComparePagesHoldTheirReports) {
  recur::PhrasesReport p;
  p.version = "0.1.0";
  recur::Phrase ph;
  ph.id = 1;
  ph.text = "一个支部就是一座堡垒";
  ph.chars = 10;
  ph.documents = ph.occurrences = 3;
  ph.variants = {{"一个支部就是一座堡垒", 2, 2}, {"一个支部就是一个堡垒", 1, 1}};
  ph.locations.push_back({"a.txt", "a.txt", 1, 4, 10, 40, "一个支部就是一座堡垒"});
  p.phrases.push_back(ph);
  const std::string pp = html_of(p);
  EXPECT_EQ(pp.rfind(std::string(recur::kHtmlSignature) + "phrases\">", 0), 0u);
  EXPECT_EQ(embedded(pp), nlohmann::ordered_json::parse(json_of(p)));

  recur::CompareReport c;
  c.version = "0.1.0";
  c.a = {"a.txt", "a.txt", 100, 90};
  c.b = {"b.txt", "b.txt", 120, 100};
  c.a_in_b = 0.5;
  recur::ReportPassage passage;
  passage.a.path = "a.txt";
  passage.a.text = "全省组织系统深入学习贯彻";
  passage.b.path = "b.txt";
  passage.b.text = "全市组织系统深入学习贯彻";
  passage.similarity = 0.9;
  c.passages.push_back(passage);
  const std::string cp = html_of(c);
  EXPECT_EQ(cp.rfind(std::string(recur::kHtmlSignature) + "compare\">", 0), 0u);
  EXPECT_EQ(embedded(cp), nlohmann::ordered_json::parse(json_of(c)));
}

TEST(Html, QueryPageHoldsItsReport) {
  recur::QueryReport q;
  q.version = "0.1.0";
  q.archive_path = "archive.db";
  q.archive_documents = 3;
  recur::QueryResult r;
  r.path = "new.txt";
  r.document = "new.txt";
  r.content_chars = 100;
  r.found = 0.4;
  recur::QuerySource src;
  src.path = "old.txt";
  src.document = "old.txt";
  src.chars = 40;
  src.share = 0.4;
  recur::ReportPassage passage;
  passage.a.path = "new.txt";
  passage.a.text = "全省组织系统深入学习贯彻</script>";
  passage.b.path = "old.txt";
  passage.b.text = "全市组织系统深入学习贯彻";
  src.passages.push_back(passage);
  r.sources.push_back(src);
  q.queries.push_back(r);
  const std::string page = html_of(q);
  EXPECT_EQ(page.rfind(std::string(recur::kHtmlSignature) + "query\">", 0), 0u);
  EXPECT_EQ(occurrences(page, "</script>"), 2u);
  EXPECT_EQ(embedded(page), nlohmann::ordered_json::parse(json_of(q)));
}

TEST(Html, NoNetworkReference) {
  for (const std::string& page : {html_of(sample_report()), html_of(recur::PhrasesReport{}), html_of(recur::CompareReport{})}) {
    // "http" only in the Content-Security-Policy meta, which forbids every request.
    EXPECT_EQ(occurrences(page, "http"), 1u);
    EXPECT_NE(page.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
    EXPECT_EQ(page.find("https:"), std::string::npos);
    EXPECT_EQ(page.find("http:"), std::string::npos);
    EXPECT_FALSE(std::regex_search(page, std::regex(R"(//[A-Za-z0-9-]+\.[A-Za-z0-9.-]+)"))) << "a protocol-relative address";
    EXPECT_FALSE(std::regex_search(page, std::regex(R"(\bsrc\s*=|url\s*\(|@import|@font-face)", std::regex::icase)));
    EXPECT_FALSE(std::regex_search(page, std::regex(R"(href\s*=\s*"(?!#|data:))")));
    EXPECT_EQ(occurrences(page, "<script"), 2u) << "the data and the viewer, nothing to load";
  }
}

TEST(Html, ReportTextCannotEndItsScriptElement) {
  const std::string hostile = "</script><script>alert(1)</script><!-- --><img src=x onerror=alert(2)>"
                              "</SCRIPT>https://evil.example/x.js";
  const recur::Report r = sample_report(hostile);
  const std::string page = html_of(r);
  // Only the two real script elements end; no comment opens; the text is intact in the data.
  EXPECT_EQ(occurrences(page, "</script>"), 2u);
  EXPECT_EQ(occurrences(page, "</SCRIPT>"), 0u);
  EXPECT_EQ(occurrences(page, "<!--"), 0u);
  EXPECT_EQ(occurrences(page, "<img"), 0u);
  for (const auto& chunk : data_chunks(page)) EXPECT_EQ(chunk.find('<'), std::string::npos);
  const auto data = embedded(page);
  EXPECT_EQ(data["clusters"][0]["members"][1]["text"], r.clusters[0].members[1].text);
  EXPECT_EQ(data, nlohmann::ordered_json::parse(json_of(r)));
}

TEST(Html, OutputIsDeterministic) {
  const recur::Report r = sample_report();
  EXPECT_EQ(html_of(r), html_of(r));
  EXPECT_EQ(html_of(sample_report()), html_of(sample_report()));
  // Nothing but the data differs between two reports.
  recur::Report other = sample_report();
  other.clusters[0].members[1].text = "别的文字";
  const std::string a = html_of(r), b = html_of(other);
  const std::size_t head = a.find(kFirstData);
  EXPECT_EQ(a.substr(0, head), b.substr(0, head));
  EXPECT_EQ(a.substr(a.find("</script>")), b.substr(b.find("</script>")));
}

TEST(Html, LargeReportDataIsSplitBetweenCharacters) {
  // About 6 MB of Chinese text with odd-length ASCII between, so chunk ends fall everywhere.
  recur::Report r = sample_report();
  std::mt19937_64 rng(5);
  r.clusters.clear();
  for (std::uint32_t id = 1; id <= 2000; ++id) {
    recur::ReportCluster c;
    c.id = id;
    std::string text;
    for (int k = 0; k < 500; ++k) text += random_char(rng);
    text += std::string(id % 7, 'x') + "\"\\<";
    c.members.push_back(member("a.txt", id, 1, text));
    c.members.push_back(member("b.txt", id, 0.9, text + "。"));
    r.clusters.push_back(std::move(c));
  }
  const std::string page = html_of(r);
  const auto chunks = data_chunks(page);
  ASSERT_GT(chunks.size(), 3u);
  for (const auto& chunk : chunks) {
    EXPECT_TRUE(recur::is_valid_utf8(chunk)) << "a chunk ends inside a character";
    EXPECT_LE(chunk.size(), (std::size_t{1} << 20) + 4096);  // ends at the first ASCII byte past 1 MiB
  }
  EXPECT_EQ(embedded(page), nlohmann::ordered_json::parse(json_of(r)));
  // The indentation is left out: the page is smaller than the JSON.
  EXPECT_LT(page.size(), json_of(r).size());
}

TEST(Html, RecurKnowsItsOwnHtmlReport) {
  const std::string page = html_of(sample_report());
  EXPECT_TRUE(recur::looks_like_recur_output(page.substr(0, 200)));
  EXPECT_FALSE(recur::looks_like_recur_output("<!DOCTYPE html>\n<html lang=\"en\">\n<body>a page</body>"));
}

TEST(HtmlCli, EveryCommandWritesHtml) {
  TempDir t;
  const fs::path ex = fs::path(RECUR_SOURCE_DIR) / "examples" / "reports";
  const std::vector<std::vector<std::string>> runs = {
      {"report", ex.string()},
      {"phrases", ex.string()},
      {"compare", (ex / "jiangcheng.txt").string(), (ex / "yunshan.txt").string()}};
  for (const auto& args : runs) {
    std::vector<std::string> html = args, json = args;
    html.insert(html.end(), {"--format", "html", "-o", t.file(args[0] + ".html"), "-q"});
    json.insert(json.end(), {"--format", "json", "-o", t.file(args[0] + ".json"), "-q"});
    const RunResult a = run_recur(html), b = run_recur(json);
    ASSERT_EQ(a.status, 0) << describe(a);
    ASSERT_EQ(b.status, 0) << describe(b);
    const std::string page = read_file(t.path() / (args[0] + ".html"));
    EXPECT_EQ(page.rfind(std::string(recur::kHtmlSignature) + args[0] + "\">", 0), 0u) << args[0];
    EXPECT_EQ(without_timings(embedded(page)), without_timings(load_json(t.path() / (args[0] + ".json")))) << args[0];
  }
  // query: an archive of three of the reports, queried with the fourth
  const std::string archive = t.file("archive.db");
  const RunResult add = run_recur({"index", "add", archive, (ex / "haiyang.txt").string(), (ex / "qinghe.txt").string(),
                                   (ex / "yunshan.txt").string(), "-q"});
  ASSERT_EQ(add.status, 0) << describe(add);
  for (const std::string format : {"html", "json"}) {
    const RunResult q = run_recur({"query", archive, (ex / "jiangcheng.txt").string(), "--format", format, "-o",
                                   t.file("query." + format), "-q"});
    ASSERT_EQ(q.status, 0) << describe(q);
  }
  const std::string qpage = read_file(t.path() / "query.html");
  EXPECT_EQ(qpage.rfind(std::string(recur::kHtmlSignature) + "query\">", 0), 0u);
  EXPECT_EQ(without_timings(embedded(qpage)), without_timings(load_json(t.path() / "query.json")));

  const RunResult help = run_recur({"report", "--help"});
  EXPECT_NE(help.out.find("html (one self-contained page"), std::string::npos) << help.out;
  const RunResult bad = run_recur({"compare", (ex / "jiangcheng.txt").string(), (ex / "yunshan.txt").string(),
                                   "--format", "pdf"});
  EXPECT_EQ(bad.status, 2) << describe(bad);
}

TEST(HtmlCli, RunningTwiceWithTheHtmlReportInTheInputFolderNeverReadsIt) {
  TempDir t;
  const fs::path ex = fs::path(RECUR_SOURCE_DIR) / "examples" / "reports";
  for (const auto& f : fs::directory_iterator(ex)) fs::copy_file(f.path(), t.path() / f.path().filename());
  const std::vector<std::string> args = {"report", t.path().string(), "-o", t.file("report.txt"), "--format", "html", "-q"};
  const RunResult first = run_recur(args);
  ASSERT_EQ(first.status, 0) << describe(first);
  const RunResult second = run_recur(args);
  ASSERT_EQ(second.status, 0) << describe(second);
  const auto a = embedded(read_file(t.path() / "report.txt"));
  const RunResult third = run_recur(args);
  ASSERT_EQ(third.status, 0) << describe(third);
  const auto b = embedded(read_file(t.path() / "report.txt"));
  EXPECT_EQ(b["clusters"], a["clusters"]);
  ASSERT_EQ(b["skipped"].size(), 1u);
  EXPECT_EQ(b["skipped"][0]["code"], "recur_output");
}
