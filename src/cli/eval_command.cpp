#include <iostream>

#include "aebench/pipeline/experiment.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_eval(CLI::App& app, EvalCommandOptions& options) {
  auto* command = app.add_subcommand(
      "eval",
      "Reload a run's model and config; recompute test metrics and pictures into RUN_DIR/eval");
  add_saved_run_flags(command, options);
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
