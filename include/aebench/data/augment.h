#pragma once
// Data augmentation of training batches: random whole-pixel shifts. An autoencoder trained on
// shifted copies of its training images sees more distinct images than the split holds, which
// narrows the gap between its training and test error (the Hinton-Salakhutdinov benchmark's
// deep model is limited by that gap, not by optimisation).

#include <torch/torch.h>

#include <cstdint>
#include <optional>

namespace aebench {

// `images` ([batch, C, H, W]) with each image moved by its own offset, drawn uniformly from
// -max_shift..max_shift pixels down and, independently, across; pixels moved in from outside
// the image are 0 and pixels moved out are lost. Offsets come from `generator` when given, else
// from LibTorch's default CPU generator (so a checkpoint's generator state resumes them
// exactly). max_shift 0 returns `images` unchanged and draws nothing.
torch::Tensor shift_randomly(const torch::Tensor& images, std::int64_t max_shift,
                             std::optional<at::Generator> generator = std::nullopt);

}  // namespace aebench
