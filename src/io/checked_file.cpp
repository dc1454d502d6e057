#include "aebench/io/checked_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <optional>

#include "aebench/errors.h"

namespace aebench {
namespace {

void put_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get_le(const std::string& in, std::size_t offset, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= std::uint64_t(static_cast<unsigned char>(in[offset + i])) << (8 * i);
  return value;
}

std::uint32_t crc32_of(const std::string& data, std::size_t offset) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large payloads in chunks.
  for (std::size_t position = offset; position < data.size();) {
    const std::size_t chunk = std::min<std::size_t>(data.size() - position, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + position), uInt(chunk));
    position += chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

std::string wrap_checked(const std::string& payload) {
  std::string out(kCheckedFileMagic, 8);
  put_le(out, payload.size(), 8);
  put_le(out, crc32_of(payload, 0), 4);
  out += payload;
  return out;
}

void check_checked_header(const std::string& header, std::uint64_t file_bytes,
                          const std::string& source) {
  if (file_bytes < kCheckedHeaderBytes || header.size() < kCheckedHeaderBytes ||
      header.compare(0, 8, kCheckedFileMagic) != 0)
    throw DataError(
        source + ": expected an aebench checkpoint (magic AEBCHK01), found " +
        (file_bytes < 8 ? "a file of " + std::to_string(file_bytes) + " bytes" : "other content"));
  const std::uint64_t length = get_le(header, 8, 8);
  const std::uint64_t actual = file_bytes - kCheckedHeaderBytes;
  if (actual != length)
    throw DataError(source + ": expected " + std::to_string(length) + " payload bytes, found " +
                    std::to_string(actual) +
                    (actual < length ? " (truncated)" : " (trailing bytes)"));
}

std::string unwrap_checked(const std::string& bytes, const std::string& source) {
  check_checked_header(bytes.substr(0, kCheckedHeaderBytes), bytes.size(), source);
  const auto expected_crc = static_cast<std::uint32_t>(get_le(bytes, 16, 4));
  const std::uint32_t found_crc = crc32_of(bytes, kCheckedHeaderBytes);
  if (expected_crc != found_crc)
    throw DataError(source + ": expected CRC-32 " + std::to_string(expected_crc) + ", found " +
                    std::to_string(found_crc) + " (the file is corrupt)");
  return bytes.substr(kCheckedHeaderBytes);
}

namespace {

// `file`'s first kCheckedHeaderBytes and its size, when it is a regular file holding a header
// that starts with the magic; false else. Never blocks (a FIFO is no regular file).
bool read_checked_header(const std::filesystem::path& file, std::string& header,
                         std::uint64_t& file_bytes) {
  const int descriptor = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (descriptor < 0) return false;
  struct stat info {};
  header.assign(kCheckedHeaderBytes, '\0');
  const bool read =
      ::fstat(descriptor, &info) == 0 && S_ISREG(info.st_mode) &&
      ::read(descriptor, header.data(), header.size()) == static_cast<ssize_t>(header.size());
  ::close(descriptor);
  file_bytes = static_cast<std::uint64_t>(info.st_size);
  return read && header.compare(0, 8, kCheckedFileMagic, 8) == 0;
}

// The CRC-32 of `file` after its header, read in blocks (a model of any size, in little
// memory); nullopt when it cannot be read.
std::optional<std::uint32_t> payload_crc(const std::filesystem::path& file) {
  const int descriptor = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (descriptor < 0) return std::nullopt;
  uLong crc = crc32(0L, Z_NULL, 0);
  std::string block(1 << 20, '\0');
  bool ok = ::lseek(descriptor, kCheckedHeaderBytes, SEEK_SET) >= 0;
  for (ssize_t got = 0; ok && (got = ::read(descriptor, block.data(), block.size())) != 0;) {
    ok = got > 0;
    if (ok) crc = crc32(crc, reinterpret_cast<const Bytef*>(block.data()), uInt(got));
  }
  ::close(descriptor);
  if (!ok) return std::nullopt;
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

bool starts_with_checked_magic(const std::filesystem::path& file) {
  std::string header;
  std::uint64_t file_bytes = 0;
  return read_checked_header(file, header, file_bytes);
}

std::string checked_file_crc(const std::filesystem::path& file, CrcCheck check) {
  std::string header;
  std::uint64_t file_bytes = 0;
  // A payload length that does not fill the file: truncated or extended, no model's identity.
  if (!read_checked_header(file, header, file_bytes) ||
      get_le(header, 8, 8) + kCheckedHeaderBytes != file_bytes)
    return "";
  const auto named = static_cast<std::uint32_t>(get_le(header, 16, 4));
  if (check == CrcCheck::kPayload && payload_crc(file) != named) return "";
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(named));
  return text;
}

}  // namespace aebench
