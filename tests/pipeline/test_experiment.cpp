#include <torch/torch.h>

#include <fstream>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/pipeline/experiment.h"
#include "aebench/pipeline/saved_run.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

using aebench::testing::metric_rows;
using aebench::testing::ScratchFolder;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json train(const json& document) {
  return aebench::run_training(aebench::config_from_json(document, "test.json"), {});
}

struct PngSize {
  int width;
  int height;
};

std::string report_of(const fs::path& run) {
  return aebench::testing::file_contents(run / aebench::kReportFile);
}

PngSize checked_png(const fs::path& path) {
  const auto info = aebench::testing::inspect_png(path);
  INFO(path.string() << ": " << info.error);
  REQUIRE(info.valid);
  return {info.width, info.height};
}

// One row of 84-pixel tiles (28 x scale 3) plus its 4-pixel padding.
constexpr int kGridRowHeight = 28 * 3 + 4;

}  // namespace

TEST_CASE("a tiny run of each model kind lowers its loss and writes every artefact") {
  ScratchFolder folder("experiment");
  aebench::testing::write_synthetic_dataset(folder / "data", 300, 60);
  struct Case {
    const char* name;
    json model;
    json noise;
  };
  const std::vector<Case> cases = {
      {"dense", {{"type", "dense"}, {"hidden", {32}}, {"latent", 16}}, nullptr},
      {"conv", {{"type", "conv"}, {"channels", {4}}, {"latent", nullptr}}, nullptr},
      {"denoising",
       {{"type", "dense"}, {"hidden", {32}}, {"latent", 16}},
       {{"type", "gaussian"}, {"std", 0.25}}},
  };
  int clean_grid_height = 0;
  for (const auto& test : cases) {
    INFO(test.name);
    const fs::path out = folder / test.name;
    json document = aebench::testing::tiny_config(folder / "data", out);
    document["model"] = test.model;
    document["noise"] = test.noise;
    document["train"]["epochs"] = 4;
    const json summary = train(document);

    const auto rows = metric_rows(out / aebench::kMetricsFile);
    REQUIRE(rows.size() == 5);
    CHECK(rows[0] == "epoch,train_loss,val_loss,val_mse,val_psnr_db,lr");
    const auto loss_at = [&](std::size_t row) {
      return std::stod(rows[row].substr(rows[row].find(',') + 1));
    };
    CHECK(loss_at(4) < loss_at(1));
    CHECK(summary["epochs_run"] == 4);
    CHECK(summary["test"]["images"] == 60);
    CHECK(summary["test"]["mse"].get<double>() > 0);
    CHECK(summary["test"]["sse_per_image"].get<double>() ==
          Approx(summary["test"]["mse"].get<double>() * 784));
    for (const char* key : {"psnr_db", "bce"}) CHECK(summary["test"].contains(key));
    CHECK(summary.contains("train_seconds_total"));
    for (const char* key : {"best_epoch", "train_seconds", "samples_per_second", "device",
                            "threads", "torch_version", "config", "format_version"})
      CHECK(summary.contains(key));
    CHECK(aebench::testing::read_json(out / aebench::kSummaryFile) == summary);
    CHECK(aebench::testing::read_json(out / aebench::kConfigFile)["model"]["type"] ==
          test.model["type"]);
    CHECK(fs::file_size(out / aebench::kModelFile) > 0);

    const auto curve = checked_png(out / aebench::kLossCurveFile);
    CHECK((curve.width == 800 && curve.height == 500));
    const auto grid = checked_png(out / aebench::kReconstructionsFile);
    CHECK(grid.width > 6 * 84);
    if (test.noise.is_null())
      clean_grid_height = grid.height;
    else
      CHECK(grid.height == clean_grid_height + kGridRowHeight);  // the extra "noisy input" row
    const auto codes = checked_png(out / aebench::kBottleneckFile);
    CHECK(codes.width > 6 * 28);
    checked_png(out / aebench::kWeightsFile);
    const auto map = checked_png(out / aebench::kEmbeddingFile);
    CHECK(map.width > map.height);  // t-SNE and PCA side by side
    CHECK(summary["analysis"]["activity"].contains("code"));
    CHECK(summary["test"]["ssim"].get<double>() > 0);
    const std::string report = report_of(out);
    CHECK_THAT(report, Catch::Contains("data-key=\"test.mse\" data-value=\"" +
                                       summary["test"]["mse"].dump() + "\""));
    CHECK(report.find("class=\"problems\"") == std::string::npos);  // every file is there
  }
}

