#include <fstream>
#include <set>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/sweep/local_executor.h"
#include "aebench/sweep/slurm_executor.h"
#include "aebench/sweep/sweep_plan.h"
#include "aebench/sweep/sweep_record.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::ScratchFolder;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path write_sweep(const ScratchFolder& folder, const json& document) {
  const auto path = folder / "sweep.json";
  std::ofstream(path) << document.dump(2);
  return path;
}

std::vector<std::string> names(const std::vector<aebench::SweepPoint>& points) {
  std::vector<std::string> result;
  for (const auto& point : points) result.push_back(point.name);
  return result;
}

aebench::SweepPlan grid_plan(std::vector<std::pair<std::string, std::vector<json>>> grid) {
  aebench::SweepPlan plan;
  plan.grid = std::move(grid);
  return plan;
}

}  // namespace

TEST_CASE("grid flag values are JSON where they parse, strings elsewhere, or one JSON list") {
  auto [key, values] = aebench::parse_grid_flag("model.latent=15,30,50");
  CHECK(key == "model.latent");
  CHECK(values == std::vector<json>{15, 30, 50});
  std::tie(key, values) = aebench::parse_grid_flag("data.dataset=mnist,fashion-mnist");
  CHECK(values == std::vector<json>{"mnist", "fashion-mnist"});
  std::tie(key, values) = aebench::parse_grid_flag("model.hidden=[[400,200],[1000]]");
  CHECK(values == std::vector<json>{json::array({400, 200}), json::array({1000})});
  for (const std::string& bad : std::vector<std::string>{
           "model.latent", "model.latent=", "model.latent=1,,2", "=1,2", "a..b=1", "output.dir=a,b",
           "model.hidden=" + std::string(200, '[') + std::string(200, ']')}) {
    INFO(bad);
    CHECK_THROWS_AS(aebench::parse_grid_flag(bad), aebench::ConfigError);
  }
}

TEST_CASE("a grid expands with its last key varying fastest, then the explicit points") {
  auto plan = grid_plan({{"model.latent", {15, 30}}, {"data.dataset", {"mnist", "fashion-mnist"}}});
  plan.explicit_points = {{{"model.latent", 2}, {"model.type", "pca"}}};
  const auto points = aebench::expand_points(plan);
  CHECK(names(points) ==
        std::vector<std::string>{"latent-15_dataset-mnist", "latent-15_dataset-fashion-mnist",
                                 "latent-30_dataset-mnist", "latent-30_dataset-fashion-mnist",
                                 "latent-2_type-pca"});
  CHECK(aebench::describe_overrides(points[1].overrides) ==
        "model.latent=15 data.dataset=\"fashion-mnist\"");
}

TEST_CASE("point names stay readable, filesystem-safe, short and unique") {
  SECTION("keys that share a last part are named in full") {
    const auto points =
        aebench::expand_points(grid_plan({{"model.latent", {4}}, {"probe.latent", {8}}}));
    CHECK(points[0].name == "model.latent-4_probe.latent-8");
  }
  SECTION("values that would leave the folder or hide it become plain characters") {
    const auto points = aebench::expand_points(grid_plan({{"name", {"../../etc", ".hidden"}}}));
    for (const auto& point : points) {
      CHECK(point.name.find('/') == std::string::npos);
      CHECK(point.name.front() != '.');
    }
  }
  SECTION("lists, objects and long values") {
    const auto points = aebench::expand_points(
        grid_plan({{"model.hidden", {json::array({400, 200}), json::array()}},
                   {"noise", {json{{"type", "gaussian"}, {"std", 0.3}}, nullptr}},
                   {"comment", {std::string(300, 'x') + "a", std::string(300, 'x') + "b"}}}));
    CHECK(points[0].name.rfind("hidden-400x200_noise-0.3-gaussian_comment-xxx", 0) == 0);
    std::set<std::string> unique;
    for (const auto& point : points) {
      CHECK(point.name.size() <= 100);
      unique.insert(point.name);
    }
    CHECK(unique.size() == points.size());
  }
}

