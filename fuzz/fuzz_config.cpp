// libFuzzer target for the config parser (src/config/config.cpp). Build and run: bash
// scripts/fuzz.sh.
//
// Input format: a JSON document, then optionally the separator line "--set" and one
// KEY=VALUE override per line (empty lines are skipped):
//
//   {"model": {"type": "conv"}}
//   --set
//   train.lr=3e-4
//   data.classes=[0,1]
//
// The document goes through read_json_file (a scratch file, so the duplicate-key guard runs),
// then apply_override per line, then config_from_json. A ConfigError there is an expected
// outcome. An accepted config must then survive what `train` and `eval` do with it: its
// resolved JSON (config_to_json), written as text and read back, must be accepted again and
// resolve to the same JSON, and its run name must keep runs/<name> inside runs/. A ConfigError
// message must be one line. Anything else (another exception, a rejected or changed resolved
// config, a sanitizer report, a stack overflow on deep nesting) is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/config/config.h"
#include "aebench/config/schema.h"
#include "aebench/errors.h"
#include "scratch_file.h"

namespace {

using nlohmann::json;

constexpr const char* kSeparator = "\n--set\n";

const aebench::fuzz::ScratchFile& scratch() {
  static const aebench::fuzz::ScratchFile file("config");
  return file;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

[[noreturn]] void round_trip_failed(const std::string& what, const json& first,
                                    const json* second) {
  std::fprintf(stderr, "fuzz_config: round trip broken: %s\nresolved: %s\n", what.c_str(),
               first.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  if (second)
    std::fprintf(stderr, "again:    %s\n",
                 second->dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  std::abort();
}

// config_from_json(resolved) must be accepted and resolve to `resolved` again.
void check_fixed_point(const json& resolved, const std::string& how) {
  json again;
  try {
    again = aebench::config_to_json(aebench::config_from_json(resolved, "resolved"));
  } catch (const aebench::ConfigError& error) {
    round_trip_failed(how + ": the resolved config is rejected: " + error.what(), resolved,
                      nullptr);
  }
  if (again != resolved) round_trip_failed(how + ": the resolved config changes", resolved, &again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t separator = input.find(kSeparator);
  const std::string document_text = input.substr(0, separator);
  const std::vector<std::string> overrides =
      separator == std::string::npos
          ? std::vector<std::string>{}
          : split_lines(input.substr(separator + std::char_traits<char>::length(kSeparator)));

  json resolved;
  try {
    scratch().write(document_text.data(), document_text.size());
    json document = aebench::read_json_file(scratch().path());
    for (const auto& assignment : overrides) aebench::apply_override(document, assignment);
    resolved = aebench::config_to_json(aebench::config_from_json(document, "fuzz", "fuzz"));
  } catch (const aebench::ConfigError& error) {
    if (std::string(error.what()).find('\n') != std::string::npos) {
      std::fprintf(stderr, "fuzz_config: a ConfigError message spans lines\n");
      std::abort();
    }
    return 0;
  }
  if (!aebench::check_run_name(resolved.at("name").get<std::string>()).empty()) {
    std::fprintf(stderr, "fuzz_config: an accepted run name can leave runs/\n");
    std::abort();
  }

  // In memory, as a caller holding the resolved JSON would reuse it.
  check_fixed_point(resolved, "in memory");
  // As text, as `train` writes RUN_DIR/config.json and `eval` reads it back.
  check_fixed_point(json::parse(resolved.dump()), "through dump and parse");
  return 0;
}
