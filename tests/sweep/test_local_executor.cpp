#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/sweep/sweep_record.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A tiny base config over synthetic data, and a sweep file around it.
struct SweepFixture {
  ScratchFolder folder{"sweep"};
  fs::path base = folder / "base.json";
  fs::path sweep_dir = folder / "sweep";

  explicit SweepFixture(int train_images = 200, int epochs = 2) {
    aebench::testing::write_synthetic_dataset(folder / "data", train_images, 40);
    json config = aebench::testing::tiny_config(folder / "data", folder / "unused");
    config["train"]["epochs"] = epochs;
    std::ofstream(base) << config.dump(2);
  }

  fs::path write_sweep(const json& grid, const json& points = json::array()) const {
    json document = {{"base", base.string()}, {"out", sweep_dir.string()}};
    if (!grid.empty()) document["grid"] = grid;
    if (!points.empty()) document["points"] = points;
    const auto path = folder / "sweep_file.json";
    std::ofstream(path) << document.dump(2);
    return path;
  }

  // `aebench sweep` of the base over `grid` ("model.latent=4") into sweep_dir, quietly.
  std::string grid_command(const std::string& grid) const {
    return "sweep " + shell_quoted(base) + " --grid " + grid + " --out " + shell_quoted(sweep_dir) +
           " --quiet";
  }

  json point(const std::string& name) const {
    const json record = aebench::testing::read_json(sweep_dir / aebench::kSweepFile);
    for (const auto& entry : record["points"])
      if (entry["name"] == name) return entry;
    return nullptr;
  }
};

// A point whose training diverges: a linear model at a huge SGD rate (a training error).
const json kDivergingPoint = {{"train.optimizer", "sgd"},
                              {"train.lr", 100},
                              {"model.activation", "linear"},
                              {"model.latent_activation", "linear"},
                              {"model.output_activation", "linear"}};

std::size_t metric_row_count(const fs::path& run_dir) {
  const auto lines = aebench::testing::read_lines(run_dir / aebench::kMetricsFile);
  return lines.empty() ? 0 : lines.size() - 1;
}

}  // namespace

TEST_CASE(
    "a sweep runs every point of its grid, writes its table and report, and skips "
    "finished points when run again") {
  SweepFixture fixture;
  const auto file = fixture.write_sweep({{"model.latent", {4, 8}}, {"train.lr", {0.003, 0.01}}});
  std::string output;
  REQUIRE(run_aebench("sweep " + shell_quoted(file) + " --jobs 2 --threads 1", &output) == 0);
  INFO(output);
  for (const std::string name :
       {"latent-4_lr-0.003", "latent-4_lr-0.01", "latent-8_lr-0.003", "latent-8_lr-0.01"}) {
    INFO(name);
    const json point = fixture.point(name);
    CHECK(point["state"] == "done");
    CHECK(point["attempts"] == 1);
    const json summary =
        aebench::testing::read_json(fixture.sweep_dir / name / aebench::kSummaryFile);
    CHECK(summary["config"]["model"]["latent"] == point["overrides"]["model.latent"]);
    CHECK(summary["config"]["train"]["lr"] == point["overrides"]["train.lr"]);
    CHECK(fs::exists(fixture.sweep_dir / name / aebench::kReportFile));
    CHECK(fs::exists(fixture.sweep_dir / aebench::kSweepLogFolder / (name + ".log")));
  }
  CHECK_THAT(output, Catch::Contains("4/4 done") && Catch::Contains("| latent-8_lr-0.01"));
  CHECK(fs::exists(fixture.sweep_dir / aebench::kReportFile));
  CHECK(aebench::testing::read_lines(fixture.sweep_dir / "comparison.md").size() == 6);
  CHECK(fs::exists(fixture.sweep_dir / "comparison_test.mse.png"));

  const auto model_time = fs::last_write_time(fixture.sweep_dir / "latent-4_lr-0.003" / "model.pt");
  REQUIRE(run_aebench("sweep " + shell_quoted(file), &output) == 0);
  CHECK(fixture.point("latent-4_lr-0.003")["attempts"] == 1);
  CHECK(fs::last_write_time(fixture.sweep_dir / "latent-4_lr-0.003" / "model.pt") == model_time);

  REQUIRE(run_aebench("sweep --status " + shell_quoted(fixture.sweep_dir), &output) == 0);
  CHECK_THAT(output, Catch::Contains("| latent-8_lr-0.003 | done") &&
                         Catch::Contains("model.latent=8 train.lr=0.003"));
}

