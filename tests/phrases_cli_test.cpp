/// \file phrases_cli_test.cpp
/// End-to-end tests of `recur phrases`: runs the built binary on generated corpora with planted
/// recurring phrases (and on ../shared/corpus when it is there) and checks the output against the
/// contract and against what was planted, counted independently from the files written.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>
#include <set>
#include <tuple>

#include "test_util.hpp"

using namespace recur_test;

namespace {

// ------------------------------------------------------------------ content characters -------

/// One code point of valid UTF-8.
char32_t code_point(const std::string& cp) {
  const auto v = to_code_points(cp);
  return v.empty() ? 0 : v.front();
}

/// True for the characters that take part in matching (an independent approximation of
/// recur::is_content_char after NFKC: CJK ideographs, letters and digits).
bool is_content(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c >= 0xFF10 && c <= 0xFF19) return true;  // fullwidth digits (NFKC: ASCII)
  if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)) return true;  // fullwidth letters
  if (c >= 0xC0 && c <= 0x24F) return c != 0xD7 && c != 0xF7;                    // Latin letters
  if (c == 0x3007) return true;                                                   // 〇
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

/// The content characters of UTF-8 text, as UTF-8: punctuation and white space dropped, ASCII and
/// fullwidth letters and digits folded to lower-case ASCII.
std::string content_of(std::string_view text) {
  std::string out;
  for (const std::string& cp : split_utf8(text)) {
    const char32_t c = code_point(cp);
    if (!is_content(c)) continue;
    char32_t a = c;
    if (c >= 0xFF01 && c <= 0xFF5E) a = c - 0xFEE0;  // fullwidth ASCII
    if (a < 0x80) {
      char ch = static_cast<char>(a);
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      out += ch;
    } else {
      out += cp;
    }
  }
  return out;
}

/// Non-overlapping occurrences of `needle` in `hay` (both whole code points of UTF-8).
std::size_t count_in(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + needle.size()))
    ++n;
  return n;
}

// ------------------------------------------------------------------ running recur ------------

/// A run writing JSON to a file, and the parsed report when there is one.
struct JsonRun {
  RunResult run;
  Json report;
  std::string raw;
  bool has_report = false;
};

JsonRun run_phrases_json(const TempDir& out_dir, std::vector<std::string> args,
                         const std::string& name = "phrases.json") {
  const std::string out = out_dir.file(name);
  std::error_code ec;
  fs::remove(out, ec);
  args.insert(args.begin(), "phrases");
  for (const char* a : {"--format", "json", "-o"}) args.push_back(a);
  args.push_back(out);
  JsonRun j;
  j.run = run_recur(args);
  if (fs::exists(out)) {
    j.raw = read_file(out);
    try {
      j.report = Json::parse(j.raw);
      j.has_report = true;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the JSON report does not parse: " << e.what();
    }
  }
  return j;
}

#define REQUIRE_REPORT(j)                                                   \
  ASSERT_TRUE((j).run.exited_normally()) << "crashed\n" << describe((j).run); \
  ASSERT_EQ((j).run.status, 0) << describe((j).run);                         \
  ASSERT_TRUE((j).has_report) << "no JSON report\n" << describe((j).run)

/// The document a location belongs to: path and document index (or name when there is none).
std::string doc_key(const Json& loc) {
  std::string k = loc.value("path", std::string()) + "\x1f";
  if (loc.contains("document_index")) k += std::to_string(get_u64(loc, "document_index"));
  else if (loc.contains("document") && loc["document"].is_string()) k += loc["document"].get<std::string>();
  else if (loc.contains("document")) k += loc["document"].dump();
  return k;
}

/// Checks the shape of a phrases report: top-level keys, stats accounting, each phrase's fields,
/// ids in order, score = documents x chars in non-increasing order, counts consistent with the
/// locations and variants, and every phrase within --min-docs / --min-chars.
void expect_phrases_shape(const Json& r, std::uint64_t min_docs, std::uint64_t min_chars) {
  for (const char* k : {"recur_version", "options", "stats", "skipped", "phrases"})
    ASSERT_TRUE(r.contains(k)) << "missing top-level key " << k;
  EXPECT_TRUE(r["recur_version"].is_string());
  EXPECT_TRUE(r["options"].is_object());
  ASSERT_TRUE(r["stats"].is_object());
  ASSERT_TRUE(r["skipped"].is_array());
  ASSERT_TRUE(r["phrases"].is_array());
  const Json& st = r["stats"];
  for (const char* k : {"documents", "phrases", "files", "files_read", "files_skipped"})
    EXPECT_TRUE(st.contains(k) && st[k].is_number_unsigned()) << "stats." << k << ": " << st.dump();
  EXPECT_EQ(get_u64(st, "files"), get_u64(st, "files_read") + get_u64(st, "files_skipped"));
  EXPECT_EQ(r["skipped"].size(), get_u64(st, "files_skipped"));
  EXPECT_EQ(get_u64(st, "phrases"), r["phrases"].size());

  double previous_score = INFINITY;
  std::uint64_t expected_id = 1;
  for (const auto& p : r["phrases"]) {
    for (const char* k : {"id", "text", "chars", "documents", "occurrences", "score", "variants", "locations"})
      ASSERT_TRUE(p.contains(k)) << "phrase without " << k << ": " << p.dump().substr(0, 500);
    EXPECT_EQ(get_u64(p, "id"), expected_id++) << "phrase ids are 1-based, in output order";
    const auto docs = get_u64(p, "documents"), chars = get_u64(p, "chars"), occ = get_u64(p, "occurrences");
    EXPECT_GE(docs, min_docs) << "phrase below --min-docs: " << p["text"];
    EXPECT_GE(chars, min_chars) << "phrase below --min-chars: " << p["text"];
    EXPECT_GE(occ, docs);
    ASSERT_TRUE(p["score"].is_number());
    const double score = p["score"].get<double>();
    EXPECT_DOUBLE_EQ(score, static_cast<double>(docs) * static_cast<double>(chars))
        << "score = documents x chars: " << p["text"];
    EXPECT_LE(score, previous_score) << "phrases are ranked by score: " << p["text"];
    previous_score = score;

    ASSERT_TRUE(p["locations"].is_array());
    // One location per occurrence, except those a cap left out (counted, never silent).
    const std::uint64_t omitted = get_u64(p, "locations_omitted");
    EXPECT_EQ(p["locations"].size() + omitted, occ) << "one location per occurrence: " << p["text"];
    std::set<std::string> doc_set;
    for (const auto& loc : p["locations"]) {
      for (const char* k : {"path", "document", "line", "byte_start", "byte_end", "text"})
        ASSERT_TRUE(loc.contains(k)) << "location without " << k << ": " << loc.dump();
      doc_set.insert(doc_key(loc));
    }
    if (omitted == 0)
      EXPECT_EQ(doc_set.size(), docs) << "documents = distinct documents of the locations: " << p["text"];
    else
      EXPECT_LE(doc_set.size(), docs) << "the listed locations are among the documents: " << p["text"];

    ASSERT_TRUE(p["variants"].is_array());
    EXPECT_FALSE(p["variants"].empty()) << p["text"];
    std::uint64_t variant_occ = 0;
    std::set<std::string> variant_texts;
    for (const auto& v : p["variants"]) {
      for (const char* k : {"text", "documents", "occurrences"})
        ASSERT_TRUE(v.contains(k)) << "variant without " << k << ": " << v.dump();
      EXPECT_TRUE(variant_texts.insert(v["text"].get<std::string>()).second) << "variant listed twice";
      EXPECT_LE(get_u64(v, "documents"), docs);
      EXPECT_LE(get_u64(v, "documents"), get_u64(v, "occurrences"));
      variant_occ += get_u64(v, "occurrences");
    }
    // Every occurrence holds one of a variant's: the variants count at least as many.
    EXPECT_GE(variant_occ, occ) << "every occurrence holds a variant: " << p["text"];
    // Occurrences are distinct places: no two locations of one phrase overlap.
    std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> spans;
    for (const auto& loc : p["locations"])
      spans[loc["path"].get<std::string>()].emplace_back(get_u64(loc, "byte_start"), get_u64(loc, "byte_end"));
    for (auto& [path, v] : spans) {
      std::sort(v.begin(), v.end());
      for (std::size_t k = 1; k < v.size(); ++k)
        EXPECT_LE(v[k - 1].second, v[k].first) << "overlapping locations in " << path << ": " << p["text"];
    }
  }
}

