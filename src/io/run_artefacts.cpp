#include "aebench/io/run_artefacts.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <iterator>
#include <set>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

// The files a run writes at the top of RUN_DIR, in eval/ and in probe/ (probe.cpp names its
// files after the classifiers "softmax", "mlp" and "pixels").
const std::vector<std::string> kRunArtefacts = {
    kConfigFile,    kMetricsFile,         kSummaryFile,    kModelFile,   kCheckpointFile,
    kLossCurveFile, kReconstructionsFile, kBottleneckFile, kWeightsFile, kEmbeddingFile,
    kReportFile,    kRunMarkerFile,       kTrainLogFile,   kSamplesFile, kPerClassFile,
    kWorstFile,     kInterpolationFile,   kEpochStripsFile};
const std::vector<std::string> kEvalArtefacts = {
    kSummaryFile,  kReconstructionsFile, kBottleneckFile,   kSamplesFile,
    kPerClassFile, kWorstFile,           kInterpolationFile};
const std::vector<std::string> kProbeArtefacts = {"softmax.json", "softmax_confusion.png",
                                                  "mlp.json",     "mlp_confusion.png",
                                                  "pixels.json",  "pixels_confusion.png"};
const std::vector<std::string> kExportArtefacts = {kStateDictFile, kArchitectureFile,
                                                   kPythonLoaderFile};
const std::vector<std::string> kCodesArtefacts = [] {
  std::vector<std::string> names = {kCodesRecordFile};
  for (const char* split : {"train", "val", "test"})
    for (const char* kind : {"_codes.npy", "_labels.npy", "_images.npy"})
      names.push_back(split + std::string(kind));
  return names;
}();

// The subfolders of a run folder that hold results of its model, each with aebench's names
// in it.
struct ResultFolder {
  const char* name;
  const std::vector<std::string>* files;
};
const ResultFolder kResultFolders[] = {{kEvalFolder, &kEvalArtefacts},
                                       {kProbeFolder, &kProbeArtefacts},
                                       {kExportFolder, &kExportArtefacts},
                                       {kCodesFolder, &kCodesArtefacts}};

// A name aebench writes in a run folder or one of its result subfolders.
bool is_artefact_name(const std::string& name) {
  if (std::find(kRunArtefacts.begin(), kRunArtefacts.end(), name) != kRunArtefacts.end())
    return true;
  for (const auto& folder : kResultFolders)
    if (std::find(folder.files->begin(), folder.files->end(), name) != folder.files->end())
      return true;
  return false;
}

bool all_digits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The file name a temporary ".NAME.aebench-tmp-PID" stands for ("NAME"), or "" for a name of
// another form: a user would have to mimic it exactly ("thesis.tmp-draft.txt" is not one).
std::string temporary_target(const std::string& name) {
  const auto mark = name.rfind(kTemporaryMark);
  if (name.size() > 1 && name[0] == '.' && mark != std::string::npos && mark > 1 &&
      all_digits(name.substr(mark + std::strlen(kTemporaryMark))))
    return name.substr(1, mark - 1);
  return "";
}

bool holds_something(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.path().filename() != kLockFile && !is_aebench_temporary(entry.path())) return true;
  return false;
}

// Whether `dir` holds its run.json and nothing else (but the lock and temporaries): a train
// stopped between writing run.json and config.json.
bool holds_only_run_marker(const fs::path& dir) {
  std::error_code error;
  bool marker = false;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const fs::path name = entry.path().filename();
    if (name == kRunMarkerFile)
      marker = true;
    else if (name != kLockFile && !is_aebench_temporary(entry.path()))
      return false;
  }
  return marker && !error;
}

// Removes the temporaries in `dir` that `ours` accepts, as names: a link goes, its target
// stays. Nothing is done in a `dir` that is itself a link.
void remove_temporaries_where(const fs::path& dir,
                              const std::function<bool(const fs::path&)>& ours) {
  if (is_symbolic_link(dir)) return;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const auto kind = entry.symlink_status(error).type();
    if ((kind == fs::file_type::regular || kind == fs::file_type::symlink) && ours(entry.path()))
      fs::remove(entry.path(), error);
  }
}

