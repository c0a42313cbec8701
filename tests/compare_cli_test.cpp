// `recur compare` end to end: the binary on files written to a temporary folder.
#include <gtest/gtest.h>

#include <random>

#include "recur/pan.hpp"
#include "test_util.hpp"

namespace {

using namespace recur_test;

std::string paragraph(std::mt19937_64& rng, std::size_t chars) { return join(random_paragraph(rng, chars, chars)); }

// Two reports sharing one long passage (verbatim) and one edited sentence, around text of their own.
struct Pair {
  TempDir dir;
  std::string a, b, shared, sentence;
  Pair() {
    std::mt19937_64 rng(5);
    shared = paragraph(rng, 120);
    sentence = join(random_sentence(rng, 40));
    a = "　　" + paragraph(rng, 150) + "\n　　" + shared + "\n　　" + paragraph(rng, 100) + sentence + "\n";
    b = "　　" + sentence + paragraph(rng, 90) + "\n　　" + paragraph(rng, 200) + "\n　　" + shared + "\n";
    write_file(dir.file("a.txt"), a);
    write_file(dir.file("b.txt"), b);
  }
};

TEST(CompareCli, JsonPassagesPointIntoBothFiles) {
  Pair p;
  const RunResult r = run_recur({"compare", p.dir.file("a.txt"), p.dir.file("b.txt"), "--format", "json", "-o",
                                 p.dir.file("ab.json")});
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto j = load_json(p.dir.file("ab.json"));
  ASSERT_EQ(j["passages"].size(), 2u) << j.dump(1);
  for (const auto& ps : j["passages"]) {
    for (const char* side : {"a", "b"}) {
      const auto& s = ps[side];
      const std::string bytes = side[0] == 'a' ? p.a : p.b;
      const auto start = s["byte_start"].get<std::size_t>(), end = s["byte_end"].get<std::size_t>();
      EXPECT_EQ(s["text"].get<std::string>(), bytes.substr(start, end - start));
      EXPECT_EQ(s["line"].get<std::size_t>(), static_cast<std::size_t>(std::count(bytes.begin(), bytes.begin() + start, '\n') + 1));
      EXPECT_EQ(s["char_start"].get<std::size_t>(), utf8_length(bytes.substr(0, start)));
    }
    EXPECT_EQ(ps["kind"], "exact");
    EXPECT_EQ(ps["template"], false);
  }
  // The long passage is the whole shared paragraph on both sides.
  const auto& p0 = j["passages"][0];
  const auto& p1 = j["passages"][1];
  const auto& first = p0["a"]["content_chars"].get<std::size_t>() > p1["a"]["content_chars"].get<std::size_t>() ? p0 : p1;
  // Passages run from the first to the last content character: the final 。 is not part of it.
  EXPECT_EQ(first["a"]["text"].get<std::string>() + "。", p.shared);
  EXPECT_EQ(first["b"]["text"].get<std::string>() + "。", p.shared);
  const double a_in_b = j["coverage"]["a_in_b"].get<double>();
  EXPECT_GT(a_in_b, 0.3);
  EXPECT_LT(a_in_b, 0.5);
  EXPECT_EQ(j["a"]["path"], p.dir.file("a.txt"));
}

TEST(CompareCli, TextShowsCoverageAndMarksDifferencesWithoutColour) {
  Pair p;
  std::string b = p.b;
  const std::size_t at = b.find(p.shared) + 30;  // edit one character of the shared paragraph in B
  b.replace(at, 3, "改");
  write_file(p.dir.file("b.txt"), b);
  const RunResult r = run_recur({"compare", p.dir.file("a.txt"), p.dir.file("b.txt"), "--color", "never"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_NE(r.out.find("of A is found in B"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{+改+}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("edited"), std::string::npos) << r.out;
}

TEST(CompareCli, DocumentsOfACompilation) {
  Pair p;
  write_file(p.dir.file("all.txt"), "甲地综述\n" + p.a + "乙地综述\n" + p.b);
  const RunResult r = run_recur({"compare", p.dir.file("all.txt") + "#2", p.dir.file("all.txt") + "#1", "--doc-split",
                                 "综述$", "--format", "json"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto j = nlohmann::ordered_json::parse(r.out);
  EXPECT_EQ(j["a"]["document"], "乙地综述");
  EXPECT_EQ(j["b"]["document"], "甲地综述");
  EXPECT_EQ(j["passages"].size(), 2u);
  const RunResult missing = run_recur({"compare", p.dir.file("all.txt") + "#3", p.dir.file("all.txt") + "#1",
                                       "--doc-split", "综述$"});
  EXPECT_EQ(missing.status, 2) << describe(missing);
  EXPECT_NE(missing.err.find("has 2 documents"), std::string::npos) << missing.err;
}

TEST(CompareCli, PanOutputOfOnePairAndOfABatch) {
  Pair p;
  const RunResult one = run_recur({"compare", p.dir.file("a.txt"), p.dir.file("b.txt"), "--format", "pan"});
  ASSERT_EQ(one.status, 0) << describe(one);
  const recur::PanDocument doc = recur::parse_pan_xml(one.out);
  EXPECT_EQ(doc.reference, "a.txt");
  ASSERT_EQ(doc.annotations.size(), 2u);
  const std::vector<std::string> chars = split_utf8(p.a);
  for (const auto& an : doc.annotations) {
    EXPECT_EQ(an.source_reference, "b.txt");
    ASSERT_LE(an.this_offset + an.this_length, chars.size());
    const std::string text = join(std::vector<std::string>(chars.begin() + static_cast<std::ptrdiff_t>(an.this_offset),
                                                           chars.begin() + static_cast<std::ptrdiff_t>(an.this_offset + an.this_length)));
    EXPECT_NE(p.b.find(text), std::string::npos) << "a PAN offset in characters of A leads to text B has";
  }

  write_file(p.dir.file("susp/s1.txt"), p.a);
  write_file(p.dir.file("src/r1.txt"), p.b);
  std::mt19937_64 other(9);
  write_file(p.dir.file("src/r2.txt"), paragraph(other, 300));
  write_file(p.dir.file("pairs"), "s1.txt r1.txt\ns1.txt r2.txt\n\n");
  const std::vector<std::string> batch = {"compare", "--pairs", p.dir.file("pairs"), "--susp", p.dir.file("susp"),
                                          "--src", p.dir.file("src"), "--format", "pan", "-o", p.dir.file("out")};
  const RunResult r = run_recur(batch);
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(recur::parse_pan_xml(read_file(p.dir.file("out/s1-r1.xml"))).annotations.size(), 2u);
  EXPECT_TRUE(recur::parse_pan_xml(read_file(p.dir.file("out/s1-r2.xml"))).annotations.empty());
  // A non-empty output folder is replaced only with --force.
  const RunResult again = run_recur(batch);
  EXPECT_EQ(again.status, 2) << describe(again);
  std::vector<std::string> forced = batch;
  forced.push_back("--force");
  EXPECT_EQ(run_recur(forced).status, 0);
  // A malformed pairs line is named.
  write_file(p.dir.file("pairs"), "s1.txt\n");
  const RunResult bad = run_recur(forced);
  EXPECT_EQ(bad.status, 2) << describe(bad);
  EXPECT_NE(bad.err.find("pairs:1"), std::string::npos) << bad.err;
}

TEST(CompareCli, ClearErrorsAndInputsNeverOverwritten) {
  Pair p;
  RunResult r = run_recur({"compare", p.dir.file("a.txt")});
  EXPECT_EQ(r.status, 2) << describe(r);
  r = run_recur({"compare", p.dir.file("a.txt"), p.dir.path().string()});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_NE(r.err.find("directory"), std::string::npos) << r.err;
  r = run_recur({"compare", p.dir.file("a.txt"), p.dir.file("missing.txt")});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_NE(r.err.find("missing.txt"), std::string::npos) << r.err;
  r = run_recur({"compare", p.dir.file("a.txt"), p.dir.file("b.txt"), "-o", p.dir.file("b.txt")});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_EQ(read_file(p.dir.file("b.txt")), p.b) << "an input is never overwritten";
  write_file(p.dir.file("empty.txt"), "");
  r = run_recur({"compare", p.dir.file("a.txt"), p.dir.file("empty.txt")});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
}

}  // namespace
