#include <fstream>

#include "aebench/errors.h"
#include "aebench/pipeline/preflight.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::read_json;
using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
namespace fs = std::filesystem;

namespace {

// Writes the tiny config over a synthetic dataset (100 train, 20 test) into `folder`; returns
// the start of an `aebench train` command line for it, writing to folder/run.
std::string tiny_train_command(const ScratchFolder& folder) {
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  std::ofstream(folder / "exp.json")
      << aebench::testing::tiny_config(folder / "data", folder / "run").dump();
  return "train '" + (folder / "exp.json").string() + "' --threads 1 --set train.epochs=1 ";
}

}  // namespace

TEST_CASE("the memory estimate counts weights, gradients, optimizer state and checkpoint copies") {
  aebench::Config config;
  config.model.dense.hidden = {};
  config.model.latent = 10;
  config.train.batch_size = 50;
  config.analysis.embedding = "none";
  const auto estimate = aebench::estimate_memory(config, 100, 20, 20);
  const std::int64_t parameters = 784 * 10 + 10 + 10 * 784 + 784;
  CHECK(estimate.parameters == parameters);
  // weights + gradients + (weights + 2 Adam moments) x (kept + serialised + wrapped)
  CHECK(estimate.model_bytes == 4 * parameters * (2 + 3 * 3));
  // bytes of all 140 images, read and selected; floats of the 40 validation and test images
  CHECK(estimate.data_bytes == 784 * 2 * 140 + 4 * 784 * 40);
  CHECK(estimate.analysis_bytes == 0);
  CHECK_NOTHROW(aebench::check_memory(estimate, estimate.total()));
  CHECK_THROWS_WITH(aebench::check_memory(estimate, estimate.total() - 1),
                    Catch::StartsWith("model: needs about 0.0 GiB (16474 parameters") &&
                        Catch::Contains("this machine has 0.0 GiB"));
}

TEST_CASE(
    "a model too large for memory is refused with its estimated size before anything is written") {
  ScratchFolder folder("preflight");
  std::string output;
  CHECK(run_aebench(tiny_train_command(folder) + "--set model.hidden=[65536,65536,65536]",
                    &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("model: needs about") && Catch::Contains("G parameters") &&
                         Catch::Contains("this machine has") && Catch::Contains("GiB"));
  CHECK(std::count(output.begin(), output.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(folder / "run"));
}

TEST_CASE("a held-out fraction the classes cannot meet is refused at once, saying what would do") {
  ScratchFolder folder("preflight");
  std::string output;
  CHECK(run_aebench(tiny_train_command(folder) + "--set data.val=0.05", &output) ==
        aebench::kExitUsageError);
  CHECK_THAT(output,
             Catch::Contains("data.val: 0.05 of 100 training images is 5, fewer than the 10 "
                             "classes need (one each); use data.val >= 0.1"));
  CHECK_FALSE(fs::exists(folder / "run"));
}

TEST_CASE("a 1-D code trains to the end and its embedding shows the code by class instead of PCA") {
  ScratchFolder folder("preflight");
  std::string output;
  REQUIRE(run_aebench(tiny_train_command(folder) + "--set model.latent=1", &output) == 0);
  CHECK_THAT(output, Catch::Contains("a 1-D code has no 2-D PCA map"));
  const auto embedding = read_json(folder / "run" / "summary.json")["analysis"]["embedding"];
  CHECK(embedding["notes"][0].get<std::string>().find("1-D code") != std::string::npos);
  CHECK(fs::exists(folder / "run" / "embedding.png"));
}

TEST_CASE("too few test images for a map: the run finishes without embedding.png and says why") {
  ScratchFolder folder("preflight");
  std::string output;
  REQUIRE(run_aebench(tiny_train_command(folder) +
                          "--set data.classes=[5] --set data.test_limit=1 --set output.images=1 "
                          "--set analysis.embedding=both",
                      &output) == 0);
  CHECK_THAT(output, Catch::Contains("t-SNE needs at least 4 test images, found 1") &&
                         Catch::Contains("no embedding.png"));
  const auto summary = read_json(folder / "run" / "summary.json");
  CHECK(summary["analysis"]["embedding"]["points"] == 1);
  CHECK(summary["analysis"]["embedding"]["notes"].size() == 3);
  CHECK(fs::exists(folder / "run" / "reconstructions.png"));
  CHECK_FALSE(fs::exists(folder / "run" / "embedding.png"));
}

TEST_CASE("PCA with a single training image is refused before anything is written") {
  ScratchFolder folder("preflight");
  std::string output;
  CHECK(run_aebench(tiny_train_command(folder) +
                        "--set model.type=pca --set data.classes=[5] --set data.train_limit=1 "
                        "--set data.val=test",
                    &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("\"pca\" needs at least 2 training images to fit, found 1"));
  CHECK_FALSE(fs::exists(folder / "run"));
}

TEST_CASE("the startup line and summary.json say where the validation split comes from") {
  ScratchFolder folder("preflight");
  const auto command = tiny_train_command(folder);
  std::string output;
  REQUIRE(run_aebench(command + "--set data.val=test", &output) == 0);
  CHECK_THAT(output,
             Catch::Contains("validation = the test split (data.val \"test\"): do not read it "
                             "as a held-out score"));
  CHECK(read_json(folder / "run" / "summary.json")["data"]["val_source"] == "test split");
  REQUIRE(run_aebench(command + "--set data.val=0.2 --overwrite", &output) == 0);
  CHECK_THAT(
      output,
      Catch::Contains("data: 80 train, 20 validation held out from train (20 %), 20 test images;"));
  const auto data = read_json(folder / "run" / "summary.json")["data"];
  CHECK(data["val_source"] == "held out from train (20 %)");
  CHECK(data["train"] == 80);
  CHECK(data["val"] == 20);
}
