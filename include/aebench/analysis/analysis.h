#pragma once
// What a trained model learned, as pictures and numbers: the first layer's weights
// (weights.png), activity statistics of the hidden layers and the code (seed 003's sparseness),
// and 2-D maps of the test codes (embedding.png: t-SNE and PCA).

#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "aebench/models/autoencoder.h"
#include "aebench/config/config.h"
#include "aebench/data/dataset.h"

namespace aebench {

// Activity of one layer over a set of images.
struct LayerActivity {
  std::string layer;           // "hidden 1", ..., "code"
  std::int64_t units = 0;
  double mean_activation = 0;  // mean over images and units
  double sparseness = 0;       // fraction of units below the threshold, mean over images
};

// activations: [images, units...]. Sparseness counts activations < threshold.
LayerActivity layer_activity(const std::string& layer, const torch::Tensor& activations,
                             double threshold);

// Writes weights.png and embedding.png (as options say) into `folder`; returns the
// "analysis" object of summary.json (activity statistics, embedding details).
nlohmann::json analyse_model(AutoencoderImpl& model, const Split& test, const torch::Tensor& test_inputs,
                             const Config& config, const std::filesystem::path& folder);

}  // namespace aebench
