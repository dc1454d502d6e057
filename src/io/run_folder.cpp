#include "aebench/io/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <iterator>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/regular_file.h"

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

bool holds_something(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.path().filename() != kLockFile && !is_aebench_temporary(entry.path())) return true;
  return false;
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
// (refuse_linked_subfolders).
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
    if (!fs::exists(fs::symlink_status(file))) return;  // absent
    refuse_unreplaceable_names(dir, {name}, "run folder " + dir.string());
    if (!ours)
      throw OutputError("run folder " + dir.string() + " holds " + name +
                        " but no run of aebench's (no run.json): --overwrite replaces only "
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

void refuse_linked_subfolders(const fs::path& dir) {
  for (const auto& folder : kResultFolders)
    refuse_symbolic_link(dir / folder.name, "run subfolder");
}

}  // namespace

void refuse_unreplaceable_names(const fs::path& dir, const std::vector<std::string>& names,
                                const std::string& where) {
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
      if (last && S_ISDIR(info.st_mode))
        throw OutputError(where + ": " + shown +
                          " is a folder, not aebench's file; move it and run again");
      if (last && !S_ISREG(info.st_mode) && !S_ISLNK(info.st_mode))
        throw OutputError(where + ": " + shown + " is " + file_kind_name(info.st_mode) +
                          ", not aebench's file; move it and run again");
    }
  }
}

std::vector<std::string> result_files(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& result : kResultFolders)
    if (folder == result.name)
      for (const auto& name : *result.files) files.push_back(folder + "/" + name);
  return files;
}

namespace {

// FOLDER/`name` as a JSON object with an integer "format_version" (and an array `list`, when
// one is named), else null.
nlohmann::json versioned_document(const fs::path& file, const char* list = nullptr) {
  const RegularFileText text = read_regular_file(file, std::size_t{1} << 24);
  if (!text.ok()) return nullptr;
  auto document = nlohmann::json::parse(text.bytes, nullptr, false);
  if (!document.is_object() || !document.contains("format_version") ||
      !document["format_version"].is_number_integer())
    return nullptr;
  if (list != nullptr && (!document.contains(list) || !document[list].is_array())) return nullptr;
  return document;
}

}  // namespace

namespace {

// run.json as train writes it: this format version and at least one session, each an object
// with the command that started it and when.
bool is_run_marker(const nlohmann::json& marker) {
  if (marker.is_null() || marker["format_version"] != kRunFormatVersion ||
      marker["sessions"].empty())
    return false;
  for (const auto& session : marker["sessions"])
    if (!session.is_object() || !session.contains("command") || !session["command"].is_string() ||
        !session.contains("started") || !session["started"].is_string())
      return false;
  return true;
}

}  // namespace

bool is_run_folder(const fs::path& dir) {
  if (is_symbolic_link(dir / kRunMarkerFile)) return false;
  if (is_run_marker(versioned_document(dir / kRunMarkerFile, "sessions"))) return true;
  // A run of a version before run.json: a checkpoint of aebench's own form (an interrupted
  // run), or a finished run's summary.json (with its epochs and config) beside model.pt in that
  // form. eval/'s summary.json has neither epochs nor such a model beside it.
  if (starts_with_checked_magic(dir / kCheckpointFile)) return true;
  const nlohmann::json summary = versioned_document(dir / kSummaryFile);
  return starts_with_checked_magic(dir / kModelFile) && !summary.is_null() &&
         summary["format_version"].get<int>() >= 1 && summary.contains("epochs_run") &&
         summary.contains("config") && summary["config"].is_object();
}

std::string run_marker_problem(const fs::path& dir) {
  const fs::path file = dir / kRunMarkerFile;
  struct stat info {};
  // Absent: a run of a version before run.json. A link is replaced as a name, never read.
  if (::lstat(file.c_str(), &info) != 0 || S_ISLNK(info.st_mode)) return "";
  if (is_run_marker(versioned_document(file, "sessions"))) return "";
  const RegularFileText text = read_regular_file(file, std::size_t{1} << 24);
  if (!text.ok()) return text.problem(std::size_t{1} << 24);
  const auto document = nlohmann::json::parse(text.bytes, nullptr, false);
  if (document.is_discarded()) return "invalid JSON";
  if (!document.is_object()) return "JSON that is not an object";
  const auto version = document.find("format_version");
  if (version == document.end()) return "no format_version";
  if (!version->is_number_integer()) return "format_version " + version->dump() + ", not a number";
  if (*version != kRunFormatVersion)
    return "format_version " + version->dump() + " (written by another aebench version)";
  return "no list of sessions, each with its command and start";
}

