#include "aebench/config/config.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "aebench/errors.h"

namespace aebench {
namespace {

using nlohmann::json;

// Caps that refuse absurd sizes before anything is allocated.
constexpr std::int64_t kMaxLayerWidth = 1 << 16;
constexpr std::int64_t kMaxEpochs = 1000000;
constexpr std::int64_t kMaxBatchSize = 1 << 20;
constexpr std::int64_t kMaxChannels = 1024;
constexpr std::int64_t kMaxImages = 100;
constexpr std::int64_t kMaxThreads = 1024;

const std::vector<std::string> kActivations = {"relu", "sigmoid",   "tanh", "leaky_relu",
                                               "elu",  "gelu",      "linear"};

// Common ways people misname a key; checked when no valid key is close by spelling.
const std::map<std::string, std::string> kSynonyms = {
    {"learning_rate", "lr"},        {"latent_size", "latent"},  {"latent_dim", "latent"},
    {"bottleneck", "latent"},       {"code_size", "latent"},    {"epoch", "epochs"},
    {"batch", "batch_size"},        {"batchsize", "batch_size"}, {"optim", "optimizer"},
    {"l2", "weight_decay"},         {"hidden_layers", "hidden"}, {"layers", "hidden"},
    {"filters", "channels"},        {"kernel_size", "kernel"},  {"num_threads", "threads"},
    {"output_dir", "dir"},          {"path", "dir"},            {"sigma", "std"},
    {"noise_std", "std"},           {"num_images", "images"},   {"val_fraction", "val"},
    {"validation", "val"},          {"labels", "classes"},      {"digits", "classes"},
};

std::string join_key(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string describe(const json& value) {
  // Replace invalid UTF-8 rather than throw: the message must get out whatever the value.
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text + " (" + value.type_name() + ")";
}

std::string nearest_key(const std::string& key, const std::vector<std::string>& allowed) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : allowed) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance < best_distance) best_distance = distance, best = candidate;
  }
  if (best_distance <= std::max<std::size_t>(2, key.size() / 3)) return best;
  for (const auto& [synonym, target] : kSynonyms) {
    const bool allowed_target = std::find(allowed.begin(), allowed.end(), target) != allowed.end();
    if (allowed_target && edit_distance(key, synonym) <= std::max<std::size_t>(1, key.size() / 5))
      return target;
  }
  return "";
}

