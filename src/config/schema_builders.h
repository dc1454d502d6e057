#pragma once
// Internal to src/config/: short builders that keep the schema tables (schema_tables.cpp)
// one readable entry per key.

#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aebench/config/schema.h"

namespace aebench::schema_builders {

using nlohmann::json;

// The Config field a key reads and writes; works on a const and a mutable Config.
#define AEBENCH_FIELD(member) \
  [](auto& config) -> auto& { \
    return config.member;     \
  }

// Binds a key to a Config field: its value, how it is stored, and its default (the struct's).
template <typename Field>
inline KeySchema on(Field field, KeySchema key) {
  key.get = [field](const Config& config) { return json(field(config)); };
  key.set = [field](Config& config, const json& value) {
    field(config) = value.get<std::decay_t<decltype(field(config))>>();
  };
  key.default_value = [field](const Config&) {
    const Config defaults;
    return json(field(defaults));
  };
  return key;
}

inline KeySchema key(const char* name, ValueKind kind, const char* doc) {
  KeySchema schema;
  schema.name = name;
  schema.kind = kind;
  schema.doc = doc;
  return schema;
}
inline KeySchema integer(const char* name, std::int64_t low, std::int64_t high, const char* doc) {
  KeySchema schema = key(name, ValueKind::kInteger, doc);
  schema.integer_low = low, schema.integer_high = high;
  return schema;
}
inline KeySchema integer_list(const char* name, std::int64_t low, std::int64_t high,
                              const char* doc) {
  KeySchema schema = integer(name, low, high, doc);
  schema.kind = ValueKind::kIntegerList;
  return schema;
}
inline KeySchema number(const char* name, double low, double high, const char* doc,
                        bool low_open = false, bool high_open = false) {
  KeySchema schema = key(name, ValueKind::kNumber, doc);
  schema.low = low, schema.high = high, schema.low_open = low_open, schema.high_open = high_open;
  return schema;
}
inline KeySchema choice(const char* name, std::vector<std::string> choices, const char* doc) {
  KeySchema schema = key(name, ValueKind::kChoice, doc);
  schema.choices = std::move(choices);
  return schema;
}
inline KeySchema section(const char* name, const char* doc) {
  return key(name, ValueKind::kSection, doc);
}

inline KeySchema resumable(KeySchema schema) {
  schema.resumable = true;
  return schema;
}
// A default that depends on keys read before, documented as `doc`.
inline KeySchema defaults_to(KeySchema schema, std::string doc, FieldGetter value) {
  schema.default_doc = std::move(doc);
  schema.default_value = std::move(value);
  return schema;
}
inline KeySchema applies_when(KeySchema schema, std::function<bool(const Config&)> applies) {
  schema.applies = std::move(applies);
  return schema;
}
inline KeySchema used_when(KeySchema schema, std::function<bool(const Config&)> used) {
  schema.used = std::move(used);
  return schema;
}
inline KeySchema checked(KeySchema schema,
                         std::function<std::string(const Config&, const json&)> check) {
  schema.check = std::move(check);
  return schema;
}
// A count where 0 means "no limit" or "none": written as null.
inline KeySchema null_when_zero(KeySchema schema) {
  auto get = schema.get;
  schema.get = [get](const Config& config) {
    const json value = get(config);
    return value == 0 ? json(nullptr) : value;
  };
  return schema;
}

// A path (data.dir, output.dir) is taken as given but must not hold control characters.
inline std::string check_path_text(const Config&, const json& value) {
  const auto text = value.get<std::string>();
  const bool control = std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  return control ? "expected a path without control characters (NUL, newline, tab)" : "";
}

// An optional section (null = off) whose on/off state is the bool `flag` points to.
template <typename Flag>
SectionSchema optional_section(std::string path, std::string title, std::string intro, Flag flag) {
  SectionSchema schema;
  schema.path = std::move(path), schema.title = std::move(title), schema.intro = std::move(intro);
  schema.optional = true;
  schema.enabled = [flag](const Config& config) { return flag(config); };
  schema.enable = [flag](Config& config, bool on) { flag(config) = on; };
  return schema;
}

inline SectionSchema plain_section(std::string path, std::string title, std::string intro) {
  SectionSchema schema;
  schema.path = std::move(path), schema.title = std::move(title), schema.intro = std::move(intro);
  return schema;
}

}  // namespace aebench::schema_builders
