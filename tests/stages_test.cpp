/// \file stages_test.cpp
/// The stages `recur report` is composed of (issue 9), each called directly: Status and its codes,
/// MemorySource, scan_file and summarise, the index stage (Indexer, index_inputs, ParagraphIndex,
/// read_paragraphs), the verify stage (involved, ShingleSets, similarities, verified_edges), the
/// two passes of star clustering, materialise, StageClock, and run_report over a Source.
///
/// Expected values are computed in the test from the inputs (texts laid out by hand, offsets found
/// by slicing the bytes, keys and shingle sets rebuilt from the building blocks, a brute-force star
/// clustering), never taken from the stage under test. Every suite is named Stage*, so
/// --gtest_filter='Stage*' selects them.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "recur/cluster.hpp"
#include "recur/corpus.hpp"
#include "recur/index.hpp"
#include "recur/lsh.hpp"
#include "recur/materialise.hpp"
#include "recur/minhash.hpp"
#include "recur/options.hpp"
#include "recur/phrases.hpp"
#include "recur/pipeline.hpp"
#include "recur/progress.hpp"
#include "recur/report.hpp"
#include "recur/scan.hpp"
#include "recur/spill.hpp"
#include "recur/shingle.hpp"
#include "recur/source.hpp"
#include "recur/status.hpp"
#include "recur/text.hpp"
#include "recur/verify.hpp"
#include "test_util.hpp"

namespace {

using namespace recur_test;
using namespace std::string_literals;
using recur::StatusCode;

// ---------------------------------------------------------------- helpers -------------------

/// GB18030 (GB2312 range) bytes of the characters the GB18030 inputs use, written out by hand
/// (checked once against `iconv -f UTF-8 -t GB18030`).
const std::map<std::string, std::string>& gb_table() {
  static const std::map<std::string, std::string> table = {
      {"中", "\xD6\xD0"}, {"文", "\xCE\xC4"}, {"国", "\xB9\xFA"}, {"人", "\xC8\xCB"}, {"民", "\xC3\xF1"},
      {"政", "\xD5\xFE"}, {"府", "\xB8\xAE"}, {"工", "\xB9\xA4"}, {"作", "\xD7\xF7"}, {"报", "\xB1\xA8"},
      {"告", "\xB8\xE6"}, {"发", "\xB7\xA2"}, {"展", "\xD5\xB9"}, {"经", "\xBE\xAD"}, {"济", "\xBC\xC3"},
      {"社", "\xC9\xE7"}, {"会", "\xBB\xE1"}, {"的", "\xB5\xC4"}, {"和", "\xBA\xCD"}, {"年", "\xC4\xEA"},
      {"，", "\xA3\xAC"}, {"。", "\xA1\xA3"}, {"重", "\xD6\xD8"}, {"要", "\xD2\xAA"}, {"推", "\xCD\xC6"},
      {"进", "\xBD\xF8"}, {"建", "\xBD\xA8"}, {"设", "\xC9\xE8"}, {"改", "\xB8\xC4"}, {"革", "\xB8\xEF"},
  };
  return table;
}

/// `utf8` in GB18030: ASCII as it is, the other characters from gb_table().
std::string to_gb18030(std::string_view utf8) {
  std::string out;
  for (const std::string& c : split_utf8(utf8)) {
    if (c.size() == 1) {
      out += c;
      continue;
    }
    const auto it = gb_table().find(c);
    if (it == gb_table().end()) throw std::runtime_error("no GB18030 bytes for " + c);
    out += it->second;
  }
  return out;
}

// Texts made of gb_table() characters only, so they can be written in GB18030 as well.
const std::string kG1 = "政府工作报告的重要发展，推进经济社会建设和改革。";
const std::string kG2 = "人民的中文报告，发展经济和社会，推进国的改革建设工作。";
const std::string kGTitle = "中文报告";  // 4 characters: under min_chars
// A paragraph wrapped over two lines (the first has 25 characters and no final punctuation).
const std::string kW1 = "政府工作报告发展经济社会重要推进建设改革中文国人民";
const std::string kW2 = "政府工作报告推进改革。";

/// Lines joined with '\n', with a final '\n'.
std::string lines_of(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

/// Report options with paragraphs one per line (the corpora here are laid out that way).
// One paragraph per line, every kind indexed: these tests are about the index's mechanics, not
// about which kinds of paragraph it leaves out (StageIndex.StructureLinesAreCountedNotIndexed).
recur::ReportOptions line_options() {
  recur::ReportOptions o;
  o.input.paragraphs = recur::ParagraphMode::lines;
  o.keep_structure = true;
  return o;
}

/// The folded band keys of one paragraph text, rebuilt from the building blocks exactly as the
/// header describes the index stage (normalise, tokenize, shingle, sign, band, fold).
std::vector<std::uint32_t> band_keys_of(std::string_view text, const recur::IndexSettings& s) {
  recur::Normalizer normalizer(s.normalize);
  std::string normalized;
  recur::OffsetMap map;
  normalizer.normalize(text, {}, normalized, map);
  recur::Shingler shingler(s.shingle);
  std::vector<std::uint64_t> tokens, shingles;
  shingler.tokenize(normalized, tokens);
  shingler.shingles(tokens, shingles);
  const recur::MinHasher hasher(s.minhash);
  std::vector<std::uint32_t> signature(s.minhash.perms);
  hasher.sign(shingles, signature);
  std::vector<std::uint64_t> keys(s.params.bands);
  recur::band_keys(signature, s.params, keys);
  std::vector<std::uint32_t> folded;
  for (std::uint64_t k : keys) folded.push_back(recur::fold_key(k));
  return folded;
}

/// The exact shingle set of a paragraph text: normalised, then Shingler::shingle_set.
std::vector<std::uint64_t> shingle_set_of(std::string_view text, const recur::NormalizeOptions& n = {},
                                          const recur::ShingleOptions& sh = {}) {
  recur::Normalizer normalizer(n);
  std::string normalized;
  recur::OffsetMap map;
  normalizer.normalize(text, {}, normalized, map);
  recur::Shingler shingler(sh);
  std::vector<std::uint64_t> set;
  shingler.shingle_set(normalized, set);
  return set;
}

/// The same set as ShingleSets keeps it: every hash folded to 32 bits, sorted, unique.
std::vector<std::uint32_t> folded_set_of(std::string_view text) {
  std::vector<std::uint32_t> out;
  for (std::uint64_t h : shingle_set_of(text)) out.push_back(recur::fold_shingle(h));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

/// Band k of paragraph `row` of a FileIndex's band-major keys.
std::vector<std::uint32_t> keys_of_row(const recur::FileIndex& f, std::size_t row, unsigned bands) {
  std::vector<std::uint32_t> out;
  for (unsigned b = 0; b < bands; ++b) out.push_back(f.keys.at(b * f.paragraphs.size() + row));
  return out;
}

auto record_tuple(const recur::ParagraphRecord& r) {
  return std::make_tuple(r.number, r.line, r.line_end, r.document, r.dbegin, r.dend, r.obegin, r.oend);
}

auto member_tuple(const recur::Member& m) {
  return std::make_tuple(m.path, m.document, m.document_index, m.paragraph, m.line, m.line_end, m.byte_start,
                         m.byte_end, m.similarity, m.text);
}

/// Field-by-field equality of two FileIndex (timings left out).
void expect_same_index(const recur::FileIndex& x, const recur::FileIndex& y, const std::string& what) {
  EXPECT_EQ(x.outcome.status.code(), y.outcome.status.code()) << what;
  EXPECT_EQ(x.outcome.status.message(), y.outcome.status.message()) << what;
  EXPECT_EQ(x.outcome.note, y.outcome.note) << what;
  EXPECT_EQ(x.outcome.bytes, y.outcome.bytes) << what;
  EXPECT_EQ(x.outcome.documents, y.outcome.documents) << what;
  EXPECT_EQ(x.outcome.paragraphs, y.outcome.paragraphs) << what;
  EXPECT_TRUE(x.stamp == y.stamp) << what;
  EXPECT_EQ(x.identity, y.identity) << what;
  EXPECT_EQ(x.too_short, y.too_short) << what;
  ASSERT_EQ(x.paragraphs.size(), y.paragraphs.size()) << what;
  for (std::size_t k = 0; k < x.paragraphs.size(); ++k)
    EXPECT_EQ(record_tuple(x.paragraphs[k]), record_tuple(y.paragraphs[k])) << what << " paragraph " << k;
  EXPECT_EQ(x.keys, y.keys) << what;
  EXPECT_EQ(x.signatures, y.signatures) << what;
  EXPECT_EQ(x.stripped, y.stripped) << what;
  ASSERT_EQ(x.documents.size(), y.documents.size()) << what;
  for (std::size_t d = 0; d < x.documents.size(); ++d) {
    EXPECT_EQ(x.documents[d].name, y.documents[d].name) << what;
    EXPECT_EQ(x.documents[d].line, y.documents[d].line) << what;
  }
}

/// A Source over a MemorySource whose behaviour a test changes between stages: every read of one
/// input fails, or the stamp of one input changes after the first time it is asked for.
class ScriptedSource final : public recur::Source {
 public:
  explicit ScriptedSource(const recur::MemorySource& inner) : inner_(inner), stamp_calls_(inner.count()) {}

  std::size_t count() const noexcept override { return inner_.count(); }
  const std::string& name(std::size_t i) const override { return inner_.name(i); }
  std::uint64_t size(std::size_t i) const override { return inner_.size(i); }
  recur::Status read(std::size_t i, std::string& out) const override {
    if (i == failing_.load()) return {StatusCode::read_error, "scripted read failure"};
    return inner_.read(i, out);
  }
  recur::Status read_ranges(std::size_t i, std::span<const recur::ByteRange> ranges,
                            std::vector<std::string>& out) const override {
    if (i == failing_.load()) {
      out.assign(ranges.size(), {});
      return {StatusCode::read_error, "scripted read failure"};
    }
    return inner_.read_ranges(i, ranges, out);
  }
  recur::FileStamp stamp(std::size_t i) const override {
    const unsigned n = stamp_calls_.at(i)++;
    recur::FileStamp s = inner_.stamp(i);
    if (i == changing_.load() && n > 0) s.mtime_ns += n;  // as if touched after the first look
    return s;
  }
  std::span<const recur::Skipped> problems() const noexcept override { return inner_.problems(); }

  void fail_reads_of(std::size_t i) { failing_ = i; }
  void change_stamp_of(std::size_t i) { changing_ = i; }

 private:
  const recur::MemorySource& inner_;
  std::atomic<std::size_t> failing_{SIZE_MAX}, changing_{SIZE_MAX};
  mutable std::vector<std::atomic<unsigned>> stamp_calls_;
};

/// A corpus of three UTF-8 inputs in which one paragraph (S) recurs: verbatim in a.txt and b.txt,
/// with edits in c.txt. One paragraph per line; the titles and 短句 are under min_chars.
///   a.txt: 甲报告 | P1 | S | 短句。 | P2      indexed: P1 S P2   (numbers 2 3 5)   ids 0 1 2
///   b.txt: 乙报告 | S | P3                    indexed: S P3      (numbers 2 3)     ids 3 4
///   c.txt: 丙报告 | P4 | S'                   indexed: P4 S'     (numbers 2 3)     ids 5 6
struct SmallCorpus {
  std::string s, s_edit, p1, p2, p3, p4;
  std::vector<std::vector<std::string>> lines;  // per input
  recur::MemorySource source;
};

SmallCorpus small_corpus() {
  std::mt19937_64 rng(20240917);
  SmallCorpus c;
  c.s = join(random_paragraph(rng, 90, 120));
  c.p1 = join(random_paragraph(rng, 60, 90));
  c.p2 = join(random_paragraph(rng, 60, 90));
  c.p3 = join(random_paragraph(rng, 60, 90));
  c.p4 = join(random_paragraph(rng, 60, 90));
  c.s_edit = join(random_edits(rng, split_utf8(c.s), 0.08));
  c.lines = {{"甲报告", c.p1, c.s, "短句。", c.p2}, {"乙报告", c.s, c.p3}, {"丙报告", c.p4, c.s_edit}};
  c.source.add("a.txt", lines_of(c.lines[0]));
  c.source.add("b.txt", lines_of(c.lines[1]));
  c.source.add("c.txt", lines_of(c.lines[2]));
  return c;
}

/// The byte offset where 1-based line `line` of `bytes` starts.
std::size_t line_start(std::string_view bytes, std::uint32_t line) { return line_starts(bytes).at(line - 1); }

// ---------------------------------------------------------------- Status --------------------

TEST(StageStatus, EveryCodeHasItsStableDistinctName) {
  const std::vector<std::pair<StatusCode, std::string>> expected = {
      {StatusCode::ok, "ok"},
      {StatusCode::not_found, "not_found"},
      {StatusCode::no_access, "no_access"},
      {StatusCode::not_regular, "not_regular"},
      {StatusCode::no_match, "no_match"},
      {StatusCode::read_error, "read_error"},
      {StatusCode::too_large, "too_large"},
      {StatusCode::changed, "changed"},
      {StatusCode::empty, "empty"},
      {StatusCode::binary, "binary"},
      {StatusCode::encoding, "encoding"},
      {StatusCode::pattern, "pattern"},
      {StatusCode::recur_output, "recur_output"},
  };
  // Every enumerator is listed: recur_output is the last one.
  ASSERT_EQ(static_cast<int>(StatusCode::recur_output) + 1, static_cast<int>(expected.size()));
  std::set<std::string> names;
  for (const auto& [code, name] : expected) {
    EXPECT_EQ(std::string(recur::to_string(code)), name);
    names.insert(recur::to_string(code));
  }
  EXPECT_EQ(names.size(), expected.size()) << "two codes share a name";
}

TEST(StageStatus, DefaultIsOkWithoutMessage) {
  const recur::Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::ok);
  EXPECT_EQ(s.message(), "");
  const recur::Status bad(StatusCode::changed, "moved");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), StatusCode::changed);
  EXPECT_EQ(bad.message(), "moved");
  const recur::Skipped skipped("p.txt", bad);
  EXPECT_EQ(skipped.path, "p.txt");
  EXPECT_EQ(skipped.reason, "moved");
  EXPECT_EQ(skipped.code, StatusCode::changed);
}

