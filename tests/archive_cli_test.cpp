// End-to-end tests of `recur index` and `recur query`: the built binary on the example reports,
// exit statuses and messages, a read-only archive, and adds killed with SIGKILL at random moments.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "recur/archive.hpp"
#include "recur/error.hpp"
#include "test_util.hpp"

#ifndef RECUR_SOURCE_DIR
#error "RECUR_SOURCE_DIR must be defined"
#endif

namespace {

using namespace recur_test;

const std::string kExamples = std::string(RECUR_SOURCE_DIR) + "/examples/reports";

// The bytes [byte_start, byte_end) of a span's file are its text.
void expect_span_is_its_bytes(const nlohmann::ordered_json& span) {
  const std::string bytes = read_file(span["path"].get<std::string>());
  const auto b = span["byte_start"].get<std::size_t>(), e = span["byte_end"].get<std::size_t>();
  ASSERT_LE(e, bytes.size());
  EXPECT_EQ(bytes.substr(b, e - b), span["text"].get<std::string>()) << span["path"];
}

TEST(IndexCli, AddListInfoAndQueryTheExamples) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  RunResult r = run_recur({"index", "add", db, kExamples});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "4 files added, 0 replaced (4 documents")) << r.out;
  r = run_recur({"index", "list", db});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, kExamples + "/haiyang.txt")) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 5);  // header + 4 documents
  r = run_recur({"index", "info", db, "--format", "json", "--check"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto info = nlohmann::ordered_json::parse(r.out);
  EXPECT_EQ(info["files"], 4);
  EXPECT_EQ(info["documents"], 4);
  EXPECT_EQ(info["fingerprint"]["seed_sample"], 8);
  EXPECT_EQ(info["check"]["integrity"], "ok");
  EXPECT_TRUE(info["check"]["problems"].empty());

  // Text: one summary line per query.
  r = run_recur({"query", db, kExamples + "/haiyang.txt", "--color", "never"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(r.out.rfind("recur query: " + db + ", 4 archived documents\n", 0), 0u) << r.out;
  EXPECT_TRUE(contains(r.out, "100% of " + kExamples + "/haiyang.txt is found in the archive: 100% in " + kExamples +
                                  "/haiyang.txt, ")) << r.out;
  EXPECT_TRUE(contains(r.out, "% in " + kExamples + "/jiangcheng.txt")) << r.out;

  // JSON: the contract, with every span's bytes in its file.
  const std::string out = dir.file("q.json");
  r = run_recur({"query", db, kExamples + "/jiangcheng.txt", kExamples + "/qinghe.txt", "--format", "json", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto j = load_json(out);
  EXPECT_EQ(j["archive"]["path"], db);
  EXPECT_EQ(j["archive"]["documents"], 4);
  ASSERT_EQ(j["queries"].size(), 2u);
  for (const auto& q : j["queries"]) {
    EXPECT_GT(q["content_chars"].get<int>(), 0);
    double previous = 2;
    for (const auto& s : q["sources"]) {
      EXPECT_LE(s["share"].get<double>(), previous);
      previous = s["share"].get<double>();
      for (const auto& p : s["passages"]) {
        expect_span_is_its_bytes(p["a"]);
        expect_span_is_its_bytes(p["b"]);
        EXPECT_EQ(p["b"]["path"], s["path"]);
      }
    }
  }
}

TEST(IndexCli, ReAddingIsANoOpAndAChangedFileIsReplaced) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  fs::copy(kExamples, dir.file("reports"));
  ASSERT_EQ(run_recur({"index", "add", db, dir.file("reports")}).status, 0);
  RunResult r = run_recur({"index", "add", db, dir.file("reports")});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "0 files added, 0 replaced (0 documents, 0.0 MB), 4 unchanged, 0 skipped")) << r.out;
  write_file(dir.file("reports/qinghe.txt"), read_file(dir.file("reports/qinghe.txt")) + "　　新增一段文字。\n");
  r = run_recur({"index", "add", db, dir.file("reports")});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "0 files added, 1 replaced (1 documents")) << r.out;
  EXPECT_TRUE(contains(r.out, "3 unchanged")) << r.out;
  EXPECT_EQ(run_recur({"index", "info", db, "--check"}).status, 0);
}

