#pragma once
// Floating-point operations per image, counted from a model's own layers: the modules are
// walked, and one 1-image forward pass is traced to learn each convolution's output size.
// A multiply-add counts 2. Biases, activations, pooling, upsampling and the loss are not
// counted (they are a few per cent of a layer's work at these sizes).

#include <string>
#include <vector>

#include "aebench/models/autoencoder.h"

namespace aebench {

struct LayerFlops {
  std::string name;      // the module's registered path, e.g. "encoder.0"
  std::string kind;      // "linear" | "conv2d" | "conv_transpose2d"
  double forward_flops;  // per image
};

struct FlopCount {
  std::vector<LayerFlops> layers;  // in module order
  double forward_per_image = 0.0;  // sum over the layers
  // Forward + backward, the backward counted as twice the forward (gradients with respect to
  // both inputs and weights): 3 x forward.
  double train_step_per_image = 0.0;
};

// Linear: 2 x in x out. Conv2d: 2 x Cin/groups x Cout x kh x kw x Hout x Wout.
// ConvTranspose2d: 2 x Cin x Cout/groups x kh x kw x Hin x Win. Runs one forward of a
// [1, C, H, W] input (the model's image_shape()) on the model's device, without gradients. A module
// that owns parameters but is none of these is a ConfigError (its work would go uncounted).
FlopCount count_flops(AutoencoderImpl& model);

}  // namespace aebench