TEST_CASE("two points with the same overrides are a config error") {
  auto plan = grid_plan({{"model.latent", {4, 8}}});
  plan.explicit_points = {{{"model.latent", 8}}};
  CHECK_THROWS_WITH(aebench::expand_points(plan), Catch::Contains("points 2 and 3 are the same"));
  // The same keys written two ways are one point too.
  plan.explicit_points = {{{"model", json{{"latent", 8}}}}};
  CHECK_THROWS_WITH(aebench::expand_points(plan), Catch::Contains("points 2 and 3 are the same"));
}

TEST_CASE("a sweep file is checked key by key") {
  ScratchFolder folder("sweep-file");
  const json good = {{"base", "configs/dense_100.json"},
                     {"out", "runs/s"},
                     {"set", {{"train.epochs", 2}}},
                     {"grid", {{"model.latent", {15, 30}}}},
                     {"executor", {{"type", "local"}, {"jobs", 2}}}};
  const auto plan = aebench::read_sweep_file(write_sweep(folder, good));
  CHECK(plan.base_config == fs::absolute("configs/dense_100.json"));
  CHECK(plan.out_dir == fs::absolute("runs/s"));
  CHECK(plan.fixed.size() == 1);
  CHECK(plan.executor.jobs == 2);
  // The grid keeps the file's order: it decides the points' order and names.
  std::ofstream(folder / "ordered.json")
      << R"({"base": "b.json", "grid": {"model.latent": [4], "data.dataset": ["mnist"]}})";
  const auto ordered = aebench::read_sweep_file(folder / "ordered.json");
  CHECK(ordered.grid.front().first == "model.latent");
  CHECK(aebench::expand_points(ordered).front().name == "latent-4_dataset-mnist");

  const std::vector<std::pair<json, std::string>> bad = {
      {json{{"grid", {{"model.latent", {1}}}}}, "no \"base\""},
      {json{{"base", "x.json"}}, "needs a \"grid\" or \"points\""},
      {json{{"base", "x.json"}, {"grid", {{"model.latent", json::array()}}}},
       "grid.model.latent: expected a non-empty list"},
      {json{{"base", "x.json"}, {"gird", {{"model.latent", {1}}}}}, "unknown key \"gird\""},
      {json{{"base", "x.json"}, {"grid", {{"output.dir", {"a", "b"}}}}}, "output.dir cannot vary"},
      {json{{"base", "x.json"}, {"grid", {{"threads", {1, 2}}}}}, "threads is set by the sweep"},
      {json{{"base", "x.json"}, {"points", {1}}}, "points[0]: expected an object"},
      {json{{"base", "x.json"}, {"points", {json::object()}}, {"executor", {{"type", "k8s"}}}},
       "executor.type"},
      {json{{"base", "x.json"}, {"points", {json::object()}}, {"executor", {{"jobs", -1}}}},
       "executor.jobs"},
      {json{{"base", 3}, {"points", {json::object()}}}, "base: expected a non-empty string"},
  };
  for (const auto& [document, fragment] : bad) {
    INFO(document.dump());
    CHECK_THROWS_WITH(aebench::read_sweep_file(write_sweep(folder, document)),
                      Catch::Contains(fragment) && Catch::Contains("sweep.json"));
  }
}

TEST_CASE("a bad value in one point fails validation naming the point") {
  ScratchFolder folder("sweep-validate");
  aebench::SweepPlan plan = grid_plan({{"model.latent", {4, -3}}});
  plan.base_config = folder / "base.json";
  plan.out_dir = folder / "sweep";
  std::ofstream(plan.base_config) << aebench::testing::tiny_config(folder / "data", folder / "run");
  CHECK_THROWS_WITH(aebench::validate_points(plan, aebench::expand_points(plan)),
                    Catch::Contains("sweep point 2 \"latent--3\" (model.latent=-3)") &&
                        Catch::Contains("found -3") &&
                        Catch::Contains("base.json (with the sweep's settings): model.latent") &&
                        !Catch::Contains("--set"));
}

