#include <unistd.h>

#include <iostream>

#include "aebench/config/config.h"
#include "aebench/pipeline/experiment.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_train(CLI::App& app, TrainCommandOptions& options) {
  auto* command = app.add_subcommand("train", "Train an autoencoder as a JSON config says");
  command->add_option("CONFIG", options.config_path, "Experiment config (JSON)")->required();
  command->add_option("--out", options.out_dir, "Run folder (default: output.dir, runs/<name>)");
  command->add_option("--set", options.overrides,
                      "Override a config key with a JSON value, e.g. --set train.lr=3e-4 "
                      "(repeatable)")
      ->allow_extra_args(false);
  command->add_option("--device", options.device, "cpu | cuda | cuda:N | auto (overrides device)");
  command->add_option("--threads", options.threads, "CPU threads, 0 = all cores (overrides threads)")
      ->check(CLI::Range(0, 1024));
  auto* overwrite =
      command->add_flag("--overwrite", options.overwrite, "Replace a run already in the run folder");
  command->add_flag("--resume", options.resume,
                    "Continue the run in the run folder from its last checkpoint")
      ->excludes(overwrite);
  command->add_flag("-q,--quiet", options.quiet, "Print errors only");
  command->footer(
      "Exit codes: 0 success, 2 usage or config error, 3 data error, 4 training error, "
      "5 output error, 130/143 stopped by SIGINT/SIGTERM (checkpoint written), 1 anything else.");
  return command;
}

int run_train(const TrainCommandOptions& options) {
  // Command-line flags are overrides like any --set, so they are validated and recorded in
  // the resolved config like the file's keys. They come last: the flag wins.
  std::vector<std::string> overrides = options.overrides;
  if (!options.out_dir.empty()) overrides.push_back(string_override("output.dir", options.out_dir, "--out"));
  if (!options.device.empty()) overrides.push_back(string_override("device", options.device, "--device"));
  if (options.threads >= 0) overrides.push_back("threads=" + std::to_string(options.threads));
  const Config config = load_config(options.config_path, overrides);
  RunOptions run;
  run.overwrite = options.overwrite;
  run.resume = options.resume;
  run.resume_hint = "aebench train " + options.config_path + " --out " + config.output.dir +
                    (options.overrides.empty() ? "" : " [the same --set options]") + " --resume";
  run.quiet = options.quiet;
  run.log = &std::cerr;
  run.log_is_terminal = ::isatty(STDERR_FILENO) == 1;
  run_training(config, run);
  if (!options.quiet) std::cout << config.output.dir << '\n';
  return 0;
}

}  // namespace aebench::cli
