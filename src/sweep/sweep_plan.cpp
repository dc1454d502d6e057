#include "aebench/sweep/sweep_plan.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "aebench/analysis/compare.h"
#include "aebench/config/config.h"
#include "aebench/errors.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
// A sweep file is read keeping its keys' order: the grid's order decides the points' order and
// names.
using Document = nlohmann::ordered_json;

constexpr std::size_t kMaxNameLength = 100;
constexpr std::size_t kMaxPoints = 100000;

json plain(const Document& value) {
  return json::parse(value.dump());
}

[[noreturn]] void fail_at_key(const std::string& source, const std::string& key,
                              const std::string& expected, const json& found) {
  throw ConfigError(source + ": " + key + ": expected " + expected + ", found " +
                    found.dump(-1, ' ', false, json::error_handler_t::replace));
}

[[noreturn]] void fail_at_key(const std::string& source, const std::string& key,
                              const std::string& expected, const Document& found) {
  fail_at_key(source, key, expected, plain(found));
}

std::string required_string(const Document& document, const std::string& key,
                            const std::string& source) {
  const json& value = document.at(key);
  if (!value.is_string() || value.get<std::string>().empty())
    fail_at_key(source, key, "a non-empty string", value);
  return value.get<std::string>();
}

std::int64_t whole_number(const Document& value, const std::string& key, const std::string& source,
                          std::int64_t low, std::int64_t high) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < low ||
      value.get<std::int64_t>() > high)
    fail_at_key(source, key,
                "a whole number in [" + std::to_string(low) + ", " + std::to_string(high) + "]",
                value);
  return value.get<std::int64_t>();
}

// The dotted keys that KEY=VALUE sets: an object value sets each key inside it (--set merges
// it into the object there); anything else, an empty object included, sets KEY itself.
void collect_set_paths(const std::string& key, const json& value, std::set<std::string>& paths) {
  if (!value.is_object() || value.empty()) {
    paths.insert(key);
    return;
  }
  for (const auto& [member, inner] : value.items())
    collect_set_paths(key + "." + member, inner, paths);
}

// A key the sweep itself sets for every point, named as given at `where`.
void check_sweep_path(const std::string& key, const std::string& where, const std::string& source) {
  if (key == "output.dir" || key.rfind("output.dir.", 0) == 0)
    throw ConfigError(source + ": " + where +
                      ": output.dir cannot vary: each point's run folder is the sweep's \"out\" "
                      "folder plus the point's name");
  // The sweep gives each point its thread count (its layout): a value here would be replaced.
  if (key == "threads")
    throw ConfigError(source + ": " + where +
                      ": threads is set by the sweep for every point (--threads, or "
                      "executor.threads), not per point: a value here would be replaced");
}

// A dotted config key as the sweep file names it: checked for shape here, for meaning when each
// point's config is loaded.
void check_dotted_key(const std::string& key, const std::string& where, const std::string& source) {
  const bool shaped = !key.empty() && key.front() != '.' && key.back() != '.' &&
                      key.find("..") == std::string::npos &&
                      key.find_first_of("= \t\n") == std::string::npos;
  if (!shaped)
    fail_at_key(source, where, "a dotted config key such as \"model.latent\"", json(key));
  check_sweep_path(key, where, source);
}

// check_dotted_key for KEY and for each key inside VALUE, an object being a set of keys
// ("output": {"dir": ...} sets output.dir as "output.dir" does).
void check_override(const std::string& key, const json& value, const std::string& where,
                    const std::string& source) {
  check_dotted_key(key, where, source);
  std::set<std::string> paths;
  collect_set_paths(key, value, paths);
  for (const auto& path : paths) check_sweep_path(path, where, source);
}

}  // namespace

PointOverrides overrides_from_object(const Document& object, const std::string& where,
                                     const std::string& source) {
  if (!object.is_object())
    fail_at_key(source, where, "an object of dotted keys and values", object);
  PointOverrides overrides;
  for (const auto& [key, value] : object.items()) {
    check_override(key, plain(value), where + "." + key, source);
    overrides.emplace_back(key, plain(value));
  }
  return overrides;
}

