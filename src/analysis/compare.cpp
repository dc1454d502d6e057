#include "aebench/analysis/compare.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>

#include "aebench/config/config.h"
#include "aebench/config/config_changes.h"
#include "aebench/config/summary_config.h"
#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/output_folder.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/plot/plot.h"
#include "aebench/plot/png.h"

namespace aebench {
namespace fs = std::filesystem;
namespace {

std::string cell_at(const nlohmann::json& summary, const std::string& dotted_key) {
  const auto* value = find_dotted(summary, dotted_key);
  return value ? format_cell(*value) : "";
}

bool is_number(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// Characters on screen: UTF-8 continuation bytes do not count.
std::size_t display_width(const std::string& text) {
  return std::size_t(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string markdown_cell(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '|') escaped += '\\';
    escaped += c == '\n' || c == '\r' ? ' ' : c;
  }
  return escaped;
}

std::string csv_cell(const std::string& text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + csv_cell(cells[i]);
  return line + "\n";
}

}  // namespace

const nlohmann::json* find_dotted(const nlohmann::json& document, const std::string& dotted_key) {
  const nlohmann::json* value = &document;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = dotted_key.find('.', start);
    const std::string key = dotted_key.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!value->is_object()) return nullptr;
    const auto found = value->find(key);
    if (found == value->end()) return nullptr;
    value = &*found;
    if (dot == std::string::npos) return value;
    start = dot + 1;
  }
}

std::string format_cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value.get<double>());
    return text;
  }
  return value.dump();
}

