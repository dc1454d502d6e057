#pragma once
// Comparing finished runs: a table of the config keys that differ between them and their test
// metrics (Markdown, CSV or JSON) and a plot of one metric against a config value (e.g. test SSE
// per image against latent size, one line per model type). Reads only each run's summary.json. Free
// of LibTorch.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/plot/canvas.h"

namespace aebench {

struct CompareOptions {
  // Dotted paths into summary.json, one table column each (a missing value is an empty cell),
  // e.g. "probe.mlp.test_accuracy".
  std::vector<std::string> metrics = {"test.sse_per_image", "test.mse", "test.psnr_db"};
  std::string x_key = "config.model.latent";     // plot_comparison: the x value (numeric)
  std::string series_key = "config.model.type";  // plot_comparison: one line per distinct value
};

// The keys a user named (--metric, --x, --series), each with its flag: every one must name a
// value in at least one run's summary.json, else a ConfigError names it and the nearest key
// that does ("did you mean"), instead of an empty column and a blank plot.
struct NamedKey {
  std::string flag;  // "--metric"
  std::string key;   // "test.mse"
};
void check_compare_keys(const std::vector<nlohmann::json>& summaries,
                        const std::vector<NamedKey>& keys);

// The plot file of a metric, comparison_<metric>.png, with every character but letters,
// digits, '.', '-' and '_' replaced by '_': a metric name never leads outside --out.
std::string comparison_plot_file(const std::string& metric);

struct ComparisonTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // [run][column]
};

// The value at a dotted path ("config.model.latent") in `document`, or nullptr when some part
// of the path is missing or not an object.
const nlohmann::json* find_dotted(const nlohmann::json& document, const std::string& dotted_key);

// A value as a table cell: strings as they are, whole numbers in full, other numbers to six
// significant digits (0.00976298), booleans as true/false, null as an empty cell, arrays and
// objects as compact JSON.
std::string format_cell(const nlohmann::json& value);

// RUN_DIR/summary.json of each run, in order. Throws DataError naming the file when one is
// missing, unreadable, not valid JSON or not an object: each folder must be a finished run.
std::vector<nlohmann::json> read_summaries(const std::vector<std::filesystem::path>& run_dirs);

// The config keys (dotted, below summary.json's "config") whose values are not the same in
// every run, sorted; a key missing in some runs differs. Incidental keys (config_changes.h:
// comment, name, threads, device, follow_load, output.*, data.dir) are left out.
std::vector<std::string> differing_config_keys(const std::vector<nlohmann::json>& summaries);

// One row per run, in order, with the columns: run (the folder's name), name, each of
// differing_config_keys (a JSON null as "null", a missing key empty), epochs (epochs_run),
// then one per options.metrics. Throws DataError as read_summaries does.
ComparisonTable compare_runs(const std::vector<std::filesystem::path>& run_dirs,
                             const CompareOptions& options);

// The same comparison for scripts, values as JSON (null where a run has none):
// {"format": "aebench-comparison", "differing_config_keys": [...], "metrics": [...],
//  "runs": [{"run", "dir", "name",
//  "config": {key: value}, "epochs_run", "metrics": {metric: value}}]}.
nlohmann::json comparison_json(const std::vector<std::filesystem::path>& run_dirs,
                               const std::vector<nlohmann::json>& summaries,
                               const CompareOptions& options);

// A GitHub-flavoured Markdown table: header, separator row (numeric columns right-aligned with
// "---:"), one line per row; cells padded to line up, "|" in a cell escaped as "\|".
std::string to_markdown(const ComparisonTable& table);

// RFC 4180 CSV with a header line and "\n" line ends: a cell holding a comma, a double quote,
// a line break or leading/trailing space is quoted, its quotes doubled.
std::string to_csv(const ComparisonTable& table);

// `metric` against options.x_key (800 x 500, see render_line_plot), one line per distinct
// value of options.series_key in order of first appearance, points sorted by x. A summary
// whose x or metric is missing or not a number is left out; a missing series value is the
// series "none". Title "<metric> against <x_key>". Every run is a marked point; an axis whose
// values span two decades or more (spans_decades) is logarithmic and says so in its label.
Canvas plot_comparison(const std::vector<nlohmann::json>& summaries, const CompareOptions& options,
                       const std::string& metric);

struct WrittenComparison {
  std::string markdown;  // the table, as comparison.md
  nlohmann::json json;   // as comparison.json (comparison_json)
};

// The whole comparison of `run_dirs`: checks the keys the user `named` (a config key may be
// named without its "config." prefix, as the table's columns are), then writes
// comparison.md, comparison.csv, comparison.json and comparison_<metric>.png per metric into
// `out_dir`, an OutputFolder (io/output_folder.h: locked while written; a user's file of one of
// those names, in a folder without aebench's comparison.json, is refused before anything is
// written). The plots of an earlier comparison there that this one does not draw are removed.
WrittenComparison write_comparison(const std::vector<std::filesystem::path>& run_dirs,
                                   const CompareOptions& options,
                                   const std::vector<NamedKey>& named,
                                   const std::filesystem::path& out_dir);

}  // namespace aebench
