#pragma once
// The three splits of an experiment, each decoded once into one tensor.
// Batches are slices of a seeded permutation of these tensors: no per-sample objects.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "aebench/config/config.h"

namespace aebench {

struct Split {
  torch::Tensor images;  // [count, 1, 28, 28] float32, values in [0, 1]
  torch::Tensor labels;  // [count] int64, 0-9
  std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

struct Dataset {
  Split train;
  Split val;   // held out from train, or the test split itself when data.val is "test"
  Split test;
};

// Reads the IDX files under options.dir, keeps options.classes, applies the limits and the
// validation split (all stratified by class and seeded by `seed`). Throws DataError for
// missing or corrupt files and ConfigError for limits that cannot be met.
Dataset load_dataset(const DataOptions& options, std::uint64_t seed);

// Indices (ascending) of a stratified, seeded subset of `count` items of `labels`: each class
// gets a share proportional to its frequency (largest remainder), and at least one item when
// count >= number of classes present. REQUIRES: count <= labels.size().
std::vector<std::int64_t> stratified_subset(const std::vector<std::int64_t>& labels,
                                            std::int64_t count, std::uint64_t seed);

// The rows of `split` at `indices`.
Split select(const Split& split, const std::vector<std::int64_t>& indices);

// `split` moved to `device`.
Split to_device(const Split& split, const torch::Device& device);

}  // namespace aebench
