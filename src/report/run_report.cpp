#include "aebench/report/run_report.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "aebench/analysis/compare.h"
#include "aebench/config/summary_config.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/report/html.h"
#include "aebench/report/run_files.h"
#include "aebench/version.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The page as it is built: its sections in order and the problems found on the way.
struct Page {
  std::vector<std::string> problems;
  std::vector<std::pair<std::string, std::string>> contents;  // section id, title
  std::string sections;

  void add_section(const std::string& id, const std::string& title, const std::string& html) {
    contents.emplace_back(id, title);
    sections += "<section id=\"" + id + "\">\n<h2>" + html_escape(title) + "</h2>\n" + html +
                "</section>\n";
  }
  void problem(const std::string& file, const std::string& what) {
    problems.push_back(file + ": " + what);
  }
};

const json* at(const json& document, const std::string& key) {
  return document.is_object() ? find_dotted(document, key) : nullptr;
}

bool is_shown_value(const json* value) {
  return value && (value->is_number() || value->is_string() || value->is_boolean());
}

// Rows of a key/value table for the keys of `document` that hold a scalar, each marked with
// `file` and its dotted key.
void add_rows(std::vector<std::pair<std::string, std::string>>& rows, const json& document,
              const std::string& file,
              const std::vector<std::pair<std::string, std::string>>& keys) {
  for (const auto& [key, label] : keys)
    if (const json* value = at(document, key); is_shown_value(value))
      rows.emplace_back(label, marked_value(*value, file, key));
}

const std::vector<std::pair<std::string, std::string>> kTestMetrics = {
    {"test.mse", "MSE per pixel"},
    {"test.sse_per_image", "squared error per image (sum over pixels)"},
    {"test.bce", "binary cross-entropy per pixel"},
    {"test.psnr_db", "PSNR (dB)"},
    {"test.ssim", "SSIM (mean, 11x11 Gaussian window)"},
    {"test.elbo.lower_bound", "evidence lower bound per image (variational)"},
    {"test.elbo.reconstruction", "ELBO reconstruction term per image"},
    {"test.elbo.kl", "ELBO KL term per image"},
    {"test.images", "test images"}};

std::string figure(Page& page, const fs::path& dir, const std::string& file,
                   const std::string& caption, bool expected = true) {
  const InlinePng png = read_inline_png(dir / file);
  if (!png.problem.empty()) {
    if (!expected && png.problem == "missing") return "";
    page.problem(file, png.problem);
  }
  return "<figure>" + image_or_problem(file, png, caption) + "<figcaption>" + html_escape(caption) +
         "</figcaption></figure>\n";
}

std::string notes_list(const json* notes) {
  if (!notes || !notes->is_array() || notes->empty()) return "";
  std::string html = "<ul class=\"notes\">";
  for (const auto& note : *notes) html += "<li>" + html_escape(display_value(note)) + "</li>";
  return html + "</ul>\n";
}

// metrics.csv as a table: a bad line is reported and left out, the others shown.
std::string metrics_table(Page& page, const fs::path& path) {
  const MetricsCsvRows metrics = read_metrics_csv(path);
  if (!metrics.problem.empty()) {
    page.problem(kMetricsFile, metrics.problem);
    return "<p class=\"missing\">" + std::string(kMetricsFile) + ": no per-epoch metrics</p>\n";
  }
  if (metrics.bad_lines > 0) page.problem(kMetricsFile, metrics.first_bad);
  if (metrics.bad_lines > 1)
    page.problem(kMetricsFile, std::to_string(metrics.bad_lines - 1) + " more unreadable line(s)");
  std::string rows;
  for (const auto& cells : metrics.cells) {
    rows += "<tr>";
    for (const auto& cell : cells)
      rows += "<td class=\"number\">" +
              html_escape(json::accept(cell) ? display_value(json::parse(cell)) : cell) + "</td>";
    rows += "</tr>\n";
  }
  std::string html = "<details><summary>per-epoch metrics (" + std::string(kMetricsFile) +
                     ")</summary><div class=\"scroll\"><table><thead><tr>";
  for (const auto& column : metrics.header)
    html += "<th class=\"number\">" + html_escape(column) + "</th>";
  return html + "</tr></thead><tbody>\n" + rows + "</tbody></table></div></details>\n";
}

