#pragma once
// NumPy's .npy format (version 1.0): a header naming the element type and shape, then the
// values in C order. What `aebench encode` writes; numpy.load reads it. Free of LibTorch.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace aebench {

// Element types, as NumPy's little-endian type strings.
enum class NpyType { kFloat32, kFloat64, kInt64, kUint8 };
const char* npy_type_string(NpyType type);  // "<f4", "<f8", "<i8", "|u1"
std::size_t npy_type_size(NpyType type);    // 4, 8, 8, 1

// The file's bytes: magic, version 1.0, the header dict padded with spaces to a multiple of 64
// bytes and ended by a newline, then `values` (shape's product x the type's size bytes, in the
// machine's order: x86-64 and arm64 are little-endian). A size that does not match `shape` is
// a std::invalid_argument.
std::string npy_bytes(NpyType type, const std::vector<std::int64_t>& shape, const void* values,
                      std::size_t size);

// npy_bytes written atomically to `path` (io/run_folder.h's write_file_atomically).
void write_npy(const std::filesystem::path& path, NpyType type,
               const std::vector<std::int64_t>& shape, const void* values, std::size_t size);

}  // namespace aebench