TEST(StageStatus, FromErrnoMapsTheCodeAndKeepsWhatAndTheSystemText) {
  const std::vector<std::pair<int, StatusCode>> cases = {
      {ENOENT, StatusCode::not_found}, {EACCES, StatusCode::no_access}, {EIO, StatusCode::read_error}};
  for (const auto& [err, code] : cases) {
    const recur::Status s = recur::status_from_errno(err, "cannot open the thing");
    EXPECT_FALSE(s.ok()) << err;
    EXPECT_EQ(s.code(), code) << err << " gave " << recur::to_string(s.code());
    EXPECT_TRUE(contains(s.message(), "cannot open the thing")) << s.message();
    EXPECT_TRUE(contains(s.message(), std::strerror(err))) << s.message();
  }
}

// ---------------------------------------------------------------- MemorySource --------------

TEST(StageMemorySource, HoldsNamesAndBytesInTheOrderAdded) {
  recur::MemorySource src{{"first", "甲乙丙"}, {"second", "abc"}};
  EXPECT_EQ(src.add("third", ""), 2u);
  EXPECT_EQ(src.add("first", "again"), 3u) << "names need not be unique; numbers are the order";
  ASSERT_EQ(src.count(), 4u);
  EXPECT_EQ(src.name(0), "first");
  EXPECT_EQ(src.name(1), "second");
  EXPECT_EQ(src.name(2), "third");
  EXPECT_EQ(src.size(0), 9u);
  EXPECT_EQ(src.size(2), 0u);
  std::string out = "old contents that must go";
  EXPECT_TRUE(src.read(0, out).ok());
  EXPECT_EQ(out, "甲乙丙");
  EXPECT_TRUE(src.read(2, out).ok());
  EXPECT_EQ(out, "");
  EXPECT_TRUE(src.read(3, out).ok());
  EXPECT_EQ(out, "again");
  EXPECT_TRUE(src.stamp(1) == (recur::FileStamp{3, 0}));
  EXPECT_TRUE(src.problems().empty());
}

TEST(StageMemorySource, ReadsRanges) {
  const recur::MemorySource src{{"x", "0123456789"}};
  const std::vector<recur::ByteRange> ranges = {{2, 5}, {0, 1}, {7, 10}, {4, 4}, {0, 10}, {10, 10}};
  std::vector<std::string> out = {"junk"};
  ASSERT_TRUE(src.read_ranges(0, ranges, out).ok());
  EXPECT_EQ(out, (std::vector<std::string>{"234", "0", "789", "", "0123456789", ""}));
}

TEST(StageMemorySource, BadRangeLeavesEveryStringEmpty) {
  const recur::MemorySource src{{"x", "0123456789"}};
  const std::vector<std::vector<recur::ByteRange>> bad = {
      {{1, 3}, {5, 4}},        // reversed, after a good one
      {{1, 3}, {8, 11}},       // past the end
      {{11, 12}},              // starts past the end
      {{0, 2}, {3, 4}, {6, 2}},
  };
  for (const auto& ranges : bad) {
    std::vector<std::string> out = {"junk", "junk", "junk", "junk", "junk"};
    const recur::Status s = src.read_ranges(0, ranges, out);
    EXPECT_FALSE(s.ok()) << ranges.size();
    EXPECT_FALSE(s.message().empty());
    ASSERT_EQ(out.size(), ranges.size()) << "out[k] is for ranges[k]";
    for (const auto& t : out) EXPECT_EQ(t, "") << "a text half read after a failure";
  }
}

TEST(StageMemorySource, ReportsTheProblemsAdded) {
  recur::MemorySource src{{"a", "x"}};
  src.add_problem({"gone.txt", "cannot open: No such file or directory", StatusCode::not_found});
  src.add_problem({"dir", "no files matching *.txt", StatusCode::no_match});
  ASSERT_EQ(src.problems().size(), 2u);
  EXPECT_EQ(src.problems()[0].path, "gone.txt");
  EXPECT_EQ(src.problems()[0].code, StatusCode::not_found);
  EXPECT_EQ(src.problems()[1].path, "dir");
  EXPECT_EQ(src.problems()[1].reason, "no files matching *.txt");
  EXPECT_EQ(src.problems()[1].code, StatusCode::no_match);
  EXPECT_EQ(src.count(), 1u) << "problems are not inputs";
}

// ---------------------------------------------------------------- scan ----------------------

recur::ScannedFile scan_one(const std::string& bytes, const recur::InputOptions& options = {}) {
  const recur::MemorySource src{{"in.txt", bytes}};
  const recur::ScanSettings settings(options);
  return recur::scan_file(src, 0, settings);
}

TEST(StageScan, Utf8WithTwoParagraphs) {
  const std::string p1 = "第一段落的内容在这里。", p2 = "第二段落的内容也在这里。";
  const std::string text = p1 + "\n\n" + p2 + "\n";
  const recur::ScannedFile f = scan_one(text);
  ASSERT_TRUE(f.ok()) << f.outcome.status.message();
  EXPECT_EQ(f.outcome.bytes, text.size());
  EXPECT_EQ(f.outcome.documents, 1u);
  EXPECT_EQ(f.outcome.paragraphs, 2u);
  EXPECT_EQ(f.outcome.note, "");
  EXPECT_GE(f.outcome.seconds_read, 0.0);
  EXPECT_GE(f.outcome.seconds_segment, 0.0);
  EXPECT_TRUE(f.stamp == (recur::FileStamp{text.size(), 0}));
  EXPECT_EQ(f.decoded.text, text);
  EXPECT_TRUE(f.decoded.is_identity());
  ASSERT_EQ(f.seg.paragraphs.size(), 2u);
  EXPECT_EQ(f.seg.paragraphs[0].begin, 0u);
  EXPECT_EQ(f.seg.paragraphs[0].end, p1.size());
  EXPECT_EQ(f.seg.paragraphs[0].line, 1u);
  EXPECT_EQ(f.seg.paragraphs[1].begin, p1.size() + 2);
  EXPECT_EQ(f.seg.paragraphs[1].end, p1.size() + 2 + p2.size());
  EXPECT_EQ(f.seg.paragraphs[1].line, 3u);
  EXPECT_TRUE(f.stripped.empty());
}

TEST(StageScan, EmptyInputIsSkippedAsEmpty) {
  const recur::ScannedFile f = scan_one("");
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.outcome.status.code(), StatusCode::empty);
  EXPECT_FALSE(f.outcome.status.message().empty());
  EXPECT_EQ(f.outcome.paragraphs, 0u);
}

TEST(StageScan, NulBytesAreBinary) {
  const recur::ScannedFile f = scan_one("第一段落\0的内容在这里。\n"s);
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.outcome.status.code(), StatusCode::binary) << f.outcome.status.message();
  EXPECT_EQ(f.outcome.paragraphs, 0u);
}

TEST(StageScan, Gb18030IsDecodedWithANote) {
  const std::string bytes = "\xD6\xD0\xCE\xC4";  // 中文 in GB18030, written by hand
  ASSERT_EQ(to_gb18030("中文"), bytes);
  const recur::ScannedFile f = scan_one(bytes);
  ASSERT_TRUE(f.ok()) << f.outcome.status.message();
  EXPECT_EQ(f.decoded.text, "中文");
  EXPECT_EQ(f.decoded.encoding, "GB18030");
  EXPECT_TRUE(contains(f.outcome.note, "GB18030")) << f.outcome.note;
  EXPECT_EQ(f.outcome.note, f.decoded.note);
  EXPECT_EQ(f.outcome.bytes, 4u);
  EXPECT_EQ(f.outcome.paragraphs, 1u);
  EXPECT_FALSE(f.decoded.is_identity());
  // Each UTF-8 byte maps to where its character starts in the GB18030 bytes, then the size.
  EXPECT_EQ(f.decoded.to_original, (std::vector<std::uint64_t>{0, 0, 0, 2, 2, 2, 4}));
}

TEST(StageScan, DocSplitStartsDocuments) {
  recur::InputOptions o;
  o.doc_split = "^=== ";
  const std::string text = "=== 甲号文件\n第一份文件的段落内容。\n=== 乙号文件\n第二份文件的段落内容。\n第二份文件的又一段。\n";
  const recur::ScannedFile f = scan_one(text, o);
  ASSERT_TRUE(f.ok()) << f.outcome.status.message();
  EXPECT_EQ(f.outcome.documents, 2u);
  EXPECT_EQ(f.outcome.paragraphs, 5u);
  ASSERT_EQ(f.seg.documents.size(), 2u);
  EXPECT_EQ(f.seg.documents[0].name, "=== 甲号文件");
  EXPECT_EQ(f.seg.documents[0].line, 1u);
  EXPECT_EQ(f.seg.documents[1].name, "=== 乙号文件");
  EXPECT_EQ(f.seg.documents[1].line, 3u);
  std::vector<std::uint32_t> docs;
  for (const auto& p : f.seg.paragraphs) docs.push_back(p.document);
  EXPECT_EQ(docs, (std::vector<std::uint32_t>{0, 0, 1, 1, 1}));

  // Without --doc-split the same text is one document.
  const recur::ScannedFile whole = scan_one(text);
  EXPECT_EQ(whole.outcome.documents, 1u);
  EXPECT_EQ(whole.outcome.paragraphs, 5u);
}

TEST(StageScan, StripRangesAreMergedAndSorted) {
  recur::InputOptions o;
  // Given out of order, overlapping: [12] markers, then BBB, then AB (overlaps BBB).
  o.strip = {"\\[\\d+\\]", "BB+", "AB"};
  const std::string text = "xxABBByy[1]zz[23]第一段落的内容在这里。\n";
  //                        0 2  5 6 8  11 13 17
  const recur::ScannedFile f = scan_one(text, o);
  ASSERT_TRUE(f.ok()) << f.outcome.status.message();
  EXPECT_EQ(f.stripped, (std::vector<recur::Range>{{2, 6}, {8, 11}, {13, 17}}));
  EXPECT_EQ(f.outcome.paragraphs, 1u);
}

// ---------------------------------------------------------------- summarise -----------------

TEST(StageSummarise, AccountsForEveryInput) {
  recur::MemorySource src;
  const std::string m = "第一段落的内容在这里。\n";
  const std::string z = "\xD6\xD0\xCE\xC4\n";  // GB18030: read with a note
  const std::string k = "   \n\n";                // white space only: read with a note
  src.add("m.txt", m);
  src.add("z.txt", z);
  src.add("a.txt", "");                 // empty: skipped
  src.add("k.txt", k);
  src.add("b.txt", "abc\0def\n"s);      // NUL: skipped
  src.add_problem({"y-missing", "cannot open: No such file or directory", StatusCode::not_found});
  src.add_problem({"c-dir", "no files matching *.txt", StatusCode::no_match});

  const recur::ScanSettings settings(recur::InputOptions{});
  std::vector<recur::FileOutcome> outcomes;
  for (std::size_t i = 0; i < src.count(); ++i) outcomes.push_back(recur::scan_file(src, i, settings).outcome);
  const std::string z_note = outcomes[1].note;
  ASSERT_FALSE(z_note.empty());

  const recur::CorpusSummary sum = recur::summarise(src, outcomes);
  ASSERT_EQ(sum.skipped.size(), 4u);
  const std::vector<std::pair<std::string, StatusCode>> skipped = {{"a.txt", StatusCode::empty},
                                                                   {"b.txt", StatusCode::binary},
                                                                   {"c-dir", StatusCode::no_match},
                                                                   {"y-missing", StatusCode::not_found}};
  for (std::size_t i = 0; i < skipped.size(); ++i) {
    EXPECT_EQ(sum.skipped[i].path, skipped[i].first) << "skipped sorted by path";
    EXPECT_EQ(sum.skipped[i].code, skipped[i].second) << sum.skipped[i].path;
    EXPECT_FALSE(sum.skipped[i].reason.empty()) << sum.skipped[i].path;
  }
  EXPECT_EQ(sum.skipped[0].reason, outcomes[2].status.message());
  EXPECT_EQ(sum.skipped[2].reason, "no files matching *.txt");
  EXPECT_EQ(sum.skipped[3].reason, "cannot open: No such file or directory");

  EXPECT_EQ(sum.stats.files_read, 3u);
  EXPECT_EQ(sum.stats.files_skipped, 4u);
  EXPECT_EQ(sum.stats.files, 7u);
  EXPECT_EQ(sum.stats.files, sum.stats.files_read + sum.stats.files_skipped);
  EXPECT_EQ(sum.stats.bytes, m.size() + z.size() + k.size());
  EXPECT_EQ(sum.stats.documents, 2u);   // m and z; k has no text
  EXPECT_EQ(sum.stats.paragraphs, 2u);
  // Warnings in input order (z.txt is input 1, k.txt input 3), not by name.
  ASSERT_EQ(sum.warnings.size(), 2u);
  EXPECT_EQ(sum.warnings[0], "z.txt: " + z_note);
  EXPECT_EQ(sum.warnings[1], "k.txt: " + outcomes[3].note);
  EXPECT_TRUE(contains(outcomes[3].note, "no text")) << outcomes[3].note;

  std::vector<std::string> told;
  recur::announce(sum, [&](const std::string& s) { told.push_back(s); });
  ASSERT_EQ(told.size(), 6u);
  EXPECT_EQ(told[0], "skipped a.txt: " + sum.skipped[0].reason);
  EXPECT_EQ(told[3], "skipped y-missing: cannot open: No such file or directory");
  EXPECT_EQ(told[4], sum.warnings[0]);
  EXPECT_EQ(told[5], sum.warnings[1]);
}

// ---------------------------------------------------------------- merge_ranges --------------

TEST(StageMergeRanges, OverlappingAdjacentAndUnsorted) {
  using R = std::vector<recur::Range>;
  EXPECT_EQ(recur::merge_ranges({}), R{});
  EXPECT_EQ(recur::merge_ranges({{3, 5}}), (R{{3, 5}}));
  // Unsorted; [1,3)+[2,4) overlap; [5,7)+[7,9) and [11,12)+[12,13) are adjacent; [20,30) holds [22,23).
  EXPECT_EQ(recur::merge_ranges({{5, 7}, {22, 23}, {1, 3}, {12, 13}, {7, 9}, {20, 30}, {2, 4}, {11, 12}}),
            (R{{1, 4}, {5, 9}, {11, 13}, {20, 30}}));
  // A gap of one byte is kept.
  EXPECT_EQ(recur::merge_ranges({{4, 6}, {0, 3}}), (R{{0, 3}, {4, 6}}));
  // The same start twice, the shorter first.
  EXPECT_EQ(recur::merge_ranges({{2, 3}, {2, 8}, {0, 1}}), (R{{0, 1}, {2, 8}}));
}

