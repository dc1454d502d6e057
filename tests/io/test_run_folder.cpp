#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <csignal>
#include <fstream>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "support/test_support.h"

using aebench::testing::ScratchFolder;
namespace fs = std::filesystem;

namespace {

std::string contents_of(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(stream), {});
}

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
  CHECK(contents_of(path) == "the previous checkpoint");
  for (const auto& entry : fs::directory_iterator(folder.path()))
    CHECK(entry.path().filename() == "checkpoint.pt");
}

TEST_CASE("a non-empty run folder is refused unless overwriting, which removes only aebench's files") {
  ScratchFolder folder("prepare");
  const auto run = folder / "run";
  aebench::prepare_run_folder(run, false);  // a missing folder is fine
  fs::create_directories(run);
  aebench::prepare_run_folder(run, false);  // an empty one too
  std::ofstream(run / "summary.json") << "{}";
  std::ofstream(run / "notes.txt") << "mine";
  CHECK_THROWS_WITH(aebench::prepare_run_folder(run, false),
                    Catch::Contains("--resume") && Catch::Contains("--overwrite"));
  aebench::prepare_run_folder(run, true);
  CHECK_FALSE(fs::exists(run / "summary.json"));
  CHECK(fs::exists(run / "notes.txt"));
}

TEST_CASE("leftover temporary files are removed and do not make a folder non-empty") {
  ScratchFolder folder("leftovers");
  std::ofstream(folder / "model.pt.tmp-1234") << "half";
  CHECK_NOTHROW(aebench::prepare_run_folder(folder.path(), false));
  aebench::remove_leftovers(folder.path());
  CHECK(fs::is_empty(folder.path()));
}

TEST_CASE("metrics.csv starts with its header and a resumed run's rows") {
  ScratchFolder folder("metrics");
  {
    aebench::MetricsCsv csv(folder / "metrics.csv", {{1, 0.5, 0.4, 0.4, 3.98, 1.0}});
    csv.append({2, 0.25, 0.2, 0.2, 6.99, 1.5});
  }
  const auto lines = aebench::testing::read_lines(folder / "metrics.csv");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "epoch,train_loss,val_loss,val_mse,val_psnr_db,seconds");
  CHECK(lines[1] == "1,0.5,0.4,0.4,3.98,1");
  CHECK(lines[2] == "2,0.25,0.2,0.2,6.99,1.5");
}
