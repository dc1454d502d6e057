#include <sys/stat.h>

#include <fstream>

#include "aebench/config/config.h"
#include "aebench/errors.h"
#include "support/catch.h"
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
  CHECK(config.data.val_fraction == Approx(0.1));  // a held-out 10%, no longer the test split
  CHECK(config.model.type == "dense");
  CHECK(config.model.dense.hidden == std::vector<std::int64_t>{400, 200});
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
  const Config fashion =
      aebench::config_from_json(json{{"data", {{"dataset", "fashion-mnist"}}},
                                     {"model", {{"type", "conv"}, {"activation", "tanh"}}}},
                                "exp.json");
  CHECK(fashion.data.dir == "data/fashion-mnist");
  CHECK(fashion.model.latent == 0);  // conv: no dense bottleneck unless asked
  CHECK(fashion.model.latent_activation == "tanh");
  const Config rmsprop =
      aebench::config_from_json(json{{"train", {{"optimizer", "rmsprop"}}}}, "e");
  CHECK(rmsprop.train.momentum == 0.0);
}

TEST_CASE("invalid configs are ConfigErrors naming the key, the expectation and the value") {
  struct Case {
    const char* document;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {R"({"train": {"lerning_rate": 0.1}})",
       {"exp.json", "unknown key train.lerning_rate", "did you mean train.lr?"}},
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
      {R"({"noise": {"type": "gaussian", "fraction": 0.2}})",
       {"noise.fraction: expected only the keys of type \"gaussian\" (type, std, clip), found "
        "fraction, a key of type \"masking\" or \"salt_and_pepper\"; give the type it belongs to"}},
      {R"({"noise": {"type": "blur"}})", {"noise.type", "found \"blur\""}},
      {R"({"noise": 0.3})", {"noise", "expected null or an object"}},
      {R"({"device": "tpu"})", {"device", "cuda:N", "tpu"}},
      {R"({"train": {"loss": "bce"}, "model": {"output_activation": "linear"}})",
       {"train.loss", "sigmoid", "linear"}},
      {R"({"train": {"early_stopping": {"patience": 0}}})",
       {"train.early_stopping.patience", "found 0"}},
      {R"({"data": {"test_limit": 5}})",
       {"output.images", "at most data.test_limit (5)", "found 10"}},
      {R"([1, 2])", {"(top level)", "expected an object"}},
      {R"({"probe": 3})", {"probe", "expected null or an object", "found 3"}},
      {R"({"noise": {"type": "masking", "std": 0.5}})", {"noise.std: expected only the keys of"}},
      {R"({"model": {"type": "pca", "latent": 785}})", {"model.latent", "[1, 784]", "785"}},
      {R"({"model": {"batch_norm": true}, "pretrain": {}})",
       {"pretrain", "expected model.batch_norm false", "found true"}},
      {R"({"model": {"batch_norm": true}, "train": {"batch_size": 1}})",
       {"train.batch_size", "batches of at least 2 images", "found 1"}},
      {R"({"model": {"batch_norm": 1}})", {"model.batch_norm", "expected true or false"}},
      // val "test" cannot be selected on.
      {R"({"data": {"val": "test"}, "train": {"early_stopping": {}}})",
       {"data.val: \"test\" cannot drive train.early_stopping", "use a held-out fraction"}},
      {R"({"data": {"val": "test"}, "probe": {}})",
       {"data.val: \"test\" cannot drive probe", "use a held-out fraction"}},
      // The run name cannot make runs/<name> leave runs/.
      {R"({"name": "../escape"})", {"name", "single folder name", "found \"../escape\""}},
      {R"({"name": "a/b"})", {"name", "no '/'", "a/b"}},
      {R"({"name": ".."})", {"name", "found \"..\""}},
      {R"({"name": "   "})", {"name", "not blank"}},
      {R"({"name": "a\u0000b"})", {"name", "control characters", "a\\u0000b"}},
      {R"({"name": "line\nbreak"})", {"name", "line\\nbreak"}},
      {R"({"output": {"dir": "runs/a\u0000b"}})", {"output.dir", "control characters"}},
      {R"({"data": {"dir": "data\nmnist"}})", {"data.dir", "control characters"}},
      {R"({"\u0000": 1})", {"unknown key \\u0000"}},
  };
  for (const auto& test : cases) {
    INFO(test.document);
    const std::string message = config_error_message(json::parse(test.document));
    for (const auto& fragment : test.fragments) CHECK_THAT(message, Catch::Contains(fragment));
  }
}

