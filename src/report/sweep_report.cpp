#include "aebench/report/sweep_report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "aebench/analysis/compare.h"
#include "aebench/io/run_folder.h"
#include "aebench/report/html.h"
#include "aebench/report/run_files.h"
#include "aebench/report/svg_chart.h"
#include "aebench/version.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The metrics a sweep table shows when any finished run has them, and which are plotted.
// Which way is better for a metric: the best finished run's cell is highlighted (kNone: none).
enum class Better { kLower, kHigher, kNone };
struct SweepMetric {
  const char* key;
  const char* label;
  bool plotted;
  Better better;
};
const SweepMetric kMetrics[] = {
    {"test.mse", "test MSE", true, Better::kLower},
    {"test.sse_per_image", "test SSE / image", true, Better::kLower},
    {"test.psnr_db", "test PSNR (dB)", true, Better::kHigher},
    {"test.ssim", "test SSIM", true, Better::kHigher},
    {"probe.softmax.test_accuracy", "softmax probe accuracy", true, Better::kHigher},
    {"probe.mlp.test_accuracy", "MLP probe accuracy", true, Better::kHigher},
    {"probe.pixels.test_accuracy", "pixel probe accuracy", true, Better::kHigher},
    {"epochs_run", "epochs", false, Better::kNone},
    {"train_seconds", "train s", false, Better::kNone},
};

struct SweepRun {
  RunFiles files;
  std::string folder;                  // the subfolder's name
  std::map<std::string, json> config;  // flattened; empty when no config was readable
  bool has_report = false;             // a run folder: report_artefacts writes its report.html
};

// The config keys whose values are not the same in every one of `all_runs` with a config (a key
// some of them lack counts).
std::vector<std::string> varied_keys(const std::vector<const SweepRun*>& all_runs) {
  std::vector<const SweepRun*> runs;
  for (const SweepRun* run : all_runs)
    if (!run->config.empty()) runs.push_back(run);
  std::vector<std::string> keys;
  for (const SweepRun* run : runs)
    for (const auto& [key, value] : run->config)
      if (std::find(keys.begin(), keys.end(), key) == keys.end() &&
          std::find(kSweepIgnoredKeys.begin(), kSweepIgnoredKeys.end(), key) ==
              kSweepIgnoredKeys.end())
        keys.push_back(key);
  std::vector<std::string> varied;
  for (const auto& key : keys) {
    // A key a run lacks differs from one it sets to null ("noise": null against a noise).
    const auto value_of = [&](const SweepRun* run) {
      const auto found = run->config.find(key);
      return found == run->config.end() ? std::string("(missing)") : found->second.dump();
    };
    if (std::any_of(runs.begin(), runs.end(),
                    [&](const SweepRun* run) { return value_of(run) != value_of(runs.front()); }))
      varied.push_back(key);
  }
  std::sort(varied.begin(), varied.end());  // "noise" beside "noise.std", whoever had which
  return varied;
}

const json* config_value(const SweepRun& run, const std::string& key) {
  const auto found = run.config.find(key);
  return found == run.config.end() ? nullptr : &found->second;
}

// A table cell: the shown value marked with its file and key, and its sort value. A key the run
// lacks is an empty cell; a JSON null (a setting that is off) says "null". A number that is
// the best of its metric is highlighted, `best_of` naming the metric.
std::string cell(const json* value, const std::string& file, const std::string& key,
                 const std::string& best_of = "") {
  if (!value) return "<td data-sort=\"\"></td>";
  if (value->is_null()) return "<td data-sort=\"\"><span class=\"null\">null</span></td>";
  const bool number = value->is_number();
  const std::string sort = number ? value->dump() : display_value(*value);
  const bool scalar = number || value->is_string() || value->is_boolean();
  const std::string best =
      number && !best_of.empty() ? " best\" title=\"best " + html_escape(best_of) : "";
  return std::string("<td") + (number ? " class=\"number" + best + "\"" : "") + " data-sort=\"" +
         html_escape(sort) + "\">" +
         (scalar ? marked_value(*value, file, key) : html_escape(display_value(*value))) + "</td>";
}

