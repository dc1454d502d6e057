#include <csignal>
#include <fstream>

#include "aebench/errors.h"
#include "aebench/train/checkpoint.h"
#include "aebench/train/trainer.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::ScratchFolder;

namespace {

aebench::ModelOptions small_model() {
  aebench::ModelOptions options;
  options.dense.hidden = {16};
  options.latent = 8;
  options.dropout = 0.1;  // uses the default generator, so its state must be restored too
  return options;
}

aebench::TrainingData random_images() {
  torch::manual_seed(11);
  const auto images = torch::rand({64, 1, 28, 28});
  return {images, images.narrow(0, 0, 16), images.narrow(0, 0, 16)};
}

aebench::TrainOptions train_options(std::int64_t epochs) {
  aebench::TrainOptions options;
  options.epochs = epochs;
  options.batch_size = 10;
  return options;
}

aebench::NoiseOptions masking() {
  aebench::NoiseOptions noise;
  noise.type = "masking";
  return noise;
}

struct Trained {
  std::shared_ptr<aebench::AutoencoderImpl> model;
  aebench::TrainingResult result;
};

// Trains from scratch, or from `checkpoint` when given; `stop_at` = {epoch, batch} sends a
// SIGINT-like stop request after that step.
Trained train(std::int64_t epochs, const std::filesystem::path& checkpoint, bool resume,
              std::pair<std::int64_t, std::int64_t> stop_at = {0, 0}) {
  torch::manual_seed(5);
  auto model = aebench::make_autoencoder(small_model());
  auto optimizer = aebench::make_optimizer(*model, train_options(epochs));
  auto start = resume ? aebench::load_training_checkpoint(checkpoint, *model, *optimizer).progress
                      : aebench::fresh_progress(5);
  std::pair<std::int64_t, std::int64_t> position;
  aebench::TrainingHooks hooks;
  hooks.after_step = [&](std::int64_t epoch, std::int64_t batch) { position = {epoch, batch}; };
  hooks.stop_requested = [&] { return position == stop_at ? SIGINT : 0; };
  hooks.save_checkpoint = [&](const aebench::TrainingProgress& state) {
    aebench::save_training_checkpoint(checkpoint, *model, *optimizer, state, {{"test", 1}});
  };
  auto result =
      aebench::train_autoencoder(*model, *optimizer, random_images(), train_options(epochs),
                                 masking(), std::move(start), hooks);
  return {model, std::move(result)};
}

void check_same_weights(aebench::AutoencoderImpl& a, aebench::AutoencoderImpl& b) {
  const auto left = a.parameters(), right = b.parameters();
  REQUIRE(left.size() == right.size());
  for (std::size_t i = 0; i < left.size(); ++i) CHECK(torch::equal(left[i], right[i]));
}

}  // namespace

TEST_CASE(
    "training stopped mid-epoch and resumed from its checkpoint matches an uninterrupted run bit "
    "for bit") {
  ScratchFolder folder("checkpoint");
  const Trained uninterrupted = train(4, folder / "a.pt", false);
  CHECK_THROWS_AS(train(4, folder / "b.pt", false, {2, 3}), aebench::Interrupted);
  const Trained resumed = train(4, folder / "b.pt", true);
  const auto& expected = uninterrupted.result.progress.history;
  const auto& found = resumed.result.progress.history;
  REQUIRE(found.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(found[i].train_loss == expected[i].train_loss);
    CHECK(found[i].val_loss == expected[i].val_loss);
  }
  check_same_weights(*uninterrupted.model, *resumed.model);
}

TEST_CASE("a stop request at an epoch's end checkpoints that epoch and resumes exactly") {
  ScratchFolder folder("checkpoint");
  const Trained uninterrupted = train(3, folder / "a.pt", false);
  CHECK_THROWS_AS(train(3, folder / "b.pt", false, {1, 7}),
                  aebench::Interrupted);  // 7 = last batch
  const Trained resumed = train(3, folder / "b.pt", true);
  check_same_weights(*uninterrupted.model, *resumed.model);
}

TEST_CASE("a checkpoint keeps the summary's results from before training") {
  ScratchFolder folder("extras");
  torch::manual_seed(5);
  auto model = aebench::make_autoencoder(small_model());
  auto optimizer = aebench::make_optimizer(*model, train_options(1));
  auto progress = aebench::fresh_progress(5);
  progress.summary_extras = {{"pretraining", {{{"stage", 1}, {"losses", {0.5, 0.25}}}}}};
  aebench::save_training_checkpoint(folder / "c.pt", *model, *optimizer, progress, {{"test", 1}});
  const auto loaded = aebench::load_training_checkpoint(folder / "c.pt", *model, *optimizer);
  CHECK(loaded.progress.summary_extras == progress.summary_extras);
}

