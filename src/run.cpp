// The commands over files and directories.
#include "recur/run.hpp"

#include "recur/error.hpp"

namespace recur {

Report run_report(const std::vector<std::string>& inputs, const ReportOptions& o, const ProgressFn& progress,
                  const WarnFn& warn) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);  // before listing anything
  return run_report(find_inputs(inputs, o.input.glob, o.input.stdin_name), o, progress, warn);
}

Report run_report(InputList list, const ReportOptions& o, const ProgressFn& progress, const WarnFn& warn) {
  const std::unique_ptr<Spill> spill = report_spill(o, warn);
  return run_report(FileSource(std::move(list)), o, progress, warn, spill.get());
}

std::unique_ptr<Spill> report_spill(const ReportOptions& o, const WarnFn& warn) {
  if (!o.verify) return nullptr;
  std::string error;
  std::unique_ptr<Spill> spill = FileSpill::create(o.temp_dir.empty() ? default_temp_dir() : o.temp_dir, error);
  // A directory the user named must work; the default may fail, which costs only speed.
  if (!spill && !o.temp_dir.empty()) throw Error(errc::usage, "--temp-dir: " + error);
  if (!spill && warn) warn(error + "; the verify stage reads the paragraphs back from the inputs instead");
  return spill;
}

PhrasesReport run_phrases(const std::vector<std::string>& inputs, const PhrasesOptions& o,
                          const ProgressFn& progress, const WarnFn& warn) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  return run_phrases(find_inputs(inputs, o.input.glob, o.input.stdin_name), o, progress, warn);
}

PhrasesReport run_phrases(InputList list, const PhrasesOptions& o, const ProgressFn& progress,
                          const WarnFn& warn, PhrasesWorkPtr* keep) {
  return run_phrases(FileSource(std::move(list)), o, progress, warn, keep);
}

}  // namespace recur
