#pragma once
// What a sweep folder says about its points: the status table (`aebench sweep --status`) and
// the result files written when a sweep ends or on `aebench sweep --report` (report.html of the
// sweep and of each point, comparison.md / comparison.csv of the finished points, and each
// metric plotted against the first numeric grid key). Free of LibTorch.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "aebench/analysis/compare.h"
#include "aebench/artefacts/artefacts.h"
#include "aebench/sweep/sweep_record.h"

namespace aebench {

// One row per point: point, state (with Slurm's state of its array task when `slurm_states`
// knows it), attempts, seconds, the point's overrides, error.
ComparisonTable status_table(const SweepRecord& record,
                             const std::map<std::size_t, std::string>& slurm_states);

// The files above, for write_artefacts(record.plan.out_dir, ...). Points that never started
// are left out; with no finished point there is no comparison.
Artefacts sweep_result_artefacts(const SweepRecord& record);

// Writes sweep_result_artefacts into the sweep folder, then removes (as names) the comparison
// files of an earlier report that these leave out: with no finished point now, the tables and
// plots of points that were finished before are no current result.
void write_sweep_results(const SweepRecord& record);

// The names aebench writes at the top of a sweep folder: sweep.json, its report and the
// comparison files (for removing a killed sweep's temporaries of them).
std::vector<std::string> sweep_folder_files();

// The run folders `aebench compare` was given, in order, with each sweep folder (one with a
// sweep record) replaced by its finished points' folders. A folder that is neither a run folder
// (is_run_folder) nor a sweep folder, or a sweep with no finished point, is a ConfigError
// naming it. The sweeps' points left out are added to `left_out` with their state and, for a
// failed one, its error ("SWEEP: latent-2 (interrupted)", "SWEEP: latent-4 (failed: ...)"), for
// the caller to name.
std::vector<std::filesystem::path> runs_to_compare(
    const std::vector<std::filesystem::path>& folders,
    std::vector<std::string>* left_out = nullptr);

// The comparison table of the finished points (empty when none finished).
ComparisonTable finished_points_table(const SweepRecord& record);

}  // namespace aebench
