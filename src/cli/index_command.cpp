// `recur index`: the persistent archive (add, remove, list, info).
#include <sys/stat.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "archive_args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "recur/archive.hpp"
#include "recur/error.hpp"

namespace recur::cli {
namespace {

struct IndexArgs {
  std::string archive;
  CommonArgs common;
  ArchiveOptions options;
  unsigned threads = 0;
  std::uint64_t batch_mb = 64;
  std::vector<std::string> remove_paths;
  bool check = false;
  CLI::App* add = nullptr;
};

std::string megabytes(std::uint64_t bytes) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / 1e6 << " MB";
  return os.str();
}

// The archive and its write-ahead log are never inputs of an add, even in a folder being added.
void exclude_archive(const std::string& archive, InputList& list) {
  for (const std::string& p : {archive, archive + "-wal", archive + "-shm", archive + "-journal"}) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) continue;
    std::erase_if(list.files, [&](const InputFile& f) {
      return !f.data && f.device == static_cast<std::uint64_t>(st.st_dev) &&
             f.inode == static_cast<std::uint64_t>(st.st_ino);
    });
  }
}

int run_add(IndexArgs& a) {
  ArchiveOptions& o = a.options;
  finish_input_options(o.input, a.common);
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  auto archive = Archive::open_write(a.archive, true, o);
  if (archive->exists())
    inherit_archive_options(*a.add, archive->fingerprint(), o.input, a.common, o.seed, o.sample);
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  InputList list = find_inputs(a.common.paths, o.input.glob, o.input.stdin_name);
  exclude_archive(a.archive, list);
  const FileSource source(std::move(list));
  Feedback feedback = make_feedback(a.common.quiet);
  for (const Skipped& s : source.problems()) feedback.warn("skipped " + s.path + ": " + s.reason);

  AddSettings settings;
  settings.threads = a.threads;
  settings.batch_bytes = a.batch_mb << 20;
  settings.progress = feedback.progress;
  settings.warn = feedback.warn;
  settings.stop = [] { return interrupt_requested(); };
  AddSummary s;
  {
    InterruptScope scope;  // a signal now lets the files done so far be committed
    s = archive->add(source, o, settings);
  }
  feedback.line->clear();
  double seconds = 0;
  for (const auto& [name, v] : s.seconds)
    if (name == "total") seconds = v;
  const std::uint64_t skipped = s.skipped.size() + source.problems().size();
  std::cout << "recur index add: " << a.archive << ": " << s.added << " files added, " << s.replaced << " replaced ("
            << s.documents << " documents, " << megabytes(s.bytes) << "), " << s.unchanged << " unchanged, " << skipped
            << " skipped";
  if (seconds > 0 && s.bytes > 0)
    std::cout << "; " << std::fixed << std::setprecision(1) << seconds << " s, "
              << static_cast<double>(s.bytes) / 1e6 / seconds << " MB/s";
  std::cout << "\n";
  if (s.interrupted) {
    std::cerr << "recur index add: interrupted; the files added before it are kept (whole documents): run the same "
                 "command again to add the rest\n";
    return 128 + s.interrupted;
  }
  if (s.files == 0 && skipped > 0) {
    std::cerr << "recur index add: nothing could be read (" << skipped << " inputs skipped)\n";
    return kExitNothing;
  }
  if (s.files > 0 && s.files == s.skipped.size()) {
    std::cerr << "recur index add: nothing could be read (" << skipped << " inputs skipped)\n";
    return kExitNothing;
  }
  return kExitOk;
}

int run_remove(IndexArgs& a) {
  auto archive = Archive::open_write(a.archive, false);
  RemoveSummary s;
  {
    InterruptScope scope;  // one transaction: a signal waits for it
    s = archive->remove(a.remove_paths);
  }
  for (const auto& p : s.not_found) std::cerr << "recur index remove: " << p << " is not in the archive\n";
  std::cout << "recur index remove: " << a.archive << ": " << s.files << " files removed (" << s.documents
            << " documents)\n";
  if (const int sig = interrupt_requested()) return 128 + sig;
  return s.files == 0 ? kExitNothing : kExitOk;
}