std::string headline_cards(const json& summary) {
  const std::vector<std::pair<std::string, std::string>> cards = {
      {"test.mse", "test MSE"},
      {"test.sse_per_image", "test SSE per image"},
      {"test.psnr_db", "test PSNR (dB)"},
      {"test.ssim", "test SSIM"},
      {"probe.mlp.test_accuracy", "MLP probe test accuracy"}};
  std::string html;
  for (const auto& [key, label] : cards)
    if (const json* value = at(summary, key); is_shown_value(value))
      html += "<div class=\"card\"><div class=\"label\">" + html_escape(label) +
              "</div><div class=\"big\">" + marked_value(*value, kSummaryFile, key) +
              "</div></div>\n";
  return html.empty() ? "" : "<div class=\"cards\">\n" + html + "</div>\n";
}

std::string results_section(const json& summary) {
  std::vector<std::pair<std::string, std::string>> test, training, data;
  add_rows(test, summary, kSummaryFile, kTestMetrics);
  add_rows(data, summary, kSummaryFile,
           {{"data.train", "training images"},
            {"data.val", "validation images"},
            {"data.val_source", "validation source"},
            {"data.test", "test images"}});
  add_rows(training, summary, kSummaryFile,
           {{"epochs_run", "epochs run"},
            {"best_epoch", "best epoch"},
            {"best_val_loss", "best validation loss"},
            {"stopped_early", "stopped early"},
            {"train_seconds", "training time (s)"},
            {"samples_per_second", "training images per second"},
            {"parameters", "parameters"},
            {"device", "device"},
            {"threads", "threads"},
            {"precision", "precision"}});
  return "<div class=\"columns\"><div><h3>Test metrics</h3>\n" + key_value_table(test) +
         "</div><div><h3>Data split</h3>\n" + key_value_table(data) +
         "</div><div><h3>Training</h3>\n" + key_value_table(training) + "</div></div>\n";
}

std::string activity_table(const json& summary) {
  const json* activity = at(summary, "analysis.activity");
  if (!activity || !activity->is_object()) return "";
  std::string html =
      "<table><thead><tr><th>layer</th><th class=\"number\">units</th>"
      "<th class=\"number\">mean activation</th><th class=\"number\">sparseness</th></tr>"
      "</thead><tbody>\n";
  for (const auto& [layer, figures] : activity->items()) {
    html += "<tr><td>" + html_escape(layer) + "</td>";
    for (const char* key : {"units", "mean_activation", "sparseness"}) {
      const json* value = at(figures, key);
      html += "<td class=\"number\">" +
              (is_shown_value(value)
                   ? marked_value(*value, kSummaryFile, "analysis.activity." + layer + "." + key)
                   : std::string()) +
              "</td>";
    }
    html += "</tr>\n";
  }
  html += "</tbody></table>\n";
  if (const json* threshold = at(summary, "analysis.sparsity_threshold"); is_shown_value(threshold))
    html += "<p class=\"notes\">sparseness: the share of a layer's values below " +
            marked_value(*threshold, kSummaryFile, "analysis.sparsity_threshold") +
            ", averaged over the test images</p>\n";
  return html;
}

// The test error of each class (summary.json test.per_class), beside its bar chart.
std::string class_error_table(const json& summary) {
  const json* classes = at(summary, "test.per_class");
  if (!classes || !classes->is_object() || classes->empty()) return "";
  std::string html =
      "<table><thead><tr><th>class</th><th class=\"number\">test images</th>"
      "<th class=\"number\">squared error per image</th></tr></thead><tbody>\n";
  for (const auto& [name, entry] : classes->items()) {
    const std::string key = "test.per_class." + name;
    html += "<tr><th scope=\"row\">" + html_escape(name) + "</th>";
    for (const char* field : {"images", "sse_per_image"}) {
      const json* value = at(summary, key + "." + field);
      html += "<td class=\"number\">" +
              (is_shown_value(value) ? marked_value(*value, kSummaryFile, key + "." + field) : "") +
              "</td>";
    }
    html += "</tr>\n";
  }
  return html + "</tbody></table>\n";
}

