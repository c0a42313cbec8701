/// \file cli_test.cpp
/// End-to-end tests of `recur report`: runs the built binary on generated corpora with planted
/// near-duplicates and checks the output against the contract and against what was planted.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "test_util.hpp"

using namespace recur_test;

namespace {

// ------------------------------------------------------------------ generated corpora --------

/// A paragraph written on purpose, with where it was written.
struct Planted {
  int family = 0;
  bool original = false;
  double rate = 0;       ///< edit rate of a copy
  bool swapped = false;  ///< two sentences swapped
  std::string path;
  std::uint64_t line = 0, line_end = 0, byte_start = 0, byte_end = 0, paragraph = 0;
  std::string text;
};

/// A generated directory of files.
struct Corpus {
  std::string dir;
  std::vector<std::string> files;  ///< every matching file, absolute
  std::vector<Planted> planted;
  std::uint64_t paragraphs = 0, bytes = 0;
  int families = 0;
};

/// A line of a file being generated: text and the planted paragraph it holds (-1 = background).
struct Entry {
  std::vector<std::string> cps;
  int planted = -1;
};

/// Writes `lines` (one paragraph per line) to `path`, filling in the planted positions. When
/// `blank_lines`, an empty line goes before every 7th paragraph, so line and paragraph numbers differ.
void write_line_file(const std::string& path, const std::vector<Entry>& lines, Corpus& corpus,
                     bool blank_lines = false) {
  std::string bytes;
  std::uint64_t line = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (blank_lines && i % 7 == 3) {
      bytes += '\n';
      ++line;
    }
    ++line;
    const std::string text = join(lines[i].cps);
    if (lines[i].planted >= 0) {
      Planted& p = corpus.planted[static_cast<std::size_t>(lines[i].planted)];
      p.path = path;
      p.line = p.line_end = line;
      p.paragraph = i + 1;
      p.byte_start = bytes.size();
      p.byte_end = bytes.size() + text.size();
      p.text = text;
    }
    bytes += text;
    bytes += '\n';
  }
  write_file(path, bytes);
  corpus.files.push_back(path);
  corpus.paragraphs += lines.size();
  corpus.bytes += bytes.size();
}

std::vector<std::string> flatten(const std::vector<std::vector<std::string>>& sentences) {
  std::vector<std::string> out;
  for (const auto& s : sentences) out.insert(out.end(), s.begin(), s.end());
  return out;
}

constexpr double kRates[] = {0.0, 0.04, 0.08, 0.12};

/// ~40 files of random background paragraphs (one per line) with ~30 planted families: an
/// original and 2-4 copies in other files, each copy edited at 0, 4, 8 or 12% of its characters
/// (substitutions, insertions, deletions), a third of them with two sentences swapped.
/// Files 30.. go to a subdirectory; a few files that do not match *.txt are added too.
Corpus make_planted_corpus(const fs::path& dir, std::uint64_t seed, int files = 40,
                           int families = 30) {
  std::mt19937_64 rng(seed);
  Corpus corpus;
  corpus.dir = dir.string();
  corpus.families = families;
  std::vector<std::vector<Entry>> content(static_cast<std::size_t>(files));
  for (auto& f : content) {
    const std::size_t n = uniform(rng, 20, 32);
    for (std::size_t i = 0; i < n; ++i) f.push_back({flatten(random_paragraph(rng, 60, 250)), -1});
  }
  auto place = [&](std::size_t file, Entry e) {
    auto& f = content[file];
    f.insert(f.begin() + static_cast<std::ptrdiff_t>(uniform(rng, f.size() + 1)), std::move(e));
  };
  std::size_t copy_counter = 0;
  for (int fam = 0; fam < families; ++fam) {
    const auto sentences = random_paragraph(rng, 60, 250);
    const std::size_t copies = uniform(rng, 2, 4);
    std::vector<std::size_t> order(static_cast<std::size_t>(files));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (std::size_t i = 0; i < copies + 1; ++i)  // partial Fisher-Yates: distinct files
      std::swap(order[i], order[i + uniform(rng, order.size() - i)]);
    Planted orig;
    orig.family = fam;
    orig.original = true;
    corpus.planted.push_back(orig);
    place(order[0], {flatten(sentences), static_cast<int>(corpus.planted.size() - 1)});
    for (std::size_t c = 0; c < copies; ++c) {
      Planted p;
      p.family = fam;
      p.rate = kRates[copy_counter++ % 4];
      auto s = sentences;
      if (s.size() >= 2 && chance(rng, 1.0 / 3)) {
        const std::size_t a = uniform(rng, s.size());
        std::size_t b = uniform(rng, s.size() - 1);
        if (b >= a) ++b;
        std::swap(s[a], s[b]);
        p.swapped = true;
      }
      corpus.planted.push_back(p);
      place(order[c + 1],
            {random_edits(rng, flatten(s), p.rate), static_cast<int>(corpus.planted.size() - 1)});
    }
  }
  for (int i = 0; i < files; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%sr%02d.txt", i >= 30 ? "sub/" : "", i);
    write_line_file((dir / name).string(), content[static_cast<std::size_t>(i)], corpus, i % 2 == 1);
  }
  // Not *.txt: must not be read.
  write_file(dir / "notes.md", join(flatten(random_paragraph(rng, 60, 100))) + "\n");
  write_file(dir / "sub" / "README", "not a report\n");
  std::sort(corpus.files.begin(), corpus.files.end());
  return corpus;
}

/// The planted corpus and its default JSON report, made once for all tests.
struct PlantedRun {
  TempDir tmp;
  Corpus corpus;
  RunResult run;
  std::string json_path;
  Json report;
};

const PlantedRun& planted_run() {
  static PlantedRun p;  // destroyed at exit, which removes its directory
  static const bool done = [] {
    p.corpus = make_planted_corpus(p.tmp.path() / "reports", 20240611);
    p.json_path = p.tmp.file("report.json");
    p.run = run_recur({"report", p.corpus.dir, "--format", "json", "-o", p.json_path});
    if (p.run.status == 0 && fs::exists(p.json_path)) {
      try {
        p.report = load_json(p.json_path);
      } catch (const std::exception& e) {
        std::cerr << "report.json does not parse: " << e.what() << "\n";
      }
    }
    return true;
  }();
  (void)done;
  return p;
}

#define REQUIRE_PLANTED_RUN(pr)                                                       \
  const PlantedRun& pr = planted_run();                                               \
  ASSERT_EQ(pr.run.status, 0) << describe(pr.run);                                     \
  ASSERT_TRUE(pr.report.is_object()) << "no parseable JSON report at " << pr.json_path

