// Options and output handling shared by the subcommands.
#include "common.hpp"

#include "recur/error.hpp"

#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>

namespace recur::cli {

void add_input_options(CLI::App& sub, InputOptions& o, CommonArgs& a, bool paths) {
  if (paths)
    sub.add_option("PATH", a.paths,
                   "Files or directories (directories are searched recursively for --glob); - reads standard input")
        ->required();
  sub.add_option("--glob", o.glob,
                 "File-name pattern for files found in directories (* any characters, ? one, [abc] one of them)")
      ->capture_default_str();
  sub.add_option("--stdin-name", o.stdin_name, "The name standard input (PATH -) is reported under")
      ->capture_default_str();
  sub.add_option("--encoding", o.decode.encoding,
                 "Input encoding: auto (BOM, UTF-8, else GB18030 when it decodes cleanly to Chinese, else ICU "
                 "detection) or an ICU name such as gb18030, gbk, utf-16le, big5")
      ->capture_default_str();
  sub.add_flag("--simplify", o.normalize.simplify, "Map Traditional to Simplified Chinese before comparing");
  sub.add_option("--strip", o.strip,
                 "Regex (ICU syntax) of markers to ignore, e.g. '##paid(begin|end)##'; repeatable. Reported "
                 "text and offsets still show the original bytes")
      ->take_all();
  sub.add_option("--doc-split", o.doc_split,
                 "Regex (ICU, multiline): a line containing a match starts a new document, e.g. '综述$'");
  sub.add_option("--paragraphs", a.paragraphs,
                 "auto: per file, 'indent' if >=10% of lines are indented, else 'lines'; indent: indented lines "
                 "and lines after sentence-final punctuation start paragraphs, wrapped lines are joined; "
                 "lines: one paragraph per non-empty line")
      ->check(CLI::IsMember({"auto", "indent", "lines"}))
      ->capture_default_str();
}

void add_output_options(CLI::App& sub, unsigned& threads, CommonArgs& a, const std::vector<std::string>& formats,
                        const std::string& format_help) {
  sub.add_option("--threads", threads, "Worker threads; 0 = all cores")
      ->check(whole_number(0, 1024, "a whole number from 0 to 1024"))
      ->capture_default_str();
  a.format = formats.front();
  sub.add_option("--format", a.format, format_help)->check(CLI::IsMember(formats))->capture_default_str();
  sub.add_option("-o,--output", a.output, "Write the report to FILE instead of standard output (atomically; never over an input)");
  sub.add_flag("-q,--quiet", a.quiet, "No progress display and no warnings on stderr");
  sub.add_option("--top", a.top, "Items shown by the text format; 0 = all")
      ->check(whole_number(0, UINT32_MAX, "a whole number (0 = all)"))
      ->capture_default_str();
  sub.add_option("--color", a.color, "Colour in the text format: auto (when stdout is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

void finish_input_options(InputOptions& input, const CommonArgs& args) {
  input.paragraphs = parse_paragraph_mode(args.paragraphs);
}

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

// Called from the pipeline's ticker thread while warnings may be printed from the main thread.
void ProgressLine::update(const Progress& p) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (elapsed < 1.0) return;
  std::ostringstream line;
  line << "recur: " << p.stage;
  if (p.total > 0) {
    const double pct = 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total);
    line.setf(std::ios::fixed);
    line.precision(1);
    line << " " << pct << "%";
    if (std::string_view(p.stage) == "reading" || std::string_view(p.stage) == "adding")
      line << " (" << static_cast<double>(p.done) / 1e6 << " of " << static_cast<double>(p.total) / 1e6 << " MB, "
           << static_cast<double>(p.done) / 1e6 / elapsed << " MB/s)";
    else
      line << " (" << p.done << " of " << p.total << ")";
  }
  line << "  " << static_cast<int>(elapsed) << " s";
  std::fprintf(stderr, "\r\x1b[K%s", line.str().c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  std::lock_guard lock(mutex_);
  erase();
}

void ProgressLine::message(const std::string& text) {
  std::lock_guard lock(mutex_);
  erase();
  std::cerr << "recur: " << text << "\n";
}

void ProgressLine::erase() {
  if (shown_) std::fprintf(stderr, "\r\x1b[K");
  shown_ = false;
}

void Output::open(const std::string& path) {
  if (path.empty() || path == "-") return;
  file_ = std::make_unique<AtomicFile>(path);
}

bool Output::finish() {
  if (!file_) {
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "recur: error writing standard output\n";
      return false;
    }
    return true;
  }
  try {
    file_->commit();
  } catch (const recur::Error& e) {
    std::cerr << "recur: " << e.what() << "\n";
    return false;
  }
  return true;
}

InputList list_inputs(const InputOptions& input, const CommonArgs& args, const Output& out) {
  if (auto m = input.validate(); !m.empty()) throw recur::Error(errc::usage, m);
  const bool reads_stdin = std::find(args.paths.begin(), args.paths.end(), "-") != args.paths.end();
  if (reads_stdin && ::isatty(STDIN_FILENO) == 1 && !args.quiet)
    std::cerr << "recur: reading standard input (end it with Ctrl-D)\n";
  InputList list = find_inputs(args.paths, input.glob, input.stdin_name);
  // Our own temporary, met while listing its folder, is no input.
  if (const std::string temp = out.temp_path(); !temp.empty()) {
    struct stat st {};
    if (::stat(temp.c_str(), &st) == 0)
      std::erase_if(list.files, [&](const InputFile& f) {
        return !f.data && f.device == static_cast<std::uint64_t>(st.st_dev) &&
               f.inode == static_cast<std::uint64_t>(st.st_ino);
      });
  }
  protect_inputs(args.output, list);
  return list;
}

CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi, const std::string& words) {
  return CLI::Validator(
      [lo, hi, words](std::string& s) -> std::string {
        std::uint64_t v = 0;
        const char* end = s.data() + s.size();
        const auto [ptr, ec] = std::from_chars(s.data(), end, v);
        if (s.empty() || ptr != end || ec == std::errc::invalid_argument)
          return "expected " + words + ", got '" + s + "'";
        if (ec == std::errc::result_out_of_range || v < lo || v > hi)
          return "'" + s + "' is out of range: expected " + words;
        return {};
      },
      words);
}