TEST_CASE("a checkpoint keeps the plateau schedule's state") {
  ScratchFolder folder("plateau");
  torch::manual_seed(5);
  auto model = aebench::make_autoencoder(small_model());
  auto optimizer = aebench::make_optimizer(*model, train_options(1));
  auto progress = aebench::fresh_progress(5);
  progress.plateau = {0.25, 0.125, true, 3};
  aebench::save_training_checkpoint(folder / "c.pt", *model, *optimizer, progress, {{"test", 1}});
  const auto loaded = aebench::load_training_checkpoint(folder / "c.pt", *model, *optimizer);
  CHECK(loaded.progress.plateau.scale == 0.25);
  CHECK(loaded.progress.plateau.best_val_loss == 0.125);
  CHECK(loaded.progress.plateau.has_best);
  CHECK(loaded.progress.plateau.stale_epochs == 3);
}

TEST_CASE("a NaN in training stops with a TrainingError and keeps the last good checkpoint") {
  ScratchFolder folder("nan");
  torch::manual_seed(5);
  auto model = aebench::make_autoencoder(small_model());
  auto optimizer = aebench::make_optimizer(*model, train_options(5));
  std::int64_t last_checkpoint_epoch = -1;
  aebench::TrainingHooks hooks;
  hooks.save_checkpoint = [&](const aebench::TrainingProgress& state) {
    last_checkpoint_epoch = state.epochs_done;
    aebench::save_training_checkpoint(folder / "c.pt", *model, *optimizer, state, {});
  };
  hooks.after_step = [&](std::int64_t epoch, std::int64_t batch) {
    if (epoch == 2 && batch == 3) {
      torch::NoGradGuard no_grad;
      model->parameters().front().fill_(std::numeric_limits<float>::quiet_NaN());
    }
  };
  CHECK_THROWS_WITH(
      aebench::train_autoencoder(*model, *optimizer, random_images(), train_options(5), masking(),
                                 aebench::fresh_progress(5), hooks),
      Catch::Contains("epoch 2, batch 4") && Catch::Contains("nan"));
  CHECK(last_checkpoint_epoch == 1);
  auto reloaded = aebench::make_autoencoder(small_model());
  auto reloaded_optimizer = aebench::make_optimizer(*reloaded, train_options(5));
  const auto loaded =
      aebench::load_training_checkpoint(folder / "c.pt", *reloaded, *reloaded_optimizer);
  CHECK(loaded.progress.epochs_done == 1);
  CHECK_FALSE(torch::isnan(reloaded->parameters().front()).any().item<bool>());
}

TEST_CASE("a corrupt or truncated checkpoint is reported before LibTorch reads it") {
  ScratchFolder folder("corrupt");
  auto model = aebench::make_autoencoder(small_model());
  aebench::save_model(folder / "model.pt", *model, {{"name", "x"}});
  std::string bytes;
  {
    std::ifstream stream(folder / "model.pt", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(stream), {});
  }
  const auto write = [&](const std::string& contents) {
    std::ofstream(folder / "model.pt", std::ios::binary | std::ios::trunc) << contents;
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x01;
  write(flipped);
  CHECK_THROWS_WITH(aebench::load_model(folder / "model.pt", *model), Catch::Contains("corrupt"));
  write(bytes.substr(0, bytes.size() / 3));
  CHECK_THROWS_WITH(aebench::load_model(folder / "model.pt", *model), Catch::Contains("truncated"));
  CHECK_THROWS_AS(aebench::load_model(folder / "missing.pt", *model), aebench::DataError);
  write(bytes);
  CHECK_NOTHROW(aebench::load_model(folder / "model.pt", *model));
  auto other = small_model();
  other.latent = 9;
  auto mismatched = aebench::make_autoencoder(other);
  CHECK_THROWS_AS(aebench::load_model(folder / "model.pt", *mismatched), aebench::DataError);
}

TEST_CASE("with a checkpoint interval, checkpoints are also written within an epoch") {
  ScratchFolder folder("interval");
  torch::manual_seed(5);
  auto model = aebench::make_autoencoder(small_model());
  auto optimizer = aebench::make_optimizer(*model, train_options(1));
  std::vector<std::int64_t> batches_at_checkpoint;
  aebench::TrainingHooks hooks;
  hooks.checkpoint_seconds = 1e-9;  // due after every step
  hooks.save_checkpoint = [&](const aebench::TrainingProgress& state) {
    batches_at_checkpoint.push_back(state.batches_done);
  };
  aebench::train_autoencoder(*model, *optimizer, random_images(), train_options(1), masking(),
                             aebench::fresh_progress(5), hooks);
  // 7 batches: mid-epoch after batches 1-6, then the end-of-epoch checkpoint (batches reset).
  CHECK(batches_at_checkpoint == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 0});
}
