// Permissions: a --resume or --overwrite that cannot remove the old model's results (a
// read-only eval/, export/, codes/) stops before training with an output error, so the results
// never stay beside a new model (issue "Nothing lost, round 3", class 3); a model.pt that
// cannot be read is named so, not called corrupt.
//
// Permission bits do not stop root, so under root aebench runs as the user nobody, from a copy
// of itself in the scratch folder, on files that user owns. Where that user cannot be taken,
// ctest reports the test as skipped ("[.unremovable]", run on its own).

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "aebench/errors.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/run_folder.h"
#include "support/catch.h"
#include "support/test_support.h"
#include "support/tiny_run.h"

using aebench::testing::run_command;
using aebench::testing::shell_quoted;
using aebench::testing::TinyRun;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;

// The command line that runs aebench with `arguments` as a user whom permission bits bind:
// this one, or nobody (owning everything in `folder`) when this one is root.
std::string as_bound_user(const fs::path& folder) {
  if (::geteuid() != 0) return shell_quoted(aebench::testing::aebench_binary());
  const fs::path bin = folder / "bin";
  fs::create_directories(bin);
  for (const char* name : {"aebench", "aebench-engine"})
    fs::copy_file(aebench::testing::aebench_binary().parent_path() / name, bin / name);
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    REQUIRE(::lchown(entry.path().c_str(), kNobody, kNobody) == 0);
  REQUIRE(::chown(folder.c_str(), kNobody, kNobody) == 0);
  const std::string prefix =
      "setpriv --reuid=65534 --regid=65534 --clear-groups " + shell_quoted(bin / "aebench");
  std::string output;
  if (run_command(prefix + " --version", &output) != 0)
    aebench::testing::skip_test("cannot run aebench as the user nobody: " + output);
  return prefix;
}

}  // namespace

TEST_CASE("a resume or overwrite that cannot remove the old model's results stops before training",
          "[.unremovable]") {
  TinyRun tiny("unremovable");
  const std::string run = shell_quoted(tiny.run);
  REQUIRE(tiny.aebench("eval " + run + " --quiet") == 0);
  REQUIRE(tiny.aebench("export " + run + " --quiet") == 0);
  REQUIRE(tiny.aebench("encode " + run + " --quiet") == 0);
  const std::string aebench = as_bound_user(tiny.folder.path());
  const std::string model = aebench::checked_file_crc(tiny.run / aebench::kModelFile);
  std::string output;
  for (const std::string folder : {"eval", "export", "codes"})
    for (const std::string flag : {"--resume --set train.epochs=4", "--overwrite"}) {
      INFO(folder << " " << flag);
      const fs::path locked = tiny.run / folder;
      REQUIRE(::chmod(locked.c_str(), 0555) == 0);
      CHECK(run_command(aebench + " " + tiny.train_command(flag + " --quiet"), &output) ==
            aebench::kExitOutputError);
      CHECK_THAT(output, Catch::Contains("cannot remove the old model's " + folder + "/") &&
                             Catch::Contains("make its folder writable"));
      CHECK(std::count(output.begin(), output.end(), '\n') == 1);
      REQUIRE(::chmod(locked.c_str(), 0755) == 0);
      // Nothing was trained: the old model, its summary and the results are still there.
      CHECK(aebench::checked_file_crc(tiny.run / aebench::kModelFile) == model);
      CHECK(fs::exists(tiny.run / aebench::kSummaryFile));
      CHECK_FALSE(fs::is_empty(locked));
      // Every removal is checked before the first: no result went, the unlocked ones included.
      for (const char* kept : {"eval/summary.json", "export/architecture.json", "codes/codes.json"})
        CHECK(fs::exists(tiny.run / kept));
    }
  // Once the folder is writable again, the resume goes ahead and the old results go.
  CHECK(run_command(aebench + " " + tiny.train_command("--resume --quiet --set train.epochs=4"),
                    &output) == 0);
  for (const char* folder : {"eval", "export", "codes"}) CHECK_FALSE(fs::exists(tiny.run / folder));
  CHECK(aebench::checked_file_crc(tiny.run / aebench::kModelFile) != model);
  CHECK(fs::exists(tiny.run / aebench::kSummaryFile));
}

TEST_CASE("a model.pt or checkpoint that cannot be read is named unreadable, not corrupt",
          "[.unremovable]") {
  TinyRun tiny("unreadable_model");
  const std::string aebench = as_bound_user(tiny.folder.path());
  const fs::path model = tiny.run / aebench::kModelFile;
  // Root's, readable by root alone: the bound user cannot open it.
  REQUIRE(::chmod(model.c_str(), 0) == 0);
  std::string output;
  for (const std::string command : {"eval", "export"}) {
    INFO(command);
    CHECK(run_command(aebench + " " + command + " " + shell_quoted(tiny.run) + " --quiet",
                      &output) == aebench::kExitDataError);
    CHECK_THAT(output, Catch::Contains("cannot read") && !Catch::Contains("other content"));
  }
}