TEST_CASE(
    "a failing point is recorded with its error, never stops the others, and runs again "
    "only with --retry-failed") {
  SweepFixture fixture;
  const auto file = fixture.write_sweep(json::object(), {{{"model.latent", 4}}, kDivergingPoint});
  std::string output;
  REQUIRE(run_aebench("sweep " + shell_quoted(file) + " --jobs 1", &output) ==
          aebench::kExitSweepIncomplete);
  INFO(output);
  CHECK(fixture.point("latent-4")["state"] == "done");
  // The file's order (json sorts the keys it writes).
  const std::string failed =
      "activation-linear_latent_activation-linear_output_activation-"
      "linear_lr-100_optimizer-sgd";
  const json point = fixture.point(failed);
  CHECK(point["state"] == "failed");
  CHECK_THAT(point["error"].get<std::string>(), Catch::StartsWith("training error: "));
  CHECK_THAT(aebench::recorded_error(fixture.sweep_dir / failed),
             Catch::StartsWith("training error: "));
  CHECK_THAT(output, Catch::Contains("--retry-failed") && Catch::Contains("1 failed"));

  REQUIRE(run_aebench("sweep " + shell_quoted(file), &output) == aebench::kExitSweepIncomplete);
  CHECK(fixture.point(failed)["attempts"] == 1);
  REQUIRE(run_aebench("sweep " + shell_quoted(file) + " --retry-failed", &output) ==
          aebench::kExitSweepIncomplete);
  CHECK(fixture.point(failed)["attempts"] == 2);
  CHECK(fixture.point("latent-4")["attempts"] == 1);
}