ExecutorOptions executor_from_json(const Document& document, const std::string& source) {
  if (!document.is_object()) fail_at_key(source, "executor", "an object", document);
  ExecutorOptions options;
  for (const auto& [key, value] : document.items()) {
    const std::string where = "executor." + key;
    if (key == "type") {
      if (value != "local" && value != "slurm")
        fail_at_key(source, where, "\"local\" or \"slurm\"", value);
      options.type = value.get<std::string>();
    } else if (key == "jobs") {
      options.jobs = whole_number(value, where, source, 0, 1024);
    } else if (key == "threads") {
      options.threads = whole_number(value, where, source, 0, 1024);
    } else if (key == "cpus_per_task") {
      options.cpus_per_task = whole_number(value, where, source, 1, 4096);
    } else if (key == "max_parallel") {
      options.max_parallel = whole_number(value, where, source, 0, 1000000);
    } else if (key == "partition" || key == "time" || key == "mem" || key == "gres") {
      if (!value.is_string()) fail_at_key(source, where, "a string", value);
      std::string& field = key == "partition" ? options.partition
                           : key == "time"    ? options.time
                           : key == "mem"     ? options.mem
                                              : options.gres;
      field = value.get<std::string>();
    } else {
      throw ConfigError(source + ": unknown key " + where +
                        " (allowed: type, jobs, threads, partition, time, cpus_per_task, mem, "
                        "max_parallel, gres)");
    }
  }
  return options;
}

namespace {

// A JSON value as part of a folder name: strings as they are, numbers as a table shows them,
// lists joined by "x" (hidden [400,200] -> 400x200), objects by their values joined by "-".
std::string value_label(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string label;
    for (const auto& element : value) label += (label.empty() ? "" : "x") + value_label(element);
    return label.empty() ? "none" : label;
  }
  if (value.is_object()) {
    std::string label;
    for (const auto& [key, element] : value.items())
      label += (label.empty() ? "" : "-") + value_label(element);
    return label.empty() ? "none" : label;
  }
  if (value.is_null()) return "null";
  return format_cell(value);
}

std::string filesystem_safe(const std::string& text) {
  std::string safe;
  for (const char c : text) {
    const bool kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    if (kept)
      safe += c;
    else if (safe.empty() || safe.back() != '_')
      safe += '_';
  }
  // A leading dot would hide the folder (and "." or ".." would not be a new folder at all).
  while (!safe.empty() && safe.front() == '.') safe.erase(safe.begin());
  return safe.empty() ? "point" : safe.substr(0, kMaxNameLength);
}

std::string last_part(const std::string& dotted_key) {
  const auto dot = dotted_key.rfind('.');
  return dot == std::string::npos ? dotted_key : dotted_key.substr(dot + 1);
}

// Each key's label in names: its last part, or the whole dotted key where two keys of the sweep
// share a last part (model.latent and probe.latent).
std::map<std::string, std::string> key_labels(const std::set<std::string>& keys) {
  std::map<std::string, int> uses;
  for (const auto& key : keys) ++uses[last_part(key)];
  std::map<std::string, std::string> labels;
  for (const auto& key : keys) labels[key] = uses[last_part(key)] > 1 ? key : last_part(key);
  return labels;
}

std::string point_name(const PointOverrides& overrides,
                       const std::map<std::string, std::string>& labels) {
  if (overrides.empty()) return "base";
  std::string name;
  for (const auto& [key, value] : overrides)
    name += (name.empty() ? "" : "_") + labels.at(key) + "-" + value_label(value);
  return filesystem_safe(name);
}

