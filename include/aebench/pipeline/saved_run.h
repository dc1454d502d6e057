#pragma once
// The commands that reopen a finished run: eval (test metrics and pictures again, on the run's
// data or another data set or split) and probe (classifiers on the codes). model_export.h
// builds on the same reload.

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aebench/config/config.h"
#include "aebench/data/dataset.h"
#include "aebench/models/autoencoder.h"
#include "aebench/pipeline/experiment.h"
#include "aebench/pipeline/run_context.h"

namespace aebench {

// What a command may change of the run it reopens. Nothing here changes what the model
// computes: model.*, noise.* and an image shape other than the model's are refused.
struct SavedRunOptions {
  std::string device;                  // "" = the run's
  std::int64_t threads = -1;           // -1 = the run's
  std::vector<std::string> overrides;  // KEY=VALUE, each under the command's one allowed section
};

// A finished run brought back: its config (with the overrides), data and saved model.
struct SavedRun {
  Config config;
  RunContext context;
  Dataset data;
  std::shared_ptr<AutoencoderImpl> model;
  std::vector<std::string> notes;  // for the command's output: a thread count capped
};

// Throws ConfigError (exit 2) unless aebench made RUN_DIR a run folder (io/run_folder.h), and
// OutputError (exit 5) while another process holds its lock. `command` names who asks
// ("eval"). Called before the command takes the lock itself.
void require_run_folder(const std::filesystem::path& run_dir, const std::string& command);

// Throws ConfigError unless RUN_DIR holds a finished run: a run folder whose summary.json
// (written last by train) has test results. May be called with the run's lock held.
void require_finished_run(const std::filesystem::path& run_dir, const std::string& command);

// RUN_DIR's config.json with `options.overrides` applied (each must start with `section`,
// e.g. "data."), its data and its model.pt. A config.json whose model-defining keys differ from
// model.pt's own, or overrides that give images of another shape than the model's, are
// ConfigErrors. An overridden data.dataset without data.dir reads that data set's default
// folder; a relative data.dir given here is looked for from the working folder.
// With ReloadData::kNo the data is not read (SavedRun::data stays empty): export needs none.
enum class ReloadData { kYes, kNo };
SavedRun reload_run(const std::filesystem::path& run_dir, const SavedRunOptions& options,
                    const std::string& section, ReloadData data = ReloadData::kYes);

// Reloads RUN_DIR's model, recomputes the metrics and pictures of `split` (test by default;
// data.* overrides allowed) into RUN_DIR/eval/ and returns the summary written there: the
// metrics under the split's name, and "evaluated" saying on what.
nlohmann::json run_evaluation(const std::filesystem::path& run_dir, const SavedRunOptions& saved,
                              SplitKind split, const RunOptions& options);

// Trains the classifiers of the config's "probe" block (defaults when it is null; overrides
// are "probe.KEY=VALUE" assignments) on RUN_DIR's saved model, writes RUN_DIR/probe/ and adds
// "probe" to RUN_DIR/summary.json. Returns that object.
nlohmann::json run_probe(const std::filesystem::path& run_dir, const SavedRunOptions& saved,
                         const RunOptions& options);

}  // namespace aebench
