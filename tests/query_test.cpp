// Tests for query.hpp: the archive's sampled seeds, candidates, templates, and run_query over an
// archive held in memory (MemoryArchive), checked against the texts themselves.
#include "recur/query.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "recur/error.hpp"
#include "test_util.hpp"

namespace {

using recur::MemoryArchive;
using recur::MemorySource;
using recur::QueryOptions;
using recur::QueryReport;
using namespace recur_test;

// A report of `paragraphs` random paragraphs, one per line.
std::string random_report(std::mt19937_64& rng, std::size_t paragraphs) {
  std::string s;
  for (std::size_t p = 0; p < paragraphs; ++p) s += "　　" + join(random_paragraph(rng, 80, 160)) + "\n";
  return s;
}

// The text `text` of a located span must be the bytes it names.
void expect_located(const recur::PassageSpan& s, const std::string& bytes) {
  ASSERT_LE(s.byte_end, bytes.size());
  ASSERT_LT(s.byte_start, s.byte_end);
  EXPECT_EQ(bytes.substr(s.byte_start, s.byte_end - s.byte_start), s.text) << s.path;
}

TEST(SampledSeeds, AreTheSeedsDivisibleByTheRateSortedWithoutRepeats) {
  std::mt19937_64 rng(1);
  const std::string text = random_report(rng, 6) + random_report(rng, 1);
  MemorySource src{{"a.txt", text}};
  const recur::ScanSettings scan(recur::InputOptions{});
  const recur::ScannedFile f = recur::scan_file(src, 0, scan);
  recur::Normalizer normalizer(recur::InputOptions{}.normalize);
  const recur::TokenText tokens = recur::tokenize(f, normalizer);
  const auto all = recur::seed_hashes(tokens, 6);
  for (unsigned sample : {1u, 2u, 8u, 64u}) {
    const auto sampled = recur::sampled_seeds(tokens, 6, sample);
    std::set<std::uint64_t> expected;
    for (auto h : all)
      if (h % sample == 0) expected.insert(h);
    EXPECT_EQ(sampled, std::vector<std::uint64_t>(expected.begin(), expected.end())) << sample;
  }
  // About one in 8, by content.
  const double rate = static_cast<double>(recur::sampled_seeds(tokens, 6, 8).size()) / static_cast<double>(all.size());
  EXPECT_GT(rate, 0.08);
  EXPECT_LT(rate, 0.17);
}

TEST(SampledSeeds, TheSameKGramIsSampledWhereverItStands) {
  std::mt19937_64 rng(2);
  const std::string passage = join(random_paragraph(rng, 200, 200));
  const std::string a = random_report(rng, 3) + passage + "\n", b = passage + "\n" + random_report(rng, 5);
  MemorySource src{{"a", a}, {"b", b}, {"p", passage}};
  const recur::ScanSettings scan(recur::InputOptions{});
  recur::Normalizer normalizer(recur::InputOptions{}.normalize);
  auto seeds = [&](std::size_t i) {
    return recur::sampled_seeds(recur::tokenize(recur::scan_file(src, i, scan), normalizer), 6, 8);
  };
  const auto sa = seeds(0), sb = seeds(1), sp = seeds(2);
  ASSERT_FALSE(sp.empty());
  for (auto h : sp) {
    EXPECT_TRUE(std::binary_search(sa.begin(), sa.end(), h));
    EXPECT_TRUE(std::binary_search(sb.begin(), sb.end(), h));
  }
}

TEST(ArchiveFingerprint, RecordsInputOptionsSeedAndSampleAndNamesTheirMismatch) {
  recur::ArchiveOptions o;
  o.input.doc_split = "综述$";
  o.input.strip = {"b", "a", "b"};
  o.seed = 7;
  o.sample = 16;
  const recur::Fingerprint f = recur::archive_fingerprint(o);
  EXPECT_EQ(f.doc_split, "综述$");
  EXPECT_EQ(f.strip, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.align_seed, 7u);
  EXPECT_EQ(f.seed_sample, 16u);
  recur::ArchiveOptions back;
  recur::apply_fingerprint(f, back);
  EXPECT_EQ(recur::archive_fingerprint(back), f);
  // --encoding and --glob are not part of it.
  recur::ArchiveOptions other = back;
  other.input.decode.encoding = "gb18030";
  other.input.glob = "*.md";
  EXPECT_EQ(recur::compatibility(f, recur::archive_fingerprint(other)), "");
  other.seed = 6;
  EXPECT_EQ(recur::compatibility(f, recur::archive_fingerprint(other), "a.db"),
            "a.db was built with --seed 7; this run uses --seed 6");
  other.seed = 7;
  other.sample = 8;
  EXPECT_EQ(recur::compatibility(f, recur::archive_fingerprint(other), "a.db"),
            "a.db was built with --sample 16; this run uses --sample 8");
}

TEST(DocumentSeeds, OnePerDocumentOfACompilationEmptyPreambleLeftOut) {
  std::mt19937_64 rng(3);
  const std::string text = "——\n第一篇综述\n" + random_report(rng, 2) + "第二篇综述\n" + random_report(rng, 3);
  MemorySource src{{"c.txt", text}};
  recur::InputOptions in;
  in.doc_split = "综述$";
  const recur::ScanSettings scan(in);
  const recur::ScannedFile f = recur::scan_file(src, 0, scan);
  recur::Normalizer normalizer(in.normalize);
  const auto docs = recur::document_seeds(f, normalizer, 6, 8);
  ASSERT_EQ(docs.size(), 2u);
  // Numbered as FILE#N counts them: the preamble (document 1) has no content.
  EXPECT_EQ(f.seg.documents.size(), 3u);
  EXPECT_EQ(docs[0].index, 2u);
  EXPECT_EQ(docs[0].title, "第一篇综述");
  EXPECT_EQ(docs[1].index, 3u);
  EXPECT_EQ(docs[1].title, "第二篇综述");
  for (const auto& d : docs) {
    const auto tokens = recur::tokenize(f, normalizer, d.index - 1);
    EXPECT_EQ(d.seeds, recur::sampled_seeds(tokens, 6, 8));
    EXPECT_EQ(d.content_chars, tokens.content_chars(0, tokens.size()));
  }
}

TEST(FocusDocument, GivesWhatPrepareTextGivesForThatDocument) {
  std::mt19937_64 rng(4);
  const std::string text = "第一篇综述\n" + random_report(rng, 2) + "第二篇综述\n" + random_report(rng, 3);
  MemorySource src{{"c.txt", text}};
  recur::InputOptions in;
  in.doc_split = "综述$";
  const recur::ScanSettings scan(in);
  recur::Normalizer normalizer(in.normalize);
  recur::PreparedText whole;
  ASSERT_TRUE(recur::prepare_text(src, {0, -1}, scan, normalizer, whole).ok());
  for (std::int64_t d = 1; d >= 0; --d) {
    recur::PreparedText expected;
    ASSERT_TRUE(recur::prepare_text(src, {0, d}, scan, normalizer, expected).ok());
    recur::focus_document(whole, d, normalizer);
    EXPECT_EQ(whole.document, expected.document);
    EXPECT_EQ(whole.document_index, expected.document_index);
    EXPECT_EQ(whole.chars, expected.chars);
    EXPECT_EQ(whole.tokens.hash, expected.tokens.hash);
    EXPECT_EQ(whole.tokens.begin, expected.tokens.begin);
  }
}

TEST(MaxDocs, DefaultsToATwentiethOfTheDocumentsAtLeastFive) {
  EXPECT_EQ(recur::default_max_docs(0), 5u);
  EXPECT_EQ(recur::default_max_docs(119), 5u);
  EXPECT_EQ(recur::default_max_docs(1000), 50u);
  EXPECT_EQ(recur::default_max_docs(1000, 7), 7u);
}

// An archive of `n` random reports, and the reports.
struct Corpus {
  std::vector<std::string> names, texts;
  MemorySource source() const {
    MemorySource s;
    for (std::size_t i = 0; i < names.size(); ++i) s.add(names[i], texts[i]);
    return s;
  }
};

Corpus random_corpus(std::mt19937_64& rng, std::size_t n, std::size_t paragraphs = 8) {
  Corpus c;
  for (std::size_t i = 0; i < n; ++i) {
    c.names.push_back("arch/" + std::to_string(100 + i) + ".txt");
    c.texts.push_back(random_report(rng, paragraphs));
  }
  return c;
}

TEST(RunQuery, FindsPlantedPassagesWithTheirBytesOnBothSides) {
  std::mt19937_64 rng(5);
  Corpus c = random_corpus(rng, 12);
  // The query reuses a paragraph of document 3 verbatim, a paragraph of document 7 edited, and a
  // 60-character sentence of document 9 inside one of its own paragraphs.
  const auto lines3 = line_starts(c.texts[3]);
  const std::string para3 = c.texts[3].substr(lines3[2], lines3[3] - lines3[2] - 1);
  const std::string sentence7 = join(random_paragraph(rng, 120, 120));
  c.texts[7] += "　　" + sentence7 + "\n";
  const std::string edited7 = join(random_edits(rng, split_utf8(sentence7), 0.08));
  const std::string clause9 = join(random_sentence(rng, 60));
  c.texts[9] = c.texts[9].substr(0, 60) + clause9 + c.texts[9].substr(60);
  const std::string query = random_report(rng, 3) + "　　" + join(random_sentence(rng, 40)) + clause9 +
                            join(random_sentence(rng, 40)) + "\n" + para3 + "\n" + random_report(rng, 2) +
                            "　　" + edited7 + "\n" + random_report(rng, 2);
  const MemorySource archived = c.source();
  const MemoryArchive archive(archived, {});
  MemorySource queries{{"new.txt", query}};
  const QueryReport r = recur::run_query(queries, archive, QueryOptions{});
  ASSERT_EQ(r.queries.size(), 1u);
  const recur::QueryResult& q = r.queries[0];
  EXPECT_EQ(q.path, "new.txt");
  std::set<std::string> found;
  for (const auto& s : q.sources) {
    found.insert(s.path);
    for (const auto& p : s.passages) {
      expect_located(p.a, query);
      const auto it = std::find(c.names.begin(), c.names.end(), s.path);
      ASSERT_NE(it, c.names.end());
      expect_located(p.b, c.texts[static_cast<std::size_t>(it - c.names.begin())]);
      EXPECT_FALSE(p.is_template);
    }
    // Passages by their position in the query.
    for (std::size_t k = 1; k < s.passages.size(); ++k) EXPECT_LE(s.passages[k - 1].a.byte_start, s.passages[k].a.byte_start);
  }
  EXPECT_TRUE(found.count(c.names[3]));
  EXPECT_TRUE(found.count(c.names[7]));
  EXPECT_TRUE(found.count(c.names[9]));
  // Sources by chars, descending.
  for (std::size_t k = 1; k < q.sources.size(); ++k) EXPECT_GE(q.sources[k - 1].chars, q.sources[k].chars);
  const auto s3 = std::find_if(q.sources.begin(), q.sources.end(), [&](const auto& s) { return s.path == c.names[3]; });
  ASSERT_NE(s3, q.sources.end());
  const auto& p3 = s3->passages;
  ASSERT_EQ(p3.size(), 1u);
  EXPECT_TRUE(p3[0].exact);
  EXPECT_EQ(p3[0].b.byte_start, lines3[2] + std::string("　　").size());
  // found is the union of the sources' shares (they do not overlap here).
  double sum = 0;
  for (const auto& s : q.sources) sum += s.share;
  EXPECT_NEAR(q.found, sum, 1e-9);
  EXPECT_GT(q.found, 0.1);
  EXPECT_LT(q.found, 0.6);
  EXPECT_EQ(q.templ, 0.0);
  EXPECT_EQ(r.archive_documents, 12u);
}

TEST(RunQuery, TheReportDoesNotDependOnTheThreads) {
  std::mt19937_64 rng(12);
  Corpus c = random_corpus(rng, 30, 4);
  std::string query;
  for (std::size_t i = 0; i < 30; i += 3) query += c.texts[i].substr(0, c.texts[i].find('\n') + 1) + random_report(rng, 1);
  const MemorySource archived = c.source();
  const MemoryArchive archive(archived, {});
  MemorySource queries{{"q.txt", query}};
  std::string first;
  for (unsigned threads : {1u, 2u, 4u}) {
    QueryOptions o;
    o.threads = threads;
    QueryReport r = recur::run_query(queries, archive, o);
    r.stats.seconds.clear();
    std::ostringstream out;
    recur::write_json(r, out);
    if (first.empty()) {
      first = out.str();
      EXPECT_EQ(r.queries[0].sources.size(), 10u);
    } else {
      EXPECT_EQ(out.str(), first) << threads << " threads";
    }
  }
}

TEST(RunQuery, ASentenceInManyDocumentsIsBoilerplateAndATemplate) {
  std::mt19937_64 rng(6);
  Corpus c = random_corpus(rng, 20, 4);
  const std::string stock = join(random_sentence(rng, 60));
  for (std::size_t i = 0; i < 12; ++i) c.texts[i] += "　　" + stock + "\n";
  const std::string own = join(random_paragraph(rng, 150, 150));
  c.texts[15] += "　　" + stock + "\n　　" + own + "\n";
  const std::string query = random_report(rng, 2) + "　　" + stock + "\n" + random_report(rng, 1) + "　　" + own + "\n";
  const MemorySource archived = c.source();
  const MemoryArchive archive(archived, {});
  MemorySource queries{{"q.txt", query}};
  QueryOptions o;
  o.max_docs = 5;  // the stock sentence is in 12 documents
  const QueryReport r = recur::run_query(queries, archive, o);
  ASSERT_EQ(r.queries.size(), 1u);
  const auto& q = r.queries[0];
  EXPECT_GT(r.stats.boilerplate_seeds, 0u);
  // Only document 15 shares more than boilerplate: its own paragraph counts, the stock sentence
  // (found beside it) is a template passage.
  ASSERT_EQ(q.sources.size(), 1u);
  EXPECT_EQ(q.sources.front().path, c.names[15]);
  std::size_t templates = 0;
  for (const auto& s : q.sources)
    for (const auto& p : s.passages) {
      if (p.a.text.find(stock.substr(0, 30)) != std::string::npos) {
        EXPECT_TRUE(p.is_template) << p.a.text;
        ++templates;
      } else {
        EXPECT_FALSE(p.is_template) << p.a.text;
      }
    }
  EXPECT_EQ(templates, 1u);
  EXPECT_GT(q.templ, 0.0);
  const double own_share = static_cast<double>(utf8_length(own)) / static_cast<double>(q.content_chars);
  EXPECT_NEAR(q.found, q.sources.front().share, 1e-9);
  EXPECT_LE(q.found, own_share + 1e-9);
  // With a --max-docs above 12 the sentence is ordinary text: its documents become candidates.
  o.max_docs = 50;
  const QueryReport all = recur::run_query(queries, archive, o);
  EXPECT_EQ(all.stats.boilerplate_seeds, 0u);
  EXPECT_GE(all.queries[0].sources.size(), 13u);
  EXPECT_GT(all.queries[0].found, q.found);
  EXPECT_EQ(all.queries[0].templ, 0.0);
}

TEST(RunQuery, BoilerplateSpanNeedsASampledSeedAllOfThemBoilerplate) {
  const std::vector<std::uint64_t> seeds = {8, 3, 16, 5, 24, 7, 1};
  const std::vector<std::uint64_t> boiler = {8, 16};
  EXPECT_TRUE(recur::boilerplate_span({0, 4}, seeds, boiler, 2, 8));    // seeds 0..2: 8, 3, 16
  EXPECT_FALSE(recur::boilerplate_span({0, 6}, seeds, boiler, 2, 8));   // 24 is sampled, not boilerplate
  EXPECT_FALSE(recur::boilerplate_span({5, 8}, seeds, boiler, 2, 8));   // no sampled seed
}

TEST(RunQuery, PassagesFoundInABaseAreTemplates) {
  std::mt19937_64 rng(7);
  Corpus c = random_corpus(rng, 6, 4);
  const std::string form = join(random_paragraph(rng, 100, 100));
  const std::string own = join(random_paragraph(rng, 100, 100));
  c.texts[2] += "　　" + form + "\n" + random_report(rng, 1) + "　　" + own + "\n";
  const std::string query = random_report(rng, 1) + "　　" + form + "\n" + random_report(rng, 1) + "　　" + own + "\n";
  const MemorySource archived = c.source();
  const MemoryArchive archive(archived, {});
  MemorySource queries{{"q.txt", query}};
  MemorySource bases{{"form.txt", form + "\n"}};
  const QueryReport r = recur::run_query(queries, archive, QueryOptions{}, &bases);
  ASSERT_EQ(r.queries.size(), 1u);
  const auto& q = r.queries[0];
  ASSERT_EQ(q.sources.size(), 1u);
  ASSERT_EQ(q.sources[0].passages.size(), 2u);
  EXPECT_TRUE(q.sources[0].passages[0].is_template);
  EXPECT_FALSE(q.sources[0].passages[1].is_template);
  EXPECT_GT(q.templ, 0.0);
  EXPECT_NEAR(q.found, q.sources[0].share, 1e-12);
  EXPECT_EQ(r.options["bases"], 1);
}

TEST(RunQuery, ACompilationIsOneQueryPerDocument) {
  std::mt19937_64 rng(8);
  Corpus c = random_corpus(rng, 5);
  const auto lines = line_starts(c.texts[1]);
  const std::string para = c.texts[1].substr(lines[1], lines[2] - lines[1]);
  const std::string query = "前言\n第一篇综述\n" + random_report(rng, 2) + "第二篇综述\n" + para + random_report(rng, 2);
  recur::ArchiveOptions ao;
  ao.input.doc_split = "综述$";
  const MemorySource archived = c.source();
  const MemoryArchive archive(archived, ao);
  MemorySource queries{{"comp.txt", query}};
  QueryOptions o;
  o.input.doc_split = "综述$";
  const QueryReport r = recur::run_query(queries, archive, o);
  ASSERT_EQ(r.queries.size(), 3u);  // the preamble has content ("前言"), then two documents
  EXPECT_EQ(r.queries[1].document, "第一篇综述");
  EXPECT_EQ(r.queries[1].document_index, 2u);
  EXPECT_TRUE(r.queries[1].sources.empty());
  EXPECT_EQ(r.queries[2].document, "第二篇综述");
  ASSERT_EQ(r.queries[2].sources.size(), 1u);
  EXPECT_EQ(r.queries[2].sources[0].path, c.names[1]);
  expect_located(r.queries[2].sources[0].passages[0].a, query);
}

TEST(RunQuery, OptionsThatDifferFromTheArchiveAreRefusedByName) {
  std::mt19937_64 rng(9);
  const Corpus c = random_corpus(rng, 2);
  const MemorySource archived = c.source();
  const MemoryArchive archive(archived, {});
  MemorySource queries{{"q.txt", c.texts[0]}};
  QueryOptions o;
  o.input.doc_split = "综述$";
  try {
    recur::run_query(queries, archive, o);
    FAIL() << "expected a refusal";
  } catch (const recur::Error& e) {
    EXPECT_EQ(e.code(), recur::errc::usage);
    EXPECT_EQ(std::string(e.what()), "memory was built with no --doc-split; this run uses --doc-split '综述$'");
  }
  o = QueryOptions{};
  o.align.seed = 8;
  o.align.min_tokens = 20;
  try {
    recur::run_query(queries, archive, o);
    FAIL() << "expected a refusal";
  } catch (const recur::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--seed 6; this run uses --seed 8"), std::string::npos) << e.what();
  }
}

TEST(RunQuery, AnUnreadableQueryIsSkippedTheOthersRun) {
  std::mt19937_64 rng(10);
  const Corpus c = random_corpus(rng, 3);
  const MemorySource archived = c.source();
  const MemoryArchive archive(archived, {});
  MemorySource queries{{"empty.txt", ""}, {"q.txt", c.texts[2]}};
  const QueryReport r = recur::run_query(queries, archive, QueryOptions{});
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].path, "empty.txt");
  EXPECT_EQ(r.skipped[0].code, recur::StatusCode::empty);
  ASSERT_EQ(r.queries.size(), 1u);
  // A text found in the archive as a whole: 100% from itself.
  EXPECT_NEAR(r.queries[0].found, 1.0, 1e-9);
  EXPECT_EQ(r.queries[0].sources.front().path, c.names[2]);
}

