#include "aebench/sweep/sweep_results.h"

#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/report/report.h"
#include "aebench/report/run_files.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> finished_runs(const SweepRecord& record) {
  std::vector<fs::path> runs;
  for (const auto& entry : record.points)
    if (entry.state == PointState::kDone) runs.push_back(record.plan.out_dir / entry.point.name);
  return runs;
}

std::string seconds_cell(double seconds) {
  if (seconds <= 0) return "";
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << seconds;
  return text.str();
}

// The grid key plotted along x: the first whose values are all numbers ("" when none is).
std::string numeric_grid_key(const SweepPlan& plan) {
  for (const auto& [key, values] : plan.grid) {
    bool numeric = true;
    for (const auto& value : values) numeric = numeric && value.is_number();
    if (numeric) return key;
  }
  return "";
}

}  // namespace

ComparisonTable status_table(const SweepRecord& record,
                             const std::map<std::size_t, std::string>& slurm_states) {
  ComparisonTable table;
  table.columns = {"point", "state", "attempts", "seconds", "overrides", "error"};
  for (std::size_t i = 0; i < record.points.size(); ++i) {
    const PointRecord& entry = record.points[i];
    std::string state = state_name(entry.state);
    if (const auto slurm = slurm_states.find(i); slurm != slurm_states.end())
      state += " (slurm " + slurm->second + ")";
    table.rows.push_back({entry.point.name, state, std::to_string(entry.attempts),
                          seconds_cell(entry.seconds), describe_overrides(entry.point.overrides),
                          entry.error});
  }
  return table;
}

namespace {

// One run named twice ("r2 r2", "r2 ./r2", or a run and the sweep holding it) would be a row of
// its own each time, as if two runs agreed.
void refuse_repeated_runs(const std::vector<fs::path>& runs) {
  std::map<fs::path, fs::path> seen;
  for (const auto& run : runs) {
    std::error_code error;
    const fs::path identity = fs::weakly_canonical(fs::absolute(run), error);
    const auto [earlier, inserted] = seen.emplace(identity, run);
    if (!inserted)
      throw ConfigError(run.string() + ": expected each run once, found it named twice (as " +
                        earlier->second.string() + " and " + run.string() + "); name it once");
  }
}

}  // namespace

std::vector<fs::path> runs_to_compare(const std::vector<fs::path>& folders,
                                      std::vector<std::string>* left_out) {
  std::vector<fs::path> runs;
  for (const auto& folder : folders) {
    if (is_run_folder(folder)) {
      runs.push_back(folder);
      continue;
    }
    if (!has_sweep_record(folder))
      throw ConfigError(
          folder.string() +
          ": expected a run folder aebench train made (with its run.json) or a "
          "sweep folder (with its sweep.json), found " +
          (what_is_at(folder) == "a folder" ? "a folder with neither" : what_is_at(folder)));
    SweepRecord record = read_sweep_record(folder);
    refresh_states(record);
    const auto finished = finished_runs(record);
    if (finished.empty())
      throw ConfigError(folder.string() + ": expected a sweep with finished points, found " +
                        std::to_string(record.points.size()) +
                        " points and none finished; see aebench sweep --status " + folder.string());
    runs.insert(runs.end(), finished.begin(), finished.end());
    if (left_out)
      for (const auto& entry : record.points)
        if (entry.state != PointState::kDone)
          left_out->push_back(folder.string() + ": " + entry.point.name + " (" +
                              state_name(entry.state) +
                              (entry.error.empty() ? "" : ": " + entry.error) + ")");
  }
  refuse_repeated_runs(runs);
  return runs;
}

ComparisonTable finished_points_table(const SweepRecord& record) {
  const auto runs = finished_runs(record);
  if (runs.empty()) return {};
  return compare_runs(runs, CompareOptions{});
}

std::vector<std::string> sweep_folder_files() {
  std::vector<std::string> names = {kSweepFile, kReportFile, "comparison.md", "comparison.csv"};
  for (const auto& metric : CompareOptions{}.metrics) names.push_back(comparison_plot_file(metric));
  return names;
}

Artefacts sweep_result_artefacts(const SweepRecord& record) {
  const fs::path& dir = record.plan.out_dir;
  Artefacts artefacts;
  if (folder_kind(dir) == FolderKind::kSweep) artefacts = report_artefacts(dir);
  const auto runs = finished_runs(record);
  if (runs.empty()) return artefacts;
  CompareOptions compare;
  const ComparisonTable table = compare_runs(runs, compare);
  artefacts.add_text("comparison.md", to_markdown(table));
  artefacts.add_text("comparison.csv", to_csv(table));
  if (const std::string x_key = numeric_grid_key(record.plan); !x_key.empty()) {
    compare.x_key = "config." + x_key;
    for (const auto& [key, values] : record.plan.grid)
      if (key != x_key) {
        compare.series_key = "config." + key;
        break;
      }
    const auto summaries = read_summaries(runs);
    for (const auto& metric : compare.metrics)
      artefacts.add(comparison_plot_file(metric), plot_comparison(summaries, compare, metric));
  }
  return artefacts;
}

void write_sweep_results(const SweepRecord& record) {
  const fs::path& dir = record.plan.out_dir;
  const Artefacts artefacts = sweep_result_artefacts(record);
  write_artefacts(dir, artefacts);
  std::set<std::string> written;
  for (const auto& figure : artefacts.figures) written.insert(figure.file);
  for (const auto& text : artefacts.texts) written.insert(text.file);
  for (const auto& name : sweep_folder_files()) {
    if (name.rfind("comparison", 0) != 0 || written.count(name) > 0) continue;
    std::error_code error;
    const auto kind = fs::symlink_status(dir / name, error).type();
    if (kind != fs::file_type::regular && kind != fs::file_type::symlink) continue;
    if (!fs::remove(dir / name, error) && error)
      throw OutputError("sweep folder " + dir.string() + ": cannot remove the earlier " + name +
                        " (" + error.message() + "), which no longer holds this sweep's results");
  }
}

}  // namespace aebench
