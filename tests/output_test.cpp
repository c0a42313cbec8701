/// \file output_test.cpp
/// The output adapter (output.hpp) called directly: atomic files and folders, recognising recur's
/// own reports, protecting inputs; and the input listing's glob check and streams (corpus.hpp).
#include "recur/output.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "recur/error.hpp"
#include "recur/options.hpp"
#include "recur/report.hpp"
#include "test_util.hpp"

using namespace recur_test;

namespace {

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicFile, NothingAppearsUntilCommit) {
  TempDir t;
  const std::string path = t.file("out.json");
  {
    recur::AtomicFile f(path);
    f.stream() << "complete";
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::exists(f.temp_path()));
    EXPECT_EQ(fs::path(f.temp_path()).parent_path(), t.path());
    f.commit();
    EXPECT_TRUE(f.temp_path().empty());
  }
  EXPECT_EQ(read_file(path), "complete");
  EXPECT_EQ(names_in(t.path()), std::vector<std::string>{"out.json"});
}

TEST(AtomicFile, DiscardedFileLeavesThePreviousOneUnchanged) {
  TempDir t;
  const std::string path = t.file("out.json");
  write_file(path, "previous");
  {
    recur::AtomicFile f(path);
    f.stream() << "half a rep";
  }  // destroyed without commit: a failed run
  EXPECT_EQ(read_file(path), "previous");
  EXPECT_EQ(names_in(t.path()), std::vector<std::string>{"out.json"});
  recur::AtomicFile g(path);
  g.stream() << "x";
  g.discard();
  g.discard();
  EXPECT_EQ(read_file(path), "previous");
  EXPECT_EQ(names_in(t.path()), std::vector<std::string>{"out.json"});
}

TEST(AtomicFile, ManyAtOnceUseDistinctTemporaries) {
  TempDir t;
  std::vector<std::unique_ptr<recur::AtomicFile>> files;
  for (int i = 0; i < 20; ++i) {  // more than the signal handler's table holds: still correct
    files.push_back(std::make_unique<recur::AtomicFile>(t.file("f" + std::to_string(i))));
    files.back()->stream() << i;
  }
  std::set<std::string> temps;
  for (const auto& f : files) temps.insert(f->temp_path());
  EXPECT_EQ(temps.size(), files.size());
  for (auto& f : files) f->commit();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(read_file(t.path() / ("f" + std::to_string(i))), std::to_string(i));
}

TEST(AtomicFile, DirectoryAndMissingFolderAreErrors) {
  TempDir t;
  try {
    recur::AtomicFile f(t.path().string());
    FAIL() << "a directory was accepted";
  } catch (const recur::Error& e) {
    EXPECT_EQ(e.code(), recur::errc::usage);
  }
  try {
    recur::AtomicFile f(t.file("missing/out.json"));
    FAIL() << "a missing folder was accepted";
  } catch (const recur::Error& e) {
    EXPECT_EQ(e.code(), recur::errc::io);
    EXPECT_NE(std::string(e.what()).find("missing/out.json"), std::string::npos) << e.what();
  }
}

TEST(AtomicFolder, RefusesNonEmptyUnlessReplacing) {
  TempDir t;
  write_file(t.path() / "out" / "mine.txt", "mine");
  EXPECT_THROW(recur::AtomicFolder(t.file("out"), false), recur::Error);
  EXPECT_EQ(read_file(t.path() / "out" / "mine.txt"), "mine");
  {
    recur::AtomicFolder f(t.file("out"), true);
    write_file(fs::path(f.temp_path()) / "new.txt", "new");
    EXPECT_TRUE(fs::exists(t.path() / "out" / "mine.txt"));  // replaced only at commit
    f.commit();
  }
  EXPECT_EQ(names_in(t.path() / "out"), std::vector<std::string>{"new.txt"});
  EXPECT_EQ(names_in(t.path()), std::vector<std::string>{"out"});
  {
    recur::AtomicFolder f(t.file("fresh"), false);
    write_file(fs::path(f.temp_path()) / "a.txt", "a");
  }  // not committed
  EXPECT_EQ(names_in(t.path()), std::vector<std::string>{"out"});
}

recur::Report small_report() {
  recur::Report r;
  r.version = "0.1.0";
  r.options = nlohmann::ordered_json::object();
  r.options["threshold"] = 0.5;
  recur::ReportCluster c;
  c.id = 1;
  c.members.resize(2);
  c.members[0].path = "a.txt";
  c.members[1].path = "b.txt";
  r.clusters.push_back(c);
  return r;
}