std::string run_link(const SweepRun& run) {
  if (!run.has_report) return html_escape(run.folder);
  return "<a href=\"" + html_escape(url_path_segment(run.folder)) + "/" + kReportFile + "\">" +
         html_escape(run.folder) + "</a>";
}

// Where a run's config values are marked from: config.json, else summary.json's "config".
std::pair<std::string, std::string> config_source(const SweepRun& run) {
  if (run.files.config.problem.empty()) return {run.folder + "/" + kConfigFile, ""};
  return {run.folder + "/" + kSummaryFile, "config."};
}

// The finished run with the best value of `metric` (the first of equals), or nullptr when the
// metric has no direction or no run has a number for it.
const SweepRun* best_run(const std::vector<const SweepRun*>& finished, const SweepMetric& metric) {
  if (metric.better == Better::kNone) return nullptr;
  const SweepRun* best = nullptr;
  double best_value = 0;
  for (const SweepRun* run : finished) {
    const json* value = find_dotted(run->files.summary.value, metric.key);
    if (!value || !value->is_number()) continue;
    const double number = value->get<double>();
    if (!std::isfinite(number)) continue;
    const bool better = metric.better == Better::kLower ? number < best_value : number > best_value;
    if (!best || better) best = run, best_value = number;
  }
  return best;
}

std::string runs_table(const std::vector<const SweepRun*>& finished,
                       const std::vector<std::string>& varied,
                       const std::vector<const SweepMetric*>& metrics) {
  const auto all_numbers = [&](const auto& value_of) {
    return std::all_of(finished.begin(), finished.end(), [&](const SweepRun* run) {
      const json* value = value_of(*run);
      return !value || value->is_null() || value->is_number();
    });
  };
  std::string html =
      "<div class=\"scroll\"><table class=\"sortable\" id=\"runs\"><thead><tr>"
      "<th data-type=\"text\" scope=\"col\">run</th>";
  for (const auto& key : varied) {
    const bool numeric = all_numbers([&](const SweepRun& run) { return config_value(run, key); });
    html += std::string("<th scope=\"col\" data-type=\"") + (numeric ? "number" : "text") + "\"" +
            (numeric ? " class=\"number\"" : "") + ">" + html_escape(key) + "</th>";
  }
  for (const auto* metric : metrics)
    html += std::string("<th scope=\"col\" data-type=\"number\" class=\"number\" data-metric=\"") +
            metric->key + "\">" + html_escape(metric->label) + "</th>";
  html += "</tr></thead><tbody>\n";
  std::vector<const SweepRun*> best;
  for (const auto* metric : metrics) best.push_back(best_run(finished, *metric));
  for (const SweepRun* run : finished) {
    const auto [config_file, prefix] = config_source(*run);
    html += "<tr data-run=\"" + html_escape(run->folder) + "\"><td data-sort=\"" +
            html_escape(run->folder) + "\">" + run_link(*run) + "</td>";
    for (const auto& key : varied) html += cell(config_value(*run, key), config_file, prefix + key);
    for (std::size_t m = 0; m < metrics.size(); ++m)
      html += cell(find_dotted(run->files.summary.value, metrics[m]->key),
                   run->folder + "/" + kSummaryFile, metrics[m]->key,
                   best[m] == run ? metrics[m]->label : "");
    html += "</tr>\n";
  }
  return html + "</tbody></table></div>\n";
}

// The plots' x: the first varied key that is a number in every finished run, else the first
// varied key, else "" (one point per run).
std::string choose_x_key(const std::vector<const SweepRun*>& finished,
                         const std::vector<std::string>& varied) {
  for (const auto& key : varied)
    if (std::all_of(finished.begin(), finished.end(), [&](const SweepRun* run) {
          const json* value = config_value(*run, key);
          return value && value->is_number();
        }))
      return key;
  return varied.empty() ? "" : varied.front();
}

