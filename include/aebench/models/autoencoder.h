#pragma once
// The interface every model kind implements, and the factory that builds one from options.
// Images are [batch, C, H, W] floats in [0, 1] (image_shape(): the dataset's, e.g. 1x28x28 for
// MNIST, 3x32x32 for CIFAR-10); codes are [batch, code_shape...].

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/config/config.h"
#include "aebench/models/variational.h"

namespace aebench {

class AutoencoderImpl : public torch::nn::Module {
 public:
  // [batch, C, H, W] -> [batch, code_shape()...]
  virtual torch::Tensor encode(const torch::Tensor& images) = 0;
  // [batch, code_shape()...] -> [batch, C, H, W]
  virtual torch::Tensor decode(const torch::Tensor& codes) = 0;
  // C, H, W of the images the model reads and writes (ModelOptions::image).
  virtual ImageShape image_shape() const = 0;
  // Shape of one image's code: {latent} for a dense code, {channels, height, width} for a
  // convolutional feature-map code.
  virtual std::vector<std::int64_t> code_shape() const = 0;

  // The first layer's weights as pictures, [units, C, height, width]: a dense model's first
  // layer rows as C x H x W images, a conv model's first filters (C x kernel x kernel), PCA's
  // axes (eigen-digits).
  virtual torch::Tensor first_layer_weights() const = 0;
  // What the tiles of first_layer_weights() are ("units", "filters", "components") and what
  // the picture of them shows, for its title.
  virtual std::string weight_tile_name() const = 0;
  virtual std::string weights_caption() const {
    return "first-layer weights, each scaled to its own range";
  }

  // The encoder's and the decoder's layers, input side first, as architecture.h describes them:
  // {"encoder": [...], "decoder": [...]}.
  virtual nlohmann::json layers() const = 0;

  // A variational model (ModelOptions::variational): encode() gives the mean of its Gaussian
  // code, encode_gaussian() the mean and the log-variance. Others throw std::logic_error.
  virtual bool is_variational() const { return false; }
  virtual GaussianCode encode_gaussian(const torch::Tensor& images);

  // Activations of every encoder layer, input side first, the code last ([batch, ...] each).
  virtual std::vector<torch::Tensor> encoder_activations(const torch::Tensor& images) {
    return {encode(images)};
  }

  // Layer pairs for greedy layer-wise pretraining, input side first: encoder layer i and the
  // decoder layer that mirrors it (decoder_layers() is output side first). Empty for a model
  // that cannot be pretrained layer by layer.
  virtual std::vector<torch::nn::Linear> encoder_layers() const { return {}; }
  virtual std::vector<torch::nn::Linear> decoder_layers() const { return {}; }

  // Models fitted exactly rather than trained (PCA): fit_closed_form fits to [count, C, H, W]
  // training images and returns what summary.json records of the fit.
  virtual bool fits_in_closed_form() const { return false; }
  virtual nlohmann::json fit_closed_form(const torch::Tensor& train_images);

  // The memory layout of the model's image-shaped weights and activations. Only convolutions
  // care: channels-last makes oneDNN's convolutions faster in training (aebench bench,
  // LibTorch 1.13), so the trainer asks for it (training_memory_format).
  virtual void use_memory_format(torch::MemoryFormat /*format*/) {}

  torch::Tensor forward(const torch::Tensor& images) { return decode(encode(images)); }
};

// Element-wise activation chosen by name in the config ("relu", "sigmoid", ..., "linear").
enum class Activation { kRelu, kSigmoid, kTanh, kLeakyRelu, kElu, kGelu, kLinear, kSoftmax };

Activation parse_activation(const std::string& name);  // names as in config.h
// A module applying `activation`; kSoftmax normalises over all pixels of each image.
torch::nn::AnyModule make_activation(Activation activation);

// The registry of model kinds: one entry per value of model.type.
struct ModelKind {
  std::string type;  // model.type
  bool closed_form;  // fitted exactly (no trainer, no pretraining)
  std::shared_ptr<AutoencoderImpl> (*make)(const ModelOptions& options);
};
const std::vector<ModelKind>& model_kinds();
// The entry for `type`; a ConfigError naming the registered kinds when there is none.
const ModelKind& model_kind(const std::string& type);

// Builds the model that `options.type` names.
std::shared_ptr<AutoencoderImpl> make_autoencoder(const ModelOptions& options);

// Number of trainable parameters.
std::int64_t count_parameters(const torch::nn::Module& model);

// Sizes of the model `options` describe, computed without building it, so that a model too
// large for memory can be refused before its weights are allocated.
struct ModelSize {
  std::int64_t parameters = 0;  // trainable numbers, = count_parameters(make_autoencoder(options))
  std::int64_t code_size = 0;   // numbers in one image's code (the product of code_shape())
  // Numbers one image's training step keeps alive: every layer's output (and its activation's),
  // which the backward pass needs. An estimate, not an exact count of LibTorch's buffers.
  std::int64_t activations_per_image = 0;
};
ModelSize model_size(const ModelOptions& options);

}  // namespace aebench