TEST(RunQuery, JsonFollowsTheContract) {
  std::mt19937_64 rng(11);
  const Corpus c = random_corpus(rng, 3);
  const MemorySource archived = c.source();
  const MemoryArchive archive(archived, {});
  MemorySource queries{{"q.txt", c.texts[1] + random_report(rng, 2)}};
  const QueryReport r = recur::run_query(queries, archive, QueryOptions{});
  std::ostringstream out;
  recur::write_json(r, out);
  EXPECT_TRUE(recur::looks_like_recur_output(out.str()));
  const auto j = nlohmann::ordered_json::parse(out.str());
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"recur_version", "options", "archive", "stats", "queries", "skipped",
                                            "warnings"}));
  EXPECT_EQ(j["archive"]["path"], "memory");
  EXPECT_EQ(j["archive"]["documents"], 3);
  EXPECT_EQ(j["archive"]["fingerprint"]["align_seed"], 6);
  const auto& q = j["queries"][0];
  for (const char* k : {"path", "document", "content_chars", "found", "template", "sources"}) EXPECT_TRUE(q.contains(k)) << k;
  const auto& s = q["sources"][0];
  for (const char* k : {"path", "document", "chars", "share", "passages"}) EXPECT_TRUE(s.contains(k)) << k;
  const auto& p = s["passages"][0];
  for (const char* k : {"a", "b", "similarity", "kind", "template"}) EXPECT_TRUE(p.contains(k)) << k;
  for (const char* k : {"path", "byte_start", "byte_end", "line", "line_end", "text"}) EXPECT_TRUE(p["b"].contains(k)) << k;
  EXPECT_EQ(p["b"]["path"], c.names[1]);
  // Text: one summary line per query.
  std::ostringstream text;
  recur::write_text(r, text, recur::TextOptions{});
  EXPECT_TRUE(recur::looks_like_recur_output(text.str()));
  EXPECT_NE(text.str().find("of q.txt is found in the archive: "), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("% in " + c.names[1]), std::string::npos) << text.str();
}

}  // namespace
