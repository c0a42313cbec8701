// Tests for archive.hpp: the SQLite archive against the same archive held in memory
// (MemoryArchive), adding, re-adding, replacing, removing, merging parts, refusing other options,
// read-only use, and files that are not archives.
#include "recur/archive.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "recur/corpus.hpp"
#include "recur/error.hpp"
#include "recur/query.hpp"
#include "test_util.hpp"

namespace {

using recur::Archive;
using recur::ArchiveOptions;
using namespace recur_test;

std::string random_report(std::mt19937_64& rng, std::size_t paragraphs) {
  std::string s;
  for (std::size_t p = 0; p < paragraphs; ++p) s += "　　" + join(random_paragraph(rng, 80, 160)) + "\n";
  return s;
}

// Files on disk: `n` reports in DIR/docs, and the bytes of each.
struct DiskCorpus {
  TempDir dir;
  std::vector<std::string> paths, texts;
  std::string db() const { return dir.file("archive.db"); }
  std::string docs() const { return dir.file("docs"); }
  void write(std::size_t i, const std::string& text) {
    texts[i] = text;
    write_file(paths[i], text);
  }
};

std::unique_ptr<DiskCorpus> make_corpus(std::size_t n, std::uint64_t seed, std::size_t paragraphs = 6) {
  auto c = std::make_unique<DiskCorpus>();
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    c->paths.push_back(c->dir.file("docs/" + std::to_string(1000 + i) + ".txt"));
    c->texts.push_back(random_report(rng, paragraphs));
    write_file(c->paths.back(), c->texts.back());
  }
  return c;
}

recur::FileSource source_of(const std::vector<std::string>& paths) {
  return recur::FileSource(recur::find_inputs(paths, "*.txt"));
}

recur::AddSummary add(const std::string& db, const std::vector<std::string>& paths, const ArchiveOptions& o = {},
                      recur::AddSettings settings = {}) {
  auto archive = Archive::open_write(db, true, o);
  return archive->add(source_of(paths), o, settings);
}

// Every seed of every document of `memory` looks up the same documents in `view`.
void expect_same_lookups(const recur::ArchiveView& view, const recur::MemoryArchive& memory) {
  ASSERT_EQ(view.documents(), memory.documents());
  std::set<std::uint64_t> all;
  for (std::uint64_t id = 1; id <= memory.documents(); ++id)
    for (auto h : memory.seeds_of(id)) all.insert(h);
  all.insert(12345678u * 8);  // absent
  const std::vector<std::uint64_t> hashes(all.begin(), all.end());
  std::vector<std::vector<std::uint64_t>> got, want;
  view.lookup(hashes, 1000, got);
  memory.lookup(hashes, 1000, want);
  ASSERT_EQ(got.size(), want.size());
  // Ids differ between the two; compare by (path, document number).
  auto key = [](const recur::ArchiveView& v, std::uint64_t id) {
    const recur::ArchivedDocument* d = v.document(id);
    return d ? v.texts().name(d->input) + "#" + std::to_string(d->index) : std::string("?");
  };
  for (std::size_t k = 0; k < hashes.size(); ++k) {
    std::set<std::string> g, w;
    for (auto id : got[k]) g.insert(key(view, id));
    for (auto id : want[k]) w.insert(key(memory, id));
    EXPECT_EQ(g, w) << "hash " << hashes[k];
  }
}

std::string query_json(const recur::ArchiveView& archive, const recur::Source& queries) {
  recur::QueryReport r = recur::run_query(queries, archive, recur::QueryOptions{});
  r.archive_path = "x";
  r.stats.seconds.clear();
  std::ostringstream out;
  recur::write_json(r, out);
  return out.str();
}

void sql(const std::string& db, const std::string& statement) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(h, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(h);
}

std::string gb18030_of(const std::string& utf8) {
  TempDir t;
  write_file(t.file("in"), utf8);
  const RunResult r = run_command(
      shell_quote(python()) + " -c " +
          shell_quote("import sys; d = open(sys.argv[1], 'rb').read().decode('utf-8'); "
                      "open(sys.argv[2], 'wb').write(d.encode('gb18030'))") +
          " in out",
      t.path());
  if (r.status != 0) throw std::runtime_error("python3 could not encode GB18030: " + r.err);
  return read_file(t.file("out"));
}

