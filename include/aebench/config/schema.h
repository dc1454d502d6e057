#pragma once
// The config schema: one table per config section. Every key has its name, JSON type, default,
// range or choices, one line of documentation, whether it may change on --resume, and how it
// maps to a Config field. The same tables drive the parser (allowed keys, checks, defaults),
// config_to_json (in the tables' order), the resume rule (resumable_key) and docs/config.md
// (config_docs_markdown, printed by `aebench config-docs`). Free of LibTorch.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/config/config.h"

namespace aebench {

enum class ValueKind {
  kInteger,      // a whole number in [integer_low, integer_high] (1e3 counts as 1000)
  kNumber,       // a finite number in [low, high], ends open where low_open / high_open
  kBoolean,      // true or false
  kString,       // a non-empty string
  kChoice,       // one of `choices`
  kIntegerList,  // a list of integers, each in [integer_low, integer_high]
  kCustom,       // `check` alone decides
  kSection,      // an object described by the section at `<parent>.<name>`
  kIgnored,  // accepted and ignored (top-level "comment", "$schema"); not in the resolved config
};

using FieldGetter = std::function<nlohmann::json(const Config&)>;
using FieldSetter = std::function<void(Config&, const nlohmann::json&)>;

struct KeySchema {
  std::string name;
  ValueKind kind = ValueKind::kCustom;
  std::string doc;          // one line of Markdown
  std::string type_doc;     // the JSON type for the docs; "" = derived from kind
  std::string default_doc;  // the default for the docs; "" = default_value(Config{}) as JSON
  std::string range_doc;    // the allowed values for the docs; "" = derived from the constraint
  bool resumable = false;   // may differ from the checkpoint's on --resume (kSection: all of it)
  std::int64_t integer_low = 0, integer_high = 0;
  double low = 0, high = 0;
  bool low_open = false, high_open = false;
  std::vector<std::string> choices;
  // The value when the key is absent or null; may depend on the keys read before it.
  FieldGetter default_value;
  FieldGetter get;  // the resolved value (JSON) from the config
  FieldSetter set;  // stores an accepted value (or default_value) into the config
  // A further check of a present value that passed the kind's check: "" when fine, else
  // "expected ..." (the parser adds the key and the value found).
  std::function<std::string(const Config&, const nlohmann::json&)> check;
  // Whether the key applies given the keys read before (noise.std only for gaussian noise).
  // A key that does not apply is left out of the resolved config.
  std::function<bool(const Config&)> applies;
  // Whether a value given for the key has any effect (train.momentum not with adam). Unlike
  // `applies`, the key stays in the resolved config; a value given where it has none is named
  // in a note (Config::ignored_keys).
  std::function<bool(const Config&)> used;
};

struct SectionSchema {
  std::string path;          // "" = the top level, "data", "train.early_stopping"
  std::string title;         // heading in the docs
  std::string intro;         // Markdown before the key table
  std::string notes;         // Markdown after it
  bool optional = false;     // null (the default) = off, an object = on
  bool strict = false;       // a present key that does not apply is an unknown key
  std::string required_key;  // an object must have this key ("" = none)
  std::function<bool(const Config&)> enabled;  // optional sections: on?
  std::function<void(Config&, bool)> enable;   // optional sections: turn on or off
  // Whether values given in the section have any effect (train: not for a model fitted in
  // closed form); a key given where they have none is named in a note, as KeySchema::used.
  std::function<bool(const Config&)> used;
  std::vector<KeySchema> keys;  // in reading order
};

// A rule between keys, checked after every key was read: `check` returns "" when the config
// keeps it, else the message after "SOURCE: ".
struct RuleSchema {
  std::string doc;  // Markdown, one line
  std::function<std::string(const Config&)> check;
};

// Every section, the top level first, in the order of the docs.
const std::vector<SectionSchema>& config_schema();
// The section at `path` ("" = top level); throws std::out_of_range for an unknown path.
const SectionSchema& config_section(const std::string& path);
const std::vector<RuleSchema>& config_rules();

// Whether a key may change when a run is resumed. Takes a dotted key ("train.epochs") or a JSON
// pointer into the resolved config ("/train/epochs", "/probe", "/model/hidden/1").
bool resumable_key(const std::string& dotted_or_pointer_path);
// The resumable keys, dotted; a resumable section as "output.*".
std::vector<std::string> resumable_keys();

// Whether `name` can name a run: its default folder runs/<name> must stay inside runs/.
// "" when fine, else "expected ...".
std::string check_run_name(const std::string& name);

}  // namespace aebench
