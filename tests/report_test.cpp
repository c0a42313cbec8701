// Tests for report.hpp: the JSON writer streams the clusters itself, so its bytes are checked
// against the layout (json_layout.hpp: dump(2)'s, a member a line) of the same document parsed.
#include "recur/report.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "json_layout.hpp"

namespace {

recur::Member member(std::string path, std::string text, double similarity) {
  recur::Member m;
  m.path = std::move(path);
  m.document = m.path;
  m.document_index = 1;
  m.paragraph = 3;
  m.line = 7;
  m.line_end = 8;
  m.byte_start = 4294967296ULL + 12;  // beyond 32 bits
  m.byte_end = m.byte_start + m.text.size() + 5;
  m.similarity = similarity;
  m.text = std::move(text);
  return m;
}

recur::Report sample_report() {
  recur::Report r;
  r.version = "test";
  r.options["threshold"] = 0.5;
  r.stats.files = 2;
  r.stats.seconds = {{"index", 0.25}, {"total", 1.0}};
  r.skipped.emplace_back("bad\"path", "binary file", recur::StatusCode::binary);
  r.warnings.push_back("a warning with \\ and \t");
  recur::ReportCluster c1;
  c1.id = 1;
  c1.representative = 1;
  c1.members.push_back(member("dir/we\"ird\\name.txt", "引号\"内\"\\斜杠\t制表\x01\x1f\x7f。", 0.923077));
  c1.members.push_back(member("a.txt", "组织工作\r\n换行", 1.0));
  c1.members.push_back(member("b.txt", "", 0.5));
  recur::ReportCluster c2;
  c2.id = 2;
  c2.members.push_back(member("c.txt", "短", 1.0 / 3.0));
  c2.members.push_back(member("bad \xFF.txt", "正文", 0.7));  // a path need not be UTF-8
  r.clusters = {c1, c2};
  return r;
}

std::string json_of(const recur::Report& r) {
  std::ostringstream out;
  recur::write_json(r, out);
  return out.str();
}

TEST(WriteJson, IsExactlyTheLayoutOfItsOwnParse) {
  const std::string text = json_of(sample_report());
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  const auto parsed = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(recur_test::report_layout(parsed) + "\n", text);
  const auto& members = parsed["clusters"][0]["members"];
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0]["path"], "dir/we\"ird\\name.txt");
  EXPECT_EQ(members[0]["text"], "引号\"内\"\\斜杠\t制表\x01\x1f\x7f。");
  EXPECT_EQ(members[0]["similarity"], 0.923077);
  EXPECT_EQ(members[0]["byte_start"], 4294967308ULL);
  EXPECT_EQ(members[1]["text"], "组织工作\r\n换行");
  EXPECT_EQ(parsed["clusters"][0]["size"], 3);
  EXPECT_EQ(parsed["clusters"][0]["representative"], 1);
  // Invalid UTF-8 in a path is replaced, as nlohmann's writer would. (A member's text is
  // well-formed by construction: make_member, tested in stages_test.)
  EXPECT_EQ(parsed["clusters"][1]["members"][1]["path"], "bad \xEF\xBF\xBD.txt");
  EXPECT_EQ(parsed["clusters"][1]["members"][0]["similarity"], 0.333333);
  EXPECT_EQ(parsed["skipped"][0]["path"], "bad\"path");
}

// Texts escaped eight bytes at a time: every character that needs escaping, at every position
// of a word, next to CJK bytes, and at the end, against nlohmann's own writer.
TEST(WriteJson, TextEscapesAtEveryPositionOfAWord) {
  const std::string specials[] = {"\"", "\\", "\n", "\r", "\t", "\b", "\f", std::string(1, '\0'), "\x01", "\x1f"};
  recur::Report r;
  recur::ReportCluster c;
  for (const std::string& sp : specials)
    for (std::size_t at = 0; at < 17; ++at) {
      std::string text = std::string(at, 'a') + sp + "组织" + std::string(at % 5, ' ') + sp;
      c.members.push_back(member("p.txt", text, 1.0));
      c.members.push_back(member("p.txt", "中文" + std::string(at, 'x') + sp, 1.0));
    }
  r.clusters = {c};
  const std::string text = json_of(r);
  const auto parsed = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(recur_test::report_layout(parsed) + "\n", text);
  const auto& members = parsed["clusters"][0]["members"];
  ASSERT_EQ(members.size(), c.members.size());
  for (std::size_t i = 0; i < members.size(); ++i) EXPECT_EQ(members[i]["text"], c.members[i].text) << i;
}

TEST(WriteJson, NoClustersGiveAnEmptyArray) {
  recur::Report r = sample_report();
  r.clusters.clear();
  const std::string text = json_of(r);
  const auto parsed = nlohmann::ordered_json::parse(text);
  EXPECT_TRUE(parsed["clusters"].is_array());
  EXPECT_TRUE(parsed["clusters"].empty());
  EXPECT_EQ(recur_test::report_layout(parsed) + "\n", text);
}

TEST(WriteJson, AClusterWithoutMembersStaysValid) {
  recur::Report r = sample_report();
  r.clusters[1].members.clear();
  const std::string text = json_of(r);
  const auto parsed = nlohmann::ordered_json::parse(text);
  EXPECT_TRUE(parsed["clusters"][1]["members"].empty());
  EXPECT_EQ(recur_test::report_layout(parsed) + "\n", text);
}

}  // namespace
