// Tests for fingerprint.hpp: making, writing, reading and comparing parameter fingerprints.
#include "recur/fingerprint.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "recur/error.hpp"
#include "recur/lsh.hpp"
#include "recur/run.hpp"

namespace {

using recur::Fingerprint;

// The fingerprint a default run makes.
Fingerprint current() { return recur::make_fingerprint(recur::ReportOptions{}); }

// The message parse_fingerprint() throws for `text`, or "" when it parses.
std::string parse_error(const std::string& text) {
  try {
    recur::parse_fingerprint(text);
  } catch (const recur::Error& e) {
    EXPECT_EQ(e.code(), recur::errc::input) << text;
    return e.what();
  }
  return "";
}

TEST(Fingerprint, OfTheDefaultOptionsHasTheDocumentedDefaults) {
  const Fingerprint f = current();
  EXPECT_EQ(f.format, 2);
  EXPECT_EQ(f.format, recur::kFormatVersion);
  EXPECT_TRUE(f.casefold);
  EXPECT_FALSE(f.simplify);
  EXPECT_TRUE(f.strip.empty());
  EXPECT_EQ(f.doc_split, "");
  EXPECT_EQ(f.paragraphs, recur::ParagraphMode::automatic);
  EXPECT_EQ(f.align_seed, 6u);   // AlignOptions::seed
  EXPECT_EQ(f.seed_sample, 8u);  // recur index --sample
  EXPECT_EQ(f.shingle_size, 2u);
  EXPECT_EQ(f.shingle_seed, 0u);
  EXPECT_EQ(f.scheme, recur::MinHashScheme::one_permutation);
  EXPECT_EQ(f.perms, 128u);
  EXPECT_EQ(f.minhash_seed, 1u);
  // 30 x 4 at 128 permutations and threshold 0.5, as lsh.hpp documents.
  EXPECT_EQ(f.bands, 30u);
  EXPECT_EQ(f.rows, 4u);
  EXPECT_EQ(f.recur_version, recur::version());
  // Fingerprint{} describes the same run (apart from the version it cannot know).
  Fingerprint plain;
  plain.recur_version = recur::version();
  EXPECT_EQ(plain, f);
}

// The canonical text, written out by hand: sorted keys, no spaces. Stored fingerprints are
// compared as text too, so a change of spelling here makes every stored archive unreadable.
TEST(Fingerprint, CanonicalTextOfTheDefaultsIsPinned) {
  const std::string expected =
      std::string(R"({"align_seed":6,"casefold":true,"doc_split":"","format":2,"lsh_bands":30,"lsh_rows":4,)") +
      R"("minhash_perms":128,"minhash_scheme":"oph","minhash_seed":1,"paragraphs":"auto",)" +
      R"("recur_version":")" + recur::version() +
      R"(","seed_sample":8,"shingle_seed":0,"shingle_size":2,"simplify":false,"strip":[]})";
  EXPECT_EQ(recur::to_text(current()), expected);
}

TEST(Fingerprint, FollowsEveryOptionItRecords) {
  recur::ReportOptions o;
  o.input.normalize.casefold = false;
  o.input.normalize.simplify = true;
  o.input.strip = {"b+", "##a##", "b+"};
  o.input.doc_split = "综述$";
  o.input.paragraphs = recur::ParagraphMode::lines;
  o.shingle.size = 3;
  o.shingle.seed = 9;
  o.minhash.scheme = recur::MinHashScheme::classic;
  o.minhash.perms = 64;
  o.minhash.seed = 42;
  o.lsh.threshold = 0.8;
  const Fingerprint f = recur::make_fingerprint(o);
  EXPECT_FALSE(f.casefold);
  EXPECT_TRUE(f.simplify);
  // Sorted, without repeats: the matches of all patterns are merged, so order does not matter.
  EXPECT_EQ(f.strip, (std::vector<std::string>{"##a##", "b+"}));
  EXPECT_EQ(f.doc_split, "综述$");
  EXPECT_EQ(f.paragraphs, recur::ParagraphMode::lines);
  EXPECT_EQ(f.shingle_size, 3u);
  EXPECT_EQ(f.shingle_seed, 9u);
  EXPECT_EQ(f.scheme, recur::MinHashScheme::classic);
  EXPECT_EQ(f.perms, 64u);
  EXPECT_EQ(f.minhash_seed, 42u);
  // Bands and rows as the run resolves them from --threshold.
  const recur::LshParams p = recur::resolve_params(64, o.lsh);
  EXPECT_EQ(f.bands, p.bands);
  EXPECT_EQ(f.rows, p.rows);
  EXPECT_NE(f.bands, 30u);  // the threshold mattered
  // Options that do not change stored data leave it alone.
  recur::ReportOptions other;
  other.min_chars = 50;
  other.verify = false;
  other.threads = 3;
  other.max_bucket = 7;
  other.input.decode.encoding = "gb18030";
  other.input.glob = "*.md";
  EXPECT_EQ(recur::make_fingerprint(other), current());
}

