#pragma once
// What a report reads from a folder: which kind of folder it is (one run, or a sweep: a folder
// of run folders) and a run's JSON files, each with the problem that kept it from being read.
// Reading never throws for a missing or corrupt file: the report says what is wrong instead.
// Free of LibTorch.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "aebench/report/html.h"

namespace aebench {

enum class FolderKind {
  kRun,    // holds summary.json or config.json (a finished run, or one that stopped or failed)
  kSweep,  // a sweep record (sweep.json), or subfolders that are run folders (is_run_entry)
  kOther,
};
FolderKind folder_kind(const std::filesystem::path& dir);

// Whether a subfolder of a sweep folder is one of its runs: it holds any file a run writes
// (summary.json, config.json, metrics.csv, model.pt, checkpoint.pt), error.txt, or nothing at
// all (a run that failed before it wrote anything). Hidden folders are never runs.
bool is_run_entry(const std::filesystem::path& dir);

// Names in natural order: runs of digits compare as numbers ("latent_8" < "latent_16").
bool natural_less(const std::string& a, const std::string& b);

// The runs of a sweep folder: its run-entry subfolders, in natural order of their names; in a
// folder aebench's sweep made, only those its sweep.json names as points.
std::vector<std::filesystem::path> sweep_runs(const std::filesystem::path& sweep_dir);

// The run folders in a sweep folder that are none of its sweep's points (a run trained there
// with --out): left out of its report, which names them.
std::vector<std::filesystem::path> runs_outside_sweep(const std::filesystem::path& sweep_dir);

struct RunFiles {
  std::filesystem::path dir;
  ReportJson summary;  // summary.json
  ReportJson config;   // config.json
  // Why the run failed, when that is recorded: summary.json's "error" (a string, or an object
  // with a "message"), else the first non-empty line of error.txt (at most 500 characters).
  std::string error;

  // A run that finished: its own summary.json, with test results (holds_test_results).
  bool finished() const;
  // The run's config: config.json, else summary.json's "config", else null.
  const nlohmann::json& resolved_config() const;
  // The run's name: summary.json's "name", else the config's, else the folder's name.
  std::string name() const;
};
RunFiles read_run_files(const std::filesystem::path& run_dir);

// A run's metrics.csv read for a report: its header and the lines that are all numbers, one
// per epoch. Lines of another length or with a cell that is not a number are counted and left
// out; `problem` says why nothing could be read (missing, not a regular file, ...).
struct MetricsCsvRows {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
  std::vector<std::vector<std::string>> cells;  // the kept lines' cells, as written
  int bad_lines = 0;
  std::string first_bad;  // "line 3: expected 7 numbers, found \"...\"" ("" when none)
  std::string problem;
  // The column named `name` of every kept row (empty when there is no such column).
  std::vector<double> column(const std::string& name) const;
};
MetricsCsvRows read_metrics_csv(const std::filesystem::path& path);

// The leaves of a JSON object as (dotted key, value) pairs, keys sorted: objects are
// walked into, arrays and scalars are leaves ({"a": {"b": 1, "c": [2]}} -> a.b = 1, a.c = [2]).
std::vector<std::pair<std::string, nlohmann::json>> flatten_json(const nlohmann::json& document);

}  // namespace aebench