TEST_CASE("batch norm trains dense and conv models, a last batch of one image included") {
  ScratchFolder folder("batch_norm");
  aebench::testing::write_synthetic_dataset(folder / "data", 201, 40);
  for (const json& model :
       {json{{"type", "dense"}, {"hidden", {32, 16}}, {"latent", 8}, {"batch_norm", true}},
        json{{"type", "conv"}, {"channels", {4, 4}}, {"latent", 10}, {"batch_norm", true}}}) {
    INFO(model.dump());
    const fs::path out = folder / model["type"].get<std::string>();
    json document = aebench::testing::tiny_config(folder / "data", out);
    document["model"] = model;
    document["data"]["val"] = "test";  // all 201 training images: batches of 50, 50, 50, 51
    document["train"]["batch_size"] = 50;
    document["train"]["epochs"] = 3;
    document["train"]["lr"] = 0.01;
    const json summary = train(document);
    const auto rows = metric_rows(out / aebench::kMetricsFile);
    REQUIRE(rows.size() == 4);
    const auto loss_at = [&](std::size_t row) {
      return std::stod(rows[row].substr(rows[row].find(',') + 1));
    };
    CHECK(loss_at(3) < loss_at(1));
    // eval loads the saved weights and running statistics and scores the same test images
    CHECK(aebench::run_evaluation(out, {}, aebench::SplitKind::kTest, {})["test"] ==
          summary["test"]);
  }
}

TEST_CASE("the same config and seed give identical metrics run after run") {
  ScratchFolder folder("determinism");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 40);
  json first = aebench::testing::tiny_config(folder / "data", folder / "first");
  first["noise"] = {{"type", "masking"}, {"fraction", 0.2}};
  first["model"]["dropout"] = 0.1;
  json second = first;
  second["output"]["dir"] = (folder / "second").string();
  const json a = train(first), b = train(second);
  CHECK(metric_rows(folder / "first" / aebench::kMetricsFile) ==
        metric_rows(folder / "second" / aebench::kMetricsFile));
  CHECK(a["test"] == b["test"]);
  json third = first;
  third["seed"] = 4;
  third["output"]["dir"] = (folder / "third").string();
  CHECK(train(third)["test"] != a["test"]);
}

TEST_CASE("eval reproduces the training summary's test metrics from the saved run") {
  ScratchFolder folder("eval");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 40);
  json document = aebench::testing::tiny_config(folder / "data", folder / "run");
  document["model"] = {{"type", "conv"}, {"channels", {4, 4}}, {"latent", 10}};
  document["noise"] = {{"type", "salt_and_pepper"}, {"fraction", 0.1}};
  document["train"]["early_stopping"] = {{"patience", 1}};
  const json trained = train(document);
  const json evaluated = aebench::run_evaluation(folder / "run", {}, aebench::SplitKind::kTest, {});
  CHECK(evaluated["test"] == trained["test"]);
  CHECK(fs::exists(folder / "run" / "eval" / aebench::kSummaryFile));
  checked_png(folder / "run" / "eval" / aebench::kReconstructionsFile);
  checked_png(folder / "run" / "eval" / aebench::kBottleneckFile);
  CHECK_THAT(report_of(folder / "run"),
             Catch::Contains("data-file=\"eval/summary.json\" data-key=\"test.mse\" data-value=\"" +
                             evaluated["test"]["mse"].dump() + "\""));
}