std::string error_of(const std::function<void()>& f, recur::errc* code = nullptr) {
  try {
    f();
  } catch (const recur::Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

TEST(Archive, AddStoresWhatAMemoryArchiveHolds) {
  auto c = make_corpus(15, 1);
  const auto s = add(c->db(), {c->docs()});
  EXPECT_EQ(s.files, 15u);
  EXPECT_EQ(s.added, 15u);
  EXPECT_EQ(s.documents, 15u);
  EXPECT_TRUE(s.skipped.empty());
  auto archive = Archive::open_read(c->db());
  const recur::ArchiveInfo info = archive->info();
  EXPECT_EQ(info.files, 15u);
  EXPECT_EQ(info.documents, 15u);
  std::uint64_t bytes = 0;
  for (const auto& t : c->texts) bytes += t.size();
  EXPECT_EQ(info.text_bytes, bytes);
  EXPECT_EQ(info.postings, s.postings);
  EXPECT_TRUE(archive->check().ok()) << archive->check().integrity;
  // Stored paths are the paths as listed, with size, hash and date.
  const auto docs = archive->list();
  ASSERT_EQ(docs.size(), 15u);
  EXPECT_EQ(docs[0].path, c->paths[0]);
  EXPECT_EQ(docs[0].file_size, c->texts[0].size());
  EXPECT_EQ(docs[0].added.size(), 20u);  // 2025-01-02T03:04:05Z
  const auto src = source_of({c->docs()});
  const recur::MemoryArchive memory(src, {});
  const auto view = archive->view();
  expect_same_lookups(*view, memory);
  // The archived texts read back byte for byte.
  std::string back;
  ASSERT_TRUE(view->texts().read(3, back).ok());
  EXPECT_EQ(back, c->texts[3]);
  // A query gives the same report from either archive.
  recur::MemorySource q{{"q.txt", c->texts[4].substr(0, 600) + c->texts[9]}};
  EXPECT_EQ(query_json(*view, q), query_json(memory, q));
}

TEST(Archive, ReAddingUnchangedFilesChangesNothing) {
  auto c = make_corpus(10, 2);
  add(c->db(), {c->docs()});
  std::vector<recur::ArchiveDocumentInfo> before;
  recur::ArchiveInfo info_before;
  {
    auto a = Archive::open_read(c->db());
    before = a->list();
    info_before = a->info();
  }
  const auto s = add(c->db(), {c->docs()});
  EXPECT_EQ(s.unchanged, 10u);
  EXPECT_EQ(s.added + s.replaced, 0u);
  EXPECT_EQ(s.postings, 0u);
  auto a = Archive::open_read(c->db());
  const auto after = a->list();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].added, before[i].added);
  }
  EXPECT_EQ(a->info().postings, info_before.postings);
  EXPECT_EQ(a->info().parts, info_before.parts);
}

TEST(Archive, AChangedFileIsReplacedWithItsSeeds) {
  auto c = make_corpus(8, 3);
  add(c->db(), {c->docs()});
  std::mt19937_64 rng(33);
  const std::string old_text = c->texts[5];
  c->write(5, random_report(rng, 5));
  const auto s = add(c->db(), {c->docs()});
  EXPECT_EQ(s.replaced, 1u);
  EXPECT_EQ(s.unchanged, 7u);
  auto archive = Archive::open_read(c->db());
  EXPECT_TRUE(archive->check().ok());
  EXPECT_EQ(archive->info().documents, 8u);
  const auto view = archive->view();
  const auto src = source_of({c->docs()});
  expect_same_lookups(*view, recur::MemoryArchive(src, {}));
  // The old text is no longer found; the new one is.
  recur::MemorySource old_q{{"old.txt", old_text}}, new_q{{"new.txt", c->texts[5]}};
  const auto r_old = recur::run_query(old_q, *view, recur::QueryOptions{});
  EXPECT_TRUE(r_old.queries[0].sources.empty());
  const auto r_new = recur::run_query(new_q, *view, recur::QueryOptions{});
  ASSERT_FALSE(r_new.queries[0].sources.empty());
  EXPECT_EQ(r_new.queries[0].sources[0].path, c->paths[5]);
  EXPECT_NEAR(r_new.queries[0].found, 1.0, 1e-9);
}