std::vector<PointOverrides> grid_combinations(const SweepPlan& plan) {
  if (plan.grid.empty()) return {};
  std::size_t count = 1;
  for (const auto& entry : plan.grid) {
    count *= entry.second.size();
    if (count > kMaxPoints)
      throw ConfigError("sweep: the grid has more than " + std::to_string(kMaxPoints) +
                        " points; split it into several sweeps");
  }
  std::vector<PointOverrides> combinations = {{}};
  for (const auto& [key, values] : plan.grid) {
    std::vector<PointOverrides> extended;
    for (const auto& partial : combinations)
      for (const auto& value : values) {
        extended.push_back(partial);
        extended.back().emplace_back(key, value);
      }
    combinations = std::move(extended);
  }
  return combinations;
}

// The deepest nesting of brackets outside strings: checked before parsing, so that a hostile
// flag cannot recurse the parser (or the value's destructor) off the stack.
int nesting_depth(const std::string& text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// Overrides compared as sets: {"a": 1, "b": 2} and {"b": 2, "a": 1} are the same point.
// The config keys a point sets, as --set applies them: "model.latent": 4 and "model":
// {"latent": 4} are one point.
json canonical(const PointOverrides& overrides) {
  json object = json::object();
  for (const auto& [key, value] : overrides) apply_override(object, key + "=" + value.dump());
  return object;
}

}  // namespace

bool is_sweep_document(const json& document) {
  return document.is_object() && document.contains("base");
}

SweepPlan read_sweep_file(const fs::path& path) {
  const std::string source = path.string();
  const Document document = read_json_in_order(path);
  if (!document.is_object() || !document.contains("base"))
    throw ConfigError(source +
                      ": expected a sweep file (an object with \"base\", the config "
                      "every point starts from), found no \"base\"");
  SweepPlan plan;
  plan.base_config = fs::absolute(required_string(document, "base", source));
  string_override("base", plan.base_config.string(), source + ": base");  // valid UTF-8
  plan.out_dir = fs::absolute(document.contains("out") ? required_string(document, "out", source)
                                                       : (fs::path("runs") / path.stem()).string());
  for (const auto& [key, value] : document.items()) {
    if (key == "base" || key == "out" || key == "comment") continue;
    if (key == "set") {
      plan.fixed = overrides_from_object(value, "set", source);
    } else if (key == "grid") {
      if (!value.is_object())
        fail_at_key(source, "grid", "an object of dotted keys and value lists", value);
      for (const auto& [grid_key, values] : value.items()) {
        check_dotted_key(grid_key, "grid." + grid_key, source);
        if (!values.is_array() || values.empty())
          fail_at_key(source, "grid." + grid_key, "a non-empty list of values", values);
        std::vector<json> list;
        for (const auto& value : values) {
          list.push_back(plain(value));
          check_override(grid_key, list.back(), "grid." + grid_key, source);
        }
        plan.grid.emplace_back(grid_key, list);
      }
    } else if (key == "points") {
      if (!value.is_array()) fail_at_key(source, "points", "a list of objects", value);
      for (std::size_t i = 0; i < value.size(); ++i)
        plan.explicit_points.push_back(
            overrides_from_object(value[i], "points[" + std::to_string(i) + "]", source));
    } else if (key == "executor") {
      plan.executor = executor_from_json(value, source);
    } else {
      throw ConfigError(source + ": unknown key \"" + key +
                        "\" (a sweep file has: base, out, set, grid, points, executor, comment)");
    }
  }
  if (plan.grid.empty() && plan.explicit_points.empty())
    throw ConfigError(source + ": a sweep needs a \"grid\" or \"points\", found neither");
  return plan;
}