bool is_sweep_folder(const fs::path& dir) {
  return !versioned_document(dir / kSweepFile, "points").is_null();
}

std::string damaged_sweep_record(const fs::path& dir) {
  const fs::path file = dir / kSweepFile;
  struct stat info {};
  if (::lstat(file.c_str(), &info) != 0) return "";
  if (is_sweep_folder(dir)) {
    std::vector<std::string> names = sweep_point_names(dir);
    if (names.empty()) return "no points";
    std::sort(names.begin(), names.end());
    const auto twice = std::adjacent_find(names.begin(), names.end());
    return twice == names.end() ? "" : "the point " + *twice + " twice";
  }
  const RegularFileText text = read_regular_file(file, std::size_t{1} << 24);
  if (!text.ok()) return text.problem(std::size_t{1} << 24);
  const auto document = nlohmann::json::parse(text.bytes, nullptr, false);
  if (document.is_discarded()) return "invalid JSON";
  // A record without its format_version or list of points: what aebench sweep writes and no
  // sweep file has (a format_version, a slurm_job_id, points with their state).
  if (document.is_object() &&
      (document.contains("format_version") || document.contains("slurm_job_id"))) {
    const auto points = document.find("points");
    if (points == document.end() || !points->is_array())
      return "a record without its list of points";
    return "a record without its format_version (an integer)";
  }
  if (document.is_object() && document.contains("points") && document["points"].is_array())
    for (const auto& point : document["points"])
      if (point.is_object() && point.contains("state"))
        return "points with a state (a record's) but no format_version";
  // A user's sweep file of that name: an object with its "base", and no format_version.
  if (document.is_object() && document.contains("base") && !document.contains("format_version"))
    return "";
  return "JSON that is neither a sweep record (format_version, points) nor a sweep file (base)";
}

std::vector<std::string> sweep_point_names(const fs::path& dir) {
  std::vector<std::string> names;
  const nlohmann::json record = versioned_document(dir / kSweepFile, "points");
  if (record.is_null()) return names;
  for (const auto& point : record["points"])
    if (point.is_object() && point.contains("name") && point["name"].is_string())
      names.push_back(point["name"].get<std::string>());
  return names;
}

fs::path without_trailing_separator(const fs::path& path) {
  fs::path folder = path;
  while (folder.has_parent_path() && folder.filename().empty() && folder != folder.root_path())
    folder = folder.parent_path();
  return folder;
}

std::string non_folder_kind(const fs::path& path) {
  if (struct stat info{}; ::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
    return file_kind_name(info.st_mode);  // a FIFO, a device (/dev/null)
  return "a file";
}

std::string what_is_at(const fs::path& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (fs::is_directory(status)) return "a folder";
  if (status.type() == fs::file_type::not_found) return "no such folder";
  if (error) return "no folder (" + error.message() + ")";
  return non_folder_kind(path) + ", not a folder";
}

bool is_symbolic_link(const fs::path& path) {
  std::error_code error;
  return fs::symlink_status(path, error).type() == fs::file_type::symlink;
}

void refuse_symbolic_link(const fs::path& path, const std::string& what) {
  if (!is_symbolic_link(path)) return;
  std::error_code error;
  const fs::path target = fs::read_symlink(path, error);
  throw OutputError(what + " " + path.string() + " is a symbolic link (to " + target.string() +
                    "); aebench does not write or delete through links it did not make: remove "
                    "the link (its target stays) or write elsewhere");
}

fs::path make_real_subfolder(const fs::path& dir, const fs::path& relative) {
  fs::path folder = dir;
  for (const auto& part : relative) {
    folder /= part;
    refuse_symbolic_link(folder, "folder");
    std::error_code error;
    if (fs::create_directory(folder, error) || fs::is_directory(fs::symlink_status(folder)))
      continue;
    throw OutputError("cannot create folder " + folder.string() + ": " +
                      (error ? error.message() : "a file of that name is in the way"));
  }
  return folder;
}

RunLock::RunLock(const fs::path& dir) : path_(dir / kLockFile) {
  std::error_code error;
  if (fs::exists(dir, error) && !fs::is_directory(dir, error))
    throw OutputError("run folder " + dir.string() + ": expected a folder, found " +
                      non_folder_kind(dir));
  fs::create_directories(dir, error);
  if (error) throw OutputError("cannot create run folder " + dir.string() + ": " + error.message());
  // The holder unlinks the file when it lets go. A process that opened the file just before
  // that gets the lock on an unlinked file: it notices (the path is gone or names another
  // file) and tries again on the file now at the path.
  for (;;) {
    descriptor_ =
        ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (descriptor_ < 0 && errno == ELOOP) refuse_symbolic_link(path_, "lock file");
    if (descriptor_ < 0)
      throw OutputError("cannot create the lock file " + path_.string() + ": " +
                        std::strerror(errno));
    struct stat opened {};
    if (::fstat(descriptor_, &opened) == 0 && !S_ISREG(opened.st_mode)) {
      ::close(descriptor_);
      throw OutputError("lock file " + path_.string() + ": expected a regular file (or none), " +
                        "found " + file_kind_name(opened.st_mode) + "; remove it and run again");
    }
    if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
      ::close(descriptor_);
      throw OutputError("run folder " + dir.string() +
                        " is in use by another aebench process; wait for it to finish, then run "
                        "again (a new train may also write elsewhere with --out DIR)");
    }
    struct stat held {
    }, at_path{};
    if (::fstat(descriptor_, &held) == 0 && ::stat(path_.c_str(), &at_path) == 0 &&
        held.st_dev == at_path.st_dev && held.st_ino == at_path.st_ino)
      return;
    ::close(descriptor_);
  }
}

