#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aebench/analysis/compare.h"
#include "aebench/errors.h"
#include "aebench/plot/plot.h"
#include "aebench/plot/png.h"
#include "support/canvas_pixels.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using aebench::CompareOptions;
using aebench::ComparisonTable;
using aebench::Rgb;
using aebench::testing::count_color;
using aebench::testing::same;
using aebench::testing::write_text;
using nlohmann::json;

namespace {

// A summary.json as run_training writes it, cut down to what the comparison reads.
json summary(const std::string& name, const std::string& type, int latent, const json& noise,
             int epochs, const json& test) {
  return {{"name", name},
          {"config",
           {{"data", {{"dataset", "mnist"}}},
            {"model", {{"type", type}, {"latent", latent}}},
            {"noise", noise}}},
          {"epochs_run", epochs},
          {"train_seconds", 12.5},
          {"test", test}};
}

// Three finished runs: dense at latent 32 and 8, conv at latent 32. The third has no psnr_db.
struct ThreeRuns {
  aebench::testing::ScratchFolder folder{"compare"};
  std::vector<fs::path> dirs = {folder / "dense_32", folder / "conv_32", folder / "dense_8"};

  ThreeRuns() {
    const json runs[] = {
        summary("dense_32", "dense", 32, nullptr, 10,
                {{"sse_per_image", 12.5}, {"mse", 0.0159439}, {"psnr_db", 17.97}}),
        summary("conv, denoising", "conv", 32, {{"type", "gaussian"}, {"std", 0.25}}, 20,
                {{"sse_per_image", 9.25}, {"mse", 0.0117985}, {"psnr_db", 19.28}}),
        summary("dense \"small\"", "dense", 8, {{"type", "masking"}, {"fraction", 0.3}}, 5,
                {{"sse_per_image", 25.0}, {"mse", 0.0318878}}),
    };
    for (std::size_t i = 0; i < dirs.size(); ++i)
      write_text(dirs[i] / "summary.json", runs[i].dump(2));
  }
};

}  // namespace

TEST_CASE("dotted keys find nested values and nothing where the path breaks") {
  const json document = {{"test", {{"mse", 0.5}}}, {"config", {{"noise", nullptr}}}, {"n", 3}};
  const struct {
    const char* key;
    const char* found;  // the value's dump, or nullptr when missing
  } cases[] = {
      {"test.mse", "0.5"},
      {"test", "{\"mse\":0.5}"},
      {"n", "3"},
      {"config.noise", "null"},
      {"test.psnr_db", nullptr},
      {"n.more", nullptr},
      {"config.noise.std", nullptr},
      {"", nullptr},
      {"test.", nullptr},
  };
  for (const auto& c : cases) {
    INFO("key \"" << c.key << "\"");
    const auto* value = aebench::find_dotted(document, c.key);
    if (c.found == nullptr)
      CHECK(value == nullptr);
    else
      CHECK((value && value->dump() == c.found));
  }
}

TEST_CASE("table cells show numbers to six significant digits and whole numbers in full") {
  const struct {
    json value;
    const char* cell;
  } cases[] = {
      // run_training's own numbers (runs/dense_100/summary.json), by printf's %.6g.
      {0.009762978189800892, "0.00976298"},
      {7.6541749008039, "7.65417"},
      {20.104176808886976, "20.1042"},
      {1e-05, "1e-05"},
      {0.25, "0.25"},
      {100, "100"},
      {-3, "-3"},
      {std::uint64_t{123456789012}, "123456789012"},
      {"dense", "dense"},
      {true, "true"},
      {nullptr, ""},
      {json::array({400, 200}), "[400,200]"},
  };
  for (const auto& c : cases) {
    INFO(c.value.dump());
    CHECK(aebench::format_cell(c.value) == c.cell);
  }
}

TEST_CASE("comparing runs gives one row per run with the config keys that differ and metrics") {
  const ThreeRuns runs;
  const auto table = aebench::compare_runs(runs.dirs, CompareOptions{});
  // data.dataset is the same in all three: no column. A null noise reads "null", a key a run
  // lacks is empty, and "noise" holding an object is empty (its keys have columns).
  const std::vector<std::string> columns = {
      "run",       "name",       "model.latent", "model.type",         "noise",    "noise.fraction",
      "noise.std", "noise.type", "epochs",       "test.sse_per_image", "test.mse", "test.psnr_db"};
  CHECK(table.columns == columns);
  REQUIRE(table.rows.size() == 3);
  CHECK(table.rows[0] == std::vector<std::string>{"dense_32", "dense_32", "32", "dense", "null", "",
                                                  "", "", "10", "12.5", "0.0159439", "17.97"});
  CHECK(table.rows[1] == std::vector<std::string>{"conv_32", "conv, denoising", "32", "conv", "",
                                                  "", "0.25", "gaussian", "20", "9.25", "0.0117985",
                                                  "19.28"});
  CHECK(table.rows[2] == std::vector<std::string>{"dense_8", "dense \"small\"", "8", "dense", "",
                                                  "0.3", "", "masking", "5", "25", "0.0318878",
                                                  ""});
}