void remove_temporaries(const fs::path& dir) {
  remove_temporaries_where(dir, is_aebench_temporary);
}

// Removes `name` from `run_dir` as a name. One that stays (in a read-only or immutable
// folder) would describe the old model beside the new one: that is an output error.
void remove_old_artefact(const fs::path& run_dir, const std::string& name) {
  std::error_code error;
  fs::remove(run_dir / name, error);
  if (!error || error == std::errc::no_such_file_or_directory) return;
  throw OutputError("run folder " + run_dir.string() + ": cannot remove the old model's " + name +
                    " (" + error.message() +
                    "); make its folder writable or move it away, then run again");
}

// Removes `folder`'s artefact names from `run_dir / folder`, then the folder itself if that
// left it empty; a user's files stay. The caller has refused a folder that is a link
// (refuse_foreign_subfolders).
void remove_artefacts(const fs::path& run_dir, const ResultFolder& folder) {
  const fs::path dir = run_dir / folder.name;
  std::error_code error;
  if (!fs::is_directory(fs::symlink_status(dir, error))) return;
  for (const auto& name : *folder.files)
    remove_old_artefact(run_dir, std::string(folder.name) + "/" + name);
  remove_temporaries(dir);
  if (fs::is_empty(dir, error)) fs::remove(dir, error);
}

// Before anything is removed from `dir`: each of `top_names` there, and each artefact name in
// its result folders, must be absent or something aebench may have written there. In a folder
// aebench did not make (no run.json), any file of such a name is the user's, and so are their
// copies in its eval/, probe/, export/ or codes/: nothing is replaced there (a run may still go
// beside files of other names). A folder, FIFO or device at such a name is refused in any run
// folder: aebench writes regular files (and replaces links as names).
void refuse_foreign_artefacts(const fs::path& dir, const std::vector<std::string>& top_names) {
  const bool ours = is_run_folder(dir);
  const auto check = [&](const fs::path& file, const std::string& name) {
    struct stat info {};
    if (::lstat(file.c_str(), &info) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return;  // absent
      throw OutputError("run folder " + dir.string() + ": cannot look at " + name + " (" +
                        std::strerror(errno) +
                        "); make its folder readable and searchable, or move it away, then run "
                        "again");
    }
    refuse_unreplaceable_names(dir, {name}, "run folder " + dir.string());
    if (!ours)
      throw OutputError(
          "run folder " + dir.string() + " holds " + name +
          " but no run of aebench's (no run.json aebench wrote): --overwrite replaces only "
          "aebench's own files; use --out DIR to write elsewhere");
  };
  for (const auto& name : top_names) check(dir / name, name);
  for (const auto& folder : kResultFolders) {
    std::error_code error;
    if (!fs::is_directory(fs::symlink_status(dir / folder.name, error))) continue;
    for (const auto& name : *folder.files)
      check(dir / folder.name / name, std::string(folder.name) + "/" + name);
  }
}

// Whether `file` (lstat'ed) in `folder` is another user's in a sticky folder of another user's:
// then this process may neither remove nor replace it, though the folder lets it write.
bool sticky_blocks(const fs::path& folder, const struct stat& file) {
  struct stat holder {};
  return ::stat(folder.c_str(), &holder) == 0 && (holder.st_mode & S_ISVTX) && ::geteuid() != 0 &&
         holder.st_uid != ::geteuid() && file.st_uid != ::geteuid();
}

// Before anything is removed: each folder that holds an old artefact must let this process
// remove it, so that a refusal leaves every result as it was, not some of them gone.
void refuse_unremovable_artefacts(const fs::path& dir, const std::vector<std::string>& top_names) {
  const auto check = [&](const fs::path& folder, const std::string& prefix,
                         const std::vector<std::string>& names) {
    for (const auto& name : names) {
      struct stat file {};
      if (::lstat((folder / name).c_str(), &file) != 0) continue;
      std::string reason;
      if (::access(folder.c_str(), W_OK | X_OK) != 0)
        reason = std::strerror(errno);
      else if (sticky_blocks(folder, file))
        reason = "its folder is sticky and the file is another user's";
      if (reason.empty()) continue;
      throw OutputError("run folder " + dir.string() + ": cannot remove the old model's " + prefix +
                        name + " (" + reason +
                        "); make its folder writable or move it away, then run again");
    }
  };
  for (const auto& folder : kResultFolders)
    if (std::error_code error; fs::is_directory(fs::symlink_status(dir / folder.name, error)))
      check(dir / folder.name, std::string(folder.name) + "/", *folder.files);
  check(dir, "", top_names);
}

