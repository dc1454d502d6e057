#include <iostream>

#include "aebench/pipeline/saved_run.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_eval(CLI::App& app, EvalCommandOptions& options) {
  auto* command = app.add_subcommand(
      "eval",
      "Reload a run's model and config; recompute the metrics and pictures of a split (test by "
      "default, or of other data with --set data.*) into RUN_DIR/eval");
  add_saved_run_flags(command, options.run);
  add_data_flags(command, options.run, options.split);
  return command;
}

int run_eval(const EvalCommandOptions& options) {
  RunOptions run;
  run.quiet = options.run.quiet;
  run.log = &std::cerr;
  const SplitKind split = parse_split(options.split, "--split");
  const SavedRunOptions saved = saved_run_options(options.run);
  run_evaluation(options.run.run_dir, saved, split, run);
  // What it wrote, on stdout whatever --quiet, for scripts (as train prints its run folder).
  std::cout << (std::filesystem::path(options.run.run_dir) / kEvalFolder).string() << '\n';
  return 0;
}

}  // namespace aebench::cli