TEST(Archive, RemoveDeletesFilesTheirDocumentsAndSeeds) {
  auto c = make_corpus(12, 4);
  for (std::size_t i = 9; i < 12; ++i) c->write(i, c->texts[i]);  // unchanged content
  write_file(c->dir.file("docs/sub/a.txt"), c->texts[1] + "　　附加一段不同的文字以免与别的文件相同。\n");
  write_file(c->dir.file("docs/sub/b.txt"), c->texts[2] + "　　另一段附加的文字也要不同。\n");
  add(c->db(), {c->docs()});
  auto archive = Archive::open_write(c->db());
  const auto r = archive->remove({c->paths[0], c->dir.file("docs/sub/"), c->dir.file("docs/nothing.txt")});
  EXPECT_EQ(r.files, 3u);
  EXPECT_EQ(r.documents, 3u);
  EXPECT_GT(r.postings, 0u);
  EXPECT_EQ(r.not_found, std::vector<std::string>{c->dir.file("docs/nothing.txt")});
  EXPECT_TRUE(archive->check().ok());
  EXPECT_EQ(archive->info().files, 11u);
  // What is left is what a memory archive of the remaining files holds.
  std::vector<std::string> rest(c->paths.begin() + 1, c->paths.end());
  const auto src = source_of(rest);
  const auto view = archive->view();
  expect_same_lookups(*view, recur::MemoryArchive(src, {}));
  recur::MemorySource q{{"q.txt", c->texts[0]}};
  EXPECT_TRUE(recur::run_query(q, *view, recur::QueryOptions{}).queries[0].sources.empty());
}

TEST(Archive, SmallBatchesMakePartsThatAreMergedAndStayExact) {
  auto c = make_corpus(30, 5, 3);
  recur::AddSettings one_file_per_batch;
  one_file_per_batch.batch_bytes = 1;
  add(c->db(), {c->docs()}, {}, one_file_per_batch);
  {
    auto archive = Archive::open_read(c->db());
    const auto info = archive->info();
    // 30 parts of one file each, merged 8 at a time: never 8 of one tier left.
    EXPECT_LT(info.parts, 8u);
    EXPECT_GT(info.parts, 1u);
    EXPECT_TRUE(archive->check().ok());
    const auto src = source_of({c->docs()});
    expect_same_lookups(*archive->view(), recur::MemoryArchive(src, {}));
  }
  // Removing documents whose postings were merged, and replacing others.
  auto archive = Archive::open_write(c->db());
  archive->remove({c->paths[0], c->paths[7], c->paths[29]});
  std::mt19937_64 rng(55);
  c->write(3, random_report(rng, 2));
  c->write(20, random_report(rng, 2));
  archive->add(source_of({c->docs()}), {}, one_file_per_batch);
  EXPECT_TRUE(archive->check().ok());
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < 30; ++i)
    if (i != 0 && i != 7 && i != 29) rest.push_back(c->paths[i]);
  // The removed files are back (they are still in the folder): all 30 are archived.
  EXPECT_EQ(archive->info().files, 30u);
  const auto src = source_of({c->docs()});
  expect_same_lookups(*archive->view(), recur::MemoryArchive(src, {}));
}

