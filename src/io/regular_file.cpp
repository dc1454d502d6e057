#include "aebench/io/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace aebench {

std::string file_kind_name(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISREG(mode)) return "a regular file";
  return "a file that is not a regular file";
}

std::string RegularFileText::problem(std::size_t max_bytes) const {
  switch (failure) {
    case ReadFailure::kNone:
      return "";
    case ReadFailure::kOpen:
      return missing ? "missing" : detail;
    case ReadFailure::kNotRegular:
      return detail + ", not a regular file";
    case ReadFailure::kTooLarge:
      return "larger than " + std::to_string(max_bytes) + " bytes (" + detail + ")";
    case ReadFailure::kRead:
      return detail;
  }
  return detail;
}

RegularFileText read_regular_file(const std::filesystem::path& path, std::size_t max_bytes) {
  RegularFileText result;
  const auto fail = [&](ReadFailure failure, std::string detail) {
    result.failure = failure;
    result.detail = std::move(detail);
    result.bytes.clear();
    return result;
  };
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (descriptor < 0) {
    result.missing = errno == ENOENT;
    return fail(ReadFailure::kOpen, std::strerror(errno));
  }
  struct Closer {
    int descriptor;
    ~Closer() { ::close(descriptor); }
  } closer{descriptor};
  struct stat info {};
  if (::fstat(descriptor, &info) != 0) return fail(ReadFailure::kOpen, std::strerror(errno));
  if (!S_ISREG(info.st_mode)) return fail(ReadFailure::kNotRegular, file_kind_name(info.st_mode));
  if (static_cast<std::size_t>(info.st_size) > max_bytes)
    return fail(ReadFailure::kTooLarge, std::to_string(info.st_size) + " bytes");
  result.bytes.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(descriptor, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(ReadFailure::kRead, std::strerror(errno));
    if (got == 0) return result;
    result.bytes.append(buffer, static_cast<std::size_t>(got));
    if (result.bytes.size() > max_bytes) return fail(ReadFailure::kTooLarge, "more: it grew");
  }
}

}  // namespace aebench
