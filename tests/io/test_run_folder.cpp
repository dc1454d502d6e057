#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <utility>

#include "aebench/errors.h"
#include "aebench/io/append_log.h"
#include "aebench/io/run_artefacts.h"
#include "aebench/io/run_folder.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::file_contents;
using aebench::testing::ScratchFolder;
using aebench::testing::write_text;
namespace fs = std::filesystem;

TEST_CASE(
    "a non-empty run folder is refused unless overwriting, which removes only aebench's files") {
  ScratchFolder folder("prepare");
  const auto run = folder / "run";
  aebench::prepare_run_folder(run, false);  // a missing folder is fine
  fs::create_directories(run);
  aebench::prepare_run_folder(run, false);  // an empty one too
  for (const char* name : {"eval", "probe", "mine"}) fs::create_directories(run / name);
  const std::vector<std::string> ours = {
      "summary.json",        "model.pt",       "checkpoint.pt",
      "embedding.png",       "report.html",    "eval/summary.json",
      "eval/bottleneck.png", "probe/mlp.json", "probe/pixels_confusion.png"};
  const std::vector<std::string> users = {"notes.txt", "thesis.tmp-draft.txt", "summary.json.bak",
                                          "probe/my-notes.txt", "mine/data.csv"};
  for (const auto& name : ours) std::ofstream(run / name) << "aebench's";
  for (const auto& name : users) std::ofstream(run / name) << "mine";
  // Not a run (no run.json): said so, with no advice to resume it.
  CHECK_THROWS_WITH(aebench::prepare_run_folder(run, false), Catch::Contains("holds no run") &&
                                                                 Catch::Contains("--overwrite") &&
                                                                 !Catch::Contains("--resume"));
  // Without aebench's mark those names are the user's: refused, nothing removed.
  CHECK_THROWS_WITH(aebench::prepare_run_folder(run, true), Catch::Contains("no run.json"));
  for (const auto& name : ours) CHECK(file_contents(run / name) == "aebench's");
  std::ofstream(run / aebench::kRunMarkerFile)
      << R"({"format_version": 1, "sessions": [{"command": "aebench train x.json", "started": "2026-12-06T00:00:00Z"}]})";
  aebench::prepare_run_folder(run, true);
  for (const auto& name : ours) CHECK_FALSE(fs::exists(run / name));
  CHECK_FALSE(fs::exists(run / "eval"));  // emptied, so removed
  for (const auto& name : users) CHECK(file_contents(run / name) == "mine");
}

TEST_CASE("only aebench's own leftover temporary files are removed, and only they count as empty") {
  ScratchFolder folder("leftovers");
  for (const char* name : {".model.pt.aebench-tmp-1234", "model.pt.tmp-1234"})
    std::ofstream(folder / name) << "half";
  CHECK_NOTHROW(aebench::prepare_run_folder(folder.path(), false));
  fs::create_directories(folder / "probe");
  std::ofstream(folder / "probe/.mlp.json.aebench-tmp-77") << "half";
  const std::vector<std::string> users = {"thesis.tmp-draft.txt", "notes.tmp-1234",
                                          ".model.pt.aebench-tmp-draft",
                                          ".thesis.txt.aebench-tmp-5"};
  for (const auto& name : users) std::ofstream(folder / name) << "mine";
  CHECK_THROWS_AS(aebench::prepare_run_folder(folder.path(), false), aebench::OutputError);
  aebench::remove_leftovers(folder.path());
  CHECK_FALSE(fs::exists(folder / ".model.pt.aebench-tmp-1234"));
  CHECK_FALSE(fs::exists(folder / "model.pt.tmp-1234"));
  CHECK(fs::is_empty(folder / "probe"));
  for (const auto& name : users) CHECK(file_contents(folder / name) == "mine");
}

TEST_CASE(
    "the lock file is there while the lock is held, refuses a second holder, and goes with the "
    "lock") {
  ScratchFolder folder("lock");
  {
    const aebench::RunLock lock(folder / "run");
    CHECK(fs::exists(folder / "run" / aebench::kLockFile));
    CHECK_THROWS_WITH(aebench::RunLock(folder / "run"), Catch::Contains("in use"));
  }
  CHECK_FALSE(fs::exists(folder / "run" / aebench::kLockFile));
  const aebench::RunLock again(folder / "run");
  CHECK(fs::exists(folder / "run" / aebench::kLockFile));
}