TEST(Archive, AHashInMoreDocumentsThanABlockHoldsIsFoundAndRemovedExactly) {
  // A stock sentence in 700 documents: its seeds have 700 postings each, more than a block (320).
  TempDir dir;
  std::mt19937_64 rng(13);
  const std::string stock = join(random_sentence(rng, 60));
  std::vector<std::string> paths;
  for (int i = 0; i < 700; ++i) {
    paths.push_back(dir.file("docs/" + std::to_string(10000 + i) + ".txt"));
    write_file(paths.back(), "　　" + join(random_sentence(rng, 30)) + stock + join(random_sentence(rng, 30)) + "\n");
  }
  add(dir.file("a.db"), {dir.file("docs")});  // one part: the stock seeds span 3 blocks each
  auto archive = Archive::open_write(dir.file("a.db"));
  EXPECT_EQ(archive->info().parts, 1u);
  EXPECT_TRUE(archive->check().ok());
  {
    const auto src = source_of({dir.file("docs")});
    expect_same_lookups(*archive->view(), recur::MemoryArchive(src, {}));
  }
  // Every third document out, in one removal (sorted postings of the same hash across blocks).
  std::vector<std::string> out, rest;
  for (std::size_t i = 0; i < paths.size(); ++i) (i % 3 == 1 ? out : rest).push_back(paths[i]);
  const auto r = archive->remove(out);
  EXPECT_EQ(r.files, out.size());
  const auto check = archive->check();
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? check.integrity : check.problems[0]);
  const auto src = source_of(rest);
  expect_same_lookups(*archive->view(), recur::MemoryArchive(src, {}));
}

TEST(Archive, OptionsThatDifferFromTheArchivesAreRefusedByName) {
  auto c = make_corpus(3, 6);
  add(c->db(), {c->docs()});
  auto archive = Archive::open_write(c->db());
  const auto src = source_of({c->docs()});
  ArchiveOptions o;
  recur::errc code{};
  o.input.doc_split = "综述$";
  EXPECT_EQ(error_of([&] { archive->add(src, o); }, &code),
            c->db() + " was built with no --doc-split; this run uses --doc-split '综述$'");
  EXPECT_EQ(code, recur::errc::usage);
  o = {};
  o.seed = 5;
  EXPECT_EQ(error_of([&] { archive->add(src, o); }), c->db() + " was built with --seed 6; this run uses --seed 5");
  o = {};
  o.sample = 16;
  EXPECT_EQ(error_of([&] { archive->add(src, o); }), c->db() + " was built with --sample 8; this run uses --sample 16");
  o = {};
  o.input.strip = {"##"};
  EXPECT_EQ(error_of([&] { archive->add(src, o); }), c->db() + " was built with no --strip; this run uses --strip '##'");
  o = {};
  o.input.normalize.simplify = true;
  EXPECT_EQ(error_of([&] { archive->add(src, o); }),
            c->db() + " was built with no --simplify; this run uses --simplify");
  // --encoding is not an archive option: another one is accepted.
  o = {};
  o.input.decode.encoding = "utf-8";
  EXPECT_EQ(archive->add(src, o).unchanged, 3u);
  EXPECT_TRUE(archive->check().ok());
}

TEST(Archive, AReadOnlyArchiveFileIsQueriedWithoutBeingWritten) {
  auto c = make_corpus(5, 7);
  add(c->db(), {c->docs()});
  ASSERT_FALSE(fs::exists(c->db() + "-wal")) << "the add should leave one file";
  const std::string before = read_file(c->db());
  ASSERT_EQ(::chmod(c->db().c_str(), 0444), 0);
  {
    auto archive = Archive::open_read(c->db());
    const auto view = archive->view();
    recur::MemorySource q{{"q.txt", c->texts[2]}};
    const auto r = recur::run_query(q, *view, recur::QueryOptions{});
    ASSERT_EQ(r.queries.size(), 1u);
    EXPECT_NEAR(r.queries[0].found, 1.0, 1e-9);
    EXPECT_EQ(archive->info().files, 5u);
    EXPECT_EQ(archive->list().size(), 5u);
  }
  EXPECT_EQ(read_file(c->db()), before);
  if (::geteuid() != 0)  // root may write whatever the mode says
    EXPECT_NE(error_of([&] { Archive::open_write(c->db()); }).find("cannot write"), std::string::npos);
  ::chmod(c->db().c_str(), 0644);
}