TEST_CASE("a data folder that cannot be read is named unreadable, not empty", "[.unremovable]") {
  TinyRun tiny("unreadable_data", false);
  const std::string aebench = as_bound_user(tiny.folder.path());
  const fs::path data = tiny.folder / "data";
  REQUIRE(::chmod(data.c_str(), 0) == 0);
  std::string output;
  CHECK(run_command(aebench + " " + tiny.train_command("--quiet"), &output) ==
        aebench::kExitDataError);
  CHECK_THAT(output, Catch::Contains("data folder " + data.string() + ": cannot read it") &&
                         !Catch::Contains("has no") && !Catch::Contains("setup.sh"));
  REQUIRE(::chmod(data.c_str(), 0755) == 0);
}

TEST_CASE("eval, probe and export refuse a result folder they cannot write before any work",
          "[.unremovable]") {
  TinyRun tiny("unwritable_results");
  const std::string run = shell_quoted(tiny.run);
  REQUIRE(tiny.aebench("eval " + run + " --quiet") == 0);
  const std::string aebench = as_bound_user(tiny.folder.path());
  std::string output;
  for (const std::string command : {"eval", "probe", "export"}) {
    INFO(command);
    const fs::path folder = tiny.run / (command == "export" ? std::string("export") : command);
    fs::create_directories(folder);
    REQUIRE(::chmod(folder.c_str(), 0555) == 0);
    CHECK(run_command(aebench + " " + command + " " + run, &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("cannot write into " + command + "/") &&
                           !Catch::Contains("cannot create"));
    CHECK(std::count(output.begin(), output.end(), '\n') == 1);
    REQUIRE(::chmod(folder.c_str(), 0755) == 0);
  }
  // A sticky eval/ of root's, whose files are root's: this user may not replace them.
  REQUIRE(tiny.aebench("eval " + run + " --quiet") == 0);
  const fs::path eval = tiny.run / aebench::kEvalFolder;
  REQUIRE(::chown(eval.c_str(), 0, 0) == 0);
  REQUIRE(::chmod(eval.c_str(), 01777) == 0);
  CHECK(run_command(aebench + " eval " + run, &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("cannot replace eval/") && Catch::Contains("sticky"));
  REQUIRE(::chmod(eval.c_str(), 0755) == 0);
  REQUIRE(::chown(eval.c_str(), kNobody, kNobody) == 0);
  // A run folder this user cannot read is named so, not as a folder without a run.json.
  REQUIRE(::chmod(tiny.run.c_str(), 0) == 0);
  CHECK(run_command(aebench + " eval " + run, &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("cannot read (Permission denied)"));
  REQUIRE(::chmod(tiny.run.c_str(), 0755) == 0);
  // A sticky codes/ of root's, whose files are root's: this user may not remove them, so a
  // resume refuses before any old result goes.
  REQUIRE(tiny.aebench("encode " + run + " --quiet") == 0);
  const fs::path codes = tiny.run / aebench::kCodesFolder;
  REQUIRE(::chmod(codes.c_str(), 01777) == 0);
  CHECK(run_command(aebench + " " + tiny.train_command("--resume --quiet --set train.epochs=4"),
                    &output) == aebench::kExitOutputError);
  CHECK_THAT(output,
             Catch::Contains("cannot remove the old model's codes/") && Catch::Contains("sticky"));
  CHECK(fs::exists(tiny.run / aebench::kEvalFolder / aebench::kSummaryFile));
}

TEST_CASE("a sweep point folder that cannot be read is a failed point, named, not a raw error",
          "[.unremovable]") {
  aebench::testing::ScratchFolder folder("unreadable_point");
  const fs::path base = aebench::testing::write_sweep_base(folder.path());
  const fs::path sweep = folder / "sweep";
  REQUIRE(aebench::testing::run_aebench(
              aebench::testing::two_point_sweep(base, sweep, " --quiet")) == 0);
  const std::string aebench = as_bound_user(folder.path());
  const fs::path point = sweep / "latent-3";
  std::string output;
  // Neither listed nor entered (0), or listed but not entered (0600): failed, named, either way.
  for (const ::mode_t mode : {::mode_t{0}, ::mode_t{0600}}) {
    INFO(mode);
    REQUIRE(::chmod(point.c_str(), mode) == 0);
    CHECK(run_command(aebench + " sweep --status " + shell_quoted(sweep), &output) == 0);
    CHECK_THAT(output, Catch::Contains("cannot read the point folder " + point.string()) &&
                           Catch::Contains("1/2 done") && !Catch::Contains("filesystem error"));
    CHECK(run_command(aebench + " sweep --report " + shell_quoted(sweep), &output) == 0);
    CHECK_THAT(output, !Catch::Contains("filesystem error"));
  }
  REQUIRE(::chmod(point.c_str(), 0755) == 0);
}
