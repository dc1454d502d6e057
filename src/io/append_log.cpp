#include "aebench/io/append_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stopwatch.h"

namespace aebench {

int open_append_file(const std::filesystem::path& path, const std::string& what) {
  // Non-blocking, so that a FIFO there cannot hold the open up: it is refused below.
  const int descriptor = ::open(
      path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
  if (descriptor < 0 && errno == ELOOP) refuse_symbolic_link(path, what);
  if (descriptor < 0 && errno == ENXIO)  // a FIFO without a reader
    throw OutputError(what + " " + path.string() +
                      ": expected a regular file, found a FIFO; remove it and run again");
  if (descriptor < 0)
    throw OutputError("cannot open the " + what + " " + path.string() +
                      " for appending: " + std::strerror(errno));
  struct stat status {};
  if (::fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(descriptor);
    throw OutputError(what + " " + path.string() +
                      ": expected a regular file, found a FIFO, device or socket; remove it and "
                      "run again");
  }
  if (status.st_nlink > 1) {
    // Another name shares this file (a `cp -al` snapshot of the run folder): appending would
    // change the snapshot too. The log gets a file of its own first, with what it held.
    ::close(descriptor);
    const RegularFileText held = read_regular_file(path, kMaxRunFileBytes);
    if (!held.ok())
      throw OutputError(what + " " + path.string() +
                        ": cannot read it to unshare it: " + held.problem());
    write_file_atomically(path, held.bytes);
    return open_append_file(path, what);
  }
  ::fcntl(descriptor, F_SETFL, O_WRONLY | O_APPEND);  // blocking writes again
  return descriptor;
}

AppendLog::AppendLog(const std::filesystem::path& path)
    : descriptor_(open_append_file(path, "log file")) {}

AppendLog::~AppendLog() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void AppendLog::line(const std::string& text) {
  const std::string whole = utc_timestamp() + " " + text + "\n";
  std::size_t written = 0;
  while (written < whole.size()) {
    const ssize_t count = ::write(descriptor_, whole.data() + written, whole.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return;
    written += static_cast<std::size_t>(count);
  }
}

}  // namespace aebench