TEST_CASE("early stopping stops after patience epochs without improvement") {
  ScratchFolder folder("early");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  json document = aebench::testing::tiny_config(folder / "data", folder / "run");
  document["train"]["epochs"] = 50;
  document["train"]["lr"] = 1e-12;  // nothing improves measurably
  document["train"]["early_stopping"] = {{"patience", 2}, {"min_delta", 1e-3}};
  const json summary = train(document);
  CHECK(summary["stopped_early"] == true);
  CHECK(summary["epochs_run"] == 3);
  CHECK(summary["best_epoch"] == 1);
}

TEST_CASE("resuming a run that stopped early writes its artefacts again without training on") {
  ScratchFolder folder("early-resume");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  json document = aebench::testing::tiny_config(folder / "data", folder / "run");
  document["train"]["epochs"] = 50;
  document["train"]["lr"] = 1e-12;
  document["train"]["early_stopping"] = {{"patience", 2}, {"min_delta", 1e-3}};
  const json first = train(document);
  aebench::RunOptions options;
  options.resume = true;
  const json again =
      aebench::run_training(aebench::config_from_json(document, "test.json"), options);
  CHECK(again["epochs_run"] == first["epochs_run"]);
  CHECK(again["stopped_early"] == true);
  CHECK(again["test"] == first["test"]);
  CHECK(metric_rows(folder / "run" / aebench::kMetricsFile).size() == 4);
}

TEST_CASE("a diverging run is a TrainingError naming epoch and batch") {
  ScratchFolder folder("diverge");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  json document = aebench::testing::tiny_config(folder / "data", folder / "run");
  // A purely linear network with a huge step size explodes within a few batches.
  document["model"] = {
      {"hidden", {32}}, {"latent", 16}, {"activation", "linear"}, {"output_activation", "linear"}};
  document["train"] = {{"optimizer", "sgd"}, {"lr", 100}, {"epochs", 5}, {"batch_size", 10}};
  std::string message;
  try {
    train(document);
  } catch (const aebench::TrainingError& error) {
    message = error.what();
  }
  CHECK_THAT(message,
             Catch::Contains("epoch 1") && Catch::Contains("batch") && Catch::Contains("train.lr"));
}

TEST_CASE("a run folder that holds a run is never silently overwritten") {
  ScratchFolder folder("overwrite");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const json document = aebench::testing::tiny_config(folder / "data", folder / "run");
  train(document);
  CHECK_THROWS_WITH(train(document), Catch::Contains("--overwrite"));
  aebench::RunOptions options;
  options.overwrite = true;
  CHECK_NOTHROW(aebench::run_training(aebench::config_from_json(document, "t.json"), options));
}

// Hidden from a plain run ("[.cuda]"); ctest runs it on its own and reports it as skipped
// when no GPU is visible (see CMakeLists.txt).
TEST_CASE("a tiny run on CUDA trains like the CPU run", "[.cuda]") {
  if (!torch::cuda::is_available()) aebench::testing::skip_test("no CUDA device visible");
  ScratchFolder folder("cuda");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 40);
  json cpu = aebench::testing::tiny_config(folder / "data", folder / "cpu");
  cpu["device"] = "cpu";
  json cuda = cpu;
  cuda["device"] = "cuda";
  cuda["output"]["dir"] = (folder / "cuda").string();
  const json on_cpu = train(cpu), on_cuda = train(cuda);
  CHECK(on_cuda["device"] == "cuda:0");
  // Different kernels and random streams: close, not identical.
  CHECK(on_cuda["test"]["mse"].get<double>() ==
        Approx(on_cpu["test"]["mse"].get<double>()).epsilon(0.25));
  const json evaluated =
      aebench::run_evaluation(folder / "cuda", {}, aebench::SplitKind::kTest, {});
  CHECK(evaluated["test"] == on_cuda["test"]);
}

