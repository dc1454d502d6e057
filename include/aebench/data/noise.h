#pragma once
// Corruptions for denoising autoencoders. The clean image stays the target; only the input
// is corrupted.

#include <torch/torch.h>

#include <optional>

#include "aebench/config/config.h"

namespace aebench {

// `clean` ([batch, C, H, W], values in [0, 1]) corrupted as `options` says, value by value:
//   gaussian:        clean + std * N(0, 1), clamped to [0, 1] when clip
//   masking:         each pixel set to 0 with probability fraction
//   salt_and_pepper: each pixel set to 0 or 1 (equally likely) with probability fraction
// Draws from `generator` when given (a CPU generator needs a CPU tensor), else from LibTorch's
// default generator of the tensor's device. options.type "none" returns `clean` unchanged.
torch::Tensor add_noise(const torch::Tensor& clean, const NoiseOptions& options,
                        std::optional<at::Generator> generator = std::nullopt);

// A CPU generator seeded with `seed`, for noise that must be the same run after run
// (validation and test inputs).
at::Generator make_cpu_generator(std::uint64_t seed);

}  // namespace aebench