std::vector<nlohmann::json> read_summaries(const std::vector<fs::path>& run_dirs) {
  std::vector<nlohmann::json> summaries;
  for (const auto& dir : run_dirs) {
    const fs::path path = dir / kSummaryFile;
    const auto fail = [&](const std::string& found) {
      return DataError(path.string() + ": expected a finished run with " + kSummaryFile +
                       ", found " + found);
    };
    // A train --resume there has removed its results for now: say so, not "finish it".
    if (run_folder_in_use(dir))
      throw OutputError("run folder " + dir.string() + " is in use by another aebench process " +
                        "(a train, or an eval); compare wrote nothing: run it again when that " +
                        "has finished");
    const RegularFileText file = read_regular_file(path);
    // An unfinished run is the command's mistake, as probe and export say (exit 2).
    if (file.missing)
      throw ConfigError(path.string() + ": expected a finished run with " + kSummaryFile +
                        ", found no such file; finish the run (aebench train CONFIG --out " +
                        dir.string() + " --resume) or leave it out");
    if (!file.ok()) throw fail(file.problem());
    nlohmann::json summary;
    try {
      summary = nlohmann::json::parse(file.bytes);
    } catch (const nlohmann::json::parse_error& parse_error) {
      throw fail("invalid JSON (at byte " + std::to_string(parse_error.byte) + ")");
    }
    if (!summary.is_object()) throw fail(std::string("a JSON ") + summary.type_name());
    // Test results, and no error: what train writes last (an unfinished run is the command's
    // mistake, as a missing summary.json is).
    if (!holds_test_results(summary))
      throw ConfigError(
          path.string() + ": expected a finished run with test results, found " +
          (summary.contains("error") ? "a failed run's summary" : "a summary.json without them") +
          "; finish the run (aebench train CONFIG --out " + dir.string() +
          " --resume) or leave it out");
    if (const std::string foreign = foreign_summary_problem(dir, summary); !foreign.empty())
      throw DataError(path.string() + ": " + foreign +
                      "; restore the run's own files, or leave the run out");
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

namespace {

// Every dotted path to a non-object value in `value`, below `prefix`.
void collect_leaf_keys(const nlohmann::json& value, const std::string& prefix,
                       std::vector<std::string>& keys) {
  if (!value.is_object()) {
    if (!prefix.empty()) keys.push_back(prefix);
    return;
  }
  for (const auto& item : value.items())
    collect_leaf_keys(item.value(), prefix.empty() ? item.key() : prefix + "." + item.key(), keys);
}

}  // namespace

void check_compare_keys(const std::vector<nlohmann::json>& summaries,
                        const std::vector<NamedKey>& keys) {
  std::vector<std::string> known;
  for (const auto& summary : summaries) collect_leaf_keys(summary, "", known);
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  for (const auto& [flag, key] : keys) {
    bool found = false, numeric = false;
    for (const auto& summary : summaries)
      if (const nlohmann::json* value = find_dotted(summary, key); value && !value->is_null())
        found = true, numeric = numeric || value->is_number();
    // A metric is a column of numbers and a plot: "name" or "test" (an object) is neither.
    if (found && flag == "--metric" && !numeric)
      throw ConfigError(flag + " " + key +
                        ": expected a key with a number in at least one "
                        "run's summary.json, found none (a metric is tabulated and plotted)");
    if (found) continue;
    std::string nearest;
    std::size_t best = std::max<std::size_t>(2, key.size() / 3) + 1;
    for (const auto& candidate : known)
      if (const std::size_t distance = edit_distance(key, candidate); distance < best)
        best = distance, nearest = candidate;
    throw ConfigError(flag + " " + key +
                      ": expected a dotted summary.json key with a value in "
                      "at least one run, found none" +
                      (nearest.empty() ? std::string("; e.g. test.mse, config.model.latent")
                                       : "; did you mean " + nearest + "?"));
  }
}

std::string comparison_plot_file(const std::string& metric) {
  std::string name = metric;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return "comparison_" + name + ".png";
}

namespace {

// A config value as a cell: JSON null as "null" (a setting that is off, as "noise": null), a
// missing key as "", an object as "" too (its values have columns of their own).
std::string config_cell(const nlohmann::json& summary, const std::string& key) {
  const auto* value = find_dotted(summary, "config." + key);
  if (!value || value->is_object()) return "";
  return value->is_null() ? "null" : format_cell(*value);
}

}  // namespace

std::vector<std::string> differing_config_keys(const std::vector<nlohmann::json>& summaries) {
  std::vector<std::string> keys;
  for (const auto& summary : summaries)
    if (const auto* config = find_dotted(summary, "config")) collect_leaf_keys(*config, "", keys);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // data.dir says only where the data are, unless the runs read other data there (their
  // fingerprints differ): then it is what tells the runs apart.
  const auto* first_data = find_dotted(summaries.front(), "data.fingerprint");
  const bool other_data =
      std::any_of(summaries.begin(), summaries.end(), [&](const nlohmann::json& summary) {
        const auto* data = find_dotted(summary, "data.fingerprint");
        return first_data && data && *data != *first_data;
      });
  std::vector<std::string> differing;
  for (const auto& key : keys) {
    if (is_incidental_key(key) && !(other_data && key == "data.dir")) continue;  // config_changes.h
    // Compared as JSON values: 30 and 30.0 (a summary rewritten by another tool) are one value.
    const auto* first = find_dotted(summaries.front(), "config." + key);
    if (std::any_of(summaries.begin(), summaries.end(), [&](const nlohmann::json& summary) {
          const auto* value = find_dotted(summary, "config." + key);
          return (value == nullptr) != (first == nullptr) || (value && *value != *first);
        }))
      differing.push_back(key);
  }
  return differing;
}

ComparisonTable compare_runs(const std::vector<fs::path>& run_dirs, const CompareOptions& options) {
  const auto summaries = read_summaries(run_dirs);
  const auto config_keys = differing_config_keys(summaries);
  ComparisonTable table;
  table.columns = {"run", "name"};
  table.columns.insert(table.columns.end(), config_keys.begin(), config_keys.end());
  table.columns.push_back("epochs");
  table.columns.insert(table.columns.end(), options.metrics.begin(), options.metrics.end());
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    const auto& summary = summaries[i];
    std::vector<std::string> row = {folder_name(run_dirs[i]), cell_at(summary, "name")};
    for (const auto& key : config_keys) row.push_back(config_cell(summary, key));
    row.push_back(cell_at(summary, "epochs_run"));
    for (const auto& metric : options.metrics) row.push_back(cell_at(summary, metric));
    table.rows.push_back(std::move(row));
  }
  return table;
}

nlohmann::json comparison_json(const std::vector<fs::path>& run_dirs,
                               const std::vector<nlohmann::json>& summaries,
                               const CompareOptions& options) {
  const auto config_keys = differing_config_keys(summaries);
  nlohmann::json runs = nlohmann::json::array();
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    const auto& summary = summaries[i];
    const auto value_or_null = [](const nlohmann::json* value) {
      return value ? *value : nlohmann::json();
    };
    nlohmann::json config = nlohmann::json::object(), metrics = nlohmann::json::object();
    for (const auto& key : config_keys)
      config[key] = value_or_null(find_dotted(summary, "config." + key));
    for (const auto& metric : options.metrics)
      metrics[metric] = value_or_null(find_dotted(summary, metric));
    runs.push_back({{"run", folder_name(run_dirs[i])},
                    {"dir", run_dirs[i].string()},
                    {"name", value_or_null(find_dotted(summary, "name"))},
                    {"config", config},
                    {"epochs_run", value_or_null(find_dotted(summary, "epochs_run"))},
                    {"metrics", metrics}});
  }
  return {{"format", "aebench-comparison"},
          {"differing_config_keys", config_keys},
          {"metrics", options.metrics},
          {"runs", runs}};
}