TEST_CASE("a point's state is read off its run folder") {
  ScratchFolder folder("sweep-state");
  const auto run = folder / "p";
  CHECK(aebench::observe_point(run) == aebench::PointState::kPending);
  fs::create_directories(run);
  CHECK(aebench::observe_point(run) == aebench::PointState::kPending);
  REQUIRE(aebench::write_point_error(run, "data error: no such file"));  // before its run files
  CHECK(aebench::observe_point(run) == aebench::PointState::kFailed);
  CHECK(aebench::recorded_error(run) == "data error: no such file");
  CHECK(aebench::foreign_folder_problem(run).empty());
  fs::remove(run / aebench::kErrorFile);
  // Files but no run.json (config.json and summary.json without aebench's marker): a folder of
  // the user's put at the point's path, neither run into nor done.
  std::ofstream(run / aebench::kConfigFile) << "{}";
  std::ofstream(run / aebench::kSummaryFile) << R"({"test": {"mse": 0.1}, "config": {}})";
  CHECK(aebench::observe_point(run) == aebench::PointState::kFailed);
  CHECK_THAT(aebench::recorded_error(run), Catch::Contains("holds files but no run"));
  fs::remove(run / aebench::kSummaryFile);
  std::ofstream(run / aebench::kRunMarkerFile)
      << R"({"format_version": 1, "sessions": [{"command": "aebench train x.json", "started": "2026-12-06T00:00:00Z"}]})";
  CHECK(aebench::observe_point(run) == aebench::PointState::kInterrupted);
  {
    const aebench::RunLock lock(run);
    CHECK(aebench::observe_point(run) == aebench::PointState::kRunning);
  }
  std::ofstream(run / aebench::kErrorFile) << "\ntraining error: loss became NaN\n";
  CHECK(aebench::observe_point(run) == aebench::PointState::kFailed);
  CHECK(aebench::recorded_error(run) == "training error: loss became NaN");
  std::ofstream(run / aebench::kSummaryFile) << R"({"test": {"mse": 0.1}, "config": {}})";
  CHECK(aebench::observe_point(run) == aebench::PointState::kDone);
  // Without the config.json the run is read by (a folder swapped in mid-run), or with one
  // that is damaged: not done.
  for (const char* damaged : {"", "{"}) {
    std::ofstream(run / aebench::kConfigFile) << damaged;
    CHECK(aebench::observe_point(run) != aebench::PointState::kDone);
  }
  fs::remove(run / aebench::kConfigFile);
  CHECK(aebench::observe_point(run) != aebench::PointState::kDone);
}

