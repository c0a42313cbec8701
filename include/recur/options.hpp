#pragma once
/// \file options.hpp
/// The options of recur's commands, with their defaults and validate(): plain structs that the
/// CLI fills and the pipelines read. The input options every command shares are in
/// input_options.hpp. Core: no I/O.
#include <cstddef>
#include <string>
#include <vector>

#include "recur/input_options.hpp"
#include "recur/lsh.hpp"
#include "recur/minhash.hpp"
#include "recur/phrases.hpp"
#include "recur/segment.hpp"
#include "recur/shingle.hpp"
#include "recur/text.hpp"

namespace recur {

/// The order of clusters in a report.
enum class ClusterOrder {
  weight,  ///< reused content characters (ReportCluster::weight) first: long passages copied across reports
  size,    ///< most members first
};

/// Parses "weight" or "size"; throws Error(errc::usage) otherwise.
ClusterOrder parse_cluster_order(const std::string& name);

/// Every option of `recur report`, with its default.
struct ReportOptions {
  InputOptions input;                    ///< what to read and how
  unsigned min_chars = 10;               ///< --min-chars: shorter paragraphs are counted, not indexed
  ShingleOptions shingle;                ///< --shingle
  MinHashOptions minhash;                ///< --perms, --seed
  LshOptions lsh;                        ///< --threshold, --bands, --rows
  bool verify = true;                    ///< --no-verify: report the MinHash estimate instead
  /// --structure keep: cluster titles, headings, table-of-contents entries and bylines too (default:
  /// only body paragraphs; the others are counted in stats.paragraphs_by_kind).
  bool keep_structure = false;
  /// --sort: cluster order (default weight: reused content characters, so long passages copied
  /// across reports come first; size: most members first).
  ClusterOrder sort = ClusterOrder::weight;
  /// --cross-doc: only clusters with members from at least two documents (the documents of a
  /// compilation split by --doc-split count separately).
  bool cross_doc = false;
  unsigned threads = 0;                  ///< --threads: 0 = all cores
  /// --temp-dir: where the index stage keeps the paragraphs' shingle values for the verify stage,
  /// in an unnamed file (spill.hpp; run.hpp); empty: $TMPDIR, else /tmp. Not a report option: it
  /// changes where the work is kept, not the report.
  std::string temp_dir;
  /// Buckets with more paragraphs than this contribute only pairs with their first paragraph, so
  /// thousands of copies of one boilerplate line cost linear, not quadratic, time (default 1000).
  std::size_t max_bucket = 1000;

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// What `recur phrases` looks for.
enum class PhraseUnit {
  span,     ///< maximal recurring spans of text (suffix array)
  sentence  ///< whole sentences (ICU sentence break), exactly or as near-variants
};

/// Every option of `recur phrases`, with its default.
struct PhrasesOptions {
  InputOptions input;                    ///< what to read and how
  PhraseUnit unit = PhraseUnit::span;    ///< --unit span|sentence
  unsigned min_chars = 10;               ///< --min-chars: shortest phrase, in content characters
  unsigned min_docs = 3;                 ///< --min-docs: fewest distinct documents
  /// --variants: texts whose edit distance is at most this fraction of the longer one (at least
  /// one edit) are variants of one template (default 0.1: 一座堡垒 / 一个堡垒 in an 18-character
  /// slogan); 0 turns grouping off.
  double variant_tolerance = 0.1;
  std::vector<std::string> exclude;      ///< --exclude FILE: stock phrases (one per line) to leave out
  unsigned threads = 0;                  ///< --threads: 0 = all cores
  /// Caps on work and output for degenerate input (see PhraseLimits); what they cut is reported.
  PhraseLimits limits;

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// recur's version, "MAJOR.MINOR.PATCH".
const char* version() noexcept;

}  // namespace recur
