#pragma once
// Runs a sweep's points on a Slurm cluster: one job array, one task per point to run, each task
// `aebench sweep-point SWEEP NAME` (which resumes an interrupted point from its checkpoint, so
// pre-emption and requeue lose at most one checkpoint interval). The job script is written to
// SWEEP/slurm/job.sh, where users can read it and resubmit it by hand. Slurm does the
// scheduling; aebench only writes the script, calls sbatch and reads squeue. Free of LibTorch.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "aebench/sweep/sweep_record.h"

namespace aebench {

inline constexpr char kSlurmFolder[] = "slurm";  // SWEEP/slurm/job.sh
inline constexpr char kSlurmScript[] = "job.sh";

// The batch script: #SBATCH lines from the executor options, the points' names in a bash array
// indexed by SLURM_ARRAY_TASK_ID, and the command each task runs. Task i runs record.points[i].
// With `retry_failed`, each task runs a failed point again (sweep-point --retry-failed).
std::string slurm_job_script(const SweepRecord& record, const std::filesystem::path& executable,
                             bool retry_failed = false);

// sbatch's --array value: indices compressed into ranges, "%K" when max_parallel > 0
// ({0,1,2,5} -> "0-2,5%2").
std::string array_spec(const std::vector<std::size_t>& indices, std::int64_t max_parallel);

// Writes the script and submits the array for `indices` (sbatch --parsable); returns the job
// id and records it in `record`. Throws OutputError with sbatch's own message when it fails
// or is not installed.
std::string submit_slurm_array(SweepRecord& record, const std::vector<std::size_t>& indices,
                               const std::filesystem::path& executable, bool retry_failed);

// Array task index -> Slurm state (PENDING, RUNNING, ...) of `job_id`'s tasks that squeue still
// lists; empty when squeue is missing or knows nothing of the job.
std::map<std::size_t, std::string> slurm_task_states(const std::string& job_id);

}  // namespace aebench
