#include "aebench/io/append_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stopwatch.h"

namespace aebench {

AppendLog::AppendLog(const std::filesystem::path& path) {
  descriptor_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (descriptor_ < 0 && errno == ELOOP) refuse_symbolic_link(path, "log file");
  if (descriptor_ < 0)
    throw OutputError("cannot open " + path.string() + " for appending: " + std::strerror(errno));
}

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
