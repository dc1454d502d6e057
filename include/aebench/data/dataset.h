#pragma once
// The three splits of an experiment, each decoded once into one tensor of bytes, as the files
// hold the pixels: a quarter of the memory of floats (full MNIST: 55 MB instead of 220 MB), so
// loading touches little memory. Whoever feeds a model scales what it uses with unit_floats
// (the trainer one batch at a time). Batches are slices of a seeded permutation of these
// tensors: no per-sample objects.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "aebench/config/config.h"

namespace aebench {

struct Split {
  // [count, C, H, W] uint8 pixels 0-255 (0 or 255 when data.binarize is set): MNIST 1x28x28,
  // CIFAR-10 3x32x32.
  torch::Tensor images;
  torch::Tensor labels;  // [count] int64, 0-9
  std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

struct Dataset {
  Split train;
  Split val;  // held out from train, or the test split itself when data.val is "test"
  Split test;
  // "crc32:XXXXXXXX" of the three splits' pixels and labels as selected: another data set of
  // the same shape, or changed files, give another one (load_dataset sets it; "" otherwise).
  std::string fingerprint;
};

// One of a Dataset's splits, as commands name it (eval --split, encode --split).
enum class SplitKind { kTrain, kVal, kTest };
inline constexpr const char* kSplitNames[] = {"train", "val", "test"};  // in SplitKind's order
// The split `name` names; a ConfigError naming `flag` and the three names otherwise.
SplitKind parse_split(const std::string& name, const std::string& flag);
const char* split_name(SplitKind kind);
const Split& split_of(const Dataset& data, SplitKind kind);

// Reads the dataset's files under options.dir (IDX for MNIST and Fashion-MNIST, the binary
// batches for CIFAR-10), keeps options.classes, applies the limits and the
// validation split (all stratified by class and seeded by `seed`), and takes the fingerprint
// of the result. Throws DataError for
// missing or corrupt files, and ConfigError, saying which values would do, for a limit below
// the number of classes or a validation fraction that cannot give every class at least one
// image in both the training and the validation split.
Dataset load_dataset(const DataOptions& options, std::uint64_t seed);

// Indices (ascending) of a stratified, seeded subset of `count` items of `labels`: each class
// gets a share proportional to its frequency (largest remainder), at least one item when it
// can spare one, and at most its size less `keep_per_class`. Throws std::invalid_argument when
// `count` lies outside what those bounds allow (e.g. fewer than the classes present).
std::vector<std::int64_t> stratified_subset(const std::vector<std::int64_t>& labels,
                                            std::int64_t count, std::uint64_t seed,
                                            std::int64_t keep_per_class = 0);

// Pixels as the models read them: uint8 images scaled to float32 in [0, 1] (pixel / 255);
// float images are returned as they are.
torch::Tensor unit_floats(const torch::Tensor& images);

// The rows of `split` at `indices`.
Split select(const Split& split, const std::vector<std::int64_t>& indices);

// `split` moved to `device`.
Split to_device(const Split& split, const torch::Device& device);

}  // namespace aebench
