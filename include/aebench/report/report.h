#pragma once
// `aebench report DIR`, and the report train, eval and probe refresh: report.html for a run
// folder, or for a sweep folder and each of its run folders. Free of LibTorch.

#include <filesystem>

#include "aebench/artefacts/artefacts.h"

namespace aebench {

// The report files for `dir`, for write_artefacts(dir, ...): "report.html" of a run folder
// (render_run_report); of a sweep folder (render_sweep_report) plus "RUN/report.html" for each
// of its runs that is a run folder. Throws ConfigError naming `dir` when it is neither a run
// nor a sweep folder (or not a folder at all).
Artefacts report_artefacts(const std::filesystem::path& dir);

// Throws OutputError when the sweep folder (or folder of runs) `dir` holds a report.html that
// aebench did not write (no generator tag, or no regular file): it is the user's, and a sweep
// refuses it before running any point, as `report` does before writing.
void refuse_foreign_sweep_report(const std::filesystem::path& dir);

}  // namespace aebench
