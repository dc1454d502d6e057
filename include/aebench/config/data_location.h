#pragma once
// Where a config's data is: a relative `data.dir` is looked for in a few places, so a config
// works from any working folder and from an installed aebench, not only inside the checkout.

#include <filesystem>
#include <string>
#include <vector>

namespace aebench {

// The environment variable naming one more folder that relative data.dir paths are resolved
// against (a folder that holds `data/mnist/`, as the checkout does).
inline constexpr const char* kDataRootVariable = "AEBENCH_DATA";

// The folders a relative `dir` is looked for in, in order, each `root / dir`:
//   1. the config file's folder (`config_folder`; skipped when empty), then the folder above
//      it (a checkout's configs/ beside its data/),
//   2. $AEBENCH_DATA, when set and not empty,
//   3. the current working folder,
//   4. the installation's share/aebench, when the running program is in a bin/ folder
//      (PREFIX/bin), where `scripts/setup.sh --prefix` installs the data.
// An absolute `dir` is its own only candidate. Duplicates are listed once.
std::vector<std::filesystem::path> data_dir_candidates(const std::filesystem::path& dir,
                                                       const std::filesystem::path& config_folder);

struct DataDirLookup {
  std::filesystem::path found;                  // the first existing folder; empty when none
  std::vector<std::filesystem::path> searched;  // every candidate, in order
};

// Looks `dir` up among its candidates (is_directory; symbolic links followed).
DataDirLookup find_data_dir(const std::filesystem::path& dir,
                            const std::filesystem::path& config_folder);

struct DataOptions;

// Resolves a relative `data.dir` in place: the first existing candidate, absolute; when none
// exists `dir` stays as it is and `dir_searched` lists the candidates (for load_dataset's error).
void resolve_data_dir(DataOptions& data, const std::filesystem::path& config_folder);

// The one-line advice when no candidate exists: where the data comes from.
std::string data_dir_fix(const std::string& dir);

}  // namespace aebench
