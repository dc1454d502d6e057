#include "aebench/config/summary_config.h"

#include <optional>

#include "aebench/config/config.h"
#include "aebench/config/config_changes.h"
#include "aebench/errors.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"

namespace aebench {

namespace fs = std::filesystem;

namespace {

// `document` read through today's schema, so that keys newer than the run read as their
// defaults; nullopt when today's schema refuses it (a run of an older schema).
std::optional<nlohmann::json> resolved(const nlohmann::json& document, const std::string& source) {
  try {
    return nlohmann::json(config_to_json(config_from_json(document, source)));
  } catch (const ConfigError&) {
    return std::nullopt;
  }
}

// A CRC-32 as checked_file_crc writes it: 8 lowercase hex digits.
bool is_crc_text(const nlohmann::json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  return text.size() == 8 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string other_model_problem(const fs::path& run_dir, const nlohmann::json& document) {
  if (!document.is_object()) return "";
  const auto named = document.find("model_crc32");
  if (named == document.end()) return "";  // an older run's: it named no model
  if (!is_crc_text(*named))
    return "names its model.pt by model_crc32 " +
           named->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           ", expected a CRC-32 of 8 hex digits: it was edited, and its model cannot be told";
  // The whole file: one changed in place keeps its header's CRC-32 but is no longer the model.
  const std::string found = checked_file_crc(run_dir / kModelFile, CrcCheck::kPayload);
  if (found == named->get<std::string>()) return "";
  std::error_code error;
  if (found.empty())  // the results outlived their model: no command may show them as its
    return std::string("scored a model.pt of CRC-32 ") + named->get<std::string>() + ", found " +
           (fs::exists(fs::symlink_status(run_dir / kModelFile, error))
                ? "one that is damaged (truncated, extended, changed or no aebench checkpoint)"
                : "none") +
           ": results of a model that is no longer there";
  return std::string("scored a model.pt of CRC-32 ") + named->get<std::string>() +
         ", found one of " + found + ": another run's results, copied in";
}

bool holds_test_results(const nlohmann::json& summary) {
  if (!summary.is_object() || summary.contains("error")) return false;
  const auto test = summary.find("test");
  return test != summary.end() && test->is_object() && test->contains("mse") &&
         test->at("mse").is_number();
}

std::string foreign_summary_problem(const fs::path& run_dir, const nlohmann::json& summary,
                                    SummaryWriter writer) {
  if (!summary.is_object()) return "";
  if (const auto version = summary.find("format_version");
      version != summary.end() && *version != kRunFormatVersion)
    return "is of format_version " + version->dump() + ", expected " +
           std::to_string(kRunFormatVersion) + ": written by another aebench version, or edited";
  // train writes the config into every summary.json it makes, and probe keeps it.
  if (!summary.contains("config") || !summary["config"].is_object())
    return std::string(
        "holds no \"config\" object, which every summary.json aebench writes holds: it is "
        "not this run's");
  const RegularFileText file = read_regular_file(run_dir / kConfigFile);
  const nlohmann::json saved =
      file.ok() ? nlohmann::json::parse(file.bytes, nullptr, false) : nlohmann::json();
  if (!saved.is_object()) return "";
  const nlohmann::json& made_with = summary["config"];
  const auto saved_resolved = resolved(saved, (run_dir / kConfigFile).string());
  const auto made_with_resolved = resolved(made_with, (run_dir / kSummaryFile).string());
  // Read as they are written when today's schema refuses either: both came from one version.
  const bool both = saved_resolved && made_with_resolved;
  const bool data_may_differ = writer == SummaryWriter::kEval;
  const std::string changes = describe_changes(
      both ? *saved_resolved : saved, both ? *made_with_resolved : made_with,
      [data_may_differ](const std::string& path) {
        return !is_incidental_pointer(path) &&
               !(data_may_differ && (path == "/data" || path.rfind("/data/", 0) == 0));
      });
  if (changes.empty()) return other_model_problem(run_dir, summary);
  return std::string("was made with another config than ") + kConfigFile + " (from " + kConfigFile +
         "'s to its own: " + changes +
         "): another run's results, or config.json was edited after the run";
}

}  // namespace aebench