RunLock::~RunLock() {
  ::unlink(path_.c_str());  // while still holding the lock: see the constructor
  ::close(descriptor_);
}

bool run_folder_in_use(const fs::path& dir) {
  // Non-blocking: a FIFO in the lock file's place must not hang the probe (RunLock refuses it).
  const int descriptor =
      ::open((dir / kLockFile).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (descriptor < 0) return false;
  struct stat opened {};
  const bool regular = ::fstat(descriptor, &opened) == 0 && S_ISREG(opened.st_mode);
  const bool held = regular && ::flock(descriptor, LOCK_SH | LOCK_NB) != 0;
  ::close(descriptor);  // releases the probe's own lock, if it got one
  return held;
}

void refuse_nested_run_folder(const fs::path& dir, const std::string& what) {
  std::error_code error;
  // As written (RUN/export/../x) and as the links in it lead (LINK/x, LINK a link into RUN).
  for (const fs::path& path :
       {without_trailing_separator(fs::absolute(dir, error).lexically_normal()),
        without_trailing_separator(fs::weakly_canonical(fs::absolute(dir, error), error))})
    for (fs::path above = path.parent_path(); !above.empty(); above = above.parent_path()) {
      if (is_run_folder(above))
        throw OutputError(what + " " + dir.string() +
                          ": expected a folder outside other runs, found it inside the run " +
                          "folder " + above.string() +
                          ", whose own results go there; use --out DIR elsewhere");
      if (above == above.parent_path()) break;
    }
}

void prepare_run_folder(const fs::path& dir, bool overwrite) {
  if (!holds_something(dir)) return;
  if (!overwrite)
    throw OutputError("run folder " + dir.string() +
                      " is not empty; pass --resume to continue its run, --overwrite to replace "
                      "it, or --out DIR to write elsewhere");
  refuse_foreign_artefacts(dir, {kRunArtefacts.begin(), kRunArtefacts.end()});
  refuse_linked_subfolders(dir);
  for (const auto& folder : kResultFolders) remove_artefacts(dir, folder);
  for (const auto& name : kRunArtefacts) remove_old_artefact(dir, name);
}

void remove_model_results(const fs::path& dir) {
  // Every file the resumed run will write, before it trains: a folder or FIFO at one of their
  // names would stop it only after hours of training.
  refuse_foreign_artefacts(dir, {kRunArtefacts.begin(), kRunArtefacts.end()});
  refuse_linked_subfolders(dir);
  for (const auto& folder : kResultFolders) remove_artefacts(dir, folder);
  remove_old_artefact(dir, kSummaryFile);
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

std::string folder_name(const fs::path& dir) {
  std::error_code error;
  fs::path normal = fs::absolute(dir, error).lexically_normal();
  if (!normal.has_filename()) normal = normal.parent_path();
  return normal.filename().string();
}

}  // namespace aebench