/// Checks every location against the file bytes: text == bytes [byte_start, byte_end) and line ==
/// the line of byte_start.
void expect_locations_match_files(const Json& r) {
  std::map<std::string, std::pair<std::string, std::vector<std::size_t>>> cache;  // bytes, newlines
  std::size_t checked = 0;
  for (const auto& p : r["phrases"])
    for (const auto& loc : p["locations"]) {
      const std::string path = loc["path"].get<std::string>();
      auto it = cache.find(path);
      if (it == cache.end()) {
        std::string raw = read_file(path);
        std::vector<std::size_t> nl;
        for (std::size_t i = 0; i < raw.size(); ++i)
          if (raw[i] == '\n') nl.push_back(i);
        it = cache.emplace(path, std::make_pair(std::move(raw), std::move(nl))).first;
      }
      const std::string& raw = it->second.first;
      const auto& nl = it->second.second;
      const auto b = get_u64(loc, "byte_start"), e = get_u64(loc, "byte_end");
      ASSERT_LE(e, raw.size()) << path;
      ASSERT_LT(b, e) << path;
      EXPECT_EQ(loc["text"].get<std::string>(), raw.substr(b, e - b)) << path << " bytes " << b << ".." << e;
      const auto line = 1 + (std::lower_bound(nl.begin(), nl.end(), b) - nl.begin());
      EXPECT_EQ(get_u64(loc, "line"), static_cast<std::uint64_t>(line)) << path << " byte " << b;
      ++checked;
    }
  EXPECT_GT(checked, 0u) << "no location to check";
}

/// Phrases whose content characters contain `content`.
std::vector<const Json*> phrases_containing(const Json& r, const std::string& content) {
  std::vector<const Json*> out;
  for (const auto& p : r["phrases"])
    if (contains(content_of(p["text"].get<std::string>()), content)) out.push_back(&p);
  return out;
}

/// Phrases whose content characters equal `content`.
std::vector<const Json*> phrases_equal(const Json& r, const std::string& content) {
  std::vector<const Json*> out;
  for (const auto& p : r["phrases"])
    if (content_of(p["text"].get<std::string>()) == content) out.push_back(&p);
  return out;
}

/// The variant of `phrase` written as `text`, or nullptr.
const Json* variant_with_text(const Json& phrase, const std::string& text) {
  for (const auto& v : phrase["variants"])
    if (v["text"] == text) return &v;
  return nullptr;
}

std::string texts_of(const Json& r) {
  std::string s;
  for (const auto& p : r["phrases"])
    s += "  #" + std::to_string(get_u64(p, "id")) + " " + p["text"].get<std::string>() + " (" +
         std::to_string(get_u64(p, "documents")) + " docs, " + std::to_string(get_u64(p, "occurrences")) +
         " occ)\n";
  return s;
}

// ------------------------------------------------------------------ generated corpora --------

/// A paragraph as code points.
using Para = std::vector<std::string>;

/// Random code points of the alphabet (no punctuation).
Para random_chars(std::mt19937_64& rng, std::size_t n) {
  Para p;
  for (std::size_t i = 0; i < n; ++i) p.push_back(random_char(rng));
  return p;
}

Para random_para(std::mt19937_64& rng) {
  Para out;
  for (const auto& s : random_paragraph(rng, 60, 160)) out.insert(out.end(), s.begin(), s.end());
  return out;
}

/// A generated set of documents (one file each), written to a directory.
struct Docs {
  std::vector<std::vector<Para>> paras;          ///< document -> paragraphs
  std::vector<std::set<std::size_t>> used;      ///< paragraphs holding a planted text
  std::vector<std::string> files;               ///< absolute path of each document's file

  Docs(std::mt19937_64& rng, std::size_t n, std::size_t min_paras = 6, std::size_t max_paras = 9) {
    paras.resize(n);
    used.resize(n);
    for (auto& d : paras) {
      const std::size_t k = uniform(rng, min_paras, max_paras);
      for (std::size_t i = 0; i < k; ++i) d.push_back(random_para(rng));
    }
  }