// A run folder where aebench puts results (a run moved in as eval/, or one trained at
// probe/ before its parent became a run): its files are that run's, not results to replace.
void refuse_run_folder_at(const fs::path& folder, const std::string& shown,
                          const std::string& where) {
  if (is_run_folder(folder))
    throw OutputError(where + ": " + shown + " is a run folder of its own (with its run.json), " +
                      "not a folder of results aebench writes into; move it away, then run again");
}

// A result folder that is a link, or another run's folder: nothing in it is this run's.
void refuse_foreign_subfolders(const fs::path& dir) {
  for (const auto& folder : kResultFolders) {
    refuse_symbolic_link(dir / folder.name, "run subfolder");
    refuse_run_folder_at(dir / folder.name, std::string(folder.name) + "/",
                         "run folder " + dir.string());
  }
}

// A run is never made around another: a run folder anywhere below `dir` (a run trained at
// dir/x/y before, or moved in) is refused, so that neither run's files become the other's.
// Links are not followed, unreadable folders skipped, and the walk ends after kMaxLooked
// entries (a folder that large is no run's).
void refuse_runs_inside(const fs::path& dir) {
  constexpr std::size_t kMaxLooked = 100000;
  std::error_code error;
  fs::recursive_directory_iterator entry(dir, fs::directory_options::skip_permission_denied, error);
  for (std::size_t looked = 0;
       !error && entry != fs::recursive_directory_iterator() && looked < kMaxLooked;
       entry.increment(error), ++looked) {
    if (!entry->is_directory(error) || entry->is_symlink(error)) continue;
    if (is_run_folder(entry->path()))
      throw OutputError("folder " + dir.string() + " holds the run " +
                        entry->path().lexically_relative(dir).string() +
                        "/ (with its run.json): a run is not made around another; move that " +
                        "run away, or use --out DIR to write elsewhere");
  }
}

}  // namespace

bool is_aebench_temporary(const fs::path& file) {
  const std::string name = file.filename().string();
  // Only of an artefact's name: a user's ".thesis.txt.aebench-tmp-5" is not ours. (Leftovers
  // are removed under the run lock, so no live writer of ours has one in the folder.)
  if (const std::string target = temporary_target(name); !target.empty())
    return is_artefact_name(target);
  // The form of earlier versions: an artefact's name, ".tmp-" and a process id.
  const auto legacy = name.rfind(".tmp-");
  if (legacy == std::string::npos || !all_digits(name.substr(legacy + 5))) return false;
  return is_artefact_name(name.substr(0, legacy));
}

void refuse_unreplaceable_names(const fs::path& dir, const std::vector<std::string>& names,
                                const std::string& where) {
  std::set<fs::path> folders_checked;  // eval/ once, not once per file in it
  for (const auto& name : names) {
    fs::path path = dir, shown_path;
    const fs::path relative = name;
    for (auto part = relative.begin(); part != relative.end(); ++part) {
      path /= *part;
      shown_path /= *part;
      const bool last = std::next(part) == relative.end();
      struct stat info {};
      if (::lstat(path.c_str(), &info) != 0) break;  // absent: aebench makes it
      const std::string shown = shown_path.string();
      if (!last && S_ISLNK(info.st_mode)) refuse_symbolic_link(path, "folder");
      if (!last && !S_ISDIR(info.st_mode))
        throw OutputError(where + ": " + shown + " is " + file_kind_name(info.st_mode) +
                          ", not a folder aebench writes into; move it and run again");
      if (!last && folders_checked.insert(path).second)
        refuse_run_folder_at(path, shown + "/", where);
      if (last && S_ISDIR(info.st_mode))
        throw OutputError(where + ": " + shown +
                          " is a folder, not aebench's file; move it and run again");
      if (last && !S_ISREG(info.st_mode) && !S_ISLNK(info.st_mode))
        throw OutputError(where + ": " + shown + " is " + file_kind_name(info.st_mode) +
                          ", not aebench's file; move it and run again");
    }
  }
}

