#include "aebench/pipeline/run_folder_choice.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "aebench/config/config_changes.h"
#include "aebench/config/schema.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"

namespace aebench {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxNumberedFolders = 99;

enum class FolderFit { kFree, kSameRun, kOther };

bool holds_nothing(const fs::path& folder) {
  std::error_code error;
  return !fs::exists(fs::symlink_status(folder, error)) ||
         (fs::is_directory(folder, error) && fs::is_empty(folder, error));
}

// Whether `folder` is free for a new run, holds a run of `resolved` (one a resume may continue),
// or holds something else: another config's run, a user's files, a file.
FolderFit fit_of(const fs::path& folder, const nlohmann::json& resolved, std::string& changes) {
  if (holds_nothing(folder)) return FolderFit::kFree;
  if (is_symbolic_link(folder) || !is_run_folder(folder)) return FolderFit::kOther;
  const RegularFileText file = read_regular_file(folder / kConfigFile);
  const auto saved = file.ok() ? nlohmann::json::parse(file.bytes, nullptr, false) : nullptr;
  if (!saved.is_object()) return FolderFit::kOther;
  changes = describe_changes(saved, resolved,
                             [](const std::string& path) { return !resumable_key(path); });
  return changes.empty() ? FolderFit::kSameRun : FolderFit::kOther;
}

}  // namespace

std::string overrides_suffix(const std::vector<std::string>& set_overrides) {
  std::string suffix;
  for (const auto& assignment : set_overrides) {
    const auto equals = assignment.find('=');
    const std::string key = assignment.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : assignment.substr(equals + 1);
    std::string part =
        key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1) + "-" + value;
    for (char& c : part)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '+' && c != '-') c = '_';
    suffix += (suffix.empty() ? "" : "_") + part;
  }
  return suffix.substr(0, 80);
}

RunFolderChoice choose_run_folder(const Config& config,
                                  const std::vector<std::string>& set_overrides, bool resume) {
  const fs::path base = config.output.dir;
  const nlohmann::json resolved = nlohmann::json::parse(config_to_json(config).dump());
  std::vector<fs::path> candidates = {base};
  // Named by what shapes the result: `--set train.epochs=40 --resume` finds the same folder.
  std::vector<std::string> shaping;
  for (const auto& assignment : set_overrides)
    if (!resumable_key(assignment.substr(0, assignment.find('=')))) shaping.push_back(assignment);
  const std::string suffix = overrides_suffix(shaping);
  const std::string stem = base.filename().string() + (suffix.empty() ? "" : "-" + suffix);
  if (!suffix.empty()) candidates.push_back(base.parent_path() / stem);
  for (int number = 2; number <= kMaxNumberedFolders; ++number)
    candidates.push_back(base.parent_path() / (stem + "-" + std::to_string(number)));

  std::string base_changes;
  for (const auto& candidate : candidates) {
    std::string changes;
    const FolderFit fit = fit_of(candidate, resolved, changes);
    if (candidate == base) base_changes = changes;
    const bool chosen = fit == FolderFit::kSameRun || (fit == FolderFit::kFree && !resume);
    if (!chosen) continue;
    if (candidate == base) return {base, ""};
    return {candidate,
            base.string() + " holds " +
                (base_changes.empty() ? std::string("other files")
                                      : "a run of another config (" + base_changes + ")") +
                "; this run goes to " + candidate.string() + " (--out DIR chooses)"};
  }
  return {base, ""};  // the run folder's own checks say what is in the way
}

}  // namespace aebench