  /// A paragraph of document `d` holding no planted text yet (marked as used).
  Para& free_para(std::mt19937_64& rng, std::size_t d) {
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < paras[d].size(); ++i)
      if (!used[d].count(i)) free.push_back(i);
    if (free.empty()) throw std::runtime_error("no free paragraph");
    const std::size_t i = free[uniform(rng, free.size())];
    used[d].insert(i);
    return paras[d][i];
  }

  /// Inserts `text` inside a free paragraph of document `d`, between two code points.
  void plant_inside(std::mt19937_64& rng, std::size_t d, const Para& text) {
    Para& p = free_para(rng, d);
    const std::size_t at = uniform(rng, 1, p.size() - 1);
    p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), text.begin(), text.end());
  }

  /// Inserts the sentence `text` (ending in 。) between two sentences of a free paragraph.
  void plant_sentence(std::mt19937_64& rng, std::size_t d, const Para& text) {
    Para& p = free_para(rng, d);
    std::vector<std::size_t> bounds{0};
    for (std::size_t i = 0; i + 1 < p.size(); ++i)
      if (p[i] == "。") bounds.push_back(i + 1);
    const std::size_t at = bounds[uniform(rng, bounds.size())];
    p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), text.begin(), text.end());
  }

  /// Writes document i to dir/doc_NN.txt, one paragraph per line; odd documents indent their
  /// paragraphs with "　　", every third one leaves blank lines between paragraphs.
  void write(const fs::path& dir) {
    files.clear();
    for (std::size_t d = 0; d < paras.size(); ++d) {
      std::string s;
      for (std::size_t i = 0; i < paras[d].size(); ++i) {
        if (d % 3 == 2 && i > 0) s += "\n";
        if (d % 2 == 1) s += "　　";
        s += join(paras[d][i]) + "\n";
      }
      char name[32];
      std::snprintf(name, sizeof name, "doc_%02zu.txt", d);
      const fs::path path = dir / name;
      write_file(path, s);
      files.push_back(path.string());
    }
  }
};

/// `n` distinct indices of [0, size), in random order.
std::vector<std::size_t> pick_distinct(std::mt19937_64& rng, std::size_t size, std::size_t n) {
  std::vector<std::size_t> all(size);
  for (std::size_t i = 0; i < size; ++i) all[i] = i;
  for (std::size_t i = size; i > 1; --i) std::swap(all[i - 1], all[uniform(rng, i)]);
  all.resize(n);
  return all;
}

/// One planted phrase: its content and the written forms used, with where.
struct PlantedPhrase {
  std::string content;                        ///< content characters (UTF-8)
  std::size_t chars = 0;
  std::size_t documents = 0, occurrences = 0; ///< as planted
  std::map<std::string, std::pair<std::set<std::size_t>, std::size_t>> forms;  ///< text -> (docs, occurrences)
};

/// Twelve documents of random text with three planted phrases: 15 characters in 3 documents,
/// 22 characters in 5 documents (twice in one, written with "，" / "、" / nothing inside), 30
/// characters in 8 documents (twice in two, with punctuation variants).
struct PlantedCorpus {
  TempDir tmp;
  fs::path dir;
  std::vector<std::string> files;
  std::vector<PlantedPhrase> phrases;

  explicit PlantedCorpus(std::uint64_t seed = 20240701) {
    std::mt19937_64 rng(seed);
    dir = tmp.path() / "docs";
    fs::create_directories(dir);
    Docs docs(rng, 12);
    struct Spec {
      std::size_t chars, documents, twice;
      bool punct;
    };
    for (const Spec& spec : {Spec{15, 3, 0, false}, Spec{22, 5, 1, true}, Spec{30, 8, 2, true}}) {
      const Para base = random_chars(rng, spec.chars);
      PlantedPhrase pp;
      pp.content = join(base);
      pp.chars = spec.chars;
      const auto chosen = pick_distinct(rng, docs.paras.size(), spec.documents);
      std::size_t k = 0;
      for (std::size_t i = 0; i < chosen.size(); ++i) {
        const std::size_t times = i < spec.twice ? 2 : 1;
        for (std::size_t t = 0; t < times; ++t, ++k) {
          Para form = base;
          if (spec.punct) {
            static const char* const marks[] = {"", "，", "、"};
            const std::string mark = marks[k % 3];
            if (!mark.empty()) form.insert(form.begin() + static_cast<std::ptrdiff_t>(spec.chars / 2), mark);
          }
          docs.plant_inside(rng, chosen[i], form);
          auto& f = pp.forms[join(form)];
          f.first.insert(chosen[i]);
          ++f.second;
          ++pp.occurrences;
        }
      }
      pp.documents = chosen.size();
      phrases.push_back(std::move(pp));
    }
    docs.write(dir);
    files = docs.files;
  }
};

/// Independently counts, from the files written, the documents (files) and lines holding
/// `content` punctuation-insensitively.
std::pair<std::size_t, std::size_t> count_in_files(const std::vector<std::string>& files,
                                                   const std::string& content) {
  std::size_t docs = 0, occ = 0;
  for (const auto& f : files) {
    const std::string raw = read_file(f);
    std::size_t here = 0;
    std::size_t start = 0;
    while (start < raw.size()) {
      std::size_t end = raw.find('\n', start);
      if (end == std::string::npos) end = raw.size();
      here += count_in(content_of(std::string_view(raw).substr(start, end - start)), content);
      start = end + 1;
    }
    if (here > 0) ++docs;
    occ += here;
  }
  return {docs, occ};
}

// ------------------------------------------------------------------ CSV ----------------------


// ================================================================== tests ====================

TEST(PhrasesCli, HelpListsTheOptions) {
  const RunResult r = run_recur({"phrases", "--help"});
  ASSERT_EQ(r.status, 0) << describe(r);
  for (const char* opt : {"--unit", "--min-chars", "--min-docs", "--variants", "--exclude", "--doc-split",
                          "--strip", "--format", "-o", "--output", "--threads"})
    EXPECT_TRUE(contains(r.out, opt)) << "--help does not mention " << opt << "\n" << r.out;
  for (const char* word : {"span", "sentence", "json", "csv"})
    EXPECT_TRUE(contains(r.out, word)) << "--help does not mention " << word;
}