std::string to_markdown(const ComparisonTable& table) {
  const std::size_t columns = table.columns.size();
  const auto cell = [&](const std::vector<std::string>& row, std::size_t column) {
    return column < row.size() ? markdown_cell(row[column]) : std::string();
  };
  std::vector<std::size_t> widths(columns, 3);  // "---" at least
  std::vector<bool> numeric(columns, false);
  for (std::size_t column = 0; column < columns; ++column) {
    widths[column] = std::max(widths[column], display_width(cell(table.columns, column)));
    bool any = false, all = true;
    for (const auto& row : table.rows) {
      const std::string text = cell(row, column);
      widths[column] = std::max(widths[column], display_width(text));
      if (text.empty()) continue;
      any = true;
      all = all && is_number(text);
    }
    numeric[column] = any && all;
  }
  const auto line = [&](const std::vector<std::string>& row) {
    std::string text = "|";
    for (std::size_t column = 0; column < columns; ++column) {
      const std::string value = cell(row, column);
      const std::string padding(widths[column] - display_width(value), ' ');
      text += " " + (numeric[column] ? padding + value : value + padding) + " |";
    }
    return text + "\n";
  };
  std::string markdown = line(table.columns) + "|";
  for (std::size_t column = 0; column < columns; ++column)
    markdown += " " + std::string(widths[column] - 1, '-') + (numeric[column] ? ":" : "-") + " |";
  markdown += "\n";
  for (const auto& row : table.rows) markdown += line(row);
  return markdown;
}

std::string to_csv(const ComparisonTable& table) {
  std::string csv = csv_line(table.columns);
  for (const auto& row : table.rows) csv += csv_line(row);
  return csv;
}

Canvas plot_comparison(const std::vector<nlohmann::json>& summaries, const CompareOptions& options,
                       const std::string& metric) {
  std::vector<LineSeries> series;
  std::map<std::string, std::size_t> index;  // series name -> position in `series`
  for (const auto& summary : summaries) {
    const auto* x = find_dotted(summary, options.x_key);
    const auto* y = find_dotted(summary, metric);
    if (!x || !y || !x->is_number() || !y->is_number()) continue;
    std::string name = cell_at(summary, options.series_key);
    if (name.empty()) name = "none";
    const auto [position, added] = index.emplace(name, series.size());
    if (added) {
      constexpr std::size_t kColorCount = std::size(kSeriesColors);
      series.push_back({name, {}, {}, kSeriesColors[series.size() % kColorCount]});
    }
    series[position->second].x.push_back(x->get<double>());
    series[position->second].y.push_back(y->get<double>());
  }
  for (auto& line : series) {  // by x, so each line runs left to right
    std::vector<std::size_t> order(line.x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return line.x[a] < line.x[b]; });
    LineSeries sorted{line.label, {}, {}, line.color};
    for (const std::size_t i : order) sorted.x.push_back(line.x[i]), sorted.y.push_back(line.y[i]);
    line = std::move(sorted);
  }
  PlotOptions plot;
  plot.title = metric + " against " + options.x_key;
  plot.x_label = options.x_key;
  plot.y_label = metric;
  plot.markers = true;  // a few runs per line: each one a visible point
  std::vector<double> xs, ys;
  for (const auto& line : series) {
    xs.insert(xs.end(), line.x.begin(), line.x.end());
    ys.insert(ys.end(), line.y.begin(), line.y.end());
  }
  // A key swept over decades (latent 2 to 1000, lr 1e-4 to 1e-1) spreads out on a log axis.
  plot.log_x = spans_decades(xs);
  plot.log_y = spans_decades(ys);
  if (plot.log_x) plot.x_label += " (log scale)";
  if (plot.log_y) plot.y_label += " (log scale)";
  return render_line_plot(series, plot);
}

