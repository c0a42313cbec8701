/// \file corpus_test.cpp
/// End-to-end test on the real reports in ../shared/corpus (skipped when it is not there):
/// the contract checker passes, --threads does not change the result, and the paragraphs of
/// 001_*.txt that are verbatim repeats are clustered together at the right lines. The repeats
/// are found here independently, from the raw lines of the file.
#include <gtest/gtest.h>

#include <cctype>
#include <iostream>
#include <map>
#include <regex>
#include <set>

#include "test_util.hpp"

using namespace recur_test;

namespace {

fs::path corpus_dir() { return shared_dir() / "corpus"; }

/// The file of the corpus whose name starts with `prefix`, or empty.
std::string corpus_file(const std::string& prefix) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(corpus_dir()))
    if (e.is_regular_file() && e.path().filename().string().rfind(prefix, 0) == 0)
      found.push_back(e.path().string());
  std::sort(found.begin(), found.end());
  return found.empty() ? std::string() : found.front();
}

const std::string kIndent = "　　";  // two U+3000

/// Removes leading and trailing ASCII whitespace and U+3000.
std::string trim(std::string s) {
  auto strip_front = [&] {
    if (!s.empty() && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r')) { s.erase(0, 1); return true; }
    if (s.rfind("\u3000", 0) == 0) { s.erase(0, 3); return true; }
    return false;
  };
  auto strip_back = [&] {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) { s.pop_back(); return true; }
    if (s.size() >= 3 && s.compare(s.size() - 3, 3, "\u3000") == 0) { s.resize(s.size() - 3); return true; }
    return false;
  };
  while (strip_front()) {}
  while (strip_back()) {}
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool ends_sentence(const std::string& t) {
  return ends_with(t, "。") || ends_with(t, "！") || ends_with(t, "？");
}

/// Han characters plus ASCII letters and digits: what is left without punctuation and spaces.
std::size_t content_chars(const std::string& t) {
  std::size_t n = 0;
  for (char32_t c : to_code_points(t))
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c < 0x80 && std::isalnum(static_cast<int>(c)))) ++n;
  return n;
}

/// A heading such as "一、..." or "（三）..." of at most 38 characters.
bool is_heading(const std::string& t) {
  static const std::regex numbered("^(([一二三四五六七八九十]+、)|(（[一二三四五六七八九十]+）)|([0-9]+[.．、])).*");
  return utf8_length(t) <= 38 && std::regex_match(t, numbered);
}

/// Verbatim repeats of 001: line text -> the 1-based lines where it is a whole paragraph.
/// Conservative: a line counts only when it surely starts a paragraph (it is indented, or the
/// line before is empty, ends a sentence, is a heading or is short) and surely ends one (it ends a
/// sentence, or the next line is indented, empty or missing), whatever the paragraph mode.
std::map<std::string, std::vector<std::uint64_t>> whole_paragraph_repeats(const std::string& bytes) {
  static const std::regex markers("##paid(begin|end)##");
  std::vector<std::string> raw;  // marker-free lines, '\r' removed
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t nl = bytes.find('\n', pos);
    if (nl == std::string::npos) nl = bytes.size();
    std::string line = std::regex_replace(bytes.substr(pos, nl - pos), markers, "");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    raw.push_back(line);
    pos = nl + 1;
  }
  std::map<std::string, std::vector<std::uint64_t>> occurrences;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string t = trim(raw[i]);
    if (content_chars(t) < 15) continue;
    const std::string prev = i > 0 ? trim(raw[i - 1]) : std::string();
    const bool next_missing = i + 1 >= raw.size();
    const std::string next = next_missing ? std::string() : raw[i + 1];
    const bool starts = raw[i].rfind(kIndent, 0) == 0 || i == 0 || prev.empty() ||
                        ends_sentence(prev) || is_heading(prev) || utf8_length(prev) < 16;
    const bool next_starts = next_missing || next.rfind(kIndent, 0) == 0 || trim(next).empty();
    if (starts && (ends_sentence(t) || next_starts)) occurrences[t].push_back(i + 1);
  }
  for (auto it = occurrences.begin(); it != occurrences.end();)
    it = it->second.size() >= 2 ? std::next(it) : occurrences.erase(it);
  return occurrences;
}

/// Document names of 001 by line: the nearest line at or before it matching 综述$ (trimmed).
std::vector<std::string> document_of_lines(const std::string& bytes) {
  std::vector<std::string> doc{""};
  std::string current;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t nl = bytes.find('\n', pos);
    if (nl == std::string::npos) nl = bytes.size();
    std::string line = bytes.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (ends_with(line, "综述")) current = trim(line);
    doc.push_back(current);
    pos = nl + 1;
  }
  return doc;
}

class Corpus : public ::testing::Test {
 protected:
  void SetUp() override {
    std::error_code ec;
    if (!fs::is_directory(corpus_dir(), ec)) GTEST_SKIP() << "no corpus at " << corpus_dir();
    if (corpus_file("001_").empty()) GTEST_SKIP() << "no 001_*.txt in " << corpus_dir();
  }
  RunResult run(const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"report",      fs::absolute(corpus_dir()).lexically_normal().string(),
                                  "--doc-split", "综述$",
                                  "--strip",     "##paid(begin|end)##",
                                  "--format",    "json",
                                  "-o",          out};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_recur(args);
  }
  TempDir tmp;
};