TEST_CASE("a failed point's error goes only into a folder that is the point's own") {
  ScratchFolder folder("point-error");
  CHECK(aebench::write_point_error(folder / "new", "config error: x"));  // made now
  CHECK(aebench::recorded_error(folder / "new") == "config error: x");
  // A link, or a folder of the user's, put at the point's path meanwhile: not written into.
  fs::create_directory(folder / "users");
  aebench::testing::write_text(folder / "users" / aebench::kErrorFile, "USER DATA");
  fs::create_directory_symlink(folder / "users", folder / "linked");
  CHECK_FALSE(aebench::write_point_error(folder / "linked", "output error: y"));
  CHECK_FALSE(aebench::write_point_error(folder / "users", "output error: y"));
  CHECK(aebench::testing::file_contents(folder / "users" / aebench::kErrorFile) == "USER DATA");
  // A run folder, or one holding only the lock of a point that failed early, is the point's.
  fs::create_directory(folder / "early");
  aebench::testing::write_text(folder / "early" / aebench::kLockFile, "");
  CHECK(aebench::write_point_error(folder / "early", "data error: z"));
  CHECK(aebench::is_points_own_folder(folder / "early"));  // the lock and its error.txt
  CHECK(aebench::foreign_folder_problem(folder / "early").empty());
  // The user's folder is a failed point, for that reason, and sweep-point refuses it.
  CHECK(aebench::observe_point(folder / "users") == aebench::PointState::kFailed);
  CHECK_THAT(aebench::recorded_error(folder / "users"),
             Catch::StartsWith("output error: the point folder ") &&
                 Catch::Contains("holds files but no run"));
  CHECK_THROWS_AS(aebench::refuse_foreign_point_folder(folder / "users"), aebench::OutputError);
  CHECK_NOTHROW(aebench::refuse_foreign_point_folder(folder / "absent"));
  // error.txt is aebench's only with its mark as the last line: the user's own copy of it, with
  // a line after the mark, or a link to aebench's, is not.
  const std::string ours = aebench::testing::file_contents(folder / "early" / aebench::kErrorFile);
  for (const std::string& text :
       {ours + "my line\n", "MY NOTES\n" + ours, ours.substr(0, ours.size() - 1)}) {
    aebench::testing::write_text(folder / "copied" / aebench::kErrorFile, text);
    CHECK_FALSE(aebench::is_points_own_folder(folder / "copied"));
  }
  fs::remove(folder / "copied" / aebench::kErrorFile);
  fs::create_symlink(folder / "early" / aebench::kErrorFile,
                     folder / "copied" / aebench::kErrorFile);
  CHECK_FALSE(aebench::is_points_own_folder(folder / "copied"));
  // Nor is a lock of any other kind than aebench's empty file: a folder, a file with content,
  // a link.
  const fs::path lock = folder / "early" / aebench::kLockFile;
  fs::remove(lock);
  fs::create_directory(lock);
  CHECK_FALSE(aebench::is_points_own_folder(folder / "early"));
  fs::remove(lock);
  aebench::testing::write_text(lock, "mine");
  CHECK_FALSE(aebench::is_points_own_folder(folder / "early"));
  fs::remove(lock);
  fs::create_symlink(folder / "absent", lock);
  CHECK_FALSE(aebench::is_points_own_folder(folder / "early"));
  fs::remove(lock);
  CHECK(aebench::is_points_own_folder(folder / "early"));
  // A point killed while it wrote its run.json leaves aebench's temporary: still the point's.
  aebench::testing::write_text(folder / "early" / ".run.json.aebench-tmp-12345", "{");
  CHECK(aebench::is_points_own_folder(folder / "early"));
  fs::remove(folder / "early" / ".run.json.aebench-tmp-12345");
  // An error of several lines is written as one, so that it stays the sweep's.
  CHECK(aebench::write_point_error(folder / "early", "line one\nline two"));
  CHECK(aebench::recorded_error(folder / "early") == "line one line two");
  CHECK(aebench::is_points_own_folder(folder / "early"));
}

