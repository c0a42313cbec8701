#pragma once
/// \file synth.hpp
/// Synthetic corpora with planted reuse, and scoring a report against their truth. Pure: the
/// generator hands documents to a callback; reading and writing files is the caller's job.
///
/// Two kinds: paragraph families for `recur report` (SynthOptions, synthesize), and PAN-style
/// document pairs with planted passages for passage alignment (PassageSynthOptions,
/// synthesize_passages, scored with the PAN measures of pan.hpp).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "recur/pan.hpp"

namespace recur {

/// What to generate.
struct SynthOptions {
  std::uint64_t size = 100'000'000;  ///< total bytes of text to write (default 100 MB)
  std::uint64_t seed = 7;            ///< everything is a function of the seed (default 7)
  std::uint64_t document_bytes = 100'000;  ///< approximate size of one document (default 100 kB)
  /// Characters drawn for text; empty (default) = 3000 common CJK characters (U+4E00 onwards).
  /// `recur synth --from DIR` passes the corpus's most frequent characters.
  std::vector<char32_t> alphabet;
  double family_rate = 0.012;        ///< share of paragraphs that start a planted family (default 0.012)
  unsigned min_copies = 1;           ///< edited copies per family: min_copies..max_copies (default 1..4),
  unsigned max_copies = 4;           ///< so a family has 2..5 paragraphs
  /// Chance that a paragraph with a copy due is that copy rather than background (default 0.5).
  /// with_reuse() raises it for dense corpora, where copies would otherwise pile up.
  double take_rate = 0.5;
  /// Stock paragraphs: paragraphs of real reports (`recur synth --from DIR` passes
  /// stock_paragraphs() of DIR's). Empty (default): background is generated sentences only.
  std::vector<std::u32string> stock;
  /// The CJK characters of real reports in order, clause breaks as U+0000 (`recur synth --from DIR`
  /// passes vocabulary_chain() of DIR's). When set, the characters replaced in themes (stock_share)
  /// follow it as a character bigram chain (each one a character that follows the one before it
  /// there), so variants keep real words. Empty (default): uniform letters from the alphabet.
  /// Generated sentences do not follow it: along real bigrams, any two sentences share phrases
  /// with a fixed chance, so candidates per paragraph grew with the corpus (1.6 at 10 MiB, 3.2 at
  /// 100 MiB).
  std::u32string chain;
  /// Share of background paragraphs that are loose variants of a stock paragraph (default 0: none).
  /// A theme is a stock paragraph with stock_edit of its Chinese characters replaced (along the
  /// chain); each theme gives kThemeUses background paragraphs, each with a share drawn from
  /// [stock_edit / 2, 2 x stock_edit) of its characters replaced again. Variants of one theme are
  /// related but mostly below any useful threshold (Jaccard about 0.02-0.35): they make the LSH
  /// candidates that unrelated paragraphs of real reports make, at a rate that does not grow with
  /// --size (a theme is retired after its uses; 256 themes are live at a time).
  double stock_share = 0;
  double stock_edit = 0.3;  ///< see stock_share (default 0.3)
  static constexpr unsigned kThemeUses = 16;
  std::vector<double> edit_rates = {0.0, 0.04, 0.08, 0.12};  ///< character edit rate of each copy, drawn uniformly
  double swap_rate = 0.3;            ///< chance that a copy also has two adjacent sentences swapped
  double number_rate = 0.3;          ///< chance that a copy has its number or place name changed