// Each dotted key by its shortest ending that no other key of `keys` shares, for legends:
// "train.lr" -> "lr", but "model.dense.hidden" and "model.conv.hidden" keep their middles.
std::map<std::string, std::string> shortest_unique_suffixes(const std::vector<std::string>& keys) {
  std::map<std::string, std::string> names;
  const auto ends_with = [](const std::string& key, const std::string& suffix) {
    return key.size() >= suffix.size() &&
           key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0 &&
           (key.size() == suffix.size() || key[key.size() - suffix.size() - 1] == '.');
  };
  for (const auto& key : keys) {
    std::string suffix = key;
    for (auto dot = key.rfind('.'); dot != std::string::npos; dot = key.rfind('.', dot - 1)) {
      const std::string candidate = key.substr(dot + 1);
      if (std::count_if(keys.begin(), keys.end(), [&](const std::string& other) {
            return ends_with(other, candidate);
          }) == 1) {
        suffix = candidate;
        break;
      }
      if (dot == 0) break;
    }
    names[key] = suffix;
  }
  return names;
}

// One chart per plotted metric against `x_key`; the other varied keys' values name the series.
std::string charts(const std::vector<const SweepRun*>& finished,
                   const std::vector<std::string>& varied,
                   const std::vector<const SweepMetric*>& metrics, const std::string& x_key) {
  std::vector<std::string> categories;
  const bool categorical = x_key.empty() || !config_value(*finished.front(), x_key) ||
                           !config_value(*finished.front(), x_key)->is_number();
  const auto short_names = shortest_unique_suffixes(varied);
  std::string html = "<div class=\"charts\">\n";
  for (const auto* metric : metrics) {
    if (!metric->plotted) continue;
    std::vector<SvgSeries> series;
    SvgChartOptions options;
    options.title = std::string(metric->label) + (x_key.empty() ? " by run" : " against " + x_key);
    options.x_label = x_key.empty() ? "run" : x_key;
    options.y_label = metric->label;
    for (const SweepRun* run : finished) {
      const json* y = find_dotted(run->files.summary.value, metric->key);
      if (!y || !y->is_number()) continue;
      std::string series_name;
      for (const auto& key : varied)
        if (key != x_key) {
          const json* value = config_value(*run, key);
          if (!value || value->is_object()) continue;  // its keys name it, or the run lacks it
          series_name += (series_name.empty() ? "" : ", ") + short_names.at(key) + "=" +
                         (value->is_null() ? std::string("null") : display_value(*value));
        }
      double x = 0;
      if (categorical) {
        const json* value = x_key.empty() ? nullptr : config_value(*run, x_key);
        const std::string category =
            x_key.empty() ? run->folder : (value ? display_value(*value) : "none");
        const auto found = std::find(categories.begin(), categories.end(), category);
        x = double(found - categories.begin());
        if (found == categories.end()) categories.push_back(category);
      } else {
        x = config_value(*run, x_key)->get<double>();
      }
      auto line = std::find_if(series.begin(), series.end(),
                               [&](const SvgSeries& s) { return s.name == series_name; });
      if (line == series.end())
        line = series.insert(series.end(), SvgSeries{series_name, {}, {}, {}});
      line->x.push_back(x);
      line->y.push_back(y->get<double>());
      line->labels.push_back(run->folder);
    }
    options.categories = categorical ? categories : std::vector<std::string>{};
    if (categorical && categories.empty()) options.categories = {""};
    html += render_svg_chart(series, options);
  }
  return html + "</div>\n";
}

// Every finished run's validation loss per epoch (its metrics.csv) on one chart, a line each.
std::string loss_curves(const std::vector<const SweepRun*>& finished) {
  std::vector<SvgSeries> series;
  for (const SweepRun* run : finished) {
    const MetricsCsvRows metrics = read_metrics_csv(run->files.dir / kMetricsFile);
    const auto epochs = metrics.column("epoch");
    const auto losses = metrics.column("val_loss");
    if (epochs.empty() || losses.empty()) continue;
    series.push_back(
        {run->folder, epochs, losses, std::vector<std::string>(epochs.size(), run->folder)});
  }
  if (series.empty()) return "";
  SvgChartOptions options;
  options.title = "validation loss per epoch, every finished run";
  options.x_label = "epoch";
  options.y_label = "validation loss";
  return "<div class=\"charts\">\n" + render_svg_chart(series, options) + "</div>\n";
}

