#pragma once
// Where `aebench train` puts a run whose folder the user did not name (no --out, output.dir at
// its default runs/<name>): never into a folder that holds a run of another config.

#include <filesystem>
#include <string>
#include <vector>

#include "aebench/config/config.h"

namespace aebench {

struct RunFolderChoice {
  std::filesystem::path folder;
  std::string note;  // why not the default folder, for the log; "" when it is the default
};

// The candidates are runs/<name>, then runs/<name>-<suffix>, runs/<name>-<suffix>-2, ... up to
// -99, where <suffix> names the `set_overrides` of keys a resume may not change, as a sweep
// names its points ("lr-0.01", "latent-8_lr-0.01"), or runs/<name>-2, -3, ... when there are
// none. The first candidate that is free (missing or empty) or holds a run of this config (its
// config.json differs only in keys a resume may change) is chosen; with `resume`, the first that
// holds a run of this config (or the default, whose --resume then reports what differs). A folder
// of the user's (no run mark) is never chosen.
RunFolderChoice choose_run_folder(const Config& config,
                                  const std::vector<std::string>& set_overrides, bool resume);

// "lr-0.01_latent-8": the last part of each KEY=VALUE's key, '-', the value, with every
// character but letters, digits, '.', '+' and '-' as '_'; at most 80 characters.
std::string overrides_suffix(const std::vector<std::string>& set_overrides);

}  // namespace aebench
