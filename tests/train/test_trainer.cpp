#include "aebench/data/dataset.h"
#include "aebench/train/trainer.h"
#include "support/catch.h"

namespace {

// Trains a small dense model for two epochs (masking noise, 1-pixel shifts) on `train_images`,
// validating on the scaled images; the epochs' records.
std::vector<aebench::EpochRecord> train_on(const torch::Tensor& train_images,
                                           const torch::Tensor& val_images) {
  aebench::ModelOptions model_options;
  model_options.dense.hidden = {16};
  model_options.latent = 4;
  aebench::TrainOptions options;
  options.epochs = 2;
  options.batch_size = 10;
  options.augment_shift = 1;
  aebench::NoiseOptions noise;
  noise.type = "masking";
  torch::manual_seed(3);
  auto model = aebench::make_autoencoder(model_options);
  auto optimizer = aebench::make_optimizer(*model, options);
  const aebench::TrainingData data{train_images, val_images, val_images};
  return aebench::train_autoencoder(*model, *optimizer, data, options, noise,
                                    aebench::fresh_progress(3), {})
      .progress.history;
}

}  // namespace

TEST_CASE("training on a split's bytes matches training on the same images scaled to floats") {
  torch::manual_seed(17);
  const auto bytes = torch::randint(0, 256, {45, 1, 28, 28}, torch::kUInt8);
  const auto floats = aebench::unit_floats(bytes);
  const auto val = floats.narrow(0, 0, 10);
  const auto from_bytes = train_on(bytes, val);
  const auto from_floats = train_on(floats, val);
  REQUIRE(from_bytes.size() == 2);
  REQUIRE(from_floats.size() == 2);
  for (std::size_t epoch = 0; epoch < 2; ++epoch) {
    CHECK(from_bytes[epoch].train_loss == from_floats[epoch].train_loss);
    CHECK(from_bytes[epoch].val_loss == from_floats[epoch].val_loss);
  }
  CHECK(from_bytes[1].train_loss < from_bytes[0].train_loss);  // it trained
}