TEST_CASE("sweep.json keeps every point's overrides in order, its state and timings") {
  ScratchFolder folder("sweep-record");
  auto plan = grid_plan({{"model.latent", {4}}, {"data.dataset", {"mnist"}}});
  plan.base_config = folder / "base.json";
  plan.out_dir = folder / "sweep";
  plan.fixed = {{"train.epochs", 2}};
  fs::create_directories(plan.out_dir);
  auto record = aebench::merge_record(plan, aebench::expand_points(plan), nullptr);
  record.points[0].attempts = 2;
  record.points[0].seconds = 1.5;
  record.slurm_job_id = "42";
  aebench::write_sweep_record(record);
  const auto read = aebench::read_sweep_record(plan.out_dir);
  REQUIRE(read.points.size() == 1);
  CHECK(read.points[0].point.overrides == record.points[0].point.overrides);
  CHECK(read.points[0].attempts == 2);
  CHECK(read.points[0].seconds == 1.5);
  CHECK(read.slurm_job_id == "42");
  CHECK(read.plan.fixed == plan.fixed);
  CHECK(aebench::point_assignments(read.plan, read.points[0].point) ==
        std::vector<std::string>{
            "train.epochs=2", "model.latent=4", "data.dataset=\"mnist\"",
            "output.dir=" + json((plan.out_dir / read.points[0].point.name).string()).dump()});
  // A later plan keeps what the record knows of its points by name.
  const auto merged = aebench::merge_record(plan, aebench::expand_points(plan), &read);
  CHECK(merged.points[0].attempts == 2);
  // A wrongly typed field names its key, objects included (a number is not one nameless key).
  const json written = aebench::testing::read_json(plan.out_dir / aebench::kSweepFile);
  for (const std::string pointer : {"/set", "/grid", "/executor", "/points/0/overrides"})
    for (const json& wrong : {json(5), json("x"), json::array({1})}) {
      INFO(pointer << " = " << wrong.dump());
      json damaged = written;
      damaged[json::json_pointer(pointer)] = wrong;
      std::ofstream(plan.out_dir / aebench::kSweepFile) << damaged.dump();
      const std::string key =
          pointer == "/points/0/overrides" ? "points[0].overrides" : pointer.substr(1);
      CHECK_THROWS_WITH(aebench::read_sweep_record(plan.out_dir),
                        Catch::Contains(key + ": expected an object, found"));
    }
  // One point twice would be one folder counted, run and reported twice.
  json twice = written;
  twice["points"].push_back(written["points"][0]);
  std::ofstream(plan.out_dir / aebench::kSweepFile) << twice.dump();
  CHECK_THROWS_WITH(aebench::read_sweep_record(plan.out_dir),
                    Catch::Contains("points[1].name: expected each point once"));
  // No points, or no list of them: a damaged record, not an empty sweep.
  for (const json& points : {json::array(), json::object(), json(nullptr)}) {
    INFO(points.dump());
    json empty = written;
    empty["points"] = points;
    std::ofstream(plan.out_dir / aebench::kSweepFile) << empty.dump();
    CHECK_THROWS_WITH(aebench::read_sweep_record(plan.out_dir),
                      Catch::Contains("points: expected a list of at least one point"));
  }
  std::ofstream(plan.out_dir / aebench::kSweepFile) << "{\"points\": [], \"format_version\": 9}";
  CHECK_THROWS_WITH(aebench::read_sweep_record(plan.out_dir),
                    Catch::Contains("format_version 1, found 9"));
}

TEST_CASE("the local layout comes from bench.json's measurement, else one point per core") {
  ScratchFolder folder("sweep-layout");
  const auto bench = folder / "bench.json";
  auto layout = aebench::choose_job_layout(0, 0, 2, 8, bench);
  CHECK((layout.jobs == 2 && layout.threads == 1));
  std::ofstream(bench) << R"({"layout": {"suggested_jobs": 1}})";
  layout = aebench::choose_job_layout(0, 0, 2, 8, bench);
  CHECK((layout.jobs == 1 && layout.threads == 0));  // the point measures (threads 0)
  CHECK_THAT(layout.reason, Catch::Contains("bench.json"));
  layout = aebench::choose_job_layout(4, 0, 2, 3, bench);  // never more jobs than points
  CHECK((layout.jobs == 3 && layout.threads == 1));
  CHECK_THAT(layout.reason, !Catch::Contains("caps"));
  layout = aebench::choose_job_layout(1, 64, 2, 3, bench);  // each point caps its threads
  CHECK_THAT(layout.reason, Catch::Contains("caps threads 64 to the 2 cores"));
  layout = aebench::choose_job_layout(0, 3, 2, 1, folder / "none.json");
  CHECK((layout.jobs == 1 && layout.threads == 3));
  // Named with --bench, a missing file is a mistake, as is one without a measured layout.
  CHECK_THROWS_WITH(aebench::suggested_jobs(folder / "none.json", true),
                    Catch::Contains("none.json") && Catch::Contains("found no such file"));
  std::ofstream(bench) << R"({"machine": {}})";
  CHECK(aebench::suggested_jobs(bench, false) == 0);
  CHECK_THROWS_WITH(aebench::suggested_jobs(bench, true), Catch::Contains("no measured layout"));
  // A damaged or wrongly typed one is never taken for one point per core.
  for (const char* text : {R"({"layout": )", R"([1])", R"({"layout": {"suggested_jobs": "2"}})",
                           R"({"layout": {"suggested_jobs": 0}})", R"({"layout": 3})"}) {
    INFO(text);
    std::ofstream(bench) << text;
    CHECK_THROWS_AS(aebench::suggested_jobs(bench, false), aebench::ConfigError);
    CHECK_THROWS_AS(aebench::choose_job_layout(0, 0, 2, 8, bench), aebench::ConfigError);
  }
}

