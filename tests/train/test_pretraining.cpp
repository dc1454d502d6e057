#include "aebench/models/dense_autoencoder.h"
#include "aebench/train/pretraining.h"
#include "support/catch.h"

TEST_CASE("layer-wise pretraining trains every stage and lowers each stage's loss") {
  aebench::Config config;
  config.model.dense.hidden = {32, 16};
  config.model.latent = 8;
  config.pretrain.enabled = true;
  config.pretrain.epochs = 4;
  config.pretrain.batch_size = 16;
  config.pretrain.lr = 3e-3;
  torch::manual_seed(0);
  aebench::DenseAutoencoderImpl model(config.model);
  const auto before = model.encoder_layers()[2]->weight.clone();
  const auto images = torch::rand({128, 1, 28, 28}).gt(0.7).to(torch::kFloat32);
  const auto stages = aebench::pretrain_layers(model, images, config, nullptr);
  REQUIRE(stages.size() == 3);
  CHECK(stages[0]["layer"] == "784-32");
  CHECK(stages[1]["layer"] == "32-16");
  CHECK(stages[2]["layer"] == "16-8");
  for (const auto& stage : stages) {
    INFO(stage.dump());
    REQUIRE(stage["losses"].size() == 4);
    CHECK(stage["losses"].back().get<double>() < stage["losses"].front().get<double>());
  }
  // The stages train the deep model's own layers in place.
  CHECK_FALSE(torch::equal(model.encoder_layers()[2]->weight, before));
}