TEST_CASE("a key that does not apply to the config is left out of it and named") {
  const json document = {{"model", {{"type", "dense"}, {"hidden", {32}}, {"latent", 8}}},
                         {"train", {{"beta", 4}, {"kl_warmup_epochs", 2}}}};
  const Config plain = aebench::config_from_json(document, "e");
  CHECK(plain.ignored_keys == std::vector<std::string>{"train.beta", "train.kl_warmup_epochs"});
  CHECK_FALSE(aebench::config_to_json(plain)["train"].contains("beta"));
  json variational = document;
  variational["model"]["variational"] = true;
  CHECK(aebench::config_from_json(variational, "e").ignored_keys.empty());
  // A key that applies but has no effect with the keys given: named, and still resolved.
  const json adam = {{"train", {{"optimizer", "adam"}, {"momentum", 0.5}}}};
  const Config with_adam = aebench::config_from_json(adam, "e");
  CHECK(with_adam.ignored_keys == std::vector<std::string>{"train.momentum"});
  CHECK(aebench::config_to_json(with_adam)["train"]["momentum"] == 0.5);
  json sgd = adam;
  sgd["train"]["optimizer"] = "sgd";
  CHECK(aebench::config_from_json(sgd, "e").ignored_keys.empty());
  CHECK(aebench::config_from_json(json::object(), "e").ignored_keys.empty());  // defaults
  // A model fitted in closed form trains nothing.
  const json pca = {{"model", {{"type", "pca"}, {"latent", 8}, {"dropout", 0.3}}},
                    {"train", {{"lr", 0.5}, {"early_stopping", {{"patience", 3}}}}},
                    {"output", {{"checkpoint_minutes", 5}}}};
  CHECK(aebench::config_from_json(pca, "e").ignored_keys ==
        std::vector<std::string>{"model.dropout", "train.lr", "train.early_stopping",
                                 "output.checkpoint_minutes"});
  json dense = pca;
  dense["model"] = {{"type", "dense"}, {"hidden", {32}}, {"latent", 8}, {"dropout", 0.3}};
  CHECK(aebench::config_from_json(dense, "e").ignored_keys.empty());
  // Keys of a picture not drawn, of a code layer a conv model without `latent` lacks, and of
  // a thread count only threads 0 chooses.
  const json unused = {
      {"model", {{"type", "conv"}, {"channels", {4}}, {"latent_activation", "tanh"}}},
      {"analysis", {{"embedding", "none"}, {"embedding_points", 50}, {"perplexity", 5}}},
      {"threads", 2},
      {"follow_load", false}};
  CHECK(aebench::config_from_json(unused, "e").ignored_keys ==
        std::vector<std::string>{"model.latent_activation", "analysis.embedding_points",
                                 "analysis.perplexity", "follow_load"});
  json used = unused;
  used["model"]["latent"] = 8;
  used["analysis"]["embedding"] = "both";
  used["threads"] = 0;
  CHECK(aebench::config_from_json(used, "e").ignored_keys.empty());
  used["analysis"]["embedding"] = "pca";
  CHECK(aebench::config_from_json(used, "e").ignored_keys ==
        std::vector<std::string>{"analysis.perplexity"});
  // Dropout follows a dense model's hidden layers: a conv model, or none, has no place for it.
  for (const json& model : {json{{"type", "conv"}, {"channels", {4}}, {"dropout", 0.5}},
                            json{{"type", "dense"}, {"hidden", json::array()}, {"dropout", 0.5}}}) {
    INFO(model.dump());
    CHECK(aebench::config_from_json(json{{"model", model}}, "e").ignored_keys ==
          std::vector<std::string>{"model.dropout"});
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

TEST_CASE("an object override sets the keys it names and keeps the others, at any depth") {
  json document = {{"train", {{"lr", 0.1}, {"epochs", 7}, {"early_stopping", {{"patience", 3}}}}},
                   {"data", {{"train_limit", 500}}}};
  aebench::apply_override(document, "train.epochs=2");
  aebench::apply_override(document, R"(train={"lr": 0.001, "early_stopping": {"min_delta": 0.5}})");
  CHECK(document["train"]["epochs"] == 2);  // an earlier --set is kept
  CHECK(document["train"]["lr"] == 0.001);
  CHECK(document["train"]["early_stopping"] == json{{"patience", 3}, {"min_delta", 0.5}});
  aebench::apply_override(document, R"(data={"test_limit": 100})");
  CHECK(document["data"] == json{{"train_limit", 500}, {"test_limit", 100}});  // the file's kept
  // Either order gives one config: the later value of a key wins, and nothing else is lost.
  json reversed = {{"train", {{"lr", 0.1}, {"epochs", 7}, {"early_stopping", {{"patience", 3}}}}},
                   {"data", {{"train_limit", 500}}}};
  aebench::apply_override(reversed, R"(train={"lr": 0.001, "early_stopping": {"min_delta": 0.5}})");
  aebench::apply_override(reversed, "train.epochs=2");
  aebench::apply_override(reversed, R"(data={"test_limit": 100})");
  CHECK(reversed == document);
  // Anything but an object replaces: a list whole, and null (then an object) a whole object.
  aebench::apply_override(document, "model.hidden=[64,32]");
  aebench::apply_override(document, "model.hidden=[16]");
  CHECK(document["model"]["hidden"] == json{16});
  aebench::apply_override(document, "train.early_stopping=null");
  aebench::apply_override(document, R"(train.early_stopping={"patience": 9})");
  CHECK(document["train"]["early_stopping"] == json{{"patience", 9}});
  const Config config = aebench::config_from_json(document, "exp.json");
  CHECK(config.train.epochs == 2);
  CHECK(config.data.test_limit == 100);
  CHECK(config.data.train_limit == 500);
  // A key of the object's earlier choice is named, with the way to replace the object whole.
  aebench::apply_override(document, R"(train.schedule={"type": "cosine", "min_lr": 0.0001})");
  aebench::apply_override(document, R"(train.schedule={"type": "step", "step_size": 5})");
  CHECK_THROWS_WITH(aebench::config_from_json(document, "exp.json (with --set)"),
                    Catch::Contains("train.schedule.min_lr: expected only the keys of type "
                                    "\"step\" (type, step_size, gamma, warmup_epochs), found "
                                    "min_lr, a key of type \"cosine\" or \"plateau\"") &&
                        Catch::Contains("give \"min_lr\": null in it to drop the key, or set "
                                        "train.schedule to null before it"));
  CHECK_THROWS_WITH(aebench::config_from_json(document, "exp.json"),
                    Catch::Contains("train.schedule.min_lr") && !Catch::Contains("--set"));
  aebench::apply_override(document, R"(train.schedule={"min_lr": null})");
  CHECK(aebench::config_from_json(document, "exp.json").train.schedule.type == "step");
}

TEST_CASE("a malformed override is a ConfigError naming it") {
  json document = json::object();
  CHECK_THROWS_WITH(aebench::apply_override(document, "train.lr"),
                    Catch::Contains("--set train.lr") && Catch::Contains("KEY=VALUE"));
  CHECK_THROWS_WITH(aebench::apply_override(document, "train..lr=1"),
                    Catch::Contains("dotted key"));
  // An empty key, or an empty last part, is named as such (not "no '='", not "found 1").
  CHECK_THROWS_WITH(aebench::apply_override(document, "=1"), Catch::EndsWith("found no key"));
  for (const char* assignment : {"train.=1", ".=1", "train.lr.=1"}) {
    INFO(assignment);
    CHECK_THROWS_WITH(aebench::apply_override(document, assignment),
                      Catch::Contains("expected a dotted key like train.lr"));
  }
  document["seed"] = 1;
  CHECK_THROWS_WITH(aebench::apply_override(document, "seed.x=1"),
                    Catch::Contains("not an object"));
  // A value's duplicate key is refused as a config file's is, at any depth.
  for (const char* assignment : {R"(train={"lr": 0.01, "lr": 0.02})",
                                 R"(train.early_stopping={"patience": 3, "patience": 4})",
                                 R"(model={"conv": {"kernel": 3, "kernel": 5}})"}) {
    INFO(assignment);
    CHECK_THROWS_WITH(aebench::apply_override(document, assignment),
                      Catch::Contains("--set") && Catch::Contains("duplicate key"));
  }
}

TEST_CASE("the resolved config parses back to the same config") {
  const Config original = aebench::config_from_json(
      json::parse(R"({"name": "x", "noise": {"type": "masking", "fraction": 0.3},
                      "data": {"val": 0.2, "train_limit": 500, "classes": [0, 4]},
                      "train": {"early_stopping": {"patience": 3}}})"),
      "exp.json");
  const json resolved = aebench::config_to_json(original);
  const Config reparsed = aebench::config_from_json(resolved, "config.json");
  CHECK(json(aebench::config_to_json(reparsed)) == resolved);
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
  CHECK_THROWS_WITH(aebench::read_json_file(folder / "missing.json"),
                    Catch::Contains("missing.json"));
  CHECK_THROWS_WITH(aebench::read_json_file(folder.path()), Catch::Contains("directory"));
  // Valid JSON that is no object: the file is named, not the --set applied to it.
  for (const char* text : {"[1, 2]", "\"dense\"", "3", "null"}) {
    INFO(text);
    const auto path = folder / "not_an_object.json";
    std::ofstream(path) << text;
    CHECK_THROWS_WITH(aebench::load_config(path, {"threads=1"}),
                      Catch::Contains(path.string() + ": expected a JSON object of config keys") &&
                          !Catch::Contains("--set"));
  }
  // A bad value is named with what changed the file: the flags, not a --set never given.
  const auto path = folder / "bad_lr.json";
  std::ofstream(path) << R"({"train": {"lr": -1}})";
  CHECK_THROWS_WITH(
      aebench::load_config(path, {"threads=1"}, {"--threads"}),
      Catch::Contains(path.string() + " (with --threads): train.lr") && !Catch::Contains("--set"));
  CHECK_THROWS_WITH(aebench::load_config(path, {"seed=2"}),
                    Catch::Contains(path.string() + " (with --set): train.lr"));
  CHECK_THROWS_WITH(aebench::load_config(path, {}),
                    Catch::Contains(path.string() + ": train.lr") && !Catch::Contains("(with"));
  CHECK(aebench::changed_by_note({"--set", "--out"}) == " (with --set, --out)");
  CHECK(aebench::changed_by_note({}).empty());
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
    CHECK_THROWS_WITH(
        aebench::config_from_json(json::parse(R"({"seed": 9223372036854775808.0})"), "e"),
        Catch::Contains("seed"));
  }
  SECTION("a number that overflows a double") {
    aebench::testing::ScratchFolder folder("overflow");
    std::ofstream(folder / "big.json") << "{\"train\": {\"lr\": 1e400}}";
    CHECK_THROWS_WITH(aebench::read_json_file(folder / "big.json"), Catch::Contains("overflows"));
    // As a --set value it is read as a string, and the refusal says why.
    json document = aebench::testing::tiny_config(folder / "data", folder / "run");
    aebench::apply_override(document, "train.lr=1e400");
    CHECK_THROWS_WITH(aebench::config_from_json(document, "e"),
                      Catch::Contains("\"1e400\" (a number beyond the range of a double"));
  }
  SECTION("a value in an error message that is not valid UTF-8 is still reported") {
    json document = json::object();
    document["device"] = std::string("\xff");
    CHECK_THROWS_AS(aebench::config_from_json(document, "e"), ConfigError);
  }
}