TEST_CASE("a Slurm array lists the points to run as ranges, and its script runs each point") {
  CHECK(aebench::array_spec({0, 1, 2, 5}, 2) == "0-2,5%2");
  CHECK(aebench::array_spec({3}, 0) == "3");
  CHECK(aebench::array_spec({0, 2, 4, 5}, 0) == "0,2,4-5");
  aebench::SweepRecord record;
  record.plan.out_dir = "/scratch/sweep";
  record.plan.executor.type = "slurm";
  record.plan.executor.partition = "gpu";
  record.plan.executor.time = "1:00:00";
  record.plan.executor.cpus_per_task = 4;
  record.plan.executor.gres = "gpu:1";
  record.points.resize(2);
  record.points[0].point.name = "latent-15";
  record.points[1].point.name = "it's";
  const std::string script = aebench::slurm_job_script(record, "/opt/aebench/bin/aebench");
  for (const std::string line :
       {"#SBATCH --partition=gpu\n", "#SBATCH --time=1:00:00\n", "#SBATCH --cpus-per-task=4\n",
        "#SBATCH --gres=gpu:1\n", "#SBATCH --requeue\n",
        "#SBATCH --output=/scratch/sweep/logs/slurm-%A_%a.log\n", "  'latent-15'\n",
        "  'it'\\''s'\n",
        "exec '/opt/aebench/bin/aebench' sweep-point '/scratch/sweep' "
        "\"${points[$task]}\" --threads \"${SLURM_CPUS_PER_TASK:-1}\"\n"}) {
    INFO(line);
    CHECK_THAT(script, Catch::Contains(line));
  }
  CHECK_THAT(script, !Catch::Contains("--mem"));
}

TEST_CASE("every sweep file in configs/sweeps is valid, point by point") {
  const fs::path source_dir = AEBENCH_SOURCE_DIR;
  const fs::path previous = fs::current_path();
  fs::current_path(source_dir);  // paths in sweep files are relative to the repository root
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(source_dir / "configs" / "sweeps")) {
    INFO(entry.path().string());
    const auto plan = aebench::read_sweep_file(entry.path());
    const auto points = aebench::expand_points(plan);
    CHECK(points.size() >= 2);
    CHECK_NOTHROW(aebench::validate_points(plan, points));
    ++files;
  }
  fs::current_path(previous);
  CHECK(files >= 7);
}

