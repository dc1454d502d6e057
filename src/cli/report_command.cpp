#include <iostream>
#include <optional>

#include "aebench/artefacts/artefacts.h"
#include "aebench/io/run_artefacts.h"
#include "aebench/io/run_folder.h"
#include "aebench/report/report.h"
#include "aebench/sweep/sweep_record.h"
#include "aebench/sweep/sweep_results.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_report(CLI::App& app, ReportCommandOptions& options) {
  auto* command = app.add_subcommand(
      "report", "Write report.html (one self-contained page) for a run folder or a sweep folder");
  command
      ->add_option("DIR", options.dir,
                   "A run folder, or a sweep folder: a folder of run folders (each of its runs "
                   "gets its report.html too)")
      ->required();
  command->footer(
      "Examples:\n"
      "  aebench report runs/dense_100        # -> runs/dense_100/report.html\n"
      "  aebench report runs/seed004_latent   # -> runs/seed004_latent/report.html and\n"
      "                                       #    runs/seed004_latent/*/report.html\n"
      "train, eval and probe write a run's report.html themselves; this writes it again.\n"
      "A folder that is neither a run nor a sweep folder is a usage error (exit 2).");
  return command;
}

int run_report(const ReportCommandOptions& options) {
  const std::filesystem::path dir = options.dir;
  // A run folder's report while a resume or an eval writes there would show half of either.
  std::optional<RunLock> lock;
  if (is_run_folder(dir)) {
    lock.emplace(dir);
    remove_leftovers(dir);  // a killed writer's temporaries: with the lock, none is alive
  }
  // A sweep is reported as sweep --report reports it: its record read (any damage named, exit
  // 2, never a page of whatever folders are there), and its comparison files written anew.
  if (is_sweep_folder(dir)) {
    SweepRecord record = read_sweep_record(dir);
    refresh_states(record);
    write_sweep_results(record);
    std::cout << (dir / kReportFile).string() << '\n';
    return 0;
  }
  write_artefacts(dir, report_artefacts(dir));
  std::cout << (dir / kReportFile).string() << '\n';
  return 0;
}

}  // namespace aebench::cli