/// Pairwise quality of a report against the planted families.
struct Quality {
  std::uint64_t tp = 0, fp = 0, fn = 0, true_pairs = 0;
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / double(tp + fp); }
  double recall() const { return true_pairs == 0 ? 1.0 : double(tp) / double(true_pairs); }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
};

/// Predicted pairs are pairs of paragraphs in one cluster; true pairs are pairs of planted
/// paragraphs of one family. A clustered background paragraph makes every pair it is in false.
Quality planted_quality(const Json& report, const Corpus& corpus) {
  std::map<std::pair<std::string, std::uint64_t>, int> family_of;
  std::map<int, std::uint64_t> family_size;
  for (const auto& p : corpus.planted) {
    family_of[{p.path, p.line}] = p.family;
    ++family_size[p.family];
  }
  Quality q;
  for (const auto& [f, n] : family_size) q.true_pairs += n * (n - 1) / 2;
  for (const auto& c : report["clusters"]) {
    std::vector<int> fam;
    for (const auto& m : c["members"]) {
      auto it = family_of.find({m["path"].get<std::string>(), get_u64(m, "line")});
      fam.push_back(it == family_of.end() ? -1 : it->second);
    }
    for (std::size_t i = 0; i < fam.size(); ++i)
      for (std::size_t j = i + 1; j < fam.size(); ++j)
        (fam[i] >= 0 && fam[i] == fam[j] ? q.tp : q.fp) += 1;
  }
  q.fn = q.true_pairs - q.tp;
  return q;
}

/// Checks that every clustered planted member sits exactly where it was written.
void expect_planted_positions(const Json& report, const Corpus& corpus) {
  std::map<std::pair<std::string, std::uint64_t>, const Planted*> at;
  for (const auto& p : corpus.planted) at[{p.path, p.line}] = &p;
  for (const auto& c : report["clusters"])
    for (const auto& m : c["members"]) {
      auto it = at.find({m["path"].get<std::string>(), get_u64(m, "line")});
      if (it == at.end()) continue;
      const Planted& p = *it->second;
      EXPECT_EQ(get_u64(m, "line_end"), p.line_end) << p.path << ":" << p.line;
      EXPECT_EQ(get_u64(m, "byte_start"), p.byte_start) << p.path << ":" << p.line;
      EXPECT_EQ(get_u64(m, "byte_end"), p.byte_end) << p.path << ":" << p.line;
      EXPECT_EQ(get_u64(m, "paragraph"), p.paragraph) << p.path << ":" << p.line;
      EXPECT_EQ(m["text"].get<std::string>(), p.text) << p.path << ":" << p.line;
    }
}


// ------------------------------------------------------------------ usage ---------------------

