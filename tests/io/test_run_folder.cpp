#include <sys/resource.h>

#include <csignal>
#include <fstream>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::file_contents;
using aebench::testing::ScratchFolder;
namespace fs = std::filesystem;

namespace {

// Lowers the largest file this process may write, the way a full disk stops a write midway
// (the write fails with EFBIG instead of ENOSPC); restores the limit on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

}  // namespace

TEST_CASE("an atomic write that cannot finish leaves the previous file whole and no temp file") {
  ScratchFolder folder("atomic");
  const auto path = folder / "checkpoint.pt";
  aebench::write_file_atomically(path, "the previous checkpoint");
  {
    const FileSizeLimit limit(1000);
    CHECK_THROWS_WITH(aebench::write_file_atomically(path, std::string(100000, 'x')),
                      Catch::Contains("checkpoint.pt"));
  }
  CHECK(file_contents(path) == "the previous checkpoint");
  for (const auto& entry : fs::directory_iterator(folder.path()))
    CHECK(entry.path().filename() == "checkpoint.pt");
}

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
  CHECK_THROWS_WITH(aebench::prepare_run_folder(run, false),
                    Catch::Contains("--resume") && Catch::Contains("--overwrite"));
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
                                          ".model.pt.aebench-tmp-draft"};
  for (const auto& name : users) std::ofstream(folder / name) << "mine";
  CHECK_THROWS_AS(aebench::prepare_run_folder(folder.path(), false), aebench::OutputError);
  aebench::remove_leftovers(folder.path());
  CHECK_FALSE(fs::exists(folder / ".model.pt.aebench-tmp-1234"));
  CHECK_FALSE(fs::exists(folder / "model.pt.tmp-1234"));
  CHECK(fs::is_empty(folder / "probe"));
  for (const auto& name : users) CHECK(file_contents(folder / name) == "mine");
}

TEST_CASE("an atomic write goes through a hidden temporary of aebench's own form") {
  ScratchFolder folder("temporary-name");
  const FileSizeLimit limit(1000);
  CHECK_THROWS_WITH(aebench::write_file_atomically(folder / "model.pt", std::string(100000, 'x')),
                    Catch::Contains("model.pt (via .model.pt.aebench-tmp-"));
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

TEST_CASE("metrics.csv starts with its header and a resumed run's rows") {
  ScratchFolder folder("metrics");
  {
    aebench::MetricsCsv csv(folder / "metrics.csv", {{1, 0.5, 0.4, 0.4, 3.98, 1.0}});
    csv.append({2, 0.25, 0.2, 0.2, 6.99, 1.5});
  }
  const auto lines = aebench::testing::read_lines(folder / "metrics.csv");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "epoch,train_loss,val_loss,val_mse,val_psnr_db,lr,seconds");
  CHECK(lines[1] == "1,0.5,0.4,0.4,3.98,0,1");
  CHECK(lines[2] == "2,0.25,0.2,0.2,6.99,0,1.5");
}
