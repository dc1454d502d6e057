#pragma once
// Classifiers on codes (seeds 000, 001, 003): how much of the label a code keeps. After
// training (config block "probe") or later (`aebench probe RUN_DIR`), train / val / test
// images are encoded, the codes standardised with the training codes' mean and deviation, and
// classifiers trained on them with early stopping on validation loss: softmax regression
// ("softmax"), an MLP ("mlp"), and softmax regression on the raw pixels ("pixels").

#include <torch/torch.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/analysis/classification_report.h"
#include "aebench/artefacts/artefacts.h"
#include "aebench/config/config.h"
#include "aebench/data/dataset.h"
#include "aebench/models/autoencoder.h"

namespace aebench {

// Features and labels of the three splits, all on one device.
struct ProbeData {
  torch::Tensor train, val, test;                       // [count, features] float32
  torch::Tensor train_labels, val_labels, test_labels;  // [count] int64, dataset labels
};

struct ProbeResult {
  std::string name;
  double val_accuracy = 0;
  double test_accuracy = 0;
  std::int64_t epochs_run = 0;
  std::int64_t best_epoch = 0;
  ClassificationReport test_report;
};

// Trains one classifier with `hidden` ReLU layers (none = softmax regression) on `data`.
// With options.loss "center" the penultimate features are also pulled towards learned class
// centres (Wen et al. 2016), weighted by options.center_weight. `stop_requested` (when set) is
// asked before every epoch; a non-zero signal number ends training with an Interrupted error.
ProbeResult train_probe(const std::string& name, const ProbeData& data,
                        const std::vector<std::int64_t>& hidden, const ProbeOptions& options,
                        std::uint64_t seed, const std::function<int()>& stop_requested = nullptr);

struct ProbeReport {
  nlohmann::json summary;  // summary.json's "probe" object
  Artefacts artefacts;     // probe/<name>.json and probe/<name>_confusion.png per classifier
};

// Encodes `dataset` with `model` and runs every probe the options ask for, stopping (with an
// Interrupted error) as train_probe does.
ProbeReport run_probes(AutoencoderImpl& model, const Dataset& dataset, const Config& config,
                       const torch::Device& device,
                       const std::function<int()>& stop_requested = nullptr);

}  // namespace aebench
