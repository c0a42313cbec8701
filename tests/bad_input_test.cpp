/// \file bad_input_test.cpp
/// End-to-end tests of `recur report` on bad input: empty, binary, invalid UTF-8, other
/// encodings, missing paths, directories without matches, a 50 MB line. Each must give a clear
/// message on stderr naming the file and the reason, appear in "skipped" or be processed
/// correctly, and be counted in the stats; the run exits 0 when it completed and 1 when nothing
/// could be read. Nothing crashes.
#include <gtest/gtest.h>

#include <iostream>

#include "test_util.hpp"

using namespace recur_test;

namespace {

/// Two good UTF-8 files sharing one paragraph (`shared`), at line 3 of good1 and line 5 of good2.
struct Good {
  TempDir tmp;
  std::string good1, good2, shared;
  std::mt19937_64 rng{20240611};

  Good() {
    shared = join(flatten(random_paragraph(rng, 90, 140)));
    good1 = tmp.file("good1.txt");
    good2 = tmp.file("good2.txt");
    write_file(good1, lines_with(12, 3, shared));
    write_file(good2, lines_with(12, 5, shared));
  }

  static std::vector<std::string> flatten(const std::vector<std::vector<std::string>>& ss) {
    std::vector<std::string> out;
    for (const auto& s : ss) out.insert(out.end(), s.begin(), s.end());
    return out;
  }
  std::string paragraph() { return join(flatten(random_paragraph(rng, 60, 200))); }
  /// `n` random lines with `text` as line `at` (1-based), each ending in '\n'.
  std::string lines_with(int n, int at, const std::string& text) {
    std::string s;
    for (int i = 1; i <= n; ++i) s += (i == at ? text : paragraph()) + "\n";
    return s;
  }
};

/// A run writing JSON to a file, and the parsed report when there is one.
struct JsonRun {
  RunResult run;
  Json report;
  bool has_report = false;
};

JsonRun run_json(const TempDir& tmp, std::vector<std::string> args, const std::string& name = "r.json") {
  const std::string out = tmp.file(name);
  std::error_code ec;
  fs::remove(out, ec);
  args.insert(args.begin(), "report");
  for (const char* a : {"--format", "json", "-o"}) args.push_back(a);
  args.push_back(out);
  JsonRun j;
  j.run = run_recur(args);
  if (fs::exists(out)) {
    try {
      j.report = load_json(out);
      j.has_report = true;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the JSON report does not parse: " << e.what();
    }
  }
  return j;
}

#define REQUIRE_COMPLETED(j)                                                         \
  ASSERT_TRUE((j).run.exited_normally()) << "crashed\n" << describe((j).run);         \
  ASSERT_EQ((j).run.status, 0) << describe((j).run);                                  \
  ASSERT_TRUE((j).has_report) << "no JSON report\n" << describe((j).run)

/// stats.files == files_read + files_skipped == `given`, skipped.size() == files_skipped.
void expect_accounting(const Json& r, std::uint64_t given) {
  const Json& st = r["stats"];
  EXPECT_EQ(get_u64(st, "files"), given) << "every input must be counted: " << st.dump();
  EXPECT_EQ(get_u64(st, "files_read") + get_u64(st, "files_skipped"), get_u64(st, "files"));
  EXPECT_EQ(r["skipped"].size(), get_u64(st, "files_skipped"));
}

/// The good files' shared paragraph is still found: a cluster holds good1:3 and good2:5.
void expect_good_cluster(const Json& r, const Good& g) {
  const int a = cluster_of(r, g.good1, 3), b = cluster_of(r, g.good2, 5);
  EXPECT_GE(a, 0) << "the good files' shared paragraph was not found";
  EXPECT_EQ(a, b);
}

/// stderr names the file (by its file name at least).
void expect_stderr_names(const RunResult& run, const std::string& path) {
  EXPECT_TRUE(contains(run.err, fs::path(path).filename().string()))
      << "stderr does not name " << path << ":\n" << run.err;
}

std::string gb18030_of(const std::string& utf8) {
  TempDir t;
  write_file(t.file("in"), utf8);
  const RunResult r = run_command(
      shell_quote(python()) + " -c " +
      shell_quote("import sys; d = open(sys.argv[1], 'rb').read().decode('utf-8'); "
                  "open(sys.argv[2], 'wb').write(d.encode('gb18030'))") +
      " in out", t.path());
  if (r.status != 0) throw std::runtime_error("python3 could not encode GB18030: " + r.err);
  return read_file(t.file("out"));
}

// ------------------------------------------------------------------ cases ---------------------

TEST(BadInput, EmptyFile) {
  Good g;
  const std::string empty = g.tmp.file("empty.txt");
  write_file(empty, "");
  const JsonRun j = run_json(g.tmp, {g.good1, g.good2, empty});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 3);
  expect_good_cluster(j.report, g);
  expect_stderr_names(j.run, empty);
  if (is_skipped(j.report, empty)) {
    EXPECT_TRUE(contains_any(skip_reason(j.report, empty), {"empty", "no text", "0 bytes"}))
        << skip_reason(j.report, empty);
  } else {
    EXPECT_EQ(get_u64(j.report["stats"], "files_read"), 3u);
  }
  EXPECT_TRUE(contains_any(j.run.err, {"empty", "no text", "0 bytes"})) << j.run.err;
}