// ---------------------------------------------------------------- index ---------------------

TEST(StageIndex, ShortParagraphsAreCountedNotIndexed) {
  const SmallCorpus c = small_corpus();
  const recur::ReportOptions o = line_options();
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  ASSERT_GT(settings.params.bands, 1u);
  const recur::ScanSettings scan(o.input);
  const recur::MinHasher hasher(settings.minhash);
  recur::Indexer indexer(settings, hasher);

  const recur::ScannedFile sf = recur::scan_file(c.source, 0, scan);
  const recur::FileIndex f = indexer.index(sf);
  ASSERT_TRUE(f.outcome.status.ok());
  EXPECT_EQ(f.outcome.paragraphs, 5u);
  EXPECT_EQ(f.too_short, 2u) << "甲报告 and 短句。";
  ASSERT_EQ(f.paragraphs.size(), 3u);
  EXPECT_EQ(f.keys.size(), f.paragraphs.size() * settings.params.bands);
  EXPECT_TRUE(f.signatures.empty()) << "signatures are kept only with keep_signatures";
  EXPECT_TRUE(f.identity);
  const std::vector<std::uint32_t> numbers = {2, 3, 5};
  const std::vector<std::string> texts = {c.p1, c.s, c.p2};
  std::string bytes;
  ASSERT_TRUE(c.source.read(0, bytes).ok());
  for (std::size_t k = 0; k < 3; ++k) {
    const recur::ParagraphRecord& r = f.paragraphs[k];
    EXPECT_EQ(r.number, numbers[k]);
    EXPECT_EQ(r.line, numbers[k]) << "one paragraph per line";
    EXPECT_EQ(r.line_end, numbers[k]);
    EXPECT_EQ(r.document, 0u);
    EXPECT_EQ(r.obegin, line_start(bytes, numbers[k]));
    EXPECT_EQ(bytes.substr(r.obegin, r.oend - r.obegin), texts[k]);
    EXPECT_EQ(sf.decoded.text.substr(r.dbegin, r.dend - r.dbegin), texts[k]);
    // Band-major, compacted over the gap the short 短句 left between S and P2.
    EXPECT_EQ(keys_of_row(f, k, settings.params.bands), band_keys_of(texts[k], settings)) << "paragraph " << k;
  }

  // keep_signatures keeps perms values per indexed paragraph.
  recur::IndexSettings keep = settings;
  keep.keep_signatures = true;
  recur::Indexer keeper(keep, hasher);
  const recur::FileIndex fk = keeper.index(sf);
  EXPECT_EQ(fk.signatures.size(), 3u * settings.minhash.perms);
  EXPECT_EQ(fk.keys, f.keys);
}

TEST(StageIndex, MinCharsDecidesWhatIsTooShort) {
  // 10 characters is indexed at min_chars 10, 9 is not.
  const recur::MemorySource src{{"m", "一二三四五六七八九十\n甲乙丙丁戊己庚辛壬\n"}};
  recur::ReportOptions o = line_options();
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  const recur::MinHasher hasher(settings.minhash);
  recur::Indexer indexer(settings, hasher);
  const recur::FileIndex f = indexer.index(recur::scan_file(src, 0, recur::ScanSettings(o.input)));
  EXPECT_EQ(f.too_short, 1u);
  ASSERT_EQ(f.paragraphs.size(), 1u);
  EXPECT_EQ(f.paragraphs[0].number, 1u);
  EXPECT_EQ(f.keys.size(), settings.params.bands);
}

TEST(StageIndex, IdenticalParagraphsGetIdenticalBandKeys) {
  const SmallCorpus c = small_corpus();
  const recur::ReportOptions o = line_options();
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  const unsigned bands = settings.params.bands;
  const auto files = recur::index_inputs(c.source, recur::ScanSettings(o.input), settings, 1);
  ASSERT_EQ(files.size(), 3u);
  // S is row 1 of a.txt and row 0 of b.txt.
  const auto s_in_a = keys_of_row(files[0], 1, bands), s_in_b = keys_of_row(files[1], 0, bands);
  EXPECT_EQ(s_in_a, s_in_b);
  EXPECT_EQ(s_in_a, band_keys_of(c.s, settings));
  // Unrelated paragraphs (P1, P3) share almost no band.
  const auto p1 = keys_of_row(files[0], 0, bands), p3 = keys_of_row(files[1], 1, bands);
  std::size_t same = 0;
  for (unsigned b = 0; b < bands; ++b) same += p1[b] == p3[b];
  EXPECT_LT(same, bands / 2);
}

TEST(StageIndex, OriginalOffsetsOfAGb18030Input) {
  const std::vector<std::string> lines = {kGTitle, kG1, kG2};
  const std::string utf8 = lines_of(lines);
  const std::string gb = to_gb18030(utf8);
  ASSERT_NE(gb.size(), utf8.size());
  // And a UTF-8 input with a byte-order mark: identity, shifted by 3.
  const std::string bom = "\xEF\xBB\xBF" + utf8;
  const recur::MemorySource src{{"gb.txt", gb}, {"bom.txt", bom}};
  const recur::ReportOptions o = line_options();
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  const auto files = recur::index_inputs(src, recur::ScanSettings(o.input), settings, 2);
  ASSERT_EQ(files.size(), 2u);

  const recur::FileIndex& g = files[0];
  ASSERT_TRUE(g.outcome.status.ok()) << g.outcome.status.message();
  EXPECT_TRUE(contains(g.outcome.note, "GB18030")) << g.outcome.note;
  EXPECT_FALSE(g.identity);
  EXPECT_EQ(g.too_short, 1u);
  ASSERT_EQ(g.paragraphs.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const recur::ParagraphRecord& r = g.paragraphs[k];
    const std::string& text = lines[k + 1];
    EXPECT_EQ(r.line, k + 2);
    // Original offsets slice the GB18030 bytes of the paragraph; decoded ones the UTF-8.
    EXPECT_EQ(r.obegin, line_start(gb, static_cast<std::uint32_t>(k + 2)));
    EXPECT_EQ(gb.substr(r.obegin, r.oend - r.obegin), to_gb18030(text)) << k;
    EXPECT_EQ(r.dbegin, line_start(utf8, static_cast<std::uint32_t>(k + 2)));
    EXPECT_EQ(utf8.substr(r.dbegin, r.dend - r.dbegin), text) << k;
    EXPECT_NE(r.obegin, r.dbegin);
    EXPECT_EQ(keys_of_row(g, k, settings.params.bands), band_keys_of(text, settings));
  }

  const recur::FileIndex& b = files[1];
  ASSERT_TRUE(b.outcome.status.ok()) << b.outcome.status.message();
  EXPECT_TRUE(b.identity);
  ASSERT_EQ(b.paragraphs.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const recur::ParagraphRecord& r = b.paragraphs[k];
    EXPECT_EQ(r.obegin, r.dbegin + 3);
    EXPECT_EQ(bom.substr(r.obegin, r.oend - r.obegin), lines[k + 1]);
    // The same text in two encodings has the same keys.
    EXPECT_EQ(keys_of_row(b, k, settings.params.bands), keys_of_row(g, k, settings.params.bands));
  }
}

/// Nine inputs: the small corpus three times over under other names, with an empty one, a binary
/// one and a GB18030 one among them.
recur::MemorySource nine_inputs(const SmallCorpus& c) {
  recur::MemorySource src;
  std::string bytes;
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < c.source.count(); ++i) {
      c.source.read(i, bytes);
      src.add("r" + std::to_string(round) + "/" + c.source.name(i), bytes);
    }
  src.add("empty.txt", "");
  src.add("gb.txt", to_gb18030(lines_of({kGTitle, kG1, kG2})));
  src.add("bin.txt", "abc\0\0\0def\n"s);
  return src;
}

TEST(StageIndex, IndexInputsIsTheSameOnOneAndTwoThreads) {
  const SmallCorpus c = small_corpus();
  const recur::MemorySource src = nine_inputs(c);
  recur::ReportOptions o = line_options();
  o.verify = false;  // keep signatures, so they are compared too
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  ASSERT_TRUE(settings.keep_signatures);
  const recur::ScanSettings scan(o.input);
  recur::ProgressCounters p1, p2;
  const auto one = recur::index_inputs(src, scan, settings, 1, &p1);
  const auto two = recur::index_inputs(src, scan, settings, 2, &p2);
  ASSERT_EQ(one.size(), src.count());
  ASSERT_EQ(two.size(), src.count());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < src.count(); ++i) total += src.size(i);
  EXPECT_EQ(p1.done.load(), total) << "progress advances by every byte of input, skipped ones included";
  EXPECT_EQ(p2.done.load(), total);

  // And each equals Indexer::index of scan_file, input by input.
  const recur::MinHasher hasher(settings.minhash);
  recur::Indexer indexer(settings, hasher);
  for (std::size_t i = 0; i < src.count(); ++i) {
    expect_same_index(one[i], two[i], "threads 1 vs 2, input " + src.name(i));
    expect_same_index(one[i], indexer.index(recur::scan_file(src, i, scan)), "direct, input " + src.name(i));
  }
  EXPECT_EQ(one[6].outcome.status.code(), StatusCode::empty);
  EXPECT_EQ(one[8].outcome.status.code(), StatusCode::binary);
  EXPECT_TRUE(one[6].paragraphs.empty());
  EXPECT_TRUE(one[6].keys.empty());
  EXPECT_EQ(one[7].paragraphs.size(), 2u);
}

// ---------------------------------------------------------------- ParagraphIndex ------------

TEST(StageParagraphIndex, IdsFollowInputOrderAndBandKeysAreGathered) {
  const SmallCorpus c = small_corpus();
  // a, an empty input (skipped: no paragraphs), b, c.
  recur::MemorySource src;
  std::string bytes;
  c.source.read(0, bytes);
  src.add("a.txt", bytes);
  src.add("empty.txt", "");
  c.source.read(1, bytes);
  src.add("b.txt", bytes);
  c.source.read(2, bytes);
  src.add("c.txt", bytes);
  const recur::ReportOptions o = line_options();
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  const unsigned bands = settings.params.bands;
  std::vector<recur::FileIndex> files = recur::index_inputs(src, recur::ScanSettings(o.input), settings, 2);
  std::vector<recur::UninitialisedVector<std::uint32_t>> keys_before;
  std::vector<std::vector<recur::ParagraphRecord>> records_before;
  for (const auto& f : files) {
    keys_before.push_back(f.keys);
    records_before.push_back(f.paragraphs);
  }

  recur::ParagraphIndex index(std::move(files));
  EXPECT_EQ(index.inputs(), 4u);
  ASSERT_EQ(index.size(), 7u);
  EXPECT_EQ(index.first_id(0), 0u);
  EXPECT_EQ(index.first_id(1), 3u);
  EXPECT_EQ(index.first_id(2), 3u);
  EXPECT_EQ(index.first_id(3), 5u);
  const std::vector<std::uint32_t> input_of = {0, 0, 0, 2, 2, 3, 3};
  for (std::uint32_t id = 0; id < 7; ++id) {
    EXPECT_EQ(index.input_of(id), input_of[id]) << id;
    const std::size_t f = input_of[id];
    EXPECT_EQ(record_tuple(index.record(id)), record_tuple(records_before[f][id - index.first_id(f)])) << id;
  }
  EXPECT_EQ(index.record(3).number, 2u);  // S in b.txt
  EXPECT_EQ(index.file(1).outcome.status.code(), StatusCode::empty);

  const recur::BandKeys keys = index.take_band_keys(bands, 2);
  ASSERT_EQ(keys.count, 7u);
  ASSERT_EQ(keys.bands, bands);
  ASSERT_EQ(keys.span().size(), 7u * bands);
  for (std::uint32_t id = 0; id < 7; ++id) {
    const std::size_t f = input_of[id];
    const std::size_t rows = records_before[f].size(), row = id - index.first_id(f);
    for (unsigned b = 0; b < bands; ++b)
      ASSERT_EQ(keys.data[std::size_t{b} * keys.count + id], keys_before[f][b * rows + row])
          << "id " << id << " band " << b;
  }
  for (std::size_t f = 0; f < index.inputs(); ++f) EXPECT_TRUE(index.file(f).keys.empty()) << "keys freed once copied";
  // S (ids 1 and 3) collides in every band; that is what the candidate search looks for.
  const auto pairs = recur::candidate_pairs_band_major(keys.span(), keys.count, keys.bands);
  EXPECT_NE(std::find(pairs.begin(), pairs.end(), std::make_pair(1u, 3u)), pairs.end());
}

// ---------------------------------------------------------------- read_paragraphs -----------

// The small corpus's first input (UTF-8), then a GB18030 input and a UTF-8 input with a BOM.
recur::MemorySource three_encodings(const SmallCorpus& c) {
  recur::MemorySource src;
  std::string bytes;
  c.source.read(0, bytes);
  src.add("a.txt", bytes);
  src.add("gb.txt", to_gb18030(lines_of({kGTitle, kG1, kG2})));
  src.add("bom.txt", "\xEF\xBB\xBF" + lines_of({kGTitle, kG1, kG2}));
  return src;
}

TEST(StageReadParagraphs, ReturnsTheTextsOfUtf8Gb18030AndBomInputs) {
  const SmallCorpus c = small_corpus();
  const recur::MemorySource src = three_encodings(c);
  const recur::ReportOptions o = line_options();
  const auto files = recur::index_inputs(src, recur::ScanSettings(o.input), recur::IndexSettings::of(o), 1);
  const std::vector<std::vector<std::string>> expected = {{c.p1, c.s, c.p2}, {kG1, kG2}, {kG1, kG2}};
  for (std::size_t i = 0; i < src.count(); ++i) {
    std::vector<const recur::ParagraphRecord*> paras;
    for (const auto& r : files[i].paragraphs) paras.push_back(&r);
    std::vector<std::string> texts = {"junk"};
    const recur::Status s = recur::read_paragraphs(src, i, files[i], o.input.decode, paras, texts);
    ASSERT_TRUE(s.ok()) << src.name(i) << ": " << s.message();
    EXPECT_EQ(texts, expected[i]) << src.name(i);
    // A subset, in another order.
    std::vector<const recur::ParagraphRecord*> back = {paras.back(), paras.front()};
    ASSERT_TRUE(recur::read_paragraphs(src, i, files[i], o.input.decode, back, texts).ok());
    EXPECT_EQ(texts, (std::vector<std::string>{expected[i].back(), expected[i].front()})) << src.name(i);
  }
}

