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
#include "aebench/io/stop_signal.h"

namespace aebench {

namespace fs = std::filesystem;

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
  if (fs::is_directory(status))  // one this user may not read looks like an empty one
    return ::access(path.c_str(), R_OK | X_OK) == 0
               ? "a folder"
               : "a folder this user cannot read (" + std::string(std::strerror(errno)) + ")";
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

namespace {

// Whether `path` names the file open at `descriptor`.
bool names_open_file(const fs::path& path, int descriptor) {
  struct stat held {
  }, at_path{};
  return ::fstat(descriptor, &held) == 0 && ::stat(path.c_str(), &at_path) == 0 &&
         held.st_dev == at_path.st_dev && held.st_ino == at_path.st_ino;
}

}  // namespace

RunLock::RunLock(const fs::path& dir, const std::string& what, const std::string& advice)
    : path_(dir / kLockFile) {
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
    if (descriptor_ < 0 && errno == EISDIR)
      throw OutputError("lock file " + path_.string() + ": expected a regular file (or none), " +
                        "found a folder, not aebench's; move it away, then run again");
    if (descriptor_ < 0)
      throw OutputError("cannot create the lock file " + path_.string() + ": " +
                        std::strerror(errno));
    struct stat opened {};
    if (::fstat(descriptor_, &opened) == 0 && !S_ISREG(opened.st_mode)) {
      ::close(descriptor_);
      throw OutputError("lock file " + path_.string() + ": expected a regular file (or none), " +
                        "found " + file_kind_name(opened.st_mode) + "; remove it and run again");
    }
    // aebench's lock files stay empty: one with content is a file of the user's, which the
    // lock's release would delete.
    if (opened.st_size > 0) {
      ::close(descriptor_);
      throw OutputError("lock file " + path_.string() + ": expected aebench's empty lock file " +
                        "(or none), found a file of " + std::to_string(opened.st_size) +
                        " bytes, not aebench's; move it away, then run again");
    }
    if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
      ::close(descriptor_);
      throw OutputError(what + " " + dir.string() +
                        " is in use by another aebench process; wait for it to finish, then run " +
                        "again" + (advice.empty() ? "" : " (" + advice + ")"));
    }
    if (names_open_file(path_, descriptor_)) {
      register_held_lock(path_.c_str());  // a stop that exits at once removes it too
      return;
    }
    ::close(descriptor_);
  }
}

void RunLock::require_held() const {
  if (names_open_file(path_, descriptor_)) return;
  throw OutputError("run folder " + path_.parent_path().string() +
                    ": expected the folder this command locked, found another there (it was "
                    "moved, removed or replaced while the command wrote it); nothing more was "
                    "written: run the command again (a train with --resume) where the folder "
                    "went");
}

RunLock::~RunLock() {
  unregister_held_lock(path_.c_str());
  // While still holding the lock (see the constructor); only ours: the folder may have been
  // replaced while the command ran, and what is at the path now is not this lock.
  if (names_open_file(path_, descriptor_)) ::unlink(path_.c_str());
  ::close(descriptor_);
}

bool resume_unfinished(const std::filesystem::path& folder) {
  const RegularFileText file = read_regular_file(folder / kRunMarkerFile);
  if (!file.ok()) return false;
  const auto record = nlohmann::json::parse(file.bytes, nullptr, false);
  if (!record.is_object() || !record.contains("sessions") || !record["sessions"].is_array() ||
      record["sessions"].size() < 2)
    return false;
  const auto& last = record["sessions"].back();
  return last.is_object() && last.contains("finished") && last["finished"].is_null();
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

std::string folder_name(const fs::path& dir) {
  std::error_code error;
  fs::path normal = fs::absolute(dir, error).lexically_normal();
  if (!normal.has_filename()) normal = normal.parent_path();
  return normal.filename().string();
}

}  // namespace aebench
