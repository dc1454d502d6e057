#pragma once
// run.json: aebench's mark on a run folder (io/run_folder.h) and the record of how the run was
// made. Each `aebench train` session (a --resume starts another) adds one entry to "sessions":
//   {"command": "aebench train ...", "overrides": ["train.lr=0.01"], "host": "...",
//    "aebench": "0.1.0", "libtorch": "2.6.0", "started": UTC, "finished": UTC or null}
// Free of LibTorch.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aebench {

struct TrainSession {
  std::string command;                 // the command line as it would be typed again
  std::vector<std::string> overrides;  // the --set KEY=VALUE assignments, in order
  std::string libtorch;                // LibTorch's version (the caller's: this file has none)
};

// The run.json a session starts with: `folder`'s own with this session added when `continuing`
// and it holds a readable one, else a new record.
nlohmann::ordered_json start_run_record(const std::filesystem::path& folder, bool continuing,
                                        const TrainSession& session);

// Marks the last session finished now.
void finish_run_record(nlohmann::ordered_json& record);

// summary.json's "provenance": the last session, as run.json has it.
nlohmann::ordered_json session_provenance(const nlohmann::ordered_json& record);

}  // namespace aebench
