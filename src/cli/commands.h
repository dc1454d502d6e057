#pragma once
// One pair of functions per subcommand: setup_X registers X's flags on the app and returns the
// options it fills; run_X does the work and returns the process exit code.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "aebench/pipeline/saved_run.h"

namespace aebench::cli {

// A path flag that was given must name something: `--out ""` is a usage error, not the default.
inline const CLI::Validator kNonEmptyPath(
    [](std::string& value) {
      return value.empty() ? std::string("expected a path, found an empty string") : std::string();
    },
    "PATH");

struct TrainCommandOptions {
  std::string config_path;
  std::string out_dir;
  std::vector<std::string> overrides;  // --set KEY=VALUE
  std::string device;
  std::int64_t threads = -1;  // -1: keep the config's
  bool quiet = false;
  bool overwrite = false;
  bool resume = false;
};

// The flags of the commands that reopen a finished run (eval, probe, encode).
struct SavedRunFlags {
  std::string run_dir;
  std::string device;         // "" = the run's
  std::int64_t threads = -1;  // -1 = the run's
  bool quiet = false;
  std::vector<std::string> overrides;  // --set KEY=VALUE under the command's section
};

inline void add_saved_run_flags(CLI::App* command, SavedRunFlags& flags) {
  command->add_option("RUN_DIR", flags.run_dir, "Folder written by aebench train")->required();
  command->add_option("--device", flags.device, "cpu | cuda | cuda:N | auto (default: the run's)");
  command->add_option("--threads", flags.threads, "CPU threads, 0 = every core")
      ->check(CLI::Range(0, 1024));
  command->add_flag("-q,--quiet", flags.quiet, "Print errors only");
}

// The flags of the commands that read a split of the run's data or other data (eval, encode):
// --set for data.* keys (another data set, split sizes or classes) and --split.
inline void add_data_flags(CLI::App* command, SavedRunFlags& flags, std::string& split) {
  command
      ->add_option("--set", flags.overrides,
                   "Override a data key, e.g. --set data.dataset=fashion-mnist or "
                   "--set data.test_limit=1000 (repeatable; the model's image shape must match)")
      ->allow_extra_args(false);
  command->add_option("--split", split, "train | val | test")->capture_default_str();
}

// What the flags ask of the saved run.
inline SavedRunOptions saved_run_options(const SavedRunFlags& flags) {
  return {flags.device, flags.threads, flags.overrides};
}

struct EvalCommandOptions {
  SavedRunFlags run;
  std::string split = "test";
};

struct ProbeCommandOptions {
  SavedRunFlags run;  // overrides: probe.KEY=VALUE
};

struct ExportCommandOptions {
  std::string run_dir;
  std::string out_dir;  // "" = RUN_DIR/export
  bool quiet = false;
};

struct EncodeCommandOptions {
  SavedRunFlags run;
  std::string split = "test";
  std::string out_dir;  // "" = RUN_DIR/codes
  bool images = false;
};

struct CompareCommandOptions {
  std::vector<std::string> run_dirs;
  std::string out_dir;
  std::vector<std::string> metrics;
  std::string x_key;
  std::string series_key;
  bool json = false;       // --json: the comparison as JSON on stdout
  bool out_given = false;  // --out was on the command line (not the default)
};

struct ReportCommandOptions {
  std::string dir;  // a run folder or a sweep folder
};

struct ConfigDocsCommandOptions {};

struct BenchCommandOptions {
  std::vector<std::string> config_paths;  // empty: the benchmark's default configs
  std::int64_t threads = 0;               // 0 = all cores
  std::int64_t steps = 20;
  std::string precision = "auto";
  std::string out_file = "bench.json";
  std::string compare_file;  // "" = no comparison
  bool no_layout = false;    // skip the child-process layout figures
};

struct SweepCommandOptions {
  std::string target;                  // a sweep file, or a config with --grid
  std::vector<std::string> grid;       // --grid KEY=V1,V2,...
  std::vector<std::string> overrides;  // --set KEY=VALUE, every point
  std::string out_dir;
  std::string status_dir;  // --status DIR
  std::string report_dir;  // --report DIR
  std::string executor;    // "" = the sweep file's (local by default)
  std::int64_t jobs = 0;
  std::int64_t threads = 0;
  std::string bench_json = "bench.json";  // where the measured layout is read from
  bool bench_named = false;               // --bench given: it must be a bench.json
  bool retry_failed = false;
  bool dry_run = false;  // validate and list the points, run nothing, write nothing
  bool quiet = false;
  // slurm
  std::string partition, time, mem, gres;
  std::int64_t cpus_per_task = 0;  // 0 = the sweep file's
  std::int64_t max_parallel = -1;  // -1 = the sweep file's
};

// One point of a sweep, run in this process (what the local executor's children and Slurm's
// array tasks run).
struct SweepPointCommandOptions {
  std::string sweep_dir;
  std::string point;
  std::int64_t threads = -1;  // -1: the config's
  bool retry_failed = false;  // run a failed point again (its error.txt is removed)
};

CLI::App* setup_train(CLI::App& app, TrainCommandOptions& options);
int run_train(const TrainCommandOptions& options);

CLI::App* setup_eval(CLI::App& app, EvalCommandOptions& options);
int run_eval(const EvalCommandOptions& options);

CLI::App* setup_probe(CLI::App& app, ProbeCommandOptions& options);
int run_probe_command(const ProbeCommandOptions& options);

CLI::App* setup_export(CLI::App& app, ExportCommandOptions& options);
int run_export_command(const ExportCommandOptions& options);

CLI::App* setup_encode(CLI::App& app, EncodeCommandOptions& options);
int run_encode_command(const EncodeCommandOptions& options);

CLI::App* setup_compare(CLI::App& app, CompareCommandOptions& options);
int run_compare(const CompareCommandOptions& options);

CLI::App* setup_report(CLI::App& app, ReportCommandOptions& options);
int run_report(const ReportCommandOptions& options);

CLI::App* setup_config_docs(CLI::App& app, ConfigDocsCommandOptions& options);
int run_config_docs(const ConfigDocsCommandOptions& options);
CLI::App* setup_sweep(CLI::App& app, SweepCommandOptions& options);
int run_sweep(const SweepCommandOptions& options);

CLI::App* setup_sweep_point(CLI::App& app, SweepPointCommandOptions& options);
int run_sweep_point(const SweepPointCommandOptions& options);

CLI::App* setup_bench(CLI::App& app, BenchCommandOptions& options);
int run_bench(const BenchCommandOptions& options);

}  // namespace aebench::cli
