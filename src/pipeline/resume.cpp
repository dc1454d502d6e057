#include "aebench/pipeline/resume.h"

#include "aebench/config/config_changes.h"
#include "aebench/config/schema.h"
#include "aebench/config/summary_config.h"
#include "aebench/data/dataset.h"
#include "aebench/errors.h"
#include "aebench/io/cpu_cores.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_artefacts.h"
#include "aebench/io/run_folder.h"
#include "aebench/pipeline/experiment.h"
#include "aebench/pipeline/run_stages.h"
#include "aebench/train/checkpoint.h"

namespace aebench {

namespace fs = std::filesystem;

void require_something_to_resume(const fs::path& folder) {
  std::error_code error;
  if (fs::exists(folder / kCheckpointFile, error) || fs::exists(folder / kConfigFile, error))
    return;
  if (is_run_folder(folder))  // its run.json alone: stopped before config.json was written
    throw ConfigError("--resume: expected a checkpoint in " + folder.string() +
                      ", found only its " + kRunMarkerFile +
                      " (a train stopped before it wrote anything else); run the same command " +
                      "with --overwrite instead of --resume to start the run again");
  throw ConfigError("--resume: expected a checkpoint in " + folder.string() +
                    ", found none: nothing was trained there yet; run the same command without "
                    "--resume to start the run");
}

bool check_resumable(const fs::path& folder, const nlohmann::json& resolved) {
  const fs::path checkpoint = folder / kCheckpointFile;
  require_something_to_resume(folder);
  const bool has_checkpoint = fs::exists(checkpoint);
  if (!is_run_folder(folder))
    throw ConfigError("--resume: expected a run folder aebench train made in " + folder.string() +
                      " (with its run.json), found files of another kind; use --out DIR");
  // run.json is the run's history: a resume adds to it, and never replaces one it cannot read.
  if (const std::string problem = run_marker_problem(folder); !problem.empty())
    throw DataError("--resume: " + (folder / kRunMarkerFile).string() +
                    ": expected aebench's run record (format_version " +
                    std::to_string(kRunFormatVersion) + ", with its sessions), found " + problem +
                    "; it is the run's history: restore it, or move it away to start a new one");
  const nlohmann::json saved =
      has_checkpoint ? read_checkpoint_config(checkpoint) : read_json_file(folder / kConfigFile);
  // Fewer epochs than the run was set to would leave config.json saying fewer than it trained.
  const nlohmann::json saved_epochs = saved.contains("train") && saved["train"].is_object()
                                          ? saved["train"].value("epochs", nlohmann::json())
                                          : nlohmann::json();
  const nlohmann::json& epochs = resolved.at("train").at("epochs");
  if (has_checkpoint && saved_epochs.is_number_integer() &&
      epochs.get<std::int64_t>() < saved_epochs.get<std::int64_t>())
    throw ConfigError("--resume: train.epochs may be raised (the run was set to " +
                      saved_epochs.dump() + "), not lowered, found " + epochs.dump() +
                      "; to train fewer epochs, train a new run");
  const std::string changes = describe_changes(
      saved, resolved, [](const std::string& path) { return !resumable_key(path); });
  std::string allowed;
  for (const auto& key : resumable_keys()) allowed += (allowed.empty() ? "" : ", ") + key;
  if (!changes.empty())
    throw ConfigError("--resume: the config differs from the checkpoint's in " + changes +
                      "; only " + allowed + " may change when resuming");
  return has_checkpoint;
}

bool finished_with(const fs::path& folder, const Config& config) {
  const RegularFileText file = read_regular_file(folder / kSummaryFile);
  if (!file.ok()) return false;
  const nlohmann::json summary = nlohmann::json::parse(file.bytes, nullptr, false);
  // Another run's summary (another model.pt's) is not this run finished.
  if (!holds_test_results(summary) || !summary.contains("config") ||
      !summary["config"].is_object() || !foreign_summary_problem(folder, summary).empty())
    return false;
  return describe_changes(summary["config"], config_to_json(config),
                          [](const std::string& path) { return !is_incidental_pointer(path); })
      .empty();
}

void require_same_data(const fs::path& folder, const Config& config, const Dataset& data) {
  const CheckpointHeader header = read_checkpoint_header(folder / kCheckpointFile);
  const nlohmann::json& extras = header.summary_extras;
  if (!extras.is_object() || !extras.contains("data_fingerprint")) return;  // an older run
  const nlohmann::json trained_on = extras.at("data_fingerprint");
  if (trained_on == data.fingerprint) return;
  throw DataError("--resume: the data under data.dir " + config.data.dir + " (" +
                  config.data.dataset + ") differ from the data the run in " + folder.string() +
                  " trained on: expected fingerprint " + trained_on.dump() + ", found \"" +
                  data.fingerprint +
                  "\"; point data.dir at the files it trained on, or train a new run");
}

nlohmann::json already_finished(const fs::path& folder, const Config& config,
                                const RunOptions& options) {
  // A run killed between its summary and its report left a temporary and no report.
  remove_leftovers(folder);
  if (!fs::exists(folder / kReportFile)) write_report(folder);
  if (options.log && !options.quiet)
    *options.log << config.name << ": the run in " << folder.string()
                 << " finished with this config; nothing to resume, its results stay (raise "
                    "train.epochs to train further, or --overwrite to train it again)\n";
  return read_json_file(folder / kSummaryFile);
}

void keep_thread_choice_current(nlohmann::json& checkpoint_extras,
                                const nlohmann::json& session_extras) {
  const bool measured_session = session_extras.contains("thread_choice");
  if (!measured_session) {
    if (checkpoint_extras.is_object()) checkpoint_extras.erase("thread_choice");
  } else if (!checkpoint_extras.is_object() || !checkpoint_extras.contains("thread_choice")) {
    checkpoint_extras["thread_choice"] = session_extras.at("thread_choice");
  }
}

ThreadChoice recorded_thread_choice(const fs::path& folder) {
  const fs::path checkpoint = folder / kCheckpointFile;
  const CheckpointHeader header = read_checkpoint_header(checkpoint);
  const nlohmann::json& extras = header.summary_extras;
  if (extras.is_object() && extras.contains("thread_choice"))
    return reuse_thread_choice(extras.at("thread_choice"), checkpoint.string());
  const nlohmann::json saved = header.config.value("threads", nlohmann::json(0));
  const bool given = saved.is_number_integer() && saved.get<std::int64_t>() > 0;
  ThreadChoice choice = reuse_thread_choice(
      {{"threads", given ? saved.get<std::int64_t>() : usable_cpu_cores()}}, checkpoint.string());
  choice.reason = "as the interrupted session ran";
  return choice;
}

}  // namespace aebench