TEST_CASE("keys that do not change what a run computes are never a difference") {
  std::vector<json> summaries;
  for (int i = 0; i < 2; ++i)
    summaries.push_back({{"config",
                          {{"comment", "run " + std::to_string(i)},
                           {"name", "n" + std::to_string(i)},
                           {"threads", i},
                           {"follow_load", i == 0},
                           {"data", {{"dir", "/data/" + std::to_string(i)}, {"dataset", "mnist"}}},
                           {"output", {{"dir", "runs/" + std::to_string(i)}}},
                           {"train", {{"lr", i == 0 ? 0.1 : 0.01}}},
                           // One number written two ways (a summary rewritten by another tool).
                           {"analysis", {{"perplexity", i == 0 ? json(30) : json(30.0)}}}}}});
  CHECK(aebench::differing_config_keys(summaries) == std::vector<std::string>{"train.lr"});
  // Unless the folders held other data (Fashion-MNIST's files where MNIST's were).
  summaries[0]["data"] = {{"fingerprint", "crc32:a7eaf058"}};
  summaries[1]["data"] = {{"fingerprint", "crc32:95986ec2"}};
  CHECK(aebench::differing_config_keys(summaries) ==
        std::vector<std::string>{"data.dir", "train.lr"});
}

TEST_CASE("the JSON comparison keeps values as JSON with null where a run has none") {
  const ThreeRuns runs;
  const auto summaries = aebench::read_summaries(runs.dirs);
  const json comparison = aebench::comparison_json(runs.dirs, summaries, CompareOptions{});
  REQUIRE(comparison["runs"].size() == 3);
  CHECK(comparison["differing_config_keys"][0] == "model.latent");
  CHECK(comparison["runs"][0]["config"]["model.latent"] == 32);
  CHECK(comparison["runs"][0]["config"]["noise"].is_null());
  CHECK(comparison["runs"][2]["metrics"]["test.psnr_db"].is_null());
  CHECK(comparison["runs"][1]["metrics"]["test.sse_per_image"] == 9.25);
  CHECK(comparison["runs"][1]["name"] == "conv, denoising");
  CHECK(comparison["runs"][1]["dir"] == runs.dirs[1].string());
}

TEST_CASE("metrics are any dotted key, and a folder given with a trailing slash keeps its name") {
  const ThreeRuns runs;
  CompareOptions options;
  options.metrics = {"train_seconds", "probe.mlp.test_accuracy"};
  const auto table = aebench::compare_runs({fs::path(runs.dirs[0].string() + "/")}, options);
  REQUIRE(table.rows.size() == 1);
  CHECK(table.columns.back() == "probe.mlp.test_accuracy");
  CHECK(table.rows[0].front() == "dense_32");
  // One run differs from nothing: run, name, epochs, then the metrics.
  CHECK(table.columns.size() == 5);
  CHECK(table.rows[0][3] == "12.5");
  CHECK(table.rows[0][4] == "");
}

TEST_CASE(
    "a run without summary.json is a ConfigError, a damaged one a DataError, naming the file") {
  const ThreeRuns runs;
  const auto unfinished = runs.folder / "unfinished";
  fs::create_directories(unfinished);
  const auto broken = runs.folder / "broken", listed = runs.folder / "listed";
  write_text(broken / "summary.json", "{\"test\": ");
  write_text(listed / "summary.json", "[1, 2]");
  const struct {
    fs::path dir;
    const char* found;
  } cases[] = {{unfinished, "found no such file"},
               {broken, "found invalid JSON"},
               {listed, "found a JSON array"}};
  for (const auto& c : cases) {
    INFO(c.dir.string());
    const auto file = (c.dir / "summary.json").string();
    if (c.dir == broken)  // where, not the parser's own text
      CHECK_THROWS_WITH(aebench::read_summaries({c.dir}),
                        Catch::Contains("at byte") && !Catch::Contains("json.exception"));
    if (c.dir == unfinished)  // the command's mistake, as probe says: exit 2
      CHECK_THROWS_AS(aebench::compare_runs({runs.dirs[0], c.dir}, CompareOptions{}),
                      aebench::ConfigError);
    else  // a damaged file
      CHECK_THROWS_AS(aebench::compare_runs({runs.dirs[0], c.dir}, CompareOptions{}),
                      aebench::DataError);
    CHECK_THROWS_WITH(aebench::read_summaries({runs.dirs[0], c.dir}),
                      Catch::Contains(file + ": expected a finished run with summary.json") &&
                          Catch::Contains(c.found));
  }
}