TEST(Archive, FilesThatAreNotArchivesAreRefusedWithAReason) {
  TempDir dir;
  recur::errc code{};
  EXPECT_EQ(error_of([&] { Archive::open_read(dir.file("none.db")); }, &code),
            "no archive at " + dir.file("none.db") + " (recur index add " + dir.file("none.db") + " FILES... creates one)");
  EXPECT_EQ(code, recur::errc::input);
  write_file(dir.file("report.txt"), "这是一份报告，不是档案。\n");
  EXPECT_EQ(error_of([&] { Archive::open_read(dir.file("report.txt")); }),
            dir.file("report.txt") + " is not a recur archive (not an SQLite database)");
  // Not even for writing: an add never takes over a file that is not an archive.
  EXPECT_NE(error_of([&] { Archive::open_write(dir.file("report.txt"), true); }).find("is not a recur archive"),
            std::string::npos);
  EXPECT_EQ(read_file(dir.file("report.txt")), "这是一份报告，不是档案。\n");
  sql(dir.file("other.db"), "CREATE TABLE t(x)");
  EXPECT_EQ(error_of([&] { Archive::open_read(dir.file("other.db")); }),
            dir.file("other.db") + " is not a recur archive (an SQLite database of another program)");
  EXPECT_EQ(error_of([&] { Archive::open_read(dir.path().string()); }),
            dir.path().string() + " is a folder, not an archive");
  // A newer archive format.
  auto c = make_corpus(2, 8);
  add(c->db(), {c->docs()});
  sql(c->db(), "UPDATE meta SET value = '2' WHERE key = 'format'");
  const std::string newer = error_of([&] { Archive::open_read(c->db()); });
  EXPECT_NE(newer.find("was written in archive format 2 by recur "), std::string::npos) << newer;
  EXPECT_NE(newer.find("reads format 1: use a newer recur"), std::string::npos) << newer;
}

// The first add of a new archive switches it to write-ahead logging in a rollback-journal
// transaction. An add killed inside it leaves a hot journal that a read-only connection may not
// play back (SQLITE_READONLY_ROLLBACK): reading must restore the committed state, here an empty
// file, and say so, not fail with "it is read-only" (seen once in 6 random kills under load).
TEST(Archive, AHotJournalLeftByAKilledWriterIsPlayedBackBeforeReading) {
  TempDir dir;
  const std::string db = dir.file("archive.db");
  const pid_t pid = ::fork();
  if (pid == 0) {
    sqlite3* h = nullptr;
    sqlite3_open(db.c_str(), &h);
    // A one-page cache spills the transaction's pages into the file before the commit.
    sqlite3_exec(h,
                 "PRAGMA cache_size = 1; BEGIN; CREATE TABLE t(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
                 "SELECT i + 1 FROM c WHERE i < 400) INSERT INTO t SELECT randomblob(3000) FROM c;",
                 nullptr, nullptr, nullptr);
    ::_exit(0);  // dies inside the transaction: no commit, no rollback, no close
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(fs::exists(db + "-journal")) << "the child should have left a hot journal";
  ASSERT_GT(fs::file_size(db), 0u) << "the child should have written pages into the file";
  EXPECT_EQ(error_of([&] { Archive::open_read(db); }),
            db + " is empty: not a recur archive (recur index add creates one)");
  EXPECT_FALSE(fs::exists(db + "-journal"));
  EXPECT_EQ(fs::file_size(db), 0u) << "played back to the empty file it was before the transaction";
  // And an add takes the file over as a new archive.
  auto c = make_corpus(2, 12);
  add(db, {c->docs()});
  EXPECT_EQ(Archive::open_read(db)->info().files, 2u);
}

TEST(Archive, AStopRequestCommitsTheWholeFilesDoneSoFar) {
  auto c = make_corpus(12, 9);
  recur::AddSettings settings;
  int calls = 0;
  settings.stop = [&] { return ++calls == 4 ? SIGINT : 0; };
  const auto s = add(c->db(), {c->docs()}, {}, settings);
  EXPECT_EQ(s.interrupted, SIGINT);
  EXPECT_EQ(s.added, 4u);
  {
    auto archive = Archive::open_read(c->db());
    EXPECT_EQ(archive->info().files, 4u);
    EXPECT_TRUE(archive->check().ok());
  }
  const auto rest = add(c->db(), {c->docs()});
  EXPECT_EQ(rest.unchanged, 4u);
  EXPECT_EQ(rest.added, 8u);
  EXPECT_TRUE(Archive::open_read(c->db())->check().ok());
}

TEST(Archive, PostingsThatTheStoredTextNoLongerGivesAreSweptOnRemoval) {
  auto c = make_corpus(6, 10);
  add(c->db(), {c->docs()});
  // Damage one stored text: its seeds can no longer be recomputed from it.
  sql(c->db(), "UPDATE texts SET bytes = CAST('改动过的文字' AS BLOB) WHERE file = (SELECT id FROM files WHERE path = '" +
                   c->paths[2] + "')");
  {
    auto archive = Archive::open_read(c->db());
    EXPECT_FALSE(archive->check().ok());
  }
  auto archive = Archive::open_write(c->db());
  const auto r = archive->remove({c->paths[2]});
  EXPECT_EQ(r.files, 1u);
  EXPECT_GT(r.postings, 0u);
  const auto check = archive->check();
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? check.integrity : check.problems[0]);
}

