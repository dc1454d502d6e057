#include "aebench/config/config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "aebench/config/data_location.h"
#include "aebench/config/schema.h"
#include "aebench/errors.h"
#include "aebench/io/regular_file.h"

namespace aebench {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Common ways people misname a key; checked when no valid key is close by spelling.
const std::map<std::string, std::string> kSynonyms = {
    {"learning_rate", "lr"},
    {"latent_size", "latent"},
    {"latent_dim", "latent"},
    {"bottleneck", "latent"},
    {"code_size", "latent"},
    {"epoch", "epochs"},
    {"batch", "batch_size"},
    {"batchsize", "batch_size"},
    {"optim", "optimizer"},
    {"l2", "weight_decay"},
    {"hidden_layers", "hidden"},
    {"layers", "hidden"},
    {"filters", "channels"},
    {"kernel_size", "kernel"},
    {"num_threads", "threads"},
    {"output_dir", "dir"},
    {"path", "dir"},
    {"sigma", "std"},
    {"noise_std", "std"},
    {"num_images", "images"},
    {"val_fraction", "val"},
    {"validation", "val"},
    {"labels", "classes"},
    {"digits", "classes"},
};

std::string join_key(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

// Whether `text` is all a number too large for a double ("1e400"): a --set value JSON cannot
// read, which is taken as a string.
bool out_of_double_range(const std::string& text) {
  if (text.empty() || text.size() > 400) return false;
  errno = 0;
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno == ERANGE && std::isinf(number);
}

std::string describe(const json& value) {
  // Replace invalid UTF-8 rather than throw: the message must get out whatever the value.
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  if (value.is_string() && out_of_double_range(value.get<std::string>()))
    return text + " (a number beyond the range of a double, so read as a string)";
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

[[noreturn]] void fail(const std::string& source, const std::string& key_path,
                       const std::string& expected, const json& found) {
  throw ConfigError(source + ": " + key_path + ": " + expected + ", found " + describe(found));
}

std::string number_range(double low, double high, bool low_open, bool high_open) {
  std::ostringstream text;
  text << (low_open ? "(" : "[") << low << ", " << high << (high_open ? ")" : "]");
  return text.str();
}

std::int64_t checked_integer(const json& value, const std::string& source,
                             const std::string& key_path, std::int64_t low, std::int64_t high) {
  const std::string expected =
      "expected an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
  if (value.is_number_integer() || value.is_number_unsigned()) {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::uint64_t(high))
      fail(source, key_path, expected, value);
    const auto number = value.get<std::int64_t>();
    if (number < low || number > high) fail(source, key_path, expected, value);
    return number;
  }
  // 1e3 is a float in JSON; accept it when it is a whole number in range.
  if (value.is_number_float()) {
    const double number = value.get<double>();
    // double(high) can round up past the int64 range: check the range before the cast.
    const bool whole = std::isfinite(number) && number == std::floor(number) && number >= -0x1p63 &&
                       number < 0x1p63;
    if (whole) {
      const auto integer = static_cast<std::int64_t>(number);
      if (integer >= low && integer <= high) return integer;
    }
  }
  fail(source, key_path, expected, value);
}

// Checks a present value against its key's kind and constraint; returns it as stored (an
// integer given as 1e3 becomes 1000).
json accepted_value(const KeySchema& key, const json& value, const std::string& source,
                    const std::string& key_path, const Config& config) {
  json accepted = value;
  switch (key.kind) {
    case ValueKind::kInteger:
      accepted = checked_integer(value, source, key_path, key.integer_low, key.integer_high);
      break;
    case ValueKind::kNumber: {
      const std::string expected =
          "expected a number in " + number_range(key.low, key.high, key.low_open, key.high_open);
      if (!value.is_number()) fail(source, key_path, expected, value);
      const double number = value.get<double>();
      const bool above = key.low_open ? number > key.low : number >= key.low;
      const bool below = key.high_open ? number < key.high : number <= key.high;
      if (!std::isfinite(number) || !above || !below) fail(source, key_path, expected, value);
      accepted = number;
      break;
    }
    case ValueKind::kBoolean:
      if (!value.is_boolean()) fail(source, key_path, "expected true or false", value);
      break;
    case ValueKind::kString:
      if (!value.is_string() || value.get<std::string>().empty())
        fail(source, key_path, "expected a non-empty string", value);
      break;
    case ValueKind::kChoice: {
      std::string expected = "expected one of";
      for (const auto& option : key.choices) expected += " \"" + option + "\"";
      if (!value.is_string() || std::find(key.choices.begin(), key.choices.end(),
                                          value.get<std::string>()) == key.choices.end())
        fail(source, key_path, expected, value);
      break;
    }
    case ValueKind::kIntegerList:
      if (!value.is_array()) fail(source, key_path, "expected a list of integers", value);
      accepted = json::array();
      for (std::size_t i = 0; i < value.size(); ++i)
        accepted.push_back(checked_integer(value[i], source,
                                           key_path + "[" + std::to_string(i) + "]",
                                           key.integer_low, key.integer_high));
      break;
    case ValueKind::kCustom:
    case ValueKind::kSection:
    case ValueKind::kIgnored:
      break;
  }
  if (key.check) {
    const std::string expected = key.check(config, accepted);
    if (!expected.empty()) fail(source, key_path, expected, value);
  }
  return accepted;
}

[[noreturn]] void unknown_key(const std::string& source, const std::string& prefix,
                              const std::string& key, const std::vector<std::string>& allowed) {
  std::string message = source + ": unknown key " + printable(join_key(prefix, key));
  const std::string suggestion = nearest_key(key, allowed);
  if (!suggestion.empty()) {
    message += "; did you mean " + join_key(prefix, suggestion) + "?";
  } else if (prefix.empty()) {
    // A top-level key that names a key of a section ("lr"): the dotted one it means.
    for (const auto& section : config_schema())
      for (const auto& candidate : section.keys)
        if (!section.path.empty() && candidate.name == key) {
          message += "; did you mean " + join_key(section.path, key) + "?";
          throw ConfigError(message);
        }
  }
  throw ConfigError(message);
}

bool applies(const KeySchema& key, const Config& config) {
  return !key.applies || key.applies(config);
}

// A strict section's key of another choice (a cosine schedule's min_lr under a step one): named
// with the choice in force and the one it belongs to. A --set object adds to the object there,
// so such a key is often left over from the file.
[[noreturn]] void refuse_other_choice_key(const SectionSchema& section, const KeySchema& key,
                                          const std::string& source, const Config& config) {
  std::string applicable, chosen, owners;
  const KeySchema* choice = nullptr;
  for (const auto& other : section.keys) {
    if (applies(other, config)) applicable += (applicable.empty() ? "" : ", ") + other.name;
    if (choice == nullptr && other.kind == ValueKind::kChoice && other.get && other.set)
      choice = &other;
  }
  if (choice != nullptr) {
    chosen = choice->name + " " + choice->get(config).dump();
    for (const auto& value : choice->choices) {
      Config trial = config;
      choice->set(trial, json(value));
      if (applies(key, trial)) owners += (owners.empty() ? "" : " or ") + json(value).dump();
    }
  }
  const std::string path = join_key(section.path, key.name);
  std::string message =
      source + ": " + path + ": expected only the keys of " +
      (chosen.empty() ? "this choice" : chosen) + " (" + applicable + "), found " + key.name +
      (owners.empty() ? "" : ", a key of " + choice->name + " " + owners) + "; give the " +
      (owners.empty() ? "choice" : choice->name) + " it belongs to, or drop it";
  // " (with --set)", " (with the sweep's settings)": an override may have left the key behind.
  if (source.find(" (with ") != std::string::npos)
    message += " (an object given by --set or a sweep adds to the object there: give \"" +
               key.name + "\": null in it to drop the key, or set " + section.path +
               " to null before it)";
  throw ConfigError(message);
}

// Reads one section of the config (`object` is null when the key is absent) into `config`:
// refuses unknown keys, checks each present key and fills the defaults, in the schema's order.
void read_section(const SectionSchema& section, const json* object, const std::string& source,
                  Config& config) {
  const bool given = object != nullptr && !object->is_null();
  if (section.optional) {
    section.enable(config, given);
    if (!given) return;
  }
  static const json empty = json::object();
  const json& value = given ? *object : empty;
  const std::string& prefix = section.path;
  if (!value.is_object() ||
      (!section.required_key.empty() && !value.contains(section.required_key))) {
    std::string expected = section.optional ? "expected null or an object" : "expected an object";
    if (!section.required_key.empty()) expected += " with \"" + section.required_key + "\"";
    fail(source, prefix.empty() ? "(top level)" : prefix, expected, value);
  }
  std::vector<std::string> names;
  for (const auto& key : section.keys) names.push_back(key.name);
  for (const auto& item : value.items())
    if (std::find(names.begin(), names.end(), item.key()) == names.end())
      unknown_key(source, prefix, item.key(), names);

  const bool section_used = !section.used || section.used(config);
  for (const auto& key : section.keys) {
    const std::string key_path = join_key(prefix, key.name);
    const json* raw = value.contains(key.name) ? &value.at(key.name) : nullptr;
    if (key.kind == ValueKind::kIgnored) continue;
    if (key.kind == ValueKind::kSection) {
      if (!section_used && raw != nullptr && !raw->is_null())
        config.ignored_keys.push_back(key_path);
      read_section(config_section(key_path), raw, source, config);
      continue;
    }
    const bool present = raw != nullptr && !raw->is_null();
    const bool applicable = applies(key, config);
    if (present && !applicable && section.strict)
      refuse_other_choice_key(section, key, source, config);
    if (present && !applicable) config.ignored_keys.push_back(key_path);
    // A key that does not apply is still checked, but keeps its default, so equal resolved
    // configs are equal Configs.
    const json accepted = present ? accepted_value(key, *raw, source, key_path, config) : json();
    key.set(config, present && applicable ? accepted : key.default_value(config));
    if (present && applicable && (!section_used || (key.used && !key.used(config))))
      config.ignored_keys.push_back(key_path);
  }
}

ordered_json write_section(const SectionSchema& section, const Config& config) {
  ordered_json object = ordered_json::object();
  for (const auto& key : section.keys) {
    if (key.kind == ValueKind::kIgnored || !applies(key, config)) continue;
    if (key.kind == ValueKind::kSection) {
      // A named path, not a temporary: GCC 14's -Wdangling-reference cannot tell that the
      // section returned lives in the schema, not in the argument.
      const std::string child_path = join_key(section.path, key.name);
      const auto& child = config_section(child_path);
      object[key.name] = child.optional && !child.enabled(config) ? ordered_json(nullptr)
                                                                  : write_section(child, config);
      continue;
    }
    object[key.name] = key.get(config);
  }
  return object;
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

ImageShape dataset_image_shape(const std::string& dataset) {
  if (dataset == "mnist" || dataset == "fashion-mnist") return {1, 28, 28};
  if (dataset == "cifar10") return {3, 32, 32};
  throw ConfigError("data.dataset: expected \"mnist\", \"fashion-mnist\" or \"cifar10\", found \"" +
                    printable(dataset) + "\"");
}

std::string describe_image_shape(const ImageShape& shape) {
  return std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" +
         std::to_string(shape.width);
}

Config config_from_json(const json& document, const std::string& source,
                        const std::string& default_name) {
  Config config;
  config.name = default_name;  // the name key's default
  read_section(config_section(""), &document, source, config);
  config.model.image = dataset_image_shape(config.data.dataset);
  const bool named =
      document.is_object() && document.contains("name") && !document.at("name").is_null();
  if (!named) {
    const std::string expected = check_run_name(config.name);
    if (!expected.empty())
      throw ConfigError(source + ": name: " + expected + ", found " + describe(json(config.name)) +
                        " (the config file's name; set \"name\" in the config)");
  }
  for (const auto& rule : config_rules()) {
    const std::string message = rule.check(config);
    if (!message.empty()) throw ConfigError(source + ": " + message);
  }
  return config;
}

std::string changed_by_note(const std::vector<std::string>& flags) {
  std::string note;
  for (const auto& flag : flags) note += (note.empty() ? " (with " : ", ") + flag;
  return note.empty() ? note : note + ")";
}

Config load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides,
                   const std::vector<std::string>& flags) {
  json document = read_json_file(path);
  // Before any --set: its error would name the flag, not the file that is wrong.
  if (!document.is_object())
    throw ConfigError(path.string() + ": expected a JSON object of config keys, found " +
                      std::string(document.type_name()));
  for (const auto& assignment : overrides) apply_override(document, assignment);
  const std::string source =
      path.string() + (overrides.empty() ? std::string() : changed_by_note(flags));
  Config config = config_from_json(document, source, path.stem().string());
  resolve_data_dir(config.data, path.parent_path());
  return config;
}

ordered_json config_to_json(const Config& config) {
  return write_section(config_section(""), config);
}

}  // namespace aebench