TEST(BadInput, BinaryFile) {
  Good g;
  std::mt19937_64 rng(5);
  std::string bytes;
  for (int i = 0; i < 8192; ++i) bytes += static_cast<char>(i % 97 == 0 ? 0 : rng() & 0xFF);
  const std::string bin = g.tmp.file("blob.txt");
  write_file(bin, bytes);
  JsonRun j = run_json(g.tmp, {g.good1, bin, g.good2});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 3);
  expect_good_cluster(j.report, g);
  EXPECT_TRUE(is_skipped(j.report, bin)) << "a binary file is skipped: " << j.report["skipped"].dump();
  EXPECT_EQ(get_u64(j.report["stats"], "files_skipped"), 1u);
  EXPECT_TRUE(contains_any(skip_reason(j.report, bin), {"binary", "NUL"})) << skip_reason(j.report, bin);
  expect_stderr_names(j.run, bin);
  EXPECT_TRUE(contains_any(j.run.err, {"binary", "NUL"})) << j.run.err;

  // Nothing readable at all: exit status 1, still with a message.
  j = run_json(g.tmp, {bin}, "only.json");
  ASSERT_TRUE(j.run.exited_normally()) << describe(j.run);
  EXPECT_EQ(j.run.status, 1) << describe(j.run);
  expect_stderr_names(j.run, bin);
}

TEST(BadInput, InvalidUtf8BytesInsideChineseTextAreReplaced) {
  Good g;
  // 60 lines of Chinese (~25 KB) with three lone 0xFF bytes: in line 2, in the middle of the
  // shared paragraph on line 10, and in line 30. 3 bytes in 25 KB is far below 0.1%.
  const std::vector<std::string> cps = split_utf8(g.shared);
  const std::size_t mid = cps.size() / 2;
  std::string damaged_shared, expected_text;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (i == mid) {
      damaged_shared += '\xFF';
      expected_text += "\xEF\xBF\xBD";  // U+FFFD
    }
    damaged_shared += cps[i];
    expected_text += cps[i];
  }
  std::string bytes;
  std::uint64_t start10 = 0;
  for (int line = 1; line <= 60; ++line) {
    if (line == 10) {
      start10 = bytes.size();
      bytes += damaged_shared;
    } else {
      std::string p = g.paragraph();
      if (line == 2 || line == 30) p.insert(p.size() / 3 / 3 * 3, "\xFF");
      bytes += p;
    }
    bytes += '\n';
  }
  const std::string bad = g.tmp.file("damaged.txt");
  write_file(bad, bytes);
  const JsonRun j = run_json(g.tmp, {g.good1, g.good2, bad});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 3);
  EXPECT_FALSE(is_skipped(j.report, bad)) << "a few invalid bytes must not make the file unusable";
  EXPECT_EQ(get_u64(j.report["stats"], "files_read"), 3u);
  expect_stderr_names(j.run, bad);
  expect_good_cluster(j.report, g);
  const Json* m = member_at(j.report, bad, 10);
  ASSERT_NE(m, nullptr) << "the damaged copy of the shared paragraph was not clustered";
  EXPECT_EQ(cluster_of(j.report, bad, 10), cluster_of(j.report, g.good1, 3));
  EXPECT_EQ(get_u64(*m, "line_end"), 10u);
  EXPECT_EQ(get_u64(*m, "byte_start"), start10) << "offsets count the original bytes";
  EXPECT_EQ(get_u64(*m, "byte_end"), start10 + damaged_shared.size());
  EXPECT_EQ((*m)["text"].get<std::string>(), expected_text)
      << "the invalid byte is shown as U+FFFD in the decoded text";
  if (check_report_available()) expect_check_report_passes(g.tmp.file("r.json"));
}