TEST(IndexCli, OptionsThatDifferFromTheArchivesAreRefusedNamingThem) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  ASSERT_EQ(run_recur({"index", "add", db, kExamples, "--doc-split", "综述$"}).status, 0);
  RunResult r = run_recur({"index", "add", db, kExamples, "--doc-split", "报告$"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "was built with --doc-split '综述$'; this run uses --doc-split '报告$'")) << r.err;
  r = run_recur({"query", db, kExamples + "/haiyang.txt", "--seed", "5"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "was built with --seed 6; this run uses --seed 5")) << r.err;
  r = run_recur({"query", db, kExamples + "/haiyang.txt", "--sample", "4"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "--sample 8; this run uses --sample 4")) << r.err;
  // Options not given are the archive's: its --doc-split applies without being repeated.
  r = run_recur({"query", db, kExamples + "/haiyang.txt", "--format", "json"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(nlohmann::ordered_json::parse(r.out)["options"]["doc_split"], "综述$");
  r = run_recur({"index", "add", db, kExamples, "--doc-split", "综述$"});
  EXPECT_EQ(r.status, 0) << describe(r);
}

TEST(IndexCli, QueryReadsAReadOnlyArchiveAndNeverWritesIt) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  ASSERT_EQ(run_recur({"index", "add", db, kExamples}).status, 0);
  const std::string before = read_file(db);
  ASSERT_EQ(::chmod(db.c_str(), 0444), 0);
  const RunResult r = run_recur({"query", db, kExamples + "/yunshan.txt", "--format", "json"});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(read_file(db), before);
  EXPECT_EQ(run_recur({"index", "list", db}).status, 0);
  ::chmod(db.c_str(), 0644);
}

TEST(IndexCli, ArchivesThatCannotBeUsedAreNamedWithExitStatus1) {
  TempDir dir;
  RunResult r = run_recur({"query", dir.file("none.db"), kExamples});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "recur query: no archive at " + dir.file("none.db"))) << r.err;
  r = run_recur({"query", kExamples + "/haiyang.txt", kExamples});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "is not a recur archive (not an SQLite database)")) << r.err;
  r = run_recur({"index", "add", kExamples + "/haiyang.txt", kExamples});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "is not a recur archive")) << r.err;
  r = run_recur({"index", "info", dir.file("none.db")});
  EXPECT_EQ(r.status, 1) << describe(r);
  // Usage errors are 2.
  r = run_recur({"index", "frobnicate", dir.file("x.db")});
  EXPECT_EQ(r.status, 2) << describe(r);
  r = run_recur({"query", dir.file("x.db"), kExamples, "--max-sources", "0"});
  EXPECT_EQ(r.status, 2) << describe(r);
}

TEST(IndexCli, RemoveTakesFilesAndFoldersOut) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  ASSERT_EQ(run_recur({"index", "add", db, kExamples}).status, 0);
  RunResult r = run_recur({"index", "remove", db, kExamples + "/qinghe.txt"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "1 files removed (1 documents)")) << r.out;
  r = run_recur({"index", "remove", db, kExamples + "/nothing.txt"});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, kExamples + "/nothing.txt is not in the archive")) << r.err;
  r = run_recur({"query", db, kExamples + "/qinghe.txt", "--format", "json"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto j = nlohmann::ordered_json::parse(r.out);
  for (const auto& s : j["queries"][0]["sources"]) EXPECT_NE(s["path"], kExamples + "/qinghe.txt");
  r = run_recur({"index", "remove", db, kExamples + "/"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "3 files removed")) << r.out;
  EXPECT_EQ(run_recur({"index", "info", db, "--check"}).status, 0);
}

TEST(IndexCli, TheOutputIsNeverTheArchive) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  ASSERT_EQ(run_recur({"index", "add", db, kExamples}).status, 0);
  const std::string before = read_file(db);
  const RunResult r = run_recur({"query", db, kExamples, "-o", db});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_EQ(read_file(db), before);
}

