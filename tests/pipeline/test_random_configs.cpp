// Property: every valid config either runs to the end (exit 0, every artefact it asks for) or
// is refused at once (exit 2, one line, no run folder). Never exit 1, never a late error.
// Configs are drawn (seeded) from the table below, over a tiny synthetic dataset.

#include <cstdlib>
#include <fstream>
#include <random>

#include "../../src/cli/startup_environment.h"
#include "aebench/errors.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::read_json;
using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The generator's ranges: for each key (dotted, as in docs/config.md), the values a config may
// draw, each within the key's documented range. A key drawn as null is left to its default.
// Kept tiny (widths, channels, points, epochs) so that a run takes about a second.
const std::vector<std::pair<std::string, std::vector<json>>> kKeyValues = {
    {"seed", {0, 1, 7}},
    {"data.classes",
     {nullptr, nullptr, json::array({5}), json::array({0, 9}), json::array({1, 2, 3})}},
    {"data.val", {"test", "test", 0.1, 0.2, 0.5, 0.9}},
    {"data.train_limit", {nullptr, nullptr, 3, 10, 30}},
    {"data.test_limit", {nullptr, nullptr, 1, 4, 12}},
    {"model.type", {"dense", "dense", "conv", "conv", "pca"}},
    {"model.hidden", {json::array(), json::array({1}), json::array({8}), json::array({16, 8})}},
    {"model.latent", {nullptr, 1, 2, 3, 8, 40}},
    {"model.activation", {"relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "linear"}},
    {"model.latent_activation", {nullptr, "relu", "linear", "sigmoid"}},
    {"model.output_activation", {"sigmoid", "sigmoid", "linear", "softmax"}},
    {"model.dropout", {0.0, 0.3, 0.9}},
    {"model.batch_norm", {false, false, true}},
    {"model.channels",
     {json::array({1}), json::array({2}), json::array({4, 2}), json::array({3, 1})}},
    {"model.kernel", {1, 3, 5, 27}},
    {"model.upsample", {"nearest", "transposed"}},
    {"noise",
     {nullptr, nullptr, json{{"type", "gaussian"}, {"std", 0.3}},
      json{{"type", "gaussian"}, {"std", 2.0}, {"clip", false}},
      json{{"type", "masking"}, {"fraction", 1.0}},
      json{{"type", "salt_and_pepper"}, {"fraction", 0.0}}}},
    {"train.epochs", {1, 2}},
    {"train.batch_size", {1, 7, 64, 1048576}},
    {"train.optimizer", {"adam", "sgd", "rmsprop"}},
    {"train.lr", {0.001, 0.01}},
    {"train.loss", {"mse", "mse", "bce"}},
    {"train.weight_decay", {0.0, 0.001}},
    {"train.activity_l1", {0.0, 0.001}},
    {"train.augment_shift", {0, 0, 1, 8}},
    {"train.early_stopping",
     {nullptr, json{{"patience", 1}}, json{{"patience", 1}, {"restore_best", false}}}},
    {"pretrain", {nullptr, nullptr, json{{"epochs", 1}, {"batch_size", 5}}}},
    {"probe",
     {nullptr, nullptr, json{{"hidden", {4}}, {"epochs", 2}, {"patience", 1}, {"batch_size", 1000}},
      json{{"hidden", json::array()}, {"loss", "center"}, {"pixels", false}, {"epochs", 1}}}},
    {"analysis.embedding", {"none", "tsne", "pca", "both"}},
    {"analysis.embedding_points", {10, 25, 10000}},
    {"analysis.perplexity", {1.0, 5.0, 1000.0}},
    {"analysis.tsne_iterations", {10, 30}},
    {"analysis.weight_units", {1, 1024}},
    {"output.images", {1, 4, 100}},
};
// AEBENCH_PROPERTY_CONFIGS and AEBENCH_PROPERTY_SEED override these, to search wider by hand.
constexpr int kConfigs = 40;
constexpr std::uint32_t kGeneratorSeed = 20240601;
constexpr int kTrainImages = 60, kTestImages = 30;

void set_dotted(json& document, const std::string& key, const json& value) {
  json* node = &document;
  std::size_t start = 0;
  for (std::size_t dot; (dot = key.find('.', start)) != std::string::npos; start = dot + 1)
    node = &(*node)[key.substr(start, dot - start)];
  (*node)[key.substr(start)] = value;
}

// Brings a drawn config within the documented rules that tie keys together (docs/config.md),
// so that it is valid; whether the data can honour it (e.g. a validation fraction of a tiny
// split) is left to the tool.
void apply_documented_rules(json& document) {
  auto& data = document["data"];
  const std::size_t classes = data.contains("classes") ? data["classes"].size() : 10;
  for (const char* limit : {"train_limit", "test_limit"})
    if (data.contains(limit) && data[limit].get<std::size_t>() < classes) data.erase(limit);
  if (data.contains("test_limit") && document["output"]["images"] > data["test_limit"])
    document["output"]["images"] = data["test_limit"];
  if (document["model"]["type"] != "dense") document["pretrain"] = nullptr;
  if (document["model"]["output_activation"] == "linear") document["train"]["loss"] = "mse";
  // Nothing may select on the test split: validating on it rules out early stopping and probes.
  if (data["val"] == "test")
    document["train"]["early_stopping"] = nullptr, document["probe"] = nullptr;
}

json random_config(std::mt19937& generator, const fs::path& data_dir, const fs::path& run_dir) {
  json document = {{"name", "random"}, {"threads", 1}, {"device", "cpu"}};
  for (const auto& [key, values] : kKeyValues) {
    const auto& value =
        values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(generator)];
    if (!value.is_null() || key == "noise" || key == "train.early_stopping" || key == "pretrain" ||
        key == "probe")
      set_dotted(document, key, value);
  }
  set_dotted(document, "data.dir", data_dir.string());
  set_dotted(document, "output.dir", run_dir.string());
  apply_documented_rules(document);
  return document;
}

// The artefacts a finished run of `config` must have written, given what its summary says.
std::vector<std::string> expected_artefacts(const json& config, const json& summary) {
  std::vector<std::string> files = {"config.json",    "metrics.csv",    "model.pt",
                                    "summary.json",   "loss_curve.png", "reconstructions.png",
                                    "bottleneck.png", "weights.png"};
  const auto& embedding = summary["analysis"]["embedding"];
  const bool skipped = embedding.contains("notes") &&
                       embedding["notes"].dump().find("no embedding.png") != std::string::npos;
  if (config["analysis"]["embedding"] != "none" && !skipped) files.push_back("embedding.png");
  if (config["probe"].is_object()) {
    files.insert(files.end(), {"probe/softmax.json", "probe/mlp.json", "probe/mlp_confusion.png"});
    if (config["probe"].value("pixels", true)) files.push_back("probe/pixels.json");
  }
  return files;
}

// Runs aebench with its default malloc tunables plus perturb: every block malloc hands out is
// filled with 0xfe bytes (a float of -1.7e38), so a read of memory nobody wrote shows as a late NaN
// in every run instead of only where freed memory happens to be dirty (as on CI, where a conv
// model's GELU gradient once read uninitialised memory).
class DirtyMallocForChildren {
 public:
  DirtyMallocForChildren() {
    const std::string tunables =
        std::string(aebench::cli::kDefaultMallocTunables) + ":glibc.malloc.perturb=1";
    ::setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  }
  ~DirtyMallocForChildren() { ::unsetenv("GLIBC_TUNABLES"); }
};

}  // namespace