void refuse_unwritable_places(const fs::path& dir, const std::vector<std::string>& names,
                              const std::string& where) {
  for (const auto& name : names) {
    // The deepest folder of the name's path that exists: the file, or its missing folders,
    // are made there.
    fs::path folder = dir, shown;
    for (const auto& part : fs::path(name).parent_path()) {
      std::error_code error;
      if (!fs::is_directory(fs::symlink_status(folder / part, error))) break;
      folder /= part;
      shown /= part;
    }
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
      throw OutputError(where + ": cannot write into " +
                        (shown.empty() ? std::string("the folder") : shown.string() + "/") + " (" +
                        std::strerror(errno) + "); make it writable, then run again");
    // In a sticky folder, another user's file may not be replaced by this one's.
    struct stat file {};
    if (::lstat((dir / name).c_str(), &file) == 0 && sticky_blocks(folder, file))
      throw OutputError(where + ": cannot replace " + name +
                        " (its folder is sticky and the file is another user's); move it away, "
                        "then run again");
  }
}

std::vector<std::string> result_files(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& result : kResultFolders)
    if (folder == result.name)
      for (const auto& name : *result.files) files.push_back(folder + "/" + name);
  return files;
}

void prepare_run_folder(const fs::path& dir, bool overwrite) {
  if (!holds_something(dir)) return;
  const bool run = is_run_folder(dir);
  if (!run) refuse_runs_inside(dir);  // before advice to --overwrite it
  if (!overwrite && run && holds_only_run_marker(dir))
    throw OutputError("run folder " + dir.string() + " holds only the " + kRunMarkerFile +
                      " of a train stopped before it wrote anything else: nothing to resume; " +
                      "pass --overwrite to start it again, or --out DIR to write elsewhere");
  if (!overwrite && run)
    throw OutputError("run folder " + dir.string() +
                      " is not empty; pass --resume to continue its run, --overwrite to replace "
                      "it, or --out DIR to write elsewhere");
  if (!overwrite)
    throw OutputError("folder " + dir.string() + " is not empty and holds no run (no run.json " +
                      "aebench wrote); pass --overwrite to write a run beside its files (they " +
                      "stay), or --out DIR to write elsewhere");
  refuse_foreign_artefacts(dir, {kRunArtefacts.begin(), kRunArtefacts.end()});
  refuse_foreign_subfolders(dir);
  if (run) refuse_runs_inside(dir);  // a folder without a run was walked above
  refuse_unremovable_artefacts(dir, {kRunArtefacts.begin(), kRunArtefacts.end()});
  for (const auto& folder : kResultFolders) remove_artefacts(dir, folder);
  for (const auto& name : kRunArtefacts) remove_old_artefact(dir, name);
}

void remove_model_results(const fs::path& dir) {
  // Every file the resumed run will write, before it trains: a folder or FIFO at one of their
  // names would stop it only after hours of training.
  refuse_foreign_artefacts(dir, {kRunArtefacts.begin(), kRunArtefacts.end()});
  refuse_foreign_subfolders(dir);
  refuse_unremovable_artefacts(dir, {kSummaryFile, kReportFile});
  for (const auto& folder : kResultFolders) remove_artefacts(dir, folder);
  remove_old_artefact(dir, kSummaryFile);
  remove_old_artefact(dir, kReportFile);  // it shows the results just removed as current
}

void remove_leftovers(const fs::path& dir) {
  remove_temporaries(dir);
  for (const auto& folder : kResultFolders) remove_temporaries(dir / folder.name);
}

void remove_temporaries_of(const fs::path& dir, const std::vector<std::string>& names) {
  remove_temporaries_where(dir, [&](const fs::path& file) {
    const std::string target = temporary_target(file.filename().string());
    return !target.empty() && std::find(names.begin(), names.end(), target) != names.end();
  });
}

}  // namespace aebench
