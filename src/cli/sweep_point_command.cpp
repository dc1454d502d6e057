#include <iostream>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/pipeline/experiment.h"
#include "aebench/sweep/sweep_plan.h"
#include "aebench/sweep/sweep_record.h"
#include "commands.h"
#include "error_report.h"

namespace aebench::cli {
namespace {

namespace fs = std::filesystem;

const PointRecord& find_point(const SweepRecord& record, const std::string& name) {
  for (const auto& entry : record.points)
    if (entry.point.name == name) return entry;
  throw ConfigError((record.plan.out_dir / kSweepFile).string() + ": no point named \"" + name +
                    "\"");
}

// Trains the point, and on failure leaves its one-line error in error.txt for the sweep's
// status and report (a stop by signal is not a failure: the point resumes next time).
void train_recording_failure(const Config& config, const RunOptions& run, const fs::path& run_dir) {
  try {
    run_training(config, run);
  } catch (...) {
    const ErrorReport error = describe_exception(std::current_exception());
    if (!error.interrupted) (void)write_point_error(run_dir, error.kind + ": " + error.message);
    throw;
  }
}

}  // namespace

CLI::App* setup_sweep_point(CLI::App& app, SweepPointCommandOptions& options) {
  auto* command = app.add_subcommand(
      "sweep-point", "Run one point of a sweep folder (what aebench sweep's jobs run)");
  command->group("");  // internal: not listed in --help
  command->add_option("SWEEP_DIR", options.sweep_dir, "Sweep folder (holds sweep.json)")
      ->required();
  command->add_option("POINT", options.point, "The point's name (its run folder)")->required();
  command
      ->add_option("--threads", options.threads,
                   "CPU threads, 0 = measured: 1 or every core, the faster")
      ->check(CLI::Range(0, 1024));
  command->add_flag("--retry-failed", options.retry_failed, "Run the point again if it failed");
  return command;
}

int run_sweep_point(const SweepPointCommandOptions& options) {
  const SweepRecord record = read_sweep_record(options.sweep_dir);
  const PointRecord& entry = find_point(record, options.point);
  const fs::path run_dir = record.plan.out_dir / entry.point.name;
  // The sweep made the point folder: a link in its place leads elsewhere (run_folder.h).
  refuse_symbolic_link(run_dir, "point folder");
  if (has_sweep_record(run_dir))
    throw OutputError("point folder " + run_dir.string() +
                      " holds another sweep's sweep.json; move that sweep elsewhere");
  refuse_foreign_point_folder(run_dir);  // a user's folder put there: neither trained nor cleared
  PointState state = observe_point(run_dir);
  if (state == PointState::kFailed && options.retry_failed) {
    clear_point_error(run_dir);
    state = observe_point(run_dir);
  }
  // Refusals that are not the point's failure: nothing is recorded in its folder.
  if (state == PointState::kRunning)
    throw OutputError("point " + entry.point.name + " is running in another process (" +
                      run_dir.string() + " is locked); nothing to do");
  if (state == PointState::kDone) {
    std::cerr << "sweep-point: " << entry.point.name << " is already done\n";
    return kExitSuccess;
  }
  if (state == PointState::kFailed)
    throw ConfigError("point " + entry.point.name + " failed earlier (" + recorded_error(run_dir) +
                      "); run the sweep with --retry-failed to run it again");
  std::vector<std::string> threads;
  if (options.threads >= 0) threads.push_back("threads=" + std::to_string(options.threads));
  const Config config = load_point_config(record.plan, entry.point, threads);
  std::vector<std::string> assignments = point_assignments(record.plan, entry.point);
  assignments.insert(assignments.end(), threads.begin(), threads.end());
  RunOptions run;
  run.resume = fs::exists(run_dir / kCheckpointFile);
  run.overwrite = !run.resume;  // only aebench's own files of an attempt that left no checkpoint
  run.resume_hint =
      "the same aebench sweep command (sweep folder " + record.plan.out_dir.string() + ")";
  run.log = &std::cerr;
  run.log_timestamps = true;  // the point's log in the sweep's logs/ folder
  run.command_line = "aebench sweep-point " + record.plan.out_dir.string() + " " + entry.point.name;
  run.overrides = assignments;
  train_recording_failure(config, run, run_dir);
  return kExitSuccess;
}

}  // namespace aebench::cli