TEST(StageReadParagraphs, AChangedStampIsReportedAsChanged) {
  const SmallCorpus c = small_corpus();
  for (const bool gb : {false, true}) {  // read back by range, and by decoding again
    recur::MemorySource mem;
    std::string bytes;
    c.source.read(0, bytes);
    mem.add("a.txt", gb ? to_gb18030(lines_of({kGTitle, kG1, kG2})) : bytes);
    ScriptedSource src(mem);
    src.change_stamp_of(0);  // the first stamp (when scanned) is the true one, later ones differ
    const recur::ReportOptions o = line_options();
    const auto files = recur::index_inputs(src, recur::ScanSettings(o.input), recur::IndexSettings::of(o), 1);
    ASSERT_TRUE(files[0].outcome.status.ok());
    ASSERT_FALSE(files[0].paragraphs.empty());
    EXPECT_EQ(files[0].identity, !gb);
    std::vector<const recur::ParagraphRecord*> paras;
    for (const auto& r : files[0].paragraphs) paras.push_back(&r);
    std::vector<std::string> texts = {"junk", "junk", "junk", "junk"};
    const recur::Status s = recur::read_paragraphs(src, 0, files[0], o.input.decode, paras, texts);
    EXPECT_EQ(s.code(), StatusCode::changed) << "gb " << gb << ": " << s.message();
    ASSERT_EQ(texts.size(), paras.size());
    for (const auto& t : texts) EXPECT_EQ(t, "");
  }
}

// read_paragraph_views against read_paragraphs: the whole-input path (all paragraphs, or input
// that was decoded) and the by-range path (one paragraph of an identity input), on UTF-8, GB18030
// and BOM inputs; and a changed stamp on both paths.
TEST(StageReadParagraphs, ViewsAreTheTextsReadParagraphsGives) {
  const SmallCorpus c = small_corpus();
  const recur::MemorySource src = three_encodings(c);
  const recur::ReportOptions o = line_options();
  const auto files = recur::index_inputs(src, recur::ScanSettings(o.input), recur::IndexSettings::of(o), 1);
  std::size_t whole = 0, by_range = 0;
  std::string buffer = "junk";
  for (std::size_t i = 0; i < src.count(); ++i) {
    std::vector<const recur::ParagraphRecord*> all;
    for (const auto& r : files[i].paragraphs) all.push_back(&r);
    std::vector<std::vector<const recur::ParagraphRecord*>> subsets = {all, {all.back(), all.front()}};
    for (const auto* p : all) subsets.push_back({p});
    for (const auto& paras : subsets) {
      std::vector<std::string> want, texts = {"junk"};
      std::vector<std::string_view> views;
      ASSERT_TRUE(recur::read_paragraphs(src, i, files[i], o.input.decode, paras, want).ok());
      const recur::Status s =
          recur::read_paragraph_views(src, i, files[i], o.input.decode, paras, buffer, texts, views);
      ASSERT_TRUE(s.ok()) << src.name(i) << ": " << s.message();
      EXPECT_EQ(std::vector<std::string>(views.begin(), views.end()), want) << src.name(i) << ", " << paras.size();
      (texts.empty() ? whole : by_range) += 1;
    }
  }
  EXPECT_GT(whole, 0u);
  EXPECT_GT(by_range, 0u);
}

TEST(StageReadParagraphs, ViewsOfAChangedInputAreReportedAsChanged) {
  const SmallCorpus c = small_corpus();
  for (const bool gb : {false, true}) {
    recur::MemorySource mem;
    std::string bytes;
    c.source.read(0, bytes);
    mem.add("a.txt", gb ? to_gb18030(lines_of({kGTitle, kG1, kG2})) : bytes);
    ScriptedSource src(mem);
    src.change_stamp_of(0);
    const recur::ReportOptions o = line_options();
    const auto files = recur::index_inputs(src, recur::ScanSettings(o.input), recur::IndexSettings::of(o), 1);
    ASSERT_FALSE(files[0].paragraphs.empty());
    std::vector<const recur::ParagraphRecord*> all;
    for (const auto& r : files[0].paragraphs) all.push_back(&r);
    for (const auto& paras : {all, std::vector<const recur::ParagraphRecord*>{all.front()}}) {
      std::string buffer;
      std::vector<std::string> texts;
      std::vector<std::string_view> views;
      const recur::Status s =
          recur::read_paragraph_views(src, 0, files[0], o.input.decode, paras, buffer, texts, views);
      EXPECT_EQ(s.code(), StatusCode::changed) << "gb " << gb << ", " << paras.size() << ": " << s.message();
      ASSERT_EQ(views.size(), paras.size());
      for (std::string_view v : views) EXPECT_EQ(v, "");
    }
  }
}

// An input cut short between its stamp and its read (the stamp unchanged): reading it whole, for
// read_paragraphs (decoded again) and read_paragraph_views (whole or decoded), says `changed`
// instead of reaching past its end.
TEST(StageReadParagraphs, AnInputShorterThanItsParagraphsIsReportedAsChanged) {
  class Truncating final : public recur::Source {
   public:
    explicit Truncating(const recur::MemorySource& inner) : inner_(inner) {}
    std::size_t count() const noexcept override { return inner_.count(); }
    const std::string& name(std::size_t i) const override { return inner_.name(i); }
    std::uint64_t size(std::size_t i) const override { return inner_.size(i); }
    recur::Status read(std::size_t i, std::string& out) const override {
      recur::Status s = inner_.read(i, out);
      if (cut_) out.resize(out.size() / 2);
      return s;
    }
    recur::Status read_ranges(std::size_t i, std::span<const recur::ByteRange> ranges,
                              std::vector<std::string>& out) const override {
      return inner_.read_ranges(i, ranges, out);
    }
    recur::FileStamp stamp(std::size_t i) const override { return inner_.stamp(i); }
    void cut() { cut_ = true; }

   private:
    const recur::MemorySource& inner_;
    bool cut_ = false;
  };
  const SmallCorpus c = small_corpus();
  const recur::MemorySource mem = three_encodings(c);
  Truncating src(mem);
  const recur::ReportOptions o = line_options();
  const auto files = recur::index_inputs(src, recur::ScanSettings(o.input), recur::IndexSettings::of(o), 1);
  src.cut();
  for (std::size_t i = 0; i < src.count(); ++i) {
    std::vector<const recur::ParagraphRecord*> all;
    for (const auto& r : files[i].paragraphs) all.push_back(&r);
    std::string buffer;
    std::vector<std::string> texts;
    std::vector<std::string_view> views;
    const recur::Status v = recur::read_paragraph_views(src, i, files[i], o.input.decode, all, buffer, texts, views);
    EXPECT_EQ(v.code(), StatusCode::changed) << src.name(i) << ": " << v.message();
    for (std::string_view x : views) EXPECT_EQ(x, "");
    if (!files[i].identity) {  // read_paragraphs reads by range where decoding was the identity
      const recur::Status r = recur::read_paragraphs(src, i, files[i], o.input.decode, all, texts);
      EXPECT_EQ(r.code(), StatusCode::changed) << src.name(i) << ": " << r.message();
    }
  }
}

// ---------------------------------------------------------------- verify --------------------

TEST(StageVerify, InvolvedIdsAreSortedWithoutDuplicates) {
  const std::vector<recur::IdPair> pairs = {{5, 9}, {2, 5}, {9, 12}, {0, 2}, {2, 5}};
  EXPECT_EQ(recur::involved(pairs), (std::vector<std::uint32_t>{0, 2, 5, 9, 12}));
  EXPECT_TRUE(recur::involved({}).empty());
  // Ids at and across 64-bit word boundaries, a large one, and the largest id as either member.
  const std::vector<recur::IdPair> edges = {{63, 64}, {0, 4000000}, {127, 128}, {64, 63}, {4000000, 1}};
  EXPECT_EQ(recur::involved(edges), (std::vector<std::uint32_t>{0, 1, 63, 64, 127, 128, 4000000}));
  EXPECT_EQ(recur::involved(std::vector<recur::IdPair>{{7, 7}}), (std::vector<std::uint32_t>{7}));
}

/// The small corpus indexed under global ids (see SmallCorpus for the ids).
recur::ParagraphIndex index_small(const recur::Source& src, const recur::ReportOptions& o, unsigned threads = 1) {
  return recur::ParagraphIndex(
      recur::index_inputs(src, recur::ScanSettings(o.input), recur::IndexSettings::of(o), threads));
}

TEST(StageVerify, ShingleSetsGiveTheExactJaccardOfTheTexts) {
  const SmallCorpus c = small_corpus();
  const recur::ReportOptions o = line_options();
  const recur::ParagraphIndex index = index_small(c.source, o);
  ASSERT_EQ(index.size(), 7u);
  // ids: 0 P1, 1 S, 2 P2, 3 S, 4 P3, 5 P4, 6 S'
  const std::vector<std::string> text = {c.p1, c.s, c.p2, c.s, c.p3, c.p4, c.s_edit};
  const std::vector<recur::IdPair> pairs = {{1, 3}, {1, 6}, {3, 6}, {0, 4}, {0, 5}};
  std::vector<recur::Status> problems = {recur::Status(StatusCode::changed, "stale")};
  const recur::ShingleSets sets =
      recur::ShingleSets::build(c.source, index, recur::involved(pairs), o.input, o.shingle, 2, problems);
  ASSERT_EQ(problems.size(), 3u);
  for (const auto& p : problems) EXPECT_TRUE(p.ok()) << p.message();
  for (const auto& [a, b] : pairs) {
    const double expected = recur::exact_jaccard(folded_set_of(text[a]), folded_set_of(text[b]));
    EXPECT_DOUBLE_EQ(sets.similarity(a, b), expected) << a << "," << b;
    EXPECT_DOUBLE_EQ(sets.similarity(b, a), expected) << a << "," << b;
  }
  EXPECT_DOUBLE_EQ(sets.similarity(1, 3), 1.0);
  const double edited = sets.similarity(1, 6);
  EXPECT_GT(edited, 0.4);
  EXPECT_LT(edited, 1.0);
  EXPECT_LT(sets.similarity(0, 4), 0.2);
  ASSERT_TRUE(sets.set(6));
  EXPECT_EQ(std::vector<std::uint32_t>(sets.set(6)->begin(), sets.set(6)->end()), folded_set_of(c.s_edit));
  // Paragraphs in no pair have no set.
  EXPECT_FALSE(sets.set(2));
  EXPECT_EQ(sets.similarity(2, 1), -1);
  EXPECT_EQ(sets.similarity(1, 2), -1);
  EXPECT_EQ(sets.similarity(1, 2, 0.5), -1);
  // With a threshold: exact when the sizes allow it, else the size bound, below the threshold.
  for (const auto& [a, b] : pairs)
    for (double t : {0.1, 0.3, 0.5, 0.8, 1.0}) {
      const double exact = sets.similarity(a, b), pruned = sets.similarity(a, b, t);
      const double small = static_cast<double>(std::min(sets.set(a)->size(), sets.set(b)->size()));
      const double large = static_cast<double>(std::max(sets.set(a)->size(), sets.set(b)->size()));
      if (small / large >= t) {
        EXPECT_DOUBLE_EQ(pruned, exact) << a << "," << b << " at " << t;
      } else {
        EXPECT_DOUBLE_EQ(pruned, small / large) << a << "," << b << " at " << t;
        EXPECT_LT(pruned, t);
        EXPECT_LE(exact, pruned);  // the bound holds
      }
    }
}

// ShingleSets::similarities (sets fetched ahead) against similarity(a, b, t) pair by pair: more
// pairs than a chunk, with paragraphs that have no set, at several thresholds and thread counts.
TEST(StageVerify, ShingleSetsSimilaritiesArePairByPairSimilarities) {
  const SmallCorpus c = small_corpus();
  const recur::ReportOptions o = line_options();
  const recur::ParagraphIndex index = index_small(c.source, o);
  ASSERT_EQ(index.size(), 7u);
  std::vector<recur::Status> problems;
  const recur::ShingleSets sets = recur::ShingleSets::build(c.source, index, {0, 1, 3, 4, 5, 6}, o.input,
                                                            o.shingle, 2, problems);
  ASSERT_FALSE(sets.set(2));  // paragraph 2 has no set: its pairs are -1
  std::mt19937_64 rng(3);
  std::vector<recur::IdPair> pairs;
  for (int k = 0; k < 9000; ++k) {  // ids up to 8: 7 and 8 are past the index, with no set either
    const auto a = static_cast<std::uint32_t>(rng() % 9), b = static_cast<std::uint32_t>(rng() % 9);
    pairs.emplace_back(std::min(a, b), std::max(a, b));
  }
  for (double t : {0.3, 0.8})
    for (unsigned threads : {1u, 2u}) {
      std::atomic<std::uint64_t> done{0};
      const std::vector<double> got = sets.similarities(pairs, t, threads, &done);
      ASSERT_EQ(got.size(), pairs.size());
      std::size_t unknown = 0, exact_ones = 0;
      for (std::size_t k = 0; k < pairs.size(); ++k) {
        ASSERT_EQ(got[k], sets.similarity(pairs[k].first, pairs[k].second, t)) << k;
        unknown += got[k] == -1;
        exact_ones += got[k] == 1.0;
      }
      EXPECT_GT(unknown, 1000u);
      EXPECT_GT(exact_ones, 500u);
      EXPECT_EQ(done.load(), pairs.size());
    }
  EXPECT_TRUE(sets.similarities({}, 0.5, 2).empty());
}

