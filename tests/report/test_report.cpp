#include <fstream>
#include <regex>

#include "aebench/analysis/compare.h"
#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/plot/png.h"
#include "aebench/report/report.h"
#include "aebench/report/run_files.h"
#include "aebench/report/run_report.h"
#include "aebench/report/sweep_report.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::count_of;
using aebench::testing::ScratchFolder;
using aebench::testing::write_text;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void write_picture(const fs::path& path, int width, int height) {
  fs::create_directories(path.parent_path());
  aebench::Canvas canvas(width, height);
  canvas.fill_rect(1, 1, width / 2, height / 2, {30, 90, 200});
  aebench::write_png(path, canvas);
}

// A finished run's files as aebench writes them (no training: the report only reads files).
json write_fake_run(const fs::path& dir, const std::string& name, int latent, double mse) {
  const json config = {{"name", name},
                       {"seed", 0},
                       {"model", {{"type", "dense"}, {"hidden", {32}}, {"latent", latent}}},
                       {"train", {{"epochs", 2}, {"lr", 0.001}}},
                       {"output", {{"dir", dir.string()}}}};
  const json summary = {
      {"name", name},
      {"data",
       {{"train", 90}, {"val", 10}, {"test", 20}, {"val_source", "held out from train (10 %)"}}},
      {"test",
       {{"mse", mse},
        {"sse_per_image", mse * 784},
        {"bce", 0.21},
        {"psnr_db", 16.5},
        {"ssim", 0.4},
        {"images", 20}}},
      {"epochs_run", 2},
      {"best_epoch", 2},
      {"stopped_early", false},
      {"train_seconds", 0.25},
      {"analysis",
       {{"sparsity_threshold", 0.1},
        {"activity",
         {{"code", {{"units", latent}, {"mean_activation", 0.5}, {"sparseness", 0.25}}}}},
        {"embedding", {{"method", "pca"}, {"points", 20}}}}},
      {"probe",
       {{"mlp",
         {{"val_accuracy", 0.8}, {"test_accuracy", 0.75}, {"best_epoch", 3}, {"macro_f1", 0.7}}},
        {"classifier_hidden", {16}},
        {"loss", "softmax"}}},
      {"pretraining", {{{"stage", 1}, {"losses", {0.5, 0.4}}}}},
      {"config", config}};
  write_text(
      dir / aebench::kRunMarkerFile,
      R"({"format_version": 1, "sessions": [{"command": "aebench train x.json", "started": "2026-12-06T00:00:00Z"}]})");
  write_text(dir / aebench::kConfigFile, config.dump(2));
  write_text(dir / aebench::kSummaryFile, summary.dump(2));
  write_text(dir / aebench::kMetricsFile,
             "epoch,train_loss,val_loss,val_mse,val_psnr_db,seconds\n1,0.2,0.19,0.19,7.2,0.1\n"
             "2,0.1,0.09,0.09,10.4,0.1\n");
  for (const char* file :
       {aebench::kLossCurveFile, aebench::kReconstructionsFile, aebench::kBottleneckFile,
        aebench::kWeightsFile, aebench::kEmbeddingFile, "probe/mlp_confusion.png"})
    write_picture(dir / file, 40, 30);
  const json per_class = {
      {{"label", 0}, {"precision", 1.0}, {"recall", 0.5}, {"f1", 0.6667}, {"support", 2}}};
  write_text(dir / "probe" / "mlp.json",
             json{{"test_accuracy", 0.75},
                  {"test_report", {{"accuracy", 0.75}, {"per_class", per_class}, {"total", 20}}}}
                 .dump());
  return summary;
}

std::string html_unescape(std::string text) {
  const std::vector<std::pair<std::string, std::string>> entities = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, character] : entities)
    for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1))
      text.replace(at, entity.size(), character);
  return text;
}

