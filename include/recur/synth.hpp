#pragma once
/// \file synth.hpp
/// Synthetic corpora with planted reuse, and scoring a report against their truth. Pure: the
/// generator hands documents to a callback; reading and writing files is the caller's job.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

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
  unsigned max_copies = 4;           ///< edited copies per family: 1..max_copies (default 4)
  std::vector<double> edit_rates = {0.0, 0.04, 0.08, 0.12};  ///< character edit rate of each copy, drawn uniformly
  double swap_rate = 0.3;            ///< chance that a copy also has two adjacent sentences swapped
  double number_rate = 0.3;          ///< chance that a copy has its number or place name changed

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

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
/// alphabet (so they share no text), and families are an original paragraph plus edited copies
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

}  // namespace recur
