#include "aebench/io/npy_file.h"

#include <stdexcept>

#include "aebench/io/atomic_file.h"
#include "aebench/io/run_folder.h"

namespace aebench {

const char* npy_type_string(NpyType type) {
  switch (type) {
    case NpyType::kFloat32:
      return "<f4";
    case NpyType::kFloat64:
      return "<f8";
    case NpyType::kInt64:
      return "<i8";
    case NpyType::kUint8:
      return "|u1";
  }
  throw std::invalid_argument("npy: unknown type");
}

std::size_t npy_type_size(NpyType type) {
  return type == NpyType::kUint8 ? 1 : type == NpyType::kFloat32 ? 4 : 8;
}

std::string npy_bytes(NpyType type, const std::vector<std::int64_t>& shape, const void* values,
                      std::size_t size) {
  std::size_t count = 1;
  std::string dims;
  for (const auto dim : shape) {
    if (dim < 0) throw std::invalid_argument("npy: negative dimension");
    count *= static_cast<std::size_t>(dim);
    dims += (dims.empty() ? "" : ", ") + std::to_string(dim);
  }
  if (shape.size() == 1) dims += ',';  // Python's one-element tuple, "(3,)"
  if (count * npy_type_size(type) != size)
    throw std::invalid_argument("npy: " + std::to_string(size) + " bytes for a shape of " +
                                std::to_string(count) + " values");
  std::string header = std::string("{'descr': '") + npy_type_string(type) +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  constexpr std::size_t kPreamble = 10;  // magic (6), version (2), header length (2)
  header.append((64 - (kPreamble + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(static_cast<const char*>(values), size);
  return bytes;
}

void write_npy(const std::filesystem::path& path, NpyType type,
               const std::vector<std::int64_t>& shape, const void* values, std::size_t size) {
  write_file_atomically(path, npy_bytes(type, shape, values, size));
}

}  // namespace aebench
