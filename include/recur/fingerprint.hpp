#pragma once
/// \file fingerprint.hpp
/// The parameter fingerprint: every option that decides what stored data (shingle sets,
/// signatures, band keys) contains, so that data made with other options is refused, not silently
/// compared. In the spirit of datasketches-cpp, whose serialised sketches carry their seed hash and
/// refuse to load or merge with another seed.
///
/// A fingerprint travels as canonical JSON text (one line, keys sorted), which a store (the SQLite
/// archive of `recur index`) keeps beside its data; the functions here do no I/O.
///
///   | key              | option          | why it matters                                  |
///   | ---------------- | --------------- | ----------------------------------------------- |
///   | format           | (none)          | layout of the stored records; 2 so far          |
///   | casefold         | (always on)     | NFKC_Casefold or plain NFKC: the text shingled  |
///   | simplify         | --simplify      | Traditional -> Simplified: the text shingled    |
///   | strip            | --strip         | markers left out of the text shingled           |
///   | doc_split        | --doc-split     | document boundaries                             |
///   | paragraphs       | --paragraphs    | paragraph boundaries                            |
///   | align_seed       | --seed (index)  | the archive's seeds: tokens per seed (align.hpp) |
///   | seed_sample      | --sample        | the archive's seeds: which ones are stored      |
///   | shingle_size     | --shingle       | the shingles                                    |
///   | shingle_seed     | (none)          | the shingle hashes                              |
///   | minhash_scheme   | --minhash       | the signatures                                  |
///   | minhash_perms    | --perms         | the signatures                                  |
///   | minhash_seed     | --seed          | the signatures                                  |
///   | lsh_bands        | --bands         | the band keys (chosen from --threshold if not given) |
///   | lsh_rows         | --rows          | the band keys                                   |
///   | recur_version    | (none)          | for information only; never compared            |
///
/// Not in it: options that change which paragraphs are compared or how results are judged but not
/// what a stored record holds (--min-chars, --threshold itself, --no-verify, --threads, the
/// bucket cap) and --encoding (every correct decoding gives the same text).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recur/minhash.hpp"
#include "recur/segment.hpp"

namespace recur {

struct ReportOptions;

/// Version of the layout of stored data. Raise it whenever stored records change meaning (a new
/// field, another hash, another tokenisation rule), so that old data is refused.
/// 1: normalisation, segmentation, shingles, signatures, bands. 2: also the seeds of the archive
/// (`recur index`): align_seed and seed_sample.
inline constexpr int kFormatVersion = 2;

/// Everything that makes stored data comparable. Defaults are those of ReportOptions{}.
struct Fingerprint {
  int format = kFormatVersion;         ///< layout of stored records (kFormatVersion when made here)
  bool casefold = true;                ///< NFKC_Casefold (true) or plain NFKC
  bool simplify = false;               ///< --simplify
  std::vector<std::string> strip;      ///< --strip patterns, in the order given
  std::string doc_split;               ///< --doc-split pattern, empty when none
  ParagraphMode paragraphs = ParagraphMode::automatic;  ///< --paragraphs
  /// Tokens per seed of the archive's seed index (`recur index --seed`, AlignOptions::seed).
  unsigned align_seed = 6;
  /// The archive stores the seeds whose hash is divisible by this (`recur index --sample`).
  unsigned seed_sample = 8;
  unsigned shingle_size = 2;           ///< --shingle
  std::uint64_t shingle_seed = 0;      ///< seed of the shingle hash (no option)
  MinHashScheme scheme = MinHashScheme::one_permutation;  ///< --minhash
  unsigned perms = 128;                ///< --perms
  std::uint64_t minhash_seed = 1;      ///< --seed
  unsigned bands = 30;                 ///< LSH bands actually used (--bands, or from --threshold)
  unsigned rows = 4;                   ///< LSH rows actually used (--rows, or from --threshold)
  std::string recur_version;           ///< recur that made it: information only, never compared

  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

/// The fingerprint of a run with `options`, with bands and rows resolved as the run resolves them
/// (resolve_params) and recur_version = version(). Throws Error(errc::usage) when the options
/// are invalid (ReportOptions::validate), since no data is made with them.
Fingerprint make_fingerprint(const ReportOptions& options);

/// Canonical text: a one-line JSON object with sorted keys and no spaces, identical for equal
/// fingerprints, so it can also be compared or hashed as a string.
std::string to_text(const Fingerprint& fingerprint);

/// Parses to_text() output. Throws Error(errc::input) with a sentence naming the problem when
/// `text` is not a JSON object, or (in format kFormatVersion) lacks a key, has an unknown key or
/// one of the wrong type or range. A fingerprint of another format is returned with only `format`
/// and `recur_version` read, so that compatibility() can say which formats differ instead of the
/// text being called malformed.
Fingerprint parse_fingerprint(std::string_view text);

/// Empty when data with fingerprint `stored` can be compared with data made under `current`, else
/// one sentence naming the first difference in the options' own words, e.g. "the archive was built
/// with --shingle 3; this run uses --shingle 2". Fields are checked in pipeline order (format,
/// normalisation, segmentation, seeds, shingles, signatures, bands); recur_version is ignored.
/// `stored_name` names the stored data in the sentence (default "the archive").
std::string compatibility(const Fingerprint& stored, const Fingerprint& current,
                          std::string_view stored_name = "the archive");

}  // namespace recur