TEST(StageVerify, ShingleSetsLeaveOutStrippedMarkers) {
  std::mt19937_64 rng(5);
  const std::string a = join(random_paragraph(rng, 60, 80)), b = join(random_paragraph(rng, 60, 80));
  // The same paragraph a, once with [n] markers inside, once without.
  const auto cps = split_utf8(a);
  std::string marked;
  for (std::size_t k = 0; k < cps.size(); ++k) {
    marked += cps[k];
    if (k == 5) marked += "[12]";
    if (k == 20) marked += "[3]";
  }
  const recur::MemorySource src{{"m.txt", lines_of({marked, b})}, {"n.txt", lines_of({a})}};
  recur::ReportOptions o = line_options();
  o.input.strip = {"\\[\\d+\\]"};
  const recur::ParagraphIndex index = index_small(src, o);
  ASSERT_EQ(index.size(), 3u);
  ASSERT_EQ(index.file(0).stripped.size(), 2u);
  std::vector<recur::Status> problems;
  const std::vector<recur::IdPair> pairs = {{0, 2}, {1, 2}};
  const recur::ShingleSets sets =
      recur::ShingleSets::build(src, index, recur::involved(pairs), o.input, o.shingle, 1, problems);
  ASSERT_TRUE(sets.set(0));
  EXPECT_EQ(std::vector<std::uint32_t>(sets.set(0)->begin(), sets.set(0)->end()), folded_set_of(a))
      << "the markers are not part of the set";
  EXPECT_DOUBLE_EQ(sets.similarity(0, 2), 1.0);
  EXPECT_DOUBLE_EQ(sets.similarity(1, 2), recur::exact_jaccard(folded_set_of(b), folded_set_of(a)));
}

TEST(StageVerify, AnInputThatChangedHasNoSetsAndAProblem) {
  const SmallCorpus c = small_corpus();
  ScriptedSource src(c.source);
  src.change_stamp_of(1);  // b.txt
  const recur::ReportOptions o = line_options();
  const recur::ParagraphIndex index = index_small(src, o);
  std::vector<recur::Status> problems;
  const std::vector<recur::IdPair> pairs = {{1, 3}, {1, 6}, {0, 4}};
  const recur::ShingleSets sets =
      recur::ShingleSets::build(src, index, recur::involved(pairs), o.input, o.shingle, 2, problems);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_TRUE(problems[0].ok());
  EXPECT_EQ(problems[1].code(), StatusCode::changed);
  EXPECT_TRUE(problems[2].ok());
  EXPECT_FALSE(sets.set(3));
  EXPECT_FALSE(sets.set(4));
  EXPECT_EQ(sets.similarity(1, 3), -1) << "unknown, never passes";
  EXPECT_EQ(sets.similarity(0, 4), -1);
  EXPECT_GT(sets.similarity(1, 6), 0.4);
}

TEST(StageVerify, SimilaritiesKeepThePairOrderOnAnyThreadCount) {
  // More pairs than one chunk, so two threads split them.
  std::vector<recur::IdPair> pairs;
  for (std::uint32_t k = 0; k < 10000; ++k) pairs.emplace_back(k % 97, 100 + k);
  const recur::SimilarityFn fn = [](std::uint32_t a, std::uint32_t b) {
    return static_cast<double>((a * 31 + b * 7) % 101) / 100.0;
  };
  std::atomic<std::uint64_t> done1{0}, done2{0};
  const std::vector<double> one = recur::similarities(pairs, fn, 1, &done1);
  const std::vector<double> two = recur::similarities(pairs, fn, 2, &done2);
  ASSERT_EQ(one.size(), pairs.size());
  for (std::size_t k = 0; k < pairs.size(); ++k) ASSERT_EQ(one[k], fn(pairs[k].first, pairs[k].second)) << k;
  EXPECT_EQ(one, two);
  EXPECT_EQ(done1.load(), pairs.size());
  EXPECT_EQ(done2.load(), pairs.size());
  EXPECT_TRUE(recur::similarities({}, fn, 2).empty());
}

TEST(StageVerify, VerifiedEdgesKeepPairsAtTheThresholdInOrder) {
  const std::vector<recur::IdPair> pairs = {{4, 9}, {1, 2}, {0, 7}, {3, 5}, {2, 8}, {6, 7}};
  const std::vector<double> sims = {0.5, 0.49999, 1.0, -1.0, 0.75, 0.0};
  const std::vector<recur::Edge> edges = recur::verified_edges(pairs, sims, 0.5);
  ASSERT_EQ(edges.size(), 3u);
  EXPECT_EQ(std::make_tuple(edges[0].a, edges[0].b, edges[0].similarity), std::make_tuple(4u, 9u, 0.5));
  EXPECT_EQ(std::make_tuple(edges[1].a, edges[1].b, edges[1].similarity), std::make_tuple(0u, 7u, 1.0));
  EXPECT_EQ(std::make_tuple(edges[2].a, edges[2].b, edges[2].similarity), std::make_tuple(2u, 8u, 0.75));
  EXPECT_TRUE(recur::verified_edges(pairs, sims, 1.5).empty());
}

TEST(StageVerify, RealSimilaritiesAreTheSameOnOneAndTwoThreads) {
  const SmallCorpus c = small_corpus();
  const recur::MemorySource src = nine_inputs(c);
  const recur::ReportOptions o = line_options();
  recur::ParagraphIndex i1 = index_small(src, o, 1), i2 = index_small(src, o, 2);
  ASSERT_EQ(i1.size(), i2.size());
  // Every pair of indexed paragraphs.
  std::vector<recur::IdPair> pairs;
  for (std::uint32_t a = 0; a < i1.size(); ++a)
    for (std::uint32_t b = a + 1; b < i1.size(); ++b) pairs.emplace_back(a, b);
  std::vector<recur::Status> p1, p2;
  const auto s1 = recur::ShingleSets::build(src, i1, recur::involved(pairs), o.input, o.shingle, 1, p1);
  const auto s2 = recur::ShingleSets::build(src, i2, recur::involved(pairs), o.input, o.shingle, 2, p2);
  const auto f1 = [&](std::uint32_t a, std::uint32_t b) { return s1.similarity(a, b); };
  const auto f2 = [&](std::uint32_t a, std::uint32_t b) { return s2.similarity(a, b); };
  const std::vector<double> one = recur::similarities(pairs, f1, 1), two = recur::similarities(pairs, f2, 2);
  EXPECT_EQ(one, two);
  std::size_t ones = 0;
  for (double s : one) {
    EXPECT_GE(s, 0.0);
    ones += s == 1.0;
  }
  EXPECT_GE(ones, 4u) << "the copies of S and the repeated inputs";
}

// ---------------------------------------------------------------- star clustering -----------

using Members = std::vector<std::pair<std::uint32_t, double>>;

Members members_of(const recur::Cluster& c) {
  Members m;
  for (const auto& x : c.members) m.emplace_back(x.item, x.similarity);
  return m;
}

std::vector<Members> all_members(const std::vector<recur::Cluster>& cs) {
  std::vector<Members> out;
  for (const auto& c : cs) out.push_back(members_of(c));
  return out;
}

/// The hand-made graph (threshold 0.5):
///   cluster A: 10 -- 11, 12, 13, 14   (10 has degree 4: formed first, index 0)
///   cluster B:  0 -- 1, 2, 3          ( 0 has degree 3: formed second, index 1)
///   20 -- 1 and 20 -- 11: every neighbour of 20 is taken when its turn comes: a loner that tries
///      B (neighbour 1, the lower id) before A (neighbour 11)
///   21 -- 2: a loner that tries B
///   30 -- 31 below the threshold: ignored
std::vector<recur::Edge> hand_graph() {
  return {{10, 11, 0.9},  {10, 12, 0.8},  {10, 13, 0.75}, {10, 14, 0.7},  {0, 1, 0.9},  {0, 2, 0.85},
          {3, 0, 0.8},  // given reversed
          {1, 20, 0.6}, {11, 20, 0.55}, {2, 21, 0.6},  {30, 31, 0.45}};
}

TEST(StageStar, FirstPassFormsStarsAndListsLoners) {
  const recur::StarDraft draft = recur::star_first_pass(32, hand_graph(), 0.5);
  ASSERT_EQ(draft.clusters.size(), 2u);
  EXPECT_EQ(members_of(draft.clusters[0]), (Members{{10, 1.0}, {11, 0.9}, {12, 0.8}, {13, 0.75}, {14, 0.7}}));
  EXPECT_EQ(members_of(draft.clusters[1]), (Members{{0, 1.0}, {1, 0.9}, {2, 0.85}, {3, 0.8}}));
  ASSERT_EQ(draft.loners.size(), 2u);
  EXPECT_EQ(draft.loners[0].item, 20u) << "degree 2 before degree 1";
  EXPECT_EQ(draft.loners[0].clusters, (std::vector<std::uint32_t>{1, 0})) << "in the order of its neighbours";
  EXPECT_EQ(draft.loners[1].item, 21u);
  EXPECT_EQ(draft.loners[1].clusters, (std::vector<std::uint32_t>{1}));
  using P = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
  EXPECT_EQ(draft.pending(), (P{{20, 0}, {20, 10}, {21, 0}})) << "(item, representative), in order";
}

/// The hand graph's second pass (threshold 0.5) with the similarities of its pending() pairs.
std::vector<recur::Cluster> second_pass(std::vector<double> similarity) {
  return recur::star_second_pass(recur::star_first_pass(32, hand_graph(), 0.5), similarity, 0.5);
}

TEST(StageStar, SecondPassJoinsTheMostSimilarRepresentative) {
  // pending: (20, rep 0 = cluster B), (20, rep 10 = cluster A), (21, rep 0)
  {  // 20 is closer to 0: B grows to 5 members (0 1 2 3 20) + 21 -> 6, A stays at 5.
    const auto cs = second_pass({0.8, 0.7, 0.6});
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(members_of(cs[0]), (Members{{0, 1.0}, {1, 0.9}, {2, 0.85}, {3, 0.8}, {20, 0.8}, {21, 0.6}}));
    EXPECT_EQ(members_of(cs[1]), (Members{{10, 1.0}, {11, 0.9}, {12, 0.8}, {13, 0.75}, {14, 0.7}}));
  }
  {  // 20 closer to 10; 21 below the threshold stays out.
    const auto cs = second_pass({0.6, 0.9, 0.49});
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(members_of(cs[0]), (Members{{10, 1.0}, {11, 0.9}, {12, 0.8}, {13, 0.75}, {14, 0.7}, {20, 0.9}}));
    EXPECT_EQ(members_of(cs[1]), (Members{{0, 1.0}, {1, 0.9}, {2, 0.85}, {3, 0.8}}));
  }
  {  // 20 joins B, the only one it passes; 21 stays out. Both have 5 members: by representative id.
    const auto cs = second_pass({0.8, 0.4, 0.3});
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(members_of(cs[0]), (Members{{0, 1.0}, {1, 0.9}, {2, 0.85}, {3, 0.8}, {20, 0.8}}));
    EXPECT_EQ(members_of(cs[1]), (Members{{10, 1.0}, {11, 0.9}, {12, 0.8}, {13, 0.75}, {14, 0.7}}));
  }
  {  // A tie: the lower cluster index (A, formed first) wins, though B was tried first.
    const auto cs = second_pass({0.7, 0.7, 0.5});
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(members_of(cs[0]), (Members{{10, 1.0}, {11, 0.9}, {12, 0.8}, {13, 0.75}, {14, 0.7}, {20, 0.7}}));
    EXPECT_EQ(members_of(cs[1]), (Members{{0, 1.0}, {1, 0.9}, {2, 0.85}, {3, 0.8}, {21, 0.5}})) << "0.5 passes 0.5";
  }
  {  // Nobody passes (unknown similarities are negative).
    const auto cs = second_pass({0.3, -1, 0.4999});
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].members.size(), 5u);
    EXPECT_EQ(cs[0].members[0].item, 10u);
    EXPECT_EQ(cs[1].members.size(), 4u);
  }
}

/// Star clustering as the header of cluster.hpp states it, by brute force on an adjacency matrix.
std::vector<recur::Cluster> reference_star(std::size_t n, const std::vector<recur::Edge>& edges, double threshold,
                                           const recur::SimilarityFn& similarity) {
  std::vector<std::vector<double>> w(n, std::vector<double>(n, -1));
  for (const auto& e : edges)
    if (e.similarity >= threshold && e.a != e.b) w[e.a][e.b] = w[e.b][e.a] = e.similarity;
  std::vector<std::size_t> degree(n, 0);
  std::vector<double> strength(n, 0);
  for (std::size_t u = 0; u < n; ++u)
    for (std::size_t v = 0; v < n; ++v)
      if (w[u][v] >= 0) {
        ++degree[u];
        strength[u] += w[u][v];  // dyadic similarities: exact in any order
      }
  std::vector<std::uint32_t> order;
  for (std::uint32_t u = 0; u < n; ++u)
    if (degree[u] > 0) order.push_back(u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    return std::make_tuple(-static_cast<long>(degree[x]), -strength[x], x) <
           std::make_tuple(-static_cast<long>(degree[y]), -strength[y], y);
  });
  std::vector<int> cluster_of(n, -1);
  std::vector<recur::Cluster> clusters;
  for (std::uint32_t u : order) {
    if (cluster_of[u] >= 0) continue;
    recur::Cluster c;
    c.members.push_back({u, 1.0});
    for (std::uint32_t v = 0; v < n; ++v)
      if (w[u][v] >= 0 && cluster_of[v] < 0) c.members.push_back({v, w[u][v]});
    if (c.members.size() < 2) continue;
    for (const auto& m : c.members) cluster_of[m.item] = static_cast<int>(clusters.size());
    clusters.push_back(std::move(c));
  }
  std::vector<std::pair<int, recur::ClusterMember>> joins;
  for (std::uint32_t u = 0; u < n; ++u) {
    if (cluster_of[u] >= 0) continue;
    std::set<int> candidates;  // ascending cluster index: strict > keeps the lower one on ties
    for (std::uint32_t v = 0; v < n; ++v)
      if (w[u][v] >= 0 && cluster_of[v] >= 0) candidates.insert(cluster_of[v]);
    double best = -1;
    int best_cluster = -1;
    for (int c : candidates) {
      const double s = similarity(u, clusters[c].members[0].item);
      if (s >= threshold && s > best) {
        best = s;
        best_cluster = c;
      }
    }
    if (best_cluster >= 0) joins.push_back({best_cluster, {u, best}});
  }
  for (const auto& [c, m] : joins) clusters[c].members.push_back(m);
  for (auto& c : clusters)
    std::sort(c.members.begin() + 1, c.members.end(), [](const auto& x, const auto& y) { return x.item < y.item; });
  std::sort(clusters.begin(), clusters.end(), [](const recur::Cluster& x, const recur::Cluster& y) {
    if (x.members.size() != y.members.size()) return x.members.size() > y.members.size();
    return x.members[0].item < y.members[0].item;
  });
  return clusters;
}

