#pragma once
// What a trained model learned, as pictures and numbers: the first layer's weights
// (weights.png), activity statistics of the hidden layers and the code (seed 003's sparseness),
// and 2-D maps of the test codes (embedding.png: t-SNE and PCA).

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/artefacts/artefacts.h"
#include "aebench/config/config.h"
#include "aebench/data/dataset.h"
#include "aebench/models/autoencoder.h"

namespace aebench {

// Activity of one layer over a set of images.
struct LayerActivity {
  std::string layer;  // "hidden 1", ..., "code"
  std::int64_t units = 0;
  double mean_activation = 0;  // mean over images and units
  double sparseness = 0;       // fraction of units below the threshold, mean over images
};

// activations: [images, units...]. Sparseness counts activations < threshold.
LayerActivity layer_activity(const std::string& layer, const torch::Tensor& activations,
                             double threshold);

// What embedding.png shows for `test_images` test images and codes of `code_size` numbers,
// and why anything analysis.embedding asks for is left out or changed. One plan serves the
// preflight check (which prints the notes before training) and analyse_model (which follows
// it and records the notes in summary.json).
struct EmbeddingPlan {
  std::int64_t points = 0;         // test images mapped (a stratified subset)
  bool tsne = false;               // a t-SNE panel (needs at least 4 points)
  bool pca = false;                // a PCA panel (needs at least 2 points and a code of 2 or more)
  bool code_by_class = false;      // a 1-D code's panel in place of PCA: its value, by class
  double perplexity = 0;           // t-SNE's, after the clamp to (points - 1) / 3
  std::vector<std::string> notes;  // one line per thing left out or changed, naming the key
  bool draws() const { return tsne || pca || code_by_class; }
};
EmbeddingPlan plan_embedding(const AnalysisOptions& options, std::int64_t test_images,
                             std::int64_t code_size);

struct ModelAnalysis {
  nlohmann::json summary;  // summary.json's "analysis": activity statistics, embedding details
  Artefacts artefacts;     // weights.png, and embedding.png as analysis.embedding says
};
ModelAnalysis analyse_model(AutoencoderImpl& model, const Split& test,
                            const torch::Tensor& test_inputs, const Config& config);

}  // namespace aebench
