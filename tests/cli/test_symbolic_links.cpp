// The symbolic-link rule (include/aebench/io/run_folder.h) attacked from the command line: a
// link planted in a run or sweep folder never leads a write or a deletion outside it.

#include <fstream>
#include <string>
#include <vector>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/sweep/sweep_record.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
using aebench::testing::two_point_sweep;
namespace fs = std::filesystem;

namespace {

// A user's folder of files named like aebench's artefacts, and a check that all are intact.
struct UserFolder {
  fs::path path;
  std::vector<std::string> names = {
      "summary.json",      "reconstructions.png", "bottleneck.png", "softmax.json",
      "mlp_confusion.png", "report.html",         "config.json",    "model.pt"};
  explicit UserFolder(fs::path where) : path(std::move(where)) {
    fs::create_directories(path);
    for (const auto& name : names) std::ofstream(path / name) << "mine: " << name;
  }
  void check_intact() const {
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(path)) ++entries;
    CHECK(entries == names.size());  // nothing added, nothing removed
    for (const auto& name : names)
      CHECK(aebench::testing::file_contents(path / name) == "mine: " + name);
  }
};

// A finished tiny run in `folder / "run"`, trained from `folder / "tiny.json"`.
fs::path train_tiny_run(const ScratchFolder& folder) {
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const fs::path config = folder / "tiny.json";
  std::ofstream(config) << aebench::testing::tiny_config(folder / "data", folder / "run").dump(2);
  std::string output;
  REQUIRE(run_aebench("train " + shell_quoted(config) + " --quiet --threads 1", &output) == 0);
  return folder / "run";
}

}  // namespace

TEST_CASE("eval and train --overwrite refuse a linked eval/ or probe/ and leave its target alone") {
  ScratchFolder folder("links_run");
  const fs::path run = train_tiny_run(folder);
  const UserFolder user(folder / "user");
  std::string output;
  for (const char* linked : {aebench::kEvalFolder, aebench::kProbeFolder}) {
    INFO(linked);
    fs::remove_all(run / aebench::kEvalFolder);
    fs::remove_all(run / aebench::kProbeFolder);
    fs::create_directory_symlink(user.path, run / linked);
    if (std::string(linked) == aebench::kEvalFolder) {
      CHECK(run_aebench("eval " + shell_quoted(run) + " --threads 1", &output) ==
            aebench::kExitOutputError);
      CHECK_THAT(output, Catch::Contains("symbolic link"));
    } else {
      CHECK(run_aebench("probe " + shell_quoted(run) + " --threads 1", &output) ==
            aebench::kExitOutputError);
      CHECK_THAT(output, Catch::Contains("symbolic link"));
    }
    CHECK(run_aebench("train " + shell_quoted(folder / "tiny.json") + " --overwrite --threads 1",
                      &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("symbolic link") && Catch::Contains(linked));
    CHECK(fs::exists(run / aebench::kModelFile));  // refused before anything was removed
    user.check_intact();
    fs::remove(run / linked);
  }
}

TEST_CASE("a dangling lock link and leftover temporary links lead no write outside the run") {
  ScratchFolder folder("links_names");
  const fs::path run = train_tiny_run(folder);
  const UserFolder user(folder / "user");
  std::string output;
  // Temporary names of every form a later write might pick, as links to the user's files.
  for (int pid = 2; pid < 40000; pid += 997)
    for (const char* name : {"report.html", "summary.json"})
      fs::create_symlink(user.path / name,
                         run / ("." + std::string(name) + ".aebench-tmp-" + std::to_string(pid)));
  CHECK(run_aebench("report " + shell_quoted(run), &output) == 0);
  CHECK(run_aebench("eval " + shell_quoted(run) + " --threads 1 --quiet", &output) == 0);
  user.check_intact();

  const fs::path planted = folder / "planted_lock";
  fs::create_symlink(planted, run / aebench::kLockFile);
  CHECK(run_aebench("eval " + shell_quoted(run) + " --threads 1", &output) ==
        aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("symbolic link"));
  CHECK(run_aebench("train " + shell_quoted(folder / "tiny.json") + " --resume --threads 1",
                    &output) == aebench::kExitOutputError);
  CHECK_FALSE(fs::exists(fs::symlink_status(planted)));
}

TEST_CASE("a sweep point folder replaced by a link fails that point and trains nothing there") {
  ScratchFolder folder("links_sweep");
  const fs::path base = aebench::testing::write_sweep_base(folder.path());
  const fs::path sweep = folder / "sweep";
  std::string output;
  REQUIRE(run_aebench(two_point_sweep(base, sweep), &output) == 0);
  // The point is replaced by a link to a user's folder, and the sweep asked to run it again.
  const UserFolder user(folder / "user");
  fs::remove_all(sweep / "latent-4");
  fs::create_directory_symlink(user.path, sweep / "latent-4");
  CHECK(run_aebench("sweep-point " + shell_quoted(sweep) + " latent-4 --threads 1", &output) ==
        aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("symbolic link"));
  const int status = run_aebench(two_point_sweep(base, sweep), &output);
  INFO(output);
  CHECK(status == aebench::kExitSweepIncomplete);
  user.check_intact();
  CHECK(fs::exists(sweep / "latent-3" / aebench::kSummaryFile));
  // A link to a run of another config is the same case: the link is named, not the config.
  const fs::path other_run = folder / "other_run";
  fs::copy(sweep / "latent-3", other_run, fs::copy_options::recursive);
  fs::remove(sweep / "latent-4");
  fs::create_directory_symlink(other_run, sweep / "latent-4");
  CHECK(run_aebench(two_point_sweep(base, sweep), &output) == aebench::kExitSweepIncomplete);
  CHECK_THAT(output, !Catch::Contains("hold runs of another config"));
  CHECK(fs::exists(other_run / aebench::kSummaryFile));
}

TEST_CASE("a sweep never writes a point's log through a linked logs/ or log file") {
  ScratchFolder folder("links_logs");
  const fs::path base = aebench::testing::write_sweep_base(folder.path());
  const fs::path sweep = folder / "sweep";
  const std::string command = two_point_sweep(base, sweep);
  std::string output;
  REQUIRE(run_aebench(command, &output) == 0);
  const UserFolder user(folder / "user");
  fs::remove_all(sweep / "latent-4");
  fs::remove(sweep / "logs" / "latent-4.log");
  fs::create_symlink(user.path / "summary.json", sweep / "logs" / "latent-4.log");
  CHECK(run_aebench(command, &output) != 0);
  user.check_intact();
  fs::remove(sweep / "logs" / "latent-4.log");
  fs::rename(sweep / "logs", folder / "old_logs");
  fs::create_directory_symlink(user.path, sweep / "logs");
  CHECK(run_aebench(command, &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("symbolic link"));
  user.check_intact();
}