  /// Sets family_rate so that about `reuse` of all paragraphs belong to a family (originals and
  /// copies; a family has (min_copies + max_copies) / 2 + 1 paragraphs on average), and take_rate
  /// so that copies are placed as fast as families make them. Call after setting the copies.
  /// Returns an error sentence (options unchanged) when `reuse` is outside [0, 0.8].
  std::string with_reuse(double reuse);

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// The paragraphs (lines, indent and spaces trimmed) of `texts` with at least `min_cjk` CJK
/// characters, in order: SynthOptions::stock.
std::vector<std::u32string> stock_paragraphs(const std::vector<std::string>& texts, std::size_t min_cjk = 20);

/// The CJK characters of `texts` in order, with U+0000 at every clause break (any other character):
/// SynthOptions::chain.
std::u32string vocabulary_chain(const std::vector<std::string>& texts);

/// One planted paragraph: its family, where it is (document index, 1-based line) and how much
/// its characters were edited (0 for the family's original).
struct PlantedParagraph {
  std::uint64_t family = 0;
  std::uint64_t document = 0;
  std::uint64_t line = 0;
  double edit_rate = 0;
};

/// Receives each finished document: its index (0, 1, ...), its UTF-8 text, and the planted
/// paragraphs in it.
using DocumentSink = std::function<void(std::uint64_t index, const std::string& text,
                                        const std::vector<PlantedParagraph>& planted)>;

/// Generates documents of Chinese-like text: background paragraphs are random sentences over the
/// alphabet (so they share no text), or with a chain and stock (SynthOptions::stock_share) sentences
/// along real reports' character bigrams and loose variants of real paragraphs (so unrelated
/// paragraphs share some shingles, as in real reports), and families are an original paragraph plus edited copies
/// placed in the next few documents (character substitutions, insertions and deletions at the
/// copy's edit rate, sometimes a swapped sentence, sometimes a changed number or place name).
/// Streams: memory does not grow with options.size. Deterministic for a given seed.
/// Returns the number of documents written.
std::uint64_t synthesize(const SynthOptions& options, const DocumentSink& sink);

/// A report's clusters as sets of (path, line) keys, for scoring.
struct PredictedCluster {
  std::vector<std::pair<std::string, std::uint64_t>> members;
};

/// A planted paragraph of the truth file, by path.
struct TruthEntry {
  std::uint64_t family = 0;
  std::string path;
  std::uint64_t line = 0;
  double edit_rate = 0;
};

/// Pairwise scores of clusters against planted families.
struct Evaluation {
  std::uint64_t true_pairs = 0, predicted_pairs = 0, correct_pairs = 0;
  double precision = 1, recall = 1, f1 = 1;
  /// Edit rate -> {true pairs, found pairs}: a pair counts under the larger edit rate of its two
  /// paragraphs (the original's is 0).
  std::map<double, std::pair<std::uint64_t, std::uint64_t>> by_edit_rate;
  std::uint64_t families = 0;
  std::uint64_t families_split = 0;     ///< families whose paragraphs are not all in one cluster
  std::uint64_t clusters_merging = 0;   ///< clusters holding paragraphs of two or more families
  std::uint64_t planted_unclustered = 0;  ///< planted paragraphs in no cluster
};

/// Scores `clusters` against `truth`: a predicted pair is two paragraphs in one cluster; a true
/// pair is two paragraphs of one family. Clustered paragraphs not in the truth (background) make
/// false pairs.
Evaluation evaluate(const std::vector<PredictedCluster>& clusters, const std::vector<TruthEntry>& truth);

// ---------------------------------------------------------------- passages (PAN) -------------

/// What `recur synth --passages` generates: pairs of a source and a suspicious document of
/// Chinese-like text, and passages copied from the source into the suspicious document.
///
/// Documents are paragraphs (a full-width indent, 2-8 sentences, a line break) of sentences of
/// 20-40 characters (clauses over the alphabet separated by ，, ending in 。). A passage is a run of
/// consecutive source sentences, of one of four lengths drawn with equal chance: one sentence; 2-4
/// sentences (possibly across a paragraph break); one whole paragraph; 2-`max_paragraphs` whole
/// paragraphs. Passages of one pair never overlap and are at least one sentence apart in the
/// source. Each copy may get two adjacent sentences of one paragraph swapped, then is edited at its
/// rate (substitutions, insertions, deletions of characters other than the indent and line
/// breaks), and is inserted into the suspicious document at a random sentence boundary (sentence
/// lengths) or paragraph boundary (paragraph lengths), so copies appear in any order.
struct PassageSynthOptions {
  std::uint64_t pairs = 200;            ///< document pairs (default 200)
  std::uint64_t seed = 7;               ///< everything is a function of the seed (default 7)
  std::uint64_t document_chars = 4000;  ///< approximate characters of each background document (default 4000)
  /// Characters drawn for text; empty (default) = 3000 CJK characters from U+4E00, as SynthOptions.
  std::vector<char32_t> alphabet;
  double unrelated_share = 0.2;  ///< chance that a pair has no planted passage (default 0.2)
  unsigned min_passages = 1;     ///< planted passages per related pair, drawn uniformly from
  unsigned max_passages = 4;     ///< min_passages..max_passages (default 1..4)
  /// Character edit rate of each passage, drawn uniformly (default 0, 3, 6, 9, 12, 15%).
  std::vector<double> edit_rates = {0.0, 0.03, 0.06, 0.09, 0.12, 0.15};
  /// Chance that a passage with two adjacent sentences in one paragraph has them swapped (default 0.3).
  double swap_rate = 0.3;
  unsigned max_paragraphs = 4;  ///< most paragraphs in one passage (default 4)

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// One planted passage. Offsets and lengths count code points of the documents' texts (PAN's
/// convention); the suspicious side is the edited copy.
struct PlantedPassage {
  std::uint64_t this_offset = 0, this_length = 0;      ///< in the suspicious document
  std::uint64_t source_offset = 0, source_length = 0;  ///< in the source document
  double edit_rate = 0;       ///< the rate drawn for it
  std::uint64_t edits = 0;    ///< character edits applied: round(edit_rate x source_length)
  bool swapped = false;       ///< two adjacent sentences swapped before editing
  std::uint64_t sentences = 0, paragraphs = 0;  ///< source sentences it copies, paragraphs they touch
};

/// One generated pair: names as in PAN ("suspicious-document00001.txt",
/// "source-document00001.txt"), UTF-8 texts, and its passages in order of this_offset (empty for
/// an unrelated pair).
struct PassagePair {
  std::uint64_t index = 0;  ///< 0, 1, ...
  std::string susp_name, src_name;
  std::string susp_text, src_text;
  std::vector<PlantedPassage> passages;
};

/// Receives each finished pair.
using PassagePairSink = std::function<void(const PassagePair& pair)>;

/// Generates options.pairs pairs as PassageSynthOptions describes. Pair i depends only on the seed
/// and i (not on the number of pairs), so a larger set begins with a smaller one. Returns the
/// number of pairs.
std::uint64_t synthesize_passages(const PassageSynthOptions& options, const PassagePairSink& sink);

/// The PAN truth of a pair: `reference` = susp_name, one "plagiarism" feature per passage with
/// source_reference = src_name and obfuscation = the edit rate in shortest form ("0", "0.06").
PanDocument pan_truth(const PassagePair& pair);

}  // namespace recur
