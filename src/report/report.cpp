#include "aebench/report/report.h"

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/report/run_files.h"
#include "aebench/report/run_report.h"
#include "aebench/report/sweep_report.h"

namespace aebench {

namespace fs = std::filesystem;

Artefacts report_artefacts(const fs::path& dir) {
  Artefacts artefacts;
  switch (folder_kind(dir)) {
    case FolderKind::kRun:
      artefacts.add_text(kReportFile, render_run_report(dir));
      return artefacts;
    case FolderKind::kSweep:
      for (const auto& run : sweep_runs(dir))
        if (folder_kind(run) == FolderKind::kRun)
          artefacts.add_text(run.filename().string() + "/" + kReportFile, render_run_report(run));
      artefacts.add_text(kReportFile, render_sweep_report(dir));
      return artefacts;
    case FolderKind::kOther:
      break;
  }
  std::error_code error;
  throw ConfigError(dir.string() + ": expected a run folder (one aebench train made: with its " +
                    kRunMarkerFile +
                    ") or a sweep folder (subfolders that are run folders), found " +
                    (!fs::exists(dir, error)         ? "nothing there"
                     : !fs::is_directory(dir, error) ? "a file"
                                                     : "neither"));
}

}  // namespace aebench
