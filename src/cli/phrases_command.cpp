// `recur phrases`: parse options, run the phrase finder, write the report.
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "heap.hpp"
#include "recur/error.hpp"
#include "recur/run.hpp"

namespace recur::cli {
namespace {

struct PhrasesArgs {
  CommonArgs common;
  PhrasesOptions options;
  std::string unit = "span";
  std::string exclude_file;
};

int run(PhrasesArgs& a) {
  PhrasesOptions& o = a.options;
  finish_input_options(o.input, a.common);
  o.unit = a.unit == "sentence" ? PhraseUnit::sentence : PhraseUnit::span;
  if (!a.exclude_file.empty()) {
    std::ifstream in(a.exclude_file, std::ios::binary);
    if (!in) throw Error(errc::usage, "--exclude: cannot read " + a.exclude_file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty() && line[0] != '#') o.exclude.push_back(line);
    }
  }
  if (auto msg = o.validate(); !msg.empty()) throw Error(errc::usage, msg);

  Output out;
  out.open(a.common.output);
  refuse_same_file(a.common.output, a.exclude_file, "--exclude");
  InputList inputs = list_inputs(o.input, a.common, out);
  Feedback fb = make_feedback(a.common.quiet);
  return_large_blocks();
  PhrasesWorkPtr work;
  auto report = std::make_unique<PhrasesReport>(run_phrases(std::move(inputs), o, fb.progress, fb.warn, &work));
  free_at_exit(std::move(work));
  fb.line->clear();
  TextOptions text;
  text.members = 4;  // variants shown per phrase
  const int status = write_report(*report, out, a.common, text);
  free_at_exit(std::move(report));
  return status;
}

}  // namespace

Command add_phrases_command(CLI::App& app) {
  auto args = std::make_shared<PhrasesArgs>();
  PhrasesOptions& o = args->options;
  CLI::App* sub = app.add_subcommand(
      "phrases",
      "Find wording that recurs across documents: slogans, template sentences, whole passages.\n\n"
      "Text is compared after NFKC normalisation and case folding, without punctuation and white space\n"
      "(体制顺、机制活 = 体制顺，机制活). --unit span (default) finds every maximal span of at least\n"
      "--min-chars characters that occurs in at least --min-docs documents (a suffix array over all\n"
      "paragraphs; a span is maximal when it cannot be extended without losing an occurrence).\n"
      "--unit sentence finds whole sentences (ICU sentence break) that recur, exactly or as variants.\n\n"
      "Templates: nested and overlapping recurring spans are one phrase. Spans are taken longest first;\n"
      "a shorter span inside (or half overlapping) a phrase joins it unless it occurs in at least 1.5x the\n"
      "documents of every phrase covering it; a span whose covering phrases are only it plus a few characters\n"
      "(at most max(4, length/3): 以...为指导, 深入学习...) becomes their core. A phrase shows its core\n"
      "(text, chars) and its extent (its longest variant).\n\n"
      "Edited passages (--unit span): copies of a passage with a few edits share only the stretches\n"
      "between the edits. Two phrases are chained into one phrase (parts: how many) when at least half\n"
      "of the places (occurrences) of each sit next to a place of the other: in one paragraph, at most 24\n"
      "content characters apart. Its occurrences span the edits, chars is their median length, and its\n"
      "variants are its versions: the distinct texts of its locations, counted over them. A stock slogan\n"
      "has most of its places elsewhere, so it is never chained to a passage and cannot join passages.\n\n"
      "Variants: the spans of a phrase, and phrases whose cores' edit distance is at most --variants x the\n"
      "longer length (at least one edit; 一座堡垒 / 一个堡垒). Forms differing only in punctuation, spaces or\n"
      "line breaks are one variant, shown in its most frequent form with line breaks joined.\n\n"
      "Counts: a phrase's occurrences are distinct places (its variants' occurrences merged where they\n"
      "overlap; no two locations overlap) and its documents those of its variants together. A variant's\n"
      "documents and occurrences count every place its text occurs, also inside longer variants.\n\n"
      "Ranking: score = documents x characters (the characters reused across documents), so long template\n"
      "passages come first and a short slogan ranks high only when many documents use it; ties: more\n"
      "documents, longer, earlier in the input.\n\n"
      "Output (-o) is written to a temporary file in the same folder and renamed into place when\n"
      "complete; an input is never overwritten, and recur's own previous report at -o is not read.\n\n"
      "Exit status: 0 the run completed (even if files were skipped), 1 nothing could be read or the\n"
      "output could not be written, 2 invalid options, 130 interrupted (128 + signal).");
  add_input_options(*sub, o.input, args->common);
  sub->add_option("--unit", args->unit, "span: recurring spans of text; sentence: recurring whole sentences")
      ->check(CLI::IsMember({"span", "sentence"}))
      ->capture_default_str();
  sub->add_option("--min-chars", o.min_chars, "Shortest phrase, in characters (punctuation and spaces not counted)")
      ->check(whole_number(1, 100000, "a whole number from 1 to 100000"))
      ->capture_default_str();
  sub->add_option("--min-docs", o.min_docs, "Fewest distinct documents a phrase must occur in")
      ->check(whole_number(1, 1000000000, "a whole number from 1 to 1000000000"))
      ->capture_default_str();
  sub->add_option("--variants", o.variant_tolerance,
                  "Variant tolerance: largest edit distance as a fraction of the length (0 = no grouping)")
      ->check(decimal([](double v) { return v >= 0 && v <= 0.99; }, "a number from 0 to 0.99"))
      ->capture_default_str();
  sub->add_option("--exclude", args->exclude_file,
                  "File of stock phrases, one per line ('#' starts a comment): phrases whose core lies inside one, "
                  "or is one plus at most max(4, length/3) characters, are left out with their variants "
                  "(longer passages containing one stay)");
  add_output_options(*sub, o.threads, args->common);
  return {sub, [args] { return run(*args); }};
}

}  // namespace recur::cli
