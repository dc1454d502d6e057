#include "aebench/config/schema.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "schema_tables.h"

namespace aebench {

const std::vector<SectionSchema>& config_schema() {
  static const std::vector<SectionSchema> sections = make_config_sections();
  return sections;
}

const SectionSchema& config_section(const std::string& path) {
  for (const auto& section : config_schema())
    if (section.path == path) return section;
  throw std::out_of_range("no config section " + path);
}

const std::vector<RuleSchema>& config_rules() {
  static const std::vector<RuleSchema> rules = make_config_rules();
  return rules;
}

std::string check_run_name(const std::string& name) {
  const bool blank = std::all_of(name.begin(), name.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
  const bool unsafe = std::any_of(name.begin(), name.end(), [](char c) {
    return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (blank || unsafe || name == "." || name == ".." || name.size() > 255)
    return "expected a run name that is a single folder name (not blank, \".\" or \"..\"; no '/', "
           "'\\' or control characters; at most 255 bytes), so runs/<name> stays in runs/";
  return "";
}

bool resumable_key(const std::string& dotted_or_pointer_path) {
  const bool pointer = !dotted_or_pointer_path.empty() && dotted_or_pointer_path[0] == '/';
  std::vector<std::string> parts;
  std::stringstream stream(pointer ? dotted_or_pointer_path.substr(1) : dotted_or_pointer_path);
  for (std::string part; std::getline(stream, part, pointer ? '/' : '.');) parts.push_back(part);
  const SectionSchema* section = &config_section("");
  for (const auto& part : parts) {
    const auto found = std::find_if(section->keys.begin(), section->keys.end(),
                                    [&](const KeySchema& key) { return key.name == part; });
    if (found == section->keys.end()) return false;
    if (found->resumable) return true;
    if (found->kind != ValueKind::kSection) return false;
    section = &config_section(section->path.empty() ? part : section->path + "." + part);
  }
  return false;
}

std::vector<std::string> resumable_keys() {
  std::vector<std::string> keys;
  for (const auto& section : config_schema()) {
    if (!section.path.empty() && resumable_key(section.path)) continue;  // listed as "path.*"
    for (const auto& key : section.keys) {
      if (!key.resumable) continue;
      const std::string path = section.path.empty() ? key.name : section.path + "." + key.name;
      keys.push_back(key.kind == ValueKind::kSection ? path + ".*" : path);
    }
  }
  return keys;
}

}  // namespace aebench
