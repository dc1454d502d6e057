#include <algorithm>
#include <fstream>
#include <string>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/pipeline/run_folder_choice.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::read_json;
using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
namespace fs = std::filesystem;

namespace {

// Runs the test body in `folder` as the working folder (each ctest case is its own process).
class WorkingFolder {
 public:
  explicit WorkingFolder(const fs::path& folder) : previous_(fs::current_path()) {
    fs::current_path(folder);
  }
  ~WorkingFolder() { fs::current_path(previous_); }

 private:
  fs::path previous_;
};

// The last line of `text`: what train prints on stdout, the run folder.
std::string last_line(const std::string& text) {
  const auto end = text.find_last_not_of('\n');
  const auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

}  // namespace

TEST_CASE("overrides name a folder by the keys that shape the result, safely") {
  CHECK(aebench::overrides_suffix({"train.lr=1e-2"}) == "lr-1e-2");
  CHECK(aebench::overrides_suffix({"model.latent=8", "data.classes=[0,1]"}) ==
        "latent-8_classes-_0_1_");
  CHECK(aebench::overrides_suffix({"name=../../etc"}) == "name-.._.._etc");
  CHECK(aebench::overrides_suffix({"model.hidden=" + std::string(200, '9')}).size() == 80);
}

TEST_CASE("a run of another config gets its own folder, and the same command finds it again") {
  ScratchFolder folder("run_folders");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  auto document = aebench::testing::tiny_config(folder / "data", folder / "unused");
  document["output"].erase("dir");  // the default, runs/tiny
  document["train"]["epochs"] = 2;
  const fs::path config = folder / "tiny.json";
  std::ofstream(config) << document.dump(2);
  const WorkingFolder working(folder.path());
  const std::string train = "train " + shell_quoted(config) + " ";
  std::string output;

  REQUIRE(run_aebench(train + "--quiet", &output) == 0);
  CHECK(last_line(output) == "runs/tiny");
  REQUIRE(run_aebench(train + "--set train.lr=0.01", &output) == 0);
  CHECK(last_line(output) == "runs/tiny-lr-0.01");
  CHECK_THAT(output, Catch::Contains("runs/tiny holds a run of another config (train.lr"));
  CHECK(read_json("runs/tiny/config.json")["train"]["lr"] == 0.003);  // untouched
  CHECK(read_json("runs/tiny-lr-0.01/config.json")["train"]["lr"] == 0.01);

  // The same command again: its own folder, which holds a run already.
  CHECK(run_aebench(train + "--set train.lr=0.01", &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("runs/tiny-lr-0.01 is not empty"));
  // Resumed with more epochs (a key a resume may change): the same folder, continued.
  REQUIRE(run_aebench(train + "--set train.lr=0.01 --set train.epochs=3 --resume --quiet",
                      &output) == 0);
  CHECK(last_line(output) == "runs/tiny-lr-0.01");
  CHECK(read_json("runs/tiny-lr-0.01/summary.json")["epochs_run"] == 3);

  // How it was made: both sessions in run.json, the last in summary.json and the report, and
  // every printed line, timestamped, in train.log (though the second session was --quiet).
  const auto record = read_json("runs/tiny-lr-0.01/run.json");
  REQUIRE(record["sessions"].size() == 2);
  CHECK(record["sessions"][0]["command"] ==
        "aebench train " + config.string() + " --set train.lr=0.01");
  CHECK(record["sessions"][1]["overrides"] ==
        nlohmann::json::array({"train.lr=0.01", "train.epochs=3"}));
  CHECK(record["sessions"][1]["finished"].is_string());
  const auto provenance = read_json("runs/tiny-lr-0.01/summary.json")["provenance"];
  CHECK(provenance["started"] == record["sessions"][1]["started"]);
  CHECK(provenance["sessions"] == 2);
  CHECK_THAT(aebench::testing::file_contents("runs/tiny-lr-0.01/report.html"),
             Catch::Contains("How it was made") && Catch::Contains("train.epochs=3"));
  const auto log = aebench::testing::read_lines("runs/tiny-lr-0.01/train.log");
  CHECK(std::count_if(log.begin(), log.end(), [](const std::string& line) {
          return line.find("epoch 3/3") != std::string::npos;
        }) == 1);
  for (const auto& line : log) {
    INFO(line);
    CHECK(line.size() > 21);
    CHECK(line.substr(0, 2) == "20");
    CHECK(line.substr(19, 2) == "Z ");  // "2026-12-06T21:00:00Z "
  }

  // An edited file, no overrides: numbered.
  document["model"]["latent"] = 9;
  std::ofstream(config) << document.dump(2);
  REQUIRE(run_aebench(train + "--quiet", &output) == 0);
  CHECK(last_line(output) == "runs/tiny-2");
  // A folder of the user's is never chosen, nor written.
  document["model"]["latent"] = 10;
  std::ofstream(config) << document.dump(2);
  fs::create_directories("runs/tiny-3");
  std::ofstream("runs/tiny-3/notes.txt") << "mine";
  REQUIRE(run_aebench(train + "--quiet", &output) == 0);
  CHECK(last_line(output) == "runs/tiny-4");
  CHECK(aebench::testing::file_contents("runs/tiny-3/notes.txt") == "mine");
  // --overwrite replaces the default folder's run, as asked.
  REQUIRE(run_aebench(train + "--overwrite --quiet", &output) == 0);
  CHECK(last_line(output) == "runs/tiny");
  CHECK(read_json("runs/tiny/config.json")["model"]["latent"] == 10);
}