// Reads one JSON object of the config: rejects unknown keys on construction, then hands out
// typed values with defaults, each checked against its constraint.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string source, std::string prefix,
               std::vector<std::string> allowed)
      : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {
    if (!object_.is_object())
      fail(prefix_.empty() ? "(top level)" : prefix_, "expected an object", object_);
    for (const auto& item : object_.items()) {
      if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
      std::string message = source_ + ": unknown key " + join_key(prefix_, item.key());
      const std::string suggestion = nearest_key(item.key(), allowed);
      if (!suggestion.empty()) message += "; did you mean " + join_key(prefix_, suggestion) + "?";
      throw ConfigError(message);
    }
  }

  bool has(const std::string& key) const {
    return object_.contains(key) && !object_.at(key).is_null();
  }
  const json& raw(const std::string& key) const { return object_.at(key); }
  std::string path(const std::string& key) const { return join_key(prefix_, key); }
  const std::string& source() const { return source_; }

  [[noreturn]] void fail(const std::string& key_path, const std::string& expected,
                         const json& found) const {
    throw ConfigError(source_ + ": " + key_path + ": " + expected + ", found " + describe(found));
  }

  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t low,
                       std::int64_t high) const {
    if (!has(key)) return fallback;
    return checked_integer(raw(key), path(key), low, high);
  }

  std::int64_t checked_integer(const json& value, const std::string& key_path, std::int64_t low,
                               std::int64_t high) const {
    const std::string expected =
        "expected an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
    if (value.is_number_integer() || value.is_number_unsigned()) {
      if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::uint64_t(high))
        fail(key_path, expected, value);
      const auto number = value.get<std::int64_t>();
      if (number < low || number > high) fail(key_path, expected, value);
      return number;
    }
    // 1e3 is a float in JSON; accept it when it is a whole number in range.
    if (value.is_number_float()) {
      const double number = value.get<double>();
      // double(high) can round up past the int64 range: check the range before the cast.
      const bool whole = std::isfinite(number) && number == std::floor(number) &&
                         number >= -0x1p63 && number < 0x1p63;
      if (whole) {
        const auto integer = static_cast<std::int64_t>(number);
        if (integer >= low && integer <= high) return integer;
      }
    }
    fail(key_path, expected, value);
  }

  double number(const std::string& key, double fallback, double low, double high,
                bool low_inclusive = true, bool high_inclusive = true) const {
    if (!has(key)) return fallback;
    const json& value = raw(key);
    std::ostringstream expected;
    expected << "expected a number in " << (low_inclusive ? "[" : "(") << low << ", " << high
             << (high_inclusive ? "]" : ")");
    if (!value.is_number()) fail(path(key), expected.str(), value);
    const double number = value.get<double>();
    const bool above = low_inclusive ? number >= low : number > low;
    const bool below = high_inclusive ? number <= high : number < high;
    if (!std::isfinite(number) || !above || !below) fail(path(key), expected.str(), value);
    return number;
  }

  bool boolean(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!raw(key).is_boolean()) fail(path(key), "expected true or false", raw(key));
    return raw(key).get<bool>();
  }

  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& choices) const {
    if (!has(key)) return fallback;
    std::string expected = "expected one of";
    for (const auto& option : choices) expected += " \"" + option + "\"";
    if (!raw(key).is_string()) fail(path(key), expected, raw(key));
    const auto text = raw(key).get<std::string>();
    if (std::find(choices.begin(), choices.end(), text) == choices.end())
      fail(path(key), expected, raw(key));
    return text;
  }

  std::string text(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!raw(key).is_string() || raw(key).get<std::string>().empty())
      fail(path(key), "expected a non-empty string", raw(key));
    return raw(key).get<std::string>();
  }

  std::vector<std::int64_t> integer_list(const std::string& key,
                                         const std::vector<std::int64_t>& fallback,
                                         std::int64_t low, std::int64_t high) const {
    if (!object_.contains(key)) return fallback;
    if (!raw(key).is_array()) fail(path(key), "expected a list of integers", raw(key));
    std::vector<std::int64_t> values;
    for (std::size_t i = 0; i < raw(key).size(); ++i)
      values.push_back(checked_integer(raw(key)[i], path(key) + "[" + std::to_string(i) + "]",
                                       low, high));
    return values;
  }

 private:
  const json& object_;
  std::string source_;
  std::string prefix_;
};

const json& child_or_empty(const json& parent, const std::string& key) {
  static const json empty = json::object();
  return parent.contains(key) && !parent.at(key).is_null() ? parent.at(key) : empty;
}

DataOptions parse_data(const json& object, const std::string& source) {
  ObjectReader reader(object, source, "data",
                      {"dataset", "dir", "classes", "val", "train_limit", "test_limit"});
  DataOptions data;
  data.dataset = reader.choice("dataset", data.dataset, {"mnist", "fashion-mnist"});
  data.dir = reader.text("dir", "data/" + data.dataset);
  if (reader.has("classes")) {
    const auto classes = reader.integer_list("classes", {}, 0, 9);
    if (classes.empty()) reader.fail("data.classes", "expected null or a non-empty list", reader.raw("classes"));
    for (const auto label : classes) {
      if (std::count(classes.begin(), classes.end(), label) > 1)
        reader.fail("data.classes", "expected distinct labels", reader.raw("classes"));
      data.classes.push_back(static_cast<int>(label));
    }
  }
  if (reader.has("val") && reader.raw("val").is_string()) {
    reader.choice("val", "test", {"test"});
  } else {
    data.val_fraction = reader.number("val", 0.0, 0.0, 1.0, false, false);
  }
  constexpr std::int64_t kMaxSamples = 100000000;
  data.train_limit = reader.integer("train_limit", 0, 1, kMaxSamples);
  data.test_limit = reader.integer("test_limit", 0, 1, kMaxSamples);
  return data;
}

