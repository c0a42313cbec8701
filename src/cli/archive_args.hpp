#pragma once
// What `recur index` and `recur query` share: the options that decide an archive's seeds, and
// taking the archive's own values for those not given on the command line.
#include <CLI/CLI.hpp>

#include "common.hpp"
#include "recur/fingerprint.hpp"
#include "recur/query.hpp"

namespace recur::cli {

/// --seed and --sample, the options of an archive's seed index.
inline void add_seed_options(CLI::App& sub, unsigned& seed, unsigned& sample) {
  sub.add_option("--seed", seed,
                 "Tokens per seed (Chinese characters, or words of other scripts), as for compare; fixed when the "
                 "archive is created")
      ->check(whole_number(2, 64, "a whole number from 2 to 64"))
      ->capture_default_str();
  sub.add_option("--sample", sample,
                 "The archive stores one seed in N, chosen by content (its hash is divisible by N): larger makes the "
                 "index smaller and short passages likelier to be missed; fixed when the archive is created")
      ->check(whole_number(1, 65536, "a whole number from 1 to 65536"))
      ->capture_default_str();
}

/// Sets every option the archive's fingerprint records that was not given on the command line of
/// `sub` to the archive's value: an existing archive needs its options repeated only to check them.
/// Options given keep their value (add and query refuse them when they differ, naming the option).
inline void inherit_archive_options(const CLI::App& sub, const Fingerprint& stored, InputOptions& input,
                                    CommonArgs& args, unsigned& seed, unsigned& sample) {
  auto given = [&](const char* name) { return sub.get_option(name)->count() > 0; };
  ArchiveOptions a;
  apply_fingerprint(stored, a);
  input.normalize.casefold = a.input.normalize.casefold;
  if (!given("--simplify")) input.normalize.simplify = a.input.normalize.simplify;
  if (!given("--strip")) input.strip = a.input.strip;
  if (!given("--doc-split")) input.doc_split = a.input.doc_split;
  if (!given("--paragraphs")) {
    input.paragraphs = a.input.paragraphs;
    args.paragraphs = to_string(a.input.paragraphs);
  }
  if (!given("--seed")) seed = a.seed;
  if (!given("--sample")) sample = a.sample;
}

}  // namespace recur::cli