TEST(StageStar, TwoPassesEqualClusterStarAndTheRuleOnRandomGraphs) {
  std::mt19937_64 rng(99);
  const double t = 0.5;
  std::size_t pending_total = 0, joined_total = 0;
  for (int round = 0; round < 60; ++round) {
    const std::size_t n = 10 + uniform(rng, 40);
    const double p = 0.03 + 0.1 * static_cast<double>(uniform(rng, 4));
    std::vector<recur::Edge> edges;
    for (std::uint32_t a = 0; a < n; ++a)
      for (std::uint32_t b = a + 1; b < n; ++b)
        if (chance(rng, p)) {
          const double s = static_cast<double>(4 + uniform(rng, 13)) / 16.0;  // 0.25 .. 1, dyadic
          edges.push_back(chance(rng, 0.3) ? recur::Edge{b, a, s} : recur::Edge{a, b, s});
        }
    std::shuffle(edges.begin(), edges.end(), rng);
    const std::uint64_t salt = rng();
    const recur::SimilarityFn fn = [salt](std::uint32_t a, std::uint32_t b) {
      const std::uint64_t key = (std::uint64_t{std::min(a, b)} << 32) | std::max(a, b);
      const std::uint64_t x = (key * 0x9E3779B97F4A7C15ull) ^ salt;
      return static_cast<double>((x >> 40) % 17) / 16.0;  // 0 .. 1 in sixteenths: ties happen
    };

    recur::StarDraft draft = recur::star_first_pass(n, edges, t);
    const auto pending = draft.pending();
    pending_total += pending.size();
    std::vector<double> sims;
    for (const auto& [item, rep] : pending) sims.push_back(fn(item, rep));
    std::size_t first_pass_members = 0;
    for (const auto& c : draft.clusters) first_pass_members += c.members.size();
    const auto two_pass = recur::star_second_pass(std::move(draft), sims, t);
    std::size_t members = 0;
    for (const auto& c : two_pass) members += c.members.size();
    joined_total += members - first_pass_members;

    const auto one_call = recur::cluster_star(n, edges, t, fn);
    ASSERT_EQ(all_members(two_pass), all_members(one_call)) << "round " << round;
    ASSERT_EQ(all_members(two_pass), all_members(reference_star(n, edges, t, fn))) << "round " << round;
    std::reverse(edges.begin(), edges.end());
    ASSERT_EQ(all_members(recur::cluster_star(n, edges, t, fn)), all_members(one_call))
        << "round " << round << ": depends on the order of the edges";
  }
  EXPECT_GT(pending_total, 20u) << "the graphs must exercise the second pass";
  EXPECT_GT(joined_total, 5u);
}

// ---------------------------------------------------------------- materialise ---------------

/// What a member must say, worked out from the layout of the inputs.
struct ExpectedMember {
  std::string path, document;
  std::uint32_t document_index, paragraph, line, line_end;
  std::string original;  // the original bytes of the paragraph
  std::string text;      // its decoded text
};

struct MaterialiseCase {
  recur::MemorySource source;
  recur::ReportOptions options;
  std::vector<ExpectedMember> by_id;  // expected member of each paragraph id
};

///   x.txt (--doc-split "^=== ", --paragraphs indent):
///     1 === 第一号文件 | 2 PX | 3 === 第二号文件 | 4 S | 5-6 W1 W2 (one wrapped paragraph)
///   y.txt: 1 乙报告 | 2 S | 3-4 W1 W2
///   z.txt (GB18030): 1 G1 | 2 G2
/// ids: 0 x:PX, 1 x:S, 2 x:W, 3 y:S, 4 y:W, 5 z:G1, 6 z:G2
MaterialiseCase materialise_case() {
  std::mt19937_64 rng(77);
  const std::string px = join(random_paragraph(rng, 40, 60)), s = join(random_paragraph(rng, 60, 80));
  const std::string w = kW1 + "\n" + kW2;
  MaterialiseCase mc;
  mc.options.input.doc_split = "^=== ";
  mc.options.input.paragraphs = recur::ParagraphMode::indent;
  const std::string x = lines_of({"=== 第一号文件", px, "=== 第二号文件", s, kW1, kW2});
  const std::string y = lines_of({"乙报告", s, kW1, kW2});
  const std::string z = to_gb18030(lines_of({kG1, kG2}));
  mc.source.add("x.txt", x);
  mc.source.add("y.txt", y);
  mc.source.add("z.txt", z);
  auto at = [](const std::string& bytes, std::uint32_t line, const std::string& original) {
    const std::size_t b = line_start(bytes, line);
    EXPECT_EQ(bytes.substr(b, original.size()), original) << "test layout";
    return original;
  };
  mc.by_id = {
      {"x.txt", "=== 第一号文件", 1, 2, 2, 2, at(x, 2, px), px},
      {"x.txt", "=== 第二号文件", 2, 4, 4, 4, at(x, 4, s), s},
      {"x.txt", "=== 第二号文件", 2, 5, 5, 6, at(x, 5, w), w},
      {"y.txt", "y.txt", 1, 2, 2, 2, at(y, 2, s), s},
      {"y.txt", "y.txt", 1, 3, 3, 4, at(y, 3, w), w},
      {"z.txt", "z.txt", 1, 1, 1, 1, at(z, 1, to_gb18030(kG1)), kG1},
      {"z.txt", "z.txt", 1, 2, 2, 2, at(z, 2, to_gb18030(kG2)), kG2},
  };
  return mc;
}

/// Clusters of ids by hand, including one across inputs and encodings.
std::vector<recur::Cluster> hand_clusters() {
  return {{{{1, 1.0}, {3, 0.9}}}, {{{4, 1.0}, {2, 0.75}}}, {{{5, 1.0}, {0, 0.55}, {6, 0.6}}}};
}

void expect_member(const recur::Member& m, const ExpectedMember& e, const std::string& bytes, double similarity,
                   bool with_text, const std::string& what) {
  EXPECT_EQ(m.path, e.path) << what;
  EXPECT_EQ(m.document, e.document) << what;
  EXPECT_EQ(m.document_index, e.document_index) << what;
  EXPECT_EQ(m.paragraph, e.paragraph) << what;
  EXPECT_EQ(m.line, e.line) << what;
  EXPECT_EQ(m.line_end, e.line_end) << what;
  EXPECT_EQ(m.byte_start, line_start(bytes, e.line)) << what;
  EXPECT_EQ(m.byte_end, m.byte_start + e.original.size()) << what;
  ASSERT_LE(m.byte_end, bytes.size()) << what;
  EXPECT_EQ(bytes.substr(m.byte_start, m.byte_end - m.byte_start), e.original) << what;
  EXPECT_EQ(m.similarity, similarity) << what;
  EXPECT_EQ(m.text, with_text ? e.text : std::string()) << what;
}

TEST(StageMaterialise, MembersAreLocatedInTheOriginalBytes) {
  const MaterialiseCase mc = materialise_case();
  recur::ParagraphIndex index = index_small(mc.source, mc.options, 2);
  ASSERT_EQ(index.size(), 7u);
  const auto clusters = hand_clusters();
  std::vector<recur::Status> problems = {recur::Status(StatusCode::changed, "stale")};
  const std::vector<recur::ReportCluster> out =
      recur::materialise(mc.source, index, clusters, mc.options.input.decode, 2, problems);
  ASSERT_EQ(problems.size(), 3u);
  for (const auto& p : problems) EXPECT_TRUE(p.ok()) << p.message();
  ASSERT_EQ(out.size(), clusters.size());
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    EXPECT_EQ(out[c].id, c + 1);
    EXPECT_EQ(out[c].representative, 0u);
    ASSERT_EQ(out[c].members.size(), clusters[c].members.size());
    for (std::size_t m = 0; m < clusters[c].members.size(); ++m) {
      const auto [id, sim] = clusters[c].members[m];
      const ExpectedMember& e = mc.by_id[id];
      std::string bytes;
      mc.source.read(id < 3 ? 0 : id < 5 ? 1 : 2, bytes);
      expect_member(out[c].members[m], e, bytes, sim, true,
                    "cluster " + std::to_string(c) + " member " + std::to_string(m));
      if (e.path != "z.txt") {
        EXPECT_EQ(out[c].members[m].text, e.original) << "UTF-8: the text is the original bytes";
      }
    }
  }
  // The same on one thread.
  std::vector<recur::Status> problems1;
  const auto out1 = recur::materialise(mc.source, index, clusters, mc.options.input.decode, 1, problems1);
  ASSERT_EQ(out1.size(), out.size());
  for (std::size_t c = 0; c < out.size(); ++c)
    for (std::size_t m = 0; m < out[c].members.size(); ++m)
      EXPECT_EQ(member_tuple(out1[c].members[m]), member_tuple(out[c].members[m]));
}

TEST(StageMaterialise, AnInputThatCannotBeReadBackKeepsItsMembersWithoutText) {
  for (const std::size_t failing : {std::size_t{1}, std::size_t{2}}) {  // by range (UTF-8), by decoding (GB18030)
    const MaterialiseCase mc = materialise_case();
    ScriptedSource src(mc.source);
    recur::ParagraphIndex index = index_small(src, mc.options, 2);
    ASSERT_EQ(index.size(), 7u);
    src.fail_reads_of(failing);
    const auto clusters = hand_clusters();
    std::vector<recur::Status> problems;
    const auto out = recur::materialise(src, index, clusters, mc.options.input.decode, 2, problems);
    ASSERT_EQ(problems.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      if (i == failing) {
        EXPECT_EQ(problems[i].code(), StatusCode::read_error) << problems[i].message();
      } else {
        EXPECT_TRUE(problems[i].ok()) << i << ": " << problems[i].message();
      }
    }
    ASSERT_EQ(out.size(), clusters.size());
    for (std::size_t c = 0; c < clusters.size(); ++c)
      for (std::size_t m = 0; m < clusters[c].members.size(); ++m) {
        const auto [id, sim] = clusters[c].members[m];
        const std::size_t input = id < 3 ? 0 : id < 5 ? 1 : 2;
        std::string bytes;
        mc.source.read(input, bytes);
        expect_member(out[c].members[m], mc.by_id[id], bytes, sim, input != failing,
                      "failing " + std::to_string(failing) + ", id " + std::to_string(id));
      }

    std::vector<std::string> warnings = {"earlier"}, told;
    recur::report_problems(src, problems, warnings, [&](const std::string& w) { told.push_back(w); });
    const std::string expected = src.name(failing) + ": scripted read failure";
    EXPECT_EQ(warnings, (std::vector<std::string>{"earlier", expected}));
    EXPECT_EQ(told, (std::vector<std::string>{expected}));
  }
}

// A member's text is well-formed UTF-8 whatever it was given: ill-formed sequences become U+FFFD
// (each maximal subpart once), and the content characters are counted on the repaired text.
TEST(StageMaterialise, MakeMemberRepairsIllFormedText) {
  recur::FileIndex file;
  file.documents.resize(1);
  recur::ParagraphRecord rec;
  const recur::Member ok = recur::make_member("a.txt", file, rec, 1.0, "组织工作");
  EXPECT_EQ(ok.text, "组织工作");
  EXPECT_EQ(ok.content_chars, 4u);
  const recur::Member bad = recur::make_member("a.txt", file, rec, 1.0, "组\xFF织\xE5\xB7工\xE4");
  EXPECT_EQ(bad.text, "组\xEF\xBF\xBD织\xEF\xBF\xBD工\xEF\xBF\xBD");
  EXPECT_EQ(bad.content_chars, 3u + (recur::is_content_char(0xFFFD) ? 3u : 0u));
}

// order_report's document pairs against the rule written out with ordered maps keyed by (path,
// document index): random clusters over inputs named so that string order differs from input
// order, members repeating documents within a cluster, ties in characters.
TEST(StageMaterialise, DocumentPairsFollowTheRuleOnRandomClusters) {
  std::mt19937_64 rng(21);
  const recur::MemorySource source{{"b/10.txt", ""}, {"a.txt", ""}, {"b/9.txt", ""}, {"b/1.txt", ""}};
  std::vector<std::vector<std::uint64_t>> doc_chars(source.count());
  for (std::size_t i = 0; i < doc_chars.size(); ++i)
    for (std::uint64_t d = 1; d <= 3; ++d) doc_chars[i].push_back(source.name(i).size() * 100 + d * 7);
  const auto chars_of = [&](std::size_t input) -> const std::vector<std::uint64_t>& { return doc_chars[input]; };
  const auto name_of = [&](std::uint32_t input, std::uint32_t doc) {
    return source.name(input) + "#" + std::to_string(doc);
  };
  for (int round = 0; round < 20; ++round) {
    const std::size_t count = 1 + rng() % 30;
    std::vector<recur::MemberFacts> facts;
    for (std::uint32_t c = 0; c < count; ++c) {
      const std::uint32_t n = 1 + static_cast<std::uint32_t>(rng() % 7);
      for (std::uint32_t m = 0; m < n; ++m)
        facts.push_back({c, m, static_cast<std::uint32_t>(rng() % source.count()),
                         1 + static_cast<std::uint32_t>(rng() % 3), 10 * (1 + rng() % 3)});  // few values: ties
    }
    // The rule.
    using Key = std::pair<std::string, std::uint32_t>;
    struct Side {
      std::uint64_t paragraphs = 0, chars = 0;
    };
    std::map<std::pair<Key, Key>, std::pair<Side, Side>> shared;
    for (std::uint32_t c = 0; c < count; ++c) {
      std::map<Key, Side> by_doc;
      for (const auto& f : facts)
        if (f.cluster == c) {
          const Key k{source.name(f.input), f.document_index};
          ++by_doc[k].paragraphs;
          by_doc[k].chars += f.content_chars;
        }
      for (auto x = by_doc.begin(); x != by_doc.end(); ++x)
        for (auto y = std::next(x); y != by_doc.end(); ++y) {
          auto& acc = shared[{x->first, y->first}];
          acc.first.paragraphs += x->second.paragraphs;
          acc.first.chars += x->second.chars;
          acc.second.paragraphs += y->second.paragraphs;
          acc.second.chars += y->second.chars;
        }
    }
    using Row = std::tuple<std::string, std::string, std::uint32_t, std::uint64_t, std::uint64_t, double>;
    std::vector<std::pair<Row, Row>> want;
    for (const auto& [keys, sides] : shared) {
      auto row = [&](const Key& k, const Side& sd) {
        const std::uint64_t total = k.first.size() * 100 + k.second * 7;
        return Row{k.first, k.first + "#" + std::to_string(k.second), k.second, sd.paragraphs, sd.chars,
                   std::min(1.0, static_cast<double>(sd.chars) / static_cast<double>(total))};
      };
      want.push_back({row(keys.first, sides.first), row(keys.second, sides.second)});
    }
    std::stable_sort(want.begin(), want.end(), [](const auto& x, const auto& y) {
      return std::get<4>(x.first) + std::get<4>(x.second) > std::get<4>(y.first) + std::get<4>(y.second);
    });

    std::shuffle(facts.begin(), facts.end(), rng);  // any order
    const auto got =
        recur::order_report(count, facts, source, false, recur::ClusterOrder::weight, chars_of, name_of).documents;
    ASSERT_EQ(got.size(), want.size()) << "round " << round;
    for (std::size_t i = 0; i < got.size(); ++i) {
      auto row = [](const recur::DocumentShare& d) {
        return Row{d.path, d.document, d.document_index, d.paragraphs, d.chars, d.share};
      };
      EXPECT_EQ(row(got[i].a), want[i].first) << "round " << round << ", pair " << i;
      EXPECT_EQ(row(got[i].b), want[i].second) << "round " << round << ", pair " << i;
    }
  }
}

