#include "aebench/data/augment.h"

namespace aebench {

torch::Tensor shift_randomly(const torch::Tensor& images, std::int64_t max_shift,
                             std::optional<at::Generator> generator) {
  if (max_shift == 0) return images;
  const std::int64_t count = images.size(0), channels = images.size(1);
  const std::int64_t height = images.size(2), width = images.size(3);
  const std::int64_t padded_width = width + 2 * max_shift;
  // Each image is cut out of a zero-padded copy at a corner (row, column) in [0, 2 max_shift];
  // a corner of (max_shift, max_shift) is the image itself.
  const auto int64 = torch::TensorOptions().dtype(torch::kInt64);
  const std::int64_t corner_count = 2 * max_shift + 1;
  const auto corners = generator ? torch::randint(corner_count, {count, 2}, *generator, int64)
                                 : torch::randint(corner_count, {count, 2}, int64);
  const auto rows = torch::arange(height, torch::kInt64).view({1, height, 1}) +
                    corners.select(1, 0).view({count, 1, 1});
  const auto columns = torch::arange(width, torch::kInt64).view({1, 1, width}) +
                       corners.select(1, 1).view({count, 1, 1});
  const auto sources = (rows * padded_width + columns)
                           .view({count, 1, height * width})
                           .expand({count, channels, height * width})
                           .to(images.device());
  const auto padded = torch::constant_pad_nd(images, {max_shift, max_shift, max_shift, max_shift});
  return padded.reshape({count, channels, -1})
      .gather(2, sources)
      .view({count, channels, height, width});
}

}  // namespace aebench