// Starts `recur ARGS...` as a child process; returns its pid.
pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    const std::string bin = recur_binary();
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// Kills `pid` with `sig` after `ms` milliseconds (unless it ended before); returns how it ended:
// its exit status, or 128 + the signal that ended it.
int kill_after(pid_t pid, int ms, int sig) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, sig);
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(IndexCli, AnAddKilledAtRandomMomentsLeavesASoundArchiveOfWholeDocuments) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  RunResult r = run_recur({"synth", "--size", "10MiB", "--seed", "3", "-o", dir.file("corpus"), "-q"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const std::string docs = dir.file("corpus/docs");
  // Kill moments as fractions of how long a whole add takes on this machine (timed once into a
  // scratch archive), so that they fall inside the run on a fast idle machine as on a loaded one.
  const auto t0 = std::chrono::steady_clock::now();
  r = run_recur({"index", "add", dir.file("timing.db"), docs, "--batch", "1", "-q"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const double whole_ms = std::max(
      20.0, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  std::mt19937_64 rng(20240601);
  int killed = 0;
  // Each add resumes where the killed one stopped (its committed files are unchanged), so the
  // kills fall at different points of the corpus: batches of 1 MiB give about 10 commits. An add
  // that ends before its kill (the machine got faster than when it was timed) has completed the
  // archive, so later adds would have nothing left to do: the archive is started afresh and the
  // kill moments halved (in CI, under load, all six once ended before their kills).
  double scale = 1.0;
  for (int round = 0; round < 6; ++round) {
    const auto lo = static_cast<std::size_t>(0.05 * scale * whole_ms), hi = static_cast<std::size_t>(0.7 * scale * whole_ms);
    const int ms = static_cast<int>(uniform(rng, lo, std::max(lo + 1, hi)));
    const pid_t pid = spawn({"index", "add", db, docs, "--batch", "1", "-q"});
    ASSERT_GT(pid, 0);
    const int status = kill_after(pid, ms, SIGKILL);
    killed += status == 128 + SIGKILL;
    if (status != 128 + SIGKILL) {
      ASSERT_EQ(status, 0) << "round " << round << ": an add that was not killed failed";
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(db + suffix);
      scale /= 2;
      continue;
    }
    if (!fs::exists(db)) continue;
    // The archive opens, SQLite finds it sound, and every document has exactly its seeds.
    std::unique_ptr<recur::Archive> archive;
    try {
      archive = recur::Archive::open_read(db);
    } catch (const recur::Error& e) {
      // Killed before the schema was committed: an empty file, which the next add takes over.
      EXPECT_TRUE(contains(e.what(), "is empty")) << e.what();
      continue;
    }
    const recur::ArchiveCheck check = archive->check();
    EXPECT_EQ(check.integrity, "ok") << "round " << round << " after " << ms << " ms";
    EXPECT_TRUE(check.problems.empty()) << "round " << round << ": " << check.problems.front();
  }
  EXPECT_GT(killed, 0) << "no add was killed while running: the corpus is too small for this machine";
  // A last add completes the archive.
  r = run_recur({"index", "add", db, docs});
  ASSERT_EQ(r.status, 0) << describe(r);
  auto archive = recur::Archive::open_read(db);
  EXPECT_TRUE(archive->check().ok());
  EXPECT_EQ(archive->info().files, fs::exists(docs) ? static_cast<std::uint64_t>(std::distance(
                                                          fs::directory_iterator(docs), fs::directory_iterator()))
                                                    : 0u);
}

TEST(IndexCli, QueriesReadTheArchiveWhileAnAddWrites) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  ASSERT_EQ(run_recur({"synth", "--size", "10MiB", "--seed", "5", "-o", dir.file("corpus"), "-q"}).status, 0);
  const std::string docs = dir.file("corpus/docs");
  const std::string probe = (fs::path(docs) / "000003.txt").string();
  const pid_t pid = spawn({"index", "add", db, docs, "--batch", "1", "-q"});
  int during = 0, status = 0;
  for (;;) {
    const RunResult r = run_recur({"query", db, probe, "--format", "json", "-q"});
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    if (r.status == 0) {
      ++during;
      // A consistent snapshot: every source of the report is an archived document.
      EXPECT_NO_THROW(nlohmann::ordered_json::parse(r.out)) << r.out;
    } else {
      EXPECT_EQ(r.status, 1) << describe(r);
      EXPECT_TRUE(contains(r.err, "is empty") || contains(r.err, "no archive at")) << describe(r);
    }
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_GT(during, 0) << "no query ran while the add was writing";
  const RunResult r = run_recur({"query", db, probe, "--format", "json"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(nlohmann::ordered_json::parse(r.out)["queries"][0]["found"], 1.0);
}

TEST(IndexCli, CtrlCKeepsTheFilesAddedAndExitsWith130) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  ASSERT_EQ(run_recur({"synth", "--size", "16MiB", "--seed", "4", "-o", dir.file("corpus"), "-q"}).status, 0);
  const pid_t pid = spawn({"index", "add", db, dir.file("corpus/docs"), "--batch", "2"});
  const int status = kill_after(pid, 250, SIGINT);
  if (status == 0) GTEST_SKIP() << "the add finished before it could be interrupted";
  EXPECT_EQ(status, 130);
  if (fs::exists(db)) {
    try {
      EXPECT_TRUE(recur::Archive::open_read(db)->check().ok());
    } catch (const recur::Error& e) {
      EXPECT_TRUE(contains(e.what(), "is empty")) << e.what();
    }
  }
}

}  // namespace