// ---------------------------------------------------------------- progress ------------------

TEST(StageClock, StagesInOrderThenTotal) {
  recur::StageClock clock;
  clock.mark("index");
  clock.add("read", 1.5);
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  clock.mark("lsh");
  clock.add("signature", 0.25);
  EXPECT_GE(clock.elapsed(), 0.003);
  EXPECT_GE(clock.elapsed(), clock.since_mark());
  const auto s = clock.finish();
  std::vector<std::string> names;
  for (const auto& [name, seconds] : s) {
    names.push_back(name);
    EXPECT_GE(seconds, 0.0) << name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"index", "read", "lsh", "signature", "total"}));
  EXPECT_EQ(s[1].second, 1.5) << "an added time is kept as given";
  EXPECT_EQ(s[3].second, 0.25);
  EXPECT_GE(s[2].second, 0.003) << "lsh took the time since the previous mark";
  EXPECT_GE(s[4].second + 1e-9, s[0].second + s[2].second) << "total covers the marked stages";
}

TEST(StageClock, ProgressCountersBeginAStage) {
  recur::ProgressCounters counters;
  EXPECT_STREQ(counters.sample().stage, "reading");
  counters.done += 40;
  counters.begin("verifying", 123);
  const recur::Progress p = counters.sample();
  EXPECT_STREQ(p.stage, "verifying");
  EXPECT_EQ(p.done, 0u);
  EXPECT_EQ(p.total, 123u);
  counters.done += 7;
  EXPECT_EQ(counters.sample().done, 7u);
  EXPECT_GE(recur::effective_threads(0), 1u);
  EXPECT_EQ(recur::effective_threads(3), 3u);
}

// ---------------------------------------------------------------- thread counts -------------

// A stage handed threads = 0 runs on the calling thread, as parallel_for does with 0 and 1: the
// stages that keep no per-thread state already do.
TEST(StageThreads, ZeroThreadsRunOnTheCallingThread) {
  const MaterialiseCase mc = materialise_case();
  recur::ParagraphIndex index = index_small(mc.source, mc.options, 1);
  const auto clusters = hand_clusters();
  std::vector<recur::Status> p0, p1;
  const auto zero = recur::materialise(mc.source, index, clusters, mc.options.input.decode, 0, p0);
  const auto one = recur::materialise(mc.source, index, clusters, mc.options.input.decode, 1, p1);
  ASSERT_EQ(zero.size(), one.size());
  for (std::size_t c = 0; c < one.size(); ++c)
    for (std::size_t m = 0; m < one[c].members.size(); ++m)
      EXPECT_EQ(member_tuple(zero[c].members[m]), member_tuple(one[c].members[m]));

  const std::vector<recur::IdPair> pairs = {{0, 1}, {2, 4}, {5, 6}};
  const recur::SimilarityFn fn = [](std::uint32_t a, std::uint32_t b) { return (a + 2.0 * b) / 100.0; };
  EXPECT_EQ(recur::similarities(pairs, fn, 0), (std::vector<double>{0.02, 0.1, 0.17}));

  const unsigned bands = recur::IndexSettings::of(mc.options).params.bands;
  recur::ParagraphIndex other = index_small(mc.source, mc.options, 1);
  const recur::BandKeys k0 = index.take_band_keys(bands, 0), k1 = other.take_band_keys(bands, 1);
  ASSERT_EQ(k0.span().size(), k1.span().size());
  EXPECT_TRUE(std::equal(k0.span().begin(), k0.span().end(), k1.span().begin()));
}

// index_inputs and ShingleSets::build keep one worker per thread in detail::PerThread, sized by
// `threads`: with 0 the calling thread is worker 0 of an empty vector. Run in a child process, so a
// crash fails this test only.
TEST(StageThreadsDeathTest, IndexInputsOnZeroThreadsIsLikeOneThread) {
  const SmallCorpus c = small_corpus();
  const recur::ReportOptions o = line_options();
  const recur::ScanSettings scan(o.input);
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  const auto one = recur::index_inputs(c.source, scan, settings, 1);
  EXPECT_EXIT(
      {
        const auto zero = recur::index_inputs(c.source, scan, settings, 0);
        bool same = zero.size() == one.size();
        for (std::size_t i = 0; same && i < one.size(); ++i)
          same = zero[i].keys == one[i].keys && zero[i].paragraphs.size() == one[i].paragraphs.size();
        std::_Exit(same ? 0 : 1);
      },
      testing::ExitedWithCode(0), "")
      << "index_inputs(..., threads = 0) crashed or differed from threads = 1";
}

TEST(StageThreadsDeathTest, ShingleSetsOnZeroThreadsIsLikeOneThread) {
  const SmallCorpus c = small_corpus();
  const recur::ReportOptions o = line_options();
  const recur::ParagraphIndex index = index_small(c.source, o);
  const std::vector<recur::IdPair> pairs = {{1, 3}, {1, 6}, {0, 4}};
  std::vector<recur::Status> problems;
  const auto one = recur::ShingleSets::build(c.source, index, recur::involved(pairs), o.input, o.shingle, 1, problems);
  EXPECT_EXIT(
      {
        std::vector<recur::Status> p;
        const auto zero = recur::ShingleSets::build(c.source, index, recur::involved(pairs), o.input, o.shingle, 0, p);
        bool same = true;
        for (const auto& [a, b] : pairs) same = same && zero.similarity(a, b) == one.similarity(a, b);
        std::_Exit(same ? 0 : 1);
      },
      testing::ExitedWithCode(0), "")
      << "ShingleSets::build(..., threads = 0) crashed or differed from threads = 1";
}

// ---------------------------------------------------------------- run_report ----------------

std::string report_json(const recur::Report& r) {
  std::ostringstream out;
  recur::write_json(r, out);
  return raw_without_timings(out.str());
}

/// Texts for whole runs: recurring paragraphs (verbatim, edited) across several files, a GB18030
/// file with a paragraph also found in UTF-8, an empty file.
std::vector<std::pair<std::string, std::string>> run_texts() {
  std::mt19937_64 rng(4242);
  std::vector<std::string> shared;
  for (int k = 0; k < 4; ++k) shared.push_back(join(random_paragraph(rng, 80, 140)));
  std::vector<std::pair<std::string, std::string>> files;
  for (int f = 0; f < 7; ++f) {
    std::vector<std::string> lines = {"第" + std::to_string(f) + "号报告"};
    for (int k = 0; k < 5; ++k) {
      lines.push_back(join(random_paragraph(rng, 50, 120)));
      if (chance(rng, 0.5)) {
        const std::string& s = shared[uniform(rng, shared.size())];
        lines.push_back(chance(rng, 0.5) ? s : join(random_edits(rng, split_utf8(s), 0.1)));
      }
    }
    if (f == 3) lines.push_back(kG1);
    files.emplace_back("f" + std::to_string(f) + ".txt", lines_of(lines));
  }
  files.emplace_back("gb.txt", to_gb18030(lines_of({kGTitle, kG1, kG2})));
  files.emplace_back("empty.txt", "");
  return files;
}

TEST(StageRunReport, MemorySourceAndFileSourceGiveTheSameReport) {
  const auto texts = run_texts();
  TempDir dir;
  std::vector<std::string> paths;
  for (const auto& [name, bytes] : texts) {
    write_file(dir.path() / name, bytes);
    paths.push_back(dir.file(name));
  }
  paths.push_back(dir.file("missing.txt"));  // a problem of the source
  const recur::FileSource files(recur::find_inputs(paths, "*.txt"));
  ASSERT_EQ(files.count(), texts.size());
  ASSERT_EQ(files.problems().size(), 1u);
  // The same inputs in memory, under the same names, in the same (path) order, with the same problem.
  recur::MemorySource memory;
  for (std::size_t i = 0; i < files.count(); ++i) memory.add(files.name(i), read_file(files.name(i)));
  for (const auto& p : files.problems()) memory.add_problem(p);

  recur::ReportOptions o;
  o.threads = 2;
  std::vector<std::string> warned_memory, warned_files;
  const recur::Report from_memory =
      recur::run_report(memory, o, {}, [&](const std::string& w) { warned_memory.push_back(w); });
  const recur::Report from_files =
      recur::run_report(files, o, {}, [&](const std::string& w) { warned_files.push_back(w); });
  EXPECT_EQ(report_json(from_memory), report_json(from_files));
  EXPECT_EQ(warned_memory, warned_files);

  // Not a vacuous comparison: clusters across files, G1 across encodings, both skips.
  EXPECT_GE(from_memory.clusters.size(), 3u);
  EXPECT_EQ(from_memory.stats.files, texts.size() + 1);
  EXPECT_EQ(from_memory.stats.files_skipped, 2u);
  std::set<StatusCode> codes;
  for (const auto& s : from_memory.skipped) codes.insert(s.code);
  EXPECT_EQ(codes, (std::set<StatusCode>{StatusCode::empty, StatusCode::not_found}));
  bool g1_across_encodings = false;
  for (const auto& c : from_memory.clusters) {
    std::set<std::string> paths_in;
    for (const auto& m : c.members)
      if (m.text == kG1) paths_in.insert(m.path);
    g1_across_encodings |= paths_in.count(dir.file("gb.txt")) && paths_in.count(dir.file("f3.txt"));
  }
  EXPECT_TRUE(g1_across_encodings);
  for (const auto& c : from_memory.clusters)
    for (const auto& m : c.members) {
      if (m.path == dir.file("gb.txt")) continue;
      const std::string bytes = read_file(m.path);
      EXPECT_EQ(bytes.substr(m.byte_start, m.byte_end - m.byte_start), m.text) << m.path << ":" << m.line;
    }
}

TEST(StageRunReport, OneAndTwoThreadsGiveTheSameReport) {
  recur::MemorySource memory;
  for (const auto& [name, bytes] : run_texts()) memory.add(name, bytes);
  recur::ReportOptions o;
  o.threads = 1;
  const recur::Report one = recur::run_report(memory, o);
  o.threads = 2;
  const recur::Report two = recur::run_report(memory, o);
  EXPECT_EQ(report_json(one), report_json(two));
  ASSERT_EQ(one.clusters.size(), two.clusters.size());
  ASSERT_GE(one.clusters.size(), 3u);
  for (std::size_t c = 0; c < one.clusters.size(); ++c) {
    ASSERT_EQ(one.clusters[c].members.size(), two.clusters[c].members.size());
    for (std::size_t m = 0; m < one.clusters[c].members.size(); ++m)
      EXPECT_EQ(member_tuple(one.clusters[c].members[m]), member_tuple(two.clusters[c].members[m]));
  }
  EXPECT_EQ(one.options["threads"], 1);
  EXPECT_EQ(two.options["threads"], 2);
  // The stage clock's names, in pipeline order, ending in total.
  std::vector<std::string> stages;
  for (const auto& [name, seconds] : one.stats.seconds) stages.push_back(name);
  ASSERT_FALSE(stages.empty());
  EXPECT_EQ(stages.back(), "total");
}

/// Six files of chains of edited copies (each copy close to the one before it, further from the
/// first), and options whose LSH (4 bands of 8 rows) misses most of their pairs.
recur::MemorySource chained_copies(recur::ReportOptions& o) {
  std::mt19937_64 rng(2812);
  std::vector<std::vector<std::string>> files(6);
  for (int family = 0; family < 24; ++family) {
    std::vector<std::string> copy = split_utf8(join(random_paragraph(rng, 100, 140)));
    for (int k = 0; k < 6; ++k) {
      files[uniform(rng, files.size())].push_back(join(copy));
      copy = random_edits(rng, copy, 0.05);
    }
  }
  recur::MemorySource memory;
  for (std::size_t f = 0; f < files.size(); ++f) {
    files[f].push_back(join(random_paragraph(rng, 60, 100)));  // and one unrelated paragraph each
    memory.add("f" + std::to_string(f) + ".txt", lines_of(files[f]));
  }
  o.lsh.bands = 4;
  o.lsh.rows = 8;
  o.threads = 2;
  return memory;
}

/// The stages up to the verified edges, as run_report composes them, but with every paragraph's
/// set built: what the second pass's similarities should be.
struct VerifiedReference {
  recur::ParagraphIndex index;
  std::vector<recur::IdPair> pairs;  // the candidates
  recur::ShingleSets sets;           // of every paragraph
  std::vector<recur::Edge> edges;
  double similarity(std::uint32_t a, std::uint32_t b) const { return sets.similarity(a, b); }
};