TEST_CASE("a summary.json without test results, or a failed run's, is no finished run") {
  const ThreeRuns runs;
  const auto no_test = runs.folder / "no_test", failed = runs.folder / "failed";
  write_text(no_test / "summary.json", R"({"config": {}, "epochs_run": 3})");
  write_text(failed / "summary.json", R"({"config": {}, "test": {}, "error": "boom"})");
  for (const auto& dir : {no_test, failed}) {
    INFO(dir.string());
    CHECK_THROWS_AS(aebench::read_summaries({runs.dirs[0], dir}), aebench::ConfigError);
    CHECK_THROWS_WITH(aebench::read_summaries({dir}), Catch::Contains("finish the run"));
  }
}

TEST_CASE("the Markdown table has a header, a separator row and padded cells") {
  // Numeric columns (every non-empty cell a number) are right-aligned; "|" is escaped.
  const ComparisonTable table{{"run", "mse", "note"},
                              {{"a", "0.5", "x"}, {"bb|c", "12", ""}, {"d", "", "1 | 2"}}};
  CHECK(aebench::to_markdown(table) ==
        "| run   | mse | note   |\n"
        "| ----- | --: | ------ |\n"
        "| a     | 0.5 | x      |\n"
        "| bb\\|c |  12 |        |\n"
        "| d     |     | 1 \\| 2 |\n");
}

TEST_CASE("the Markdown table of real runs starts with the column names") {
  const ThreeRuns runs;
  const auto markdown = aebench::to_markdown(aebench::compare_runs(runs.dirs, CompareOptions{}));
  CHECK(markdown.rfind("| run      | name            | model.latent | model.type |", 0) == 0);
  CHECK(markdown.find("\n| -------- | --------------- | -----------: | ---------- |") !=
        std::string::npos);
  CHECK(std::count(markdown.begin(), markdown.end(), '\n') == 5);
}

TEST_CASE("CSV cells holding commas, quotes, line breaks or edge spaces are quoted") {
  const ComparisonTable table{
      {"name", "value"},
      {{"a,b", "1"}, {"say \"hi\"", "2"}, {" pad", ""}, {"two\nlines", "3"}, {"plain", "4.5"}}};
  CHECK(aebench::to_csv(table) ==
        "name,value\n"
        "\"a,b\",1\n"
        "\"say \"\"hi\"\"\",2\n"
        "\" pad\",\n"
        "\"two\nlines\",3\n"
        "plain,4.5\n");
  const ThreeRuns runs;
  const auto csv = aebench::to_csv(aebench::compare_runs(runs.dirs, CompareOptions{}));
  CHECK(csv.find("\nconv_32,\"conv, denoising\",32,conv,,,0.25,gaussian,20,9.25,") !=
        std::string::npos);
  CHECK(csv.find("\ndense_8,\"dense \"\"small\"\"\",8,dense,,0.3,,masking,5,25,0.0318878,\n") !=
        std::string::npos);
}

TEST_CASE("the comparison plot draws one line per model type on an 800x500 canvas") {
  const ThreeRuns runs;
  const auto summaries = aebench::read_summaries(runs.dirs);
  const auto canvas = aebench::plot_comparison(summaries, CompareOptions{}, "test.sse_per_image");
  CHECK(canvas.width() == 800);
  CHECK(canvas.height() == 500);
  // dense appears first (blue: two points, a line), conv second (orange: one point, a marker).
  CHECK(count_color(canvas, aebench::kSeriesColors[0]) > 300);
  CHECK(count_color(canvas, aebench::kSeriesColors[1]) > 50);
  CHECK(count_color(canvas, aebench::kSeriesColors[2]) == 0);

  const aebench::testing::ScratchFolder folder("compare-plot");
  const auto path = folder / "comparison.png";
  aebench::write_png(path, aebench::plot_comparison(summaries, CompareOptions{}, "test.psnr_db"));
  const auto info = aebench::testing::inspect_png(path);
  INFO(info.error);
  CHECK(info.valid);
  CHECK(info.width == 800);
  CHECK(info.height == 500);
}