TEST_CASE("val \"test\" stays valid when nothing selects on it, and paths are taken as given") {
  const std::vector<const char*> documents = {
      R"({"data": {"val": "test"}})",
      R"({"data": {"val": "test"}, "analysis": {"embedding": "pca"}})",
      R"({"output": {"dir": "/tmp/aebench-run"}})",
      R"({"output": {"dir": "../elsewhere/run"}})",
      R"({"name": "seed 001: ae, v2"})",
  };
  for (const char* document : documents) {
    INFO(document);
    CHECK_NOTHROW(aebench::config_from_json(json::parse(document), "exp.json"));
  }
  CHECK(aebench::config_from_json(json::parse(documents[0]), "e").data.val_fraction == 0.0);
  CHECK(aebench::config_to_json(
            aebench::config_from_json(json::parse(documents[0]), "e"))["data"]["val"] == "test");
}

TEST_CASE("a config file name that cannot name a run is refused unless the config names it") {
  CHECK_THROWS_WITH(aebench::config_from_json(json::object(), "x/...json", ".."),
                    Catch::Contains("name") && Catch::Contains("set \"name\""));
  CHECK(aebench::config_from_json(json{{"name", "ok"}}, "x/...json", "..").output.dir == "runs/ok");
}

TEST_CASE("config files that are not small regular JSON files are refused before parsing") {
  aebench::testing::ScratchFolder folder("config-kinds");
  const auto fifo = folder / "fifo.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::ofstream(folder / "big.json") << std::string(aebench::kMaxConfigBytes + 1, ' ');
  std::ofstream(folder / "deep.json") << std::string(100000, '[');
  std::ofstream(folder / "deep_object.json") << "{\"a\":\n" << std::string(80, '[');
  std::ofstream(folder / "nul.json") << std::string("{\"name\": \"a\0b\"}", 15);
  std::ofstream(folder / "fine.json")
      << "{\"a\": " << std::string(63, '[') << std::string(63, ']') << "}";
  struct Case {
    std::filesystem::path path;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {fifo, {"fifo.json", "expected a regular JSON file, found a FIFO"}},
      {folder.path(), {"found a directory"}},
      {"/dev/null", {"/dev/null", "found a character device"}},
      {folder / "big.json", {"big.json", "at most 1048576 bytes", "found 1048577 bytes"}},
      {folder / "deep.json", {"deep.json:1:64:", "nested at most 64 deep", "found 100000 deep"}},
      {folder / "deep_object.json", {"deep_object.json:2:63:", "found 81 deep"}},
      {folder / "nul.json", {"nul.json:1:11:", "NUL byte at byte 11"}},
  };
  for (const auto& test : cases) {
    INFO(test.path);
    std::string message = "(no error)";
    try {
      aebench::read_json_file(test.path);
    } catch (const ConfigError& error) {
      message = error.what();
    }
    for (const auto& fragment : test.fragments) CHECK_THAT(message, Catch::Contains(fragment));
  }
  CHECK(aebench::read_json_file(folder / "fine.json").is_object());  // 64 deep is allowed
}