// Issue "Never lose a user's data", item 4: a 23 KB report with 8 corrupted bytes was taken for
// windows-1252 (ICU detection) and became mojibake matching nothing; 5 were read correctly. Every
// corrupted byte here replaces the lead byte of a Chinese character, so each makes one invalid
// stretch of 3 bytes (8 corrupted: 24 invalid bytes, 0.1% of the file).
TEST(BadInput, EightCorruptedBytesInAReportAreStillUtf8) {
  for (int corrupted : {5, 8, 16}) {
    Good g;
    std::string bytes;
    std::uint64_t start10 = 0;
    while (bytes.size() < 23000) {
      if (std::count(bytes.begin(), bytes.end(), '\n') == 9) {
        start10 = bytes.size();
        bytes += g.shared + "\n";
      } else {
        bytes += g.paragraph() + "\n";
      }
    }
    // Corrupt lead bytes outside line 10, spread over the file.
    std::mt19937_64 rng(static_cast<unsigned>(corrupted));
    std::set<std::size_t> spots;
    while (spots.size() < static_cast<std::size_t>(corrupted)) {
      std::size_t at = uniform(rng, bytes.size());
      if (at >= start10 && at < start10 + g.shared.size() + 1) continue;
      if ((static_cast<unsigned char>(bytes[at]) & 0xF0) != 0xE0) continue;  // a 3-byte lead
      spots.insert(at);
    }
    for (std::size_t at : spots) bytes[at] = '\xFF';
    const std::string bad = g.tmp.file("report.txt");
    write_file(bad, bytes);
    const JsonRun j = run_json(g.tmp, {g.good1, g.good2, bad});
    REQUIRE_COMPLETED(j);
    EXPECT_FALSE(is_skipped(j.report, bad));
    std::string warning;
    for (const auto& w : j.report["warnings"])
      if (w.get<std::string>().find("report.txt") != std::string::npos) warning = w;
    EXPECT_EQ(warning.find("windows-1252"), std::string::npos) << warning;
    EXPECT_NE(warning.find("replaced by U+FFFD"), std::string::npos) << corrupted << ": " << warning;
    // 8 is the allowance of a file this size (1 per 1,000 characters, at least 8); past it the
    // file is still UTF-8, with a warning that it is damaged.
    EXPECT_EQ(warning.find(std::to_string(corrupted) + " damaged stretches") != std::string::npos, corrupted > 8)
        << corrupted << ": " << warning;
    const Json* m = member_at(j.report, bad, 10);
    ASSERT_NE(m, nullptr) << corrupted << " corrupted bytes: the report's copy of the shared paragraph was lost";
    EXPECT_EQ(get_u64(*m, "byte_start"), start10);
    EXPECT_EQ((*m)["text"].get<std::string>(), g.shared);
  }
}

