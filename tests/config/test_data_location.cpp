#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "aebench/config/config.h"
#include "aebench/config/data_location.h"
#include "support/catch.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using aebench::testing::ScratchFolder;

// Sets (or, with nullptr, unsets) $AEBENCH_DATA for one scope.
class DataRootVariable {
 public:
  explicit DataRootVariable(const char* value) {
    if (const char* old = std::getenv(aebench::kDataRootVariable)) old_ = old, had_ = true;
    if (value)
      ::setenv(aebench::kDataRootVariable, value, 1);
    else
      ::unsetenv(aebench::kDataRootVariable);
  }
  ~DataRootVariable() {
    if (had_)
      ::setenv(aebench::kDataRootVariable, old_.c_str(), 1);
    else
      ::unsetenv(aebench::kDataRootVariable);
  }

 private:
  std::string old_;
  bool had_ = false;
};

}  // namespace

TEST_CASE(
    "a relative data.dir is looked for under the config's folder and the one above, "
    "$AEBENCH_DATA, then the working folder") {
  const fs::path working = fs::current_path();
  DataRootVariable root("/srv/aebench");
  const auto candidates = aebench::data_dir_candidates("data/mnist", "/studies/one");
  // A test executable is in no bin/ folder: no installation candidate.
  REQUIRE(candidates.size() == 4);
  CHECK(candidates[0] == fs::path("/studies/one/data/mnist"));
  CHECK(candidates[1] == fs::path("/studies/data/mnist"));  // a checkout's configs/ and data/
  CHECK(candidates[2] == fs::path("/srv/aebench/data/mnist"));
  CHECK(candidates[3] == working / "data/mnist");
}

TEST_CASE("an absolute data.dir is its own only candidate, and places named twice count once") {
  DataRootVariable root(nullptr);
  CHECK(aebench::data_dir_candidates("/data/./mnist", "/x") ==
        std::vector<fs::path>{"/data/mnist"});
  const fs::path working = fs::current_path();
  CHECK(aebench::data_dir_candidates("data", working) ==
        std::vector<fs::path>{working / "data", working.parent_path() / "data"});
  DataRootVariable empty("");
  CHECK(aebench::data_dir_candidates("data", "").size() == 1);  // an empty variable is unset
}

TEST_CASE("resolving data.dir stores the first folder that exists, absolute, or where it looked") {
  ScratchFolder folder("data_location");
  fs::create_directories(folder / "second/data/mnist");
  fs::create_directories(folder / "config/data");
  fs::create_directory(folder / "config/data/mnist");
  DataRootVariable root((folder / "second").c_str());

  aebench::DataOptions found;
  found.dir = "data/mnist";
  aebench::resolve_data_dir(found, folder / "config");
  CHECK(found.dir == (folder / "config/data/mnist").string());
  CHECK(found.dir_searched.empty());

  fs::remove(folder / "config/data/mnist");
  aebench::DataOptions second = found;
  second.dir = "data/mnist";
  aebench::resolve_data_dir(second, folder / "config");
  CHECK(second.dir == (folder / "second/data/mnist").string());

  aebench::DataOptions missing;
  missing.dir = "data/cifar10";
  aebench::resolve_data_dir(missing, folder / "config");
  CHECK(missing.dir == "data/cifar10");  // unchanged: load_dataset reports where it looked
  REQUIRE(missing.dir_searched.size() == 4);
  CHECK(missing.dir_searched[0] == (folder / "config/data/cifar10").string());
  CHECK(missing.dir_searched[1] == (folder / "data/cifar10").string());
  CHECK(missing.dir_searched[2] == (folder / "second/data/cifar10").string());
}