TEST(Cli, HelpMentionsEveryOption) {
  const RunResult r = run_recur({"report", "--help"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const std::string help = r.out + r.err;
  for (const char* opt : {"--glob", "--encoding", "--simplify", "--strip", "--doc-split",
                          "--paragraphs", "--min-chars", "--shingle", "--perms", "--seed",
                          "--threshold", "--bands", "--rows", "--no-verify", "--no-text", "--threads",
                          "--format", "-o", "--output", "--quiet", "--top", "--color"})
    EXPECT_TRUE(contains(help, opt)) << "`recur report --help` does not mention " << opt << "\n" << help;

  const RunResult top = run_recur({"--help"});
  EXPECT_EQ(top.status, 0) << describe(top);
  EXPECT_TRUE(contains(top.out + top.err, "report")) << "`recur --help` should list the report command";
}

TEST(Cli, UnknownOptionIsUsageError) {
  TempDir tmp;
  write_file(tmp.file("a.txt"), "这是一个足够长的测试段落，用来检查命令行参数。\n");
  const RunResult r = run_recur({"report", tmp.path().string(), "--no-such-option"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_FALSE(r.err.empty()) << "a usage error needs a message on stderr";
  EXPECT_TRUE(contains(r.err, "no-such-option")) << "the message should name the option\n" << r.err;

  const RunResult sub = run_recur({"frobnicate", tmp.path().string()});
  EXPECT_EQ(sub.status, 2) << describe(sub);
}

TEST(Cli, InvalidOptionValuesAreUsageErrors) {
  TempDir tmp;
  write_file(tmp.file("a.txt"), "这是一个足够长的测试段落，用来检查命令行参数。\n");
  const std::string dir = tmp.path().string();
  const std::vector<std::vector<std::string>> cases = {
      {"report"},  // no PATH
      {"report", dir, "--paragraphs", "sometimes"},
      {"report", dir, "--format", "xml"},
      {"report", dir, "--color", "purple"},
      {"report", dir, "--threshold", "1.5"},
      {"report", dir, "--threshold", "-0.1"},
      {"report", dir, "--threshold", "abc"},
      {"report", dir, "--threads", "many"},
      {"report", dir, "--perms", "0"},
      {"report", dir, "--shingle", "0"},
      {"report", dir, "--bands", "100", "--rows", "100"},  // 10000 rows > 128 permutations
      {"report", dir, "--strip", "(unclosed"},
      {"report", dir, "--doc-split", "[unclosed"},
      {"report", dir, "--encoding", "no-such-charset-xyz"},
  };
  for (const auto& args : cases) {
    const RunResult r = run_recur(args);
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_FALSE(r.err.empty()) << "no message for: " << r.command;
  }
}

// ------------------------------------------------------------------ JSON ----------------------

TEST(Cli, JsonReportHasContractKeysAndAccountsForEveryFile) {
  REQUIRE_PLANTED_RUN(pr);
  const Json& r = pr.report;
  expect_report_shape(r);
  const Json& st = r["stats"];
  const auto nfiles = pr.corpus.files.size();
  EXPECT_EQ(get_u64(st, "files"), nfiles) << "only *.txt files, searched recursively";
  EXPECT_EQ(get_u64(st, "files_read"), nfiles);
  EXPECT_EQ(get_u64(st, "files_skipped"), 0u);
  EXPECT_TRUE(r["skipped"].empty()) << r["skipped"].dump();
  EXPECT_EQ(get_u64(st, "documents"), nfiles) << "without --doc-split a file is one document";
  EXPECT_EQ(get_u64(st, "paragraphs"), pr.corpus.paragraphs) << "one paragraph per non-empty line";
  EXPECT_EQ(get_u64(st, "paragraphs_too_short"), 0u);
  EXPECT_EQ(get_u64(st, "bytes"), pr.corpus.bytes);
  EXPECT_EQ(get_u64(st, "truncated_buckets"), 0u);
  EXPECT_GT(get_u64(st, "clusters"), 0u);
  EXPECT_EQ(r["recur_version"].get<std::string>().find_first_not_of("0123456789."), std::string::npos)
      << "version should be MAJOR.MINOR.PATCH: " << r["recur_version"];
  EXPECT_TRUE(r["options"].contains("threads"));

  std::set<std::string> files(pr.corpus.files.begin(), pr.corpus.files.end());
  for (const auto& c : r["clusters"])
    for (const auto& m : c["members"]) {
      const std::string path = m["path"].get<std::string>();
      EXPECT_TRUE(files.count(path)) << "path should be the directory argument joined with the "
                                        "relative path: " << path;
      EXPECT_EQ(m["document"], m["path"]) << "without --doc-split the document is the path";
    }
  expect_members_match_files(r);
  expect_check_report_passes(pr.json_path);
}

TEST(Cli, NoTextLeavesOutMemberTextsAndNothingElse) {
  REQUIRE_PLANTED_RUN(pr);
  TempDir tmp;
  const std::string out = tmp.file("r.json");
  const RunResult r = run_recur({"report", pr.corpus.dir, "--format", "json", "--no-text", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  Json with = pr.report, without = load_json(out);
  ASSERT_FALSE(with["clusters"].empty());
  std::size_t members = 0;
  for (auto& c : with["clusters"])
    for (auto& m : c["members"]) {
      ASSERT_TRUE(m.contains("text"));
      m.erase("text");
      ++members;
    }
  for (const auto& c : without["clusters"])
    for (const auto& m : c["members"]) EXPECT_FALSE(m.contains("text"));
  EXPECT_GT(members, 0u);
  with["stats"].erase("seconds");
  without["stats"].erase("seconds");
  EXPECT_EQ(with, without) << "only the texts differ";
  // The text and HTML formats show texts: --no-text is a usage error there.
  EXPECT_EQ(run_recur({"report", pr.corpus.dir, "--no-text"}).status, 2);
  EXPECT_EQ(run_recur({"report", pr.corpus.dir, "--format", "html", "--no-text", "-o", tmp.file("r.html")}).status, 2);
}

TEST(Cli, PlantedNearDuplicatesAreFound) {
  REQUIRE_PLANTED_RUN(pr);
  const Quality q = planted_quality(pr.report, pr.corpus);
  std::cout << "planted: families=" << pr.corpus.families
            << " planted_paragraphs=" << pr.corpus.planted.size()
            << " background_paragraphs=" << pr.corpus.paragraphs - pr.corpus.planted.size()
            << " true_pairs=" << q.true_pairs << " tp=" << q.tp << " fp=" << q.fp << " fn=" << q.fn
            << " precision=" << q.precision() << " recall=" << q.recall() << " f1=" << q.f1()
            << std::endl;
  // Recall per edit rate: is each copy clustered with its original?
  std::map<std::pair<std::string, std::uint64_t>, int> cl;
  for (std::size_t i = 0; i < pr.report["clusters"].size(); ++i)
    for (const auto& m : pr.report["clusters"][i]["members"])
      cl[{m["path"].get<std::string>(), get_u64(m, "line")}] = static_cast<int>(i);
  std::map<int, const Planted*> originals;
  for (const auto& p : pr.corpus.planted)
    if (p.original) originals[p.family] = &p;
  std::map<double, std::pair<int, int>> by_rate;  // rate -> (with original, copies)
  for (const auto& p : pr.corpus.planted) {
    if (p.original) continue;
    const auto a = cl.find({p.path, p.line});
    const auto o = originals[p.family];
    const auto b = cl.find({o->path, o->line});
    auto& [hit, all] = by_rate[p.rate];
    ++all;
    if (a != cl.end() && b != cl.end() && a->second == b->second) ++hit;
  }
  std::cout << "planted: copies clustered with their original by edit rate:";
  for (const auto& [rate, hc] : by_rate)
    std::cout << " " << std::lround(rate * 100) << "%=" << hc.first << "/" << hc.second;
  std::cout << std::endl;

  EXPECT_GE(q.precision(), 0.98);
  EXPECT_GE(q.f1(), 0.95);
  // Unedited copies without a swap are exact duplicates: they must all be found.
  for (const auto& p : pr.corpus.planted) {
    if (p.original || p.rate != 0 || p.swapped) continue;
    const auto o = originals[p.family];
    const auto a = cl.find({p.path, p.line});
    const auto b = cl.find({o->path, o->line});
    EXPECT_TRUE(a != cl.end() && b != cl.end() && a->second == b->second)
        << "exact copy " << p.path << ":" << p.line << " not clustered with " << o->path << ":"
        << o->line;
  }
  expect_planted_positions(pr.report, pr.corpus);
}

TEST(Cli, ThreadCountDoesNotChangeTheReport) {
  REQUIRE_PLANTED_RUN(pr);
  const std::string a = pr.tmp.file("t1.json"), b = pr.tmp.file("t2.json");
  const RunResult r1 = run_recur({"report", pr.corpus.dir, "--format", "json", "-o", a, "--threads", "1"});
  const RunResult r2 = run_recur({"report", pr.corpus.dir, "--format", "json", "-o", b, "--threads", "2"});
  ASSERT_EQ(r1.status, 0) << describe(r1);
  ASSERT_EQ(r2.status, 0) << describe(r2);
  const Json j1 = load_json(a), j2 = load_json(b);
  EXPECT_EQ(without_timings(j1).dump(), without_timings(j2).dump())
      << "--threads 1 and --threads 2 differ beyond timings";
  EXPECT_EQ(raw_without_timings(read_file(a)), raw_without_timings(read_file(b)))
      << "the JSON files should be byte-identical apart from timings";
  EXPECT_EQ(without_timings(j1).dump(), without_timings(pr.report).dump())
      << "--threads 1 and the default differ beyond timings";
  expect_check_report_passes(a, b);
}

/// The index stage's spill of shingle values (--temp-dir) goes into a file without a name, so the
/// directory stays empty. A directory that cannot be used is a usage error when the user named it,
/// and only a warning when it is the default ($TMPDIR): verification then reads the paragraphs back
/// from the inputs, and the report is the same as with the spill.
TEST(Cli, TempDirHoldsTheSpillWithoutLeavingAFile) {
  REQUIRE_PLANTED_RUN(pr);
  TempDir spill_dir;
  const std::string with = pr.tmp.file("spilled.json"), without = pr.tmp.file("read-back.json");
  const std::string missing = spill_dir.file("no/such/dir");
  RunResult r = run_recur({"report", pr.corpus.dir, "--format", "json", "-o", with, "--temp-dir",
                           spill_dir.path().string()});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(fs::is_empty(spill_dir.path())) << "the spill left a file behind";
  EXPECT_EQ(without_timings(load_json(with)).dump(), without_timings(pr.report).dump());

  r = run_command("TMPDIR=" + shell_quote(missing) + " " + shell_quote(recur_binary()) + " report " +
                  shell_quote(pr.corpus.dir) + " --format json -o " + shell_quote(without));
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.err, "cannot make a temporary file in " + missing)) << r.err;
  EXPECT_TRUE(contains(r.err, "reads the paragraphs back from the inputs instead")) << r.err;
  EXPECT_EQ(without_timings(load_json(without)).dump(), without_timings(pr.report).dump())
      << "reading the paragraphs back gave another report than the spill";

  r = run_recur({"report", pr.corpus.dir, "--format", "json", "-o", pr.tmp.file("x.json"), "--temp-dir", missing});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "--temp-dir: cannot make a temporary file in " + missing)) << r.err;
  EXPECT_FALSE(fs::exists(pr.tmp.file("x.json")));
}

TEST(Cli, JsonOnStdoutEqualsJsonFile) {
  REQUIRE_PLANTED_RUN(pr);
  const RunResult r = run_recur({"report", pr.corpus.dir, "--format", "json"});
  ASSERT_EQ(r.status, 0) << describe(r);
  Json j;
  ASSERT_NO_THROW(j = Json::parse(r.out)) << "stdout is not JSON:\n" << r.out.substr(0, 500);
  EXPECT_EQ(without_timings(j).dump(), without_timings(pr.report).dump());
}

// ------------------------------------------------------------------ CSV and text --------------

TEST(Cli, CsvHasHeaderAndOneRowPerMember) {
  REQUIRE_PLANTED_RUN(pr);
  const std::string csv_path = pr.tmp.file("members.csv");
  const RunResult r = run_recur({"report", pr.corpus.dir, "--format", "csv", "-o", csv_path});
  ASSERT_EQ(r.status, 0) << describe(r);
  bool ok = false;
  const auto rows = parse_csv(read_file(csv_path), &ok);
  ASSERT_TRUE(ok) << "CSV quoting is not RFC 4180";
  ASSERT_FALSE(rows.empty());
  std::size_t members = 0;
  for (const auto& c : pr.report["clusters"]) members += c["members"].size();
  EXPECT_EQ(rows.size(), members + 1) << "a header plus one row per cluster member";
  const auto& header = rows[0];
  for (const auto& row : rows) EXPECT_EQ(row.size(), header.size()) << "ragged CSV row";
  auto col = [&](const char* name) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (lower(header[i]) == name) return static_cast<int>(i);
    return -1;
  };
  const int path_col = col("path"), line_col = col("line");
  ASSERT_GE(path_col, 0) << "no \"path\" column in the CSV header";
  ASSERT_GE(line_col, 0) << "no \"line\" column in the CSV header";
  std::multiset<std::pair<std::string, std::string>> from_csv, from_json;
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i].size() == header.size())
      from_csv.insert({rows[i][static_cast<std::size_t>(path_col)], rows[i][static_cast<std::size_t>(line_col)]});
  for (const auto& c : pr.report["clusters"])
    for (const auto& m : c["members"])
      from_json.insert({m["path"].get<std::string>(), std::to_string(get_u64(m, "line"))});
  EXPECT_TRUE(from_csv == from_json) << "CSV rows are not the JSON members";
}