// Every marked value on the page equals the value at its key in its file (relative to `dir`);
// returns how many there were.
int check_marked_values(const std::string& html, const fs::path& dir) {
  static const std::regex kMarked(
      "data-file=\"([^\"]*)\" data-key=\"([^\"]*)\" data-value=\"([^\"]*)\"");
  int count = 0;
  for (std::sregex_iterator match(html.begin(), html.end(), kMarked), end; match != end; ++match) {
    const std::string file = html_unescape((*match)[1]), key = html_unescape((*match)[2]);
    INFO(file << ": " << key);
    const json document = aebench::testing::read_json(dir / file);
    const json* expected = aebench::find_dotted(document, key);
    if (!expected && key.find("per_class.") != std::string::npos) {
      // test_report.per_class.0.f1: a list index inside the dotted key.
      const auto list_at = key.find("per_class.") + 10;
      const json* list = aebench::find_dotted(document, key.substr(0, list_at - 1));
      REQUIRE(list);
      const auto index = std::stoul(key.substr(list_at));
      expected = aebench::find_dotted(list->at(index), key.substr(key.find('.', list_at) + 1));
    }
    REQUIRE(expected);
    CHECK(json::parse(html_unescape((*match)[3])) == *expected);
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("a run report inlines every picture and every number equals the file it comes from") {
  ScratchFolder folder("report-run");
  const auto run = folder / "run";
  write_fake_run(run, "dense_16", 16, 0.0123456789);
  const std::string html = aebench::render_run_report(run);
  CHECK(count_of(html, "<img src=\"data:image/png;base64,") == 6);
  CHECK(count_of(html, "src=\"") == 6);  // nothing else is loaded
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("class=\"problems\"") == std::string::npos);
  CHECK(check_marked_values(html, run) > 30);
  CHECK_THAT(html, Catch::Contains("data-key=\"test.mse\" data-value=\"0.0123456789\""));
  CHECK_THAT(html, Catch::Contains("data-key=\"test_report.per_class.0.recall\""));
  CHECK_THAT(html, Catch::Contains("<section id=\"probe\">") &&
                       Catch::Contains("<section id=\"config\">") &&
                       Catch::Contains("<h3>pretraining</h3>"));
}

TEST_CASE("strings from a run's files are HTML-escaped wherever the report shows them") {
  ScratchFolder folder("report-escape");
  const auto run = folder / "run";
  write_fake_run(run, "<script>alert('name')</script>", 16, 0.01);
  json config = aebench::testing::read_json(run / aebench::kConfigFile);
  config["comment"] = "\"><img src=x onerror=alert(1)>";
  write_text(run / aebench::kConfigFile, config.dump());
  write_text(run / aebench::kErrorFile, "<b>boom</b> & more\n");
  const std::string html = aebench::render_run_report(run);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("<img src=x") == std::string::npos);
  CHECK(html.find("<b>boom") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"));
  CHECK_THAT(html, Catch::Contains("&lt;b&gt;boom&lt;/b&gt; &amp; more"));
  CHECK(count_of(html, "<script") == 0);  // a run page needs no script
}

TEST_CASE("a run folder with missing or corrupt files gives a report naming each problem") {
  struct Case {
    std::string name;
    std::function<void(const fs::path&)> damage;
    std::vector<std::string> problems;
  };
  const std::vector<Case> cases = {
      {"no summary",
       [](const fs::path& run) { fs::remove(run / aebench::kSummaryFile); },
       {"summary.json: missing (the run has not finished"}},
      {"corrupt summary",
       [](const fs::path& run) { write_text(run / aebench::kSummaryFile, "{\"name\": "); },
       {"summary.json: not valid JSON: parse error"}},
      {"corrupt config",
       [](const fs::path& run) { write_text(run / aebench::kConfigFile, "[]"); },
       {"config.json: expected a JSON object, found array"}},
      {"truncated and missing pictures",
       [](const fs::path& run) {
         const auto path = run / aebench::kWeightsFile;
         fs::resize_file(path, fs::file_size(path) - 10);
         fs::remove(run / aebench::kBottleneckFile);
         write_text(run / "probe" / "mlp_confusion.png", "GIF89a");
       },
       {"weights.png: truncated", "bottleneck.png: missing",
        "probe/mlp_confusion.png: not a PNG file"}},
      {"bad metrics line",
       [](const fs::path& run) {
         write_text(run / aebench::kMetricsFile,
                    "epoch,train_loss,val_loss,val_mse,val_psnr_db,seconds\n1,0.2,0.1,0.1,7,1\n"
                    "2,0.1,<oops>\n3,0.1,0.1,0.1,7,1\n");
       },
       {"metrics.csv: line 3: expected 6 numbers, found &quot;2,0.1,&lt;oops&gt;&quot;"}},
      {"missing probe report",
       [](const fs::path& run) { fs::remove(run / "probe" / "mlp.json"); },
       {"probe/mlp.json: missing"}},
      {"empty folder but config and the run mark",
       [](const fs::path& run) {
         for (const auto& entry : fs::directory_iterator(run))
           if (entry.path().filename() != aebench::kConfigFile &&
               entry.path().filename() != aebench::kRunMarkerFile)
             fs::remove_all(entry.path());
       },
       {"summary.json: missing", "metrics.csv: missing", "loss_curve.png: missing"}},
  };
  for (const auto& test : cases) {
    INFO(test.name);
    ScratchFolder folder("report-damaged");
    const auto run = folder / "run";
    write_fake_run(run, "damaged", 16, 0.01);
    test.damage(run);
    std::string html;
    REQUIRE_NOTHROW(html = aebench::render_run_report(run));
    const auto box = html.find("class=\"problems\"");
    REQUIRE(box != std::string::npos);
    for (const auto& problem : test.problems) CHECK_THAT(html, Catch::Contains("<li>" + problem));
    CHECK(html.find("</html>") != std::string::npos);
  }
}

TEST_CASE("report_artefacts: a run's page, a sweep's page with its runs' pages, or a ConfigError") {
  ScratchFolder folder("report-kinds");
  write_fake_run(folder / "sweep" / "a", "a", 8, 0.02);
  write_fake_run(folder / "sweep" / "b", "b", 16, 0.01);
  fs::create_directories(folder / "sweep" / "empty");
  fs::create_directories(folder / "sweep" / "notes");  // not a run: holds no run file
  write_text(folder / "sweep" / "notes" / "todo.txt", "later");
  fs::create_directories(folder / "plain");
  write_text(folder / "file.txt", "x");

  const auto run = aebench::report_artefacts(folder / "sweep" / "a");
  REQUIRE(run.texts.size() == 1);
  CHECK(run.texts[0].file == "report.html");
  const auto sweep = aebench::report_artefacts(folder / "sweep");
  CHECK(sweep.file_list() == "a/report.html, b/report.html, report.html");

  for (const char* other : {"plain", "missing", "file.txt"}) {
    INFO(other);
    CHECK_THROWS_AS(aebench::report_artefacts(folder / other), aebench::ConfigError);
    CHECK_THROWS_WITH(
        aebench::report_artefacts(folder / other),
        Catch::Contains((folder / other).string()) && Catch::Contains("expected a run folder"));
  }
}

TEST_CASE("a sweep report tabulates the finished runs by what differs and lists the failed ones") {
  ScratchFolder folder("report-sweep");
  const auto sweep = folder / "sweep";
  write_fake_run(sweep / "latent_8", "dense", 8, 0.03);
  write_fake_run(sweep / "latent_16", "dense", 16, 0.02);
  write_fake_run(sweep / "latent 32", "dense", 32, 0.01);
  write_fake_run(sweep / "latent_64", "dense", 64, 0.005);
  fs::remove(sweep / "latent_64" / aebench::kSummaryFile);  // stopped before its end
  fs::create_directories(sweep / "latent_999");
  write_text(sweep / "latent_999" / aebench::kErrorFile,
             "\naebench: config error: model.latent: <too> big\nmore\n");
  write_fake_run(sweep / "summary_error", "dense", 128, 0.5);
  json summary = aebench::testing::read_json(sweep / "summary_error" / aebench::kSummaryFile);
  summary["error"] = {{"message", "loss became NaN at epoch 1"}};
  write_text(sweep / "summary_error" / aebench::kSummaryFile, summary.dump());

  const std::string html = aebench::render_sweep_report(sweep);
  // Per run: latent, then MSE, SSE, PSNR, SSIM, MLP accuracy, epochs and seconds.
  CHECK(check_marked_values(html, sweep) == 3 * (1 + 7));
  CHECK_THAT(html, Catch::Contains("<th scope=\"col\" data-type=\"number\" class=\"number\">"
                                   "model.latent</th>"));
  for (const char* constant : {">model.type<", ">output.dir<", ">name<", ">train.lr<"})
    CHECK(html.find(constant) == std::string::npos);
  CHECK(count_of(html, "<tr data-run=") == 3);
  CHECK_THAT(html, Catch::Contains("<a href=\"latent%2032/report.html\">latent 32</a>"));
  // MSE, SSE, PSNR, SSIM and MLP accuracy against latent, and every run's loss curve.
  CHECK(count_of(html, "<svg") == 6);
  CHECK_THAT(html, Catch::Contains("validation loss per epoch, every finished run"));
  CHECK(count_of(html, "<g class=\"legend\">") == 3);  // the loss curves': one per run
  // The best run of each metric with a direction (not epochs or seconds) is marked: latent 32,
  // whose MSE is lowest, for all five here.
  CHECK(count_of(html, "class=\"number best\"") == 5);
  const std::string best_row = html.substr(html.find("<tr data-run=\"latent 32\">"));
  CHECK(count_of(best_row.substr(0, best_row.find("</tr>")), "class=\"number best\"") == 5);
  CHECK_THAT(html, Catch::Contains("data-count=\"failed\">3<"));
  CHECK_THAT(html, Catch::Contains("aebench: config error: model.latent: &lt;too&gt; big"));
  CHECK_THAT(html, Catch::Contains("loss became NaN at epoch 1"));
  CHECK_THAT(html, Catch::Contains("no summary.json and no recorded error"));
  // latent_999 holds no config.json: no report of its own, so no link to one.
  CHECK(html.find("latent_999/report.html") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("latent_64/report.html"));
  CHECK(count_of(html, "<script>") == 1);
}

TEST_CASE("sweep runs are listed in natural order: numbers in names compare as numbers") {
  const std::vector<std::tuple<std::string, std::string, bool>> cases = {
      {"latent_8", "latent_16", true},
      {"latent_16", "latent_8", false},
      {"lr_0010", "lr_9", false},
      {"run", "run_1", true},
      {"a2b10", "a2b9", false},
      {"same", "same", false},
      {"b", "a100", false},
      {"007", "7", true},  // equal numbers: the text decides
  };
  for (const auto& [a, b, less] : cases) {
    INFO(a << " < " << b);
    CHECK(aebench::natural_less(a, b) == less);
  }
}

TEST_CASE(
    "a sweep's report shows only its points: a run trained into its folder is named, left out") {
  ScratchFolder folder("report-sweep-extra");
  const auto sweep = folder / "sweep";
  write_fake_run(sweep / "latent-8", "dense", 8, 0.03);
  write_fake_run(sweep / "latent-16", "dense", 16, 0.02);
  write_fake_run(sweep / "extra", "dense", 100, 0.01);
  const json point = {{"name", "latent-8"}, {"overrides", json::object()}, {"state", "done"}};
  json second = point;
  second["name"] = "latent-16";
  write_text(sweep / aebench::kSweepFile,
             json{{"format_version", 1}, {"points", {point, second}}}.dump());
  CHECK(aebench::sweep_runs(sweep) ==
        std::vector<fs::path>{sweep / "latent-8", sweep / "latent-16"});
  CHECK(aebench::runs_outside_sweep(sweep) == std::vector<fs::path>{sweep / "extra"});
  const std::string html = aebench::render_sweep_report(sweep);
  CHECK(count_of(html, "extra/report.html") == 0);
  CHECK_THAT(html, Catch::Contains("data-left-out=\"1\"") &&
                       Catch::Contains("no point of this sweep") &&
                       Catch::Contains("<code>extra</code>"));
  // A damaged record is named, never taken for a folder of runs; a user's sweep file is one.
  for (const std::string& damaged :
       {std::string("{\"format_version\": 1, \"poi"), std::string("{\"format_version\": 1}"),
        std::string("{}"), std::string("[]"), std::string("null"),
        std::string("{\"points\": null}"), std::string(R"({"format_version": 1, "points": []})"),
        std::string(R"({"format_version": 1, "points": {}})"),
        std::string(R"({"points": [{"name": "latent-8", "overrides": {}, "state": "done"}]})")}) {
    INFO(damaged);
    write_text(sweep / aebench::kSweepFile, damaged);
    CHECK_THROWS_WITH(aebench::report_artefacts(sweep),
                      Catch::Contains("sweep.json: expected a sweep record"));
  }
  // One point named twice in a record.
  write_text(sweep / aebench::kSweepFile,
             json{{"format_version", 1}, {"points", {point, point}}}.dump());
  CHECK_THROWS_WITH(aebench::report_artefacts(sweep), Catch::Contains("the point latent-8 twice"));
  write_text(sweep / aebench::kSweepFile,
             R"({"base": "base.json", "grid": {"model.latent": [8]}})");
  CHECK(aebench::report_artefacts(sweep).file_list().find("extra/report.html") !=
        std::string::npos);
  // Without a sweep record, a folder of runs shows them all.
  fs::remove(sweep / aebench::kSweepFile);
  CHECK(aebench::sweep_runs(sweep).size() == 3);
  CHECK(aebench::runs_outside_sweep(sweep).empty());
}