int run_list(IndexArgs& a) {
  auto archive = Archive::open_read(a.archive);
  const auto docs = archive->list();
  refuse_same_file(a.common.output, a.archive, "the archive");
  Output out;
  out.open(a.common.output);
  std::ostream& os = out.stream();
  if (a.common.format == "json") {
    nlohmann::ordered_json j;
    j["recur_version"] = version();
    j["archive"] = a.archive;
    j["documents"] = nlohmann::ordered_json::array();
    for (const auto& d : docs)
      j["documents"].push_back({{"path", d.path},
                                {"document", d.title.empty() ? d.path : d.title},
                                {"document_index", d.index},
                                {"bytes", d.file_size},
                                {"content_chars", d.content_chars},
                                {"seeds", d.seeds},
                                {"added", d.added}});
    os << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    os << "added                 bytes      characters  document\n";
    for (const auto& d : docs) {
      os << d.added << std::setw(12) << d.file_size << std::setw(12) << d.content_chars << "  " << d.path;
      if (d.index > 0 && !d.title.empty()) os << "#" << d.index << " " << d.title;
      os << "\n";
    }
  }
  return out.finish() ? kExitOk : kExitNothing;
}

int run_info(IndexArgs& a) {
  auto archive = Archive::open_read(a.archive);
  const ArchiveInfo i = archive->info();
  refuse_same_file(a.common.output, a.archive, "the archive");
  Output out;
  out.open(a.common.output);
  std::ostream& os = out.stream();
  ArchiveCheck check;
  if (a.check) check = archive->check();
  const double ratio = i.text_bytes ? static_cast<double>(i.bytes_on_disk) / static_cast<double>(i.text_bytes) : 0;
  if (a.common.format == "json") {
    nlohmann::ordered_json j;
    j["recur_version"] = version();
    j["archive"] = i.path;
    j["format"] = i.format;
    j["fingerprint"] = nlohmann::ordered_json::parse(to_text(i.fingerprint));
    j["created"] = i.created;
    j["created_by"] = i.created_by;
    j["files"] = i.files;
    j["documents"] = i.documents;
    j["text_bytes"] = i.text_bytes;
    j["content_chars"] = i.content_chars;
    j["postings"] = i.postings;
    j["parts"] = i.parts;
    j["blocks"] = i.blocks;
    j["page_size"] = i.page_size;
    j["pages"] = i.pages;
    j["free_pages"] = i.free_pages;
    j["bytes_on_disk"] = i.bytes_on_disk;
    if (a.check) j["check"] = {{"integrity", check.integrity}, {"documents", check.documents}, {"problems", check.problems}};
    os << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    const Fingerprint& f = i.fingerprint;
    os << "recur index info: " << i.path << "\n";
    os << "  created     " << i.created << " by recur " << i.created_by << ", archive format " << i.format << "\n";
    os << "  options     --seed " << f.align_seed << " --sample " << f.seed_sample << " --paragraphs "
       << to_string(f.paragraphs) << (f.simplify ? " --simplify" : "");
    if (!f.doc_split.empty()) os << " --doc-split '" << f.doc_split << "'";
    for (const auto& s : f.strip) os << " --strip '" << s << "'";
    os << "\n";
    os << "  fingerprint " << to_text(f) << "\n";
    os << "  files       " << i.files << " (" << megabytes(i.text_bytes) << " of text)\n";
    os << "  documents   " << i.documents << " (" << i.content_chars << " content characters)\n";
    os << "  seed index  " << i.postings << " postings in " << i.parts << " parts, " << i.blocks << " blocks\n";
    os << "  on disk     " << megabytes(i.bytes_on_disk) << " (" << std::fixed << std::setprecision(2) << ratio
       << " x the text; " << i.free_pages << " of " << i.pages << " pages of " << i.page_size << " bytes free)\n";
    if (a.check) {
      os << "  check       " << (check.ok() ? "ok" : "PROBLEMS") << ": integrity " << check.integrity << ", "
         << check.documents << " documents checked\n";
      for (const auto& p : check.problems) os << "    " << p << "\n";
    }
  }
  if (!out.finish()) return kExitNothing;
  return a.check && !check.ok() ? kExitNothing : kExitOk;
}

}  // namespace