ModelOptions parse_model(const json& object, const std::string& source) {
  ObjectReader reader(object, source, "model",
                      {"type", "hidden", "latent", "activation", "latent_activation",
                       "output_activation", "dropout", "channels", "kernel", "upsample"});
  ModelOptions model;
  model.type = reader.choice("type", model.type, {"dense", "conv", "pca"});
  model.hidden = reader.integer_list("hidden", model.hidden, 1, kMaxLayerWidth);
  const bool conv = model.type == "conv";
  const std::int64_t max_latent = model.type == "pca" ? kImageSide * kImageSide : kMaxLayerWidth;
  model.latent = reader.integer("latent", conv ? 0 : 100, 1, max_latent);
  model.activation = reader.choice("activation", model.activation, kActivations);
  model.latent_activation = reader.choice("latent_activation", model.activation, kActivations);
  model.output_activation =
      reader.choice("output_activation", model.output_activation, {"sigmoid", "linear", "softmax"});
  model.dropout = reader.number("dropout", 0.0, 0.0, 1.0, true, false);
  model.channels = reader.integer_list("channels", model.channels, 1, kMaxChannels);
  if (model.channels.empty() || model.channels.size() > 2)
    reader.fail("model.channels", "expected 1 or 2 stages (28 must divide by 2^stages)",
                reader.has("channels") ? reader.raw("channels") : json(model.channels));
  model.kernel = reader.integer("kernel", model.kernel, 1, 27);
  if (model.kernel % 2 == 0) reader.fail("model.kernel", "expected an odd kernel size", reader.raw("kernel"));
  model.upsample = reader.choice("upsample", model.upsample, {"nearest", "transposed"});
  return model;
}

NoiseOptions parse_noise(const json& object, const std::string& source) {
  NoiseOptions noise;
  if (object.is_null()) return noise;
  if (!object.is_object() || !object.contains("type"))
    throw ConfigError(source + ": noise: expected null or an object with \"type\", found " +
                      describe(object));
  ObjectReader type_reader(object, source, "noise", {"type", "std", "clip", "fraction"});
  noise.type = type_reader.choice("type", "gaussian", {"gaussian", "masking", "salt_and_pepper"});
  const std::vector<std::string> keys = noise.type == "gaussian"
                                            ? std::vector<std::string>{"type", "std", "clip"}
                                            : std::vector<std::string>{"type", "fraction"};
  ObjectReader reader(object, source, "noise", keys);
  noise.std = reader.number("std", noise.std, 0.0, 10.0, false, true);
  noise.clip = reader.boolean("clip", noise.clip);
  noise.fraction = reader.number("fraction", noise.fraction, 0.0, 1.0);
  return noise;
}

EarlyStoppingOptions parse_early_stopping(const json& object, const std::string& source) {
  EarlyStoppingOptions early;
  if (object.is_null()) return early;
  ObjectReader reader(object, source, "train.early_stopping",
                      {"patience", "min_delta", "restore_best"});
  early.enabled = true;
  early.patience = reader.integer("patience", early.patience, 1, kMaxEpochs);
  early.min_delta = reader.number("min_delta", early.min_delta, 0.0, 1e9);
  early.restore_best = reader.boolean("restore_best", early.restore_best);
  return early;
}

TrainOptions parse_train(const json& object, const std::string& source) {
  ObjectReader reader(object, source, "train",
                      {"epochs", "batch_size", "optimizer", "lr", "momentum", "weight_decay",
                       "loss", "early_stopping", "activity_l1", "activity_l2"});
  TrainOptions train;
  train.epochs = reader.integer("epochs", train.epochs, 1, kMaxEpochs);
  train.batch_size = reader.integer("batch_size", train.batch_size, 1, kMaxBatchSize);
  train.optimizer = reader.choice("optimizer", train.optimizer, {"adam", "sgd", "rmsprop"});
  train.lr = reader.number("lr", train.lr, 0.0, 100.0, false, true);
  // PyTorch's and Keras's defaults: momentum for SGD is customary, RMSprop's is off.
  const double default_momentum = train.optimizer == "rmsprop" ? 0.0 : 0.9;
  train.momentum = reader.number("momentum", default_momentum, 0.0, 1.0, true, false);
  train.weight_decay = reader.number("weight_decay", train.weight_decay, 0.0, 100.0);
  train.loss = reader.choice("loss", train.loss, {"mse", "bce"});
  train.activity_l1 = reader.number("activity_l1", 0.0, 0.0, 1e6);
  train.activity_l2 = reader.number("activity_l2", 0.0, 0.0, 1e6);
  if (object.contains("early_stopping"))
    train.early_stopping = parse_early_stopping(object.at("early_stopping"), source);
  return train;
}