TEST_CASE("flags and settings that would be ignored or injected are refused") {
  CHECK_THROWS_WITH(aebench::parse_set_flag("output.dir=/tmp/x"),
                    Catch::Contains("output.dir cannot vary"));
  // The sweep sets every point's threads: a grid or set value would be replaced silently.
  CHECK_THROWS_WITH(aebench::parse_grid_flag("threads=1,2"),
                    Catch::Contains("--grid threads: threads is set by the sweep"));
  CHECK_THROWS_WITH(aebench::parse_set_flag("threads=2"),
                    Catch::Contains("--set threads: threads is set by the sweep"));
  CHECK_THROWS_WITH(aebench::parse_set_flag(R"(output={"dir": "/tmp/x"})"),
                    Catch::Contains("--set output: output.dir cannot vary"));
  // Inside an object as well as dotted: in a grid flag, and a sweep file's grid and points.
  CHECK_THROWS_WITH(aebench::parse_grid_flag(R"(output=[{"dir": "a"}, {"dir": "b"}])"),
                    Catch::Contains("--grid output: output.dir cannot vary"));
  CHECK_NOTHROW(aebench::parse_grid_flag(R"(output=[{"images": 4}, {"images": 8}])"));
  for (const json& file :
       {json{{"base", "x.json"}, {"grid", {{"output", {{{"dir", "zz"}}}}}}},
        json{{"base", "x.json"}, {"points", {{{"output", {{"dir", "/tmp/x"}}}}}}}}) {
    INFO(file.dump());
    const aebench::testing::ScratchFolder folder("sweep_object_keys");
    aebench::testing::write_text(folder / "s.json", file.dump());
    CHECK_THROWS_WITH(aebench::read_sweep_file(folder / "s.json"),
                      Catch::Contains("output.dir cannot vary"));
  }
  CHECK(aebench::parse_set_flag("model.latent=9").second == 9);
  CHECK(aebench::parse_set_flag("data.dataset=fashion-mnist").second == "fashion-mnist");
  CHECK_THROWS_AS(aebench::parse_set_flag("data.dataset=a\xff"), aebench::ConfigError);
  CHECK_THROWS_AS(aebench::parse_grid_flag("data.dataset=a\xff,b"), aebench::ConfigError);

  auto plan = grid_plan({{"model.latent", {2, 3}}});
  plan.fixed = {{"model.latent", 9}};
  CHECK_THROWS_WITH(aebench::expand_points(plan),
                    Catch::Contains("model.latent is both set for every point"));
  // The same key given dotted in one place and inside an object in the other, or a whole
  // object replaced where set gives a key inside it.
  plan = grid_plan({{"model", {json{{"latent", 8}}, json{{"latent", 16}}}}});
  plan.fixed = {{"model.latent", 4}};
  CHECK_THROWS_WITH(aebench::expand_points(plan),
                    Catch::Contains("model.latent is both set for every point"));
  plan = grid_plan({{"model.latent", {2, 3}}});
  plan.fixed = {{"model", json{{"latent", 4}}}};
  CHECK_THROWS_WITH(aebench::expand_points(plan),
                    Catch::Contains("model.latent is both set for every point"));
  plan = grid_plan({{"noise", {nullptr, json{{"type", "masking"}}}}});
  plan.fixed = {{"noise.std", 0.3}};
  CHECK_THROWS_WITH(aebench::expand_points(plan),
                    Catch::Contains("noise.std and noise are both set for every point"));
  // Other keys of one object, in the two places, are no overlap (seed 000's denoising sweep).
  plan = grid_plan({{"noise.std", {0.2, 0.4}}});
  plan.fixed = {{"noise", json{{"type", "gaussian"}, {"clip", true}}}};
  CHECK(aebench::expand_points(plan).size() == 2);

  aebench::ExecutorOptions slurm;
  slurm.type = "slurm";
  slurm.partition = "gpu";
  slurm.time = "1-00:00:00";
  slurm.mem = "4G";
  slurm.gres = "gpu:a100:1";
  CHECK_NOTHROW(aebench::check_executor(slurm));
  slurm.partition = "debug\ntouch /tmp/owned";
  CHECK_THROWS_WITH(aebench::check_executor(slurm), Catch::Contains("executor.partition"));
  slurm.partition = "gpu";
  slurm.time = "1:00 --wrap=evil";
  CHECK_THROWS_WITH(aebench::check_executor(slurm), Catch::Contains("executor.time"));
  // An option of the other executor is refused, not ignored.
  slurm.time = "1:00:00";
  slurm.jobs = 3;
  CHECK_THROWS_WITH(
      aebench::check_executor(slurm),
      Catch::Contains("executor.jobs (--jobs): expected it only with executor local"));
  aebench::ExecutorOptions local;
  local.mem = "64G";
  CHECK_THROWS_WITH(aebench::check_executor(local),
                    Catch::Contains("executor.mem (--mem): expected it only with executor slurm"));
  local.mem.clear();
  local.cpus_per_task = 4;
  CHECK_THROWS_WITH(aebench::check_executor(local), Catch::Contains("--cpus-per-task"));
}

TEST_CASE("a grid too large is refused before it is built") {
  std::vector<json> many;
  for (int i = 0; i < 20000; ++i) many.push_back(i);
  CHECK_THROWS_WITH(aebench::expand_points(grid_plan({{"model.latent", many}, {"seed", many}})),
                    Catch::Contains("more than 100000 points"));
}

TEST_CASE("only plain folder names are point names") {
  for (const std::string good : {"base", "latent-15_dataset-mnist", "lr-0.001"})
    CHECK(aebench::is_point_name(good));
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "../x", "/abs", "a/b",
                                                         ".hidden", "a b", std::string(101, 'a')})
    CHECK_FALSE(aebench::is_point_name(bad));
}