TEST(LooksLikeRecurOutput, EveryFormatOfBothCommandsIsRecognised) {
  const recur::Report report = small_report();
  recur::PhrasesReport phrases;
  phrases.version = "0.1.0";
  phrases.options = nlohmann::ordered_json::object();
  for (bool color : {false, true}) {
    recur::TextOptions text;
    text.color = color;
    std::ostringstream a, b;
    recur::write_text(report, a, text);
    recur::write_text(phrases, b, text);
    EXPECT_TRUE(recur::looks_like_recur_output(a.str())) << a.str();
    EXPECT_TRUE(recur::looks_like_recur_output(b.str())) << b.str();
  }
  std::ostringstream j1, j2, c1, c2;
  recur::write_json(report, j1);
  recur::write_json(phrases, j2);
  recur::write_csv(report, c1);
  recur::write_csv(phrases, c2);
  for (const auto& s : {j1.str(), j2.str(), c1.str(), c2.str()}) {
    EXPECT_TRUE(recur::looks_like_recur_output(s)) << s;
    EXPECT_TRUE(recur::looks_like_recur_output(s.substr(0, 200))) << "the first 200 bytes suffice: " << s;
  }
}

TEST(LooksLikeRecurOutput, UserTextIsNot) {
  for (const char* s : {"", "{}", "{\n  \"recur_version\"", "recur report", "recur reports: 1", "新时代北京组织工作综述\n",
                        "cluster,size\r\n", "{\"recur_version\": \"0.1.0\"}", " recur report: 1 files"})
    EXPECT_FALSE(recur::looks_like_recur_output(s)) << s;
}

TEST(ProtectInputs, AnInputAtTheOutputPathIsRefusedAndOurReportIsLeftOut) {
  TempDir t;
  write_file(t.path() / "a.txt", "用户的报告");
  std::ostringstream json;
  recur::write_json(small_report(), json);
  write_file(t.path() / "report.txt", json.str());
  recur::InputList list = recur::find_inputs({t.path().string()}, "*.txt");
  ASSERT_EQ(list.files.size(), 2u);
  EXPECT_THROW(recur::protect_inputs(t.file("a.txt"), list), recur::Error);
  // Another name for the same file (through "./" and a hard link).
  fs::create_hard_link(t.path() / "a.txt", t.path() / "alias");
  EXPECT_THROW(recur::protect_inputs(t.file("alias"), list), recur::Error);
  EXPECT_EQ(list.files.size(), 2u);
  recur::protect_inputs(t.file("new.json"), list);  // a new file: nothing to protect
  recur::protect_inputs("-", list);
  EXPECT_EQ(list.files.size(), 2u);
  recur::protect_inputs(t.file("report.txt"), list);
  ASSERT_EQ(list.files.size(), 1u);
  EXPECT_EQ(fs::path(list.files[0].path).filename(), "a.txt");
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_NE(list.problems[0].reason.find("previous report"), std::string::npos);
}

TEST(CheckGlob, UnclosedBracketsAndTrailingBackslashesAreErrors) {
  for (const char* ok : {"*.txt", "*", "[abc]*.txt", "[!a]*", "[]]x", "[[]", "\\[x", "report-?.txt"})
    EXPECT_EQ(recur::check_glob(ok), "") << ok;
  for (const char* bad : {"[", "*.[tx", "[!", "[]", "abc\\", ""})
    EXPECT_NE(recur::check_glob(bad), "") << bad;
}

TEST(FindInputs, ANamedPipeIsReadOnceAsAStream) {
  TempDir t;
  const std::string fifo = t.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { write_file(fifo, "流中的文字\n"); });
  recur::InputList list = recur::find_inputs({fifo}, "*.txt");
  writer.join();
  ASSERT_EQ(list.files.size(), 1u) << (list.problems.empty() ? "" : list.problems[0].reason);
  ASSERT_TRUE(list.files[0].data);
  std::string bytes;
  ASSERT_TRUE(recur::read_input(list.files[0], bytes).ok());
  EXPECT_EQ(bytes, "流中的文字\n");
  std::vector<std::string> parts;
  const std::pair<std::uint64_t, std::uint64_t> ranges[] = {{0, 3}, {3, 6}};
  ASSERT_TRUE(recur::read_input_ranges(list.files[0], ranges, parts).ok());
  EXPECT_EQ(parts, (std::vector<std::string>{"流", "中"}));
  const std::pair<std::uint64_t, std::uint64_t> past[] = {{0, 100}};
  EXPECT_FALSE(recur::read_input_ranges(list.files[0], past, parts).ok());
}

}  // namespace

