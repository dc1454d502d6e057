#include <iostream>

#include "aebench/experiment.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_probe(CLI::App& app, ProbeCommandOptions& options) {
  auto* command = app.add_subcommand(
      "probe", "Train classifiers on a finished run's codes; results in RUN_DIR/probe and summary.json");
  command->add_option("RUN_DIR", options.run_dir, "Folder written by aebench train")->required();
  command->add_option("--set", options.overrides,
                      "Override a probe key, e.g. --set probe.hidden=[512,512,512] (repeatable)")
      ->allow_extra_args(false);
  command->add_option("--device", options.device, "cpu | cuda | cuda:N | auto (default: the run's)");
  command->add_option("--threads", options.threads, "CPU threads, 0 = all cores")
      ->check(CLI::Range(0, 1024));
  command->add_flag("-q,--quiet", options.quiet, "Print errors only");
  return command;
}

int run_probe_command(const ProbeCommandOptions& options) {
  RunOptions run;
  run.quiet = options.quiet;
  run.log = &std::cerr;
  run_probe(options.run_dir, options.overrides, options.device, options.threads, run);
  return 0;
}

}  // namespace aebench::cli