TEST(Archive, EachFileIsReadBackWithTheEncodingItWasAddedWith) {
  TempDir dir;
  std::mt19937_64 rng(11);
  const std::string text = random_report(rng, 4);
  if (python().empty()) GTEST_SKIP() << "python3 is needed to encode GB18030";
  const std::string gb = gb18030_of(text);
  write_file(dir.file("docs/gb.txt"), gb);
  ArchiveOptions o;
  o.input.decode.encoding = "gb18030";
  add(dir.file("a.db"), {dir.file("docs")}, o);
  auto archive = Archive::open_read(dir.file("a.db"));
  EXPECT_TRUE(archive->check().ok());
  const auto view = archive->view();
  EXPECT_EQ(view->encoding(0), "gb18030");
  recur::MemorySource q{{"q.txt", text}};
  const auto r = recur::run_query(q, *view, recur::QueryOptions{});
  ASSERT_EQ(r.queries[0].sources.size(), 1u);
  const auto& p = r.queries[0].sources[0].passages.at(0);
  // Bytes of the GB18030 file, text decoded.
  EXPECT_EQ(p.b.text, p.a.text);
  recur::DecodeOptions gb_options;
  gb_options.encoding = "gb18030";
  const auto back = recur::decode(std::string_view(gb).substr(p.b.byte_start, p.b.byte_end - p.b.byte_start), gb_options);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.decoded.text, p.b.text);
}

TEST(Archive, EachDocumentOfACompilationIsAnArchiveDocument) {
  TempDir dir;
  std::mt19937_64 rng(12);
  std::string comp;
  std::vector<std::string> bodies;
  for (int d = 1; d <= 4; ++d) {
    bodies.push_back(random_report(rng, 3));
    comp += "第" + std::to_string(d) + "篇工作综述\n" + bodies.back();
  }
  write_file(dir.file("docs/comp.txt"), comp);
  ArchiveOptions o;
  o.input.doc_split = "综述$";
  const auto s = add(dir.file("a.db"), {dir.file("docs")}, o);
  EXPECT_EQ(s.documents, 4u);
  auto archive = Archive::open_read(dir.file("a.db"));
  const auto docs = archive->list();
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_EQ(docs[2].index, 3u);
  EXPECT_EQ(docs[2].title, "第3篇工作综述");
  const auto view = archive->view();
  recur::MemorySource q{{"q.txt", bodies[2]}};
  recur::QueryOptions qo;
  qo.input.doc_split = "综述$";
  const auto r = recur::run_query(q, *view, qo);
  ASSERT_EQ(r.queries[0].sources.size(), 1u);
  EXPECT_EQ(r.queries[0].sources[0].document, "第3篇工作综述");
  EXPECT_EQ(r.queries[0].sources[0].document_index, 3u);
  const auto& p = r.queries[0].sources[0].passages.at(0);
  EXPECT_EQ(comp.substr(p.b.byte_start, p.b.byte_end - p.b.byte_start), p.b.text);
}

}  // namespace
