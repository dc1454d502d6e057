#include "aebench/analysis/compare.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>

#include "aebench/config/config.h"
#include "aebench/errors.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/plot/plot.h"

namespace aebench {
namespace fs = std::filesystem;
namespace {

std::string cell_at(const nlohmann::json& summary, const std::string& dotted_key) {
  const auto* value = find_dotted(summary, dotted_key);
  return value ? format_cell(*value) : "";
}

// "none", "gaussian 0.25", "masking 0.3": the noise's type and strength.
std::string describe_noise(const nlohmann::json& summary) {
  const auto* noise = find_dotted(summary, "config.noise");
  if (!noise || noise->is_null()) return "none";
  if (!noise->is_object()) return format_cell(*noise);
  std::string text = noise->contains("type") ? format_cell(noise->at("type")) : "?";
  for (const char* strength : {"std", "fraction"})
    if (noise->contains(strength)) return text + " " + format_cell(noise->at(strength));
  return text;
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
    const RegularFileText file = read_regular_file(path);
    if (!file.ok()) throw fail(file.missing ? "no such file" : file.problem());
    nlohmann::json summary;
    try {
      summary = nlohmann::json::parse(file.bytes);
    } catch (const nlohmann::json::parse_error& parse_error) {
      throw fail(std::string("invalid JSON (") + parse_error.what() + ")");
    }
    if (!summary.is_object()) throw fail(std::string("a JSON ") + summary.type_name());
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

ComparisonTable compare_runs(const std::vector<fs::path>& run_dirs, const CompareOptions& options) {
  const auto summaries = read_summaries(run_dirs);
  ComparisonTable table;
  table.columns = {"run", "name", "dataset", "model", "latent", "noise", "epochs"};
  table.columns.insert(table.columns.end(), options.metrics.begin(), options.metrics.end());
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    const auto& summary = summaries[i];
    std::vector<std::string> row = {folder_name(run_dirs[i]),
                                    cell_at(summary, "name"),
                                    cell_at(summary, "config.data.dataset"),
                                    cell_at(summary, "config.model.type"),
                                    cell_at(summary, "config.model.latent"),
                                    describe_noise(summary),
                                    cell_at(summary, "epochs_run")};
    for (const auto& metric : options.metrics) row.push_back(cell_at(summary, metric));
    table.rows.push_back(std::move(row));
  }
  return table;
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
  return render_line_plot(series, plot);
}

}  // namespace aebench