// probe/NAME.json's per-class report (`report`, read from `file`) as a table.
std::string per_class_table(Page& page, const std::string& file, const json& report) {
  const json* per_class = at(report, "test_report.per_class");
  if (!per_class || !per_class->is_array()) {
    page.problem(file, "expected test_report.per_class, found none");
    return "";
  }
  std::string html =
      "<table><thead><tr><th class=\"number\">class</th><th class=\"number\">precision</th>"
      "<th class=\"number\">recall</th><th class=\"number\">F1</th>"
      "<th class=\"number\">support</th></tr></thead><tbody>\n";
  for (std::size_t row = 0; row < per_class->size(); ++row) {
    html += "<tr>";
    for (const char* key : {"label", "precision", "recall", "f1", "support"}) {
      const json* value = at(per_class->at(row), key);
      html += "<td class=\"number\">" +
              (is_shown_value(value)
                   ? marked_value(*value, file,
                                  "test_report.per_class." + std::to_string(row) + "." + key)
                   : std::string()) +
              "</td>";
    }
    html += "</tr>\n";
  }
  std::vector<std::pair<std::string, std::string>> averages;
  add_rows(averages, report, file,
           {{"test_report.accuracy", "accuracy"},
            {"test_report.macro_avg.f1", "macro-average F1"},
            {"test_report.weighted_avg.f1", "weighted-average F1"},
            {"test_report.total", "test images"}});
  return html + "</tbody></table>\n" + key_value_table(averages);
}

// One probe's probe/NAME.json per-class table beside its confusion matrix; neither when the
// file is damaged or another model's (a probe/ copied in from another run).
std::string probe_details(Page& page, const fs::path& dir, const std::string& name) {
  const std::string folder = std::string(kProbeFolder) + "/";
  const std::string file = folder + name + ".json";
  ReportJson report = read_report_json(dir / file);
  if (report.problem.empty()) report.problem = other_model_problem(dir, report.value);
  std::string html = "<h3>" + html_escape(name) + ": per class on the test split</h3>\n";
  if (!report.problem.empty()) {
    page.problem(file, report.problem);
    return html + "<p class=\"missing\">" + html_escape(file) + ": " + html_escape(report.problem) +
           "</p>\n";
  }
  return html + "<div class=\"columns\"><div>" + per_class_table(page, file, report.value) +
         "</div>" +
         figure(page, dir, folder + name + "_confusion.png",
                name + ": confusion matrix (rows: true class)") +
         "</div>\n";
}

std::vector<std::string> probe_names(const json& summary, const fs::path& dir) {
  std::vector<std::string> names;
  if (const json* probe = at(summary, "probe"); probe && probe->is_object())
    for (const auto& [name, result] : probe->items())
      if (result.is_object()) names.push_back(name);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir / kProbeFolder, error)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() == ".json" && file[0] != '.' &&
        std::find(names.begin(), names.end(), entry.path().stem().string()) == names.end())
      names.push_back(entry.path().stem().string());
  }
  return names;
}

