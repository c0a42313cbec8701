// `recur report`: parse options, run the pipeline, write the report.
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "recur/error.hpp"
#include "recur/mpi.hpp"
#include "recur/progress.hpp"
#include "recur/run.hpp"

namespace recur::cli {
namespace {

struct ReportArgs {
  CommonArgs common;
  ReportOptions options;
  bool no_verify = false;
  std::string scheme = "oph";
  std::string structure = "body";
  std::string sort = "weight";
  std::size_t members = 5;
  bool full = false;
  bool no_text = false;
};

int run(ReportArgs& a) {
  ReportOptions& o = a.options;
  finish_input_options(o.input, a.common);
  o.verify = !a.no_verify;
  o.minhash.scheme = a.scheme == "oph" ? MinHashScheme::one_permutation : MinHashScheme::classic;
  o.keep_structure = a.structure == "keep";
  o.sort = parse_cluster_order(a.sort);
  if (auto msg = o.validate(); !msg.empty()) throw Error(errc::usage, msg);
  if (a.no_text && a.common.format != "json" && a.common.format != "csv")
    throw Error(errc::usage, "--no-text applies to --format json and csv (the text and HTML formats show the texts)");
  TextOptions text;
  text.members = a.members == 0 ? SIZE_MAX : a.members;
  if (started_by_mpi())  // mpirun / srun: the ranks share the work (report_mpi.cpp)
    if (int status = run_report_under_mpi(o, a.common, text, a.full, a.no_text); status >= 0) return status;

  Output out;  // opened before the run so that a bad -o fails fast
  out.open(a.common.output);
  InputList inputs = list_inputs(o.input, a.common, out);
  Feedback fb = make_feedback(a.common.quiet);
  auto report = std::make_unique<Report>(run_report(std::move(inputs), o, fb.progress, fb.warn));
  fb.line->clear();
  if (a.no_text) drop_member_text(*report);

  text.excerpt_chars = a.full ? SIZE_MAX : excerpt_width(out);
  const int status = write_report(*report, out, a.common, text, effective_threads(o.threads));
  free_at_exit(std::move(report));
  return status;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  ReportOptions& o = args->options;
  CLI::App* sub = app.add_subcommand(
      "report",
      "Cluster near-duplicate paragraphs across the files under PATH...\n\n"
      "Pipeline: decode (UTF-8, UTF-16 with BOM, GB18030 and others detected by ICU) -> strip markers ->\n"
      "documents and paragraphs -> NFKC + case folding -> shingles (character n-grams for CJK, word\n"
      "n-grams for other scripts; punctuation ignored) -> MinHash -> LSH bands -> exact Jaccard of every\n"
      "candidate pair -> star clusters (every member has Jaccard >= --threshold with the cluster's\n"
      "representative; representatives are the paragraphs with the most similar neighbours).\n\n"
      "LSH: with b bands of r rows a pair of Jaccard s becomes a candidate with probability\n"
      "P(s) = 1 - (1 - s^r)^b. Defaults (128 perms, threshold 0.5) choose b=30, r=4:\n"
      "P(0.3)=0.22  P(0.4)=0.54  P(0.5)=0.86  P(0.6)=0.984  P(0.7)=0.9997.\n"
      "Every candidate is then checked exactly, so the reported similarity is exact Jaccard.\n\n"
      "Structure: each paragraph is classified as body, title, heading (一、 （一） 1. 第一章 ...),\n"
      "toc (a table-of-contents entry ending in a page number) or byline (signature, unit or date line);\n"
      "only body paragraphs are clustered unless --structure keep (stats.paragraphs_by_kind counts them).\n\n"
      "Output order (--sort weight, the default): clusters by reused content characters (the members'\n"
      "characters less the representative's, punctuation not counted), so long passages copied across\n"
      "reports come first; then by size. --sort size: by size, then weight. Ties keep the input position\n"
      "of the representative. In a cluster the representative comes first, then members in input order.\n"
      "Input files are read in sorted path order, so output does not depend on the file system or on\n"
      "--threads. The text format also lists the pairs of documents that share the most.\n\n"
      "Output (-o) is written to a temporary file in the same folder and renamed into place when\n"
      "complete; an input is never overwritten, and recur's own previous report at -o is not read.\n\n"
      "Started by mpirun or srun (a build with MPI, RECUR_MPI), the ranks share the work: each indexes a\n"
      "share of the inputs (a shared filesystem is needed) and rank 0 writes the same report as one process\n"
      "(README \"recur report on a cluster\").\n\n"
      "Exit status: 0 the run completed (even if files were skipped), 1 nothing could be read or the\n"
      "output could not be written, 2 invalid options, 130 interrupted (128 + signal).");
  add_input_options(*sub, o.input, args->common);
  sub->add_option("--min-chars", o.min_chars,
                  "Paragraphs with fewer characters (CJK characters plus letters and digits of words) are counted "
                  "but not compared")
      ->check(whole_number(0, UINT32_MAX, "a whole number"))
      ->capture_default_str();
  sub->add_option("--shingle", o.shingle.size,
                  "Tokens per shingle (a token is a CJK character or a word). 2 keeps copies with 12% of "
                  "characters edited at Jaccard >= 0.58 while unrelated paragraphs stay near 0.02")
      ->check(whole_number(1, 16, "a whole number from 1 to 16"))
      ->capture_default_str();
  sub->add_option("--perms", o.minhash.perms, "MinHash permutations (signature length)")
      ->check(whole_number(1, 1024, "a whole number from 1 to 1024"))
      ->capture_default_str();
  sub->add_option("--minhash", args->scheme,
                  "classic: one hash per permutation and shingle; oph: one-permutation hashing with optimal "
                  "densification (one hash per shingle, several times faster to sign)")
      ->check(CLI::IsMember({"classic", "oph"}))
      ->capture_default_str();
  sub->add_option("--seed", o.minhash.seed, "MinHash seed (results are reproducible for a given seed)")
      ->check(whole_number(0, UINT64_MAX, "a whole number from 0 to 18446744073709551615"))
      ->capture_default_str();
  sub->add_option("--threshold", o.lsh.threshold,
                  "Jaccard similarity (of shingle sets) at which two paragraphs count as near-duplicates")
      ->check(decimal([](double v) { return v > 0 && v <= 1; }, "a number greater than 0 and at most 1"))
      ->capture_default_str();
  sub->add_option("--bands", o.lsh.bands, "LSH bands (default 0: chosen from --threshold and --perms)")
      ->check(whole_number(0, 1024, "a whole number from 0 to 1024, at most --perms"));
  sub->add_option("--rows", o.lsh.rows, "LSH rows per band (default 0: chosen from --threshold and --perms)")
      ->check(whole_number(0, 1024, "a whole number from 0 to 1024, at most --perms"));
  sub->add_flag("--no-verify", args->no_verify,
                "Trust the MinHash estimate instead of computing exact Jaccard for candidates (faster, "
                "approximate; keeps all signatures in memory)");
  sub->add_option("--temp-dir", o.temp_dir,
                  "Directory for the shingle values the index stage keeps for verification, in a file without a "
                  "name (removed whatever ends the run): about 4 bytes per character indexed, held by the page "
                  "cache while memory allows. Default $TMPDIR, else /tmp; if that fails, verification reads "
                  "the paragraphs back from the inputs instead (slower, same report)")
      ->type_name("DIR");
  sub->add_option("--structure", args->structure,
                  "body: cluster only body paragraphs; keep: also titles, headings, table-of-contents entries and "
                  "bylines")
      ->check(CLI::IsMember({"body", "keep"}))
      ->capture_default_str();
  sub->add_option("--sort", args->sort,
                  "Cluster order: weight (reused characters: members' content characters less the "
                  "representative's) or size (members)")
      ->check(CLI::IsMember({"weight", "size"}))
      ->capture_default_str();
  sub->add_flag("--cross-doc", o.cross_doc,
                "Only clusters with members from at least two documents (documents of a --doc-split "
                "compilation count separately)");
  sub->add_option("--members", args->members, "Members shown per cluster by the text format; 0 = all")
      ->check(whole_number(0, UINT32_MAX, "a whole number (0 = all)"))
      ->capture_default_str();
  sub->add_flag("--full", args->full,
                "Text format: print whole paragraphs instead of excerpts fitted to the terminal width");
  sub->add_flag("--no-text", args->no_text,
                "JSON and CSV: members without their text (JSON: no \"text\" member; CSV: an empty text column), "
                "for large runs whose texts would outweigh the input; locations (path, lines, bytes) stay");
  add_output_options(*sub, o.threads, args->common);
  return {sub, [args] { return run(*args); }};
}

}  // namespace recur::cli
