#pragma once
// Whether a run folder's summary.json holds this run's results: its "config" (what the results
// were made with) must agree with the run's config.json in every key that is not incidental
// (config_changes.h). A summary.json copied in from another run is another config's results,
// and no command shows it, compares it or adds to it as this run's. Free of LibTorch.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace aebench {

// "" unless `document` (a summary.json, eval/summary.json or probe/NAME.json) names the model.pt
// it was made from (model_crc32) and RUN_DIR's is another, missing or damaged, or names it by no
// CRC-32: then the problem in one phrase. Files of older runs name no model, and are accepted.
std::string other_model_problem(const std::filesystem::path& run_dir,
                                const nlohmann::json& document);

// Whether `summary` holds what train writes last: test results (a "test" object with its
// numeric "mse") and no "error". "{}", `"test": {}` or a failed run's summary is no result.
bool holds_test_results(const nlohmann::json& summary);

// Which command wrote the summary: train (RUN_DIR/summary.json), or eval (RUN_DIR/eval/), whose
// `--set data.*` may score other data, so its data keys may differ from the run's.
enum class SummaryWriter { kTrain, kEval };

// "" when `summary` (RUN_DIR's parsed summary.json) belongs to the config.json beside it, or
// when there is nothing to compare (a missing or damaged file is reported where it is read).
// A summary without its config is not one train wrote; one that names the model.pt it scored
// (model_crc32) must sit beside that model.pt. Else the problem in one phrase: "was made
// with another config than config.json (from config.json's to its own: seed (0 -> 9)): another
// run's results, or config.json was edited after the run".
std::string foreign_summary_problem(const std::filesystem::path& run_dir,
                                    const nlohmann::json& summary,
                                    SummaryWriter writer = SummaryWriter::kTrain);

}  // namespace aebench