TEST(PhrasesCli, PlantedPhrasesAreFoundWithTheirCountsAndLocations) {
  PlantedCorpus c;
  const JsonRun j = run_phrases_json(c.tmp, {c.dir.string(), "--min-docs", "3", "--min-chars", "12"});
  REQUIRE_REPORT(j);
  const Json& r = j.report;
  expect_phrases_shape(r, 3, 12);
  EXPECT_EQ(get_u64(r["stats"], "files"), 12u);
  EXPECT_EQ(get_u64(r["stats"], "files_read"), 12u);
  EXPECT_EQ(get_u64(r["stats"], "documents"), 12u);
  EXPECT_TRUE(r["skipped"].empty());
  expect_locations_match_files(r);

  for (const PlantedPhrase& pp : c.phrases) {
    SCOPED_TRACE("planted " + pp.content);
    // Count independently from the files, and check the bookkeeping agrees.
    const auto [docs, occ] = count_in_files(c.files, pp.content);
    ASSERT_EQ(docs, pp.documents) << "generator bookkeeping";
    ASSERT_EQ(occ, pp.occurrences) << "generator bookkeeping";

    const auto found = phrases_containing(r, pp.content);
    ASSERT_EQ(found.size(), 1u) << "exactly one phrase must hold the planted content; phrases:\n" << texts_of(r);
    const Json& p = *found.front();
    EXPECT_EQ(content_of(p["text"].get<std::string>()), pp.content) << "the maximal span is the planted one";
    EXPECT_EQ(get_u64(p, "chars"), pp.chars);
    EXPECT_EQ(get_u64(p, "documents"), docs);
    EXPECT_EQ(get_u64(p, "occurrences"), occ);
    EXPECT_DOUBLE_EQ(p["score"].get<double>(), static_cast<double>(docs * pp.chars));
    for (const auto& loc : p["locations"])
      EXPECT_EQ(content_of(loc["text"].get<std::string>()), pp.content) << loc.dump();

    // Written forms that differ only in punctuation are one variant, counting every place.
    ASSERT_EQ(p["variants"].size(), 1u) << p["variants"].dump();
    EXPECT_EQ(content_of(p["variants"][0]["text"].get<std::string>()), pp.content);
    EXPECT_EQ(get_u64(p["variants"][0], "documents"), docs);
    EXPECT_EQ(get_u64(p["variants"][0], "occurrences"), occ);
  }
  // Random text (2000-letter alphabet) recurs nowhere else.
  EXPECT_EQ(r["phrases"].size(), c.phrases.size()) << texts_of(r);
}

TEST(PhrasesCli, PhrasesBelowMinDocsAreLeftOut) {
  PlantedCorpus c;
  // The 15-character phrase is in 3 documents: with --min-docs 4 only the other two remain.
  const JsonRun j = run_phrases_json(c.tmp, {c.dir.string(), "--min-docs", "4", "--min-chars", "12"});
  REQUIRE_REPORT(j);
  expect_phrases_shape(j.report, 4, 12);
  EXPECT_TRUE(phrases_containing(j.report, c.phrases[0].content).empty()) << texts_of(j.report);
  EXPECT_EQ(phrases_containing(j.report, c.phrases[1].content).size(), 1u) << texts_of(j.report);
  EXPECT_EQ(phrases_containing(j.report, c.phrases[2].content).size(), 1u) << texts_of(j.report);
  // And with --min-chars 20 the 15-character one is too short (found with --min-docs 3 otherwise).
  const JsonRun k = run_phrases_json(c.tmp, {c.dir.string(), "--min-chars", "20"}, "k.json");
  REQUIRE_REPORT(k);
  expect_phrases_shape(k.report, 3, 20);
  EXPECT_TRUE(phrases_containing(k.report, c.phrases[0].content).empty()) << texts_of(k.report);
  EXPECT_EQ(phrases_containing(k.report, c.phrases[2].content).size(), 1u) << texts_of(k.report);
}

constexpr const char* kZuo = "一名党员就是一面旗帜，一个支部就是一座堡垒";
constexpr const char* kGe = "一名党员就是一面旗帜，一个支部就是一个堡垒";

/// Ten documents: kZuo in documents 0-3, kGe in documents 4-6.
struct SloganCorpus {
  TempDir tmp;
  fs::path dir;
  std::vector<std::string> files;
  SloganCorpus() {
    std::mt19937_64 rng(77001);
    dir = tmp.path() / "docs";
    fs::create_directories(dir);
    Docs docs(rng, 10);
    for (std::size_t d = 0; d < 7; ++d) docs.plant_inside(rng, d, split_utf8(d < 4 ? kZuo : kGe));
    docs.write(dir);
    files = docs.files;
  }
};

/// The variants (of any phrase) whose content characters are exactly `content`.
std::vector<const Json*> variants_equal(const Json& r, const std::string& content) {
  std::vector<const Json*> out;
  for (const auto& p : r["phrases"])
    for (const auto& v : p["variants"])
      if (content_of(v["text"].get<std::string>()) == content) out.push_back(&v);
  return out;
}

TEST(PhrasesCli, NearIdenticalSlogansAreVariantsOfOnePhrase) {
  SloganCorpus c;
  ASSERT_EQ(count_in_files(c.files, content_of(kZuo)).first, 4u);
  ASSERT_EQ(count_in_files(c.files, content_of(kGe)).first, 3u);
  const JsonRun j = run_phrases_json(c.tmp, {c.dir.string()});
  REQUIRE_REPORT(j);
  expect_phrases_shape(j.report, 3, 10);
  expect_locations_match_files(j.report);

  const Json* both = nullptr;
  for (const auto& p : j.report["phrases"]) {
    const Json* z = variant_with_text(p, kZuo);
    const Json* g = variant_with_text(p, kGe);
    if (z || g) {
      EXPECT_TRUE(z && g) << "一座堡垒 and 一个堡垒 must be variants of the same phrase: " << p.dump();
      if (z && g) both = &p;
    }
  }
  ASSERT_NE(both, nullptr) << texts_of(j.report);
  EXPECT_EQ(get_u64(*variant_with_text(*both, kZuo), "documents"), 4u);
  EXPECT_EQ(get_u64(*variant_with_text(*both, kZuo), "occurrences"), 4u);
  EXPECT_EQ(get_u64(*variant_with_text(*both, kGe), "documents"), 3u);
  EXPECT_EQ(get_u64(*variant_with_text(*both, kGe), "occurrences"), 3u);
  EXPECT_EQ(get_u64(*both, "documents"), 7u);
  EXPECT_EQ(get_u64(*both, "occurrences"), 7u);
  // The core is what both forms share (一座堡垒 and 一个堡垒 are its extensions).
  EXPECT_EQ(get_u64(*both, "chars"), 17u);
  EXPECT_EQ(content_of(kZuo).rfind(content_of((*both)["text"].get<std::string>()), 0), 0u);
  EXPECT_EQ(content_of(kGe).rfind(content_of((*both)["text"].get<std::string>()), 0), 0u);
}

