#pragma once
// The experiment config: the structs a config fills, each field with its default.
// Every key's JSON type, range, documentation and resume rule live in the schema
// (config/schema.h), which drives the parser, config_to_json and docs/config.md.
//
// A config is JSON. It is parsed in exactly one place (load_config / config_from_json):
// unknown keys are errors that suggest the nearest valid key, wrong types and out-of-range
// values name the key and the value. `--set KEY=VALUE` overrides are applied to the JSON
// document before validation, so they are checked exactly like the file.
// Free of LibTorch.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aebench/config/json_input.h"

namespace aebench {

// Shape of one image of a dataset: [channels, height, width], values in [0, 1].
struct ImageShape {
  std::int64_t channels = 1;
  std::int64_t height = 28;
  std::int64_t width = 28;
  std::int64_t pixels() const { return channels * height * width; }  // values per image
  bool operator==(const ImageShape& other) const {
    return channels == other.channels && height == other.height && width == other.width;
  }
  bool operator!=(const ImageShape& other) const { return !(*this == other); }
};

// The shape of the images of `dataset` (a data.dataset value), known without reading a file:
// "mnist" and "fashion-mnist" 1x28x28 (grey), "cifar10" 3x32x32 (RGB). Throws ConfigError for
// any other name.
ImageShape dataset_image_shape(const std::string& dataset);

// "1x28x28": a shape for messages.
std::string describe_image_shape(const ImageShape& shape);

struct DataOptions {
  std::string dataset = "mnist";  // "mnist" | "fashion-mnist" | "cifar10"
  // Default: "data/<dataset>". A relative folder is looked for where data_location.h says
  // (the config file's folder and the one above it, $AEBENCH_DATA, the working folder, the
  // installation's share/); load_config stores the folder it found, absolute.
  std::string dir;
  // Not a key: the folders load_config looked in for a relative `dir` that none of them held,
  // for the data loader's error; empty when `dir` was found or is absolute.
  std::vector<std::string> dir_searched;
  // Keep only these classes (0-9, distinct); empty = all ten. JSON: null or a list.
  std::vector<int> classes;
  // Validation split: a fraction in (0, 1) holds out that share of the training split,
  // stratified by class and seeded ("val": 0.1); 0 = the test split ("val": "test"), which
  // nothing may then select on (no early stopping, no probes).
  double val_fraction = 0.1;
  // Stratified, seeded subsets (all classes represented); 0 = no limit (JSON null).
  // Applied after the class filter and before the validation split.
  std::int64_t train_limit = 0;
  std::int64_t test_limit = 0;
  // Binarised images (seed 003's "binary-type MNIST"): a pixel above this becomes 1, the rest 0,
  // in every split, inputs and targets alike; 0 = grey images (JSON null).
  double binarize = 0.0;
};

// Options that only the dense model reads (model.type "dense").
struct DenseOptions {
  // Widths of the encoder's hidden layers; the decoder mirrors them.
  std::vector<std::int64_t> hidden = {400, 200};
};

// Options that only the conv model reads (model.type "conv").
struct ConvOptions {
  // Feature maps per encoder stage (conv kernel x kernel, then 2x2 max-pool); the decoder
  // mirrors them (conv, then 2x upsampling) and ends in a conv to the image's channels. The
  // image side must divide by 2^stages (MNIST's 28: 1 or 2 stages; CIFAR-10's 32: 1 to 5).
  std::vector<std::int64_t> channels = {16, 8};
  std::int64_t kernel = 3;           // odd, "same" padding
  std::string upsample = "nearest";  // "nearest" | "transposed" (learned 2x2 stride-2)
};

// The `model` section: what every model kind reads, then each kind's own options. In a config
// file the keys are flat (`model.hidden`, `model.channels`); a key of another kind is checked
// but left out of the resolved config.
struct ModelOptions {
  // "dense" | "conv" | "pca" (principal components of the training split, fitted exactly in
  // double precision; only `latent` applies)
  std::string type = "dense";
  // Size of the code. dense: width of the bottleneck layer (default 100); pca: components.
  // conv: optional dense bottleneck after the conv stages (default 0 = none, JSON null).
  std::int64_t latent = 100;
  // Activations: "relu" | "sigmoid" | "tanh" | "leaky_relu" | "elu" | "gelu" | "linear".
  std::string activation = "relu";
  // Of the code layer. In a config file it defaults to the value of `activation`.
  std::string latent_activation = "relu";
  // Of the reconstruction: "sigmoid" | "linear" | "softmax" (over all the image's values, e.g.
  // MNIST's 784 pixels, seed 001).
  std::string output_activation = "sigmoid";
  double dropout = 0.0;  // after each hidden layer (not the code), in [0, 1)
  // Batch normalisation of each hidden layer's linear map or convolution, before its
  // activation (not the code layer, not the output).
  bool batch_norm = false;
  // Weights of every linear and conv layer: "default" (LibTorch's, as PyTorch) | "xavier"
  // (Glorot uniform, Keras's default; biases 0) | "he" (Kaiming uniform for ReLU; biases 0).
  std::string init = "default";
  // A variational autoencoder (dense, or conv with a dense `latent`): the encoder gives a mean
  // and a log-variance per code unit, training decodes a sample of that Gaussian and adds
  // train.beta x its KL divergence from N(0, I) to the loss; the code is the mean.
  bool variational = false;
  DenseOptions dense;
  ConvOptions conv;
  // Not a config key: the shape of the images the model reads and writes, set from
  // data.dataset by config_from_json (dataset_image_shape); the default is MNIST's.
  ImageShape image;
};

struct NoiseOptions {
  // "none" (JSON null) | "gaussian" | "masking" | "salt_and_pepper"
  std::string type = "none";
  double std = 0.25;      // gaussian: standard deviation, pixel values in [0, 1]
  bool clip = true;       // gaussian: clamp the noisy image to [0, 1]
  double fraction = 0.2;  // masking / salt_and_pepper: share of pixels changed, in [0, 1]
  bool enabled() const { return type != "none"; }
};

struct EarlyStoppingOptions {
  bool enabled = false;        // JSON: null (off) or an object
  std::int64_t patience = 10;  // epochs without improvement before stopping, >= 1
  double min_delta = 0.0;      // improvement smaller than this does not count, >= 0
  bool restore_best = true;    // reload the best epoch's weights before testing and saving
};

// The learning rate per epoch (JSON: null = constant, or an object). The rate changes between
// epochs only; metrics.csv records each epoch's.
struct ScheduleOptions {
  bool enabled = false;
  // "constant" | "step" (x gamma every step_size epochs) | "cosine" (from lr down to min_lr) |
  // "plateau" (x factor after patience epochs without a lower validation loss) | "onecycle"
  // (lr / 25 up to lr over the first 30 % of the epochs, then down to lr / 25 / 1e4).
  std::string type = "cosine";
  std::int64_t step_size = 10;     // step
  double gamma = 0.1;              // step, in (0, 1]
  std::int64_t warmup_epochs = 0;  // all but onecycle: linear ramp lr x e / (warmup + 1)
  double min_lr = 0.0;             // cosine: the floor it falls to; plateau: never below
  double factor = 0.1;             // plateau, in (0, 1)
  std::int64_t patience = 5;       // plateau, >= 1
};

struct TrainOptions {
  std::int64_t epochs = 20;
  std::int64_t batch_size = 256;
  std::string optimizer = "adam";  // "adam" | "sgd" | "rmsprop"
  double lr = 1e-3;
  double momentum = 0.9;      // sgd and rmsprop only; default 0.9 for sgd, 0 for rmsprop
  double weight_decay = 0.0;  // L2 penalty added by the optimizer
  std::string loss = "mse";   // "mse" | "bce" (bce needs a sigmoid or softmax output)
  // Of the training forward passes: "fp32" | "bf16" (autocast; weights and optimizer stay
  // float32) | "auto" (bf16 on a CPU with native bf16, else fp32).
  std::string precision = "auto";
  EarlyStoppingOptions early_stopping;
  ScheduleOptions schedule;
  // Rescale the gradients so that their global L2 norm is at most this; 0 = off.
  double clip_grad_norm = 0.0;
  // Data augmentation: every training step moves each of its images by a random whole number
  // of pixels, up to this many, down and across (input and target alike; validation and test
  // images never). 0 = off.
  std::int64_t augment_shift = 0;
  // Activity penalties on the code, added to the loss: l1 * mean over images of sum |code|,
  // l2 * mean over images of sum code^2 (Keras's activity regularisers). >= 0.
  double activity_l1 = 0.0;
  double activity_l2 = 0.0;
  // Variational models: the weight of the KL term (1 = the ELBO; β-VAE otherwise, >= 0), and
  // the epochs over which it rises linearly from beta / kl_warmup_epochs to beta (0 = none).
  double beta = 1.0;
  std::int64_t kl_warmup_epochs = 0;
};

// Greedy layer-wise pretraining of a dense model (JSON: null = off, or an object): each
// encoder layer and its mirrored decoder layer are first trained as a shallow autoencoder on
// the previous layer's codes, then the whole stack is fine-tuned by `train`.
struct PretrainOptions {
  bool enabled = false;
  std::int64_t epochs = 5;  // per stage
  double lr = 1e-3;         // Adam
  std::int64_t batch_size = 256;
};

// Classifiers trained on the codes after training (JSON: null = off, or an object); also run
// by `aebench probe RUN_DIR`. Softmax regression and an MLP on the codes, and softmax
// regression on the raw pixels as a baseline; early stopping on the validation split.
struct ProbeOptions {
  bool enabled = false;
  std::vector<std::int64_t> hidden = {512, 256, 256};  // the MLP's hidden widths (ReLU)
  std::int64_t epochs = 50;                            // at most; early stopping decides
  std::int64_t patience = 5;                           // epochs without lower val loss
  std::int64_t batch_size = 128;
  double lr = 1e-3;                    // Adam
  std::string loss = "cross_entropy";  // "cross_entropy" | "center" (CE + center loss)
  double center_weight = 0.01;         // weight of the center loss term
  bool pixels = true;                  // also the raw-pixel baseline
};

// Pictures and statistics of what the model learned, written after training.
struct AnalysisOptions {
  // "none" | "tsne" | "pca" | "both": 2-D maps of the test codes coloured by class.
  std::string embedding = "pca";         // cheap; t-SNE (seconds to minutes) only when asked for
  std::int64_t embedding_points = 2000;  // test images mapped (stratified), t-SNE is O(n^2)
  double perplexity = 30.0;
  std::int64_t tsne_iterations = 1000;
  std::int64_t weight_units = 100;  // first-layer units (or filters) pictured in weights.png
  double sparsity_threshold = 0.1;  // an activation below this counts as inactive
};

struct OutputOptions {
  std::string dir;           // default: "runs/<name>"
  std::int64_t images = 10;  // test images shown in the pictures, 1-100
  // A training checkpoint is written after every epoch, and also every this many minutes
  // within an epoch when > 0 (JSON null or 0 = epochs only).
  double checkpoint_minutes = 0.0;
};

struct Config {
  std::string name = "experiment";  // default: the config file's stem
  std::uint64_t seed = 0;
  DataOptions data;
  ModelOptions model;
  NoiseOptions noise;
  TrainOptions train;
  PretrainOptions pretrain;
  ProbeOptions probe;
  AnalysisOptions analysis;
  OutputOptions output;
  std::string device = "auto";  // "auto" | "cpu" | "cuda" | "cuda:N"
  std::int64_t threads = 0;     // CPU threads; 0 = chosen (pipeline/thread_choice.h)
  bool follow_load = true;      // threads 0: follow other processes' load (thread_follower.h)
  // Keys the document gave that do not apply to it (train.beta of a model that is not
  // variational): left out of the resolved config, and named in a note when a run starts.
  std::vector<std::string> ignored_keys;
};

// Validates `document` and fills defaults. `source` names the origin in error messages.
// `default_name` is used when the document has no "name".
Config config_from_json(const nlohmann::json& document, const std::string& source,
                        const std::string& default_name = "experiment");

// " (with --set, --threads)": for a config source changed by the command line's `flags`; "" for
// none. An error then names the flags as well as the file, as its value may come from either.
std::string changed_by_note(const std::vector<std::string>& flags);

// read_json_file + apply_override for each + config_from_json. `flags` name where the overrides
// came from, for messages (train's --out, --device and --threads are overrides too).
Config load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides,
                   const std::vector<std::string>& flags = {"--set"});

// The resolved config: every key that applies with its value, defaults filled in, in the
// schema's (reading) order.
nlohmann::ordered_json config_to_json(const Config& config);

// Levenshtein distance; used to suggest the nearest valid key.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace aebench
