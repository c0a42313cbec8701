/// \file safety_test.cpp
/// "Never lose a user's data": outputs written atomically and never over an input, runs that are
/// interrupted, recur's own previous report in the input folder, synth and eval refusing what would
/// mislead, CLI error messages, standard input, progress only on a terminal, and a quick start that
/// works from a bare clone. Each test runs the built binary, as a user would.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "test_util.hpp"

using namespace recur_test;

namespace {

/// Three small reports, two sharing a paragraph, so a report has a cluster to write.
void write_reports(const fs::path& dir) {
  std::mt19937_64 rng(5);
  auto text = [&](std::size_t chars) { return join(random_sentence(rng, chars)); };
  const std::string shared = text(120);
  write_file(dir / "001.txt", "第一份报告\n" + shared + "\n" + text(90) + "\n");
  write_file(dir / "002.txt", "第二份报告\n" + text(80) + "\n" + shared + "\n");
  write_file(dir / "003.txt", "第三份报告\n" + text(100) + "\n");
}

/// Files in `dir` whose name contains "recur-tmp": temporaries left behind.
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find("recur-tmp") != std::string::npos) found.push_back(e.path().string());
  return found;
}

/// A recur process whose standard input is a pipe the test holds open, so the process waits in a
/// known place (reading "-") for as long as the test wants.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& err_file) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[0], STDIN_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(err, STDERR_FILENO);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      std::vector<char*> argv;
      std::string bin = recur_binary();
      argv.push_back(bin.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[0]);
    stdin_ = fds[1];
  }
  ~Child() {
    close_stdin();
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      wait(10);
    }
  }
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  /// Waits up to `seconds`; the exit status (128 + signal when killed), or -1 when still running.
  int wait(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (status_ < 0) {
      int raw = 0;
      const pid_t r = ::waitpid(pid_, &raw, WNOHANG);
      if (r == pid_) status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      else if (std::chrono::steady_clock::now() > until) return -1;
      else std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int status_ = -1;
};

/// Waits up to `seconds` for `pred`.
template <class Pred>
bool eventually(Pred pred, double seconds = 20) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// ------------------------------------------------------------- 1. output over an input ------

TEST(Safety, OutputNamingAnInputIsRefusedBeforeAnyWork) {
  TempDir t;
  write_reports(t.path());
  const std::string before = read_file(t.path() / "003.txt");
  for (const std::string command : {"report", "phrases"}) {
    const RunResult r = run_recur({command, t.path().string(), "-o", t.file("003.txt")});
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_NE(r.err.find("003.txt"), std::string::npos) << describe(r);
    EXPECT_EQ(r.err.rfind("recur " + command + ": ", 0), 0u) << describe(r);
    EXPECT_EQ(read_file(t.path() / "003.txt"), before) << "the input was changed by: " << describe(r);
  }
  EXPECT_TRUE(temporaries(t.path()).empty());
}

TEST(Safety, OutputReachingAnInputThroughALinkIsRefused) {
  TempDir t;
  write_reports(t.path() / "in");
  const std::string before = read_file(t.path() / "in" / "002.txt");
  fs::create_symlink(t.path() / "in" / "002.txt", t.path() / "soft.txt");
  fs::create_hard_link(t.path() / "in" / "002.txt", t.path() / "hard.txt");
  for (const std::string out : {"soft.txt", "hard.txt"}) {
    const RunResult r = run_recur({"report", t.file("in"), "-o", t.file(out), "--format", "json"});
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_NE(r.err.find("002.txt"), std::string::npos) << describe(r);
  }
  EXPECT_EQ(read_file(t.path() / "in" / "002.txt"), before);
  EXPECT_TRUE(fs::is_symlink(t.path() / "soft.txt"));
}

TEST(Safety, OutputThroughALinkToANewPlaceReplacesTheTargetAndKeepsTheLink) {
  TempDir t;
  write_reports(t.path() / "in");
  write_file(t.path() / "old.json", "old");
  fs::create_symlink("old.json", t.path() / "link.json");
  const RunResult r = run_recur({"report", t.file("in"), "-o", t.file("link.json"), "--format", "json", "-q"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(fs::is_symlink(t.path() / "link.json"));
  EXPECT_NE(read_file(t.path() / "old.json").find("\"recur_version\""), std::string::npos);
}

TEST(Safety, ExcludeFileIsNotAnOutput) {
  TempDir t;
  write_reports(t.path() / "in");
  write_file(t.path() / "stock.txt", "第一份报告\n");
  const RunResult r = run_recur({"phrases", t.file("in"), "--exclude", t.file("stock.txt"), "-o", t.file("stock.txt")});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_EQ(read_file(t.path() / "stock.txt"), "第一份报告\n");
}

// ------------------------------------------------------------- 2. interrupted runs ----------

// recur waits for standard input with its temporary output created; the signal comes then.
void expect_interrupt_keeps_output(const std::string& command, int sig) {
  TempDir t;
  write_file(t.path() / "keep.json", "the previous report");
  Child child({command, "-", "-o", t.file("keep.json"), "--format", "json"}, t.path() / "stderr");
  ASSERT_TRUE(eventually([&] { return !temporaries(t.path()).empty(); })) << "no temporary output appeared";
  child.signal(sig);
  const int status = child.wait(20);
  EXPECT_EQ(status, 128 + sig) << read_file(t.path() / "stderr");
  EXPECT_EQ(read_file(t.path() / "keep.json"), "the previous report");
  EXPECT_TRUE(temporaries(t.path()).empty());
  EXPECT_NE(read_file(t.path() / "stderr").find("recur: interrupted"), std::string::npos);
}

TEST(Safety, CtrlCLeavesTheExistingReportUnchangedAndExits130) {
  expect_interrupt_keeps_output("report", SIGINT);
  expect_interrupt_keeps_output("phrases", SIGINT);
}

TEST(Safety, TerminationLeavesTheExistingReportUnchanged) {
  expect_interrupt_keeps_output("report", SIGTERM);
  expect_interrupt_keeps_output("phrases", SIGHUP);
}

TEST(Safety, CompletedRunReplacesTheReportWithNoTemporaryLeft) {
  TempDir t;
  write_reports(t.path() / "in");
  write_file(t.path() / "r.json", "old");
  ::chmod(t.file("r.json").c_str(), 0640);
  const RunResult r = run_recur({"report", t.file("in"), "-o", t.file("r.json"), "--format", "json", "-q"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_NO_THROW(load_json(t.path() / "r.json"));
  EXPECT_EQ(fs::status(t.path() / "r.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_TRUE(temporaries(t.path()).empty());
}

TEST(Safety, UnwritableOutputFolderFailsBeforeReading) {
  TempDir t;
  write_reports(t.path() / "in");
  const RunResult r = run_recur({"report", t.file("in"), "-o", t.file("no/such/dir/r.json")});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << describe(r);
  const RunResult d = run_recur({"report", t.file("in"), "-o", t.file("in")});
  EXPECT_EQ(d.status, 2) << describe(d);
  EXPECT_NE(d.err.find("is a directory"), std::string::npos) << describe(d);
}

// ------------------------------------------------------------- 3. previous report as input --

TEST(Safety, RunningTwiceWithTheReportInTheInputFolderNeverReadsIt) {
  for (const std::string format : {"json", "csv", "text"}) {
    TempDir t;
    write_reports(t.path());
    // The report matches the default --glob *.txt.
    const std::vector<std::string> args = {"report", t.path().string(), "-o", t.file("report.txt"), "--format",
                                           format, "-q"};
    const RunResult first = run_recur(args);
    ASSERT_EQ(first.status, 0) << describe(first);
    const std::string first_text = read_file(t.path() / "report.txt");
    const RunResult second = run_recur(args);
    ASSERT_EQ(second.status, 0) << describe(second);
    const std::string second_text = read_file(t.path() / "report.txt");
    EXPECT_EQ(second_text.find("report.txt,"), std::string::npos) << format << ": a cluster member is the old report";
    if (format != "text")  // (the text lists skipped files as "path: reason")
      EXPECT_EQ(second_text.find("report.txt:"), std::string::npos) << format << ": a member is the old report";
    if (format == "json") {
      const auto a = nlohmann::ordered_json::parse(first_text);
      EXPECT_EQ(a["stats"]["files"], 3);
      EXPECT_EQ(a["stats"]["files_skipped"], 0);
      // The second run lists the old report as skipped and reads the same three documents.
      const auto b = nlohmann::ordered_json::parse(second_text);
      EXPECT_EQ(b["stats"]["files_read"], 3);
      EXPECT_EQ(b["stats"]["documents"], a["stats"]["documents"]);
      EXPECT_EQ(b["clusters"], a["clusters"]);
      ASSERT_EQ(b["skipped"].size(), 1u);
      EXPECT_NE(b["skipped"][0]["reason"].get<std::string>().find("previous report"), std::string::npos);
    } else if (format == "text") {
      EXPECT_EQ(first_text.rfind("recur report: 3 files (0 skipped)", 0), 0u) << first_text;
      EXPECT_EQ(second_text.rfind("recur report: 4 files (1 skipped)", 0), 0u) << second_text;
    } else {
      EXPECT_EQ(first_text, second_text);  // CSV has no skip list: the same clusters, byte for byte
    }
    EXPECT_TRUE(temporaries(t.path()).empty());
  }
}

TEST(Safety, TemporaryOutputIsNeverListedAsAnInput) {
  TempDir t;
  write_reports(t.path());
  // --glob '*' matches every name, the temporary's too.
  const RunResult r =
      run_recur({"report", t.path().string(), "--glob", "*", "-o", t.file("out.json"), "--format", "json", "-q"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto j = load_json(t.path() / "out.json");
  EXPECT_EQ(j["stats"]["files"], 3) << j["skipped"].dump();
}

TEST(Safety, PhrasesReportInTheInputFolderIsReplacedNotRead) {
  TempDir t;
  write_reports(t.path());
  const std::vector<std::string> args = {"phrases", t.path().string(), "-o", t.file("phrases.txt"),
                                         "--min-docs", "2", "-q"};
  ASSERT_EQ(run_recur(args).status, 0);
  const RunResult second = run_recur(args);
  EXPECT_EQ(second.status, 0) << describe(second);
}

// ------------------------------------------------------------- 5. synth and eval ------------

TEST(Safety, SynthRefusesANonEmptyFolderUnlessForced) {
  TempDir t;
  write_file(t.path() / "corpus" / "mine.txt", "my own document");
  const RunResult r = run_recur({"synth", "--size", "20kB", "--doc-size", "10kB", "-o", t.file("corpus"), "-q"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << describe(r);
  EXPECT_EQ(read_file(t.path() / "corpus" / "mine.txt"), "my own document");
  EXPECT_FALSE(fs::exists(t.path() / "corpus" / "docs"));
  EXPECT_TRUE(temporaries(t.path()).empty());

  const RunResult f =
      run_recur({"synth", "--size", "20kB", "--doc-size", "10kB", "-o", t.file("corpus"), "-q", "--force"});
  ASSERT_EQ(f.status, 0) << describe(f);
  EXPECT_FALSE(fs::exists(t.path() / "corpus" / "mine.txt"));
  EXPECT_TRUE(fs::exists(t.path() / "corpus" / "truth.jsonl"));
  EXPECT_TRUE(fs::exists(t.path() / "corpus" / "docs" / "000000.txt"));
  EXPECT_TRUE(temporaries(t.path()).empty());
  // Truth paths name the final folder, not the temporary one.
  EXPECT_EQ(read_file(t.path() / "corpus" / "truth.jsonl").find("recur-tmp"), std::string::npos);
}

TEST(Safety, SynthIntoAnEmptyFolderWorks) {
  TempDir t;
  fs::create_directories(t.path() / "empty");
  const RunResult r = run_recur({"synth", "--size", "20kB", "--doc-size", "10kB", "-o", t.file("empty"), "-q"});
  ASSERT_EQ(r.status, 0) << describe(r);
  EXPECT_TRUE(fs::exists(t.path() / "empty" / "truth.jsonl"));
}

TEST(Safety, InterruptedSynthLeavesNothing) {
  TempDir t;
  write_file(t.path() / "out" / "keep.txt", "kept");
  Child child({"synth", "--size", "2GiB", "--doc-size", "10kB", "-o", t.file("out"), "--force", "-q"},
              t.path() / "stderr");
  ASSERT_TRUE(eventually([&] { return !temporaries(t.path()).empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  child.signal(SIGINT);
  EXPECT_EQ(child.wait(30), 130) << read_file(t.path() / "stderr");
  EXPECT_TRUE(temporaries(t.path()).empty());
  EXPECT_EQ(read_file(t.path() / "out" / "keep.txt"), "kept");
  EXPECT_FALSE(fs::exists(t.path() / "out" / "docs"));
}

TEST(Safety, EvalOfAReportOfAnotherCorpusFails) {
  TempDir t;
  ASSERT_EQ(run_recur({"synth", "--size", "60kB", "--doc-size", "20kB", "-o", t.file("a"), "-q"}).status, 0);
  write_reports(t.path() / "other");
  ASSERT_EQ(run_recur({"report", t.file("other"), "--format", "json", "-o", t.file("other.json"), "-q"}).status, 0);
  ASSERT_FALSE(load_json(t.path() / "other.json")["clusters"].empty());
  const RunResult r = run_recur({"eval", t.file("other.json"), "--truth", t.file("a/truth.jsonl")});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_NE(r.err.find("no file of the truth"), std::string::npos) << describe(r);
  // The matching report still scores.
  ASSERT_EQ(run_recur({"report", t.file("a/docs"), "--format", "json", "-o", t.file("a.json"), "-q"}).status, 0);
  const RunResult ok = run_recur({"eval", t.file("a.json"), "--truth", t.file("a/truth.jsonl")});
  EXPECT_EQ(ok.status, 0) << describe(ok);
}

// ------------------------------------------------------------- 6. error messages ------------

TEST(Safety, UnknownCommandIsNamed) {
  const RunResult r = run_recur({"reprot", "/tmp"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("recur: unknown command 'reprot' (commands: report, phrases"), std::string::npos) << r.err;
}

TEST(Safety, OptionErrorsNameTheOptionAndTheRangeOfTheHelp) {
  TempDir t;
  write_reports(t.path());
  const std::string dir = t.path().string();
  struct Case {
    std::vector<std::string> args;
    std::string option, words;
  };
  const std::vector<Case> cases = {
      {{"report", dir, "--threshold", "abc"}, "--threshold", "a number greater than 0 and at most 1"},
      {{"report", dir, "--threshold", "0"}, "--threshold", "a number greater than 0 and at most 1"},
      {{"report", dir, "--threshold", "1.5"}, "--threshold", "a number greater than 0 and at most 1"},
      {{"report", dir, "--seed", "-1"}, "--seed", "a whole number from 0 to 18446744073709551615"},
      {{"report", dir, "--top", "-1"}, "--top", "a whole number (0 = all)"},
      {{"report", dir, "--threads", "-2"}, "--threads", "a whole number from 0 to 1024"},
      {{"report", dir, "--perms", "2.5"}, "--perms", "a whole number from 1 to 1024"},
      {{"report", dir, "--min-chars", "-5"}, "--min-chars", "a whole number"},
      {{"phrases", dir, "--min-docs", "-1"}, "--min-docs", "a whole number from 1 to 1000000000"},
      {{"phrases", dir, "--variants", "x"}, "--variants", "a number from 0 to 0.99"},
      {{"synth", "-o", t.file("s"), "--seed", "-3"}, "--seed", "a whole number from 0 to 18446744073709551615"},
  };
  for (const Case& c : cases) {
    const RunResult r = run_recur(c.args);
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_EQ(r.err.rfind("recur " + c.args[0] + ": " + c.option, 0), 0u) << describe(r);
    EXPECT_NE(r.err.find(c.words), std::string::npos) << describe(r);
    // --help describes the range in the same words.
    const RunResult help = run_recur({c.args[0], "--help"});
    EXPECT_NE(help.out.find(c.words), std::string::npos) << c.args[0] << " --help lacks '" << c.words << "'";
  }
}

TEST(Safety, InvalidGlobAndSizesAreNamed) {
  TempDir t;
  write_reports(t.path());
  const RunResult g = run_recur({"report", t.path().string(), "--glob", "["});
  EXPECT_EQ(g.status, 2) << describe(g);
  EXPECT_EQ(g.err.rfind("recur report: --glob '['", 0), 0u) << describe(g);
  const RunResult d = run_recur({"synth", "--doc-size", "0", "-o", t.file("s")});
  EXPECT_EQ(d.status, 2) << describe(d);
  EXPECT_NE(d.err.find("--doc-size"), std::string::npos) << describe(d);
  EXPECT_EQ(d.err.find("--size"), std::string::npos) << "the message must name --doc-size only: " << d.err;
  EXPECT_FALSE(fs::exists(t.path() / "s"));
}

TEST(Safety, EveryErrorLineStartsWithRecur) {
  TempDir t;
  const std::vector<std::vector<std::string>> runs = {
      {"report"}, {"report", t.file("missing")}, {"report", t.path().string(), "--bogus"},
      {"phrases", t.path().string(), "--unit", "word"}, {"eval", t.file("none.json"), "--truth", t.file("x")},
      {"report", t.path().string(), "--encoding", "no-such-charset"}};
  for (const auto& args : runs) {
    const RunResult r = run_recur(args);
    EXPECT_NE(r.status, 0) << describe(r);
    ASSERT_FALSE(r.err.empty()) << describe(r);
    EXPECT_EQ(r.err.rfind("recur", 0), 0u) << describe(r);
  }
}

// ------------------------------------------------------------- 7. progress in logs ----------

TEST(Safety, NoCarriageReturnProgressWhenStderrIsNotATerminal) {
  TempDir t;
  // 300 documents: synth prints progress every 256 documents when it may.
  const RunResult s = run_recur({"synth", "--size", "300kB", "--doc-size", "1kB", "-o", t.file("s")});
  ASSERT_EQ(s.status, 0) << describe(s);
  EXPECT_EQ(s.err.find('\r'), std::string::npos) << describe(s);
  for (const std::string command : {"report", "phrases"}) {
    const RunResult r = run_recur({command, t.file("s/docs")});
    EXPECT_EQ(r.err.find('\r'), std::string::npos) << describe(r);
  }
}

// ------------------------------------------------------------- 8. standard input ------------

TEST(Safety, DashReadsStandardInput) {
  TempDir t;
  write_reports(t.path());
  const std::string bin = shell_quote(recur_binary());
  const RunResult r = run_command("cat " + shell_quote(t.file("001.txt")) + " | " + bin + " report - " +
                                  shell_quote(t.file("002.txt")) + " --format json -q");
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto j = nlohmann::ordered_json::parse(r.out);
  EXPECT_EQ(j["stats"]["files_read"], 2);
  ASSERT_EQ(j["clusters"].size(), 1u) << r.out;
  const auto& members = j["clusters"][0]["members"];
  std::set<std::string> paths;
  for (const auto& m : members) paths.insert(m["path"].get<std::string>());
  EXPECT_TRUE(paths.count("-")) << r.out;
  // The location of standard input's paragraph is in its own bytes.
  const std::string text = read_file(t.path() / "001.txt");
  for (const auto& m : members)
    if (m["path"] == "-")
      EXPECT_EQ(text.substr(m["byte_start"].get<std::size_t>(),
                            m["byte_end"].get<std::size_t>() - m["byte_start"].get<std::size_t>()),
                m["text"].get<std::string>());

  const RunResult named = run_command("cat " + shell_quote(t.file("001.txt")) + " | " + bin + " report - " +
                                      shell_quote(t.file("002.txt")) + " --stdin-name new.txt --format csv -q");
  ASSERT_EQ(named.status, 0) << describe(named);
  EXPECT_NE(named.out.find(",new.txt,"), std::string::npos) << named.out;

  const RunResult dev = run_command(bin + " report /dev/stdin " + shell_quote(t.file("002.txt")) +
                                    " --format json -q < " + shell_quote(t.file("001.txt")));
  ASSERT_EQ(dev.status, 0) << describe(dev);
  EXPECT_EQ(nlohmann::ordered_json::parse(dev.out)["clusters"].size(), 1u);

  const RunResult phrases = run_command("cat " + shell_quote(t.file("001.txt")) + " | " + bin + " phrases - " +
                                        shell_quote(t.file("002.txt")) + " --min-docs 2 --format json -q");
  ASSERT_EQ(phrases.status, 0) << describe(phrases);
  EXPECT_FALSE(nlohmann::ordered_json::parse(phrases.out)["phrases"].empty()) << phrases.out;
}

TEST(Safety, EmptyStandardInputIsSkippedWithAReason) {
  const RunResult r = run_command(shell_quote(recur_binary()) + " report - --format json < /dev/null");
  EXPECT_EQ(r.status, 1) << describe(r);
  const auto j = nlohmann::ordered_json::parse(r.out);
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_EQ(j["skipped"][0]["path"], "-");
  EXPECT_EQ(j["skipped"][0]["reason"], "empty file");
}

// ------------------------------------------------------------- 10. bare clone ---------------

TEST(Safety, QuickStartRunsOnTheShippedSample) {
  const fs::path source(RECUR_SOURCE_DIR);
  // The README's first command must not need ../shared.
  const std::string readme = read_file(source / "README.md");
  const auto block = readme.find("```sh\n");
  ASSERT_NE(block, std::string::npos);
  const std::string first = readme.substr(block, readme.find("```", block + 6) - block);
  EXPECT_EQ(first.find("../shared"), std::string::npos) << first;
  EXPECT_NE(first.find("examples/reports"), std::string::npos) << first;

  const RunResult r = run_recur({"report", (source / "examples" / "reports").string(), "--format", "json"});
  ASSERT_EQ(r.status, 0) << describe(r);
  const auto j = nlohmann::ordered_json::parse(r.out);
  EXPECT_GE(j["stats"]["files_read"].get<int>(), 3);
  // The sample shows the reuse recur is for: a slogan with 一座堡垒 in one report and 一个堡垒 in another.
  bool both = false;
  for (const auto& c : j["clusters"]) {
    bool zuo = false, ge = false;
    for (const auto& m : c["members"]) {
      const std::string text = m["text"];
      zuo = zuo || text.find("一座堡垒") != std::string::npos;
      ge = ge || text.find("一个堡垒") != std::string::npos;
    }
    both = both || (zuo && ge);
  }
  EXPECT_TRUE(both) << r.out;
}

}  // namespace
