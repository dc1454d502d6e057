#pragma once
// How two resolved configs differ, key by key: for resume refusals, for eval's check of an
// edited config.json, and for finding the run folder of a config. Free of LibTorch.

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aebench {

// Whether a config key (dotted, "data.dir") says only where, how fast or under what label a
// run ran, not what it computed: comment, name, threads, device, follow_load, output.* and
// data.dir (the same data elsewhere). Runs that differ in nothing else made the same model.
inline bool is_incidental_key(const std::string& key) {
  for (const char* incidental :
       {"comment", "name", "threads", "device", "follow_load", "output", "data.dir"}) {
    const std::string prefix = incidental;
    if (key == prefix || key.rfind(prefix + ".", 0) == 0) return true;
  }
  return false;
}

// The same for a JSON pointer ("/data/dir"), as describe_changes gives its selector.
inline bool is_incidental_pointer(const std::string& pointer) {
  std::string key = pointer.empty() ? pointer : pointer.substr(1);
  std::replace(key.begin(), key.end(), '/', '.');
  return is_incidental_key(key);
}

// "model.latent (16 -> 9), train.lr (0.003 -> 0.5)": the keys where `current` differs from
// `saved` that `counts` selects (it is given the JSON pointer, e.g. "/model/latent"), or "".
// A change inside a list ("/model/hidden/0") is reported as the whole list's.
template <typename Selector>
std::string describe_changes(const nlohmann::json& saved, const nlohmann::json& current,
                             Selector counts) {
  const auto in_list = [&](const nlohmann::json::json_pointer& pointer) {
    const auto parent = pointer.parent_pointer();
    return (saved.contains(parent) && saved.at(parent).is_array()) ||
           (current.contains(parent) && current.at(parent).is_array());
  };
  std::string changes;
  std::vector<std::string> seen;
  for (const auto& operation : nlohmann::json::diff(saved, current)) {
    nlohmann::json::json_pointer pointer(operation.at("path").get<std::string>());
    while (!pointer.empty() && in_list(pointer)) pointer = pointer.parent_pointer();
    const std::string path = pointer.to_string();
    if (!counts(path) || std::find(seen.begin(), seen.end(), path) != seen.end()) continue;
    seen.push_back(path);
    const std::string before = saved.contains(pointer) ? saved.at(pointer).dump() : "(none)";
    const std::string after = current.contains(pointer) ? current.at(pointer).dump() : "(none)";
    std::string key = path.substr(1);
    std::replace(key.begin(), key.end(), '/', '.');
    changes += (changes.empty() ? "" : ", ") + key + " (" + before + " -> " + after + ")";
  }
  return changes;
}

}  // namespace aebench