std::string probe_section(Page& page, const json& summary, const fs::path& dir,
                          const std::vector<std::string>& names) {
  std::string html =
      "<table><thead><tr><th>classifier</th><th class=\"number\">validation accuracy</th>"
      "<th class=\"number\">test accuracy</th><th class=\"number\">macro F1</th>"
      "<th class=\"number\">best epoch</th></tr></thead><tbody>\n";
  for (const auto& name : names) {
    html += "<tr><td>" + html_escape(name) + "</td>";
    for (const char* key : {"val_accuracy", "test_accuracy", "macro_f1", "best_epoch"}) {
      const std::string dotted = "probe." + name + "." + key;
      const json* value = at(summary, dotted);
      html += "<td class=\"number\">" +
              (is_shown_value(value) ? marked_value(*value, kSummaryFile, dotted) : "") + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</tbody></table>\n";
  std::vector<std::pair<std::string, std::string>> settings;
  add_rows(settings, summary, kSummaryFile, {{"probe.loss", "probe loss"}});
  if (const json* hidden = at(summary, "probe.classifier_hidden"); hidden)
    settings.emplace_back("MLP hidden layers", html_escape(display_value(*hidden)));
  html += key_value_table(settings);
  for (const auto& name : names) html += probe_details(page, dir, name);
  return html;
}

std::string eval_section(Page& page, const fs::path& dir, const json& summary) {
  const std::string eval = kEvalFolder;
  const std::string file = eval + "/" + kSummaryFile;
  ReportJson evaluated = read_report_json(dir / file);
  if (evaluated.problem.empty())  // an eval/ copied in from another run scored another model
    evaluated.problem = foreign_summary_problem(dir, evaluated.value, SummaryWriter::kEval);
  std::string html;
  if (!evaluated.problem.empty()) {
    // Its pictures are of the same eval as its summary: another model's, or of none known.
    page.problem(file, evaluated.problem);
    return "<p class=\"missing\">" + html_escape(file) + ": " + html_escape(evaluated.problem) +
           "; its pictures are not shown</p>\n";
  } else {
    // eval may have scored another split, or other data (--split, --set data.*): then the
    // training run's test scores are not beside it, as they measure something else.
    const json* split = at(evaluated.value, "evaluated.split");
    const json* overrides = at(evaluated.value, "evaluated.overrides");
    const std::string scored = split && split->is_string() ? split->get<std::string>() : "test";
    const bool same_data =
        scored == "test" && (!overrides || !overrides->is_array() || overrides->empty());
    if (!same_data)
      html += "<p>eval scored the " + html_escape(scored) + " split" +
              (overrides && overrides->is_array() && !overrides->empty()
                   ? " with " + html_escape(overrides->dump())
                   : std::string()) +
              ", not the data the run was tested on.</p>\n";
    html += "<table><thead><tr><th>" + html_escape(scored) +
            " metric</th><th class=\"number\">aebench eval</th>" +
            (same_data ? "<th class=\"number\">training run</th>" : "") + "</tr></thead><tbody>\n";
    for (const auto& [key, label] : kTestMetrics) {
      const std::string eval_key = scored + key.substr(key.find('.'));
      const json* now = at(evaluated.value, eval_key);
      const json* then = same_data ? at(summary, key) : nullptr;
      if (!is_shown_value(now) && !is_shown_value(then)) continue;
      html +=
          "<tr><th scope=\"row\">" + html_escape(label) + "</th><td class=\"number\">" +
          (is_shown_value(now) ? marked_value(*now, file, eval_key) : "") + "</td>" +
          (same_data
               ? "<td class=\"number\">" +
                     (is_shown_value(then) ? marked_value(*then, kSummaryFile, key) : "") + "</td>"
               : "") +
          "</tr>\n";
    }
    html += "</tbody></table>\n";
  }
  return html + figure(page, dir, eval + "/" + kReconstructionsFile, "eval: reconstructions") +
         figure(page, dir, eval + "/" + kBottleneckFile, "eval: bottleneck codes");
}

// `prefix`: where the config sits in `file` ("" for config.json, "config." in summary.json).
std::string config_table(const json& config, const std::string& file, const std::string& prefix) {
  std::string html = "<table class=\"pairs\"><tbody>\n";
  for (const auto& [key, value] : flatten_json(config))
    html += "<tr><th scope=\"row\">" + html_escape(key) + "</th><td>" +
            (is_shown_value(&value) ? marked_value(value, file, prefix + key)
                                    : html_escape(display_value(value))) +
            "</td></tr>\n";
  return html + "</tbody></table>\n";
}

}  // namespace

std::string render_run_report(const fs::path& dir) {
  const RunFiles files = read_run_files(dir);
  // A summary with a problem (another run's, edited, damaged) shows nothing as this run's: no
  // cards, results, activity or class errors drawn from it.
  static const json kNoSummary = json::object();
  const json& summary = files.summary.problem.empty() ? files.summary.value : kNoSummary;
  Page page;
  if (!files.summary.problem.empty())
    page.problem(kSummaryFile, files.summary.problem +
                                   (files.summary.problem == "missing"
                                        ? " (the run has not finished, or stopped or failed first)"
                                        : ""));
  if (!files.config.problem.empty()) page.problem(kConfigFile, files.config.problem);

  if (files.summary.problem.empty())
    page.add_section("results", "Results", results_section(summary));
  std::string training =
      figure(page, dir, kLossCurveFile, "training and validation loss per epoch") +
      figure(page, dir, kEpochStripsFile,
             "the first test images reconstructed at a few epochs as training went on",
             at(summary, "test.per_class") != nullptr);
  training += metrics_table(page, dir / kMetricsFile);
  page.add_section("training", "Loss curve", training);

  std::string pictures =
      figure(page, dir, kReconstructionsFile,
             "the first test images: originals, noisy inputs (denoising runs), reconstructions") +
      figure(page, dir, kBottleneckFile, "their codes, all on one grey scale") +
      "<div class=\"columns\">" +
      figure(page, dir, kWeightsFile, "the first layer's weights, one tile per unit");
  const json* embedding = at(summary, "analysis.embedding");
  const json* method = at(summary, "analysis.embedding.method");
  // A run whose config asks for no map has no analysis.embedding in its summary.
  const bool expects_map =
      embedding && !(method && *method == "none") &&
      !(embedding && embedding->contains("notes") &&
        embedding->at("notes").dump().find("no embedding.png") != std::string::npos);
  pictures += figure(page, dir, kEmbeddingFile, "2-D maps of the test codes, coloured by class",
                     expects_map) +
              "</div>\n" + notes_list(at(summary, "analysis.embedding.notes"));
  pictures += std::string("<div class=\"columns\"><div>") + class_error_table(summary) +
              figure(page, dir, kPerClassFile, "test error per class",
                     at(summary, "test.per_class") != nullptr) +
              "</div>" +
              figure(page, dir, kInterpolationFile,
                     "codes between two test images of different classes, decoded",
                     at(summary, "test.per_class") != nullptr) +
              "</div>\n" +
              figure(page, dir, kWorstFile, "the worst-reconstructed test images",
                     at(summary, "test.per_class") != nullptr);
  // A variational model's samples of its prior (its summary has the test ELBO).
  pictures +=
      figure(page, dir, kSamplesFile, "images decoded from codes drawn from the prior N(0, I)",
             at(summary, "test.elbo") != nullptr);
  page.add_section("pictures", "Pictures", pictures);

  if (const std::string activity = activity_table(summary); !activity.empty())
    page.add_section("activity", "Layer activity", activity);
  const auto probes = probe_names(summary, dir);
  if (!probes.empty())
    page.add_section("probe", "Probes", probe_section(page, summary, dir, probes));
  std::error_code error;
  if (fs::is_directory(dir / kEvalFolder, error))
    page.add_section("eval", "aebench eval", eval_section(page, dir, summary));

  std::string other;
  for (const char* key : {"pretraining", "explained_variance_ratio"})
    if (const json* value = at(summary, key))
      other +=
          "<h3>" + html_escape(key) + "</h3>\n<pre>" + html_escape(value->dump(1)) + "</pre>\n";
  if (!other.empty()) page.add_section("other", "Other results", other);

  if (const json* provenance = at(summary, "provenance"); provenance && provenance->is_object()) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& item : provenance->items())
      rows.emplace_back(item.key(),
                        html_escape(item.value().is_string() ? item.value().get<std::string>()
                                                             : item.value().dump()));
    page.add_section("provenance", "How it was made",
                     "<p class=\"notes\">the last training session (every session: " +
                         std::string(kRunMarkerFile) + "; its console lines: " + kTrainLogFile +
                         ")</p>\n" + key_value_table(rows));
  }

  if (files.config.problem.empty())
    page.add_section("config", "Config", config_table(files.config.value, kConfigFile, ""));
  else if (const json& config = files.resolved_config(); config.is_object())
    page.add_section("config", "Config",
                     "<p class=\"notes\">from summary.json (config.json is " +
                         html_escape(files.config.problem) + ")</p>\n" +
                         config_table(config, kSummaryFile, "config."));

  const std::string name = files.name();
  std::string body = "<h1>" + html_escape(name) + "</h1>\n<p class=\"subtitle\">run folder " +
                     html_escape(folder_name(dir)) + ": " +
                     (files.finished() ? "finished"
                                       : "<span class=\"status-failed\">not finished"
                                         "</span>") +
                     "</p>\n";
  if (!files.error.empty())
    body += "<p class=\"missing\">error: " + html_escape(files.error) + "</p>\n";
  // The pictures are written at a run's end: during a resume they are still the earlier model's.
  if (!files.finished() && resume_unfinished(dir) &&
      std::filesystem::exists(std::filesystem::symlink_status(dir / kModelFile)))
    body +=
        "<p class=\"missing\">a train --resume started here has not finished: the "
        "pictures are of the model.pt saved before it; metrics.csv has the epochs since</p>\n";
  body += "<nav class=\"toc\">";
  for (const auto& [id, title] : page.contents)
    body += "<a href=\"#" + id + "\">" + html_escape(title) + "</a>";
  body += "</nav>\n";
  if (!page.problems.empty()) {
    body += "<div class=\"problems\" id=\"problems\"><h2>Missing or unreadable</h2><ul>\n";
    for (const auto& problem : page.problems) body += "<li>" + html_escape(problem) + "</li>\n";
    body += "</ul></div>\n";
  }
  body += headline_cards(summary) + page.sections + "<footer>Written by aebench " +
          std::string(kVersion) +
          " from the files of this folder; <code>aebench report RUN_DIR</code> writes it "
          "again.</footer>\n";
  return html_page(name + ": aebench run report", body);
}

}  // namespace aebench