TEST(Fingerprint, OfInvalidOptionsIsRefused) {
  recur::ReportOptions o;
  o.minhash.perms = 0;
  EXPECT_THROW(recur::make_fingerprint(o), recur::Error);
}

TEST(Fingerprint, RoundTripsThroughItsText) {
  std::vector<Fingerprint> cases;
  cases.push_back(current());
  Fingerprint f;
  f.casefold = false;
  f.simplify = true;
  f.strip = {"##paid(begin|end)##", "it's \"quoted\"\\", "[\\p{Han}]{2}注"};
  f.doc_split = "^第[一二三]章$";
  f.paragraphs = recur::ParagraphMode::indent;
  f.align_seed = 64;
  f.seed_sample = 65536;
  f.shingle_size = 16;
  f.shingle_seed = UINT64_MAX;  // 64-bit seeds must survive JSON numbers exactly
  f.scheme = recur::MinHashScheme::classic;
  f.perms = 1024;
  f.minhash_seed = 0x8000000000000001ull;
  f.bands = 1024;
  f.rows = 1;
  f.recur_version = "0.1.0-dev";
  cases.push_back(f);
  for (const auto& c : cases) {
    const std::string text = recur::to_text(c);
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    const Fingerprint back = recur::parse_fingerprint(text);
    EXPECT_EQ(back, c) << text;
    EXPECT_EQ(recur::to_text(back), text);
    EXPECT_EQ(recur::compatibility(back, c), "");
  }
  // Any key order and spacing is read; the text written is always the same.
  const std::string loose = R"({ "strip": [], "simplify": false, "shingle_size": 2, "shingle_seed": 0,
      "recur_version": "x", "paragraphs": "auto", "minhash_seed": 1, "minhash_scheme": "oph",
      "minhash_perms": 128, "lsh_rows": 4, "lsh_bands": 30, "format": 2, "doc_split": "",
      "casefold": true, "seed_sample": 8, "align_seed": 6 })";
  Fingerprint expected;
  expected.recur_version = "x";
  EXPECT_EQ(recur::parse_fingerprint(loose), expected);
}

TEST(Fingerprint, EqualOptionsGiveEqualText) {
  recur::ReportOptions a, b;
  a.input.strip = {"x", "y"};
  b.input.strip = {"y", "x", "y"};
  EXPECT_EQ(recur::to_text(recur::make_fingerprint(a)), recur::to_text(recur::make_fingerprint(b)));
}

struct Mismatch {
  const char* field;
  std::function<void(Fingerprint&)> change;  // applied to the stored fingerprint
  std::string message;
};

TEST(FingerprintCompatibility, SameOptionsAreCompatibleWhateverTheVersion) {
  Fingerprint stored = current();
  EXPECT_EQ(recur::compatibility(stored, current()), "");
  stored.recur_version = "0.0.1";  // information only
  EXPECT_EQ(recur::compatibility(stored, current()), "");
}

