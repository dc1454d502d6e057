#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "aebench/config/config.h"
#include "aebench/errors.h"
#include "aebench/io/cpu_cores.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_artefacts.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/report/report.h"
#include "aebench/sweep/local_executor.h"
#include "aebench/sweep/slurm_executor.h"
#include "aebench/sweep/sweep_plan.h"
#include "aebench/sweep/sweep_record.h"
#include "aebench/sweep/sweep_results.h"
#include "commands.h"
#include "startup_environment.h"

namespace aebench::cli {
namespace {

namespace fs = std::filesystem;

SweepPlan plan_from_flags(const SweepCommandOptions& options) {
  const nlohmann::json document = read_json_file(options.target);
  SweepPlan plan;
  if (is_sweep_document(document)) {
    plan = read_sweep_file(options.target);
  } else {
    if (options.grid.empty())
      throw ConfigError(options.target +
                        ": a config file needs at least one --grid KEY=V1,V2 to make a sweep "
                        "(or give a sweep file, an object with \"base\")");
    plan.base_config = fs::absolute(options.target);
    plan.out_dir =
        fs::absolute(fs::path("runs") / ("sweep_" + fs::path(options.target).stem().string()));
  }
  std::set<std::string> given;
  for (const auto& flag : options.grid) {
    auto [key, values] = parse_grid_flag(flag);
    // One --grid per key: a second would silently drop the first one's points.
    if (!given.insert(key).second)
      throw ConfigError("--grid " + key + ": expected each key once, found it twice; give all " +
                        "its values in one --grid, e.g. " + key + "=V1,V2");
    bool replaced = false;
    for (auto& entry : plan.grid)
      if (entry.first == key) entry.second = values, replaced = true;
    if (!replaced) plan.grid.emplace_back(key, values);
  }
  for (const auto& assignment : options.overrides) plan.fixed.push_back(parse_set_flag(assignment));
  if (!options.out_dir.empty()) plan.out_dir = fs::absolute(options.out_dir);
  ExecutorOptions& executor = plan.executor;
  if (!options.executor.empty()) executor.type = options.executor;
  if (options.jobs > 0) executor.jobs = options.jobs;
  if (options.threads > 0) executor.threads = options.threads;
  if (!options.partition.empty()) executor.partition = options.partition;
  if (!options.time.empty()) executor.time = options.time;
  if (!options.mem.empty()) executor.mem = options.mem;
  if (!options.gres.empty()) executor.gres = options.gres;
  if (options.cpus_per_task > 0) executor.cpus_per_task = options.cpus_per_task;
  if (options.max_parallel >= 0) executor.max_parallel = options.max_parallel;
  return plan;
}

// Anything in `dir` but the lock a killed sweep left behind.
bool holds_user_files(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename() != kLockFile) return true;
  return false;
}

// Whether `dir` may be the sweep folder: a new folder, an empty one, or one that already holds
// this (or an earlier) sweep's sweep.json. Anything else belongs to the user and is refused.
// Reads only: a dry run refuses what a run would.
void check_sweep_folder(const fs::path& dir) {
  std::error_code error;
  if (fs::exists(dir, error) && !fs::is_directory(dir, error))
    throw OutputError("sweep folder " + dir.string() + ": expected a folder, found " +
                      non_folder_kind(dir));
  // A sweep.json that is there but damaged (cut short, a FIFO, a link) is named as what it is:
  // "no sweep.json" would send the user away from their own sweep. A readable JSON file of
  // another kind (a user's sweep file of that name) is no sweep folder, as below.
  const fs::file_type record_type = fs::symlink_status(dir / kSweepFile, error).type();
  if (fs::is_directory(dir, error) && record_type != fs::file_type::not_found &&
      !has_sweep_record(dir)) {
    const RegularFileText file = read_regular_file(dir / kSweepFile);
    if (record_type != fs::file_type::regular || !file.ok() ||
        nlohmann::json::parse(file.bytes, nullptr, false).is_discarded())
      (void)read_sweep_record(dir.string());  // throws naming the problem
  }
  if (fs::is_directory(dir, error) && holds_user_files(dir) && !has_sweep_record(dir))
    throw OutputError("sweep folder " + dir.string() + " holds files but no " + kSweepFile +
                      "; it is not a sweep folder: choose another --out (or an empty folder)");
  // At any depth (SWEEP/logs/x too): its points would be mistaken for the outer sweep's files.
  for (fs::path above =
           without_trailing_separator(fs::absolute(dir).lexically_normal()).parent_path();
       ; above = above.parent_path()) {
    if (has_sweep_record(above))
      throw OutputError("sweep folder " + dir.string() + " is inside the sweep folder " +
                        above.string() + " (where point folders go); choose another --out");
    if (above == above.parent_path()) break;
  }
  refuse_nested_run_folder(dir, "sweep folder");  // its points would be runs in a run
  // The sweep's own files are written after its points have run: refused now, not then (and
  // before the record is rewritten).
  if (!fs::is_directory(dir, error)) return;
  refuse_symbolic_link(dir / kSweepLogFolder, "sweep log folder");
  if (fs::exists(fs::symlink_status(dir / kSweepLogFolder, error)) &&
      !fs::is_directory(fs::symlink_status(dir / kSweepLogFolder, error)))
    throw OutputError("sweep folder " + dir.string() + ": expected " + kSweepLogFolder +
                      "/ to be the folder of the points' logs, found " +
                      what_is_at(dir / kSweepLogFolder) + "; move it away, then run again");
  refuse_foreign_sweep_report(dir);
  refuse_unreplaceable_names(dir, sweep_folder_files(), "sweep folder " + dir.string());
}

// The sweep folder, checked and made, ready for the record.
void prepare_sweep_folder(const fs::path& dir) {
  check_sweep_folder(dir);
  std::error_code error;
  fs::create_directories(dir, error);
  if (error)
    throw OutputError("sweep folder " + dir.string() + ": cannot create it (" + error.message() +
                      "); choose another --out");
}

// A point folder another sweep (or this one with other settings) made is not this sweep's
// result: refuse before anything runs, and say how to go on.
void refuse_mismatched_points(const SweepRecord& record) {
  const auto mismatches = mismatched_points(record);
  if (mismatches.empty()) return;
  throw ConfigError("sweep folder " + record.plan.out_dir.string() + ": " +
                    std::to_string(mismatches.size()) +
                    " point folder(s) hold runs of another config (" + mismatches.front() +
                    (mismatches.size() > 1 ? "; ..." : "") +
                    "); use another --out for the new settings, or delete those point folders to "
                    "run them again");
}

// A sweep into a folder that holds another sweep may add points, never forget recorded ones:
// sweep.json, --status and comparison.md would lose them while their folders stay.
void refuse_dropped_points(const SweepRecord& previous, const std::vector<SweepPoint>& points) {
  std::vector<std::string> dropped;
  for (const auto& entry : previous.points) {
    // A point recorded by a command that stopped before it started (no attempt, no folder)
    // has nothing to forget: a smaller grid drops it from the record.
    std::error_code error;
    const bool never_started =
        entry.attempts == 0 &&
        !fs::exists(fs::symlink_status(previous.plan.out_dir / entry.point.name, error));
    if (!never_started && std::none_of(points.begin(), points.end(), [&](const SweepPoint& point) {
          return point.name == entry.point.name;
        }))
      dropped.push_back(entry.point.name);
  }
  if (dropped.empty()) return;
  std::string names;
  for (std::size_t i = 0; i < dropped.size() && i < 3; ++i) names += (i ? ", " : "") + dropped[i];
  if (dropped.size() > 3) names += ", ...";
  throw ConfigError("sweep folder " + previous.plan.out_dir.string() + " holds a sweep with " +
                    std::to_string(dropped.size()) + " point(s) this one does not have (" + names +
                    "); use --out DIR for a different sweep, or keep those points to extend it");
}

// The finished points' table on stdout; nothing when no point is finished.
void print_finished_points(const SweepRecord& record) {
  const ComparisonTable table = finished_points_table(record);
  if (!table.rows.empty()) std::cout << to_markdown(table);
}

void write_results(const SweepRecord& record) {
  write_sweep_results(record);
}

int run_locally(SweepRecord& record, const SweepCommandOptions& options) {
  const std::size_t runnable = runnable_points(record, options.retry_failed).size();
  const JobLayout layout = choose_job_layout(
      record.plan.executor.jobs, record.plan.executor.threads, usable_cpu_cores(),
      static_cast<std::int64_t>(runnable), options.bench_json, options.bench_named);
  if (!options.quiet)
    std::cerr << "sweep: " << record.points.size() << " points in " << record.plan.out_dir.string()
              << " (" << describe_counts(count_states(record)) << "); running " << runnable
              << " as " << layout.jobs << " job(s) x "
              << (layout.threads > 0 ? std::to_string(layout.threads) + " thread(s)"
                                     : std::string("the threads each point measures"))
              << ", " << layout.reason << '\n';
  LocalExecutorOptions local;
  local.jobs = layout.jobs;
  local.threads = layout.threads;
  local.retry_failed = options.retry_failed;
  local.log = options.quiet ? nullptr : &std::cerr;
  local.log_is_terminal = ::isatty(STDERR_FILENO) == 1;
  const int stop_signal = run_local_sweep(record, local);
  refresh_states(record);
  write_sweep_record(record);
  write_results(record);
  if (stop_signal != 0)
    throw Interrupted("sweep stopped by " + signal_name(stop_signal) +
                          "; run the same command again to continue (finished points are kept, "
                          "interrupted ones resume from their checkpoints)",
                      stop_signal);
  if (!options.quiet) print_finished_points(record);
  const StateCounts counts = count_states(record);
  if (counts.done == counts.total()) return kExitSuccess;
  // Advice for what is left: failed points run again only when asked; interrupted, pending or
  // running ones (another process's) go on with the same command.
  const int unfinished = counts.pending + counts.running + counts.interrupted;
  std::cerr << "aebench: sweep: " << describe_counts(counts) << "; "
            << (counts.failed > 0 ? "failed points:\n" + to_markdown(status_table(record, {}))
                                  : std::string("no point failed\n"));
  if (counts.failed > 0)
    std::cerr << "run the same command with --retry-failed to run the failed points again\n";
  if (unfinished > 0)
    std::cerr << "run the same command again to continue the " << unfinished
              << " unfinished point(s) (interrupted ones resume from their checkpoints)\n";
  return kExitSweepIncomplete;
}

int submit_to_slurm(SweepRecord& record, const SweepCommandOptions& options) {
  if (const auto queued = slurm_task_states(record.slurm_job_id); !queued.empty())
    throw OutputError("Slurm job " + record.slurm_job_id + " of this sweep still has " +
                      std::to_string(queued.size()) +
                      " task(s) queued or running; wait for them (aebench sweep --status " +
                      record.plan.out_dir.string() + ") or scancel " + record.slurm_job_id +
                      " before submitting again");
  const auto indices = runnable_points(record, options.retry_failed);
  if (indices.empty()) {
    std::cerr << "sweep: nothing to submit (" << describe_counts(count_states(record)) << ")\n";
    write_results(record);
    return kExitSuccess;
  }
  if (!options.quiet)
    std::cerr << "sweep: submitting " << indices.size() << " point(s) with sbatch...\n";
  // The launcher's real path: the tasks run on other nodes, where /proc/self/exe means nothing,
  // and there they need the environment the launcher sets.
  const auto launcher = fs::read_symlink("/proc/self/exe").parent_path() / kLauncherName;
  const std::string job_id = submit_slurm_array(record, indices, launcher, options.retry_failed);
  for (const std::size_t index : indices) record.points[index].attempts += 1;
  write_sweep_record(record);
  if (!options.quiet)
    std::cerr << "sweep: submitted " << indices.size() << " point(s) as Slurm job array " << job_id
              << " (script: " << (record.plan.out_dir / kSlurmFolder / kSlurmScript).string()
              << "); follow it with: aebench sweep --status " << record.plan.out_dir.string()
              << '\n';
  std::cout << job_id << '\n';
  return kExitSuccess;
}

// The record this sweep will run by: the folder's earlier record (if any) with `points`, which
// may add points but drop none, and whose folders must hold no other config's run.
SweepRecord planned_record(const SweepPlan& plan, const std::vector<SweepPoint>& points) {
  SweepRecord previous;
  const bool has_previous = has_sweep_record(plan.out_dir);
  if (has_previous) previous = read_sweep_record(plan.out_dir);
  if (has_previous) refuse_dropped_points(previous, points);
  SweepRecord record = merge_record(plan, points, has_previous ? &previous : nullptr);
  refuse_mismatched_points(record);
  if (plan.executor.type == "local") refuse_unusable_point_logs(record);
  return record;
}

// The points, each with its state now and whether the same command would run it (a failed
// one only with --retry-failed, and never one whose folder is the user's).
int list_points(const SweepRecord& record, bool retry_failed) {
  ComparisonTable table;
  table.columns = {"point", "overrides", "state", "a run would"};
  const auto runnable = runnable_points(record, retry_failed);
  for (std::size_t i = 0; i < record.points.size(); ++i) {
    const PointRecord& entry = record.points[i];
    const bool runs = std::find(runnable.begin(), runnable.end(), i) != runnable.end();
    table.rows.push_back(
        {entry.point.name, describe_overrides(entry.point.overrides),
         state_name(entry.state) + (entry.error.empty() ? "" : ": " + entry.error),
         runs ? (entry.state == PointState::kInterrupted ? "resume it" : "run it") : "skip it"});
  }
  std::cout << to_markdown(table) << record.points.size() << " valid point(s) of "
            << record.plan.base_config.string() << " into " << record.plan.out_dir.string()
            << "; a run would run " << runnable.size() << " (dry run: nothing written)\n";
  return kExitSuccess;
}

int run_planned_sweep(const SweepCommandOptions& options) {
  const SweepPlan plan = plan_from_flags(options);
  check_executor(plan.executor);
  const auto points = expand_points(plan);
  validate_points(plan, points);
  // --bench picks the job count: with one given as well, or for Slurm, it would be read for
  // nothing (and its advice would name the flag already given).
  if (options.bench_named && (plan.executor.type != "local" || plan.executor.jobs > 0))
    throw ConfigError(
        "--bench " + options.bench_json + ": expected it only with the local " +
        "executor and no job count (it picks --jobs), found " +
        (plan.executor.type != "local"
             ? "executor " + plan.executor.type
             : "jobs " + std::to_string(plan.executor.jobs) + " (--jobs or executor.jobs)") +
        "; give one of them");
  // The bench file a run would read is checked in a dry run too, and a --bench named always.
  if (options.bench_named || (plan.executor.type == "local" && plan.executor.jobs == 0))
    suggested_jobs(options.bench_json, options.bench_named);
  if (options.dry_run) {
    check_sweep_folder(plan.out_dir);
    return list_points(planned_record(plan, points), options.retry_failed);
  }
  prepare_sweep_folder(plan.out_dir);
  const RunLock lock(plan.out_dir, "sweep folder",  // one sweep command per folder at a time
                     "aebench sweep --status " + plan.out_dir.string() + " shows its points");
  remove_temporaries_of(plan.out_dir, sweep_folder_files());  // a killed sweep's, as names
  SweepRecord record = planned_record(plan, points);
  write_sweep_record(record);
  if (plan.executor.type == "slurm") return submit_to_slurm(record, options);
  return run_locally(record, options);
}

int show_status(const std::string& dir) {
  SweepRecord record = read_sweep_record(dir);
  refresh_states(record);
  std::cout << to_markdown(status_table(record, slurm_task_states(record.slurm_job_id)))
            << "sweep: " << describe_counts(count_states(record))
            << (record.slurm_job_id.empty() ? "" : "; Slurm job " + record.slurm_job_id) << '\n';
  return kExitSuccess;
}

int write_report(const std::string& dir) {
  SweepRecord record = read_sweep_record(dir);
  refresh_states(record);
  write_results(record);
  print_finished_points(record);
  std::cerr << "sweep: " << describe_counts(count_states(record))
            << "; report: " << (fs::path(dir) / kReportFile).string() << '\n';
  return kExitSuccess;
}

}  // namespace