Command add_index_command(CLI::App& app) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* index = app.add_subcommand(
      "index",
      "The persistent archive: one SQLite file keeping the original bytes of archived reports and an index\n"
      "of their seeds, which `recur query` searches. Subcommands: add, remove, list, info.\n\n"
      "Exit status: 0 done, 1 nothing could be read (or the archive cannot be opened, or nothing was removed),\n"
      "2 invalid options (also: options that differ from the archive's), 130 interrupted.");
  index->require_subcommand(1);

  CLI::App* add = index->add_subcommand(
      "add",
      "Creates the archive, or extends it: files not archived are added, files archived under the same path\n"
      "are skipped when their content is the same (XXH3-128 hash) and replaced when it is not.\n"
      "With --doc-split, each document of a compilation is its own archive document.\n"
      "The input options (--simplify, --strip, --doc-split, --paragraphs) and --seed, --sample are fixed when\n"
      "the archive is created; later adds take the archive's values, and refuse different ones, naming them.\n"
      "Files are committed in batches of whole files (--batch MiB of text): Ctrl-C commits the files done so far,\n"
      "and a killed add leaves the archive as its last batch left it.");
  args->add = add;
  add->add_option("ARCHIVE", args->archive, "The archive file (created when missing)")->required();
  add_input_options(*add, args->options.input, args->common);
  add_seed_options(*add, args->options.seed, args->options.sample);
  add->add_option("--threads", args->threads, "Threads reading and seeding files; 0 = all cores")
      ->check(whole_number(0, 1024, "a whole number from 0 to 1024"))
      ->capture_default_str();
  add->add_option("--batch", args->batch_mb,
                  "MiB of text per transaction: a killed add loses at most the batch it was writing; smaller "
                  "batches make more, smaller parts of the seed index (merged later)")
      ->check(whole_number(1, 65536, "a whole number of MiB from 1 to 65536"))
      ->capture_default_str();
  add->add_flag("-q,--quiet", args->common.quiet, "No progress display and no warnings on stderr");

  CLI::App* remove = index->add_subcommand(
      "remove", "Removes archived files, with their documents, texts and seeds, in one transaction.");
  remove->add_option("ARCHIVE", args->archive, "The archive file")->required();
  remove->add_option("PATH", args->remove_paths,
                     "Paths as they were added (see recur index list), or a folder: every archived file under it")
      ->required();

  CLI::App* list = index->add_subcommand("list", "Lists the archived documents: date added, bytes, characters, path.");
  list->add_option("ARCHIVE", args->archive, "The archive file")->required();
  list->add_option("--format", args->common.format, "text (a table) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  list->add_option("-o,--output", args->common.output, "Write to FILE instead of standard output (atomically)");

  CLI::App* info = index->add_subcommand(
      "info", "Shows the archive's options fingerprint, counts of files, documents and seeds, and its size on disk.");
  info->add_option("ARCHIVE", args->archive, "The archive file")->required();
  info->add_option("--format", args->common.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  info->add_option("-o,--output", args->common.output, "Write to FILE instead of standard output (atomically)");
  info->add_flag("--check", args->check,
                 "Also check the archive: SQLite's integrity check, and every document's seeds against its stored "
                 "text (reads everything; exit status 1 when a problem is found)");

  return {index, [args, add, remove, list, info]() -> int {
            if (add->parsed()) return run_add(*args);
            if (remove->parsed()) return run_remove(*args);
            if (list->parsed()) return run_list(*args);
            if (info->parsed()) return run_info(*args);
            return kExitUsage;
          }};
}

}  // namespace recur::cli