TEST(FingerprintCompatibility, EveryFieldMismatchIsNamedInTheOptionsOwnWords) {
  const std::vector<Mismatch> cases = {
      {"casefold", [](Fingerprint& f) { f.casefold = false; },
       "the archive was built with no case folding (NFKC); this run uses case folding (NFKC_Casefold)"},
      {"simplify", [](Fingerprint& f) { f.simplify = true; },
       "the archive was built with --simplify; this run uses no --simplify"},
      {"strip", [](Fingerprint& f) { f.strip = {"##ad##", "it's"}; },
       "the archive was built with --strip '##ad##' --strip 'it'\\''s'; this run uses no --strip"},
      {"doc_split", [](Fingerprint& f) { f.doc_split = "综述$"; },
       "the archive was built with --doc-split '综述$'; this run uses no --doc-split"},
      {"paragraphs", [](Fingerprint& f) { f.paragraphs = recur::ParagraphMode::lines; },
       "the archive was built with --paragraphs lines; this run uses --paragraphs auto"},
      {"align_seed", [](Fingerprint& f) { f.align_seed = 5; },
       "the archive was built with --seed 5; this run uses --seed 6"},
      {"seed_sample", [](Fingerprint& f) { f.seed_sample = 16; },
       "the archive was built with --sample 16; this run uses --sample 8"},
      {"shingle_size", [](Fingerprint& f) { f.shingle_size = 3; },
       "the archive was built with --shingle 3; this run uses --shingle 2"},
      {"shingle_seed", [](Fingerprint& f) { f.shingle_seed = 5; },
       "the archive was built with shingle seed 5; this run uses shingle seed 0"},
      {"scheme", [](Fingerprint& f) { f.scheme = recur::MinHashScheme::classic; },
       "the archive was built with --minhash classic; this run uses --minhash oph"},
      {"perms", [](Fingerprint& f) { f.perms = 256; },
       "the archive was built with --perms 256; this run uses --perms 128"},
      {"minhash_seed", [](Fingerprint& f) { f.minhash_seed = 18446744073709551615ull; },
       "the archive was built with --seed 18446744073709551615; this run uses --seed 1"},
      {"bands", [](Fingerprint& f) { f.bands = 20; },
       "the archive was built with --bands 20; this run uses --bands 30"},
      {"rows", [](Fingerprint& f) { f.rows = 3; },
       "the archive was built with --rows 3; this run uses --rows 4"},
  };
  for (const auto& c : cases) {
    Fingerprint stored = current();
    c.change(stored);
    EXPECT_EQ(recur::compatibility(stored, current()), c.message) << c.field;
    // The stored side survives its text form with the difference intact.
    EXPECT_EQ(recur::compatibility(recur::parse_fingerprint(recur::to_text(stored)), current()), c.message)
        << c.field;
  }
}

TEST(FingerprintCompatibility, NamesTheFirstDifferenceInPipelineOrderAndTheStoredThing) {
  Fingerprint stored = current();
  stored.perms = 64;
  stored.shingle_size = 4;
  stored.simplify = true;
  EXPECT_EQ(recur::compatibility(stored, current(), "index.db"),
            "index.db was built with --simplify; this run uses no --simplify");
  // Strip patterns compare as sets, as make_fingerprint() records them.
  Fingerprint a = current(), b = current();
  a.strip = {"x", "y"};
  b.strip = {"y", "x"};
  EXPECT_EQ(recur::compatibility(a, b), "");
}

