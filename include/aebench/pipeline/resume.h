#pragma once
// Resuming a run (train --resume): whether the folder holds a run to resume and what may change,
// whether it already finished with this config, and the data and thread count it goes on with,
// so that a resumed run computes what the uninterrupted one would have.

#include <filesystem>
#include <nlohmann/json.hpp>

#include "aebench/config/config.h"
#include "aebench/pipeline/thread_choice.h"

namespace aebench {

struct Dataset;
struct RunOptions;

// Refuses a --resume where nothing was trained (no checkpoint, no config.json): before the run
// lock creates the folder, so a mistyped --out leaves no folder behind.
void require_something_to_resume(const std::filesystem::path& folder);

// Refuses to resume when there is nothing to resume, its run.json is damaged or of another
// format (the history a resume adds to), or the config changes what the run was started with
// (anything the schema does not mark resumable). True when there is a training checkpoint to
// continue from; false when the run stopped before its first one (config.json but no
// checkpoint.pt), and starts over.
bool check_resumable(const std::filesystem::path& folder, const nlohmann::json& resolved);

// Whether FOLDER's summary.json says its run finished (test results, no error) with `config`,
// apart from incidental keys (config_changes.h).
bool finished_with(const std::filesystem::path& folder, const Config& config);

// A finished run resumed with its own config trains nothing: mends what a kill between its
// summary and its report left, says so, and returns its summary.
nlohmann::json already_finished(const std::filesystem::path& folder, const Config& config,
                                const RunOptions& options);

// A resumed run goes on with the data it trained on: the same config can name other files
// (data.dir moved to another data set of the same shape, or files replaced).
void require_same_data(const std::filesystem::path& folder, const Config& config,
                       const Dataset& data);

// The thread count the interrupted session trained on, from its checkpoint: a resumed run
// keeps it, so that it computes what the uninterrupted run would have. The checkpoint holds
// the choice of a measured session; a session given a count holds it in its config; a threads
// 0 session from before the measurement existed used every usable core.
ThreadChoice recorded_thread_choice(const std::filesystem::path& folder);

// A resumed run's summary extras come from its checkpoint; their thread_choice must describe
// this session: the recorded one when it was reused, this session's when the checkpoint had
// none, and none when this session was given a count.
void keep_thread_choice_current(nlohmann::json& checkpoint_extras,
                                const nlohmann::json& session_extras);

}  // namespace aebench