TEST_CASE("a lock file name that is a symbolic link is refused and creates nothing at its target") {
  ScratchFolder folder("lock_link");
  fs::create_directory(folder / "run");
  const fs::path target = folder / "elsewhere" / "planted";
  fs::create_directory(folder / "elsewhere");
  fs::create_symlink(target, folder / "run" / aebench::kLockFile);  // dangling
  std::string message;
  try {
    const aebench::RunLock lock(folder / "run");
  } catch (const aebench::OutputError& error) {
    message = error.what();
  }
  CHECK_THAT(message, Catch::Contains("symbolic link") && Catch::Contains(aebench::kLockFile));
  CHECK_FALSE(fs::exists(fs::symlink_status(target)));
  CHECK_FALSE(aebench::run_folder_in_use(folder / "run"));
  CHECK_FALSE(fs::exists(fs::symlink_status(target)));
}

TEST_CASE(
    "overwriting refuses a linked eval/, probe/, export/ or codes/ before it removes anything") {
  for (const char* linked : {aebench::kEvalFolder, aebench::kProbeFolder, aebench::kExportFolder,
                             aebench::kCodesFolder}) {
    INFO(linked);
    ScratchFolder folder("overwrite_link");
    const fs::path user = folder / "user";
    fs::create_directory(user);
    for (const char* name : {"summary.json", "reconstructions.png", "softmax.json", "mlp.json"})
      std::ofstream(user / name) << name;
    const fs::path run = folder / "run";
    fs::create_directory(run);
    std::ofstream(run / aebench::kConfigFile) << "{}";
    std::ofstream(run / aebench::kRunMarkerFile)
        << R"({"format_version": 1, "sessions": [{"command": "aebench train x.json", "started": "2026-12-06T00:00:00Z"}]})";
    fs::create_directory_symlink(user, run / linked);
    CHECK_THROWS_AS(aebench::prepare_run_folder(run, true), aebench::OutputError);
    CHECK(fs::exists(run / aebench::kConfigFile));  // refused before the first removal
    for (const char* name : {"summary.json", "reconstructions.png", "softmax.json", "mlp.json"})
      CHECK(file_contents(user / name) == name);
  }
}

TEST_CASE("leftovers are removed only in real subfolders, a linked one is left alone") {
  ScratchFolder folder("leftover_link");
  const fs::path user = folder / "user";
  fs::create_directory(user);
  const std::string temporary_name = ".notes.aebench-tmp-1234";
  std::ofstream(user / temporary_name) << "kept";
  fs::create_directory(folder / "run");
  fs::create_directory_symlink(user, folder / "run" / aebench::kEvalFolder);
  aebench::remove_leftovers(folder / "run");
  CHECK(file_contents(user / temporary_name) == "kept");
}

TEST_CASE("make_real_subfolder makes each missing part and refuses a link or a file on the way") {
  ScratchFolder folder("subfolder");
  const fs::path run = folder / "run";
  fs::create_directory(run);
  CHECK(aebench::make_real_subfolder(run, "eval/deeper") == run / "eval" / "deeper");
  CHECK(fs::is_directory(run / "eval" / "deeper"));
  fs::create_directory(folder / "user");
  fs::create_directory_symlink(folder / "user", run / "probe");
  CHECK_THROWS_WITH(aebench::make_real_subfolder(run, "probe"),
                    Catch::Contains("symbolic link") && Catch::Contains("probe"));
  CHECK_THROWS_AS(aebench::make_real_subfolder(run, "probe/inner"), aebench::OutputError);
  CHECK_FALSE(fs::exists(folder / "user" / "inner"));
  std::ofstream(run / "plain") << "a file";
  CHECK_THROWS_AS(aebench::make_real_subfolder(run, "plain"), aebench::OutputError);
  // The run folder itself may be a link the user made (runs/ on another disk).
  fs::create_directory_symlink(run, folder / "linked_run");
  CHECK(fs::is_directory(aebench::make_real_subfolder(folder / "linked_run", "eval")));
}