TEST(Cli, TextFormatPrintsASummary) {
  REQUIRE_PLANTED_RUN(pr);
  const RunResult r = run_recur({"report", pr.corpus.dir, "--color", "never"});
  ASSERT_EQ(r.status, 0) << describe(r);
  ASSERT_FALSE(r.out.empty()) << "text is the default format and goes to stdout";
  EXPECT_FALSE(contains(r.out, "\x1b[")) << "--color never must not print ANSI escapes";
  const auto& clusters = pr.report["clusters"];
  ASSERT_FALSE(clusters.empty());
  EXPECT_TRUE(contains(r.out, std::to_string(clusters.size())))
      << "the summary should give the number of clusters\n" << r.out.substr(0, 2000);
  // The largest cluster is shown with an excerpt of its representative.
  const auto& c0 = clusters[0];
  const auto& rep = c0["members"][get_u64(c0, "representative")];
  const auto cps = split_utf8(rep["text"].get<std::string>());
  std::string head;
  for (std::size_t i = 0; i < 6 && i < cps.size(); ++i) head += cps[i];
  EXPECT_TRUE(contains(r.out, head)) << "no excerpt of the largest cluster (" << head << ")\n"
                                     << r.out.substr(0, 2000);
  EXPECT_TRUE(contains(r.out, fs::path(rep["path"].get<std::string>()).filename().string()))
      << "the largest cluster's representative file is not named";

  const RunResult colored = run_recur({"report", pr.corpus.dir, "--color", "always"});
  ASSERT_EQ(colored.status, 0) << describe(colored);
  EXPECT_TRUE(contains(colored.out, "\x1b[")) << "--color always should print ANSI escapes";

  const RunResult top1 = run_recur({"report", pr.corpus.dir, "--color", "never", "--top", "1"});
  ASSERT_EQ(top1.status, 0) << describe(top1);
  EXPECT_LT(top1.out.size(), r.out.size()) << "--top 1 should show fewer clusters than the default 10";
}

// ------------------------------------------------------------------ options -------------------

