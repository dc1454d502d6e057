// End to end on CIFAR-10's binary format: `aebench train` and `aebench eval` on small files the
// test writes in that exact format (the real data set is not available to the tests).

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

// stb_image decodes the PNGs to look at their colours; its code is not ours to warn about.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

using aebench::testing::read_json;
using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Pixels of a PNG whose channels differ by more than 60 levels: coloured, not grey.
int coloured_pixels(const fs::path& path) {
  const auto info = aebench::testing::inspect_png(path);
  INFO(path.string() << ": " << info.error);
  REQUIRE(info.valid);
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(
      stbi_load(path.c_str(), &width, &height, &channels, 3), stbi_image_free);
  REQUIRE(pixels);
  int coloured = 0;
  for (int i = 0; i < width * height; ++i) {
    const int r = pixels.get()[3 * i], g = pixels.get()[3 * i + 1], b = pixels.get()[3 * i + 2];
    coloured += std::max({r, g, b}) - std::min({r, g, b}) > 60;
  }
  return coloured;
}

}  // namespace

TEST_CASE("dense, conv and pca runs train and evaluate on CIFAR-10 files, pictures in colour") {
  ScratchFolder folder("cifar-run");
  aebench::testing::write_synthetic_cifar(folder / "cifar10", 60, 20);
  struct Case {
    const char* name;
    json model;
    json extra;  // merged into the config
  };
  const std::vector<Case> cases = {
      {"dense",
       {{"type", "dense"}, {"hidden", {32}}, {"latent", 16}},
       {{"probe", {{"hidden", {16}}, {"epochs", 3}}}}},
      {"conv",
       {{"type", "conv"}, {"channels", {8, 4, 4}}, {"latent", nullptr}},
       {{"noise", {{"type", "gaussian"}, {"std", 0.1}}}}},
      {"pca", {{"type", "pca"}, {"latent", 8}}, json::object()},
  };
  for (const auto& test : cases) {
    INFO(test.name);
    const fs::path run = folder / test.name;
    json config = {
        {"name", std::string("cifar_") + test.name},
        {"seed", 1},
        {"data", {{"dataset", "cifar10"}, {"dir", (folder / "cifar10").string()}, {"val", 0.2}}},
        {"model", test.model},
        {"train", {{"epochs", 2}, {"batch_size", 16}}},
        {"output", {{"images", 6}}},
        {"threads", 1}};
    config.update(test.extra);
    const fs::path config_file = folder / (std::string(test.name) + ".json");
    std::ofstream(config_file) << config.dump(2);

    std::string output;
    REQUIRE(run_aebench(
                "train " + shell_quoted(config_file) + " --out " + shell_quoted(run) + " --quiet",
                &output) == 0);
    const json summary = read_json(run / aebench::kSummaryFile);
    CHECK(summary["data"]["train"] == 48);
    CHECK(summary["data"]["test"] == 20);
    CHECK(summary["config"]["data"]["dataset"] == "cifar10");
    CHECK(summary["test"]["sse_per_image"].get<double>() ==
          Approx(summary["test"]["mse"].get<double>() * 3072));
    CHECK(summary["test"]["ssim"].get<double>() > -1.0);
    CHECK(summary["test"]["ssim"].get<double>() <= 1.0);
    if (test.extra.contains("probe")) CHECK(summary["probe"].contains("pixels"));

    // Originals, (noisy inputs,) reconstructions: the bars' colours show; codes are grey.
    CHECK(coloured_pixels(run / aebench::kReconstructionsFile) > 500);
    CHECK(coloured_pixels(run / aebench::kBottleneckFile) == 0);
    // Dense and PCA weights are 3x32x32 pictures, conv filters 3x3x3: colour either way.
    CHECK(coloured_pixels(run / aebench::kWeightsFile) > 0);
    for (const char* file : {aebench::kLossCurveFile, aebench::kEmbeddingFile})
      CHECK(aebench::testing::inspect_png(run / file).valid);
    CHECK(fs::file_size(run / aebench::kReportFile) > 0);

    REQUIRE(run_aebench("eval " + shell_quoted(run) + " --quiet", &output) == 0);
    const json evaluated = read_json(run / aebench::kEvalFolder / aebench::kSummaryFile);
    CHECK(evaluated["test"]["mse"].get<double>() ==
          Approx(summary["test"]["mse"].get<double>()).epsilon(1e-9));
    CHECK(coloured_pixels(run / aebench::kEvalFolder / aebench::kReconstructionsFile) > 500);
  }
}

TEST_CASE("a CIFAR-10 run on a truncated batch file fails with a data error naming the file") {
  ScratchFolder folder("cifar-bad");
  aebench::testing::write_synthetic_cifar(folder / "cifar10", 30, 10);
  fs::resize_file(folder / "cifar10" / "data_batch_2.bin", 3073 + 100);
  const json config = {{"data", {{"dataset", "cifar10"}, {"dir", (folder / "cifar10").string()}}},
                       {"threads", 1}};
  std::ofstream(folder / "bad.json") << config.dump();
  std::string output;
  const int code = run_aebench("train " + shell_quoted(folder / "bad.json") + " --out " +
                                   shell_quoted(folder / "run") + " --quiet",
                               &output);
  CHECK(code == aebench::kExitDataError);
  CHECK_THAT(output, Catch::Contains("data_batch_2.bin") &&
                         Catch::Contains("multiple of 3073 bytes") &&
                         Catch::Contains("found 3173 bytes"));
}
