#pragma once
// Reader for the binary version of CIFAR-10 (https://www.cs.toronto.edu/~kriz/cifar.html,
// cifar-10-binary.tar.gz): data_batch_1.bin .. data_batch_5.bin (train) and test_batch.bin
// (test). Each file is a run of 3073-byte records: 1 label byte (0-9), then the 32x32 image as
// 1024 red, 1024 green and 1024 blue bytes, each plane row-major. There is no header.
// Free of LibTorch so it builds in a second and can be fuzzed on its own.
//
// Contract: as strict as the IDX reader (idx.h): a file is accepted only when it is a whole
// number (at least one) of records with every label in 0-9; every deviation is a DataError whose
// message names the file, what was expected and what was found.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace aebench {

inline constexpr std::size_t kCifarChannels = 3;
inline constexpr std::size_t kCifarSide = 32;
inline constexpr std::size_t kCifarImageBytes = kCifarChannels * kCifarSide * kCifarSide;  // 3072
inline constexpr std::size_t kCifarRecordBytes = 1 + kCifarImageBytes;                     // 3073

struct CifarImages {
  std::size_t count = 0;
  // [count, 3, 32, 32]: per image its red, green and blue planes, each row-major; 0 = dark.
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;  // [count], each in 0..9
};

// Parse one batch file's bytes. `source` is the file name used in error messages. Throws
// DataError for an empty file, a size that is not a multiple of kCifarRecordBytes (naming the
// expected and found sizes) and a label above 9 (naming the record and the value).
CifarImages parse_cifar_batch(const std::vector<std::uint8_t>& bytes, const std::string& source);

// Reads and parses one batch file. Only a regular file is read (a folder or FIFO in its place is
// a DataError, never a hang); at most kIdxMaxBytes, and gunzipped when it starts with the gzip
// magic, as the IDX files are (read_idx_bytes).
CifarImages read_cifar_batch(const std::filesystem::path& path);

// The files of `split` ("train": data_batch_1.bin .. data_batch_5.bin, "test": test_batch.bin)
// in `dir`, in that order. Throws DataError naming the folder and the missing file, with where to
// get the data, when the folder or a file is missing. Any other split is a programming error:
// std::invalid_argument.
std::vector<std::filesystem::path> find_cifar_files(const std::filesystem::path& dir,
                                                    const std::string& split);

// Every batch of `split` in `dir`, concatenated in file order.
CifarImages read_cifar_split(const std::filesystem::path& dir, const std::string& split);

}  // namespace aebench
