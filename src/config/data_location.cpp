#include "aebench/config/data_location.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "aebench/config/config.h"

namespace aebench {

namespace fs = std::filesystem;

namespace {

// PREFIX/share/aebench for an installed PREFIX/bin/aebench-engine; empty for any other folder.
fs::path installed_share_folder() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  // A build folder's program is not installed: its parent's share/ is nobody's data.
  if (error || self.parent_path().filename() != "bin") return {};
  return self.parent_path().parent_path() / "share" / "aebench";
}

}  // namespace

std::vector<fs::path> data_dir_candidates(const fs::path& dir, const fs::path& config_folder) {
  if (dir.is_absolute()) return {dir.lexically_normal()};
  std::vector<fs::path> roots;
  if (!config_folder.empty()) {
    // The folder above holds data/ where configs live in a subfolder: the checkout's configs/
    // and data/, an installation's share/aebench/configs and share/aebench/data.
    std::error_code absolute_error;
    const fs::path folder = fs::absolute(config_folder, absolute_error).lexically_normal();
    roots.push_back(folder);
    if (folder.has_parent_path() && folder.parent_path() != folder)
      roots.push_back(folder.parent_path());
  }
  if (const char* variable = std::getenv(kDataRootVariable); variable && *variable)
    roots.emplace_back(variable);
  std::error_code error;
  const fs::path working = fs::current_path(error);
  if (!error) roots.push_back(working);
  if (const fs::path share = installed_share_folder(); !share.empty()) roots.push_back(share);

  std::vector<fs::path> candidates;
  for (const auto& root : roots) {
    const fs::path candidate = (fs::absolute(root, error) / dir).lexically_normal();
    if (std::find(candidates.begin(), candidates.end(), candidate) == candidates.end())
      candidates.push_back(candidate);
  }
  return candidates;
}

DataDirLookup find_data_dir(const fs::path& dir, const fs::path& config_folder) {
  DataDirLookup lookup;
  lookup.searched = data_dir_candidates(dir, config_folder);
  for (const auto& candidate : lookup.searched) {
    std::error_code error;
    if (fs::is_directory(candidate, error)) {
      lookup.found = candidate;
      break;
    }
  }
  return lookup;
}

void resolve_data_dir(DataOptions& data, const fs::path& config_folder) {
  data.dir_searched.clear();
  if (data.dir.empty() || fs::path(data.dir).is_absolute()) return;
  const DataDirLookup lookup = find_data_dir(data.dir, config_folder);
  if (!lookup.found.empty()) {
    data.dir = lookup.found.string();
    return;
  }
  for (const auto& candidate : lookup.searched) data.dir_searched.push_back(candidate.string());
}

std::string data_dir_fix(const std::string& dir) {
  return "run scripts/setup.sh in the aebench checkout (it fetches MNIST and Fashion-MNIST into "
         "its data/; --prefix also installs them), set " +
         std::string(kDataRootVariable) + " to a folder that holds " + dir +
         ", or set data.dir to the data's folder";
}

}  // namespace aebench
