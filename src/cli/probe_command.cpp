#include <iostream>

#include "aebench/pipeline/saved_run.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_probe(CLI::App& app, ProbeCommandOptions& options) {
  auto* command = app.add_subcommand(
      "probe",
      "Train classifiers on a finished run's codes; results in RUN_DIR/probe and summary.json");
  add_saved_run_flags(command, options.run);
  command
      ->add_option("--set", options.run.overrides,
                   "Override a probe key, e.g. --set probe.hidden=[512,512,512] (repeatable)")
      ->allow_extra_args(false);
  return command;
}

int run_probe_command(const ProbeCommandOptions& options) {
  RunOptions run;
  run.quiet = options.run.quiet;
  run.log = &std::cerr;
  const SavedRunOptions saved = saved_run_options(options.run);
  run_probe(options.run.run_dir, saved, run);
  std::cout << (std::filesystem::path(options.run.run_dir) / kProbeFolder).string() << '\n';
  return 0;
}

}  // namespace aebench::cli