CLI::App* setup_sweep(CLI::App& app, SweepCommandOptions& options) {
  auto* command = app.add_subcommand(
      "sweep", "Run every point of a sweep (a grid of config values), here or on Slurm");
  command->add_option("SWEEP", options.target,
                      "A sweep file (JSON: base, out, set, grid, points, executor; see "
                      "docs/sweeps.md), or a config file with --grid");
  // Flags of a sweep run: --status and --report take none of them (a silent no-op misleads).
  std::vector<CLI::Option*> run_only;
  run_only.push_back(
      command->add_option("--grid", options.grid, "KEY=V1,V2,... : one more grid key (repeatable)")
          ->allow_extra_args(false));
  run_only.push_back(
      command->add_option("--set", options.overrides, "KEY=VALUE for every point (repeatable)")
          ->allow_extra_args(false));
  run_only.push_back(
      command->add_option("--out", options.out_dir, "Sweep folder (default: the file's \"out\")")
          ->check(kNonEmptyPath));
  run_only.push_back(command->add_option("--executor", options.executor, "local (default) | slurm")
                         ->check(CLI::IsMember({"local", "slurm"})));
  run_only.push_back(
      command->add_option("--jobs", options.jobs, "local: concurrent points (default: measured)")
          ->check(CLI::Range(1, 1024)));
  run_only.push_back(
      command->add_option("--threads", options.threads, "local: CPU threads per point")
          ->check(CLI::Range(1, 1024)));
  run_only.push_back(
      command
          ->add_option("--bench", options.bench_json,
                       "bench.json whose measured layout picks --jobs (default: ./bench.json, when "
                       "there is one)")
          ->check(kNonEmptyPath)
          ->each([&options](const std::string&) { options.bench_named = true; }));
  run_only.push_back(
      command->add_flag("--retry-failed", options.retry_failed, "Run failed points again"));
  run_only.push_back(command->add_flag(
      "--dry-run", options.dry_run, "Validate every point and list them; run and write nothing"));
  run_only.push_back(
      command->add_option("--partition", options.partition, "slurm: sbatch --partition"));
  run_only.push_back(
      command->add_option("--time", options.time, "slurm: sbatch --time per point, e.g. 1:00:00"));
  run_only.push_back(
      command->add_option("--cpus-per-task", options.cpus_per_task, "slurm: CPU threads per point")
          ->check(CLI::Range(1, 4096)));
  run_only.push_back(command->add_option("--mem", options.mem, "slurm: sbatch --mem, e.g. 4G"));
  run_only.push_back(command
                         ->add_option("--max-parallel", options.max_parallel,
                                      "slurm: at most this many points at once (the array's %K)")
                         ->check(CLI::Range(0, 1000000)));
  run_only.push_back(
      command->add_option("--gres", options.gres, "slurm: sbatch --gres, e.g. gpu:1"));
  auto* status = command->add_option("--status", options.status_dir,
                                     "Show each point's state in a sweep folder, and exit");
  auto* report = command->add_option(
      "--report", options.report_dir,
      "Write the sweep folder's report.html and comparison table now, and exit");
  status->excludes(report);
  for (CLI::Option* option : run_only) {
    status->excludes(option);
    report->excludes(option);
  }
  command->add_flag("-q,--quiet", options.quiet, "Print errors and the final table only");
  command->footer(
      "Examples:\n"
      "  aebench sweep configs/sweeps/seed004_latent.json\n"
      "  aebench sweep configs/dense_100.json --grid model.latent=15,30,50 \\\n"
      "      --grid data.dataset=mnist,fashion-mnist --set train.epochs=5 --out runs/latent\n"
      "  aebench sweep configs/sweeps/seed004_latent.json --executor slurm --time 1:00:00\n"
      "  aebench sweep --status runs/latent\n"
      "Running the same command again continues: finished points are skipped, interrupted ones\n"
      "resume from their checkpoints, failed ones run again only with --retry-failed.\n"
      "Exit codes: 0 every point finished (or the array was submitted), 2 a bad sweep or point\n"
      "config (nothing ran), 5 the sweep folder cannot be written or is in use, 6 some points\n"
      "failed or are unfinished, 130/143 stopped by SIGINT/SIGTERM, 1 anything else.");
  return command;
}

int run_sweep(const SweepCommandOptions& options) {
  const bool has_target = !options.target.empty();
  if (!options.status_dir.empty() || !options.report_dir.empty()) {
    if (has_target)
      throw ConfigError("--status and --report take a sweep folder and no sweep file; found " +
                        options.target);
    return options.status_dir.empty() ? write_report(options.report_dir)
                                      : show_status(options.status_dir);
  }
  if (!has_target)
    throw ConfigError("aebench sweep needs a sweep file, a config with --grid, or --status DIR");
  return run_planned_sweep(options);
}

}  // namespace aebench::cli
