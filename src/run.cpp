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
  return run_report(FileSource(std::move(list)), o, progress, warn);
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
