#include "aebench/report/run_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "aebench/config/summary_config.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

bool holds(const fs::path& dir, const char* file) {
  std::error_code error;
  return fs::exists(dir / file, error);
}

std::string first_line_of(const fs::path& path) {
  std::istringstream stream(read_regular_file(path).bytes);
  for (std::string line; std::getline(stream, line);) {
    const auto start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos) continue;
    line = line.substr(start, 500);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
  }
  return "";
}

void flatten_into(const nlohmann::json& value, const std::string& prefix,
                  std::vector<std::pair<std::string, nlohmann::json>>& leaves) {
  if (value.is_object() && !value.empty()) {
    for (const auto& item : value.items())
      flatten_into(item.value(), prefix.empty() ? item.key() : prefix + "." + item.key(), leaves);
    return;
  }
  if (!prefix.empty()) leaves.emplace_back(prefix, value);
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      const auto end_a = a.find_first_not_of("0123456789", i);
      const auto end_b = b.find_first_not_of("0123456789", j);
      std::string x = a.substr(i, end_a - i), y = b.substr(j, end_b - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = end_a == std::string::npos ? a.size() : end_a;
      j = end_b == std::string::npos ? b.size() : end_b;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j || (a.size() - i == b.size() - j && a < b);
}

FolderKind folder_kind(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return FolderKind::kOther;
  if (is_run_folder(dir)) return FolderKind::kRun;      // aebench's mark, not any config.json
  if (is_sweep_folder(dir)) return FolderKind::kSweep;  // its record, even with no point left
  // An empty subfolder counts as a failed run only beside a real one.
  for (const auto& run : sweep_runs(dir))
    if (!fs::is_empty(run, error)) return FolderKind::kSweep;
  return FolderKind::kOther;
}

bool is_run_entry(const fs::path& dir) {
  std::error_code error;
  const std::string name = dir.filename().string();
  // A link in a sweep folder is none of its runs: its report is not written through it.
  if (name.empty() || name[0] == '.' || is_symbolic_link(dir) || !fs::is_directory(dir, error))
    return false;
  if (fs::is_empty(dir, error)) return true;
  // A run, or a sweep point that failed before it became one (the sweep wrote its error.txt).
  return is_run_folder(dir) || holds(dir, kErrorFile);
}

namespace {

// The run entries of `sweep_dir` that are (`points` true) or are not its sweep's points; a
// folder without a sweep record has no points, and all its runs count as its own.
std::vector<fs::path> run_entries(const fs::path& sweep_dir, bool points) {
  const std::vector<std::string> names = sweep_point_names(sweep_dir);
  std::vector<fs::path> runs;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(sweep_dir, error)) {
    const bool point = names.empty() || std::find(names.begin(), names.end(),
                                                  entry.path().filename().string()) != names.end();
    if (point == points && is_run_entry(entry.path())) runs.push_back(entry.path());
  }
  std::sort(runs.begin(), runs.end(), [](const fs::path& a, const fs::path& b) {
    return natural_less(a.filename().string(), b.filename().string());
  });
  return runs;
}

}  // namespace

std::vector<fs::path> sweep_runs(const fs::path& sweep_dir) {
  return run_entries(sweep_dir, true);
}

std::vector<fs::path> runs_outside_sweep(const fs::path& sweep_dir) {
  return run_entries(sweep_dir, false);
}

bool RunFiles::finished() const {
  return summary.problem.empty() && holds_test_results(summary.value);
}

const nlohmann::json& RunFiles::resolved_config() const {
  static const nlohmann::json kNone;
  if (config.problem.empty()) return config.value;
  if (summary.problem.empty() && summary.value.contains("config") &&
      summary.value.at("config").is_object())
    return summary.value.at("config");
  return kNone;
}

std::string RunFiles::name() const {
  for (const auto* document : {&summary.value, &resolved_config()})
    if (document->is_object() && document->contains("name") && document->at("name").is_string())
      return document->at("name").get<std::string>();
  return folder_name(dir);
}

RunFiles read_run_files(const fs::path& run_dir) {
  RunFiles files;
  files.dir = run_dir;
  files.summary = read_report_json(run_dir / kSummaryFile);
  files.config = read_report_json(run_dir / kConfigFile);
  if (files.summary.problem.empty())
    files.summary.problem = foreign_summary_problem(run_dir, files.summary.value);
  if (files.summary.problem.empty() && files.summary.value.contains("error")) {
    const auto& error = files.summary.value.at("error");
    if (error.is_string())
      files.error = error.get<std::string>();
    else if (error.is_object() && error.contains("message") && error.at("message").is_string())
      files.error = error.at("message").get<std::string>();
    else
      files.error = error.dump();
  }
  if (files.error.empty() && holds(run_dir, kErrorFile))
    files.error = first_line_of(run_dir / kErrorFile);
  return files;
}

std::vector<std::pair<std::string, nlohmann::json>> flatten_json(const nlohmann::json& document) {
  std::vector<std::pair<std::string, nlohmann::json>> leaves;
  flatten_into(document, "", leaves);
  return leaves;
}

std::vector<double> MetricsCsvRows::column(const std::string& name) const {
  const auto found = std::find(header.begin(), header.end(), name);
  if (found == header.end()) return {};
  const auto index = std::size_t(found - header.begin());
  std::vector<double> values;
  for (const auto& row : rows) values.push_back(row[index]);
  return values;
}

MetricsCsvRows read_metrics_csv(const fs::path& path) {
  MetricsCsvRows metrics;
  const RegularFileText file = read_regular_file(path);
  if (!file.ok()) {
    metrics.problem = file.problem();
    return metrics;
  }
  const auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream cells_stream(line);
    for (std::string cell; std::getline(cells_stream, cell, ',');) cells.push_back(cell);
    return cells;
  };
  std::istringstream stream(file.bytes);
  std::string line;
  std::getline(stream, line);
  metrics.header = split(line);
  int line_number = 1;
  while (std::getline(stream, line)) {
    ++line_number;
    if (line.empty()) continue;
    const auto cells = split(line);
    std::vector<double> row;
    bool numbers = cells.size() == metrics.header.size();
    for (const auto& cell : cells) {
      char* end = nullptr;
      row.push_back(std::strtod(cell.c_str(), &end));
      numbers = numbers && !cell.empty() && end == cell.c_str() + cell.size();
    }
    if (!numbers) {
      if (++metrics.bad_lines == 1)
        metrics.first_bad = "line " + std::to_string(line_number) + ": expected " +
                            std::to_string(metrics.header.size()) + " numbers, found \"" +
                            line.substr(0, 80) + "\"";
      continue;
    }
    metrics.rows.push_back(std::move(row));
    metrics.cells.push_back(cells);
  }
  return metrics;
}

}  // namespace aebench
