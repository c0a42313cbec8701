// recur: finds reused wording across a corpus of reports. This file only dispatches.
#include <iostream>

#include "commands.hpp"
#include "recur/error.hpp"
#include "recur/pipeline.hpp"

int main(int argc, char** argv) {
  CLI::App app{"recur " + std::string(recur::version()) +
               ": find reused wording (near-duplicate paragraphs) across a corpus of reports.\n"
               "Exit status: 0 the run completed (even if some files were skipped), 1 nothing could be\n"
               "read or the output could not be written, 2 invalid options or arguments."};
  app.set_version_flag("--version", std::string("recur ") + recur::version());
  app.require_subcommand(1);
  const std::vector<recur::cli::Command> commands = {recur::cli::add_report_command(app),
                                                     recur::cli::add_phrases_command(app),
                                                     recur::cli::add_synth_command(app),
                                                     recur::cli::add_eval_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return recur::cli::kExitUsage;
  }
  try {
    for (const auto& c : commands)
      if (c.app->parsed()) return c.run();
    return recur::cli::kExitUsage;
  } catch (const recur::Error& e) {
    std::cerr << "recur: " << e.what() << "\n";
    return e.code() == recur::errc::usage ? recur::cli::kExitUsage : recur::cli::kExitNothing;
  } catch (const std::exception& e) {
    std::cerr << "recur: internal error: " << e.what() << "\n";
    return 3;
  }
}
