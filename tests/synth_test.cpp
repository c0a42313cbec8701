// recur synth (planted-reuse corpora) and recur eval (pairwise scores).
#include "recur/synth.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "recur/pan.hpp"
#include "recur/text.hpp"

namespace {

using recur::evaluate;
using recur::PlantedParagraph;
using recur::PredictedCluster;
using recur::SynthOptions;
using recur::synthesize;
using recur::TruthEntry;

struct Corpus {
  std::vector<std::string> docs;
  std::vector<std::vector<PlantedParagraph>> planted;
};

Corpus generate(const SynthOptions& o) {
  Corpus c;
  synthesize(o, [&](std::uint64_t index, const std::string& text, const std::vector<PlantedParagraph>& planted) {
    EXPECT_EQ(index, c.docs.size());
    c.docs.push_back(text);
    c.planted.push_back(planted);
  });
  return c;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

SynthOptions small() {
  SynthOptions o;
  o.size = 400'000;
  o.document_bytes = 20'000;
  o.family_rate = 0.05;
  return o;
}

TEST(Synth, SameSeedSameCorpusOtherSeedOtherCorpus) {
  const Corpus a = generate(small()), b = generate(small());
  EXPECT_EQ(a.docs, b.docs);
  SynthOptions o = small();
  o.seed = 8;
  EXPECT_NE(generate(o).docs, a.docs);
}

TEST(Synth, WritesAtLeastTheRequestedSizeInDocumentsOfTheRequestedSize) {
  const SynthOptions o = small();
  const Corpus c = generate(o);
  std::uint64_t total = 0;
  for (const auto& d : c.docs) {
    EXPECT_GE(d.size(), o.document_bytes);
    EXPECT_LT(d.size(), o.document_bytes + 2000);  // one paragraph past the target at most
    total += d.size();
  }
  EXPECT_GE(total, o.size);
  EXPECT_LT(total, o.size + o.document_bytes + 2000);
}

TEST(Synth, PlantedLinesAreFamiliesOfEditedCopiesAtTheStatedRates) {
  const Corpus c = generate(small());
  std::map<std::uint64_t, std::string> original;
  std::size_t copies = 0, exact_copies = 0;
  for (std::size_t d = 0; d < c.docs.size(); ++d) {
    const auto lines = lines_of(c.docs[d]);
    for (const auto& p : c.planted[d]) {
      ASSERT_EQ(p.document, d);
      ASSERT_GE(p.line, 1u);
      ASSERT_LE(p.line, lines.size());
      const std::string& text = lines[p.line - 1];
      if (p.edit_rate == 0 && !original.count(p.family)) {
        original[p.family] = text;  // the original comes first
        continue;
      }
      ASSERT_TRUE(original.count(p.family)) << "copy before its original, family " << p.family;
      ++copies;
      if (text == original[p.family]) ++exact_copies;
      if (p.edit_rate >= 0.08) EXPECT_NE(text, original[p.family]) << "a copy edited at " << p.edit_rate;
    }
  }
  EXPECT_GT(original.size(), 20u);
  EXPECT_GT(copies, original.size());  // 1..4 copies per family, most of them placed
  EXPECT_LT(exact_copies, copies);
}

TEST(Synth, ValidateRejectsBadOptions) {
  SynthOptions o;
  EXPECT_TRUE(o.validate().empty());
  o.size = 0;
  EXPECT_FALSE(o.validate().empty());
  o = SynthOptions{};
  o.edit_rates = {1.5};
  EXPECT_FALSE(o.validate().empty());
}

// Known answer from recur before the density options existed (`recur synth --size 400000
// --doc-size 20000 --seed 7`, FNV-1a 64 of the documents in order): the defaults must still make
// the same corpus, so cached benchmark corpora stay comparable.
TEST(Synth, DefaultOptionsMakeTheSameCorpusAsBeforeTheDensityOptions) {
  SynthOptions o;
  o.size = 400'000;
  o.document_bytes = 20'000;
  const Corpus c = generate(o);
  std::uint64_t h = 0xcbf29ce484222325ULL, bytes = 0;
  for (const auto& d : c.docs)
    for (unsigned char ch : d) {
      h = (h ^ ch) * 0x100000001b3ULL;
      ++bytes;
    }
  EXPECT_EQ(bytes, 404386u);
  EXPECT_EQ(h, 0x6db5c4c97dca7e1cULL);
}

// Paragraphs per family, and the share of all paragraphs that are planted.
struct Density {
  std::map<std::uint64_t, std::size_t> family_sizes;
  std::size_t paragraphs = 0, planted = 0;
};

Density density_of(const Corpus& c) {
  Density d;
  for (std::size_t i = 0; i < c.docs.size(); ++i) {
    d.paragraphs += lines_of(c.docs[i]).size();
    d.planted += c.planted[i].size();
    for (const auto& p : c.planted[i]) ++d.family_sizes[p.family];
  }
  return d;
}

TEST(Synth, WithReuseMakesThatShareOfParagraphsFamiliesOfTheGivenSizes) {
  for (double reuse : {0.2, 0.5, 0.7}) {
    SynthOptions o;
    o.size = 2'000'000;
    o.document_bytes = 20'000;
    o.min_copies = 1;  // families of 2..8
    o.max_copies = 7;
    ASSERT_TRUE(o.with_reuse(reuse).empty());
    ASSERT_TRUE(o.validate().empty());
    const Density d = density_of(generate(o));
    const double share = static_cast<double>(d.planted) / static_cast<double>(d.paragraphs);
    EXPECT_NEAR(share, reuse, 0.05) << "reuse " << reuse;
    std::size_t in_range = 0, too_big = 0;
    for (const auto& [f, n] : d.family_sizes) {
      in_range += n >= 2 && n <= 8;
      too_big += n > 8;
    }
    EXPECT_EQ(too_big, 0u);
    // Families begun near the end have copies still pending when the corpus is complete.
    EXPECT_GT(in_range, d.family_sizes.size() * 95 / 100) << "reuse " << reuse;
  }
  SynthOptions o;
  EXPECT_FALSE(o.with_reuse(0.9).empty());
  EXPECT_FALSE(o.with_reuse(-0.1).empty());
  EXPECT_DOUBLE_EQ(o.family_rate, SynthOptions{}.family_rate);  // unchanged on error
}

TEST(Synth, FamilySizesFollowMinAndMaxCopies) {
  SynthOptions o = small();
  o.min_copies = 3;  // families of 4..5
  o.max_copies = 4;
  o.take_rate = 1;
  std::map<std::size_t, std::size_t> sizes;
  for (const auto& [f, n] : density_of(generate(o)).family_sizes) ++sizes[n];
  std::size_t small_families = 0;
  for (const auto& [n, count] : sizes) {
    EXPECT_LE(n, 5u);
    if (n < 4) small_families += count;
  }
  EXPECT_GT(sizes[4] + sizes[5], 10 * small_families);
  o.min_copies = 5;  // more than max_copies
  EXPECT_FALSE(o.validate().empty());
}

TEST(Synth, StockParagraphsAreTheLinesWithEnoughChineseCharacters) {
  const auto stock = recur::stock_paragraphs({"\u3000\u3000坚持稳中求进，推动高质量发展。\n短行。\r\n", "一二 三四五"}, 5);
  ASSERT_EQ(stock.size(), 2u);
  EXPECT_EQ(stock[0], U"坚持稳中求进，推动高质量发展。");  // indent trimmed
  EXPECT_EQ(stock[1], U"一二三四五");                    // spaces dropped; 短行。 is too short
  const std::u32string chain = recur::vocabulary_chain({"ab坚持，稳中\n求进"});
  EXPECT_EQ(chain, std::u32string(U"坚持") + char32_t{0} + U"稳中" + char32_t{0} + U"求进" + char32_t{0});
}

// Jaccard of character bigrams of two lines, punctuation and indent left out.
double bigram_jaccard(const std::string& a, const std::string& b) {
  auto grams = [](const std::string& t) {
    std::u32string cs;
    for (std::size_t i = 0; i < t.size();) {
      const char32_t c = recur::next_code_point(t, i);
      if (recur::is_cjk(c)) cs += c;
    }
    std::vector<std::u32string> g;
    for (std::size_t i = 0; i + 1 < cs.size(); ++i) g.push_back(cs.substr(i, 2));
    std::sort(g.begin(), g.end());
    g.erase(std::unique(g.begin(), g.end()), g.end());
    return g;
  };
  const auto ga = grams(a), gb = grams(b);
  std::vector<std::u32string> common;
  std::set_intersection(ga.begin(), ga.end(), gb.begin(), gb.end(), std::back_inserter(common));
  const double uni = static_cast<double>(ga.size() + gb.size() - common.size());
  return uni == 0 ? 0 : static_cast<double>(common.size()) / uni;
}

TEST(Synth, StockMakesBackgroundParagraphsLooseVariantsOfRealOnes) {
  SynthOptions o = small();
  o.family_rate = 0;
  std::mt19937_64 rng(3);
  for (int k = 0; k < 40; ++k) {  // 40 "real" paragraphs of 60 characters
    std::u32string p;
    for (int i = 0; i < 60; ++i) p += static_cast<char32_t>(0x4E00 + rng() % 2000);
    o.stock.push_back(p + U"。");
  }
  o.chain = recur::vocabulary_chain({[&] {
    std::string t;
    for (const auto& p : o.stock)
      for (char32_t c : p) recur::append_utf8(t, c);
    return t;
  }()});
  auto best_match = [&](const std::string& line) {  // highest Jaccard with a stock paragraph
    double best = 0;
    for (const auto& p : o.stock) {
      std::string u;
      for (char32_t c : p) recur::append_utf8(u, c);
      best = std::max(best, bigram_jaccard(line, u));
    }
    return best;
  };
  auto lines = [&] {
    const Corpus c = generate(o);
    return lines_of(c.docs[0]);
  };
  for (const auto& line : lines()) EXPECT_LT(best_match(line), 0.02);  // stock_share 0: unrelated
  o.stock_share = 1;
  o.stock_edit = 0.3;
  std::size_t related = 0, total = 0, clones = 0;
  for (const auto& line : lines()) {
    const double j = best_match(line);
    ++total;
    related += j > 0.02;
    clones += j > 0.7;
  }
  EXPECT_EQ(related, total) << "every background paragraph is a variant of a stock paragraph";
  EXPECT_LT(clones * 10, total) << "heavily edited: few are near-copies";
  o.stock.clear();  // a share without stock
  EXPECT_FALSE(o.validate().empty());
}

TEST(Eval, CountsPairsPrecisionRecallAndFamilies) {
  // Family 1: a.txt:1 (0), a.txt:2 (0.04), b.txt:1 (0.12). Family 2: b.txt:2 (0), b.txt:3 (0.08).
  const std::vector<TruthEntry> truth = {{1, "a.txt", 1, 0.0}, {1, "a.txt", 2, 0.04}, {1, "b.txt", 1, 0.12},
                                         {2, "b.txt", 2, 0.0}, {2, "b.txt", 3, 0.08}};
  // One cluster finds two of family 1 plus a background paragraph; another holds family 2 and
  // the third paragraph of family 1.
  const std::vector<PredictedCluster> clusters = {
      {{{"a.txt", 1}, {"a.txt", 2}, {"c.txt", 9}}},
      {{{"b.txt", 1}, {"b.txt", 2}, {"b.txt", 3}}},
  };
  const auto ev = evaluate(clusters, truth);
  EXPECT_EQ(ev.true_pairs, 3u + 1u);
  EXPECT_EQ(ev.predicted_pairs, 3u + 3u);
  EXPECT_EQ(ev.correct_pairs, 1u + 1u);
  EXPECT_DOUBLE_EQ(ev.precision, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(ev.recall, 2.0 / 4.0);
  EXPECT_EQ(ev.families, 2u);
  EXPECT_EQ(ev.families_split, 1u);
  EXPECT_EQ(ev.clusters_merging, 1u);
  EXPECT_EQ(ev.planted_unclustered, 0u);
  // By the larger rate of each pair: family 1 pairs are (0,.04)->.04, (0,.12)->.12, (.04,.12)->.12;
  // family 2's pair -> .08. Found: (a1,a2)->.04 and (b2,b3)->.08.
  EXPECT_EQ(ev.by_edit_rate.at(0.04), std::make_pair(std::uint64_t{1}, std::uint64_t{1}));
  EXPECT_EQ(ev.by_edit_rate.at(0.08), std::make_pair(std::uint64_t{1}, std::uint64_t{1}));
  EXPECT_EQ(ev.by_edit_rate.at(0.12), std::make_pair(std::uint64_t{2}, std::uint64_t{0}));
}

TEST(Eval, PerfectClustersScoreOne) {
  const std::vector<TruthEntry> truth = {{1, "a", 1, 0}, {1, "a", 5, 0.12}, {2, "b", 1, 0}, {2, "c", 1, 0.04}};
  const auto ev = evaluate({{{{"a", 1}, {"a", 5}}}, {{{"b", 1}, {"c", 1}}}}, truth);
  EXPECT_DOUBLE_EQ(ev.precision, 1.0);
  EXPECT_DOUBLE_EQ(ev.recall, 1.0);
  EXPECT_DOUBLE_EQ(ev.f1, 1.0);
  EXPECT_EQ(ev.families_split, 0u);
  EXPECT_EQ(ev.clusters_merging, 0u);
}

// ---------------------------------------------------------------- passages (PAN) -------------

using recur::PassagePair;
using recur::PassageSynthOptions;

std::vector<PassagePair> generate_pairs(const PassageSynthOptions& o) {
  std::vector<PassagePair> out;
  recur::synthesize_passages(o, [&](const PassagePair& p) {
    EXPECT_EQ(p.index, out.size());
    out.push_back(p);
  });
  return out;
}

PassageSynthOptions few_pairs() {
  PassageSynthOptions o;
  o.pairs = 60;
  o.document_chars = 2000;
  return o;
}

std::u32string code_points(const std::string& utf8) {
  std::u32string out;
  for (std::size_t i = 0; i < utf8.size();) out += recur::next_code_point(utf8, i);
  return out;
}

std::size_t levenshtein(const std::u32string& a, const std::u32string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

TEST(SynthPassages, TruthOffsetsPointAtThePlantedText) {
  const auto pairs = generate_pairs(few_pairs());
  std::size_t exact = 0, swapped_only = 0, edited = 0, one_sentence = 0, multi_paragraph = 0;
  std::map<double, std::size_t> rates;
  for (const auto& p : pairs) {
    const std::u32string susp = code_points(p.susp_text), src = code_points(p.src_text);
    for (const auto& x : p.passages) {
      ASSERT_LE(x.this_offset + x.this_length, susp.size());
      ASSERT_LE(x.source_offset + x.source_length, src.size());
      const std::u32string copy = susp.substr(x.this_offset, x.this_length);
      const std::u32string orig = src.substr(x.source_offset, x.source_length);
      // The source side is whole sentences: it starts after an indent or a 。 and ends with 。.
      ASSERT_GT(x.source_offset, 0u);
      EXPECT_TRUE(src[x.source_offset - 1] == U'\u3000' || src[x.source_offset - 1] == U'。');
      EXPECT_EQ(orig.back(), U'。');
      EXPECT_EQ(x.edits, static_cast<std::uint64_t>(std::llround(x.edit_rate * static_cast<double>(orig.size()))));
      ++rates[x.edit_rate];
      one_sentence += x.sentences == 1;
      multi_paragraph += x.paragraphs >= 2;
      if (x.edit_rate == 0 && !x.swapped) {
        EXPECT_EQ(copy, orig) << p.susp_name << " at " << x.this_offset;
        ++exact;
      } else if (x.edit_rate == 0) {
        // Two sentences swapped: the same characters in another order.
        EXPECT_NE(copy, orig);
        std::u32string a = copy, b = orig;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        EXPECT_EQ(a, b);
        ++swapped_only;
      } else {
        // Each edit changes the length by at most one; unswapped copies are within `edits` edits.
        const auto diff = copy.size() > orig.size() ? copy.size() - orig.size() : orig.size() - copy.size();
        EXPECT_LE(diff, x.edits);
        if (!x.swapped && orig.size() < 1500) EXPECT_LE(levenshtein(copy, orig), x.edits);
        ++edited;
      }
    }
  }
  EXPECT_GT(exact, 5u);
  EXPECT_GT(swapped_only, 0u);
  EXPECT_GT(edited, 20u);
  EXPECT_GT(one_sentence, 5u);
  EXPECT_GT(multi_paragraph, 5u);
  EXPECT_EQ(rates.size(), PassageSynthOptions{}.edit_rates.size());  // every rate drawn
}

TEST(SynthPassages, PassagesDoNotOverlapAndComeInAnyOrder) {
  std::size_t inversions = 0, multi = 0;
  for (const auto& p : generate_pairs(few_pairs())) {
    const auto& ps = p.passages;  // in order of this_offset
    for (std::size_t i = 0; i < ps.size(); ++i)
      for (std::size_t j = i + 1; j < ps.size(); ++j) {
        EXPECT_LE(ps[i].this_offset + ps[i].this_length, ps[j].this_offset) << p.susp_name;
        const bool in_order = ps[i].source_offset < ps[j].source_offset;
        const auto& lo = in_order ? ps[i] : ps[j];
        const auto& hi = in_order ? ps[j] : ps[i];
        // At least one source sentence (20 characters) between two passages.
        EXPECT_GE(hi.source_offset, lo.source_offset + lo.source_length + 20) << p.src_name;
        inversions += ps[i].source_offset > ps[j].source_offset;
      }
    multi += ps.size() >= 2;
  }
  EXPECT_GT(multi, 10u);
  EXPECT_GT(inversions, 5u);  // copies in another order than in the source
}

TEST(SynthPassages, UnrelatedPairsHaveNoCases) {
  PassageSynthOptions o = few_pairs();
  o.unrelated_share = 0.5;
  std::size_t unrelated = 0;
  for (const auto& p : generate_pairs(o)) {
    const recur::PanDocument truth = recur::pan_truth(p);
    EXPECT_EQ(truth.reference, p.susp_name);
    EXPECT_EQ(truth.annotations.size(), p.passages.size());
    if (p.passages.empty()) {
      ++unrelated;
      // Nothing of the source is in the suspicious document: no shared 12-character string.
      const std::u32string susp = code_points(p.susp_text), src = code_points(p.src_text);
      for (std::size_t i = 0; i + 12 <= src.size(); i += 97)
        EXPECT_EQ(susp.find(src.substr(i, 12)), std::u32string::npos);
    }
  }
  EXPECT_GT(unrelated, o.pairs / 4);
  EXPECT_LT(unrelated, o.pairs * 3 / 4);
  o.unrelated_share = 1;
  for (const auto& p : generate_pairs(o)) EXPECT_TRUE(p.passages.empty());
  o.unrelated_share = 0;
  for (const auto& p : generate_pairs(o)) EXPECT_FALSE(p.passages.empty());
}

TEST(SynthPassages, SameSeedSamePairsAndPairIDependsOnlyOnI) {
  const auto a = generate_pairs(few_pairs()), b = generate_pairs(few_pairs());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].susp_text, b[i].susp_text);
    EXPECT_EQ(a[i].src_text, b[i].src_text);
    EXPECT_EQ(recur::pan_truth(a[i]).annotations.size(), recur::pan_truth(b[i]).annotations.size());
    for (std::size_t k = 0; k < a[i].passages.size(); ++k)
      EXPECT_EQ(a[i].passages[k].this_offset, b[i].passages[k].this_offset);
  }
  PassageSynthOptions o = few_pairs();
  o.pairs = 5;
  const auto head = generate_pairs(o);
  for (std::size_t i = 0; i < head.size(); ++i) EXPECT_EQ(head[i].susp_text, a[i].susp_text);
  o.seed = 8;
  EXPECT_NE(generate_pairs(o)[0].src_text, a[0].src_text);
  EXPECT_EQ(a[0].susp_name, "suspicious-document00001.txt");
  EXPECT_EQ(a[0].src_name, "source-document00001.txt");
}

TEST(SynthPassages, DocumentsAreParagraphsOfTheRequestedSize) {
  const PassageSynthOptions o = few_pairs();
  for (const auto& p : generate_pairs(o)) {
    const std::u32string src = code_points(p.src_text);
    EXPECT_GE(src.size(), o.document_chars);
    EXPECT_LT(src.size(), o.document_chars + 400);  // one paragraph past the target at most
    EXPECT_EQ(src.substr(0, 2), U"\u3000\u3000");
    EXPECT_EQ(src.back(), U'\n');
    EXPECT_EQ(src.find(U"\n\n"), std::u32string::npos);
    EXPECT_GE(code_points(p.susp_text).size(), o.document_chars);
  }
}

TEST(SynthPassages, TruthIsPanXmlThatRoundTrips) {
  for (const auto& p : generate_pairs(few_pairs())) {
    const recur::PanDocument truth = recur::pan_truth(p);
    std::ostringstream xml;
    recur::write_pan_xml(xml, truth);
    const recur::PanDocument back = recur::parse_pan_xml(xml.str());
    ASSERT_EQ(back.annotations.size(), p.passages.size());
    for (std::size_t k = 0; k < p.passages.size(); ++k) {
      const auto& a = back.annotations[k];
      EXPECT_EQ(a.name, "plagiarism");
      EXPECT_EQ(a.source_reference, p.src_name);
      EXPECT_EQ(a.this_offset, p.passages[k].this_offset);
      EXPECT_EQ(a.source_length, p.passages[k].source_length);
      EXPECT_DOUBLE_EQ(std::stod(a.obfuscation), p.passages[k].edit_rate);
    }
  }
}

TEST(SynthPassages, ValidateRejectsBadOptions) {
  PassageSynthOptions o;
  EXPECT_TRUE(o.validate().empty());
  auto bad = [](auto change) {
    PassageSynthOptions x;
    change(x);
    return !x.validate().empty();
  };
  EXPECT_TRUE(bad([](auto& x) { x.pairs = 0; }));
  EXPECT_TRUE(bad([](auto& x) { x.document_chars = 10; }));
  EXPECT_TRUE(bad([](auto& x) { x.unrelated_share = 1.5; }));
  EXPECT_TRUE(bad([](auto& x) { x.min_passages = 0; }));
  EXPECT_TRUE(bad([](auto& x) { x.min_passages = 5; }));
  EXPECT_TRUE(bad([](auto& x) { x.edit_rates = {}; }));
  EXPECT_TRUE(bad([](auto& x) { x.edit_rates = {-0.1}; }));
  EXPECT_TRUE(bad([](auto& x) { x.max_paragraphs = 0; }));
}

}  // namespace
