// End to end: `recur synth --passages` writes PAN data, `recur eval --pan` scores PAN detections.
#include <algorithm>

#include "recur/pan.hpp"
#include "test_util.hpp"

namespace {

using namespace recur_test;

// `recur synth --passages` into `dir`, small and fast.
RunResult synth_passages(const std::string& dir, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"synth", "--passages", "--pairs", "12", "--doc-size", "6kB", "-o", dir, "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_recur(args);
}

std::vector<fs::path> xml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".xml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The detections made from the truth of `truth_dir` by `change`, written as detected-plagiarism
// files under `out_dir`.
template <class Change>
void write_detections(const fs::path& truth_dir, const fs::path& out_dir, Change change) {
  for (const auto& f : xml_files(truth_dir)) {
    recur::PanDocument d = recur::parse_pan_xml(read_file(f));
    std::vector<recur::PanAnnotation> out;
    for (auto a : d.annotations) {
      a.name = "detected-plagiarism";
      a.obfuscation.clear();
      change(a, out);
    }
    d.annotations = out;
    std::ostringstream xml;
    recur::write_pan_xml(xml, d);
    write_file(out_dir / f.filename(), xml.str());
  }
}

nlohmann::json eval_json(const std::string& truth, const std::string& detections) {
  const RunResult r = run_recur({"eval", "--pan", truth, detections, "--format", "json"});
  EXPECT_EQ(r.status, 0) << describe(r);
  return nlohmann::json::parse(r.out);
}

TEST(PanCli, SynthPassagesWritesPanData) {
  TempDir t;
  const RunResult r = synth_passages(t.file("pan"));
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_NE(r.out.find("12 document pairs"), std::string::npos) << r.out;
  const fs::path out = t.path() / "pan";
  std::istringstream pairs(read_file(out / "pairs"));
  std::size_t lines = 0, cases = 0, checked = 0;
  for (std::string susp, src; pairs >> susp >> src; ++lines) {
    ASSERT_TRUE(fs::exists(out / "susp" / susp)) << susp;
    ASSERT_TRUE(fs::exists(out / "src" / src)) << src;
    const fs::path truth = out / "truth" / recur::pan_pair_file_name(susp, src);
    ASSERT_TRUE(fs::exists(truth)) << truth;
    const recur::PanDocument d = recur::parse_pan_xml(read_file(truth));
    EXPECT_EQ(d.reference, susp);
    // Offsets count code points of the files as written: copies edited at 0% are the source text
    // (or the same characters, when two sentences were swapped).
    const auto s = to_code_points(read_file(out / "susp" / susp)), o = to_code_points(read_file(out / "src" / src));
    for (const auto& a : d.annotations) {
      ++cases;
      EXPECT_EQ(a.name, "plagiarism");
      EXPECT_EQ(a.source_reference, src);
      ASSERT_LE(a.this_offset + a.this_length, s.size());
      ASSERT_LE(a.source_offset + a.source_length, o.size());
      if (a.obfuscation != "0") continue;
      std::vector<char32_t> x(s.begin() + a.this_offset, s.begin() + a.this_offset + a.this_length);
      std::vector<char32_t> y(o.begin() + a.source_offset, o.begin() + a.source_offset + a.source_length);
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      EXPECT_EQ(x, y) << truth;
      ++checked;
    }
  }
  EXPECT_EQ(lines, 12u);
  EXPECT_EQ(xml_files(out / "truth").size(), 12u);
  EXPECT_GT(cases, 6u);
  EXPECT_GT(checked, 0u);
  // Deterministic: the same seed writes the same bytes.
  ASSERT_EQ(synth_passages(t.file("again")).status, 0);
  for (const auto& sub : {"susp", "src", "truth"})
    for (const auto& e : fs::directory_iterator(out / sub))
      EXPECT_EQ(read_file(e.path()), read_file(t.path() / "again" / sub / e.path().filename())) << e.path();
  EXPECT_EQ(read_file(out / "pairs"), read_file(t.path() / "again" / "pairs"));
}

TEST(PanCli, SynthPassagesRefusesANonEmptyFolderAndModeMismatches) {
  TempDir t;
  write_file(t.path() / "out" / "mine.txt", "mine");
  const RunResult r = synth_passages(t.file("out"));
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << describe(r);
  EXPECT_EQ(read_file(t.path() / "out" / "mine.txt"), "mine");
  ASSERT_EQ(synth_passages(t.file("out"), {"--force"}).status, 0);
  EXPECT_FALSE(fs::exists(t.path() / "out" / "mine.txt"));
  EXPECT_TRUE(fs::exists(t.path() / "out" / "pairs"));

  const RunResult size = run_recur({"synth", "--passages", "--size", "1MB", "-o", t.file("x")});
  EXPECT_EQ(size.status, 2) << describe(size);
  EXPECT_EQ(size.err.rfind("recur synth: --size does not apply to --passages", 0), 0u) << describe(size);
  const RunResult pairs = run_recur({"synth", "--pairs", "3", "-o", t.file("x")});
  EXPECT_EQ(pairs.status, 2) << describe(pairs);
  EXPECT_NE(pairs.err.find("--pairs applies only with --passages"), std::string::npos) << describe(pairs);
  const RunResult share = run_recur({"synth", "--passages", "--unrelated", "2", "-o", t.file("x")});
  EXPECT_EQ(share.status, 2) << describe(share);
  EXPECT_NE(share.err.find("a number from 0 to 1"), std::string::npos) << describe(share);
  EXPECT_FALSE(fs::exists(t.path() / "x"));
}

TEST(PanCli, EvalPanScoresTruthAgainstDetections) {
  TempDir t;
  ASSERT_EQ(synth_passages(t.file("pan"), {"--unrelated", "0"}).status, 0);
  const fs::path truth = t.path() / "pan" / "truth";

  // The truth detects itself perfectly.
  write_detections(truth, t.path() / "perfect", [](auto a, auto& out) { out.push_back(a); });
  const auto p = eval_json(truth.string(), t.file("perfect"));
  EXPECT_DOUBLE_EQ(p["plagdet"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(p["precision"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(p["recall"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(p["granularity"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(p["micro"]["recall"].get<double>(), 1.0);
  EXPECT_EQ(p["cases"], p["detections"]);
  EXPECT_EQ(p["truth_files"], 12);
  ASSERT_FALSE(p["by_obfuscation"].empty());
  ASSERT_FALSE(p["by_length"].empty());
  for (const auto& row : p["by_obfuscation"]) EXPECT_DOUBLE_EQ(row["plagdet"].get<double>(), 1.0);

  // Every case found as two halves, in a subfolder (read one level down, as PAN does):
  // granularity 2, plagdet 1 / log2(3).
  write_detections(truth, t.path() / "halves" / "run1", [](auto a, auto& out) {
    auto first = a, second = a;
    first.this_length = a.this_length / 2;
    first.source_length = a.source_length / 2;
    second.this_offset += first.this_length;
    second.this_length -= first.this_length;
    second.source_offset += first.source_length;
    second.source_length -= first.source_length;
    out.push_back(first);
    out.push_back(second);
  });
  const auto h = eval_json(truth.string(), t.file("halves"));
  EXPECT_DOUBLE_EQ(h["granularity"].get<double>(), 2.0);
  EXPECT_NEAR(h["plagdet"].get<double>(), 0.6309, 1e-4);
  EXPECT_DOUBLE_EQ(h["precision"].get<double>(), 1.0);

  // Only the first case of each file detected, and nothing else: recall below 1, precision 1.
  write_detections(truth, t.path() / "some", [](auto a, auto& out) {
    if (out.empty()) out.push_back(a);
  });
  const auto s = eval_json(truth.string(), t.file("some"));
  EXPECT_LT(s["recall"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(s["precision"].get<double>(), 1.0);
  EXPECT_EQ(s["detected_cases"], s["detections"]);

  // The text form says the same.
  const RunResult text = run_recur({"eval", "--pan", truth.string(), t.file("halves")});
  ASSERT_EQ(text.status, 0) << describe(text);
  EXPECT_NE(text.out.find("plagdet 0.6309  precision 1.0000  recall 1.0000  granularity 2.0000"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("by obfuscation"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("by case length"), std::string::npos) << text.out;
}

TEST(PanCli, EvalPanErrors) {
  TempDir t;
  ASSERT_EQ(synth_passages(t.file("pan")).status, 0);
  const std::string truth = t.file("pan/truth");

  // No detections at all: scores 0, with a note.
  fs::create_directories(t.path() / "none");
  const RunResult none = run_recur({"eval", "--pan", truth, t.file("none"), "--format", "json"});
  ASSERT_EQ(none.status, 0) << describe(none);
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(none.out)["plagdet"].get<double>(), 0.0);
  EXPECT_NE(none.err.find("no *.xml file in DETECTIONS_DIR"), std::string::npos) << describe(none);

  // A malformed file is named, with its line.
  write_file(t.path() / "bad" / "x.xml",
             "<document reference=\"suspicious-document00001.txt\">\n<feature name=\"detected-plagiarism\" "
             "this_offset=\"1\"/>\n</document>\n");
  const RunResult bad = run_recur({"eval", "--pan", truth, t.file("bad")});
  EXPECT_EQ(bad.status, 1) << describe(bad);
  const std::string said = "recur eval: " + t.file("bad/x.xml") + ": line 2: the feature \"detected-plagiarism\"";
  EXPECT_EQ(bad.err.rfind(said + " has no this_length", 0), 0u) << describe(bad);

  // Detections of documents the truth does not know: another corpus.
  write_file(t.path() / "other" / "a.xml",
             "<document reference=\"elsewhere.txt\"><feature name=\"detected-plagiarism\" this_offset=\"0\" "
             "this_length=\"5\" source_reference=\"s.txt\" source_offset=\"0\" source_length=\"5\"/></document>");
  const RunResult other = run_recur({"eval", "--pan", truth, t.file("other")});
  EXPECT_EQ(other.status, 1) << describe(other);
  EXPECT_NE(other.err.find("another corpus"), std::string::npos) << describe(other);

  const RunResult missing = run_recur({"eval", "--pan", t.file("nowhere"), t.file("none")});
  EXPECT_EQ(missing.status, 1) << describe(missing);
  EXPECT_NE(missing.err.find("TRUTH_DIR " + t.file("nowhere") + " does not exist"), std::string::npos)
      << describe(missing);
  const RunResult empty_truth = run_recur({"eval", "--pan", t.file("none"), t.file("none")});
  EXPECT_EQ(empty_truth.status, 1) << describe(empty_truth);
  EXPECT_NE(empty_truth.err.find("no *.xml file in TRUTH_DIR"), std::string::npos) << describe(empty_truth);

  const RunResult both = run_recur({"eval", "r.json", "--pan", truth, t.file("none")});
  EXPECT_EQ(both.status, 2) << describe(both);
  EXPECT_NE(both.err.find("takes the place of REPORT"), std::string::npos) << describe(both);
  const RunResult neither = run_recur({"eval"});
  EXPECT_EQ(neither.status, 2) << describe(neither);
  EXPECT_EQ(neither.err.rfind("recur eval: REPORT and --truth", 0), 0u) << describe(neither);
  const RunResult one = run_recur({"eval", "--pan", truth});
  EXPECT_EQ(one.status, 2) << describe(one);
}

}  // namespace