// What every point of the sweep shares beyond its base config: the sweep's --set overrides, from
// sweep.json (a sweep folder aebench sweep made); "" when there is none.
std::string shared_overrides(const fs::path& sweep_dir) {
  const ReportJson record = read_report_json(sweep_dir / "sweep.json");
  if (!record.problem.empty() || !record.value.is_object()) return "";
  std::string html;
  if (const json* base = find_dotted(record.value, "base"); base && base->is_string())
    html += "base config <code>" + html_escape(base->get<std::string>()) + "</code>";
  // "set": {"train.epochs": 2, ...}, the overrides as the sweep file gave them.
  const json* set = find_dotted(record.value, "set");
  if (set && set->is_object() && !set->empty()) {
    std::string list;
    for (const auto& item : set->items())
      list += (list.empty() ? "" : ", ") + std::string("<code>") +
              html_escape(item.key() + "=" + item.value().dump()) + "</code>";
    html += std::string(html.empty() ? "" : "; ") + "every point also sets " + list;
  }
  return html.empty() ? "" : "<p class=\"shared\">" + html + "</p>\n";
}

// Sorting the runs table: click a header to sort by it, again to reverse; empty cells last;
// ties keep their order.
// Run folders in a sweep folder that are none of its points (trained there with --out): named,
// never shown among the points.
std::string left_out_runs(const fs::path& sweep_dir) {
  const auto outside = runs_outside_sweep(sweep_dir);
  if (outside.empty()) return "";
  std::string names;
  for (const auto& dir : outside)
    names += (names.empty() ? "" : ", ") + std::string("<code>") +
             html_escape(dir.filename().string()) + "</code>";
  return "<p class=\"notes\" data-left-out=\"" + std::to_string(outside.size()) +
         "\">Left out, as no point of this sweep (its sweep.json names none of them): " + names +
         "</p>\n";
}

const char kSortScript[] = R"js(
document.querySelectorAll('table.sortable').forEach(function (table) {
  var headers = Array.from(table.tHead.rows[0].cells);
  headers.forEach(function (header, column) {
    header.tabIndex = 0;
    var sort = function () {
      var ascending = header.getAttribute('aria-sort') !== 'ascending';
      var numeric = header.dataset.type === 'number';
      var body = table.tBodies[0];
      var rows = Array.from(body.rows);
      var key = function (row) { return row.cells[column].dataset.sort; };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === '' || y === '') return (x === '') - (y === '');
        var order = numeric ? parseFloat(x) - parseFloat(y)
                            : x.localeCompare(y, undefined, {numeric: true});
        return ascending ? order : -order;
      });
      headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
      header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      rows.forEach(function (row) { body.appendChild(row); });
    };
    header.addEventListener('click', sort);
    header.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sort(); }
    });
  });
});
)js";

}  // namespace

std::string url_path_segment(const std::string& name) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 15];
    }
  }
  return encoded;
}