TEST(BadInput, MalformedUtf8Variants) {
  // Surrogates, overlongs, code points above U+10FFFF, truncated sequences and stray
  // continuation bytes inside long Chinese text: the file is decoded with replacements (they
  // are far below 0.1% of its bytes), the JSON stays valid UTF-8, nothing crashes.
  const std::vector<std::pair<const char*, std::string>> variants = {
      {"surrogate", "\xED\xA0\x80"},        {"overlong", "\xC0\x80"},
      {"overlong3", "\xE0\x80\xAF"},       {"above_max", "\xF4\x90\x80\x80"},
      {"truncated", "\xE4\xB8"},           {"continuation", "\x80\xBF"},
      {"f5", "\xF5\x80\x80\x80"}};
  for (const auto& [name, seq] : variants) {
    SCOPED_TRACE(name);
    Good g;
    std::string bytes;
    for (int line = 1; line <= 80; ++line) {
      std::string p = line == 10 ? g.shared : g.paragraph();
      if (line % 20 == 0 || line == 10) p.insert(p.size() / 2 / 3 * 3, seq);
      bytes += p + "\n";
    }
    const std::string file = g.tmp.file(std::string(name) + ".txt");
    write_file(file, bytes);
    const JsonRun j = run_json(g.tmp, {g.good1, file});
    REQUIRE_COMPLETED(j);
    expect_report_shape(j.report);
    expect_accounting(j.report, 2);
    EXPECT_FALSE(is_skipped(j.report, file)) << skip_reason(j.report, file);
    expect_stderr_names(j.run, file);
    const Json* m = member_at(j.report, file, 10);
    ASSERT_NE(m, nullptr) << "the damaged copy was not clustered";
    const std::string text = (*m)["text"].get<std::string>();
    EXPECT_TRUE(contains(text, "\xEF\xBF\xBD")) << "the bad sequence shows as U+FFFD";
    EXPECT_EQ(get_u64(*m, "byte_end") - get_u64(*m, "byte_start"), g.shared.size() + seq.size());
    expect_check_report_passes(g.tmp.file("r.json"));
  }
}

TEST(BadInput, Gb18030FileIsDetectedAndMappedToOriginalBytes) {
  if (python().empty()) GTEST_SKIP() << "python3 is needed to make GB18030 bytes";
  Good g;
  // 40 lines, the shared paragraph on line 7, there with a few characters that take four bytes
  // in GB18030 (U+20000, U+1F600) or come from outside GB2312 (é, ™).
  const auto cps = split_utf8(g.shared);
  std::string special;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (i == cps.size() / 3) special += "\U00020000é";
    if (i == 2 * cps.size() / 3) special += "™\U0001F600";
    special += cps[i];
  }
  const std::string utf8 = g.lines_with(40, 7, special);
  const std::string gb = gb18030_of(utf8);
  ASSERT_NE(gb, utf8);
  const auto starts = line_starts(gb);
  ASSERT_GE(starts.size(), 40u);
  const std::string gb_shared = gb18030_of(special);
  ASSERT_EQ(gb.substr(starts[6], gb_shared.size()), gb_shared);
  const std::string file = g.tmp.file("gbk_report.txt");
  write_file(file, gb);

  const JsonRun j = run_json(g.tmp, {g.good1, g.good2, file});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 3);
  EXPECT_FALSE(is_skipped(j.report, file)) << "GB18030 text must be decoded, not skipped: "
                                           << skip_reason(j.report, file);
  expect_stderr_names(j.run, file);  // the encoding was guessed: say so
  expect_good_cluster(j.report, g);
  const Json* m = member_at(j.report, file, 7);
  ASSERT_NE(m, nullptr) << "the GB18030 copy of the shared paragraph was not clustered";
  EXPECT_EQ(cluster_of(j.report, file, 7), cluster_of(j.report, g.good1, 3));
  EXPECT_EQ((*m)["text"].get<std::string>(), special) << "text is decoded to UTF-8";
  EXPECT_EQ(get_u64(*m, "byte_start"), starts[6]) << "byte offsets point into the GB18030 bytes";
  EXPECT_EQ(get_u64(*m, "byte_end"), starts[6] + gb_shared.size());
  EXPECT_EQ(get_u64(*m, "line_end"), 7u);
  expect_members_match_files(j.report, {file});
  expect_check_report_passes(g.tmp.file("r.json"));
}