// -o naming a device (here a private copy of /dev/null) writes into it: renaming a temporary over
// it would replace the device node with a regular file, as `recur report -o /dev/null` once did.
TEST(AtomicFile, ADeviceIsWrittenInPlaceNotReplaced) {
  TempDir t;
  const std::string node = t.file("null");
  if (::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) GTEST_SKIP() << "mknod needs root";
  {
    recur::AtomicFile f(node);
    f.stream() << "report";
    f.commit();
  }
  struct stat st {};
  ASSERT_EQ(::stat(node.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the device node was replaced";
  const RunResult r = run_recur({"report", "examples/reports", "-q", "-o", node}, fs::path(RECUR_SOURCE_DIR));
  EXPECT_EQ(r.status, 0) << describe(r);
  ASSERT_EQ(::stat(node.c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "recur report -o DEVICE replaced the device node";
  for (const auto& e : fs::directory_iterator(t.path()))
    EXPECT_EQ(e.path().filename(), "null") << "a temporary was left behind";
}

// PagedFileWriter against a model of the file: bytes written at random lengths from random
// offsets, with flushes and seeks (back over written bytes, forward past the end), through buffers
// of one page and of odd sizes, with and without an O_DIRECT descriptor. Whole pages then go
// around the page cache and the partial ones through it: the file must hold exactly the model.
TEST(PagedFileWriter, WritesWhatAModelOfTheFileHoldsThroughFlushesAndSeeks) {
  TempDir t;
  std::mt19937 rng(7);
  int runs_direct = 0;
  for (const std::size_t buffer : {std::size_t{1}, std::size_t{4096}, std::size_t{3 * 4096 + 17}, std::size_t{1} << 16})
    for (const std::uint64_t start : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{4095}, std::uint64_t{9000}})
      for (const bool use_direct : {false, true}) {
        const std::string path = t.file("paged.bin");
        std::string model(6000, 'x');  // what was there before: kept where nothing is written
        write_file(path, model);
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0);
        const int direct = use_direct ? recur::open_direct(path) : -1;
        runs_direct += direct >= 0;
        std::uint64_t sent = 0;
        {
          recur::PagedFileWriter w(fd, direct, start, buffer);
          std::ostream os(&w);
          std::uint64_t at = start;
          for (int step = 0; step < 60; ++step) {
            const std::size_t len = std::uniform_int_distribution<std::size_t>(0, 3)(rng) == 0
                                        ? std::uniform_int_distribution<std::size_t>(4096, 40000)(rng)
                                        : std::uniform_int_distribution<std::size_t>(0, 300)(rng);
            std::string bytes(len, '\0');
            for (char& c : bytes) c = static_cast<char>('a' + rng() % 26);
            os.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (model.size() < at + len) model.resize(at + len, '\0');  // a hole reads as zeros
            model.replace(at, len, bytes);
            at += len;
            sent += len;
            const unsigned what = rng() % 8;
            if (what == 0) {
              os.flush();
            } else if (what == 1) {
              EXPECT_EQ(static_cast<std::uint64_t>(os.tellp()), at);
            } else if (what == 2) {  // back over what is written, or forward past the end
              at = std::uniform_int_distribution<std::uint64_t>(0, model.size() + 5000)(rng);
              os.seekp(static_cast<std::streamoff>(at));
            }
          }
          os.flush();
          ASSERT_TRUE(os.good());
          EXPECT_EQ(w.size(), sent);
          EXPECT_EQ(w.finish(), "");
          EXPECT_EQ(w.writes_direct(), direct >= 0);  // no O_DIRECT write was refused (misaligned)
        }
        if (direct >= 0) ::close(direct);
        ::close(fd);
        const std::string got = read_file(path);
        ASSERT_EQ(got.size(), model.size()) << "buffer " << buffer << " start " << start << " direct " << direct;
        EXPECT_TRUE(got == model) << "buffer " << buffer << " start " << start << " direct " << direct;
      }
  // O_DIRECT exists on ext4 and xfs; on tmpfs the page cache alone was tested.
  if (runs_direct == 0) std::cerr << "note: O_DIRECT refused here; only the page-cache path ran\n";
}

// An AtomicFile of many buffers: the bytes of its stream, positions included, are the file's.
TEST(AtomicFile, ALargeOutputIsWrittenWhole) {
  TempDir t;
  const std::string path = t.file("big.json");
  std::string expect;
  for (int i = 0; expect.size() < (std::size_t{9} << 20) + 123; ++i) expect += "line " + std::to_string(i) + " 报告\n";
  {
    recur::AtomicFile f(path);
    f.stream().write(expect.data(), 5000);
    EXPECT_EQ(static_cast<std::size_t>(f.stream().tellp()), 5000u);
    f.stream().write(expect.data() + 5000, static_cast<std::streamsize>(expect.size() - 5000));
    f.commit();
  }
  EXPECT_TRUE(read_file(path) == expect);
  EXPECT_EQ(names_in(t.path()), std::vector<std::string>{"big.json"});
}
