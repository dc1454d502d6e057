#include "aebench/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aebench/errors.h"
#include "aebench/io/regular_file.h"

namespace aebench {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_os_error(const std::string& action, const fs::path& path) {
  throw OutputError("cannot " + action + " " + path.string() + ": " + std::strerror(errno));
}

void write_all(int descriptor, const std::string& contents, const fs::path& path) {
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t count = ::write(descriptor, contents.data() + written, contents.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) throw_os_error("write", path);
    written += static_cast<std::size_t>(count);
  }
}

// A rename is only durable once the folder entry itself is on disk.
void sync_folder(const fs::path& folder) {
  const int descriptor = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (descriptor < 0) return;  // some file systems do not allow it; the data is still synced
  ::fsync(descriptor);
  ::close(descriptor);
}

// A rename replaces whatever has the name: a device node or FIFO there (bench --out /dev/zero)
// would be replaced, as root even a system's. Only a regular file, a link (replaced as a name,
// never followed) or nothing may be there.
void refuse_special_file(const fs::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return;
  if (S_ISREG(info.st_mode) || S_ISLNK(info.st_mode)) return;
  throw OutputError("cannot write " + path.string() +
                    ": expected a regular file there (or none), " + "found " +
                    file_kind_name(info.st_mode) + "; choose another path");
}

}  // namespace

fs::path temporary_path(const fs::path& path) {
  return path.parent_path() /
         ("." + path.filename().string() + kTemporaryMark + std::to_string(::getpid()));
}

void write_file_atomically(const fs::path& path, const std::string& contents) {
  refuse_special_file(path);
  const fs::path temporary = temporary_path(path);
  // Errors name the file the caller asked for, and the temporary that failed.
  const fs::path shown = path.string() + " (via " + temporary.filename().string() + ")";
  constexpr int kNew = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
  int descriptor = ::open(temporary.c_str(), kNew, 0644);
  if (descriptor < 0 && errno == EEXIST) {  // a killed process's leftover, or a planted link
    ::unlink(temporary.c_str());
    descriptor = ::open(temporary.c_str(), kNew, 0644);
  }
  if (descriptor < 0 && (errno == ENOENT || errno == ENOTDIR))  // moved away mid-run, say
    throw OutputError("cannot write " + path.string() + ": expected its folder " +
                      path.parent_path().string() + " to exist, found none; nothing was written");
  if (descriptor < 0) throw_os_error("create", shown);
  try {
    write_all(descriptor, contents, shown);
    if (::fsync(descriptor) != 0) throw_os_error("sync", shown);
  } catch (...) {
    ::close(descriptor);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::close(descriptor) != 0) {
    ::unlink(temporary.c_str());
    throw_os_error("close", shown);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    throw_os_error("rename into", path);
  }
  sync_folder(path.parent_path());
}

void require_writable_file(const fs::path& path) {
  std::error_code error;
  if (fs::is_directory(path, error))
    throw OutputError("cannot write " + path.string() + ": expected a file name, found a folder");
  refuse_special_file(path);
  const fs::path probe = temporary_path(path);
  const int descriptor =
      ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (descriptor < 0) {
    const std::string folder = path.has_parent_path() ? path.parent_path().string() : ".";
    if (errno == ENOENT || errno == ENOTDIR)
      throw OutputError("cannot write " + path.string() + ": expected its folder " + folder +
                        " to exist, found none; create it, or name a file in a folder that does");
    if (errno == EACCES || errno == EPERM || errno == EROFS)
      throw OutputError("cannot write " + path.string() + ": expected a folder this user may " +
                        "write in, found " + folder + " (" + std::strerror(errno) +
                        "); name a file elsewhere");
    throw_os_error("write", path);
  }
  ::close(descriptor);
  ::unlink(probe.c_str());
}

void write_json_file(const fs::path& path, const nlohmann::json& value) {
  write_file_atomically(path, value.dump(2) + "\n");
}

void write_json_file(const fs::path& path, const nlohmann::ordered_json& value) {
  write_file_atomically(path, value.dump(2) + "\n");
}

}  // namespace aebench
