#pragma once
// Reconstructions of the same test images at a few epochs during training, one strip per
// epoch (reconstructions_by_epoch.png). The strips travel in the training checkpoint's summary
// extras, so a resumed run draws the epochs of its earlier sessions too.

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/models/autoencoder.h"
#include "aebench/plot/canvas.h"

namespace aebench {

// The epochs that get a strip: up to 8 of 1..epochs, evenly spread, the first and last included.
std::vector<std::int64_t> strip_epochs(std::int64_t epochs);

class EpochStrips {
 public:
  // `images`: the test images every strip reconstructs ([k, C, H, W] floats in [0, 1], on the
  // model's device), for a run of `epochs` epochs.
  EpochStrips(torch::Tensor images, std::int64_t epochs);

  // Takes back the strips a checkpoint's summary extras hold ("epoch_strips"; none when absent).
  void restore(const nlohmann::json& summary_extras);
  // Records the model's reconstructions when `epoch` is one that gets a strip (eval mode, no
  // gradients, no random numbers drawn: training goes on exactly as without it).
  void after_epoch(AutoencoderImpl& model, std::int64_t epoch);
  // What a checkpoint keeps: {"epochs": [...], "shape": [k, C, H, W], "pixels": ["hex", ...]}.
  nlohmann::json to_json() const;
  bool empty() const { return epochs_.empty(); }
  // The originals, then one labelled row per recorded epoch.
  Canvas draw(const std::string& title) const;

 private:
  torch::Tensor images_;
  std::vector<std::int64_t> wanted_;
  std::vector<std::int64_t> epochs_;
  std::vector<torch::Tensor> strips_;  // [k, C, H, W] uint8 on the CPU, one per epochs_ entry
};

}  // namespace aebench