TEST_CASE("overrides that nest too deep or hold NUL bytes are ConfigErrors naming the override") {
  struct Case {
    std::string assignment;
    std::vector<std::string> fragments;
  };
  std::string deep_key;
  for (int i = 0; i < 70; ++i) deep_key += "a.";
  const std::vector<Case> cases = {
      {"seed=" + std::string(100000, '['),
       {"--set seed=[[[", "nested at most 63 deep", "found 100000 deep"}},
      {deep_key + "b=1", {"--set a.a.a", "fewer than 64 parts", "found 71"}},
      {std::string("name=a\0b", 8), {"--set name=a\\u0000b", "without NUL bytes", "byte 6"}},
      {std::string("na\0me=x", 7), {"without NUL bytes", "byte 2"}},
      {"a\nb=1", {"unknown key a\\nb"}},
  };
  for (const auto& test : cases) {
    INFO(test.assignment.substr(0, 40));
    json document = json::object();
    std::string message = "(no error)";
    try {
      aebench::apply_override(document, test.assignment);
      aebench::config_from_json(document, "e");
    } catch (const ConfigError& error) {
      message = error.what();
    }
    CHECK(message.find('\n') == std::string::npos);
    for (const auto& fragment : test.fragments) CHECK_THAT(message, Catch::Contains(fragment));
  }
}

