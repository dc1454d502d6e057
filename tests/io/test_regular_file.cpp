#include <sys/stat.h>

#include <fstream>
#include <string>

#include "aebench/io/regular_file.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::ScratchFolder;
namespace fs = std::filesystem;

TEST_CASE("read_regular_file reads a regular file whole, and through a link") {
  ScratchFolder folder("regular_file");
  std::ofstream(folder / "a.json", std::ios::binary) << std::string("{\"x\": 1}\n\0tail", 14);
  fs::create_symlink(folder / "a.json", folder / "link.json");
  for (const char* name : {"a.json", "link.json"}) {
    const auto file = aebench::read_regular_file(folder / name);
    CHECK(file.ok());
    CHECK(file.bytes == std::string("{\"x\": 1}\n\0tail", 14));
  }
}

TEST_CASE(
    "read_regular_file answers at once for a FIFO, a device, a folder, a missing or a "
    "too large file") {
  ScratchFolder folder("irregular_files");
  REQUIRE(::mkfifo((folder / "fifo").c_str(), 0600) == 0);  // no writer: opening would block
  std::ofstream(folder / "big") << std::string(1000, 'x');
  struct Case {
    fs::path path;
    aebench::ReadFailure failure;
    std::string problem;
  };
  const Case cases[] = {
      {folder / "fifo", aebench::ReadFailure::kNotRegular,
       "a FIFO (named pipe), not a regular file"},
      {"/dev/zero", aebench::ReadFailure::kNotRegular, "a character device, not a regular file"},
      {folder.path(), aebench::ReadFailure::kNotRegular, "a directory, not a regular file"},
      {folder / "none", aebench::ReadFailure::kOpen, "missing"},
      {folder / "big", aebench::ReadFailure::kTooLarge, "larger than 999 bytes (1000 bytes)"},
  };
  for (const auto& [path, failure, problem] : cases) {
    INFO(path.string());
    const auto file = aebench::read_regular_file(path, 999);
    CHECK(file.failure == failure);
    CHECK(file.problem(999) == problem);
    CHECK(file.bytes.empty());
  }
  CHECK(aebench::read_regular_file(folder / "big", 1000).ok());
}
