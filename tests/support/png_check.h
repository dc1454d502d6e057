#pragma once
// Test helper: checks that a file is a well-formed PNG without trusting the code that wrote it.
// Verifies the signature, every chunk's CRC, an IHDR for 8-bit RGB or grey, non-interlaced;
// inflates the IDAT stream and checks it holds exactly one filter byte plus one row of pixels
// per line; and requires IEND as the last chunk. Header-only; needs zlib.

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace aebench::testing {

struct PngInfo {
  bool valid = false;
  int width = 0;
  int height = 0;
  std::string error;  // why it is not valid: names the file and the problem
};

namespace png_check_detail {

inline std::uint32_t read_be32(const unsigned char* bytes) {
  return std::uint32_t(bytes[0]) << 24 | std::uint32_t(bytes[1]) << 16 |
         std::uint32_t(bytes[2]) << 8 | std::uint32_t(bytes[3]);
}

// Inflates `compressed` and returns the size of the output, or `limit` + 1 when it is larger,
// or -1 when it is not a complete zlib stream.
inline long long inflated_size(const std::vector<unsigned char>& compressed,
                               std::vector<unsigned char>& output, std::size_t limit) {
  output.assign(limit + 1, 0);
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return -1;
  stream.next_in = const_cast<unsigned char*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = output.data();
  stream.avail_out = static_cast<uInt>(output.size());
  const int result = inflate(&stream, Z_FINISH);
  const auto produced = static_cast<long long>(stream.total_out);
  inflateEnd(&stream);
  return result == Z_STREAM_END || stream.avail_out == 0 ? produced : -1;
}

}  // namespace png_check_detail

inline PngInfo inspect_png(const std::filesystem::path& path) {
  using png_check_detail::read_be32;
  PngInfo info;
  const auto fail = [&](const std::string& why) {
    info.valid = false;
    info.error = path.string() + ": " + why;
    return info;
  };
  std::ifstream file(path, std::ios::binary);
  if (!file) return fail("cannot open");
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)),
                                         std::istreambuf_iterator<char>());
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (bytes.size() < 8 || !std::equal(kSignature, kSignature + 8, bytes.begin()))
    return fail("no PNG signature");

  int channels = 0;
  bool seen_end = false;
  std::vector<unsigned char> image_data;
  for (std::size_t pos = 8; pos < bytes.size();) {
    const std::string at = " at byte " + std::to_string(pos);
    if (seen_end) return fail("data after IEND" + at);
    if (bytes.size() - pos < 12) return fail("truncated chunk header" + at);
    const std::uint32_t length = read_be32(&bytes[pos]);
    const std::string type(bytes.begin() + long(pos) + 4, bytes.begin() + long(pos) + 8);
    if (length > bytes.size() - pos - 12) return fail("chunk " + type + at + " runs past the end");
    const unsigned char* data = &bytes[pos + 8];
    const auto crc = crc32(crc32(0L, Z_NULL, 0), &bytes[pos + 4], length + 4);
    if (crc != read_be32(data + length)) return fail("CRC mismatch in chunk " + type + at);
    if (pos == 8 && type != "IHDR") return fail("first chunk is " + type + ", expected IHDR");
    if (type == "IHDR") {
      if (length != 13) return fail("IHDR has " + std::to_string(length) + " bytes, expected 13");
      info.width = int(read_be32(data));
      info.height = int(read_be32(data + 4));
      const int depth = data[8], colour_type = data[9];
      channels = colour_type == 2 ? 3 : colour_type == 0 ? 1 : 0;
      if (info.width <= 0 || info.height <= 0) return fail("IHDR has a zero size");
      if (depth != 8 || channels == 0)
        return fail("bit depth " + std::to_string(depth) + ", colour type " +
                    std::to_string(colour_type) + "; expected 8-bit RGB (2) or grey (0)");
      if (data[10] != 0 || data[11] != 0 || data[12] != 0)
        return fail("unexpected compression, filter or interlace method");
    } else if (type == "IDAT") {
      image_data.insert(image_data.end(), data, data + length);
    } else if (type == "IEND") {
      seen_end = true;
    }
    pos += 12 + std::size_t(length);
  }
  if (!seen_end) return fail("no IEND chunk");
  if (image_data.empty()) return fail("no IDAT chunk");

  const std::size_t row_bytes = 1 + std::size_t(info.width) * std::size_t(channels);
  const std::size_t expected = std::size_t(info.height) * row_bytes;
  if (expected > (std::size_t(1) << 30)) return fail("image too large to check");
  std::vector<unsigned char> pixels;
  const long long size = png_check_detail::inflated_size(image_data, pixels, expected);
  if (size < 0) return fail("IDAT is not a complete zlib stream");
  if (std::size_t(size) != expected)
    return fail("IDAT inflates to " + std::to_string(size) + " bytes, expected " +
                std::to_string(expected));
  for (std::size_t row = 0; row < std::size_t(info.height); ++row)
    if (pixels[row * row_bytes] > 4)
      return fail("row " + std::to_string(row) + " has filter type " +
                  std::to_string(pixels[row * row_bytes]));
  info.valid = true;
  return info;
}

}  // namespace aebench::testing
