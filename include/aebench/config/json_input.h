#pragma once
// JSON a user gives aebench: config, sweep and bench files, read bounded and strictly (a
// duplicate key is an error), and --set KEY=VALUE overrides applied to a document. Every
// error is a ConfigError naming the file or the flag. Free of LibTorch.

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace aebench {

// Limits that keep a hostile config from crashing or hanging the parser.
inline constexpr std::size_t kMaxConfigBytes = 1 << 20;  // a config file, 1 MiB
inline constexpr int kMaxJsonDepth = 64;  // nested arrays and objects (configs use 4)

// Reads and parses a JSON file; a syntax error or duplicate key is a ConfigError naming the
// file, line and column. Only a regular file of at most kMaxConfigBytes, nested at most
// kMaxJsonDepth deep, is read (a FIFO or device would block or never end).
nlohmann::json read_json_file(const std::filesystem::path& path);

// Applies one "dotted.key=VALUE" override to `document`. VALUE is JSON; a value that is not
// valid JSON is taken as a string (so --set data.dataset=fashion-mnist works unquoted). An
// object VALUE over an object sets the keys it names and keeps the others (train={"lr":0.01} is
// train.lr=0.01); to replace a whole object, set it to null first.
// NUL bytes, invalid UTF-8 and nesting deeper than kMaxJsonDepth are ConfigErrors.
void apply_override(nlohmann::json& document, const std::string& assignment);

// "KEY=VALUE" with VALUE as a JSON string, for flags that set a string key (--out, --device).
// Throws ConfigError naming `flag` when `value` is not valid UTF-8.
std::string string_override(const std::string& key, const std::string& value,
                            const std::string& flag);

// `text` (a key, an override) as one printable line: control characters escaped, invalid
// UTF-8 replaced, long text cut.
std::string printable(const std::string& text);

}  // namespace aebench
