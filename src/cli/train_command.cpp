#include <unistd.h>

#include <iostream>

#include "aebench/config/config.h"
#include "aebench/errors.h"
#include "aebench/pipeline/experiment.h"
#include "aebench/pipeline/run_folder_choice.h"
#include "commands.h"

namespace aebench::cli {
namespace {

// `text` as one shell word: as is when it holds only safe characters, else in single quotes.
std::string shell_quote(const std::string& text) {
  const bool safe = !text.empty() && text.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_-+=.,/:@%") == std::string::npos;
  if (safe) return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The train command with the flags that shape the result (the config, each --set in order, the
// run folder when given, --device, --threads), quoted for the shell.
std::string shaping_command(const TrainCommandOptions& options, const std::string& run_folder) {
  std::string command = "aebench train " + shell_quote(options.config_path);
  for (const auto& assignment : options.overrides) command += " --set " + shell_quote(assignment);
  if (!run_folder.empty()) command += " --out " + shell_quote(run_folder);
  if (!options.device.empty()) command += " --device " + shell_quote(options.device);
  if (options.threads >= 0) command += " --threads " + std::to_string(options.threads);
  return command;
}

// The command that continues this run: the shaping flags, the run folder always, none that
// does not shape it (--quiet).
std::string resume_command(const TrainCommandOptions& options, const std::string& run_folder) {
  return shaping_command(options, run_folder) + " --resume";
}

// The command as typed, for run.json and train.log.
std::string typed_command(const TrainCommandOptions& options) {
  return shaping_command(options, options.out_dir) + (options.resume ? " --resume" : "") +
         (options.overwrite ? " --overwrite" : "") + (options.quiet ? " --quiet" : "");
}

}  // namespace

CLI::App* setup_train(CLI::App& app, TrainCommandOptions& options) {
  auto* command = app.add_subcommand("train", "Train an autoencoder as a JSON config says");
  command->add_option("CONFIG", options.config_path, "Experiment config (JSON)")->required();
  command->add_option("--out", options.out_dir, "Run folder (default: output.dir, runs/<name>)")
      ->check(kNonEmptyPath);
  command
      ->add_option("--set", options.overrides,
                   "Override a config key with a JSON value, e.g. --set train.lr=3e-4 "
                   "(repeatable)")
      ->allow_extra_args(false);
  command->add_option("--device", options.device, "cpu | cuda | cuda:N | auto (overrides device)");
  command
      ->add_option("--threads", options.threads,
                   "CPU threads, 0 = measured: 1 or every core, the faster (overrides threads)")
      ->check(CLI::Range(0, 1024));
  auto* overwrite = command->add_flag("--overwrite", options.overwrite,
                                      "Replace a run already in the run folder");
  command
      ->add_flag("--resume", options.resume,
                 "Continue the run in the run folder from its last checkpoint")
      ->excludes(overwrite);
  command->add_flag("-q,--quiet", options.quiet,
                    "Print errors only (and the run folder on stdout, for scripts)");
  command->footer(
      "Data: a relative data.dir (default data/<dataset>) is looked for under the config file's "
      "folder and the one above it, then $AEBENCH_DATA (a folder holding data/mnist/ ...), the "
      "working folder and the installation's share/aebench.\n"
      "Exit codes: 0 success, 2 usage or config error, 3 data error, 4 training error, "
      "5 output error, 130/143 stopped by SIGINT/SIGTERM (checkpoint written), 1 anything else.");
  return command;
}

int run_train(const TrainCommandOptions& options) {
  // Command-line flags are overrides like any --set, so they are validated and recorded in
  // the resolved config like the file's keys. They come last: the flag wins.
  std::vector<std::string> overrides = options.overrides;
  std::vector<std::string> flags;  // which of them the config was changed by, for messages
  if (!overrides.empty()) flags.push_back("--set");
  // A flag and a --set of its key would silently drop one of the two values.
  const auto refuse_both = [&](bool given, const std::string& flag, const char* pointer,
                               const std::string& key) {
    if (!given) return;
    for (const auto& assignment : options.overrides) {
      nlohmann::json set;
      apply_override(set, assignment);
      if (set.contains(nlohmann::json::json_pointer(pointer)))
        throw ConfigError("--set " + printable(assignment) + ": expected " + key + " once, found " +
                          flag + " as well (a shorthand for --set " + key +
                          "=...); give one of them");
    }
  };
  refuse_both(!options.out_dir.empty(), "--out", "/output/dir", "output.dir");
  refuse_both(!options.device.empty(), "--device", "/device", "device");
  refuse_both(options.threads >= 0, "--threads", "/threads", "threads");
  if (!options.out_dir.empty()) {
    overrides.push_back(string_override("output.dir", options.out_dir, "--out"));
    flags.push_back("--out");
  }
  if (!options.device.empty()) {
    overrides.push_back(string_override("device", options.device, "--device"));
    flags.push_back("--device");
  }
  if (options.threads >= 0) {
    overrides.push_back("threads=" + std::to_string(options.threads));
    flags.push_back("--threads");
  }
  Config config = load_config(options.config_path, overrides, flags);
  // A folder the user did not name: a run of another config never lands in runs/<name>'s run.
  if (options.out_dir.empty() && !options.overwrite && config.output.dir == "runs/" + config.name) {
    const RunFolderChoice choice = choose_run_folder(config, options.overrides, options.resume);
    if (!choice.note.empty() && !options.quiet) std::cerr << "aebench: " << choice.note << '\n';
    config.output.dir = choice.folder.string();
  }
  RunOptions run;
  run.overwrite = options.overwrite;
  run.resume = options.resume;
  run.resume_hint = resume_command(options, config.output.dir);
  run.quiet = options.quiet;
  run.log = &std::cerr;
  run.log_is_terminal = ::isatty(STDERR_FILENO) == 1;
  run.command_line = typed_command(options);
  run.overrides = options.overrides;
  run_training(config, run);
  std::cout << config.output.dir << '\n';  // even with --quiet: scripts capture it
  return 0;
}

}  // namespace aebench::cli
