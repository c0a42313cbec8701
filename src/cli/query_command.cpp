// `recur query`: which archived reports each new report reuses, passage by passage.
#include <iostream>

#include "archive_args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "recur/archive.hpp"
#include "recur/error.hpp"
#include "recur/query.hpp"

namespace recur::cli {
namespace {

struct QueryArgs {
  std::string archive;
  CommonArgs common;
  QueryOptions options;
  std::vector<std::string> bases;
  CLI::App* app = nullptr;
};

int run(QueryArgs& a) {
  QueryOptions& o = a.options;
  finish_input_options(o.input, a.common);
  auto archive = Archive::open_read(a.archive);
  inherit_archive_options(*a.app, archive->fingerprint(), o.input, a.common, o.align.seed, o.sample);
  if (auto msg = o.validate(); !msg.empty()) throw Error(errc::usage, msg);
  refuse_same_file(a.common.output, a.archive, "the archive");

  Output out;
  out.open(a.common.output);
  InputList list = list_inputs(o.input, a.common, out);
  std::unique_ptr<FileSource> bases;
  if (!a.bases.empty()) {
    InputList b = find_inputs(a.bases, o.input.glob, o.input.stdin_name);
    if (!b.problems.empty()) throw Error(errc::input, "--base " + b.problems.front().path + ": " + b.problems.front().reason);
    for (const InputFile& f : b.files) refuse_same_file(a.common.output, f.path, "--base");
    bases = std::make_unique<FileSource>(std::move(b));
  }
  const FileSource source(std::move(list));
  Feedback feedback = make_feedback(a.common.quiet);
  const auto view = archive->view();
  QueryReport report = run_query(source, *view, o, bases.get(), feedback.progress, feedback.warn);
  feedback.line->clear();
  if (a.common.format == "json") {
    write_json(report, out.stream());
  } else if (a.common.format == "html") {
    write_html(report, out.stream());
  } else {
    TextOptions text;
    text.color = use_color(a.common, out);
    text.top = a.common.top == 0 ? SIZE_MAX : a.common.top;
    text.excerpt_chars = 120;
    write_text(report, out.stream(), text);
  }
  if (!out.finish()) return kExitNothing;
  if (report.queries.empty() && !report.skipped.empty()) {
    std::cerr << "recur query: nothing could be read (" << report.skipped.size() << " inputs skipped)\n";
    return kExitNothing;
  }
  return kExitOk;
}

}  // namespace

Command add_query_command(CLI::App& app) {
  auto args = std::make_shared<QueryArgs>();
  QueryOptions& o = args->options;
  CLI::App* sub = app.add_subcommand(
      "query",
      "Which archived reports each new report reuses, passage by passage, and how much of it is its own.\n\n"
      "ARCHIVE is made by `recur index add`; it is only read (a read-only file is fine). PATH... are files or\n"
      "folders, as for report; with --doc-split each document of a compilation is its own query. The input\n"
      "options and --seed, --sample are the archive's unless given, and must match it when given.\n\n"
      "Each query's sampled seeds (one in --sample, by content) are looked up in the archive; seeds stored by\n"
      "more than --max-docs documents are boilerplate. The archived documents sharing the most other seeds\n"
      "(at least 2, at most --max-sources) are aligned with the query as `recur compare` aligns two texts.\n\n"
      "found is the share of the query's content characters inside passages from any archived document (each\n"
      "character once); each source's share is the same for that document alone. Template passages (made only\n"
      "of boilerplate seeds, or found in a --base text) are listed, marked and not counted.\n\n"
      "Exit status: 0 done, 1 the archive or every query could not be read or the output not written,\n"
      "2 invalid options (also: options that differ from the archive's).");
  args->app = sub;
  sub->add_option("ARCHIVE", args->archive, "The archive (recur index add)")->required();
  add_input_options(*sub, o.input, args->common);
  add_seed_options(*sub, o.align.seed, o.sample);
  sub->add_option("--max-docs", o.max_docs,
                  "Seeds stored by more than N archived documents are boilerplate; 0 = 5% of the archive's documents, "
                  "at least 5")
      ->check(whole_number(0, UINT32_MAX, "a whole number (0 = 5% of the documents, at least 5)"))
      ->capture_default_str();
  sub->add_option("--max-sources", o.max_sources,
                  "At most N archived documents are aligned with each query, those sharing the most seeds first")
      ->check(whole_number(1, 100000, "a whole number from 1 to 100000"))
      ->capture_default_str();
  add_align_options(*sub, o.align, args->bases);
  add_output_options(*sub, o.threads, args->common, {"text", "json", "html"},
                     "Output format: text (a summary line per query, then its passages), json (full report), html "
                     "(one self-contained page: each query, its sources, their passages side by side)");
  return {sub, [args] { return run(*args); }};
}

}  // namespace recur::cli