namespace {

// A config key may be named as the table names its column (model.latent) or as summary.json
// holds it (config.model.latent): the first, when no run has it, means the second.
std::string summary_key(const std::vector<nlohmann::json>& summaries, const std::string& key) {
  const auto anywhere = [&](const std::string& dotted) {
    return std::any_of(summaries.begin(), summaries.end(),
                       [&](const nlohmann::json& summary) { return find_dotted(summary, dotted); });
  };
  return !anywhere(key) && anywhere("config." + key) ? "config." + key : key;
}

// Removes, as names, the plots an earlier comparison in `dir` drew (its comparison.json's
// metrics) that this one, writing `names`, does not: they would show runs or metrics it no
// longer compares. The caller holds the folder (OutputFolder), whose marker is aebench's.
void remove_earlier_plots(const fs::path& dir, const std::vector<std::string>& names) {
  const RegularFileText marker = read_regular_file(dir / "comparison.json");
  const auto earlier =
      marker.ok() ? nlohmann::json::parse(marker.bytes, nullptr, false) : nlohmann::json();
  if (!earlier.is_object() || !earlier.contains("metrics") || !earlier["metrics"].is_array())
    return;
  for (const auto& metric : earlier["metrics"]) {
    if (!metric.is_string()) continue;
    const std::string file = comparison_plot_file(metric.get<std::string>());
    std::error_code error;
    const auto kind = fs::symlink_status(dir / file, error).type();
    if (std::find(names.begin(), names.end(), file) != names.end() ||
        (kind != fs::file_type::regular && kind != fs::file_type::symlink))
      continue;
    if (!fs::remove(dir / file, error) && error)
      throw OutputError("--out " + dir.string() + ": cannot remove the earlier comparison's " +
                        file + " (" + error.message() +
                        "); make the folder writable or name another --out");
  }
}

}  // namespace

WrittenComparison write_comparison(const std::vector<fs::path>& run_dirs,
                                   const CompareOptions& given,
                                   const std::vector<NamedKey>& named_given,
                                   const fs::path& out_dir) {
  const auto summaries = read_summaries(run_dirs);
  CompareOptions options = given;
  for (auto& metric : options.metrics) metric = summary_key(summaries, metric);
  options.x_key = summary_key(summaries, options.x_key);
  options.series_key = summary_key(summaries, options.series_key);
  std::vector<NamedKey> named = named_given;
  for (auto& [flag, key] : named) key = summary_key(summaries, key);
  check_compare_keys(summaries, named);
  // One line per x value, each a single point: no plot shows a trend that way.
  const bool x_named = std::any_of(named.begin(), named.end(),
                                   [](const NamedKey& given) { return given.flag == "--x"; });
  if (options.x_key == options.series_key)
    throw ConfigError("--series " + options.series_key + ": expected a key other than --x's (" +
                      options.x_key + (x_named ? "" : ", the default") +
                      "), found the same one; give --series or --x another key");
  for (auto metric = options.metrics.begin(); metric != options.metrics.end(); ++metric)
    if (std::find(std::next(metric), options.metrics.end(), *metric) != options.metrics.end())
      throw ConfigError("--metric " + *metric + ": expected each metric once, found it twice");
  std::vector<std::string> names = {"comparison.md", "comparison.csv", "comparison.json"};
  for (const auto& metric : options.metrics) names.push_back(comparison_plot_file(metric));
  const OutputFolder out(out_dir, names, {"comparison.json", "aebench-comparison"}, "--out");
  const ComparisonTable table = compare_runs(run_dirs, options);
  WrittenComparison written{to_markdown(table), comparison_json(run_dirs, summaries, options)};
  remove_earlier_plots(out.path(), names);
  // First: it marks the folder as aebench's, so a stop midway leaves one the next run may fill.
  write_json_file(out.path() / "comparison.json", written.json);
  write_file_atomically(out.path() / "comparison.md", written.markdown);
  write_file_atomically(out.path() / "comparison.csv", to_csv(table));
  for (const auto& metric : options.metrics)
    write_png(out.path() / comparison_plot_file(metric),
              plot_comparison(summaries, options, metric));
  return written;
}

}  // namespace aebench