// Every verbatim repeat, headings and titles included (--structure keep), is clustered.
TEST_F(Corpus, VerbatimRepeatsOf001AreClusteredAtTheirLines) {
  const std::string out = tmp.file("r.json");
  const RunResult r = run(out, {"--structure", "keep"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(out);
  expect_report_shape(j);
  expect_members_match_files(j);
  expect_check_report_passes(out);

  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(corpus_dir()))
    if (e.is_regular_file() && e.path().extension() == ".txt") ++files;
  EXPECT_EQ(get_u64(j["stats"], "files"), files);
  EXPECT_EQ(get_u64(j["stats"], "files_read"), files);
  // Documents: every line ending in 综述 starts one, plus the text before the first such line
  // (or the whole file when there is none).
  std::uint64_t documents = 0;
  for (const auto& e : fs::recursive_directory_iterator(corpus_dir())) {
    if (!e.is_regular_file() || e.path().extension() != ".txt") continue;
    bool preamble = false;
    std::uint64_t splits = 0;
    const std::string text = read_file(e.path());
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      std::string line = text.substr(pos, nl - pos);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (ends_with(line, "综述")) ++splits;
      else if (splits == 0 && !trim(line).empty()) preamble = true;
      pos = nl + 1;
    }
    documents += splits + (preamble || splits == 0 ? 1 : 0);
  }
  EXPECT_EQ(get_u64(j["stats"], "documents"), documents) << "--doc-split '综述$'";

  const std::string f001 = corpus_file("001_");
  const std::string bytes = read_file(f001);
  const auto repeats = whole_paragraph_repeats(bytes);
  const auto docs = document_of_lines(bytes);
  ASSERT_GE(repeats.size(), 5u) << "the corpus should have repeated paragraphs in 001";
  // The JSON path is the directory argument joined with the file name.
  const std::string f001_path =
      (fs::absolute(corpus_dir()).lexically_normal() / fs::path(f001).filename()).string();

  std::size_t checked = 0;
  for (const auto& [text, lines] : repeats) {
    const int c = cluster_of(j, f001_path, lines[0]);
    EXPECT_GE(c, 0) << "001 line " << lines[0] << " (" << text << ") is not in any cluster";
    if (c < 0) continue;
    for (std::uint64_t line : lines) {
      EXPECT_EQ(cluster_of(j, f001_path, line), c)
          << "\"" << text << "\" on lines " << lines[0] << " and " << line
          << " of 001 are not in one cluster";
      const Json* m = member_at(j, f001_path, line);
      if (m == nullptr) continue;
      ++checked;
      EXPECT_EQ(get_u64(*m, "line_end"), line) << "a one-line paragraph";
      EXPECT_EQ((*m)["text"].get<std::string>(), text) << "line " << line;
      if (!docs[line].empty()) {
        EXPECT_EQ((*m)["document"].get<std::string>(), docs[line])
            << "line " << line << " belongs to the document starting at the --doc-split line";
      }
    }
  }
  std::cout << "corpus: " << repeats.size() << " repeated whole paragraphs in 001, " << checked
            << " occurrences checked; " << j["clusters"].size() << " clusters in all" << std::endl;
}

TEST_F(Corpus, ThreadCountDoesNotChangeTheReport) {
  const std::string a = tmp.file("t1.json"), b = tmp.file("t2.json");
  const RunResult r1 = run(a, {"--threads", "1"});
  ASSERT_EQ(r1.status, 0) << describe(r1);
  const RunResult r2 = run(b, {"--threads", "2"});
  ASSERT_EQ(r2.status, 0) << describe(r2);
  expect_check_report_passes(a, b);
  EXPECT_EQ(without_timings(load_json(a)).dump(), without_timings(load_json(b)).dump());
  EXPECT_EQ(raw_without_timings(read_file(a)), raw_without_timings(read_file(b)))
      << "the JSON files should be byte-identical apart from timings";
}

// Issue "Reports an auditor can read": by default the first ten clusters are body text reused
// across reports, not titles, table-of-contents lines, headings or signatures.
TEST_F(Corpus, TheFirstClustersAreBodyTextReusedAcrossReports) {
  const std::string out = tmp.file("body.json");
  const RunResult r = run(out);
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(out);
  expect_report_shape(j);
  const Json& kinds = j["stats"]["paragraphs_by_kind"];
  EXPECT_GE(kinds["toc"].get<std::uint64_t>(), 70u) << "001's table of contents lists 76 reports";
  EXPECT_GE(kinds["title"].get<std::uint64_t>(), 76u) << "every report of 001 has a title line";
  ASSERT_GE(j["clusters"].size(), 10u);
  std::uint64_t previous = UINT64_MAX;
  for (std::size_t c = 0; c < 10; ++c) {
    const Json& cl = j["clusters"][c];
    std::set<std::string> documents;
    for (const Json& m : cl["members"]) {
      EXPECT_EQ(m["kind"], "body") << "cluster " << cl["id"];
      EXPECT_GE(m["content_chars"].get<std::uint64_t>(), 25u) << "cluster " << cl["id"] << ": " << m["text"];
      documents.insert(m["path"].get<std::string>() + "#" + std::to_string(m["document_index"].get<int>()));
    }
    EXPECT_GE(documents.size(), 2u) << "cluster " << cl["id"] << " is within one report";
    // Ordered by reused weight.
    const std::uint64_t w = cl["weight"].get<std::uint64_t>();
    EXPECT_LE(w, previous);
    previous = w;
  }
}

}  // namespace