TEST_CASE("data.dataset cifar10: 3x32x32 images bound pca's latent and the conv stages") {
  const json cifar = {{"data", {{"dataset", "cifar10"}}}};
  const auto config = aebench::config_from_json(cifar, "c.json");
  CHECK(config.data.dir == "data/cifar10");
  CHECK(config.model.image == aebench::ImageShape{3, 32, 32});
  CHECK(config.model.image.pixels() == 3072);

  json pca = cifar;
  pca["model"] = {{"type", "pca"}, {"latent", 3072}};
  CHECK(aebench::config_from_json(pca, "c.json").model.latent == 3072);
  pca["model"]["latent"] = 3073;
  CHECK_THAT(config_error_message(pca), Catch::Contains("model.latent") &&
                                            Catch::Contains("[1, 3072]") &&
                                            Catch::Contains("3x32x32") && Catch::Contains("3073"));

  json conv = cifar;
  conv["model"] = {{"type", "conv"}, {"channels", {8, 8, 8, 8, 8}}};
  CHECK(aebench::config_from_json(conv, "c.json").model.conv.channels.size() == 5);
  conv["model"]["channels"] = {8, 8, 8, 8, 8, 8};
  CHECK_THAT(config_error_message(conv), Catch::Contains("model.channels") &&
                                             Catch::Contains("1 to 5 stages") &&
                                             Catch::Contains("32 must divide by 2^stages"));
  CHECK_THAT(config_error_message({{"data", {{"dataset", "cifar100"}}}}),
             Catch::Contains("data.dataset") && Catch::Contains("\"cifar10\""));
  CHECK(aebench::dataset_image_shape("fashion-mnist") == aebench::ImageShape{1, 28, 28});
  CHECK_THROWS_AS(aebench::dataset_image_shape("svhn"), aebench::ConfigError);
}

