#pragma once
// Checkpoints. Two files in a run folder, both LibTorch archives inside the checked container
// of checked_file.h (magic, length, CRC-32), both written atomically:
//   model.pt       the final weights, the format version and the resolved config
//   checkpoint.pt  everything needed to continue training exactly: weights, optimizer state
//                  (Adam moments included), epoch and batch, early-stopping state, random
//                  generator states, the metrics so far, and the resolved config
// A missing, truncated or corrupt file is reported as a DataError before LibTorch reads it.

#include <filesystem>
#include <nlohmann/json.hpp>

#include "aebench/models/autoencoder.h"
#include "aebench/train/trainer.h"

namespace aebench {

void save_model(const std::filesystem::path& path, AutoencoderImpl& model,
                const nlohmann::json& resolved_config);

// Loads weights into `model`, which must have been built from the same config.
void load_model(const std::filesystem::path& path, AutoencoderImpl& model);

void save_training_checkpoint(const std::filesystem::path& path, AutoencoderImpl& model,
                              torch::optim::Optimizer& optimizer, const TrainingProgress& progress,
                              const nlohmann::json& resolved_config);

struct LoadedCheckpoint {
  TrainingProgress progress;
  nlohmann::json config;  // the resolved config the checkpoint was written with
};

// Reads the resolved config stored in a training checkpoint or model.pt, verifying the file first.
nlohmann::json read_checkpoint_config(const std::filesystem::path& path);

// What a resumed run needs to know from a training checkpoint before it builds its optimizer:
// the resolved config and the summary extras (TrainingProgress::summary_extras). One read,
// verifying the file first.
struct CheckpointHeader {
  nlohmann::json config;
  nlohmann::json summary_extras;
};
CheckpointHeader read_checkpoint_header(const std::filesystem::path& path);

// Restores `model` and `optimizer` (built from the same config) and returns the progress.
LoadedCheckpoint load_training_checkpoint(const std::filesystem::path& path, AutoencoderImpl& model,
                                          torch::optim::Optimizer& optimizer);

}  // namespace aebench
