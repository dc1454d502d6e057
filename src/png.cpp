#include "aebench/png.h"

#include <fcntl.h>
#include <stb_image_write.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "aebench/errors.h"

namespace aebench {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& reason) {
  throw OutputError("cannot write " + path.string() + ": " + reason);
}

void append_bytes(void* context, void* data, int size) {
  auto& bytes = *static_cast<std::vector<unsigned char>*>(context);
  const auto* first = static_cast<const unsigned char*>(data);
  bytes.insert(bytes.end(), first, first + size);
}

// stbi_write_png() ignores the results of fwrite() and fclose(), so a full disk would go
// unnoticed: encode in memory, then write and check every call ourselves.
std::vector<unsigned char> encode_png(const std::filesystem::path& path, const Canvas& canvas) {
  std::vector<unsigned char> bytes;
  if (!stbi_write_png_to_func(append_bytes, &bytes, canvas.width(), canvas.height(), 3,
                              canvas.pixels().data(), canvas.width() * 3))
    fail(path, "PNG encoding failed");
  return bytes;
}

// Writes all of `bytes` to a new file at `path` and flushes it to the disk.
void write_file_durably(const std::filesystem::path& path, const std::vector<unsigned char>& bytes,
                        const std::filesystem::path& reported_path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(reported_path, std::strerror(errno));
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t count = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      const int error = errno;
      ::close(fd);
      fail(reported_path, std::strerror(error));
    }
    written += std::size_t(count);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail(reported_path, std::strerror(error));
  }
  if (::close(fd) != 0) fail(reported_path, std::strerror(errno));
}

}  // namespace

void write_png(const std::filesystem::path& path, const Canvas& canvas) {
  const auto bytes = encode_png(path, canvas);
  auto temporary = path;
  temporary += ".tmp-" + std::to_string(::getpid());
  try {
    write_file_durably(temporary, bytes, path);
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) fail(path, error.message());
  } catch (const OutputError&) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

}  // namespace aebench
