#include "aebench/report/report.h"

#include "aebench/errors.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/report/run_files.h"
#include "aebench/report/run_report.h"
#include "aebench/report/sweep_report.h"

namespace aebench {

namespace fs = std::filesystem;

namespace {

bool holds_foreign_report(const fs::path& dir) {
  std::error_code error;
  if (fs::symlink_status(dir / kReportFile, error).type() == fs::file_type::not_found) return false;
  const RegularFileText file = read_regular_file(dir / kReportFile);
  // Its generator tag, or the footer of a sweep report written before the tag existed.
  return !file.ok() ||
         (file.bytes.find("<meta name=\"generator\" content=\"aebench\">") == std::string::npos &&
          file.bytes.find("<footer>Written by aebench ") == std::string::npos);
}

}  // namespace

void refuse_foreign_sweep_report(const fs::path& dir) {
  // A folder of run folders the user made by hand may hold a report.html of their own: only
  // aebench's (its generator tag) is replaced.
  if (holds_foreign_report(dir))
    throw OutputError(dir.string() + " holds a " + kReportFile +
                      " that aebench did not write; move it, or report each run folder");
}

Artefacts report_artefacts(const fs::path& dir) {
  Artefacts artefacts;
  switch (folder_kind(dir)) {
    case FolderKind::kRun:
      artefacts.add_text(kReportFile, render_run_report(dir));
      return artefacts;
    case FolderKind::kSweep:
      // A sweep's damaged record would make its report a plain folder's: all runs, no points.
      if (const std::string problem = damaged_sweep_record(dir); !problem.empty())
        throw ConfigError((dir / kSweepFile).string() +
                          ": expected a sweep record (written by aebench sweep), found " + problem +
                          "; restore it, or move it away to report the folder's runs as they are");
      refuse_foreign_sweep_report(dir);
      for (const auto& run : sweep_runs(dir))
        if (folder_kind(run) == FolderKind::kRun)
          artefacts.add_text(run.filename().string() + "/" + kReportFile, render_run_report(run));
      artefacts.add_text(kReportFile, render_sweep_report(dir));
      return artefacts;
    case FolderKind::kOther:
      break;
  }
  const std::string found = what_is_at(dir);
  throw ConfigError(dir.string() + ": expected a run folder (one aebench train made: with its " +
                    kRunMarkerFile +
                    ") or a sweep folder (subfolders that are run folders), found " +
                    (found == "a folder" ? "neither" : found));
}

}  // namespace aebench