TEST(FingerprintCompatibility, AnotherFormatVersionIsNamedBeforeAnyOption) {
  // A newer recur's fingerprint: its other keys are not this format's business.
  const Fingerprint newer =
      recur::parse_fingerprint(R"({"format":3,"recur_version":"9.0.0","shingle":{"size":"two"}})");
  EXPECT_EQ(newer.format, 3);
  EXPECT_EQ(newer.recur_version, "9.0.0");
  Fingerprint now = current();
  now.recur_version = "0.1.0";
  EXPECT_EQ(recur::compatibility(newer, now),
            "the archive was written in format 3 by recur 9.0.0; this recur (0.1.0) reads format 2: use a newer recur");
  // An older store (format 1, before the archive's seeds), seen by this recur.
  const Fingerprint format1 = recur::parse_fingerprint(
      R"({"casefold":true,"doc_split":"","format":1,"lsh_bands":30,"lsh_rows":4,"minhash_perms":128,)"
      R"("minhash_scheme":"oph","minhash_seed":1,"paragraphs":"auto","recur_version":"0.1.0","shingle_seed":0,)"
      R"("shingle_size":2,"simplify":false,"strip":[]})");
  EXPECT_EQ(recur::compatibility(format1, now),
            "the archive was written in format 1 by recur 0.1.0; this recur (0.1.0) reads format 2: rebuild it with "
            "this recur");
  // An older store, seen by a future recur of format 3.
  Fingerprint old_store = current(), future = current();
  old_store.recur_version = "0.1.0";
  old_store.perms = 64;  // the format is named first, whatever else differs
  future.format = 3;
  future.recur_version = "2.0.0";
  EXPECT_EQ(recur::compatibility(old_store, future),
            "the archive was written in format 2 by recur 0.1.0; this recur (2.0.0) reads format 3: rebuild it with "
            "this recur");
}

TEST(FingerprintParse, RejectsMalformedTextWithAMessageNamingTheProblem) {
  const std::string good = recur::to_text(current());
  auto with = [&](const std::string& key, const std::string& value) {  // `good` with one value replaced
    auto j = nlohmann::json::parse(good);
    if (value.empty()) j.erase(key);
    else j[key] = nlohmann::json::parse(value);
    return j.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not JSON"},
      {"shingle_size=2", "not JSON"},
      {good.substr(0, good.size() - 1), "not JSON"},  // truncated
      {"[1, 2]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {"{}", "\"format\" is missing"},
      {R"({"format": "1"})", "\"format\" must be a whole number"},
      {R"({"format": 0})", "\"format\" must be between 1"},
      {R"({"format": 1.5})", "\"format\" must be a whole number"},
      {with("perms", "128"), "unknown key \"perms\""},
      {with("minhash_perms", ""), "\"minhash_perms\" is missing"},
      {with("recur_version", ""), "\"recur_version\" is missing"},
      {with("shingle_size", "\"2\""), "\"shingle_size\" must be a whole number"},
      {with("shingle_size", "-2"), "\"shingle_size\" must be a whole number"},
      {with("shingle_size", "17"), "\"shingle_size\" must be between 1 and 16, not 17"},
      {with("align_seed", "1"), "\"align_seed\" must be between 2 and 64, not 1"},
      {with("seed_sample", "0"), "\"seed_sample\" must be between 1 and 65536, not 0"},
      {with("seed_sample", ""), "\"seed_sample\" is missing"},
      {with("minhash_perms", "0"), "\"minhash_perms\" must be between 1 and 1024, not 0"},
      {with("minhash_seed", "1.0"), "\"minhash_seed\" must be a whole number"},
      {with("casefold", "1"), "\"casefold\" must be true or false"},
      {with("simplify", "null"), "\"simplify\" must be true or false"},
      {with("strip", "\"##a##\""), "\"strip\" must be an array of strings"},
      {with("strip", "[\"a\", 3]"), "\"strip\" must be an array of strings"},
      {with("doc_split", "false"), "\"doc_split\" must be a string"},
      {with("paragraphs", "\"words\""), "\"paragraphs\" must be auto, indent or lines, not \"words\""},
      {with("minhash_scheme", "\"minhash\""), "\"minhash_scheme\" must be classic or oph, not \"minhash\""},
      {with("lsh_bands", "100"), "lsh_bands x lsh_rows (100 x 4) exceeds minhash_perms (128)"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string message = parse_error(text);
    EXPECT_NE(message.find("malformed parameter fingerprint: "), std::string::npos) << text << " -> " << message;
    EXPECT_NE(message.find(expected), std::string::npos) << text << " -> " << message;
  }
  EXPECT_EQ(parse_error(good), "");
}

}  // namespace
