#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
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

TEST_CASE("an atomic write goes through a hidden temporary of aebench's own form") {
  ScratchFolder folder("temporary-name");
  const FileSizeLimit limit(1000);
  CHECK_THROWS_WITH(aebench::write_file_atomically(folder / "model.pt", std::string(100000, 'x')),
                    Catch::Contains("model.pt (via .model.pt.aebench-tmp-"));
}

TEST_CASE("an atomic write into a folder moved away meanwhile says so, in expected/found form") {
  ScratchFolder folder("moved-folder");
  fs::create_directories(folder / "run");
  fs::rename(folder / "run", folder / "moved");
  CHECK_THROWS_WITH(aebench::write_file_atomically(folder / "run" / "checkpoint.pt", "x"),
                    Catch::Contains("expected its folder " + (folder / "run").string() +
                                    " to exist, found none; nothing was written"));
  CHECK(fs::is_empty(folder / "moved"));
}

TEST_CASE("a leftover temporary name that is a symbolic link is replaced, its target untouched") {
  ScratchFolder folder("temporary_link");
  const fs::path victim = folder / "victim.txt";
  std::ofstream(victim) << "the user's words";
  fs::create_directory(folder / "run");
  // The temporary name write_file_atomically uses for run/summary.json in this process.
  fs::create_symlink(victim,
                     folder / "run" / (".summary.json.aebench-tmp-" + std::to_string(::getpid())));
  aebench::write_file_atomically(folder / "run" / "summary.json", "{}\n");
  CHECK(file_contents(victim) == "the user's words");
  CHECK(fs::is_regular_file(fs::symlink_status(folder / "run" / "summary.json")));
  CHECK(file_contents(folder / "run" / "summary.json") == "{}\n");

  // A link at the final name is replaced as a name too.
  fs::create_symlink(victim, folder / "run" / "metrics.csv");
  aebench::write_file_atomically(folder / "run" / "metrics.csv", "epoch\n");
  CHECK(file_contents(victim) == "the user's words");
  CHECK_FALSE(aebench::is_symbolic_link(folder / "run" / "metrics.csv"));
}
