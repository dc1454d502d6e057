#include "aebench/io/output_folder.h"

#include <nlohmann/json.hpp>

#include "aebench/errors.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_artefacts.h"

namespace aebench {

namespace fs = std::filesystem;

bool holds_output_marker(const fs::path& folder, const OutputKind& kind) {
  if (is_symbolic_link(folder / kind.marker)) return false;
  const RegularFileText file = read_regular_file(folder / kind.marker);
  if (!file.ok()) return false;
  const auto document = nlohmann::json::parse(file.bytes, nullptr, false);
  return document.is_object() && document.value("format", "") == kind.format;
}

namespace {

// A sweep folder holds its record, its points' run folders and logs, and its own comparison
// files: another command's output there, or in a folder of it, mixes with them.
void refuse_sweep_folder(const fs::path& dir, const std::string& flag) {
  std::error_code error;
  for (const fs::path& path :
       {without_trailing_separator(fs::absolute(dir, error).lexically_normal()),
        without_trailing_separator(fs::weakly_canonical(fs::absolute(dir, error), error))})
    for (fs::path folder = path; !folder.empty(); folder = folder.parent_path()) {
      if (is_sweep_folder(folder))
        throw OutputError(
            flag + " " + dir.string() + ": expected a folder outside sweeps, " + "found " +
            (folder == path ? "a sweep folder"
                            : "it inside the sweep " + ("folder " + folder.string())) +
            "; nothing was written: name a folder elsewhere");
      if (folder == folder.parent_path()) break;
    }
}

}  // namespace

OutputFolder::OutputFolder(const fs::path& dir, const std::vector<std::string>& names,
                           const OutputKind& kind, const std::string& flag)
    : dir_(dir) {
  std::error_code error;
  // A run's own folders are its results: its --resume and --overwrite clear aebench's names
  // there, and its report would not know these files.
  if (is_run_folder(dir))
    throw OutputError(flag + " " + dir.string() +
                      ": expected a folder outside runs, found a run folder; nothing was " +
                      "written: name an empty or new folder");
  refuse_nested_run_folder(dir, flag);
  refuse_sweep_folder(dir, flag);
  if (fs::exists(dir, error) && !fs::is_directory(dir, error))
    throw OutputError(flag + " " + dir.string() + ": expected a folder, found " +
                      non_folder_kind(dir));
  fs::create_directories(dir, error);
  if (error)
    throw OutputError(flag + " " + dir.string() + ": cannot make the folder (" + error.message() +
                      ")");
  lock_.emplace(dir,
                flag + " folder");    // another command writing here is refused, as in a run folder
  remove_temporaries_of(dir, names);  // a killed writer's: none of ours is alive here now
  refuse_unreplaceable_names(dir, names, flag + " " + dir.string());  // a FIFO at comparison.md
  refuse_unwritable_places(dir, names, flag + " " + dir.string());
  if (holds_output_marker(dir, kind)) return;
  for (const auto& name : names)
    if (fs::symlink_status(dir / name, error).type() != fs::file_type::not_found)
      throw OutputError(flag + " " + dir.string() + " holds " + name + " but no " + kind.marker +
                        " of aebench's; nothing was written: name an empty or new folder");
}

}  // namespace aebench
