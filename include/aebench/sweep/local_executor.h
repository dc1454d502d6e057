#pragma once
// Runs a sweep's points on this machine: `jobs` concurrent child processes of the aebench
// binary (`aebench sweep-point SWEEP NAME --threads T`), each writing its output to
// SWEEP/logs/NAME.log. A point that fails never stops the others. SIGINT / SIGTERM stop
// launching and pass the signal on to every running point, which checkpoints and exits
// (130 / 143); the sweep then records them as interrupted, so the same command continues.
// A live status line on a terminal (points done / running / failed / pending, ETA), one line
// per event elsewhere. Free of LibTorch.

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <vector>

#include "aebench/sweep/sweep_record.h"

namespace aebench {

struct LocalExecutorOptions {
  std::filesystem::path executable = "/proc/self/exe";
  std::int64_t jobs = 1;      // >= 1
  std::int64_t threads = 1;   // per point, >= 0 (0: each point measures, as threads 0)
  bool retry_failed = false;  // run failed points again (their error.txt is removed first)
  std::ostream* log = nullptr;
  bool log_is_terminal = false;
};

// The concurrent points bench.json's measured layout suggests (`layout.suggested_jobs`); 0 when
// there is no measurement: no such file, or one bench made with --no-layout, unless `named`
// (given with --bench, where either is a mistake). Throws ConfigError naming the file when it
// is no bench.json aebench bench wrote: not a regular file, too large, damaged, wrongly typed.
std::int64_t suggested_jobs(const std::filesystem::path& bench_json, bool named);

// How many concurrent points and threads each, when the user did not say: `jobs` from
// bench.json's measured layout (suggested_jobs), else one point per core; never more jobs
// than `runnable` points; the cores divided between the jobs. `reason` says where the figure
// came from.
struct JobLayout {
  std::int64_t jobs = 1;
  std::int64_t threads = 1;  // per point; 0 = each point measures its own (threads 0)
  std::string reason;
};
JobLayout choose_job_layout(std::int64_t requested_jobs, std::int64_t requested_threads, int cores,
                            std::int64_t runnable, const std::filesystem::path& bench_json,
                            bool bench_named = false);

// Whether the executor would run this point (pending or interrupted; failed with retry).
bool should_run(PointState state, bool retry_failed);

// The indices of record.points that should run, in order.
std::vector<std::size_t> runnable_points(const SweepRecord& record, bool retry_failed);

// Throws OutputError, before sweep.json is rewritten, when a point's log (logs/POINT.log) is a
// link, a folder, a FIFO or a device: the executor appends only to a regular file of its own.
void refuse_unusable_point_logs(const SweepRecord& record);

// Runs every point that should run, updating `record` and sweep.json as points start and end.
// Returns the stop signal's number when SIGINT or SIGTERM cut the sweep short, else 0.
int run_local_sweep(SweepRecord& record, const LocalExecutorOptions& options);

}  // namespace aebench