TEST_CASE("a PCA run writes an autoencoder's artefacts and eval reproduces its metrics exactly") {
  ScratchFolder folder("pca");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 40);
  json document = aebench::testing::tiny_config(folder / "data", folder / "run");
  document["model"] = {{"type", "pca"}, {"latent", 12}};
  const json summary = train(document);
  CHECK(summary["epochs_run"] == 1);
  CHECK(summary["explained_variance_ratio"].size() == 12);
  CHECK(summary["test"]["mse"].get<double>() < 0.05);
  for (const char* file : {aebench::kReconstructionsFile, aebench::kBottleneckFile,
                           aebench::kWeightsFile, aebench::kLossCurveFile})
    checked_png(folder / "run" / file);
  CHECK(aebench::run_evaluation(folder / "run", {}, aebench::SplitKind::kTest, {})["test"] ==
        summary["test"]);
  // More components never reconstruct worse.
  document["model"]["latent"] = 40;
  document["output"]["dir"] = (folder / "run40").string();
  CHECK(train(document)["test"]["sse_per_image"].get<double>() <
        summary["test"]["sse_per_image"].get<double>());
}

TEST_CASE("a run with a probe block classifies its codes and records the results") {
  ScratchFolder folder("probe");
  aebench::testing::write_synthetic_dataset(folder / "data", 300, 60);
  json document = aebench::testing::tiny_config(folder / "data", folder / "run");
  document["data"]["val"] = 0.2;
  document["probe"] = {{"hidden", {16}}, {"epochs", 15}, {"batch_size", 16}, {"lr", 0.01}};
  const json summary = train(document);
  for (const char* name : {"softmax", "mlp", "pixels"}) {
    INFO(name);
    CHECK(summary["probe"][name]["test_accuracy"].get<double>() > 0.5);
    checked_png(folder / "run" / "probe" / (std::string(name) + "_confusion.png"));
    const json report =
        aebench::testing::read_json(folder / "run" / "probe" / (std::string(name) + ".json"));
    CHECK(report["test_report"]["confusion_matrix"].size() == 10);
    CHECK_THAT(report_of(folder / "run"),
               Catch::Contains("data-key=\"probe." + std::string(name) + ".test_accuracy\"") &&
                   Catch::Contains("data-file=\"probe/" + std::string(name) + "_confusion.png\""));
  }
}

TEST_CASE("pretraining and activity penalties are applied and recorded") {
  ScratchFolder folder("regularise");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 40);
  json document = aebench::testing::tiny_config(folder / "data", folder / "plain");
  document["model"]["hidden"] = {32, 24};
  document["analysis"]["embedding"] = "none";
  const json plain = train(document);
  document["output"]["dir"] = (folder / "l1").string();
  document["train"]["activity_l1"] = 0.05;
  const json sparse = train(document);
  CHECK(sparse["analysis"]["activity"]["code"]["sparseness"].get<double>() >
        plain["analysis"]["activity"]["code"]["sparseness"].get<double>());
  document["output"]["dir"] = (folder / "pretrained").string();
  document["pretrain"] = {{"epochs", 2}};
  const json pretrained = train(document);
  REQUIRE(pretrained["pretraining"].size() == 3);
  CHECK(pretrained["pretraining"][0]["losses"].size() == 2);
}

TEST_CASE("summary.json lists what was run and how it scored first and the config last") {
  ScratchFolder folder("reading-order");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  train(aebench::testing::tiny_config(folder / "data", folder / "run"));
  std::ifstream stream(folder / "run" / aebench::kSummaryFile);
  const std::string text((std::istreambuf_iterator<char>(stream)),
                         std::istreambuf_iterator<char>());
  const auto top_level = [&](const std::string& key) { return text.find("\n  \"" + key + "\":"); };
  for (const char* key : {"name", "data", "test", "epochs_run", "samples_per_second", "config"})
    REQUIRE(top_level(key) != std::string::npos);
  CHECK(top_level("name") < top_level("data"));
  CHECK(top_level("data") < top_level("test"));
  CHECK(top_level("test") < top_level("epochs_run"));
  CHECK(top_level("samples_per_second") < top_level("format_version"));
  CHECK(top_level("format_version") < top_level("config"));
}
