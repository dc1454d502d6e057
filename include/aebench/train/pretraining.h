#pragma once
// Greedy layer-wise pretraining of a dense autoencoder (seed 003, after Hinton &
// Salakhutdinov 2006): stage i trains encoder layer i and its mirrored decoder layer as a
// shallow autoencoder on the codes of the layers below (stage 1 on the images), in place in
// the deep model; fine-tuning of the whole stack follows as ordinary training.

#include <torch/torch.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "aebench/config/config.h"
#include "aebench/io/progress.h"
#include "aebench/models/autoencoder.h"

namespace aebench {

// Pretrains every layer of `model` on `images` ([count, C, H, W], model's device). Stage 1
// uses the config's loss, deeper stages MSE on codes. Returns [{"stage", "layer", "losses"}]:
// the mean training loss of each pretraining epoch of each stage. `stop_requested` (may be
// empty) is polled after every step: a non-zero signal number stops pretraining with an
// Interrupted error (nothing of it is saved; a resumed run pretrains again from the start).
nlohmann::json pretrain_layers(AutoencoderImpl& model, const torch::Tensor& images,
                               const Config& config, ProgressReporter* progress,
                               const std::function<int()>& stop_requested = nullptr);

}  // namespace aebench