TEST(BadInput, ForcedEncodingGb18030) {
  if (python().empty()) GTEST_SKIP() << "python3 is needed to make GB18030 bytes";
  Good g;
  const std::string a = g.tmp.file("a.txt"), b = g.tmp.file("b.txt");
  write_file(a, gb18030_of(g.lines_with(5, 2, g.shared)));
  const std::string b_bytes = gb18030_of(g.lines_with(5, 4, g.shared));
  write_file(b, b_bytes);
  const JsonRun j = run_json(g.tmp, {a, b, "--encoding", "gb18030"});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 2);
  ASSERT_EQ(j.report["clusters"].size(), 1u);
  const Json* m = member_at(j.report, b, 4);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["text"].get<std::string>(), g.shared);
  EXPECT_EQ(get_u64(*m, "byte_start"), line_starts(b_bytes)[3]);
}

TEST(BadInput, Utf16LeWithBom) {
  Good g;
  // Shared paragraph on line 4. (check_report.py counts '\n' bytes, which is meaningless in
  // UTF-16, so the offsets are checked here directly.)
  const std::string utf8 = g.lines_with(20, 4, g.shared);
  const std::string bytes = std::string("\xFF\xFE") + utf8_to_utf16le(utf8);
  const std::string file = g.tmp.file("utf16.txt");
  write_file(file, bytes);
  std::size_t before = 0;  // UTF-8 offset of line 4
  for (int n = 0; n < 3; ++n) before = utf8.find('\n', before) + 1;
  const std::uint64_t start = 2 + utf8_to_utf16le(utf8.substr(0, before)).size();
  const std::uint64_t end = start + utf8_to_utf16le(g.shared).size();

  const JsonRun j = run_json(g.tmp, {g.good1, g.good2, file});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 3);
  EXPECT_FALSE(is_skipped(j.report, file)) << skip_reason(j.report, file);
  expect_good_cluster(j.report, g);
  const Json* m = member_at(j.report, file, 4);
  ASSERT_NE(m, nullptr) << "the UTF-16 copy of the shared paragraph was not clustered";
  EXPECT_EQ(cluster_of(j.report, file, 4), cluster_of(j.report, g.good1, 3));
  EXPECT_EQ((*m)["text"].get<std::string>(), g.shared);
  EXPECT_EQ(get_u64(*m, "line_end"), 4u);
  EXPECT_EQ(get_u64(*m, "byte_start"), start) << "offsets into the UTF-16 bytes, BOM included";
  EXPECT_EQ(get_u64(*m, "byte_end"), end);
  expect_members_match_files(j.report, {file});

  // The same in UTF-16BE.
  std::string be = utf8_to_utf16le(utf8);
  for (std::size_t i = 0; i + 1 < be.size(); i += 2) std::swap(be[i], be[i + 1]);
  const std::string file_be = g.tmp.file("utf16be.txt");
  write_file(file_be, std::string("\xFE\xFF") + be);
  const JsonRun k = run_json(g.tmp, {g.good1, file_be}, "be.json");
  REQUIRE_COMPLETED(k);
  expect_accounting(k.report, 2);
  const Json* mb = member_at(k.report, file_be, 4);
  ASSERT_NE(mb, nullptr) << "the UTF-16BE copy was not clustered";
  EXPECT_EQ((*mb)["text"].get<std::string>(), g.shared);
  EXPECT_EQ(get_u64(*mb, "byte_start"), start);
  EXPECT_EQ(get_u64(*mb, "byte_end"), end);
}

