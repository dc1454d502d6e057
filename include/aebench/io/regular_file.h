#pragma once
// Reading a file aebench did not just write (a config, a run folder's summary.json and PNGs, a
// sweep's logs and bench.json): only a regular file, and only up to a size, so a FIFO,
// /dev/zero or a huge file in its place answers at once with a reason instead of hanging or
// exhausting memory. The one way aebench reads such files. Free of LibTorch.

#include <cstddef>
#include <filesystem>
#include <string>

namespace aebench {

// The most a run-folder file is read: far above what aebench writes (a PNG of a few MiB).
inline constexpr std::size_t kMaxRunFileBytes = std::size_t{256} << 20;

enum class ReadFailure {
  kNone,
  kOpen,        // could not be opened (detail: the OS reason; `missing` when it does not exist)
  kNotRegular,  // a folder, FIFO, device or socket (detail: which, "a FIFO (named pipe)")
  kTooLarge,    // more than the limit (detail: "N bytes", or "more" when it grew while read)
  kRead,        // a read failed (detail: the OS reason)
};

struct RegularFileText {
  std::string bytes;  // the whole contents when failure is kNone
  ReadFailure failure = ReadFailure::kNone;
  std::string detail;
  bool missing = false;
  bool ok() const { return failure == ReadFailure::kNone; }
  // One phrase for messages: "missing", "a FIFO (named pipe), not a regular file",
  // "larger than 268435456 bytes (300000000 bytes)", the OS reason.
  std::string problem(std::size_t max_bytes = kMaxRunFileBytes) const;
};

// Reads `path` whole when it is a regular file (symbolic links followed) of at most
// `max_bytes`. Never blocks on a FIFO or a device: opened non-blocking, checked with fstat.
RegularFileText read_regular_file(const std::filesystem::path& path,
                                  std::size_t max_bytes = kMaxRunFileBytes);

// What kind of file a stat mode names, for messages ("a FIFO (named pipe)", "a directory").
std::string file_kind_name(unsigned mode);

}  // namespace aebench
