#pragma once
// Convolutional autoencoder. Encoder stage i: conv(channels[i], kernel, "same") + activation +
// 2x2 max-pool. Decoder mirrors it: conv(channels[i]) + activation + 2x upsampling per stage
// (nearest neighbour, or a learned 2x2 stride-2 transposed conv), then a conv to the image's
// channels (1 grey, 3 RGB) with the output activation. With channels [16, 8] and kernel 3 on
// MNIST this is exactly seed 002's part 2 (an 8x7x7 code, the second pool's output). latent > 0
// adds a dense bottleneck of that size after the conv stages (its mirror before the decoder's).

#include "aebench/models/autoencoder.h"

namespace aebench {

class ConvAutoencoderImpl : public AutoencoderImpl {
 public:
  explicit ConvAutoencoderImpl(const ModelOptions& options);

  torch::Tensor encode(const torch::Tensor& images) override;
  bool is_variational() const override { return options_.variational; }
  GaussianCode encode_gaussian(const torch::Tensor& images) override;
  torch::Tensor decode(const torch::Tensor& codes) override;
  ImageShape image_shape() const override { return options_.image; }
  std::vector<std::int64_t> code_shape() const override;
  torch::Tensor first_layer_weights() const override;  // [channels[0], C, kernel, kernel]
  std::string weight_tile_name() const override { return "filters"; }
  nlohmann::json layers() const override;
  void use_memory_format(torch::MemoryFormat format) override;

 private:
  // Height and width of the last stage's maps: the image's / 2^stages (MNIST, 2 stages: 7).
  std::int64_t feature_height() const;
  std::int64_t feature_width() const;

  torch::Tensor in_memory_format(const torch::Tensor& tensor) const;

  ModelOptions options_;
  torch::MemoryFormat memory_format_ = torch::MemoryFormat::Contiguous;
  torch::nn::Sequential encoder_{nullptr};
  torch::nn::Sequential decoder_{nullptr};
};

}  // namespace aebench