TEST_CASE(
    "every random valid config runs to the end with its artefacts or is refused before training",
    "[property]") {
  ScratchFolder folder("random-configs");
  const DirtyMallocForChildren dirty_malloc;
  aebench::testing::write_synthetic_dataset(folder / "data", kTrainImages, kTestImages);
  const char* configs_variable = std::getenv("AEBENCH_PROPERTY_CONFIGS");
  const char* seed_variable = std::getenv("AEBENCH_PROPERTY_SEED");
  const int configs = configs_variable ? std::stoi(configs_variable) : kConfigs;
  std::mt19937 generator(seed_variable ? std::uint32_t(std::stoul(seed_variable)) : kGeneratorSeed);
  int finished = 0;
  std::string refusals;  // one line per refused config
  for (int i = 0; i < configs; ++i) {
    const fs::path run = folder / ("run" + std::to_string(i));
    const json config = random_config(generator, folder / "data", run);
    const fs::path config_path = folder / ("config" + std::to_string(i) + ".json");
    std::ofstream(config_path) << config.dump(2);
    std::string output;
    const int code = run_aebench("train '" + config_path.string() + "' --quiet", &output);
    INFO("config " << i << ": " << config.dump() << "\noutput: " << output);
    if (code == aebench::kExitUsageError) {
      refusals += output;
      CHECK(std::count(output.begin(), output.end(), '\n') == 1);
      CHECK_FALSE(fs::exists(run));
      continue;
    }
    REQUIRE(code == aebench::kExitSuccess);
    ++finished;
    const json summary = read_json(run / "summary.json");
    for (const auto& file : expected_artefacts(config, summary)) {
      INFO(file);
      CHECK(fs::exists(run / file));
    }
    CHECK(summary["data"].contains("val_source"));
    if (config["pretrain"].is_object() && config["model"]["type"] == "dense")
      CHECK(summary.contains("pretraining"));
    if (config["model"]["type"] == "pca") CHECK(summary.contains("explained_variance_ratio"));
  }
  INFO(finished << " finished; refused:\n" << refusals);
  CHECK(finished >= configs / 2);
}
