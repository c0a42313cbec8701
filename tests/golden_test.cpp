/// \file golden_test.cpp
/// Golden outputs: the JSON of `recur report` and `recur phrases` on fixed inputs must not change
/// unless a change means it to (a refactor of the engine must keep them byte-identical, apart from
/// timings and the thread count). Small outputs are kept whole in tests/golden/*.json; the large
/// ones of ../shared/corpus are kept as a 64-bit FNV-1a fingerprint (*.fnv), the output being
/// several MB. On a mismatch the new output is written next to the build for a diff.
///
/// To accept a change on purpose: RECUR_UPDATE_GOLDEN=1 build/tests/recur_tests --gtest_filter='Golden*'
/// and commit tests/golden/ with a word in the commit message on why the output changed.
#include <gtest/gtest.h>

#include <cstdio>

#include "test_util.hpp"

using namespace recur_test;

namespace {

const fs::path kGoldenDir = fs::path(RECUR_SOURCE_DIR) / "tests" / "golden";

std::string fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool updating() {
  const char* u = std::getenv("RECUR_UPDATE_GOLDEN");
  return u != nullptr && std::string(u) == "1";
}

/// Runs recur in `cwd` (so that paths in the output are relative and the same on every machine)
/// and compares its JSON, timings removed, with the golden file `name`.
void expect_golden(const std::string& name, const fs::path& cwd, std::vector<std::string> args, bool whole) {
  TempDir out;
  args.insert(args.end(), {"--format", "json", "-q", "-o", out.file("out.json")});
  const RunResult r = run_recur(args, cwd);
  ASSERT_EQ(r.status, 0) << describe(r);
  const std::string json = raw_without_timings(read_file(out.path() / "out.json"));
  const fs::path golden = kGoldenDir / (name + (whole ? ".json" : ".fnv"));
  const std::string expected_form = whole ? json : fnv1a(json) + "\n";
  if (updating()) {
    write_file(golden, expected_form);
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; RECUR_UPDATE_GOLDEN=1 writes it";
  if (read_file(golden) == expected_form) return;
  const fs::path keep = fs::current_path() / ("golden-" + name + ".json");
  write_file(keep, json);
  ADD_FAILURE() << name << ": the output differs from " << golden << "; the new output is in " << keep
                << " (if the change is meant, RECUR_UPDATE_GOLDEN=1 regenerates the golden files)";
}

TEST(Golden, ExamplesReportAndPhrases) {
  const fs::path source(RECUR_SOURCE_DIR);
  expect_golden("examples-report", source, {"report", "examples/reports"}, true);
  expect_golden("examples-phrases", source, {"phrases", "examples/reports", "--min-docs", "2"}, true);
}

TEST(Golden, GeneratedCorpus) {
  TempDir t;
  ASSERT_EQ(run_recur({"synth", "--size", "120kB", "--doc-size", "20kB", "--seed", "3", "-o", t.file("g"), "-q"})
                .status,
            0);
  const fs::path cwd = t.path() / "g";
  expect_golden("synth-report", cwd, {"report", "docs", "--threads", "2"}, true);
  expect_golden("synth-report-classic", cwd, {"report", "docs", "--minhash", "classic", "--threshold", "0.4"}, true);
  expect_golden("synth-phrases", cwd, {"phrases", "docs", "--min-docs", "2"}, true);
}

TEST(Golden, SharedCorpus) {
  if (!fs::exists(shared_dir() / "corpus")) GTEST_SKIP() << "no ../shared/corpus";
  const fs::path cwd = shared_dir();
  expect_golden("shared-report", cwd,
                {"report", "corpus", "--doc-split", "综述$", "--strip", "##paid(begin|end)##"}, false);
  expect_golden("shared-phrases", cwd, {"phrases", "corpus", "--doc-split", "综述$"}, false);
  expect_golden("shared-sentences", cwd, {"phrases", "corpus", "--doc-split", "综述$", "--unit", "sentence"}, false);
}

}  // namespace
