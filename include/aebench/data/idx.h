#pragma once
// Reader for the IDX files MNIST and Fashion-MNIST ship in (http://yann.lecun.com/exdb/mnist/).
// Free of LibTorch so it builds in a second and can be fuzzed on its own.
//
// Contract: a file is accepted only when it is exactly what its header says it is; every
// deviation is a DataError whose message names the file, what was expected and what was found.
// Files may be raw or gzip-compressed; gzip is recognised by its magic bytes, not by the name.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace aebench {

// Magic numbers of the two IDX kinds we read (unsigned byte data).
inline constexpr std::uint32_t kIdxImagesMagic = 2051;  // rank 3: [count, rows, cols]
inline constexpr std::uint32_t kIdxLabelsMagic = 2049;  // rank 1: [count]

// Side of every image we accept, in pixels; the models are built for 28x28 inputs.
inline constexpr std::size_t kIdxImageSide = 28;

// Largest decompressed file we accept; stops a hostile header or gzip bomb from exhausting memory.
inline constexpr std::size_t kIdxMaxBytes = std::size_t{1} << 31;  // 2 GiB

struct IdxImages {
  std::size_t count = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint8_t> pixels;  // [count, rows, cols], row-major, 0 = background
};

struct IdxLabels {
  std::vector<std::uint8_t> labels;  // [count], each in 0..9
};

// The whole file's bytes, gunzipped when it starts with the gzip magic 1f 8b (whatever its
// name). Throws DataError naming `path` when it cannot be read, is not a regular readable file,
// holds a corrupt or truncated gzip stream, or exceeds kIdxMaxBytes.
std::vector<std::uint8_t> read_idx_bytes(const std::filesystem::path& path);

// Parse already-decompressed bytes. `source` is the file name used in error messages.
// Each file must hold at least one item; images must be kIdxImageSide x kIdxImageSide and
// labels in 0..9. parse_idx_images keeps `bytes`' storage for the pixels (pass an rvalue to
// spare a copy of the file).
IdxImages parse_idx_images(std::vector<std::uint8_t> bytes, const std::string& source);
IdxLabels parse_idx_labels(const std::vector<std::uint8_t>& bytes, const std::string& source);

IdxImages read_idx_images(const std::filesystem::path& path);
IdxLabels read_idx_labels(const std::filesystem::path& path);

// Throws DataError naming both files and both counts unless they hold as many images as labels.
void check_idx_pair(const IdxImages& images, const IdxLabels& labels,
                    const std::string& images_source, const std::string& labels_source);

// Finds one of the four standard files in `dir`. `split` is "train" or "t10k", `kind` is
// "images" or "labels". Accepts both spellings (train-images-idx3-ubyte and
// train-images.idx3-ubyte), each with or without ".gz". Throws DataError listing what was
// looked for, with a hint to run scripts/setup.sh. Any other split or kind is a programming
// error: std::invalid_argument.
std::filesystem::path find_idx_file(const std::filesystem::path& dir, const std::string& split,
                                    const std::string& kind);

}  // namespace aebench
