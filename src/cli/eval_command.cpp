#include <iostream>

#include "aebench/experiment.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_eval(CLI::App& app, EvalCommandOptions& options) {
  auto* command = app.add_subcommand(
      "eval", "Reload a run's model and config; recompute test metrics and pictures into RUN_DIR/eval");
  command->add_option("RUN_DIR", options.run_dir, "Folder written by aebench train")->required();
  command->add_option("--device", options.device, "cpu | cuda | cuda:N | auto (default: the run's)");
  command->add_option("--threads", options.threads, "CPU threads, 0 = all cores")
      ->check(CLI::Range(0, 1024));
  command->add_flag("-q,--quiet", options.quiet, "Print errors only");
  return command;
}

int run_eval(const EvalCommandOptions& options) {
  RunOptions run;
  run.quiet = options.quiet;
  run.log = &std::cerr;
  run_evaluation(options.run_dir, options.device, options.threads, run);
  return 0;
}

}  // namespace aebench::cli