CLI::Validator decimal(std::function<bool(double)> ok, const std::string& words) {
  return CLI::Validator(
      [ok = std::move(ok), words](std::string& s) -> std::string {
        char* end = nullptr;
        errno = 0;
        const double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size() || std::isnan(v) || std::isspace(static_cast<unsigned char>(s[0])))
          return "expected " + words + ", got '" + s + "'";
        if (!ok(v)) return "'" + s + "' is out of range: expected " + words;
        return {};
      },
      words);
}

void add_align_options(CLI::App& sub, AlignOptions& align, std::vector<std::string>& bases) {
  sub.add_option("--base", bases,
                 "Template text (files or folders): passages also found in it are marked template and not counted")
      ->take_all();
  sub.add_option("--min-length", align.min_tokens, "Shortest passage, in tokens (characters for Chinese) on each side")
      ->check(whole_number(2, 1000000, "a whole number from 2 to 1000000, at least --seed"))
      ->capture_default_str();
  sub.add_option("--max-gap", align.max_gap, "Largest edited stretch, in tokens, bridged inside one passage")
      ->check(whole_number(0, 10000, "a whole number from 0 to 10000"))
      ->capture_default_str();
  sub.add_option("--min-similarity", align.min_similarity, "Passages less similar than this are dropped")
      ->check(decimal([](double v) { return v >= 0 && v <= 1; }, "a number from 0 to 1"))
      ->capture_default_str();
}

Feedback make_feedback(bool quiet) {
  Feedback f;
  f.line = std::make_shared<ProgressLine>(::isatty(STDERR_FILENO) == 1 && !quiet);
  auto line = f.line;
  f.progress = [line](const Progress& p) { line->update(p); };
  f.warn = [line, quiet](const std::string& msg) {
    if (!quiet) line->message(msg);
  };
  return f;
}

std::size_t excerpt_width(const Output& out) {
  std::size_t columns = 100;
  if (const char* c = std::getenv("COLUMNS"); c && std::atoi(c) > 0) {
    columns = static_cast<std::size_t>(std::atoi(c));
  } else if (out.is_stdout() && ::isatty(STDOUT_FILENO) == 1) {
    struct winsize ws {};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) columns = ws.ws_col;
  }
  // Excerpts are indented by 6 columns and Chinese characters take two columns each.
  return std::max<std::size_t>(20, (columns > 6 ? columns - 6 : 0) / 2);
}

bool use_color(const CommonArgs& a, const Output& out) {
  if (a.color == "always") return true;
  if (a.color == "never") return false;
  return out.is_stdout() && ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
}

}  // namespace recur::cli