TEST_CASE("appending to a log shared by a hard link leaves the other name's contents alone") {
  ScratchFolder folder("log_hard_link");
  const fs::path log = folder / "train.log", snapshot = folder / "snapshot.log";
  { aebench::AppendLog(log).line("first"); }
  fs::create_hard_link(log, snapshot);
  const std::string before = file_contents(snapshot);
  { aebench::AppendLog(log).line("second"); }
  CHECK(file_contents(snapshot) == before);
  CHECK_THAT(file_contents(log), Catch::Contains(" first\n") && Catch::Contains(" second\n"));
  CHECK(fs::hard_link_count(log) == 1);
}

TEST_CASE("run_marker_problem names what is wrong with a run.json, and accepts train's or none") {
  ScratchFolder folder("run_marker_problem");
  const fs::path marker = folder / aebench::kRunMarkerFile;
  CHECK(aebench::run_marker_problem(folder.path()).empty());  // a run before run.json
  const std::string session = R"([{"command": "aebench train x.json", "started": "t"}])";
  const std::pair<std::string, std::string> cases[] = {
      {R"({"format_version": 1, "sessions": )" + session + "}", ""},
      {"", "invalid JSON"},
      {"{\"format_vers", "invalid JSON"},
      {"[]", "not an object"},
      {"{}", "no format_version"},
      {R"({"format_version": "1", "sessions": )" + session + "}", "not a number"},
      {R"({"format_version": 2, "sessions": )" + session + "}", "format_version 2"},
      {R"({"format_version": 1, "sessions": 5})", "no list of sessions"},
      {R"({"format_version": 1, "sessions": [{"command": 1}]})", "no list of sessions"}};
  for (const auto& [contents, problem] : cases) {
    INFO(contents);
    write_text(marker, contents);
    if (problem.empty())
      CHECK(aebench::run_marker_problem(folder.path()).empty());
    else
      CHECK_THAT(aebench::run_marker_problem(folder.path()), Catch::Contains(problem));
  }
  fs::remove(marker);
  REQUIRE(::mkfifo(marker.c_str(), 0600) == 0);  // never opened for reading: no hang
  CHECK_THAT(aebench::run_marker_problem(folder.path()), Catch::Contains("FIFO"));
}

TEST_CASE("a lock knows when its folder was moved away or replaced, and removes no other file") {
  const aebench::testing::ScratchFolder folder("moved_lock");
  const fs::path run = folder / "run";
  for (const bool by_link : {false, true}) {
    INFO(by_link);
    fs::remove_all(run);
    fs::remove_all(folder / "moved");
    fs::remove_all(folder / "other");
    {
      const aebench::RunLock lock(run);
      CHECK_NOTHROW(lock.require_held());
      fs::rename(run, folder / "moved");
      CHECK_THROWS_WITH(lock.require_held(),
                        Catch::Contains("expected the folder this command locked, found another"));
      fs::create_directory(folder / "other");
      aebench::testing::write_text(folder / "other" / aebench::kLockFile, "");
      if (by_link)
        fs::create_directory_symlink(folder / "other", run);
      else
        fs::rename(folder / "other", run);
      CHECK_THROWS_AS(lock.require_held(), aebench::OutputError);
    }
    // The lock file at the path now is not this lock's: it stays.
    CHECK(fs::exists(run / aebench::kLockFile));
  }
}

TEST_CASE("a lock file with content is a user's: refused, and left as it is") {
  const aebench::testing::ScratchFolder folder("user_lock_file");
  fs::create_directory(folder / "run");
  aebench::testing::write_text(folder / "run" / aebench::kLockFile, "my precious");
  CHECK_THROWS_WITH(aebench::RunLock(folder / "run"),
                    Catch::Contains("expected aebench's empty lock file (or none), found a file "
                                    "of 11 bytes"));
  CHECK(aebench::testing::file_contents(folder / "run" / aebench::kLockFile) == "my precious");
  // A folder at the lock's name is the user's too.
  aebench::testing::write_text(folder / "other" / aebench::kLockFile / "mine.txt", "MINE");
  CHECK_THROWS_WITH(aebench::RunLock(folder / "other"),
                    Catch::Contains("expected a regular file (or none), found a folder"));
  CHECK(aebench::testing::file_contents(folder / "other" / aebench::kLockFile / "mine.txt") ==
        "MINE");
}