TEST(PhrasesCli, AnEditedPassageIsOnePhraseWhoseVariantsAreItsVersions) {
  // One passage of 3 clauses in 5 files: 2 as written, 3 with one clause edited, each differently
  // (the number). Unchained it is two phrases (the stretches before and after the edit).
  const std::string head = "全面推进基层党组织标准化规范化建设，", mid_a = "累计整顿软弱涣散党组织", tail =
      "个，持续选派第一书记驻村帮扶，推动基层治理能力不断提升。";
  const std::vector<std::string> numbers{"一千二百", "一千二百", "三千四百", "五千六百", "七千八百"};
  const std::vector<std::string> openings{"春风又绿江南岸", "明月何时照我还", "大漠孤烟直", "长河落日圆", "白日依山尽"};
  TempDir tmp;
  const fs::path dir = tmp.path() / "docs";
  fs::create_directories(dir);
  for (std::size_t d = 0; d < numbers.size(); ++d)
    write_file(dir / ("r" + std::to_string(d) + ".txt"),
               openings[d] + "。\n" + head + mid_a + numbers[d] + tail + "\n");
  const JsonRun j = run_phrases_json(tmp, {dir.string()});
  REQUIRE_REPORT(j);
  expect_phrases_shape(j.report, 3, 10);
  expect_locations_match_files(j.report);
  ASSERT_EQ(j.report["phrases"].size(), 1u) << texts_of(j.report);
  const Json& p = j.report["phrases"][0];
  EXPECT_EQ(get_u64(p, "parts"), 2u);
  EXPECT_EQ(get_u64(j.report["stats"], "chained"), 1u);
  EXPECT_EQ(get_u64(p, "documents"), 5u);
  EXPECT_EQ(get_u64(p, "occurrences"), 5u);
  // Each location is the whole copy, across the edit.
  for (const auto& loc : p["locations"]) {
    const std::string c = content_of(loc["text"].get<std::string>());
    EXPECT_EQ(c.rfind(content_of(head), 0), 0u) << c;
    EXPECT_NE(c.find(content_of(tail)), std::string::npos) << c;
  }
  // Versions: 4 distinct texts; the unedited one in 2 documents.
  ASSERT_EQ(p["variants"].size(), 4u) << p.dump();
  EXPECT_EQ(get_u64(p["variants"][0], "documents"), 2u);
  EXPECT_EQ(get_u64(p["variants"][0], "occurrences"), 2u);
  EXPECT_NE(content_of(p["variants"][0]["text"].get<std::string>()).find(content_of("一千二百")), std::string::npos);
  for (std::size_t v = 1; v < 4; ++v) EXPECT_EQ(get_u64(p["variants"][v], "documents"), 1u);
}

TEST(PhrasesCli, ZeroVariantToleranceStillGroupsExtensionsOfOneCore) {
  // --variants 0 merges no two cores by edit distance, but 一座堡垒 and 一个堡垒 are both extensions of
  // their shared 17 characters (two more each): one template, each form a variant with its counts.
  SloganCorpus c;
  const JsonRun j = run_phrases_json(c.tmp, {c.dir.string(), "--variants", "0"});
  REQUIRE_REPORT(j);
  expect_phrases_shape(j.report, 3, 10);
  const auto zuo = variants_equal(j.report, content_of(kZuo));
  const auto ge = variants_equal(j.report, content_of(kGe));
  ASSERT_EQ(zuo.size(), 1u) << texts_of(j.report);
  ASSERT_EQ(ge.size(), 1u) << texts_of(j.report);
  EXPECT_EQ(get_u64(*zuo.front(), "documents"), 4u);
  EXPECT_EQ(get_u64(*ge.front(), "documents"), 3u);
  EXPECT_EQ((*zuo.front())["text"], kZuo);
  EXPECT_EQ((*ge.front())["text"], kGe);
}

TEST(PhrasesCli, ExcludeRemovesStockPhrasesOnly) {
  PlantedCorpus c;
  // The first phrase written with other punctuation (matching ignores it), and a piece of the
  // second one: a phrase containing a stock phrase stays.
  const auto first = split_utf8(c.phrases[0].content);
  const std::string stock_first = join(Para(first.begin(), first.begin() + 5)) + "、" +
                                  join(Para(first.begin() + 5, first.end())) + "。";
  const auto second = split_utf8(c.phrases[1].content);
  const std::string piece = join(Para(second.begin() + 3, second.begin() + 11));
  const std::string stock = c.tmp.file("stock.txt");
  write_file(stock, "# stock phrases\n" + stock_first + "\n\n" + piece + "\n");

  const JsonRun j = run_phrases_json(c.tmp, {c.dir.string(), "--min-chars", "12", "--exclude", stock});
  REQUIRE_REPORT(j);
  expect_phrases_shape(j.report, 3, 12);
  EXPECT_TRUE(phrases_containing(j.report, c.phrases[0].content).empty())
      << "a phrase inside a stock phrase is left out:\n" << texts_of(j.report);
  for (std::size_t i = 1; i < c.phrases.size(); ++i) {
    const auto found = phrases_containing(j.report, c.phrases[i].content);
    ASSERT_EQ(found.size(), 1u) << "phrase " << i << " must stay:\n" << texts_of(j.report);
    EXPECT_EQ(get_u64(*found.front(), "documents"), c.phrases[i].documents);
    EXPECT_EQ(get_u64(*found.front(), "occurrences"), c.phrases[i].occurrences);
  }
  EXPECT_EQ(j.report["phrases"].size(), 2u) << texts_of(j.report);
  if (j.report["stats"].contains("excluded")) {
    EXPECT_GE(get_u64(j.report["stats"], "excluded"), 1u);
  }
}

