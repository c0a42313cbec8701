// recur: finds reused wording across a corpus of reports. This file only dispatches.
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "heap.hpp"
#include "recur/error.hpp"
#include "recur/output.hpp"
#include "recur/run.hpp"

namespace {

// "report, phrases, synth, eval": the commands, for messages.
std::string command_list(const std::vector<recur::cli::Command>& commands) {
  std::string names;
  for (const auto& c : commands) names += (names.empty() ? "" : ", ") + c.app->get_name();
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  recur::cli::tune_heap(argv);
  using recur::cli::kExitUsage;
  CLI::App app{"recur " + std::string(recur::version()) +
               ": find reused wording (near-duplicate paragraphs) across a corpus of reports.\n"
               "Exit status: 0 the run completed (even if some files were skipped), 1 nothing could be\n"
               "read or the output could not be written, 2 invalid options or arguments, 130 interrupted\n"
               "(Ctrl-C; 128 + the signal number for other signals)."};
  app.set_version_flag("--version", std::string("recur ") + recur::version());
  app.require_subcommand(1);
  const std::vector<recur::cli::Command> commands = {recur::cli::add_report_command(app),
                                                     recur::cli::add_phrases_command(app),
                                                     recur::cli::add_compare_command(app),
                                                     recur::cli::add_index_command(app),
                                                     recur::cli::add_query_command(app),
                                                     recur::cli::add_synth_command(app),
                                                     recur::cli::add_eval_command(app)};
  // CLI11 would say "A subcommand is required" for a misspelt command: name it instead.
  if (argc < 2) {
    std::cerr << "recur: a command is required (commands: " << command_list(commands)
              << "); run 'recur --help' for usage\n";
    return kExitUsage;
  }
  std::string prefix = "recur";
  if (argv[1][0] != '-') {
    bool known = false;
    for (const auto& c : commands) known = known || c.app->get_name() == argv[1];
    if (!known) {
      std::cerr << "recur: unknown command '" << argv[1] << "' (commands: " << command_list(commands)
                << "); run 'recur --help' for usage\n";
      return kExitUsage;
    }
    prefix += std::string(" ") + argv[1];
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << prefix << ": " << e.what() << "\nRun '" << prefix << " --help' for the options.\n";
    return kExitUsage;
  }
  recur::install_interrupt_handlers();
  try {
    for (const auto& c : commands)
      if (c.app->parsed()) return c.run();
    return kExitUsage;
  } catch (const recur::Error& e) {
    std::cerr << prefix << ": " << e.what() << "\n";
    return e.code() == recur::errc::usage ? kExitUsage : recur::cli::kExitNothing;
  } catch (const recur::Interrupted& e) {
    std::cerr << prefix << ": interrupted; no output written\n";
    return 128 + e.signal;
  } catch (const std::exception& e) {
    std::cerr << prefix << ": internal error: " << e.what() << "\n";
    return 3;
  }
}
