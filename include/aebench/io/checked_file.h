#pragma once
// A small container that makes corruption visible before anything parses a file: checkpoints
// are written as  magic "AEBCHK01" (8 bytes) | payload length (u64, little-endian) |
// CRC-32 of the payload (u32, little-endian) | payload.
// A truncated, extended or bit-flipped file is reported as such instead of being handed to
// LibTorch's loader, which can crash on malformed input. Free of LibTorch.

#include <cstdint>
#include <filesystem>
#include <string>

namespace aebench {

inline constexpr char kCheckedFileMagic[] = "AEBCHK01";
inline constexpr std::size_t kCheckedHeaderBytes = 8 + 8 + 4;

// `payload` with the header in front.
std::string wrap_checked(const std::string& payload);

// Checks a file's first kCheckedHeaderBytes `header` against its size before the rest is read
// (a huge or sparse file in a checkpoint's place is refused at once): magic, and a payload
// length that fills the file exactly. Throws DataError naming `source` as unwrap_checked does.
void check_checked_header(const std::string& header, std::uint64_t file_bytes,
                          const std::string& source);

// The payload of `bytes`, after checking magic, length and CRC-32. Throws DataError naming
// `source` and saying what is wrong (not a checkpoint, truncated, trailing bytes, corrupt).
std::string unwrap_checked(const std::string& bytes, const std::string& source);

// Whether `file` is a regular file that starts with a checked header (the magic), whatever its
// length. Never blocks.
bool starts_with_checked_magic(const std::filesystem::path& file);

// The CRC-32 of `file`'s payload as its header says, as 8 hex digits ("0a1b2c3d"), or "" when
// `file` is no regular file that starts with a checked header whose payload length fills it
// (a truncated or extended file has none). Reads the header alone, and
// never blocks (a FIFO is no regular file): a model.pt's identity, cheaply.
// With CrcCheck::kPayload the payload is read too, and a file whose bytes no longer have the
// CRC-32 its header names (changed in place) has none either.
enum class CrcCheck { kHeader, kPayload };
std::string checked_file_crc(const std::filesystem::path& file, CrcCheck check = CrcCheck::kHeader);

}  // namespace aebench