PretrainOptions parse_pretrain(const json& object, const std::string& source) {
  PretrainOptions pretrain;
  if (object.is_null()) return pretrain;
  ObjectReader reader(object, source, "pretrain", {"epochs", "lr", "batch_size"});
  pretrain.enabled = true;
  pretrain.epochs = reader.integer("epochs", pretrain.epochs, 1, kMaxEpochs);
  pretrain.lr = reader.number("lr", pretrain.lr, 0.0, 100.0, false, true);
  pretrain.batch_size = reader.integer("batch_size", pretrain.batch_size, 1, kMaxBatchSize);
  return pretrain;
}

ProbeOptions parse_probe(const json& object, const std::string& source) {
  ProbeOptions probe;
  if (object.is_null()) return probe;
  ObjectReader reader(object, source, "probe",
                      {"hidden", "epochs", "patience", "batch_size", "lr", "loss",
                       "center_weight", "pixels"});
  probe.enabled = true;
  probe.hidden = reader.integer_list("hidden", probe.hidden, 1, kMaxLayerWidth);
  probe.epochs = reader.integer("epochs", probe.epochs, 1, kMaxEpochs);
  probe.patience = reader.integer("patience", probe.patience, 1, kMaxEpochs);
  probe.batch_size = reader.integer("batch_size", probe.batch_size, 1, kMaxBatchSize);
  probe.lr = reader.number("lr", probe.lr, 0.0, 100.0, false, true);
  probe.loss = reader.choice("loss", probe.loss, {"cross_entropy", "center"});
  probe.center_weight = reader.number("center_weight", probe.center_weight, 0.0, 1e6);
  probe.pixels = reader.boolean("pixels", probe.pixels);
  return probe;
}

AnalysisOptions parse_analysis(const json& object, const std::string& source) {
  ObjectReader reader(object, source, "analysis",
                      {"embedding", "embedding_points", "perplexity", "tsne_iterations",
                       "weight_units", "sparsity_threshold"});
  AnalysisOptions analysis;
  analysis.embedding = reader.choice("embedding", analysis.embedding, {"none", "tsne", "pca", "both"});
  analysis.embedding_points = reader.integer("embedding_points", analysis.embedding_points, 10, 10000);
  analysis.perplexity = reader.number("perplexity", analysis.perplexity, 1.0, 1000.0);
  analysis.tsne_iterations = reader.integer("tsne_iterations", analysis.tsne_iterations, 10, 100000);
  analysis.weight_units = reader.integer("weight_units", analysis.weight_units, 1, 1024);
  analysis.sparsity_threshold = reader.number("sparsity_threshold", analysis.sparsity_threshold, -1e6, 1e6);
  return analysis;
}

OutputOptions parse_output(const json& object, const std::string& source,
                           const std::string& name) {
  ObjectReader reader(object, source, "output", {"dir", "images", "checkpoint_minutes"});
  OutputOptions output;
  output.dir = reader.text("dir", "runs/" + name);
  output.images = reader.integer("images", output.images, 1, kMaxImages);
  output.checkpoint_minutes = reader.number("checkpoint_minutes", 0.0, 0.0, 1e6);
  return output;
}

void check_device(const std::string& device, const ObjectReader& reader) {
  if (device == "auto" || device == "cpu" || device == "cuda") return;
  const std::string prefix = "cuda:";
  const bool indexed = device.rfind(prefix, 0) == 0 && device.size() > prefix.size() &&
                       std::all_of(device.begin() + prefix.size(), device.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
  if (!indexed)
    reader.fail("device", "expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\"", reader.raw("device"));
}

void check_combinations(const Config& config, const std::string& source) {
  const bool probability_output = config.model.output_activation == "sigmoid" ||
                                  config.model.output_activation == "softmax";
  if (config.train.loss == "bce" && !probability_output)
    throw ConfigError(source + ": train.loss: \"bce\" needs model.output_activation \"sigmoid\" "
                      "or \"softmax\", found \"" + config.model.output_activation + "\"");
  if (config.pretrain.enabled && config.model.type != "dense")
    throw ConfigError(source + ": pretrain: layer-wise pretraining needs model.type \"dense\", found \"" +
                      config.model.type + "\"");
  if (config.data.test_limit > 0 && config.data.test_limit < config.output.images)
    throw ConfigError(source + ": output.images: expected at most data.test_limit (" +
                      std::to_string(config.data.test_limit) + ") images, found " +
                      std::to_string(config.output.images));
}

// Rejects duplicate keys while parsing, which nlohmann::json would otherwise silently
// resolve to the last value.
class DuplicateKeyGuard {
 public:
  explicit DuplicateKeyGuard(std::string source) : source_(std::move(source)) {}
  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys_.resize(depth + 1), keys_[depth].clear();
    if (event == json::parse_event_t::key) {
      const auto key = parsed.get<std::string>();
      auto& seen = keys_.at(depth - 1);
      if (!seen.insert(key).second)
        throw ConfigError(source_ + ": duplicate key \"" + key + "\"; each key may appear once");
    }
    return true;
  }

 private:
  std::string source_;
  std::vector<std::set<std::string>> keys_;
};

