#include "aebench/config/json_input.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "aebench/errors.h"
#include "aebench/io/regular_file.h"

namespace aebench {

using json = nlohmann::json;

namespace {

// The byte offset where arrays and objects first nest deeper than `max_depth`, and the
// deepest nesting, in a JSON text (brackets inside strings do not count).
struct Nesting {
  std::size_t first_too_deep = std::string::npos;
  int deepest = 0;
};

Nesting measure_nesting(const std::string& text, int max_depth) {
  Nesting nesting;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      nesting.deepest = std::max(nesting.deepest, ++depth);
      if (depth > max_depth && nesting.first_too_deep == std::string::npos)
        nesting.first_too_deep = i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return nesting;
}

// "LINE:COLUMN" of a byte offset, both counted from 1 and 0 as editors show them.
std::string line_and_column(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const std::size_t line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
  const std::size_t line_start = text.rfind('\n', offset ? offset - 1 : 0);
  const std::size_t column = line_start == std::string::npos ? offset : offset - line_start - 1;
  return std::to_string(line) + ":" + std::to_string(column);
}

std::string nesting_error(const std::string& text, int max_depth) {
  const Nesting nesting = measure_nesting(text, max_depth);
  if (nesting.first_too_deep == std::string::npos) return "";
  return "expected arrays and objects nested at most " + std::to_string(max_depth) +
         " deep, found " + std::to_string(nesting.deepest) + " deep (past the limit at byte " +
         std::to_string(nesting.first_too_deep) + ")";
}

// The whole text of a config file: only a regular file of at most kMaxConfigBytes is read (a
// FIFO or a device would block or never end).
std::string read_config_text(const std::filesystem::path& path) {
  const std::string name = path.string();
  const RegularFileText file = read_regular_file(path, kMaxConfigBytes);
  switch (file.failure) {
    case ReadFailure::kNone:
      return file.bytes;
    case ReadFailure::kOpen:
      throw ConfigError(name + ": cannot open the JSON file: " + file.detail);
    case ReadFailure::kNotRegular:
      throw ConfigError(name + ": expected a regular JSON file, found " + file.detail);
    case ReadFailure::kTooLarge:
      throw ConfigError(name + ": expected a JSON file of at most " +
                        std::to_string(kMaxConfigBytes) + " bytes, found " + file.detail);
    case ReadFailure::kRead:
      break;
  }
  throw ConfigError(name + ": cannot read the JSON file: " + file.detail);
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
  if (!key.empty() && key.back() == '.') parts.emplace_back();  // "train." ends in an empty part
  return parts;
}

}  // namespace

json read_json_file(const std::filesystem::path& path) {
  const std::string text = read_config_text(path);
  const std::string name = path.string();
  const std::size_t nul = text.find('\0');
  if (nul != std::string::npos)
    throw ConfigError(name + ":" + line_and_column(text, nul) +
                      ": invalid JSON: expected UTF-8 text, "
                      "found a NUL byte at byte " +
                      std::to_string(nul));
  const Nesting nesting = measure_nesting(text, kMaxJsonDepth);
  if (nesting.first_too_deep != std::string::npos)
    throw ConfigError(name + ":" + line_and_column(text, nesting.first_too_deep) + ": " +
                      nesting_error(text, kMaxJsonDepth));
  try {
    return json::parse(text, DuplicateKeyGuard(name));
  } catch (const json::out_of_range& overflow) {
    throw ConfigError(name +
                      ": invalid JSON: expected numbers within double range, "
                      "found a number that overflows");
  } catch (const json::parse_error& parse_error) {
    // Turn the byte offset into a line and column a person can jump to.
    throw ConfigError(name + ":" + line_and_column(text, parse_error.byte) +
                      ": invalid JSON: expected a well-formed JSON document, found a syntax "
                      "error near byte " +
                      std::to_string(parse_error.byte));
  }
}

namespace {

// An object value sets the keys it names, at any depth, and keeps the others: the file's keys
// and earlier --set flags are not dropped for a whole section's defaults without a word. Any
// other value (a list, a number, null) replaces what was there.
void set_keys_of(json& target, json value) {
  if (!target.is_object() || !value.is_object()) {
    target = std::move(value);
    return;
  }
  for (auto& [key, member] : value.items()) set_keys_of(target[key], std::move(member));
}

}  // namespace

void apply_override(json& document, const std::string& assignment) {
  if (!is_valid_utf8(assignment))
    throw ConfigError("--set: expected KEY=VALUE in UTF-8, found invalid bytes");
  const auto equals = assignment.find('=');
  const std::string origin = "--set " + printable(assignment);
  const std::size_t nul = assignment.find('\0');
  if (nul != std::string::npos)
    throw ConfigError(origin + ": expected KEY=VALUE without NUL bytes, found one at byte " +
                      std::to_string(nul));
  if (equals == std::string::npos)
    throw ConfigError(origin + ": expected KEY=VALUE (e.g. train.lr=3e-4), found no '='");
  if (equals == 0)
    throw ConfigError(origin + ": expected KEY=VALUE (e.g. train.lr=3e-4), found no key");
  const std::string key = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);
  const auto parts = split_dotted(key);
  // The key's parts and the value's own nesting together stay within kMaxJsonDepth.
  const int value_depth = kMaxJsonDepth - static_cast<int>(parts.size());
  if (value_depth < 1)
    throw ConfigError(origin + ": expected a dotted key of fewer than " +
                      std::to_string(kMaxJsonDepth) + " parts, found " +
                      std::to_string(parts.size()));
  const std::string too_deep = nesting_error(text, value_depth);
  if (!too_deep.empty()) throw ConfigError(origin + ": " + too_deep);
  json value = json::parse(text, DuplicateKeyGuard(origin), false);
  // Not JSON (a bare word, or a number out of double range): take the text as a string.
  if (value.is_discarded()) value = text;
  json* node = &document;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty())
      throw ConfigError(origin + ": expected a dotted key like train.lr, found \"" +
                        printable(key) + "\"");
    if (node->is_null()) *node = json::object();
    if (!node->is_object())
      throw ConfigError(origin + ": cannot set " + printable(key) + ": " +
                        (i == 0 ? std::string("the config is not an object")
                                : printable(parts[i - 1]) + " is not an object"));
    node = &(*node)[parts[i]];
  }
  set_keys_of(*node, std::move(value));
}

std::string string_override(const std::string& key, const std::string& value,
                            const std::string& flag) {
  if (!is_valid_utf8(value))
    throw ConfigError(flag + ": expected a UTF-8 string, found invalid bytes");
  return key + "=" + json(value).dump();
}

std::string printable(const std::string& text) {
  std::string quoted = json(text).dump(-1, ' ', false, json::error_handler_t::replace);
  quoted = quoted.substr(1, quoted.size() - 2);
  return quoted.size() > 80 ? quoted.substr(0, 77) + "..." : quoted;
}

}  // namespace aebench
