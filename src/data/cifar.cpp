#include "aebench/data/cifar.h"

#include <stdexcept>
#include <system_error>

#include "aebench/data/idx.h"
#include "aebench/errors.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCifarDownloadHint =
    "download the binary version (cifar-10-binary.tar.gz) from "
    "https://www.cs.toronto.edu/~kriz/cifar.html, extract it and put data_batch_1.bin .. "
    "data_batch_5.bin and test_batch.bin in that folder, or set data.dir (docs/configs.md: "
    "CIFAR-10)";

[[noreturn]] void fail_cifar(const std::string& source, const std::string& what) {
  throw DataError(source + ": " + what);
}

std::string kind_of(fs::file_type type) {
  switch (type) {
    case fs::file_type::directory:
      return "a directory";
    case fs::file_type::fifo:
      return "a FIFO";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device";
    default:
      return "not a regular file";
  }
}

}  // namespace

CifarImages parse_cifar_batch(const std::vector<std::uint8_t>& bytes, const std::string& source) {
  const std::string record = std::to_string(kCifarRecordBytes) + "-byte records (1 label byte + " +
                             std::to_string(kCifarImageBytes) + " pixel bytes each)";
  if (bytes.empty())
    fail_cifar(source, "expected at least one of the " + record + ", found an empty file");
  const std::size_t whole = bytes.size() / kCifarRecordBytes;
  const std::size_t over = bytes.size() % kCifarRecordBytes;
  if (over != 0)
    fail_cifar(source, "expected a size that is a multiple of " +
                           std::to_string(kCifarRecordBytes) + " bytes (" + record + "), found " +
                           std::to_string(bytes.size()) + " bytes: " + std::to_string(whole) +
                           " records and " + std::to_string(over) +
                           " bytes over (truncated, or not a CIFAR-10 binary file); expected " +
                           std::to_string(whole * kCifarRecordBytes) + " or " +
                           std::to_string((whole + 1) * kCifarRecordBytes) + " bytes");

  CifarImages images;
  images.count = whole;
  images.labels.reserve(whole);
  images.pixels.reserve(whole * kCifarImageBytes);
  for (std::size_t index = 0; index < whole; ++index) {
    const auto start = bytes.begin() + static_cast<std::ptrdiff_t>(index * kCifarRecordBytes);
    const unsigned label = *start;
    if (label > 9)
      fail_cifar(source, "label " + std::to_string(label) + " of record " + std::to_string(index) +
                             " (byte " + std::to_string(index * kCifarRecordBytes) +
                             ") is outside 0-9");
    images.labels.push_back(static_cast<std::uint8_t>(label));
    images.pixels.insert(images.pixels.end(), start + 1, start + kCifarRecordBytes);
  }
  return images;
}

CifarImages read_cifar_batch(const std::filesystem::path& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found)
    fail_cifar(path.string(), "no such file; " + std::string(kCifarDownloadHint));
  if (error) fail_cifar(path.string(), "cannot read (" + error.message() + ")");
  // fopen on a FIFO waits for a writer: check the kind first.
  if (!fs::is_regular_file(status))
    fail_cifar(path.string(), "expected a regular file, found " + kind_of(status.type()));
  return parse_cifar_batch(read_idx_bytes(path), path.string());
}

std::vector<std::filesystem::path> find_cifar_files(const std::filesystem::path& dir,
                                                    const std::string& split) {
  std::vector<std::string> names;
  if (split == "train") {
    for (int batch = 1; batch <= 5; ++batch)
      names.push_back("data_batch_" + std::to_string(batch) + ".bin");
  } else if (split == "test") {
    names.push_back("test_batch.bin");
  } else {
    throw std::invalid_argument("find_cifar_files: split must be \"train\" or \"test\", got \"" +
                                split + "\"");
  }
  std::error_code error;
  if (!fs::is_directory(dir, error))
    throw DataError("data folder " + dir.string() + " does not exist; " + kCifarDownloadHint);
  std::vector<fs::path> paths;
  for (const auto& name : names) {
    const fs::path path = dir / name;
    if (!fs::exists(path, error))
      throw DataError("data folder " + dir.string() + " has no " + name + " (CIFAR-10 " + split +
                      " split); " + kCifarDownloadHint);
    paths.push_back(path);
  }
  return paths;
}

CifarImages read_cifar_split(const std::filesystem::path& dir, const std::string& split) {
  CifarImages all;
  for (const auto& path : find_cifar_files(dir, split)) {
    const CifarImages batch = read_cifar_batch(path);
    all.count += batch.count;
    all.pixels.insert(all.pixels.end(), batch.pixels.begin(), batch.pixels.end());
    all.labels.insert(all.labels.end(), batch.labels.begin(), batch.labels.end());
  }
  return all;
}

}  // namespace aebench