TEST(BadInput, Utf8WithBomShiftsOffsets) {
  Good g;
  // The shared paragraph on line 1, right after the BOM, and again on line 3.
  const std::string other = g.paragraph();
  const std::string bytes = "\xEF\xBB\xBF" + g.shared + "\n" + other + "\n" + g.shared + "\n";
  const std::string file = g.tmp.file("bom.txt");
  write_file(file, bytes);
  const JsonRun j = run_json(g.tmp, {file, g.good1});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 2);
  EXPECT_FALSE(is_skipped(j.report, file));
  const Json* m1 = member_at(j.report, file, 1);
  const Json* m3 = member_at(j.report, file, 3);
  ASSERT_NE(m1, nullptr);
  ASSERT_NE(m3, nullptr);
  EXPECT_EQ(get_u64(*m1, "byte_start"), 3u) << "the 3-byte BOM comes first";
  EXPECT_EQ(get_u64(*m1, "byte_end"), 3 + g.shared.size());
  EXPECT_EQ((*m1)["text"].get<std::string>(), g.shared) << "no BOM in the text";
  EXPECT_EQ(get_u64(*m3, "byte_start"), 3 + g.shared.size() + 1 + other.size() + 1);
  EXPECT_EQ(get_u64(*m1, "paragraph"), 1u);
  EXPECT_EQ(get_u64(*m3, "paragraph"), 3u);
  expect_members_match_files(j.report);
  expect_check_report_passes(g.tmp.file("r.json"));
}

TEST(BadInput, NonexistentPathMixedWithGoodFiles) {
  Good g;
  const std::string missing = g.tmp.file("no_such_report.txt");
  const JsonRun j = run_json(g.tmp, {g.good1, missing, g.good2});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 3);
  expect_good_cluster(j.report, g);
  EXPECT_TRUE(is_skipped(j.report, missing)) << "skipped must list the path as given: "
                                             << j.report["skipped"].dump();
  EXPECT_TRUE(contains_any(skip_reason(j.report, missing),
                           {"no such", "not exist", "not found", "missing", "cannot", "can't"}))
      << skip_reason(j.report, missing);
  expect_stderr_names(j.run, missing);

  // Messages go to stderr, so JSON on stdout stays parseable.
  const RunResult r = run_recur({"report", g.good1, missing, g.good2, "--format", "json"});
  ASSERT_EQ(r.status, 0) << describe(r);
  Json j2;
  ASSERT_NO_THROW(j2 = Json::parse(r.out)) << "stdout is not JSON:\n" << r.out.substr(0, 300);
  EXPECT_TRUE(is_skipped(j2, missing));
  expect_stderr_names(r, missing);
}

TEST(BadInput, OnlyUnreadablePathsExitWithStatus1) {
  TempDir tmp;
  const std::string missing = tmp.file("missing.txt");
  RunResult r = run_recur({"report", missing});
  ASSERT_TRUE(r.exited_normally()) << describe(r);
  EXPECT_EQ(r.status, 1) << describe(r);
  expect_stderr_names(r, missing);

  // A dangling symbolic link cannot be read either.
  const std::string link = tmp.file("dangling.txt");
  fs::create_symlink(tmp.file("gone.txt"), link);
  r = run_recur({"report", link, "--format", "json", "-o", tmp.file("r.json")});
  ASSERT_TRUE(r.exited_normally()) << describe(r);
  EXPECT_EQ(r.status, 1) << describe(r);
  expect_stderr_names(r, link);
}

TEST(BadInput, DirectoryWithoutMatchingFiles) {
  Good g;
  const std::string dir = g.tmp.file("attachments");
  write_file(dir + "/scan.pdf", "%PDF-1.4\n");
  write_file(dir + "/notes.md", g.paragraph() + "\n");
  const std::string empty_dir = g.tmp.file("empty_dir");
  fs::create_directories(empty_dir);

  JsonRun j = run_json(g.tmp, {g.good1, g.good2, dir});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 3);  // two files and the directory that gave none
  expect_good_cluster(j.report, g);
  EXPECT_TRUE(is_skipped(j.report, dir)) << j.report["skipped"].dump();
  expect_stderr_names(j.run, dir);

  // Alone it leaves nothing to read.
  for (const std::string& d : {dir, empty_dir}) {
    const RunResult r = run_recur({"report", d});
    ASSERT_TRUE(r.exited_normally()) << describe(r);
    EXPECT_EQ(r.status, 1) << describe(r);
    expect_stderr_names(r, d);
  }
}

