#include <algorithm>
#include <filesystem>

#include "aebench/config/config.h"
#include "aebench/config/config_docs.h"
#include "aebench/config/schema.h"
#include "support/catch.h"

using aebench::Config;
using aebench::KeySchema;
using aebench::SectionSchema;
using aebench::ValueKind;
using nlohmann::json;

namespace {

std::string dotted(const SectionSchema& section, const KeySchema& key) {
  return section.path.empty() ? key.name : section.path + "." + key.name;
}

// Every field the schema knows, applicable or not, and every optional section's state.
void check_same_config(const Config& a, const Config& b) {
  for (const auto& section : aebench::config_schema()) {
    if (section.optional) CHECK(section.enabled(a) == section.enabled(b));
    for (const auto& key : section.keys) {
      if (key.kind == ValueKind::kSection || key.kind == ValueKind::kIgnored) continue;
      INFO(dotted(section, key));
      CHECK(key.get(a) == key.get(b));
    }
  }
}

// Configs that between them make every key apply.
const std::vector<json> kCoveringConfigs = {
    json::parse(R"({"noise": {"type": "gaussian"}, "train": {"early_stopping": {}},
                    "pretrain": {}, "probe": {}})"),
    json::parse(R"({"model": {"type": "conv", "latent": 8}, "noise": {"type": "masking"},
                    "train": {"schedule": {"type": "step"}}})"),
    json::parse(R"({"train": {"schedule": {"type": "plateau"}}, "data": {"binarize": 0.5}})"),
    json::parse(R"({"model": {"variational": true}, "train": {"beta": 2}})"),
};

}  // namespace

TEST_CASE("every schema key appears in the resolved config and in the generated docs") {
  std::vector<json> resolved;
  for (const auto& document : kCoveringConfigs)
    resolved.push_back(json(aebench::config_to_json(aebench::config_from_json(document, "e"))));
  const std::string docs = aebench::config_docs_markdown();
  for (const auto& section : aebench::config_schema()) {
    const auto heading = docs.find("\n## " + section.title + "\n");
    REQUIRE(heading != std::string::npos);
    const auto section_end = docs.find("\n## ", heading + 1);
    for (const auto& key : section.keys) {
      INFO(dotted(section, key));
      const auto row = docs.find("\n| `" + key.name + "` |", heading);
      CHECK(row < section_end);
      CHECK_FALSE(key.doc.empty());
      if (key.kind == ValueKind::kIgnored) continue;
      std::string pointer_text = "/" + dotted(section, key);
      std::replace(pointer_text.begin(), pointer_text.end(), '.', '/');
      CHECK(std::any_of(resolved.begin(), resolved.end(), [&](const json& config) {
        return config.contains(json::json_pointer(pointer_text));
      }));
    }
  }
}

TEST_CASE("the resolved config is in the schema's order") {
  const auto resolved = aebench::config_to_json(Config{});
  std::vector<std::string> keys;
  for (const auto& item : resolved.items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"name", "seed", "data", "model", "noise", "train",
                                         "pretrain", "probe", "analysis", "output", "device",
                                         "threads", "follow_load"});
}

TEST_CASE(
    "the resolved config parses back to the same Config, for the defaults and every shipped "
    "config") {
  std::vector<std::pair<std::string, Config>> configs = {
      {"defaults", aebench::config_from_json(json::object(), "e")}};
  for (const auto& document : kCoveringConfigs)
    configs.emplace_back(document.dump(), aebench::config_from_json(document, "e"));
  const std::filesystem::path folder = std::filesystem::path(AEBENCH_SOURCE_DIR) / "configs";
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.path().extension() == ".json") {  // configs/sweeps/ holds sweep files
      configs.emplace_back(entry.path().filename().string(),
                           aebench::load_config(entry.path(), {}));
      INFO(entry.path());
      CHECK(configs.back().second.ignored_keys.empty());  // a shipped config says what it runs
    }
  CHECK(configs.size() > 30);
  for (const auto& [name, config] : configs) {
    INFO(name);
    const Config reparsed =
        aebench::config_from_json(json(aebench::config_to_json(config)), "config.json");
    check_same_config(reparsed, config);
  }
}

TEST_CASE("the resume rule comes from the schema, for dotted keys and JSON pointers") {
  struct Case {
    const char* path;
    bool resumable;
  };
  const std::vector<Case> cases = {
      {"/train/epochs", true},
      {"train.epochs", true},
      {"/train/early_stopping", true},
      {"/train/early_stopping/patience", true},
      {"/output/dir", true},
      {"/probe", true},
      {"/probe/hidden/1", true},
      {"/analysis/perplexity", true},
      {"/device", true},
      {"/threads", true},
      {"/name", true},
      {"/train/lr", false},
      {"/train", false},
      {"/model/hidden/0", false},
      {"/data/val", false},
      {"/seed", false},
      {"/noise", false},
      {"", false},
      {"/nonsense", false},
      {"/output_dir", false},
  };
  for (const auto& test : cases) {
    INFO(test.path);
    CHECK(aebench::resumable_key(test.path) == test.resumable);
  }
  // Every key inside a resumable section is resumable too (the docs say so per key).
  for (const auto& section : aebench::config_schema())
    for (const auto& key : section.keys)
      if (key.resumable) CHECK(aebench::resumable_key(dotted(section, key)));
}