std::pair<std::string, std::vector<json>> parse_grid_flag(const std::string& flag) {
  const auto equals = flag.find('=');
  if (equals == std::string::npos || equals + 1 == flag.size())
    throw ConfigError("--grid " + flag + ": expected KEY=VALUE,VALUE,... such as " +
                      "model.latent=15,30,50");
  const std::string key = flag.substr(0, equals);
  check_dotted_key(key, "--grid " + key, "command line");
  const std::string text = flag.substr(equals + 1);
  if (nesting_depth(text) > kMaxJsonDepth)
    throw ConfigError("--grid " + key + ": values nested more than " +
                      std::to_string(kMaxJsonDepth) + " deep");
  const json whole = json::parse(text, nullptr, false);
  if (!whole.is_discarded() && whole.is_array() && !whole.empty()) {
    for (const auto& value : whole) check_override(key, value, "--grid " + key, "command line");
    return {key, std::vector<json>(whole.begin(), whole.end())};
  }
  std::vector<json> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    if (item.empty())
      throw ConfigError("--grid " + flag + ": empty value; expected KEY=VALUE,VALUE,...");
    json holder = json::object();
    apply_override(holder, "value=" + item);  // JSON or a string, checked as --set checks it
    check_override(key, holder["value"], "--grid " + key, "command line");
    values.push_back(holder["value"]);
    start = comma + 1;
  }
  return {key, values};
}

// Whether setting one of the dotted keys changes what the other sets: the same key, or one
// inside the other ("noise" replaced by null drops "noise.std").
bool keys_overlap(const std::string& a, const std::string& b) {
  const auto inside = [](const std::string& inner, const std::string& outer) {
    return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
           inner[outer.size()] == '.';
  };
  return a == b || inside(a, b) || inside(b, a);
}

// A key that "set" fixes and a point varies would be silently overridden by the point, also
// when one of them gives it inside an object ("model.latent" and "model": {"latent": 8}).
void check_no_overlap(const SweepPlan& plan, const std::vector<PointOverrides>& points) {
  std::set<std::string> varied;
  for (const auto& overrides : points)
    for (const auto& [key, value] : overrides) collect_set_paths(key, value, varied);
  for (const auto& [key, value] : plan.fixed) {
    std::set<std::string> fixed;
    collect_set_paths(key, value, fixed);
    for (const auto& path : fixed)
      for (const auto& other : varied)
        if (keys_overlap(path, other))
          throw ConfigError("sweep: " + (path == other ? path : path + " and " + other) +
                            (path == other ? " is" : " are") +
                            " both set for every point (set / --set) and varied by the points; "
                            "give it in one place");
  }
}

std::pair<std::string, json> parse_set_flag(const std::string& flag) {
  const auto equals = flag.find('=');
  if (equals == std::string::npos || equals == 0)
    throw ConfigError("--set " + flag + ": expected KEY=VALUE such as train.epochs=5, found " +
                      (equals == 0 ? "no key" : "no '='"));
  const std::string key = flag.substr(0, equals);
  check_dotted_key(key, "--set " + key, "command line");
  json holder = json::object();
  apply_override(holder, flag);  // builds holder.model.latent for "model.latent=..."
  std::string pointer;
  for (std::size_t start = 0; start <= key.size();) {
    const auto dot = std::min(key.find('.', start), key.size());
    pointer += "/" + key.substr(start, dot - start);
    start = dot + 1;
  }
  json value = holder.at(json::json_pointer(pointer));
  check_override(key, value, "--set " + key, "command line");
  return {key, value};
}

std::vector<SweepPoint> expand_points(const SweepPlan& plan) {
  std::vector<PointOverrides> all = grid_combinations(plan);
  all.insert(all.end(), plan.explicit_points.begin(), plan.explicit_points.end());
  std::set<std::string> keys;
  for (const auto& overrides : all)
    for (const auto& entry : overrides) keys.insert(entry.first);
  check_no_overlap(plan, all);
  const auto labels = key_labels(keys);
  std::vector<SweepPoint> points;
  std::map<json, std::size_t> seen;
  std::set<std::string> names;
  for (const auto& overrides : all) {
    const json key = canonical(overrides);
    if (const auto earlier = seen.find(key); earlier != seen.end())
      throw ConfigError("sweep: points " + std::to_string(earlier->second + 1) + " and " +
                        std::to_string(points.size() + 1) + " are the same (" +
                        describe_overrides(overrides) + "); each point must differ");
    seen.emplace(key, points.size());
    std::string name = point_name(overrides, labels);
    for (int suffix = 2; names.count(name) > 0; ++suffix)
      name = point_name(overrides, labels).substr(0, kMaxNameLength - 8) + "-" +
             std::to_string(suffix);
    names.insert(name);
    points.push_back({name, overrides});
  }
  return points;
}

