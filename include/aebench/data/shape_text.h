#pragma once
// A tensor's shape as error messages show it: "[60, 3, 32, 32]".

#include <torch/torch.h>

#include <string>

namespace aebench {

inline std::string shape_text(const torch::Tensor& tensor) {
  std::string text;
  for (const auto size : tensor.sizes()) text += (text.empty() ? "" : ", ") + std::to_string(size);
  return "[" + text + "]";
}

}  // namespace aebench