bool is_valid_utf8(const std::string& text) {
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

std::vector<std::string> split_dotted(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream stream(key);
  std::string part;
  while (std::getline(stream, part, '.')) parts.push_back(part);
  return parts;
}

}  // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

json read_json_file(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw ConfigError(path.string() + ": expected a JSON config file, found a directory");
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw ConfigError(path.string() + ": cannot open the config file: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << stream.rdbuf();
  const std::string text = buffer.str();
  try {
    return json::parse(text, DuplicateKeyGuard(path.string()));
  } catch (const json::out_of_range& overflow) {
    throw ConfigError(path.string() + ": invalid JSON: expected numbers within double range, "
                      "found a number that overflows");
  } catch (const json::parse_error& parse_error) {
    // Turn the byte offset into a line and column a person can jump to.
    const std::size_t offset = std::min<std::size_t>(parse_error.byte, text.size());
    const std::size_t line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
    const std::size_t line_start = text.rfind('\n', offset ? offset - 1 : 0);
    const std::size_t column = line_start == std::string::npos ? offset : offset - line_start - 1;
    throw ConfigError(path.string() + ":" + std::to_string(line) + ":" + std::to_string(column) +
                      ": invalid JSON: expected a well-formed JSON document, found a syntax "
                      "error near byte " + std::to_string(parse_error.byte));
  }
}

void apply_override(json& document, const std::string& assignment) {
  const auto equals = assignment.find('=');
  const std::string origin = "--set " + assignment;
  if (equals == std::string::npos || equals == 0)
    throw ConfigError(origin + ": expected KEY=VALUE (e.g. train.lr=3e-4), found no '='");
  const std::string key = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);
  if (!is_valid_utf8(assignment))
    throw ConfigError("--set: expected KEY=VALUE in UTF-8, found invalid bytes");
  json value = json::parse(text, nullptr, false);
  // Not JSON (a bare word, or a number out of double range): take the text as a string.
  if (value.is_discarded()) value = text;
  const auto parts = split_dotted(key);
  json* node = &document;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty())
      throw ConfigError(origin + ": expected a dotted key like train.lr, found \"" + key + "\"");
    if (node->is_null()) *node = json::object();
    if (!node->is_object())
      throw ConfigError(origin + ": cannot set " + key + ": " +
                        (i == 0 ? std::string("the config is not an object") : parts[i - 1] + " is not an object"));
    node = &(*node)[parts[i]];
  }
  *node = std::move(value);
}

std::string string_override(const std::string& key, const std::string& value, const std::string& flag) {
  if (!is_valid_utf8(value))
    throw ConfigError(flag + ": expected a UTF-8 string, found invalid bytes");
  return key + "=" + json(value).dump();
}