VerifiedReference verified_reference(const recur::Source& source, const recur::ReportOptions& o) {
  VerifiedReference r{index_small(source, o), {}, {}, {}};
  const recur::BandKeys keys = r.index.take_band_keys(o.lsh.bands, 1);
  r.pairs = recur::candidate_pairs_band_major(keys.span(), keys.count, keys.bands);
  std::vector<std::uint32_t> all(r.index.size());
  for (std::uint32_t id = 0; id < all.size(); ++id) all[id] = id;
  std::vector<recur::Status> problems;
  r.sets = recur::ShingleSets::build(source, r.index, all, o.input, o.shingle, 1, problems);
  const recur::SimilarityFn exact = [&](std::uint32_t a, std::uint32_t b) { return r.similarity(a, b); };
  r.edges = recur::verified_edges(r.pairs, recur::similarities(r.pairs, exact, 1), o.lsh.threshold);
  return r;
}

/// run_report clusters as cluster_star does over the verified candidate pairs, with the exact
/// similarity of every pair its second pass asks about. The LSH here (4 bands of 8 rows) misses
/// most pairs, so the first pass leaves paragraphs alone next to clusters they belong in, and the
/// second pass must verify pairs that were never candidates. run_report frees the candidates'
/// shingle sets before clustering and rebuilds those the second pass needs: without the rebuild
/// those joins are lost.
TEST(StageRunReport, SecondPassPairsAreVerifiedExactly) {
  recur::ReportOptions o;
  const recur::MemorySource memory = chained_copies(o);
  const recur::Report report = recur::run_report(memory, o);

  // The expected clusters from the stages, every similarity exact (all sets built).
  const double t = o.lsh.threshold;
  const VerifiedReference ref = verified_reference(memory, o);
  const recur::ParagraphIndex& index = ref.index;
  const auto& pairs = ref.pairs;
  const auto& edges = ref.edges;
  const recur::SimilarityFn exact = [&](std::uint32_t a, std::uint32_t b) { return ref.similarity(a, b); };
  const recur::StarDraft draft = recur::star_first_pass(index.size(), edges, t);
  std::size_t joins = 0;  // second-pass joins whose pair was not a candidate
  std::set<recur::IdPair> candidate(pairs.begin(), pairs.end());
  for (const auto& [item, rep] : draft.pending())
    joins += exact(item, rep) >= t && !candidate.count({std::min(item, rep), std::max(item, rep)});
  ASSERT_GT(joins, 0u) << "the corpus must make the second pass verify pairs LSH missed";

  using Key = std::tuple<std::string, std::uint32_t, double>;  // path, paragraph, similarity
  std::vector<std::vector<Key>> expected, got;
  for (const auto& c : recur::cluster_star(index.size(), edges, t, exact)) {
    expected.emplace_back();
    for (const auto& m : c.members) {
      const recur::ParagraphRecord& r = index.record(m.item);
      expected.back().emplace_back(memory.name(index.input_of(m.item)), r.number, m.similarity);
    }
    std::sort(expected.back().begin(), expected.back().end());
  }
  for (const auto& c : report.clusters) {
    got.emplace_back();
    for (const auto& m : c.members) got.back().emplace_back(m.path, m.paragraph, m.similarity);
    std::sort(got.back().begin(), got.back().end());
  }
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
}

/// A Spill in memory that counts its reads, and fails its writes after the first `good_writes`, or
/// every read.
class FlakySpill final : public recur::Spill {
 public:
  explicit FlakySpill(int good_writes = INT_MAX, bool reads_fail = false)
      : good_writes_(good_writes), reads_fail_(reads_fail) {}
  std::uint64_t reserve(std::uint64_t values) override { return inner_.reserve(values); }
  bool write(std::uint64_t at, std::span<const std::uint32_t> values) override {
    return writes_++ < good_writes_ && inner_.write(at, values);
  }
  bool read(std::uint64_t at, std::span<std::uint32_t> out) const override {
    ++reads_;
    return !reads_fail_ && inner_.read(at, out);
  }
  int reads() const { return reads_; }

 private:
  recur::MemorySpill inner_;
  int good_writes_;
  bool reads_fail_;
  std::atomic<int> writes_{0};
  mutable std::atomic<int> reads_{0};
};

/// A MemorySource whose input `changed` has a new stamp once it has been read `after` times (the
/// index stage reads it once, after taking its stamp).
class ChangingSource final : public recur::Source {
 public:
  ChangingSource(const recur::MemorySource& inner, std::size_t changed, int after)
      : inner_(inner), changed_(changed), after_(after) {}
  std::size_t count() const noexcept override { return inner_.count(); }
  const std::string& name(std::size_t i) const override { return inner_.name(i); }
  std::uint64_t size(std::size_t i) const override { return inner_.size(i); }
  recur::Status read(std::size_t i, std::string& out) const override {
    if (i == changed_) ++reads_;
    return inner_.read(i, out);
  }
  recur::Status read_ranges(std::size_t i, std::span<const recur::ByteRange> ranges,
                            std::vector<std::string>& out) const override {
    if (i == changed_) ++reads_;
    return inner_.read_ranges(i, ranges, out);
  }
  recur::FileStamp stamp(std::size_t i) const override {
    recur::FileStamp s = inner_.stamp(i);
    if (i == changed_ && reads_ >= after_) s.mtime_ns += 1;
    return s;
  }

 private:
  const recur::MemorySource& inner_;
  std::size_t changed_;
  int after_;
  mutable std::atomic<int> reads_{0};
};

/// An input that changes during the run is reported by each stage that cannot read it back: the
/// verify stage's build, or, when it changes after that, the second pass's rebuild of its sets and
/// the report stage.
TEST(StageRunReport, AnInputChangedDuringTheRunIsReportedByTheStagesThatReadIt) {
  recur::ReportOptions o;
  const recur::MemorySource memory = chained_copies(o);
  // The input of a paragraph the second pass asks about.
  const VerifiedReference ref = verified_reference(memory, o);
  const auto pending = recur::star_first_pass(ref.index.size(), ref.edges, o.lsh.threshold).pending();
  ASSERT_FALSE(pending.empty());
  const std::size_t changed = ref.index.input_of(pending.front().first);
  const std::string& name = memory.name(changed);

  auto warnings_about = [&](const recur::Report& r) {
    std::size_t n = 0;
    for (const std::string& w : r.warnings) n += w.rfind(name + ":", 0) == 0;
    return n;
  };
  {  // Changed before verification: its paragraphs get no verified pair, so only verify reads it.
    const ChangingSource source(memory, changed, 1);
    EXPECT_EQ(warnings_about(recur::run_report(source, o)), 1u);
  }
  {  // Changed after verification: the second pass's rebuild says so, then the report stage.
    const ChangingSource source(memory, changed, 2);
    EXPECT_EQ(warnings_about(recur::run_report(source, o)), 2u) << "the rebuild and report";
  }
  {  // With the index stage's spill, verification reads no input back: only the report stage can
     // tell, and the input's pairs are verified as indexed.
    FlakySpill spill;
    const ChangingSource source(memory, changed, 1);
    EXPECT_EQ(warnings_about(recur::run_report(source, o, {}, {}, &spill)), 1u) << "the report stage";
  }
  EXPECT_EQ(warnings_about(recur::run_report(memory, o)), 0u);
}

/// chained_copies and a last input, g.txt, that copies f0.txt's paragraphs with a heading and a
/// line too short to index before each: paragraphs the index leaves out, which the spill's
/// offsets must skip.
recur::MemorySource spill_corpus(recur::ReportOptions& o) {
  recur::MemorySource memory = chained_copies(o);
  std::string f0, g;
  EXPECT_TRUE(memory.read(0, f0).ok());
  std::istringstream lines(f0);
  for (std::string line; std::getline(lines, line);) g += "一、加强组织建设\n短句。\n" + line + "\n";
  memory.add("g.txt", g);
  return memory;
}

/// The index stage's spill gives the verify stage the sets it would build from the inputs, without
/// reading them back: here g.txt changes once indexed, so building its sets from it would fail.
TEST(StageVerify, SetsFromTheSpillAreTheSetsBuiltFromTheInputs) {
  recur::ReportOptions o;
  const recur::MemorySource memory = spill_corpus(o);
  const recur::ScanSettings scan(o.input);
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  FlakySpill spill;
  const recur::ParagraphIndex spilled(recur::index_inputs(memory, scan, settings, 2, nullptr, &spill));
  const recur::ParagraphIndex plain(recur::index_inputs(memory, scan, settings, 2));
  ASSERT_EQ(spilled.size(), plain.size());
  const std::size_t g = memory.count() - 1;
  EXPECT_GT(spilled.file(g).too_short, 0u);
  EXPECT_GT(spilled.file(g).kinds[static_cast<std::size_t>(recur::ParagraphKind::heading)], 0u);
  for (std::size_t i = 0; i < spilled.inputs(); ++i) {
    EXPECT_NE(spilled.file(i).spill_at, recur::FileIndex::kNotSpilled) << i;
    EXPECT_EQ(spilled.file(i).shingles_at.size(), spilled.file(i).paragraphs.size() + 1) << i;
  }
  std::vector<std::uint32_t> all(plain.size());
  for (std::uint32_t id = 0; id < all.size(); ++id) all[id] = id;
  std::vector<recur::Status> p1, p2;
  const ChangingSource changed(memory, g, 1);
  const recur::ShingleSets from_spill =
      recur::ShingleSets::build(changed, spilled, all, o.input, o.shingle, 2, p1, nullptr, &spill);
  const recur::ShingleSets from_inputs = recur::ShingleSets::build(memory, plain, all, o.input, o.shingle, 2, p2);
  for (const recur::Status& p : p1) EXPECT_TRUE(p.ok()) << p.message();
  EXPECT_GT(spill.reads(), 0);
  for (std::uint32_t id : all) {
    ASSERT_TRUE(from_spill.set(id)) << id;
    ASSERT_TRUE(from_inputs.set(id)) << id;
    EXPECT_TRUE(std::ranges::equal(*from_spill.set(id), *from_inputs.set(id))) << id;
  }
}

/// A spill that fails costs only speed: an input whose values were not all written is not spilled,
/// and an input whose values cannot be read back is shingled again from the input; either way the
/// sets are those built from the inputs, with no problem reported.
TEST(StageVerify, AFailingSpillFallsBackToTheInputs) {
  recur::ReportOptions o;
  const recur::MemorySource memory = spill_corpus(o);
  const recur::ScanSettings scan(o.input);
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  const recur::ParagraphIndex plain(recur::index_inputs(memory, scan, settings, 2));
  std::vector<std::uint32_t> all(plain.size());
  for (std::uint32_t id = 0; id < all.size(); ++id) all[id] = id;
  std::vector<recur::Status> problems;
  const recur::ShingleSets expected = recur::ShingleSets::build(memory, plain, all, o.input, o.shingle, 2, problems);
  for (const bool writes_fail : {true, false}) {
    SCOPED_TRACE(writes_fail ? "writes fail after the first" : "reads fail");
    FlakySpill spill(writes_fail ? 1 : INT_MAX, !writes_fail);
    const recur::ParagraphIndex index(recur::index_inputs(memory, scan, settings, 2, nullptr, &spill));
    std::size_t spilled = 0;  // inputs (each one write: they are small)
    for (std::size_t i = 0; i < index.inputs(); ++i) {
      const bool kept = index.file(i).spill_at != recur::FileIndex::kNotSpilled;
      spilled += kept;
      EXPECT_EQ(index.file(i).shingles_at.empty(), !kept) << i;
    }
    EXPECT_EQ(spilled, writes_fail ? 1u : index.inputs());
    const recur::ShingleSets sets =
        recur::ShingleSets::build(memory, index, all, o.input, o.shingle, 2, problems, nullptr, &spill);
    EXPECT_GT(spill.reads(), 0);
    for (const recur::Status& p : problems) EXPECT_TRUE(p.ok()) << p.message();
    for (std::uint32_t id : all) {
      ASSERT_TRUE(sets.set(id)) << id;
      EXPECT_TRUE(std::ranges::equal(*sets.set(id), *expected.set(id))) << id;
    }
  }
}

/// run_report with the index stage's spill gives the report it gives without one.
TEST(StageRunReport, TheSpillChangesNothingInTheReport) {
  recur::ReportOptions o;
  const recur::MemorySource memory = spill_corpus(o);
  FlakySpill spill;
  const recur::Report with = recur::run_report(memory, o, {}, {}, &spill);
  EXPECT_GT(spill.reads(), 0);
  const recur::Report without = recur::run_report(memory, o);
  ASSERT_GE(with.clusters.size(), 20u);
  EXPECT_EQ(report_json(with), report_json(without));
}

// By default only body paragraphs are indexed; the other kinds are counted by kind.
TEST(StageIndex, StructureLinesAreCountedNotIndexed) {
  recur::ReportOptions o;
  o.input.paragraphs = recur::ParagraphMode::lines;
  const std::string body = "全市各级党组织坚持以学习贯彻党的创新理论为首要政治任务，推动理论武装走深走实。";
  const recur::MemorySource src{{"a.txt", "新时代甲市组织工作综述\n一、强化政治引领\n" + body + "\n2023年5月12日\n"}};
  const recur::IndexSettings settings = recur::IndexSettings::of(o);
  const auto files = recur::index_inputs(src, recur::ScanSettings(o.input), settings, 1);
  ASSERT_EQ(files.size(), 1u);
  const recur::FileIndex& f = files[0];
  ASSERT_EQ(f.paragraphs.size(), 1u);
  EXPECT_EQ(f.paragraphs[0].number, 3u);
  EXPECT_EQ(f.paragraphs[0].kind, recur::ParagraphKind::body);
  EXPECT_EQ(f.kinds[static_cast<std::size_t>(recur::ParagraphKind::title)], 1u);
  EXPECT_EQ(f.kinds[static_cast<std::size_t>(recur::ParagraphKind::heading)], 1u);
  EXPECT_EQ(f.kinds[static_cast<std::size_t>(recur::ParagraphKind::byline)], 1u);
  EXPECT_EQ(f.kinds[static_cast<std::size_t>(recur::ParagraphKind::body)], 1u);
  EXPECT_EQ(f.too_short, 0u);
  ASSERT_EQ(f.document_chars.size(), 1u);
  EXPECT_EQ(f.document_chars[0], 37u) << "content characters of the body paragraph";
  o.keep_structure = true;
  o.min_chars = 1;
  const auto kept = recur::index_inputs(src, recur::ScanSettings(o.input), recur::IndexSettings::of(o), 1);
  EXPECT_EQ(kept[0].paragraphs.size(), 4u);
  EXPECT_EQ(kept[0].paragraphs[1].kind, recur::ParagraphKind::heading);
}

}  // namespace