TEST(BadInput, GlobMatchingNothing) {
  Good g;
  // The directory holds only *.txt; --glob '*.md' finds nothing.
  const RunResult r = run_recur({"report", g.tmp.path().string(), "--glob", "*.md"});
  ASSERT_TRUE(r.exited_normally()) << describe(r);
  EXPECT_EQ(r.status, 1) << describe(r);
  expect_stderr_names(r, g.tmp.path().string());

  const JsonRun j = run_json(g.tmp, {g.tmp.path().string(), g.good1, "--glob", "*.md"});
  REQUIRE_COMPLETED(j);
  expect_accounting(j.report, 2);  // good1 named directly, the directory gave nothing
  EXPECT_TRUE(is_skipped(j.report, g.tmp.path().string())) << j.report["skipped"].dump();
}

TEST(BadInput, CrlfLineEndings) {
  Good g;
  // Windows line ends: the '\r' is not part of a paragraph.
  std::string text;
  std::uint64_t start = 0;
  for (int i = 1; i <= 6; ++i) {
    if (i == 4) start = text.size();
    text += (i == 4 ? g.shared : g.paragraph()) + "\r\n";
  }
  const std::string file = g.tmp.file("windows.txt");
  write_file(file, text);
  const JsonRun j = run_json(g.tmp, {g.good1, file});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 2);
  const Json* m = member_at(j.report, file, 4);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["text"].get<std::string>(), g.shared) << "no '\\r' in the text";
  EXPECT_EQ(get_u64(*m, "byte_start"), start);
  EXPECT_EQ(get_u64(*m, "byte_end"), start + g.shared.size());
  EXPECT_DOUBLE_EQ((*m)["similarity"].get<double>(), 1.0);
  expect_check_report_passes(g.tmp.file("r.json"));
}

TEST(BadInput, EverythingAtOnce) {
  // All the bad cases in one run, plus the good files: every input accounted for, exit 0.
  Good g;
  const std::string empty = g.tmp.file("e.txt"), bin = g.tmp.file("b.txt"),
                    missing = g.tmp.file("m.txt"), dir = g.tmp.file("nothing_here");
  write_file(empty, "");
  write_file(bin, std::string("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16) + std::string(500, '\0'));
  fs::create_directories(dir);
  const JsonRun j = run_json(g.tmp, {empty, bin, missing, dir, g.good1, g.good2});
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 6);
  expect_good_cluster(j.report, g);
  for (const auto& p : {bin, missing, dir}) {
    EXPECT_TRUE(is_skipped(j.report, p)) << p;
    expect_stderr_names(j.run, p);
  }
  expect_stderr_names(j.run, empty);
  EXPECT_GE(get_u64(j.report["stats"], "files_read"), 2u);
}

TEST(BadInput, FiftyMegabyteSingleLine) {
  TempDir tmp;
  std::mt19937_64 rng(50);
  std::string line;
  line.reserve(50u << 20);
  while (line.size() < (50u << 20)) {
    const auto& c = random_char(rng);
    line += c;
    if (rng() % 23 == 0) line += "，";
    if (rng() % 61 == 0) line += "。";
  }
  line += "\n";
  const std::string file = tmp.file("huge.txt");
  write_file(file, line);
  line = std::string();
  const JsonRun j = run_json(tmp, {file});
  std::cout << "50 MB line: " << j.run.seconds << " s" << std::endl;
  REQUIRE_COMPLETED(j);
  expect_report_shape(j.report);
  expect_accounting(j.report, 1);
  EXPECT_EQ(get_u64(j.report["stats"], "files_read"), 1u);
  EXPECT_EQ(get_u64(j.report["stats"], "paragraphs"), 1u) << "one line is one paragraph";
  EXPECT_EQ(get_u64(j.report["stats"], "paragraphs_indexed"), 1u);
  EXPECT_EQ(get_u64(j.report["stats"], "bytes"), fs::file_size(file));
  EXPECT_TRUE(j.report["clusters"].empty());
  EXPECT_LT(j.run.seconds, 30.0) << "a 50 MB line should take seconds, not minutes";
}

}  // namespace
