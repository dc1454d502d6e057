#pragma once
// The state of a sweep: each point's state read off its run folder (the truth, whoever ran the
// point: a local job, a Slurm task, a user by hand), and sweep.json, the sweep folder's record
// of its plan, every point's overrides, state, error and timings. sweep.json is what
// `aebench sweep-point` reads to run one point, so a Slurm task needs nothing else.
// Free of LibTorch.

#include <filesystem>
#include <string>
#include <vector>

#include "aebench/io/run_folder.h"  // kSweepFile, is_sweep_folder
#include "aebench/io/stopwatch.h"   // utc_timestamp, used with the record
#include "aebench/sweep/sweep_plan.h"

namespace aebench {

inline constexpr char kSweepLogFolder[] = "logs";  // SWEEP/logs/NAME.log: each point's output
inline constexpr int kSweepFormatVersion = 1;

enum class PointState {
  kPending,      // nothing run yet
  kRunning,      // a process holds its run folder's lock
  kDone,         // summary.json written
  kFailed,       // error.txt written (the point's error); rerun only with --retry-failed
  kInterrupted,  // stopped (signal, kill, pre-emption): resumes from checkpoint.pt if there
};

// "pending", "running", "done", "failed", "interrupted".
std::string state_name(PointState state);

// The state of the run folder RUN_DIR, from its files alone: done when summary.json is a JSON
// object, else failed when error.txt exists or the folder is not the point's own
// (foreign_folder_problem), else running when its lock is held, else
// interrupted when it holds any file a run writes, else pending.
PointState observe_point(const std::filesystem::path& run_dir);

// The first line of RUN_DIR/error.txt ("" when there is none).
std::string recorded_error(const std::filesystem::path& run_dir);

// "" when RUN_DIR/error.txt is absent, a regular file or a link, which a retry removes as a
// name; else what it is, in an output error's words: a folder or FIFO there is the user's, so
// the point stays failed, naming it, and is not run again.
std::string error_file_problem(const std::filesystem::path& run_dir);

// Whether RUN_DIR is the point's own: missing (the run makes it), empty but for aebench's lock
// and an error.txt that write_point_error wrote (an attempt that failed before its run files;
// its last line is aebench's mark), or a run folder. Not a link, a
// file, or a folder of the user's put at its path.
bool is_points_own_folder(const std::filesystem::path& run_dir);

// "" unless RUN_DIR is a readable folder that is not the point's own (is_points_own_folder):
// then why, in an output error's words. Such a point is failed (observe_point) with this as its
// error: a run is not written beside, nor error.txt removed from, a folder put at its path.
std::string foreign_folder_problem(const std::filesystem::path& run_dir);

// Throws OutputError with foreign_folder_problem, if any. (A link or file at the point's path
// is the point's failure too, recorded_error.)
void refuse_foreign_point_folder(const std::filesystem::path& run_dir);

// Writes a failed point's one-line error to RUN_DIR/error.txt, with aebench's mark as its last
// line, only into a folder that is the point's own (is_points_own_folder), made now when
// missing. A link or a
// folder put at its path meanwhile is not written into; returns false then (the caller keeps
// the error in sweep.json alone).
bool write_point_error(const std::filesystem::path& run_dir, const std::string& line);

// Removes RUN_DIR/error.txt before the point runs again; OutputError when error_file_problem.
void clear_point_error(const std::filesystem::path& run_dir);

struct PointRecord {
  SweepPoint point;
  PointState state = PointState::kPending;
  std::string error;     // failed: the point's one-line error
  double seconds = 0;    // wall time of its last attempt
  int attempts = 0;      // attempts started by this sweep folder's executors
  std::string started;   // UTC, ISO 8601, of the last attempt ("" = never)
  std::string finished;  // UTC, ISO 8601 ("" = not finished)
};

struct SweepRecord {
  SweepPlan plan;
  std::vector<PointRecord> points;
  std::string slurm_job_id;  // the last array submitted ("" = none)
};

// A record for a fresh plan: every point pending, except that the states, attempts and timings
// of points that `previous` already knows (by name) are kept.
SweepRecord merge_record(const SweepPlan& plan, const std::vector<SweepPoint>& points,
                         const SweepRecord* previous);

// The points whose run folder holds a config.json, or a summary.json made with a config, that
// differs from the config the sweep now gives them (a changed base config, --set, a name that
// now means other overrides, a run copied in), each as "NAME: train.epochs 2 -> 3" (incidental
// keys, config_changes.h, are not compared: they do not change results). Such a folder was made by
// another sweep: its results must not be reported as this one's, and it cannot be resumed.
std::vector<std::string> mismatched_points(const SweepRecord& record);

// Re-reads every point's state off its run folder (keeping recorded timings); a failed point
// gets its error from error.txt. A done or interrupted folder whose config.json is not the
// point's config (mismatched_points) counts as failed, with that as its error.
void refresh_states(SweepRecord& record);

// SWEEP/sweep.json, written atomically.
void write_sweep_record(const SweepRecord& record);

// Reads SWEEP/sweep.json. Throws ConfigError naming the file when it is missing, not a regular
// file, not a sweep record, of another format version, or names a point with a name that is
// not a plain folder name (is_point_name).
SweepRecord read_sweep_record(const std::filesystem::path& sweep_dir);

// Whether SWEEP/sweep.json is a sweep record (a readable object with format_version and points;
// not, say, a user's sweep file of that name).
bool has_sweep_record(const std::filesystem::path& sweep_dir);

// Points per state, for status lines: "3 done, 1 running, 0 failed, 4 pending".
struct StateCounts {
  int pending = 0, running = 0, done = 0, failed = 0, interrupted = 0;
  int total() const { return pending + running + done + failed + interrupted; }
};
StateCounts count_states(const SweepRecord& record);
std::string describe_counts(const StateCounts& counts);

}  // namespace aebench