TEST(PhrasesCli, RecurringSentencesAsCsvWithTheirVariants) {
  TempDir tmp;
  std::mt19937_64 rng(424242);
  const fs::path dir = tmp.path() / "docs";
  fs::create_directories(dir);
  Docs docs(rng, 8);
  // A sentence of 18 characters with a comma, in documents 0-3; in document 4 with one character
  // changed (edit distance 1 <= 0.1 x 18, at least one edit).
  Para sentence = random_chars(rng, 18);
  sentence.insert(sentence.begin() + 7, "，");
  sentence.push_back("。");
  Para variant = sentence;
  variant[12] = variant[12] == "党" ? "国" : "党";
  for (std::size_t d = 0; d < 5; ++d) docs.plant_sentence(rng, d, d < 4 ? sentence : variant);
  docs.write(dir);
  const std::string s_content = content_of(join(sentence)), v_content = content_of(join(variant));
  ASSERT_EQ(count_in_files(docs.files, s_content).first, 4u);
  ASSERT_EQ(count_in_files(docs.files, v_content).first, 1u);

  const std::string out = tmp.file("sentences.csv");
  const RunResult r = run_recur({"phrases", dir.string(), "--unit", "sentence", "--format", "csv", "-o", out});
  ASSERT_EQ(r.status, 0) << describe(r);
  ASSERT_TRUE(fs::exists(out)) << describe(r);
  const auto rows = parse_csv(read_file(out), nullptr);
  ASSERT_GE(rows.size(), 2u) << "header and at least one row";
  const auto& header = rows.front();
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* k : {"phrase", "documents", "occurrences", "path", "line", "byte_start", "byte_end", "text"})
    ASSERT_TRUE(col.count(k)) << "CSV header without " << k << ": " << read_file(out).substr(0, 200);

  std::map<std::string, std::size_t> rows_of_phrase;
  std::map<std::string, std::string> occ_of_phrase, docs_of_phrase;
  std::set<std::string> sentence_phrase, sentence_docs, variant_phrase;
  std::map<std::string, std::string> file_cache;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.size(), header.size()) << "row " << i << " has another number of fields";
    const std::string& id = row[col["phrase"]];
    ++rows_of_phrase[id];
    occ_of_phrase[id] = row[col["occurrences"]];
    docs_of_phrase[id] = row[col["documents"]];
    const std::string& path = row[col["path"]];
    if (!file_cache.count(path)) file_cache[path] = read_file(path);
    const std::string& raw = file_cache[path];
    const auto b = std::stoull(row[col["byte_start"]]), e = std::stoull(row[col["byte_end"]]);
    ASSERT_LE(b, e);
    ASSERT_LE(e, raw.size());
    EXPECT_EQ(row[col["text"]], raw.substr(b, e - b)) << path << " " << b << ".." << e;
    const auto line = 1 + std::count(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(b), '\n');
    EXPECT_EQ(row[col["line"]], std::to_string(line)) << path << " byte " << b;
    const std::string content = content_of(row[col["text"]]);
    if (content == s_content) {
      sentence_phrase.insert(id);
      sentence_docs.insert(path);
    } else if (content == v_content) {
      variant_phrase.insert(id);
    }
  }
  for (const auto& [id, n] : rows_of_phrase)
    EXPECT_EQ(std::to_string(n), occ_of_phrase[id]) << "one row per location of phrase " << id;

  ASSERT_EQ(sentence_phrase.size(), 1u) << "the planted sentence belongs to one phrase";
  EXPECT_EQ(sentence_docs.size(), 4u);
  EXPECT_EQ(variant_phrase, sentence_phrase) << "the one-character variant is listed under the same phrase";
  EXPECT_EQ(docs_of_phrase[*sentence_phrase.begin()], "5") << "4 documents + 1 with the variant";
  EXPECT_EQ(occ_of_phrase[*sentence_phrase.begin()], "5");
  EXPECT_EQ(rows_of_phrase.size(), 1u) << "random sentences do not recur";

  // The JSON report of the same run agrees: the planted sentence's variant has 4 documents.
  const JsonRun j = run_phrases_json(tmp, {dir.string(), "--unit", "sentence"});
  REQUIRE_REPORT(j);
  expect_phrases_shape(j.report, 3, 10);
  expect_locations_match_files(j.report);
  const auto found = phrases_equal(j.report, s_content);
  ASSERT_EQ(found.size(), 1u) << texts_of(j.report);
  const std::string written = join(Para(sentence.begin(), sentence.end() - 1));  // without 。
  const std::string written_variant = join(Para(variant.begin(), variant.end() - 1));
  const Json* v = variant_with_text(*found.front(), written);
  const Json* w = variant_with_text(*found.front(), written_variant);
  ASSERT_NE(v, nullptr) << (*found.front())["variants"].dump();
  ASSERT_NE(w, nullptr) << (*found.front())["variants"].dump();
  EXPECT_EQ(get_u64(*v, "documents"), 4u);
  EXPECT_EQ(get_u64(*w, "documents"), 1u);
}

TEST(PhrasesCli, OutputIsIdenticalForOneAndTwoThreads) {
  PlantedCorpus c;
  for (const char* unit : {"span", "sentence"}) {
    SCOPED_TRACE(unit);
    const JsonRun a = run_phrases_json(c.tmp, {c.dir.string(), "--unit", unit, "--min-chars", "12", "--threads", "1"}, "t1.json");
    const JsonRun b = run_phrases_json(c.tmp, {c.dir.string(), "--unit", unit, "--min-chars", "12", "--threads", "2"}, "t2.json");
    REQUIRE_REPORT(a);
    REQUIRE_REPORT(b);
    EXPECT_EQ(raw_without_timings(a.raw), raw_without_timings(b.raw));
    EXPECT_EQ(without_timings(a.report), without_timings(b.report));
  }
  // The text and CSV formats too.
  for (const char* format : {"text", "csv"}) {
    const RunResult a = run_recur({"phrases", c.dir.string(), "--format", format, "--threads", "1", "--color", "never"});
    const RunResult b = run_recur({"phrases", c.dir.string(), "--format", format, "--threads", "2", "--color", "never"});
    ASSERT_EQ(a.status, 0) << describe(a);
    ASSERT_EQ(b.status, 0) << describe(b);
    if (std::string(format) == "csv") {
      EXPECT_EQ(a.out, b.out);
    } else {
      // The summary line shows the time taken.
      static const std::regex secs(R"([0-9]+\.[0-9]+ s)");
      EXPECT_EQ(std::regex_replace(a.out, secs, "T"), std::regex_replace(b.out, secs, "T"));
    }
  }
}