TEST(Cli, HighThresholdKeepsOnlyCloseCopies) {
  REQUIRE_PLANTED_RUN(pr);
  const std::string out = pr.tmp.file("t09.json");
  const RunResult r = run_recur({"report", pr.corpus.dir, "--format", "json", "-o", out, "--threshold", "0.9"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(out);
  expect_report_shape(j, 0.9);
  std::map<int, const Planted*> originals;
  for (const auto& p : pr.corpus.planted)
    if (p.original) originals[p.family] = &p;
  for (const auto& p : pr.corpus.planted) {
    if (p.original) continue;
    const auto* o = originals[p.family];
    const int a = cluster_of(j, p.path, p.line), b = cluster_of(j, o->path, o->line);
    if (p.rate == 0 && !p.swapped) {
      EXPECT_TRUE(a >= 0 && a == b) << "exact copy lost at --threshold 0.9: " << p.path << ":" << p.line;
    }
    if (p.rate >= 0.08) {  // 8% edits leave bigram Jaccard near 0.75, far below 0.9
      EXPECT_FALSE(a >= 0 && a == b) << p.rate << " copy clustered at --threshold 0.9: " << p.path
                                     << ":" << p.line;
    }
  }
}

TEST(Cli, NoVerifyStillFindsExactCopies) {
  REQUIRE_PLANTED_RUN(pr);
  const std::string out = pr.tmp.file("nv.json");
  const RunResult r = run_recur({"report", pr.corpus.dir, "--format", "json", "-o", out, "--no-verify"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(out);
  expect_report_shape(j, 0.5, /*verified=*/false);
  expect_check_report_passes(out);
  const Quality q = planted_quality(j, pr.corpus);
  std::cout << "planted --no-verify: precision=" << q.precision() << " recall=" << q.recall()
            << " f1=" << q.f1() << std::endl;
  EXPECT_GE(q.precision(), 0.95);
  EXPECT_GE(q.recall(), 0.8);
}

TEST(Cli, GlobSelectsFiles) {
  TempDir tmp;
  std::mt19937_64 rng(7);
  const std::string para = join(flatten(random_paragraph(rng, 80, 120)));
  const std::string other = join(flatten(random_paragraph(rng, 80, 120)));
  write_file(tmp.file("in/a.md"), other + "\n" + para + "\n");
  write_file(tmp.file("in/deep/b.md"), para + "\n");
  write_file(tmp.file("in/c.txt"), para + "\n");
  const std::string out = tmp.file("g.json");
  const RunResult r = run_recur({"report", tmp.file("in"), "--glob", "*.md", "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(out);
  expect_report_shape(j);
  EXPECT_EQ(get_u64(j["stats"], "files"), 2u);
  ASSERT_EQ(j["clusters"].size(), 1u);
  const auto& ms = j["clusters"][0]["members"];
  ASSERT_EQ(ms.size(), 2u);
  std::set<std::string> paths{ms[0]["path"].get<std::string>(), ms[1]["path"].get<std::string>()};
  EXPECT_EQ(paths, (std::set<std::string>{tmp.file("in/a.md"), tmp.file("in/deep/b.md")}));
  const Json* a = member_at(j, tmp.file("in/a.md"), 2);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(get_u64(*a, "byte_start"), other.size() + 1);
  EXPECT_EQ(get_u64(*a, "paragraph"), 2u);

  // A file named on the command line is read whatever its name.
  const RunResult f = run_recur({"report", tmp.file("in/c.txt"), tmp.file("in/a.md"), "--format", "json"});
  ASSERT_EQ(f.status, 0) << describe(f);
  const Json jf = Json::parse(f.out);
  EXPECT_EQ(get_u64(jf["stats"], "files"), 2u);
  EXPECT_EQ(jf["clusters"].size(), 1u);
}

TEST(Cli, MinCharsCountsShortParagraphsWithoutIndexingThem) {
  TempDir tmp;
  std::mt19937_64 rng(11);
  const std::string shorty = join(random_sentence(rng, 8));  // 7 characters and 。
  const std::string longer = join(flatten(random_paragraph(rng, 60, 80)));
  write_file(tmp.file("a.txt"), shorty + "\n" + longer + "\n");
  write_file(tmp.file("b.txt"), longer + "\n" + shorty + "\n");
  const std::string out = tmp.file("m.json");
  RunResult r = run_recur({"report", tmp.path().string(), "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  Json j = load_json(out);
  expect_report_shape(j);
  EXPECT_EQ(get_u64(j["stats"], "paragraphs"), 4u);
  EXPECT_EQ(get_u64(j["stats"], "paragraphs_too_short"), 2u);
  EXPECT_EQ(get_u64(j["stats"], "paragraphs_indexed"), 2u);
  ASSERT_EQ(j["clusters"].size(), 1u) << "only the long paragraph is indexed at --min-chars 10";
  EXPECT_EQ(j["clusters"][0]["members"][0]["text"], longer);
  // A short paragraph still counts in the paragraph numbering.
  const Json* b = member_at(j, tmp.file("a.txt"), 2);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(get_u64(*b, "paragraph"), 2u);

  r = run_recur({"report", tmp.path().string(), "--format", "json", "-o", out, "--min-chars", "5"});
  ASSERT_EQ(r.status, 0) << describe(r);
  j = load_json(out);
  EXPECT_EQ(get_u64(j["stats"], "paragraphs_too_short"), 0u);
  EXPECT_EQ(j["clusters"].size(), 2u) << "at --min-chars 5 the short line is indexed too";
}

TEST(Cli, DocSplitNamesDocuments) {
  TempDir tmp;
  std::mt19937_64 rng(13);
  const std::string shared = join(flatten(random_paragraph(rng, 80, 120)));
  std::string text;
  text += "甲市组织工作综述\n";
  text += join(flatten(random_paragraph(rng, 80, 120))) + "\n";
  text += shared + "\n";
  text += "乙县组织工作综述\n";
  text += join(flatten(random_paragraph(rng, 80, 120))) + "\n";
  text += shared + "\n";
  write_file(tmp.file("a.txt"), text);
  const std::string out = tmp.file("d.json");
  RunResult r = run_recur({"report", tmp.file("a.txt"), "--doc-split", "综述$", "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  Json j = load_json(out);
  expect_report_shape(j);
  expect_members_match_files(j);
  EXPECT_EQ(get_u64(j["stats"], "documents"), 2u);
  ASSERT_EQ(j["clusters"].size(), 1u);
  const Json* m1 = member_at(j, tmp.file("a.txt"), 3);
  const Json* m2 = member_at(j, tmp.file("a.txt"), 6);
  ASSERT_NE(m1, nullptr);
  ASSERT_NE(m2, nullptr);
  EXPECT_EQ((*m1)["document"], "甲市组织工作综述");
  EXPECT_EQ((*m2)["document"], "乙县组织工作综述");
  EXPECT_EQ(get_u64(*m2, "paragraph"), 6u) << "paragraph numbers run through the whole file";

  r = run_recur({"report", tmp.file("a.txt"), "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  j = load_json(out);
  EXPECT_EQ(get_u64(j["stats"], "documents"), 1u);
}

TEST(Cli, StripRemovesMarkersBeforeMatching) {
  TempDir tmp;
  std::mt19937_64 rng(17);
  const auto cps = flatten(random_paragraph(rng, 40, 50));
  // The copy carries markers every few characters: with them the copies share few shingles
  // (markers are word tokens), without them they are identical.
  std::string marked;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    marked += cps[i];
    if (i % 2 == 1 && i + 1 < cps.size()) marked += "##x" + std::to_string(i) + "##";
  }
  write_file(tmp.file("a.txt"), join(cps) + "\n");
  write_file(tmp.file("b.txt"), marked + "\n");
  const std::string out = tmp.file("s.json");
  RunResult r = run_recur({"report", tmp.path().string(), "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  Json j = load_json(out);
  EXPECT_EQ(j["clusters"].size(), 0u) << "the markers should keep the copies apart without --strip";
  r = run_recur({"report", tmp.path().string(), "--strip", "##x[0-9]+##", "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  j = load_json(out);
  expect_report_shape(j);
  ASSERT_EQ(j["clusters"].size(), 1u);
  const Json* b = member_at(j, tmp.file("b.txt"), 1);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ((*b)["text"], marked) << "text is the original bytes, markers included";
  EXPECT_DOUBLE_EQ((*b)["similarity"].get<double>(), 1.0);
  expect_members_match_files(j);
}

// ------------------------------------------------------------------ paths ---------------------

TEST(Cli, RelativePathsWithSpacesCommasAndQuotes) {
  // Paths are reported as recur opened them: the argument joined with the relative path, here
  // relative to the working directory. The CSV must quote such paths and multi-line texts.
  TempDir tmp;
  std::mt19937_64 rng(23);
  const std::string dir = "报告 \"2023\", 第一批";
  // A paragraph with ASCII commas and quotes, wrapped over two lines (indent mode).
  const std::string head = join(random_sentence(rng, 30)), tail = join(random_sentence(rng, 30));
  const std::string para_first = head.substr(0, head.size() - 3) + ", \"quoted\" AND";
  const std::string para = para_first + "\n" + tail;
  std::string text;
  for (int i = 0; i < 3; ++i) text += "　　" + join(flatten(random_paragraph(rng, 60, 90))) + "\n";
  const std::uint64_t start = text.size() + 6;
  text += "　　" + para + "\n";
  write_file(tmp.file(dir + "/a b.txt"), text);
  write_file(tmp.file(dir + "/sub/c.txt"), "　　" + para + "\n　　" + join(flatten(random_paragraph(rng, 60, 90))) + "\n");

  const RunResult r = run_command(shell_quote(recur_binary()) + " report " + shell_quote(dir) +
                                      " --format json -o r.json",
                                  tmp.path());
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(tmp.file("r.json"));
  expect_report_shape(j);
  ASSERT_EQ(j["clusters"].size(), 1u);
  const Json* m = member_at(j, dir + "/a b.txt", 4);
  ASSERT_NE(m, nullptr) << "member paths should be \"" << dir << "/a b.txt\": " << j["clusters"].dump();
  EXPECT_EQ(get_u64(*m, "line_end"), 5u);
  EXPECT_EQ(get_u64(*m, "byte_start"), start);
  EXPECT_EQ((*m)["text"].get<std::string>(), para);
  EXPECT_NE(member_at(j, dir + "/sub/c.txt", 1), nullptr);
  if (check_report_available()) expect_check_report_passes("r.json", "", tmp.path());

  const RunResult c = run_command(shell_quote(recur_binary()) + " report " + shell_quote(dir) +
                                      " --format csv -o m.csv",
                                  tmp.path());
  ASSERT_EQ(c.status, 0) << describe(c);
  bool ok = false;
  const auto rows = parse_csv(read_file(tmp.file("m.csv")), &ok);
  ASSERT_TRUE(ok) << read_file(tmp.file("m.csv"));
  ASSERT_EQ(rows.size(), 3u) << read_file(tmp.file("m.csv"));
  int path_col = -1, text_col = -1;
  for (std::size_t i = 0; i < rows[0].size(); ++i) {
    if (lower(rows[0][i]) == "path") path_col = static_cast<int>(i);
    if (lower(rows[0][i]) == "text") text_col = static_cast<int>(i);
  }
  ASSERT_GE(path_col, 0);
  std::set<std::string> paths;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), rows[0].size());
    paths.insert(rows[i][static_cast<std::size_t>(path_col)]);
    if (text_col >= 0) EXPECT_EQ(rows[i][static_cast<std::size_t>(text_col)], para);
  }
  EXPECT_EQ(paths, (std::set<std::string>{dir + "/a b.txt", dir + "/sub/c.txt"}));
}

TEST(Cli, InputsAreSortedAndReadOnce) {
  TempDir tmp;
  std::mt19937_64 rng(29);
  const std::string p1 = join(flatten(random_paragraph(rng, 60, 90)));
  const std::string p2 = join(flatten(random_paragraph(rng, 60, 90)));
  write_file(tmp.file("in/b.txt"), p1 + "\n" + p2 + "\n");
  write_file(tmp.file("in/a.txt"), p2 + "\n" + p1 + "\n");
  write_file(tmp.file("in/c/d.txt"), p1 + "\n");
  const std::string in = tmp.file("in");
  auto report = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "report");
    args.insert(args.end(), {"--format", "json"});
    const RunResult r = run_recur(args);
    EXPECT_EQ(r.status, 0) << describe(r);
    return r.status == 0 ? without_timings(Json::parse(r.out)) : Json();
  };
  const Json whole = report({in});
  ASSERT_TRUE(whole.is_object());
  EXPECT_EQ(get_u64(whole["stats"], "files"), 3u);
  // A file named twice (directly and inside its directory) is one input.
  const Json twice = report({in, in + "/a.txt", in + "/c/d.txt"});
  ASSERT_TRUE(twice.is_object());
  EXPECT_EQ(get_u64(twice["stats"], "files"), 3u) << "each file is read once";
  EXPECT_EQ(twice.dump(), whole.dump());
  // Argument order does not matter: files are processed in sorted path order.
  const Json ab = report({in + "/a.txt", in + "/b.txt", in + "/c/d.txt"});
  const Json ba = report({in + "/c/d.txt", in + "/b.txt", in + "/a.txt"});
  EXPECT_EQ(ab.dump(), ba.dump());
  EXPECT_EQ(ab.dump(), whole.dump());
}

TEST(Cli, SymbolicLinks) {
  // Links to files are followed; links to directories are not, so a loop cannot hang the run.
  TempDir tmp;
  std::mt19937_64 rng(31);
  const std::string p = join(flatten(random_paragraph(rng, 60, 90)));
  write_file(tmp.file("outside.txt"), p + "\n");
  write_file(tmp.file("in/a.txt"), p + "\n");
  fs::create_directories(tmp.file("in/sub"));
  fs::create_symlink(tmp.file("outside.txt"), tmp.file("in/link.txt"));
  fs::create_directory_symlink(tmp.file("in"), tmp.file("in/sub/loop"));
  const std::string out = tmp.file("l.json");
  RunResult r = run_recur({"report", tmp.file("in"), "--format", "json", "-o", out});
  ASSERT_TRUE(r.exited_normally()) << describe(r);
  ASSERT_EQ(r.status, 0) << describe(r);
  Json j = load_json(out);
  expect_report_shape(j);
  EXPECT_EQ(get_u64(j["stats"], "files"), 2u);
  ASSERT_EQ(j["clusters"].size(), 1u);
  // The path is the argument joined with the path under it, not where the link points.
  EXPECT_NE(member_at(j, tmp.file("in/link.txt"), 1), nullptr) << j["clusters"].dump();

  // A link beside its target is a file of its own (another path), not a duplicate.
  fs::create_symlink("a.txt", tmp.file("in/same.txt"));
  r = run_recur({"report", tmp.file("in"), "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  j = load_json(out);
  EXPECT_EQ(get_u64(j["stats"], "files"), 3u);
  EXPECT_NE(member_at(j, tmp.file("in/same.txt"), 1), nullptr) << j["clusters"].dump();
}

// ------------------------------------------------------------------ scale and options ---------

TEST(Cli, ThousandsOfCopiesOfOneLine) {
  // 3000 copies of one boilerplate line: the bucket limit (1000) keeps this linear, and the
  // copies still form one cluster.
  TempDir tmp;
  std::mt19937_64 rng(37);
  const std::string boiler = join(random_sentence(rng, 24));
  std::uint64_t paragraphs = 0;
  for (int f = 0; f < 3; ++f) {
    std::string text;
    for (int i = 0; i < 1000; ++i) {
      text += boiler + "\n";
      if (i % 10 == 0) {
        text += join(flatten(random_paragraph(rng, 60, 90))) + "\n";
        ++paragraphs;
      }
    }
    paragraphs += 1000;
    write_file(tmp.file("f" + std::to_string(f) + ".txt"), text);
  }
  const std::string out = tmp.file("b.json");
  const RunResult r = run_recur({"report", tmp.path().string(), "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_LT(r.seconds, 20.0);
  const Json j = load_json(out);
  expect_report_shape(j);
  EXPECT_EQ(get_u64(j["stats"], "paragraphs"), paragraphs);
  ASSERT_EQ(j["clusters"].size(), 1u);
  EXPECT_EQ(j["clusters"][0]["members"].size(), 3000u);
  EXPECT_GT(get_u64(j["stats"], "truncated_buckets"), 0u);
}

TEST(Cli, SimplifyMatchesTraditionalCopies) {
  // Characters with distinct Traditional forms; the copy is the same paragraph in Traditional.
  const auto simp = split_utf8("国发经济会议组织党设开进实现时体导领质业务区县乡镇农层员队学习贯彻针对问题计划强调");
  const auto trad = split_utf8("國發經濟會議組織黨設開進實現時體導領質業務區縣鄉鎮農層員隊學習貫徹針對問題計劃強調");
  ASSERT_EQ(simp.size(), trad.size());
  std::mt19937_64 rng(41);
  std::string s, t;
  for (int i = 0; i < 80; ++i) {
    const std::size_t k = uniform(rng, simp.size());
    s += simp[k];
    t += trad[k];
  }
  s += "。";
  t += "。";
  TempDir tmp;
  write_file(tmp.file("s.txt"), s + "\n");
  write_file(tmp.file("t.txt"), t + "\n");
  const std::string out = tmp.file("s.json");
  RunResult r = run_recur({"report", tmp.path().string(), "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(load_json(out)["clusters"].size(), 0u) << "without --simplify the scripts differ";
  r = run_recur({"report", tmp.path().string(), "--simplify", "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(out);
  ASSERT_EQ(j["clusters"].size(), 1u);
  const Json* m = member_at(j, tmp.file("t.txt"), 1);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["text"].get<std::string>(), t) << "text stays the original Traditional";
  EXPECT_DOUBLE_EQ((*m)["similarity"].get<double>(), 1.0);
}

TEST(Cli, UnwritableOutputIsAnError) {
  TempDir tmp;
  write_file(tmp.file("a.txt"), "这是一个足够长的测试段落，用来检查命令行参数。\n");
  const std::string out = tmp.file("no/such/dir/r.json");
  const RunResult r = run_recur({"report", tmp.file("a.txt"), "--format", "json", "-o", out});
  ASSERT_TRUE(r.exited_normally()) << describe(r);
  EXPECT_NE(r.status, 0) << "the report could not be written";
  EXPECT_TRUE(contains(r.err, out)) << r.err;
}

// ------------------------------------------------------------------ wrapped paragraphs --------

/// Paragraphs wrapped over several lines, as a PDF extraction leaves them: the first line
/// indented with two ideographic spaces, continuation lines not indented, no blank lines.
TEST(Cli, WrappedParagraphsAreJoined) {
  TempDir tmp;
  std::mt19937_64 rng(4242);
  Corpus corpus;
  constexpr int kFiles = 6, kFamilies = 4;
  struct Para {
    std::vector<std::string> cps;
    int planted = -1;
  };
  std::vector<std::vector<Para>> content(kFiles);
  for (auto& f : content)
    for (std::size_t i = 0, n = uniform(rng, 8, 14); i < n; ++i)
      f.push_back({flatten(random_paragraph(rng, 60, 250)), -1});
  for (int fam = 0; fam < kFamilies; ++fam) {
    const auto orig = flatten(random_paragraph(rng, 80, 250));
    std::vector<std::size_t> files{0, 1, 2, 3, 4, 5};
    for (std::size_t i = 0; i < 3; ++i) std::swap(files[i], files[i + uniform(rng, files.size() - i)]);
    for (int c = 0; c < 3; ++c) {
      Planted p;
      p.family = fam;
      p.original = c == 0;
      p.rate = c == 0 ? 0 : c == 1 ? 0.04 : 0.08;
      corpus.planted.push_back(p);
      auto& f = content[files[static_cast<std::size_t>(c)]];
      f.insert(f.begin() + static_cast<std::ptrdiff_t>(uniform(rng, f.size() + 1)),
               {c == 0 ? orig : random_edits(rng, orig, p.rate), static_cast<int>(corpus.planted.size() - 1)});
    }
  }
  const std::string dir = tmp.file("pdf");
  for (int fi = 0; fi < kFiles; ++fi) {
    const std::size_t width = 26 + 3 * static_cast<std::size_t>(fi);  // each file wraps differently
    std::string bytes;
    std::uint64_t line = 0;
    std::uint64_t paragraph = 0;
    for (const auto& para : content[static_cast<std::size_t>(fi)]) {
      const std::size_t start_line = line + 1;
      ++paragraph;
      std::uint64_t byte_start = 0;
      std::size_t i = 0;
      bool first = true;
      while (i < para.cps.size()) {
        std::size_t n = std::min(width, para.cps.size() - i);
        // A line ending in 。 would end the paragraph: wrap one character later.
        while (i + n < para.cps.size() && para.cps[i + n - 1] == "。") ++n;
        if (first) {
          bytes += "　　";
          byte_start = bytes.size();
        }
        for (std::size_t k = i; k < i + n; ++k) bytes += para.cps[k];
        i += n;
        ++line;
        first = false;
        if (i == para.cps.size() && para.planted >= 0) {
          Planted& p = corpus.planted[static_cast<std::size_t>(para.planted)];
          p.path = dir + "/w" + std::to_string(fi) + ".txt";
          p.line = start_line;
          p.line_end = line;
          p.paragraph = paragraph;
          p.byte_start = byte_start;
          p.byte_end = bytes.size();
          p.text = bytes.substr(byte_start);
        }
        bytes += "\n";
      }
      ++corpus.paragraphs;
    }
    write_file(dir + "/w" + std::to_string(fi) + ".txt", bytes);
  }
  const std::string out = tmp.file("w.json");
  const RunResult r = run_recur({"report", dir, "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(out);
  expect_report_shape(j);
  expect_members_match_files(j);
  expect_check_report_passes(out);
  EXPECT_EQ(get_u64(j["stats"], "paragraphs"), corpus.paragraphs)
      << "wrapped lines must be joined into their paragraphs";
  const Quality q = planted_quality(j, corpus);
  EXPECT_EQ(q.fp, 0u);
  EXPECT_EQ(q.fn, 0u);
  for (const auto& p : corpus.planted) {
    const Json* m = member_at(j, p.path, p.line);
    ASSERT_NE(m, nullptr) << "planted wrapped paragraph not clustered: " << p.path << ":" << p.line;
    EXPECT_GT(p.line_end, p.line);
    EXPECT_EQ(get_u64(*m, "line_end"), p.line_end) << p.path << ":" << p.line;
    EXPECT_EQ(get_u64(*m, "byte_start"), p.byte_start) << "starts after the indentation";
    EXPECT_EQ(get_u64(*m, "byte_end"), p.byte_end) << p.path << ":" << p.line;
    EXPECT_EQ((*m)["text"].get<std::string>(), p.text) << "text spans the wrapped lines";
    EXPECT_EQ(get_u64(*m, "paragraph"), p.paragraph) << p.path << ":" << p.line;
  }
}

// ------------------------------------------------------------------ mixed scripts -------------

TEST(Cli, MixedChineseEnglishFamily) {
  static const char* const kWords[] = {
      "the", "digital", "economy", "growth", "rate", "market", "policy", "reform", "green",
      "energy", "innovation", "platform", "data", "cloud", "network", "supply", "chain", "trade",
      "export", "import", "finance", "bank", "credit", "service", "industry", "manufacturing",
      "smart", "city", "public", "health", "education", "research", "development", "science",
      "technology", "project", "investment", "capital", "fund", "index", "report", "quality",
      "standard", "system", "management", "security", "carbon", "neutral", "peak", "solar",
      "wind", "power", "grid", "transport", "rail", "port", "logistics", "consumer", "retail",
      "online", "mobile", "payment", "software", "chip", "semiconductor", "model", "AI", "GDP",
      "CPI", "PMI", "WTO", "RCEP", "ESG", "IPO", "R&D", "5G", "IoT", "API", "open", "source"};
  const std::size_t nwords = sizeof kWords / sizeof *kWords;
  auto mixed = [&](std::mt19937_64& rng) {
    std::vector<std::string> cps;
    const std::size_t target = uniform(rng, 90, 200);
    while (cps.size() < target) {
      for (std::size_t i = 0, n = uniform(rng, 3, 12); i < n; ++i) cps.push_back(random_char(rng));
      if (chance(rng, 0.5)) {
        const bool spaced = chance(rng, 0.5);
        if (spaced) cps.push_back(" ");
        for (std::size_t w = 0, n = uniform(rng, 1, 3); w < n; ++w) {
          if (w) cps.push_back(" ");
          for (auto& c : split_utf8(kWords[uniform(rng, nwords)])) cps.push_back(c);
        }
        if (spaced) cps.push_back(" ");
      } else if (chance(rng, 0.3)) {
        for (auto& c : split_utf8(std::to_string(uniform(rng, 1, 2030)))) cps.push_back(c);
        cps.push_back("年");
      }
      cps.push_back(chance(rng, 0.7) ? "，" : "。");
    }
    cps.back() = "。";
    return cps;
  };
  TempDir tmp;
  std::mt19937_64 rng(99);
  Corpus corpus;
  std::vector<std::vector<Entry>> content(4);
  for (auto& f : content)
    for (int i = 0; i < 10; ++i) f.push_back({mixed(rng), -1});
  for (int fam = 0; fam < 3; ++fam) {
    const auto orig = mixed(rng);
    // Copy 1: 4% CJK edits and one English word replaced. Copy 2: English upper-cased (case
    // folding makes it equal) and the ASCII digits made full-width (NFKC makes them equal).
    auto c1 = random_edits(rng, orig, 0.04);
    for (auto& c : c1)
      if (c.size() == 1 && std::isalpha(static_cast<unsigned char>(c[0]))) { c = "x"; break; }
    auto c2 = orig;
    for (auto& c : c2) {
      if (c.size() == 1 && c[0] >= 'a' && c[0] <= 'z') c[0] = static_cast<char>(c[0] - 'a' + 'A');
      else if (c.size() == 1 && c[0] >= '0' && c[0] <= '9') c = split_utf8("０１２３４５６７８９")[static_cast<std::size_t>(c[0] - '0')];
    }
    const std::vector<std::vector<std::string>> versions{orig, c1, c2};
    for (int v = 0; v < 3; ++v) {
      Planted p;
      p.family = fam;
      p.original = v == 0;
      corpus.planted.push_back(p);
      auto& f = content[static_cast<std::size_t>((fam + v) % 4)];
      f.insert(f.begin() + static_cast<std::ptrdiff_t>(uniform(rng, f.size() + 1)),
               {versions[static_cast<std::size_t>(v)], static_cast<int>(corpus.planted.size() - 1)});
    }
  }
  for (int i = 0; i < 4; ++i)
    write_line_file(tmp.file("mixed/m" + std::to_string(i) + ".txt"), content[static_cast<std::size_t>(i)], corpus);
  const std::string out = tmp.file("m.json");
  const RunResult r = run_recur({"report", tmp.file("mixed"), "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  const Json j = load_json(out);
  expect_report_shape(j);
  expect_members_match_files(j);
  expect_check_report_passes(out);
  const Quality q = planted_quality(j, corpus);
  EXPECT_EQ(q.fp, 0u) << "unrelated mixed paragraphs clustered";
  EXPECT_EQ(q.fn, 0u) << "a mixed Chinese/English family was not found whole";
  expect_planted_positions(j, corpus);
  for (const auto& p : corpus.planted)
    EXPECT_NE(member_at(j, p.path, p.line), nullptr) << p.path << ":" << p.line;
}

}  // namespace