std::string render_sweep_report(const fs::path& sweep_dir) {
  std::vector<SweepRun> runs;
  for (const auto& dir : sweep_runs(sweep_dir)) {
    SweepRun run{
        read_run_files(dir), dir.filename().string(), {}, folder_kind(dir) == FolderKind::kRun};
    for (auto& [key, value] : flatten_json(run.files.resolved_config())) run.config[key] = value;
    runs.push_back(std::move(run));
  }
  std::vector<const SweepRun*> all, finished, failed;
  for (const auto& run : runs) {
    all.push_back(&run);
    (run.files.finished() ? finished : failed).push_back(&run);
  }
  const auto varied = varied_keys(all);
  // The table and plots show what varies between the finished runs (a failed point's own
  // settings are listed beside its error), unless fewer than two finished.
  const auto varied_finished = finished.size() >= 2 ? varied_keys(finished) : varied;
  std::vector<const SweepMetric*> metrics;
  for (const auto& metric : kMetrics)
    if (std::any_of(finished.begin(), finished.end(), [&](const SweepRun* run) {
          const json* value = find_dotted(run->files.summary.value, metric.key);
          return value && value->is_number();
        }))
      metrics.push_back(&metric);

  const std::string name = folder_name(sweep_dir);
  std::string body = "<h1>" + html_escape(name) +
                     "</h1>\n<p class=\"subtitle\">sweep folder: " + "<span data-count=\"runs\">" +
                     std::to_string(runs.size()) + "</span> runs, " +
                     "<span data-count=\"finished\">" + std::to_string(finished.size()) +
                     "</span> finished, <span data-count=\"failed\">" +
                     std::to_string(failed.size()) + "</span> failed or not finished";
  if (!varied.empty()) {
    body += "; varied: ";
    for (std::size_t i = 0; i < varied.size(); ++i)
      body += (i ? ", " : "") + std::string("<code>") + html_escape(varied[i]) + "</code>";
  }
  body += "</p>\n" + shared_overrides(sweep_dir) + left_out_runs(sweep_dir) +
          "<nav class=\"toc\"><a href=\"#table\">Runs</a>";
  if (!finished.empty() && !metrics.empty()) body += "<a href=\"#plots\">Plots</a>";
  if (!failed.empty()) body += "<a href=\"#failed\">Failed</a>";
  body += "</nav>\n<section id=\"table\"><h2>Finished runs</h2>\n";
  if (finished.empty())
    body +=
        "<p class=\"missing\">no run has finished (none has a summary.json without an "
        "error)</p>\n";
  else
    body +=
        "<p class=\"notes\">Click a column header to sort by it; click again to reverse. "
        "\u2605 marks the best run of each metric; <span class=\"null\">null</span> is a "
        "setting that is off, an empty cell one a run does not have.</p>\n" +
        runs_table(finished, varied_finished, metrics);
  body += "</section>\n";
  if (!finished.empty() && !metrics.empty()) {
    const std::string x_key = choose_x_key(finished, varied_finished);
    body += "<section id=\"plots\"><h2>Metrics against " +
            html_escape(x_key.empty() ? std::string("run") : x_key) + "</h2>\n" +
            charts(finished, varied_finished, metrics, x_key) + loss_curves(finished) +
            "</section>\n";
  }
  if (!failed.empty()) {
    body += "<section id=\"failed\"><h2>Failed or not finished</h2>\n<ul class=\"failed\">\n";
    for (const SweepRun* run : failed) {
      std::string settings;
      for (const auto& key : varied)
        if (const json* value = config_value(*run, key))
          settings += (settings.empty() ? "" : ", ") + key + " = " + display_value(*value);
      const std::string reason =
          !run->files.error.empty()
              ? run->files.error
              : (run->files.summary.problem == "missing"
                     ? "no summary.json and no recorded error (still running, stopped or failed)"
                     : std::string(kSummaryFile) + " " +
                           (run->files.summary.problem.empty() ? "without test results"
                                                               : run->files.summary.problem));
      body += "<li data-run=\"" + html_escape(run->folder) + "\">" + run_link(*run) +
              (settings.empty() ? ""
                                : " <span class=\"notes\">(" + html_escape(settings) + ")</span>") +
              ": <span class=\"error\">" + html_escape(reason) + "</span></li>\n";
    }
    body += "</ul></section>\n";
  }
  body += "<footer>Written by aebench " + std::string(kVersion) +
          " from the run folders in this folder; <code>aebench report SWEEP_DIR</code> writes "
          "it again.</footer>\n";
  return html_page(name + ": aebench sweep report", body, kSortScript);
}

}  // namespace aebench