TEST(PhrasesCli, BadInputsAreSkippedAndCounted) {
  SloganCorpus c;
  const std::string empty = c.tmp.file("empty.txt"), bin = c.tmp.file("binary.txt"),
                    missing = c.tmp.file("missing.txt");
  write_file(empty, "");
  write_file(bin, std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0", 20) + std::string(200, '\0'));
  std::vector<std::string> args = c.files;
  args.insert(args.begin() + 2, empty);
  args.insert(args.begin() + 5, bin);
  args.insert(args.begin() + 7, missing);
  const JsonRun j = run_phrases_json(c.tmp, args);
  REQUIRE_REPORT(j);
  expect_phrases_shape(j.report, 3, 10);
  const Json& st = j.report["stats"];
  EXPECT_EQ(get_u64(st, "files"), c.files.size() + 3);
  EXPECT_EQ(get_u64(st, "files_read"), c.files.size());
  EXPECT_EQ(get_u64(st, "files_skipped"), 3u);
  EXPECT_EQ(get_u64(st, "files"), get_u64(st, "files_read") + get_u64(st, "files_skipped"));
  std::set<std::string> skipped;
  for (const auto& s : j.report["skipped"]) {
    EXPECT_TRUE(s.contains("reason") && s["reason"].is_string() && !s["reason"].get<std::string>().empty())
        << s.dump();
    skipped.insert(s["path"].get<std::string>());
  }
  EXPECT_EQ(skipped, (std::set<std::string>{empty, bin, missing}));
  for (const auto& p : {empty, bin, missing}) EXPECT_TRUE(contains(j.run.err, p)) << "stderr names " << p;
  // The good files still give their phrase.
  bool found = false;
  for (const auto& p : j.report["phrases"]) found = found || variant_with_text(p, kZuo) != nullptr;
  EXPECT_TRUE(found) << texts_of(j.report);

  // Only bad inputs: exit status 1.
  const RunResult r = run_recur({"phrases", empty, bin, missing, "--format", "json"});
  EXPECT_TRUE(r.exited_normally()) << describe(r);
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, missing)) << r.err;
}

TEST(PhrasesCli, NestedVariantsDoNotCountOneOccurrenceTwice) {
  // "一个党员就是…" (3 documents) and "党员就是…" (5 documents, the first 3 inside the longer
  // form) are distinct maximal spans within one edit distance limit, so they become variants of
  // one phrase. The phrase has 5 occurrences in the text, not 8: a location must not be counted
  // again inside another location of the same phrase.
  TempDir tmp;
  const std::string slogan = "党员就是一面旗帜一个支部就是一个堡垒";
  int n = 0;
  for (const char* pre : {"甲乙", "丙丁", "戊己"})
    write_file(tmp.path() / "docs" / ("a" + std::to_string(++n) + ".txt"), std::string(pre) + "一个" + slogan + std::to_string(n) + "尾\n");
  for (const char* pre : {"庚", "辛"})
    write_file(tmp.path() / "docs" / ("b" + std::to_string(++n) + ".txt"), std::string(pre) + slogan + std::to_string(n) + "末\n");
  const JsonRun j = run_phrases_json(tmp, {(tmp.path() / "docs").string()});
  REQUIRE_REPORT(j);
  expect_locations_match_files(j.report);
  for (const auto& p : j.report["phrases"]) {
    // Locations of one phrase never overlap.
    std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> spans;
    for (const auto& loc : p["locations"])
      spans[loc["path"].get<std::string>()].emplace_back(get_u64(loc, "byte_start"), get_u64(loc, "byte_end"));
    for (auto& [path, v] : spans) {
      std::sort(v.begin(), v.end());
      for (std::size_t i = 1; i < v.size(); ++i)
        EXPECT_LE(v[i - 1].second, v[i].first)
            << "phrase " << p["text"] << ": overlapping locations in " << path << " at bytes "
            << v[i - 1].first << ".." << v[i - 1].second << " and " << v[i].first << ".." << v[i].second;
    }
  }
  const auto found = phrases_containing(j.report, content_of(slogan));
  ASSERT_FALSE(found.empty()) << texts_of(j.report);
  for (const Json* p : found)
    EXPECT_LE(get_u64(*p, "occurrences"), 5u)
        << "the slogan is written 5 times, no phrase holding it can occur more often:\n" << texts_of(j.report)
        << (*p)["variants"].dump();
}

// ------------------------------------------------------------------ ../shared/corpus ---------

/// The corpus' documents as recur sees them with --doc-split '综述$' --strip '##paid(begin|end)##':
/// a line ending in 综述 starts a document; whatever comes before the first such line of a file,
/// and every file without one, is a document. Markers removed.
std::vector<std::string> corpus_documents(const fs::path& dir) {
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".txt") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> docs;
  for (const auto& path : paths) {
    std::string raw = read_file(path);
    for (const std::string marker : {"##paidbegin##", "##paidend##"})
      for (std::size_t p = raw.find(marker); p != std::string::npos; p = raw.find(marker, p)) raw.erase(p, marker.size());
    std::string current;
    bool has_lines = false;
    std::size_t start = 0;
    while (start < raw.size()) {
      std::size_t end = raw.find('\n', start);
      if (end == std::string::npos) end = raw.size();
      const std::string_view line = std::string_view(raw).substr(start, end - start);
      const std::string_view suffix = "综述";
      const bool split = line.size() >= suffix.size() && line.substr(line.size() - suffix.size()) == suffix;
      if (split && has_lines) {
        docs.push_back(std::move(current));
        current.clear();
      }
      current.append(line);
      current += '\n';
      has_lines = true;
      start = end + 1;
    }
    if (has_lines) docs.push_back(std::move(current));
  }
  return docs;
}

TEST(PhrasesCli, CorpusSlogansHaveTheirDocumentCounts) {
  const fs::path corpus = shared_dir() / "corpus";
  std::error_code ec;
  if (!fs::is_directory(corpus, ec)) GTEST_SKIP() << corpus << " not found";
  TempDir tmp;
  const JsonRun j = run_phrases_json(tmp, {corpus.string(), "--doc-split", "综述$", "--strip", "##paid(begin|end)##"});
  REQUIRE_REPORT(j);
  const Json& r = j.report;
  expect_phrases_shape(r, 3, 10);
  expect_locations_match_files(r);

  const auto docs = corpus_documents(corpus);
  EXPECT_EQ(get_u64(r["stats"], "documents"), docs.size());
  std::vector<std::string> contents;
  for (const auto& d : docs) contents.push_back(content_of(d));

  for (const char* slogan : {"体制顺、机制活，则人才聚、事业兴", "好干部是选出来的，更是管出来的"}) {
    SCOPED_TRACE(slogan);
    const std::string content = content_of(slogan);
    std::size_t expected = 0;
    for (const auto& c : contents) expected += contains(c, content) ? 1 : 0;
    ASSERT_GE(expected, 3u) << "the corpus should hold the slogan in several documents";
    // The slogan is a variant of one phrase (a template may hold it with its extensions), counted
    // in every document that holds it.
    const auto found = variants_equal(r, content);
    ASSERT_EQ(found.size(), 1u) << "one variant with exactly the slogan's content";
    EXPECT_EQ(get_u64(*found.front(), "documents"), expected);
  }

  bool grouped = false;
  for (const auto& p : r["phrases"]) {
    bool zuo = false, ge = false;
    for (const auto& v : p["variants"]) {
      const std::string t = v["text"].get<std::string>();
      zuo = zuo || contains(t, "一座堡垒");
      ge = ge || contains(t, "一个堡垒");
    }
    grouped = grouped || (zuo && ge);
  }
  EXPECT_TRUE(grouped) << "一座堡垒 and 一个堡垒 forms must be variants of one phrase";
}