Config config_from_json(const json& document, const std::string& source,
                        const std::string& default_name) {
  ObjectReader reader(document, source, "",
                      {"name", "seed", "data", "model", "noise", "train", "pretrain", "probe",
                       "analysis", "output", "device", "threads", "$schema", "comment"});
  Config config;
  config.name = reader.text("name", default_name);
  config.seed = static_cast<std::uint64_t>(
      reader.integer("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
  config.data = parse_data(child_or_empty(document, "data"), source);
  config.model = parse_model(child_or_empty(document, "model"), source);
  if (document.contains("noise")) config.noise = parse_noise(document.at("noise"), source);
  config.train = parse_train(child_or_empty(document, "train"), source);
  if (document.contains("pretrain")) config.pretrain = parse_pretrain(document.at("pretrain"), source);
  if (document.contains("probe")) config.probe = parse_probe(document.at("probe"), source);
  config.analysis = parse_analysis(child_or_empty(document, "analysis"), source);
  config.output = parse_output(child_or_empty(document, "output"), source, config.name);
  if (reader.has("device") && !reader.raw("device").is_string())
    reader.fail("device", "expected a string", reader.raw("device"));
  config.device = reader.text("device", config.device);
  check_device(config.device, reader);
  config.threads = reader.integer("threads", 0, 0, kMaxThreads);
  check_combinations(config, source);
  return config;
}

Config load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
  json document = read_json_file(path);
  for (const auto& assignment : overrides) apply_override(document, assignment);
  const std::string source = overrides.empty() ? path.string() : path.string() + " (with --set)";
  return config_from_json(document, source, path.stem().string());
}

json config_to_json(const Config& config) {
  const auto& data = config.data;
  const auto& model = config.model;
  const auto& train = config.train;
  auto limit = [](std::int64_t value) { return value > 0 ? json(value) : json(nullptr); };
  json document;
  document["name"] = config.name;
  document["seed"] = config.seed;
  document["data"] = {{"dataset", data.dataset},
                      {"dir", data.dir},
                      {"classes", data.classes.empty() ? json(nullptr) : json(data.classes)},
                      {"val", data.val_fraction > 0 ? json(data.val_fraction) : json("test")},
                      {"train_limit", limit(data.train_limit)},
                      {"test_limit", limit(data.test_limit)}};
  document["model"] = {{"type", model.type},
                       {"latent", limit(model.latent)},
                       {"activation", model.activation},
                       {"latent_activation", model.latent_activation},
                       {"output_activation", model.output_activation},
                       {"dropout", model.dropout}};
  if (model.type == "dense") document["model"]["hidden"] = model.hidden;
  if (model.type == "conv") {
    document["model"]["channels"] = model.channels;
    document["model"]["kernel"] = model.kernel;
    document["model"]["upsample"] = model.upsample;
  }
  const auto& noise = config.noise;
  if (!noise.enabled()) {
    document["noise"] = nullptr;
  } else if (noise.type == "gaussian") {
    document["noise"] = {{"type", noise.type}, {"std", noise.std}, {"clip", noise.clip}};
  } else {
    document["noise"] = {{"type", noise.type}, {"fraction", noise.fraction}};
  }
  document["train"] = {{"epochs", train.epochs},
                       {"batch_size", train.batch_size},
                       {"optimizer", train.optimizer},
                       {"lr", train.lr},
                       {"momentum", train.momentum},
                       {"weight_decay", train.weight_decay},
                       {"loss", train.loss},
                       {"activity_l1", train.activity_l1},
                       {"activity_l2", train.activity_l2}};
  const auto& early = train.early_stopping;
  document["train"]["early_stopping"] =
      early.enabled ? json{{"patience", early.patience},
                           {"min_delta", early.min_delta},
                           {"restore_best", early.restore_best}}
                    : json(nullptr);
  const auto& pretrain = config.pretrain;
  document["pretrain"] = pretrain.enabled ? json{{"epochs", pretrain.epochs},
                                                 {"lr", pretrain.lr},
                                                 {"batch_size", pretrain.batch_size}}
                                          : json(nullptr);
  const auto& probe = config.probe;
  document["probe"] = probe.enabled ? json{{"hidden", probe.hidden},
                                           {"epochs", probe.epochs},
                                           {"patience", probe.patience},
                                           {"batch_size", probe.batch_size},
                                           {"lr", probe.lr},
                                           {"loss", probe.loss},
                                           {"center_weight", probe.center_weight},
                                           {"pixels", probe.pixels}}
                                    : json(nullptr);
  const auto& analysis = config.analysis;
  document["analysis"] = {{"embedding", analysis.embedding},
                          {"embedding_points", analysis.embedding_points},
                          {"perplexity", analysis.perplexity},
                          {"tsne_iterations", analysis.tsne_iterations},
                          {"weight_units", analysis.weight_units},
                          {"sparsity_threshold", analysis.sparsity_threshold}};
  document["output"] = {{"dir", config.output.dir},
                        {"images", config.output.images},
                        {"checkpoint_minutes", config.output.checkpoint_minutes}};
  document["device"] = config.device;
  document["threads"] = config.threads;
  return document;
}

}  // namespace aebench