std::vector<std::string> point_assignments(const SweepPlan& plan, const SweepPoint& point) {
  std::vector<std::string> assignments;
  for (const auto& [key, value] : plan.fixed) assignments.push_back(key + "=" + value.dump());
  for (const auto& [key, value] : point.overrides) assignments.push_back(key + "=" + value.dump());
  assignments.push_back(
      string_override("output.dir", (plan.out_dir / point.name).string(), "--out / \"out\""));
  return assignments;
}

Config load_point_config(const SweepPlan& plan, const SweepPoint& point,
                         const std::vector<std::string>& more) {
  std::vector<std::string> assignments = point_assignments(plan, point);
  assignments.insert(assignments.end(), more.begin(), more.end());
  return load_config(plan.base_config, assignments, {"the sweep's settings"});
}

void validate_points(const SweepPlan& plan, const std::vector<SweepPoint>& points) {
  // A base file that cannot be read is the sweep's problem, not its first point's.
  try {
    read_json_file(plan.base_config);
  } catch (const ConfigError& error) {
    throw ConfigError(std::string("the sweep's base config: ") + error.what());
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    try {
      load_point_config(plan, points[i]);
    } catch (const ConfigError& error) {
      throw ConfigError("sweep point " + std::to_string(i + 1) + " \"" + points[i].name + "\" (" +
                        describe_overrides(points[i].overrides) + "): " + error.what());
    }
  }
}

bool is_point_name(const std::string& name) {
  return !name.empty() && name.size() <= kMaxNameLength && name.front() != '.' &&
         filesystem_safe(name) == name;
}

void check_executor(const ExecutorOptions& executor) {
  const std::pair<const char*, const std::string*> values[] = {{"partition", &executor.partition},
                                                               {"time", &executor.time},
                                                               {"mem", &executor.mem},
                                                               {"gres", &executor.gres}};
  // An option of the other executor would be ignored without a word.
  const bool slurm = executor.type == "slurm";
  std::string ignored;
  if (!slurm)
    for (const auto& [key, value] : values)
      if (!value->empty()) ignored = key;
  if (!slurm && executor.cpus_per_task != ExecutorOptions{}.cpus_per_task)
    ignored = "cpus_per_task";
  if (!slurm && executor.max_parallel != ExecutorOptions{}.max_parallel) ignored = "max_parallel";
  if (slurm && executor.jobs != ExecutorOptions{}.jobs) ignored = "jobs";
  if (!ignored.empty())
    throw ConfigError("executor." + ignored + " (--" +
                      (ignored == "cpus_per_task"  ? "cpus-per-task"
                       : ignored == "max_parallel" ? "max-parallel"
                                                   : ignored) +
                      "): expected it only with executor " + (slurm ? "local" : "slurm") +
                      ", found executor " + executor.type + ", where it would be ignored; drop it" +
                      " or choose --executor " + (slurm ? "local" : "slurm"));
  for (const auto& [key, value] : values)
    if (value->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                 ":._,=/+-") != std::string::npos)
      throw ConfigError(std::string("executor.") + key +
                        ": expected a Slurm value of letters, digits and :._,=/+- (no spaces or "
                        "line breaks), found " +
                        json(*value).dump(-1, ' ', false, json::error_handler_t::replace));
}

Document read_json_in_order(const fs::path& path) {
  read_json_file(path);  // size, nesting, syntax and duplicate keys, with one-line errors
  std::ifstream stream(path, std::ios::binary);
  return Document::parse(stream);
}

std::string describe_overrides(const PointOverrides& overrides) {
  if (overrides.empty()) return "the base config";
  std::string text;
  for (const auto& [key, value] : overrides)
    text += (text.empty() ? "" : " ") + key + "=" +
            value.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() <= 300 ? text : text.substr(0, 297) + "...";
}

}  // namespace aebench
