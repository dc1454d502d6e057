#include <catch2/catch.hpp>

#include <fstream>

#include "aebench/config/config.h"
#include "aebench/errors.h"
#include "support/test_support.h"

using aebench::Config;
using aebench::ConfigError;
using nlohmann::json;

namespace {

std::string config_error_message(const json& document) {
  try {
    aebench::config_from_json(document, "exp.json");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("an empty config gets every documented default") {
  const Config config = aebench::config_from_json(json::object(), "exp.json", "dense_100");
  CHECK(config.name == "dense_100");
  CHECK(config.seed == 0);
  CHECK(config.data.dataset == "mnist");
  CHECK(config.data.dir == "data/mnist");
  CHECK(config.data.classes.empty());
  CHECK(config.data.val_fraction == 0.0);
  CHECK(config.model.type == "dense");
  CHECK(config.model.hidden == std::vector<std::int64_t>{400, 200});
  CHECK(config.model.latent == 100);
  CHECK(config.model.latent_activation == "relu");
  CHECK(config.model.output_activation == "sigmoid");
  CHECK_FALSE(config.noise.enabled());
  CHECK(config.train.optimizer == "adam");
  CHECK(config.train.lr == Approx(1e-3));
  CHECK(config.train.loss == "mse");
  CHECK_FALSE(config.train.early_stopping.enabled);
  CHECK(config.output.dir == "runs/dense_100");
  CHECK(config.output.images == 10);
  CHECK(config.device == "auto");
  CHECK(config.threads == 0);
}

TEST_CASE("defaults that depend on other keys follow them") {
  const Config fashion = aebench::config_from_json(
      json{{"data", {{"dataset", "fashion-mnist"}}}, {"model", {{"type", "conv"}, {"activation", "tanh"}}}},
      "exp.json");
  CHECK(fashion.data.dir == "data/fashion-mnist");
  CHECK(fashion.model.latent == 0);  // conv: no dense bottleneck unless asked
  CHECK(fashion.model.latent_activation == "tanh");
  const Config rmsprop = aebench::config_from_json(json{{"train", {{"optimizer", "rmsprop"}}}}, "e");
  CHECK(rmsprop.train.momentum == 0.0);
}

TEST_CASE("invalid configs are ConfigErrors naming the key, the expectation and the value") {
  struct Case {
    const char* document;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {R"({"train": {"lerning_rate": 0.1}})", {"exp.json", "unknown key train.lerning_rate", "did you mean train.lr?"}},
      {R"({"modle": {}})", {"unknown key modle", "did you mean model?"}},
      {R"({"model": {"latnet": 3}})", {"model.latnet", "did you mean model.latent?"}},
      {R"({"train": {"lr": -1}})", {"train.lr", "expected a number in (0, 100]", "found -1"}},
      {R"({"train": {"lr": "fast"}})", {"train.lr", "found \"fast\" (string)"}},
      {R"({"train": {"epochs": 2.5}})", {"train.epochs", "expected an integer", "found 2.5"}},
      {R"({"train": {"batch_size": -4}})", {"train.batch_size", "found -4"}},
      {R"({"model": {"latent": 1000000000}})", {"model.latent", "[1, 65536]", "1000000000"}},
      {R"({"model": {"hidden": [400, -2]}})", {"model.hidden[1]", "found -2"}},
      {R"({"model": {"type": "vae"}})", {"model.type", "\"dense\"", "found \"vae\""}},
      {R"({"model": {"kernel": 4}})", {"model.kernel", "odd"}},
      {R"({"model": {"channels": [16, 8, 4]}})", {"model.channels", "1 or 2 stages"}},
      {R"({"data": {"classes": [1, 1]}})", {"data.classes", "distinct"}},
      {R"({"data": {"classes": [3, 12]}})", {"data.classes[1]", "[0, 9]", "12"}},
      {R"({"data": {"val": 1.5}})", {"data.val", "(0, 1)", "1.5"}},
      {R"({"data": {"val": "train"}})", {"data.val", "\"test\"", "train"}},
      {R"({"noise": {"type": "gaussian", "fraction": 0.2}})", {"unknown key noise.fraction"}},
      {R"({"noise": {"type": "blur"}})", {"noise.type", "found \"blur\""}},
      {R"({"noise": 0.3})", {"noise", "expected null or an object"}},
      {R"({"device": "tpu"})", {"device", "cuda:N", "tpu"}},
      {R"({"train": {"loss": "bce"}, "model": {"output_activation": "linear"}})", {"train.loss", "sigmoid", "linear"}},
      {R"({"train": {"early_stopping": {"patience": 0}}})", {"train.early_stopping.patience", "found 0"}},
      {R"({"data": {"test_limit": 5}})", {"output.images", "at most data.test_limit (5)", "found 10"}},
      {R"([1, 2])", {"(top level)", "expected an object"}},
  };
  for (const auto& test : cases) {
    INFO(test.document);
    const std::string message = config_error_message(json::parse(test.document));
    for (const auto& fragment : test.fragments) CHECK_THAT(message, Catch::Contains(fragment));
  }
}

TEST_CASE("overrides take dotted keys and JSON values, strings unquoted") {
  json document = {{"train", {{"lr", 0.1}}}};
  aebench::apply_override(document, "train.lr=3e-4");
  aebench::apply_override(document, "data.classes=[0,1,2,4,7]");
  aebench::apply_override(document, "data.dataset=fashion-mnist");
  aebench::apply_override(document, "noise.type=gaussian");
  aebench::apply_override(document, "noise.std=0.5");
  const Config config = aebench::config_from_json(document, "exp.json");
  CHECK(config.train.lr == Approx(3e-4));
  CHECK(config.data.classes == std::vector<int>{0, 1, 2, 4, 7});
  CHECK(config.data.dataset == "fashion-mnist");
  CHECK(config.noise.type == "gaussian");
  CHECK(config.noise.std == Approx(0.5));
}

TEST_CASE("a malformed override is a ConfigError naming it") {
  json document = json::object();
  CHECK_THROWS_WITH(aebench::apply_override(document, "train.lr"),
                    Catch::Contains("--set train.lr") && Catch::Contains("KEY=VALUE"));
  CHECK_THROWS_WITH(aebench::apply_override(document, "train..lr=1"), Catch::Contains("dotted key"));
  document["seed"] = 1;
  CHECK_THROWS_WITH(aebench::apply_override(document, "seed.x=1"), Catch::Contains("not an object"));
}

TEST_CASE("the resolved config parses back to the same config") {
  const Config original = aebench::config_from_json(
      json::parse(R"({"name": "x", "noise": {"type": "masking", "fraction": 0.3},
                      "data": {"val": 0.2, "train_limit": 500, "classes": [0, 4]},
                      "train": {"early_stopping": {"patience": 3}}})"),
      "exp.json");
  const json resolved = aebench::config_to_json(original);
  const Config reparsed = aebench::config_from_json(resolved, "config.json");
  CHECK(aebench::config_to_json(reparsed) == resolved);
  CHECK(reparsed.noise.fraction == Approx(0.3));
  CHECK(reparsed.data.train_limit == 500);
  CHECK(reparsed.train.early_stopping.enabled);
}

TEST_CASE("config files with bad JSON or duplicate keys name the file and position") {
  aebench::testing::ScratchFolder folder("config");
  struct Case {
    const char* text;
    const char* fragment;
  };
  const std::vector<Case> cases = {
      {"{\"seed\": 1,\n \"name\": }", ":2:"},
      {"{\"train\": {\"lr\": 1, \"lr\": 2}}", "duplicate key \"lr\""},
      {"", "invalid JSON"},
  };
  for (const auto& test : cases) {
    INFO(test.text);
    const auto path = folder / "bad.json";
    std::ofstream(path) << test.text;
    CHECK_THROWS_WITH(aebench::read_json_file(path),
                      Catch::Contains(path.string()) && Catch::Contains(test.fragment));
  }
  CHECK_THROWS_WITH(aebench::read_json_file(folder / "missing.json"), Catch::Contains("missing.json"));
  CHECK_THROWS_WITH(aebench::read_json_file(folder.path()), Catch::Contains("directory"));
}

TEST_CASE("edit distance counts single-character edits") {
  CHECK(aebench::edit_distance("", "abc") == 3);
  CHECK(aebench::edit_distance("latent", "latnet") == 2);
  CHECK(aebench::edit_distance("epochs", "epochs") == 0);
}

// Regressions found by fuzz/fuzz_config.cpp (reproducers in fuzz/regressions/config/).
TEST_CASE("inputs the config fuzzer found are ConfigErrors, not crashes") {
  SECTION("an override on a config that is not an object") {
    json document = json::array();
    CHECK_THROWS_WITH(aebench::apply_override(document, "a=1"),
                      Catch::Contains("the config is not an object"));
  }
  SECTION("an override with invalid UTF-8, accepted or rejected by validation") {
    json document = json::object();
    CHECK_THROWS_WITH(aebench::apply_override(document, "name=\xff"), Catch::Contains("UTF-8"));
    CHECK_THROWS_WITH(aebench::apply_override(document, "device=\xff"), Catch::Contains("UTF-8"));
    CHECK_THROWS_AS(aebench::string_override("output.dir", "runs/\xff", "--out"), ConfigError);
  }
  SECTION("a float seed of 2^63 is out of range") {
    CHECK_THROWS_WITH(aebench::config_from_json(json::parse(R"({"seed": 9223372036854775808.0})"), "e"),
                      Catch::Contains("seed"));
  }
  SECTION("a number that overflows a double") {
    aebench::testing::ScratchFolder folder("overflow");
    std::ofstream(folder / "big.json") << "{\"train\": {\"lr\": 1e400}}";
    CHECK_THROWS_WITH(aebench::read_json_file(folder / "big.json"), Catch::Contains("overflows"));
  }
  SECTION("a value in an error message that is not valid UTF-8 is still reported") {
    json document = json::object();
    document["device"] = std::string("\xff");
    CHECK_THROWS_AS(aebench::config_from_json(document, "e"), ConfigError);
  }
}