TEST_CASE("a bad value in one point stops the sweep before anything runs") {
  SweepFixture fixture;
  std::string output;
  CHECK(run_aebench("sweep " + shell_quoted(fixture.base) + " --grid model.latent=4,-3 --out " +
                        shell_quoted(fixture.sweep_dir),
                    &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("sweep point 2 \"latent--3\"") && Catch::Contains("found -3"));
  CHECK_FALSE(fs::exists(fixture.sweep_dir));
  CHECK(run_aebench(
            "sweep " + shell_quoted(fixture.base) + " --out " + shell_quoted(fixture.sweep_dir),
            &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("at least one --grid"));
  // A base config that cannot be read is named as the sweep's, not as its first point's.
  fs::remove(fixture.base);
  CHECK(run_aebench(fixture.grid_command("model.latent=4,8"), &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("cannot open the JSON file") && !Catch::Contains("point"));
  const fs::path sweep_file = fixture.write_sweep({{"model.latent", {4, 8}}});
  CHECK(run_aebench("sweep " + shell_quoted(sweep_file), &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("the sweep's base config: " + fixture.base.string() +
                                     ": cannot open the JSON file") &&
                         !Catch::Contains("point"));
  CHECK_FALSE(fs::exists(fixture.sweep_dir));
}

TEST_CASE("a sweep never writes into a folder that is not a sweep folder") {
  SweepFixture fixture;
  fs::create_directories(fixture.sweep_dir);
  std::ofstream(fixture.sweep_dir / "thesis.txt") << "mine";
  std::string output;
  CHECK(run_aebench("sweep " + shell_quoted(fixture.base) + " --grid model.latent=4 --out " +
                        shell_quoted(fixture.sweep_dir),
                    &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("not a sweep folder"));
  CHECK(aebench::testing::read_lines(fixture.sweep_dir / "thesis.txt") ==
        std::vector<std::string>{"mine"});
}

TEST_CASE("a sweep removes a killed sweep's temporaries of its own files, links as names") {
  SweepFixture fixture;
  const std::string sweep = fixture.grid_command("model.latent=4");
  REQUIRE(run_aebench(sweep) == 0);
  const fs::path victim = fixture.folder / "victim.txt";
  std::ofstream(victim) << "mine";
  fs::create_symlink(victim, fixture.sweep_dir / ".sweep.json.aebench-tmp-5");
  std::ofstream(fixture.sweep_dir / ".report.html.aebench-tmp-77") << "<html";
  std::ofstream(fixture.sweep_dir / ".notes.txt.aebench-tmp-5") << "a user's";
  REQUIRE(run_aebench(sweep) == 0);
  CHECK_FALSE(fs::is_symlink(fixture.sweep_dir / ".sweep.json.aebench-tmp-5"));
  CHECK_FALSE(fs::exists(fixture.sweep_dir / ".report.html.aebench-tmp-77"));
  CHECK(fs::exists(fixture.sweep_dir / ".notes.txt.aebench-tmp-5"));
  CHECK(aebench::testing::read_lines(victim) == std::vector<std::string>{"mine"});
}

TEST_CASE("a point log that is a link or no file is refused before sweep.json is rewritten") {
  SweepFixture fixture;
  const std::string sweep = fixture.grid_command("model.latent=4");
  REQUIRE(run_aebench(sweep) == 0);
  const fs::path victim = fixture.folder / "victim.txt";
  aebench::testing::write_text(victim, "mine");
  const fs::path log = fixture.sweep_dir / aebench::kSweepLogFolder / "latent-5.log";
  const std::string grown = fixture.grid_command("model.latent=4,5");
  for (const char* kind : {"link", "folder"}) {
    INFO(kind);
    fs::remove_all(log);
    if (std::string(kind) == "link") fs::create_symlink(victim, log);
    if (std::string(kind) == "folder") fs::create_directories(log);
    const std::string record =
        aebench::testing::file_contents(fixture.sweep_dir / aebench::kSweepFile);
    for (const char* dry_run : {" --dry-run", ""}) {
      std::string output;
      CHECK(run_aebench(grown + dry_run, &output) == aebench::kExitOutputError);
      CHECK_THAT(output, Catch::Contains("point log " + log.string()));
    }
    CHECK(aebench::testing::file_contents(fixture.sweep_dir / aebench::kSweepFile) == record);
    CHECK_FALSE(fs::exists(fixture.sweep_dir / "latent-5"));
  }
  CHECK(aebench::testing::file_contents(victim) == "mine");
  // So is a logs/ that is a file: nothing is recorded of the larger grid.
  fs::remove_all(log.parent_path());
  aebench::testing::write_text(log.parent_path(), "not a folder");
  const std::string record =
      aebench::testing::file_contents(fixture.sweep_dir / aebench::kSweepFile);
  for (const char* dry_run : {" --dry-run", ""}) {
    std::string output;
    CHECK(run_aebench(grown + dry_run, &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("expected logs/ to be the folder of the points' logs, found "
                                       "a file, not a folder"));
  }
  CHECK(aebench::testing::file_contents(fixture.sweep_dir / aebench::kSweepFile) == record);
}

TEST_CASE("a recorded point that never started is no point to keep: a smaller grid drops it") {
  SweepFixture fixture;
  const std::string sweep = fixture.grid_command("model.latent=4");
  REQUIRE(run_aebench(sweep) == 0);
  // The record of a command that stopped after writing sweep.json (sbatch failed, say).
  json record = aebench::testing::read_json(fixture.sweep_dir / aebench::kSweepFile);
  json never_started = record["points"][0];
  never_started["name"] = "latent-32";
  never_started["overrides"] = {{"model.latent", 32}};
  never_started["state"] = "pending";
  never_started["attempts"] = 0;
  record["points"].push_back(never_started);
  std::ofstream(fixture.sweep_dir / aebench::kSweepFile) << record.dump(2);
  REQUIRE(run_aebench(sweep) == 0);
  const json kept = aebench::testing::read_json(fixture.sweep_dir / aebench::kSweepFile);
  CHECK(kept["points"].size() == 1);
  // One that started (an attempt, or its folder) is kept: the smaller grid is refused.
  never_started["attempts"] = 1;
  record["points"] = {kept["points"][0], never_started};
  std::ofstream(fixture.sweep_dir / aebench::kSweepFile) << record.dump(2);
  std::string output;
  CHECK(run_aebench(sweep, &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("1 point(s) this one does not have (latent-32)"));
}

TEST_CASE("a sweep is not made inside another sweep's folder, at any depth") {
  SweepFixture fixture;
  REQUIRE(run_aebench(fixture.grid_command("model.latent=4")) == 0);
  for (const char* inside : {"x", "logs/x", "latent-4/deeper/x"}) {
    INFO(inside);
    std::string output;
    const fs::path nested = fixture.sweep_dir / inside;
    CHECK(run_aebench("sweep " + shell_quoted(fixture.base) + " --grid model.latent=5 --out " +
                          shell_quoted(nested) + " --dry-run",
                      &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("inside the sweep folder") ||
                           Catch::Contains("inside the run folder"));
    CHECK_FALSE(fs::exists(nested));
  }
}

TEST_CASE("a sweep folder whose sweep.json is damaged is named as such, not as no sweep folder") {
  SweepFixture fixture;
  const std::string sweep = fixture.grid_command("model.latent=4");
  REQUIRE(run_aebench(sweep) == 0);
  const std::string good = aebench::testing::file_contents(fixture.sweep_dir / aebench::kSweepFile);
  aebench::testing::write_text(fixture.sweep_dir / aebench::kSweepFile, "{\"points\":");
  std::string output;
  CHECK(run_aebench(sweep, &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("sweep.json: expected a sweep record") &&
                         Catch::Contains("invalid JSON") && !Catch::Contains("no sweep.json"));
  // aebench report reads a record as sweep --report does: a bad field or point name is named.
  const json record = json::parse(good);
  for (const std::string pointer : {"/points/0/overrides", "/points/0/state", "/points/0/name"}) {
    INFO(pointer);
    json damaged = record;
    damaged[json::json_pointer(pointer)] = pointer == "/points/0/overrides" ? json(5)
                                           : pointer == "/points/0/state"   ? json("bogus")
                                                                            : json("./latent-4");
    aebench::testing::write_text(fixture.sweep_dir / aebench::kSweepFile, damaged.dump());
    CHECK(run_aebench("report " + shell_quoted(fixture.sweep_dir), &output) ==
          aebench::kExitUsageError);
    CHECK_THAT(output, Catch::Contains("sweep.json"));
  }
  // A wrong type or a missing field is named by its key, in aebench's words only.
  const std::pair<std::string, json> typed[] = {
      {"/points/0/state", json(5)},      {"/points/0/seconds", json("abc")},
      {"/points/0/attempts", json(1.5)}, {"/points/0/error", json::array()},
      {"/grid/model.latent", json(4)},   {"/base", json(3)}};
  for (const auto& [pointer, value] : typed) {
    INFO(pointer);
    json damaged = record;
    damaged[json::json_pointer(pointer)] = value;
    aebench::testing::write_text(fixture.sweep_dir / aebench::kSweepFile, damaged.dump());
    CHECK(run_aebench("sweep --status " + shell_quoted(fixture.sweep_dir), &output) ==
          aebench::kExitUsageError);
    std::string key = pointer.substr(1);
    std::replace(key.begin(), key.end(), '/', '.');
    if (key.rfind("points.0", 0) == 0) key = "points[0]" + key.substr(8);
    CHECK_THAT(output, Catch::Contains("sweep.json: " + key + ": expected ") &&
                           !Catch::Contains("type must be") && !Catch::Contains("json.exception"));
  }
  json missing = record;
  missing["points"][0].erase("overrides");
  aebench::testing::write_text(fixture.sweep_dir / aebench::kSweepFile, missing.dump());
  CHECK(run_aebench("sweep --status " + shell_quoted(fixture.sweep_dir), &output) ==
        aebench::kExitUsageError);
  CHECK_THAT(output,
             Catch::Contains("points[0].overrides: expected it") && !Catch::Contains("not found"));
  // A user's own JSON file of that name in a folder with other files: no sweep folder.
  aebench::testing::write_text(fixture.sweep_dir / aebench::kSweepFile, "{\"grid\": {}}");
  CHECK(run_aebench(sweep, &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("not a sweep folder"));
}

TEST_CASE("SIGINT stops every running point at a checkpoint, and the same command resumes them") {
  SweepFixture fixture(2000, 40);
  // Three points, two at a time: the third is still waiting when the signal comes.
  const auto file = fixture.write_sweep({{"model.latent", {4, 8, 12}}});
  const int pid =
      aebench::testing::spawn_aebench({"sweep", file.string(), "--jobs", "2", "--threads", "1"});
  const auto first = fixture.sweep_dir / "latent-4";
  const auto second = fixture.sweep_dir / "latent-8";
  while (!(fs::exists(first / aebench::kCheckpointFile) &&
           fs::exists(second / aebench::kCheckpointFile)))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGINT);
  REQUIRE(aebench::testing::wait_for_exit(pid) == 130);
  for (const auto& run : {first, second}) {
    INFO(run.string());
    CHECK(fixture.point(run.filename().string())["state"] == "interrupted");
    CHECK_FALSE(fs::exists(run / aebench::kSummaryFile));
    CHECK_FALSE(fs::exists(run / aebench::kLockFile));
    CHECK(metric_row_count(run) < 40);
  }
  CHECK(fixture.point("latent-12")["state"] == "pending");
  CHECK_FALSE(fs::exists(fixture.sweep_dir / "latent-12"));
  const std::size_t rows_before = metric_row_count(first);
  std::string output;
  REQUIRE(run_aebench("sweep " + shell_quoted(file), &output) == 0);
  INFO(output);
  for (const auto& run : {first, second}) {
    CHECK(fixture.point(run.filename().string())["attempts"] == 2);
    CHECK(metric_row_count(run) == 40);
  }
  CHECK(fixture.point("latent-12")["attempts"] == 1);
  // Resumed, not restarted: the point's log shows the second attempt continuing its epochs.
  const auto log =
      aebench::testing::read_lines(fixture.sweep_dir / aebench::kSweepLogFolder / "latent-4.log");
  CHECK(std::count_if(log.begin(), log.end(), [&](const std::string& line) {
          return line.find(" epoch 1/40") == 20;  // after its "2026-12-06T21:00:00Z"
        }) == 1);
  CHECK(rows_before >= 1);
}

TEST_CASE(
    "a sweep folder whose points ran with other settings is refused, not reported as this "
    "sweep's results") {
  SweepFixture fixture;
  const auto file = fixture.write_sweep({{"model.latent", {4}}});
  std::string output;
  REQUIRE(run_aebench("sweep " + shell_quoted(file), &output) == 0);
  CHECK(run_aebench("sweep " + shell_quoted(file) + " --set train.epochs=3", &output) ==
        aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("latent-4: train.epochs 2 -> 3") &&
                         Catch::Contains("use another --out"));
  CHECK(fixture.point("latent-4")["state"] == "done");
}

TEST_CASE("sweep-point never leaves its sweep folder, whatever sweep.json says") {
  SweepFixture fixture;
  const auto file = fixture.write_sweep({{"model.latent", {4}}});
  std::string output;
  REQUIRE(run_aebench("sweep " + shell_quoted(file), &output) == 0);
  json record = aebench::testing::read_json(fixture.sweep_dir / aebench::kSweepFile);
  fs::create_directories(fixture.folder / "mine");
  std::ofstream(fixture.folder / "mine" / aebench::kConfigFile) << "{\"user\": true}";
  for (const std::string& name :
       std::vector<std::string>{"../mine", (fixture.folder / "mine").string(), ".", ""}) {
    INFO(name);
    record["points"][0]["name"] = name;
    std::ofstream(fixture.sweep_dir / aebench::kSweepFile) << record.dump();
    CHECK(run_aebench(
              "sweep-point " + shell_quoted(fixture.sweep_dir) + " " + shell_quoted(fs::path(name)),
              &output) == aebench::kExitUsageError);
    CHECK_THAT(output, Catch::Contains("expected a plain folder name"));
  }
  CHECK(aebench::testing::read_lines(fixture.folder / "mine" / aebench::kConfigFile) ==
        std::vector<std::string>{"{\"user\": true}"});
}

TEST_CASE("a grid that would forget a sweep folder's points is refused, a larger one extends it") {
  SweepFixture fixture(100, 1);
  const std::string sweep = "sweep " + shell_quoted(fixture.base) + " --out " +
                            shell_quoted(fixture.sweep_dir) + " --jobs 1 --threads 1 --grid ";
  std::string output;
  REQUIRE(run_aebench(sweep + "model.latent=3,4", &output) == 0);
  const auto log = aebench::testing::read_lines(fixture.sweep_dir / "logs" / "latent-3.log");
  REQUIRE_FALSE(log.empty());
  for (const auto& line : log) {  // each line with its UTC time: "2026-12-06T21:00:00Z ..."
    INFO(line);
    CHECK(line.size() > 21);
    CHECK(line.substr(19, 2) == "Z ");
  }
  const std::string before = aebench::testing::file_contents(fixture.sweep_dir / "sweep.json");
  CHECK(run_aebench(sweep + "model.latent=5,6", &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("2 point(s) this one does not have (latent-3, latent-4)") &&
                         Catch::Contains("--out DIR"));
  CHECK(aebench::testing::file_contents(fixture.sweep_dir / "sweep.json") == before);
  REQUIRE(run_aebench(sweep + "model.latent=3,4,5", &output) == 0);
  CHECK(fixture.point("latent-5")["state"] == "done");
  CHECK(fixture.point("latent-3")["attempts"] == 1);  // kept, not run again
  // A user's file where a new point's folder goes: that point fails, named; the others run.
  aebench::testing::write_text(fixture.sweep_dir / "latent-6", "mine");
  CHECK(run_aebench(sweep + "model.latent=3,4,5,6,7", &output) == aebench::kExitSweepIncomplete);
  CHECK_THAT(output, Catch::Contains("latent-6 is a file, not a folder"));
  CHECK(fixture.point("latent-7")["state"] == "done");
  CHECK(aebench::testing::file_contents(fixture.sweep_dir / "latent-6") == "mine");
  // --status and --report take no flag of a sweep run: a retry that did not happen misleads.
  for (const char* flag : {"--retry-failed", "--dry-run", "--jobs 1", "--grid model.latent=3"}) {
    INFO(flag);
    CHECK(run_aebench("sweep --status " + shell_quoted(fixture.sweep_dir) + " " + flag, &output) ==
          aebench::kExitUsageError);
    CHECK(run_aebench("sweep --report " + shell_quoted(fixture.sweep_dir) + " " + flag, &output) ==
          aebench::kExitUsageError);
  }
  // A file or a device given as the sweep folder is named as what it is, as given.
  for (const fs::path& not_folder : {fixture.sweep_dir / "latent-6", fs::path("/dev/null")}) {
    INFO(not_folder);
    for (const char* command : {"--status ", "--report "}) {
      CHECK(run_aebench("sweep " + std::string(command) + shell_quoted(not_folder), &output) ==
            aebench::kExitUsageError);
      CHECK_THAT(output, Catch::Contains(not_folder.string() + ": expected a sweep folder") &&
                             Catch::Contains("not a folder") &&
                             !Catch::Contains("Not a directory"));
    }
  }
  // A key given to two --grid flags would drop the first one's points: refused.
  CHECK(run_aebench(sweep + "model.latent=3 --grid model.latent=4", &output) ==
        aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("--grid model.latent: expected each key once"));
  // A recorded "set" that makes no valid config (sweep.json edited): no point is done.
  json record = aebench::testing::read_json(fixture.sweep_dir / aebench::kSweepFile);
  for (const json& set : {json{{"train.lr", -1}}, json{{"nokey.x", 1}}}) {
    INFO(set.dump());
    record["set"] = set;
    aebench::testing::write_text(fixture.sweep_dir / aebench::kSweepFile, record.dump());
    CHECK(run_aebench("sweep --status " + shell_quoted(fixture.sweep_dir), &output) == 0);
    CHECK_THAT(output, Catch::Contains("0/5 done") &&
                           Catch::Contains("the sweep's settings for this point make no valid"));
  }
}

TEST_CASE(
    "a sweep refuses its own files' places taken before it runs a point, a dry run too, and a "
    "report of no finished point keeps no old table") {
  SweepFixture fixture;
  REQUIRE(run_aebench(fixture.grid_command("model.latent=4")) == 0);
  REQUIRE(fs::exists(fixture.sweep_dir / "comparison.md"));
  const std::string larger = fixture.grid_command("model.latent=4,5");
  std::string output;
  // A report.html of the user's, and a folder at comparison.md: refused before latent-5 runs.
  aebench::testing::write_text(fixture.sweep_dir / aebench::kReportFile, "<p>mine</p>");
  for (const std::string& flags : {std::string(" --dry-run"), std::string()}) {
    CHECK(run_aebench(larger + flags, &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("report.html that aebench did not write"));
  }
  CHECK(aebench::testing::file_contents(fixture.sweep_dir / aebench::kReportFile) == "<p>mine</p>");
  fs::remove(fixture.sweep_dir / aebench::kReportFile);
  fs::remove(fixture.sweep_dir / "comparison.md");
  fs::create_directory(fixture.sweep_dir / "comparison.md");
  CHECK(run_aebench(larger, &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("comparison.md is a folder, not aebench's file"));
  CHECK_FALSE(fs::exists(fixture.sweep_dir / "latent-5"));
  fs::remove(fixture.sweep_dir / "comparison.md");
  // A logs/ that is a link: refused before the record is rewritten with the new point.
  const std::string record = aebench::testing::file_contents(fixture.sweep_dir / "sweep.json");
  fs::rename(fixture.sweep_dir / "logs", fixture.folder / "moved-logs");
  fs::create_directory_symlink(fixture.folder / "moved-logs", fixture.sweep_dir / "logs");
  CHECK(run_aebench(larger, &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("logs") && Catch::Contains("symbolic link"));
  CHECK(aebench::testing::file_contents(fixture.sweep_dir / "sweep.json") == record);
  fs::remove(fixture.sweep_dir / "logs");
  fs::rename(fixture.folder / "moved-logs", fixture.sweep_dir / "logs");
  // The only point's model damaged: no point is finished, so no comparison stays, whether
  // sweep --report or report writes the sweep's report.
  const fs::path model = fixture.sweep_dir / "latent-4" / aebench::kModelFile;
  const std::string saved = aebench::testing::file_contents(model);
  for (const std::string command : {"sweep --report ", "report "}) {
    INFO(command);
    aebench::testing::write_text(model, saved);
    REQUIRE(run_aebench("sweep --report " + shell_quoted(fixture.sweep_dir), &output) == 0);
    REQUIRE(fs::exists(fixture.sweep_dir / "comparison.md"));
    fs::resize_file(model, 100);
    CHECK(run_aebench(command + shell_quoted(fixture.sweep_dir), &output) == 0);
    CHECK_THAT(output, !Catch::Contains("| latent-4"));
    CHECK_FALSE(fs::exists(fixture.sweep_dir / "comparison.md"));
    CHECK_FALSE(fs::exists(fixture.sweep_dir / "comparison.csv"));
    CHECK(fs::exists(fixture.sweep_dir / aebench::kReportFile));
  }
  // With no point folder left, the sweep record alone is still a sweep to report.
  fs::remove_all(fixture.sweep_dir / "latent-4");
  CHECK(run_aebench("report " + shell_quoted(fixture.sweep_dir), &output) == 0);
}

TEST_CASE("a folder of the user's put at a point's path is neither trained into nor cleared") {
  SweepFixture fixture;
  const std::string sweep = fixture.grid_command("model.latent=4");
  REQUIRE(run_aebench(sweep) == 0);
  const fs::path point = fixture.sweep_dir / "latent-4";
  // The user's files, and the reason the point stays failed, naming them.
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> folders = {
      {{{"notes.txt", "MINE"}, {aebench::kErrorFile, "MY ERROR LOG"}}, "holds files but no run"},
      {{{std::string(aebench::kErrorFile) + "/mine.txt", "MINE"}},
       "error.txt is a folder, not aebench's file"},
      // A config.json of the user's is no run of another config, to be deleted.
      {{{aebench::kConfigFile, R"({"x": 1})"}}, "holds files but no run"}};
  for (const auto& [files, reason] : folders) {
    INFO(reason);
    fs::remove_all(point);
    for (const auto& [name, text] : files) aebench::testing::write_text(point / name, text);
    for (const char* retry : {"", " --retry-failed"}) {
      std::string output;
      CHECK(run_aebench(sweep + retry, &output) == aebench::kExitSweepIncomplete);
      CHECK_THAT(output, !Catch::Contains("filesystem error"));
      CHECK_FALSE(fs::exists(point / aebench::kRunMarkerFile));  // nothing trained there
      for (const auto& [name, text] : files)
        CHECK(aebench::testing::file_contents(point / name) == text);
      CHECK(run_aebench("sweep --status " + shell_quoted(fixture.sweep_dir), &output) == 0);
      CHECK_THAT(output, Catch::Contains("failed") && Catch::Contains(reason) &&
                             !Catch::Contains("MY ERROR LOG"));
      // A dry run says so, and that the point would be skipped.
      CHECK(run_aebench(sweep + retry + " --dry-run", &output) == 0);
      CHECK_THAT(output, Catch::Contains(reason) && Catch::Contains("| skip it") &&
                             Catch::Contains("a run would run 0"));
    }
  }
}

TEST_CASE("a folder in use is named for what it is, with advice that fits the command") {
  SweepFixture fixture;
  const std::string sweep = fixture.grid_command("model.latent=4");
  REQUIRE(run_aebench(sweep) == 0);
  std::string output;
  {
    const aebench::RunLock held(fixture.sweep_dir);
    CHECK(run_aebench(sweep, &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("sweep folder " + fixture.sweep_dir.string() +
                                       " is in use by another aebench process") &&
                           Catch::Contains("aebench sweep --status") && !Catch::Contains("train"));
  }
  const fs::path point = fixture.sweep_dir / "latent-4";
  const aebench::RunLock held(point);
  CHECK(run_aebench("report " + shell_quoted(point), &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("run folder " + point.string() + " is in use") &&
                         !Catch::Contains("--out"));
}

TEST_CASE("a logs/ swapped for a link while a sweep runs gets no point's log through it") {
  SweepFixture fixture(2000, 6);  // the first point trains while its log folder is swapped
  const fs::path victim = fixture.folder / "victim";
  aebench::testing::write_text(victim / "notes.txt", "mine");
  const auto file = fixture.write_sweep({{"model.latent", {4, 8}}});
  const int pid = aebench::testing::spawn_aebench(
      {"sweep", file.string(), "--jobs", "1", "--threads", "1", "--quiet"});
  const fs::path logs = fixture.sweep_dir / aebench::kSweepLogFolder;
  // Bounded by the sweep: a sweep that ended without the log fails the test, not hangs it.
  siginfo_t info{};
  while (!fs::exists(logs / "latent-4.log")) {
    REQUIRE_FALSE(
        (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  fs::rename(logs, fixture.folder / "logs_moved");
  fs::create_directory_symlink(victim, logs);
  CHECK(aebench::testing::wait_for_exit(pid) == aebench::kExitOutputError);
  CHECK_FALSE(fs::exists(victim / "latent-8.log"));
  CHECK(aebench::testing::file_contents(victim / "notes.txt") == "mine");
  CHECK(fixture.point("latent-8")["state"] == "pending");
}