// ------------------------------------------------------------------ degenerate input ---------

/// `sentence` written `times` times back to back on one line (one paragraph).
std::string periodic_line(const std::string& sentence, std::size_t times) {
  std::string s;
  for (std::size_t i = 0; i < times; ++i) s += sentence;
  return s + "\n";
}

/// True when one of the report's warnings contains `word`.
bool warns(const Json& r, const char* word) {
  if (!r.contains("warnings")) return false;
  for (const auto& w : r["warnings"])
    if (contains(w.get<std::string>(), word)) return true;
  return false;
}

TEST(PhrasesCli, PeriodicTextGivesABoundedReportThatSaysWhatItFolded) {
  // The fuzz finding: three files, each one 12-character sentence 400 times on one line. The old
  // code took 70 s and wrote 83 MB (a phrase for every u^j, j = 1..400, each with all its
  // overlapping occurrences); now the unit and the whole run are the phrases.
  constexpr std::size_t kTimes = 400;
  const std::string sentence = "加强党的建设，推进改革发展。";
  TempDir tmp;
  std::uint64_t input_bytes = 0;
  for (int f = 0; f < 3; ++f) {
    const std::string body = periodic_line(sentence, kTimes);
    write_file(tmp.path() / "in" / ("doc" + std::to_string(f) + ".txt"), body);
    input_bytes += body.size();
  }
  const JsonRun j = run_phrases_json(tmp, {tmp.file("in")});
  REQUIRE_REPORT(j);
  const Json& r = j.report;
  // Bounded: every location of the unit is one line of JSON fields, a few hundred bytes, so the
  // report stays within 20 bytes per input byte (the old one was 1,800).
  EXPECT_LE(j.raw.size(), 20 * input_bytes);
  expect_phrases_shape(r, 3, 10);
  expect_locations_match_files(r);
  EXPECT_GT(get_u64(r["stats"], "periodic"), 0u);
  EXPECT_TRUE(warns(r, "periodic")) << j.raw.substr(0, 2000);

  const std::string unit = content_of(sentence);
  const std::string run = content_of(periodic_line(sentence, kTimes));
  const auto units = variants_equal(r, unit);
  ASSERT_EQ(units.size(), 1u) << "the sentence itself is a variant";
  EXPECT_EQ(get_u64(*units.front(), "occurrences"), 3 * count_in(run, unit));
  EXPECT_EQ(get_u64(*units.front(), "documents"), 3u);
  const auto runs = variants_equal(r, run);
  ASSERT_EQ(runs.size(), 1u) << "the whole run recurs in the three files";
  EXPECT_EQ(get_u64(*runs.front(), "documents"), 3u);
  EXPECT_LE(r["phrases"].size(), 4u);
}

TEST(PhrasesCli, PeriodicSingleFileWithMinDocsOneAndNoVariantsStaysSmall) {
  // 16 KB: the old code wrote 873 MB (every u^j with every occurrence, in full).
  const std::string sentence = "加强党的建设推进改革发展。";
  const std::string body = periodic_line(sentence, 16000 / sentence.size());
  TempDir tmp;
  write_file(tmp.path() / "in" / "one.txt", body);
  const JsonRun j = run_phrases_json(tmp, {tmp.file("in"), "--min-docs", "1", "--variants", "0"});
  REQUIRE_REPORT(j);
  const Json& r = j.report;
  EXPECT_LE(j.raw.size(), 20 * body.size());
  expect_phrases_shape(r, 1, 10);
  EXPECT_GT(get_u64(r["stats"], "periodic"), 0u);
  EXPECT_TRUE(warns(r, "periodic"));
  const auto units = phrases_equal(r, content_of(sentence));
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(get_u64(*units.front(), "occurrences"), count_in(content_of(body), content_of(sentence)));
}

TEST(PhrasesCli, LocationsBeyondThePerPhraseCapAreCountedNotListed) {
  // One sentence on 10,001 lines: the documented cap lists 10,000 locations per phrase (the first
  // in input order); the one left is counted in the phrase, in stats.truncated and in a warning.
  constexpr std::size_t kCap = 10000, kLines = kCap + 1;
  const std::string sentence = "加强党的建设，推进改革发展。";
  std::string body;
  for (std::size_t i = 0; i < kLines; ++i) body += sentence + "\n";
  TempDir tmp;
  write_file(tmp.path() / "in" / "one.txt", body);
  const JsonRun j = run_phrases_json(tmp, {tmp.file("in"), "--min-docs", "1"});
  REQUIRE_REPORT(j);
  const Json& r = j.report;
  expect_phrases_shape(r, 1, 10);
  const auto found = phrases_equal(r, content_of(sentence));
  ASSERT_EQ(found.size(), 1u);
  const Json& p = *found.front();
  EXPECT_EQ(get_u64(p, "occurrences"), kLines);
  EXPECT_EQ(p["locations"].size(), kCap);
  EXPECT_EQ(get_u64(p, "locations_omitted"), kLines - kCap);
  EXPECT_EQ(get_u64(p["locations"].back(), "line"), kCap) << "the first locations are listed";
  ASSERT_TRUE(r["stats"].contains("truncated")) << r["stats"].dump();
  EXPECT_EQ(get_u64(r["stats"]["truncated"], "locations_omitted"), kLines - kCap);
  EXPECT_EQ(get_u64(r["stats"]["truncated"], "phrases_omitted"), 0u);
  EXPECT_TRUE(warns(r, "capped"));
}

TEST(PhrasesCli, OrdinaryInputReportsNoCapAndNoFolding) {
  const fs::path corpus = shared_dir() / "corpus";
  std::error_code ec;
  if (!fs::is_directory(corpus, ec)) GTEST_SKIP() << corpus << " not found";
  TempDir tmp;
  const JsonRun j = run_phrases_json(tmp, {corpus.string(), "--doc-split", "综述$"});
  REQUIRE_REPORT(j);
  const Json& st = j.report["stats"];
  EXPECT_FALSE(st.contains("truncated")) << st.dump();
  EXPECT_FALSE(st.contains("periodic")) << st.dump();
  for (const auto& p : j.report["phrases"]) EXPECT_FALSE(p.contains("locations_omitted"));
}

}  // namespace