TEST_CASE("a variational model needs a dense linear code and takes beta and a KL warm-up") {
  const auto variational = [](json model) {
    model["variational"] = true;
    return json{{"model", model}};
  };
  const Config dense = aebench::config_from_json(variational({{"type", "dense"}}), "exp.json");
  CHECK(dense.model.variational);
  CHECK(dense.model.latent_activation == "linear");  // its default, whatever `activation`
  CHECK(dense.train.beta == 1.0);
  CHECK(dense.train.kl_warmup_epochs == 0);
  json tuned = variational({{"type", "conv"}, {"latent", 16}});
  tuned["train"] = {{"beta", 4}, {"kl_warmup_epochs", 10}};
  const Config conv = aebench::config_from_json(tuned, "exp.json");
  CHECK(conv.train.beta == 4.0);
  CHECK(conv.train.kl_warmup_epochs == 10);
  const struct {
    json document;
    const char* expected;
  } refused[] = {
      {variational({{"type", "conv"}}), "a conv model needs a dense bottleneck"},
      {variational({{"type", "dense"}, {"latent_activation", "relu"}}),
       "model.latent_activation: a variational model's code layer"},
      {[&] {
         json document = variational({{"type", "dense"}});
         document["pretrain"] = {{"epochs", 1}};
         return document;
       }(),
       "pretrain"},
  };
  for (const auto& [document, expected] : refused) {
    INFO(document.dump());
    CHECK_THROWS_AS(aebench::config_from_json(document, "exp.json"), aebench::ConfigError);
    CHECK_THROWS_WITH(aebench::config_from_json(document, "exp.json"), Catch::Contains(expected));
  }
  // As every key that does not apply: checked, and left out of the resolved config.
  const Config pca = aebench::config_from_json(variational({{"type", "pca"}}), "exp.json");
  CHECK_FALSE(pca.model.variational);
  CHECK_FALSE(aebench::config_to_json(pca)["model"].contains("variational"));
  const Config plain = aebench::config_from_json(
      json{{"model", {{"type", "dense"}}}, {"train", {{"beta", 2}}}}, "exp.json");
  CHECK_FALSE(aebench::config_to_json(plain)["train"].contains("beta"));
  CHECK_THROWS_AS(aebench::config_from_json(
                      json{{"model", {{"type", "dense"}, {"variational", 3}}}}, "exp.json"),
                  ConfigError);
}
