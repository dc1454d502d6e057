#pragma once
// A folder a command writes a set of files into at the user's word (--out of export, encode and
// compare), held while it writes. Free of LibTorch.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "aebench/io/run_folder.h"

namespace aebench {

// What an output folder is and how aebench recognises its own: `marker`, a JSON file it writes
// there with "format": `format` (comparison.json, "aebench-comparison").
struct OutputKind {
  std::string marker;
  std::string format;
};

// Whether FOLDER/kind.marker is a regular file holding a JSON object whose "format" is
// kind.format.
bool holds_output_marker(const std::filesystem::path& folder, const OutputKind& kind);

// Makes `dir` if missing and locks it (RunLock) for as long as the object lives, so that two
// commands never mix their files there. A file or link there with one of `names` is replaced
// only when the folder holds an earlier output of the same kind (its marker): otherwise it is
// a user's, and the folder is refused with an OutputError naming it, before anything is
// written. So is a run folder, or a folder inside one (io/run_folder.h). `flag` names where
// the folder came from in messages ("--out").
class OutputFolder {
 public:
  OutputFolder(const std::filesystem::path& dir, const std::vector<std::string>& names,
               const OutputKind& kind, const std::string& flag);
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::optional<RunLock> lock_;
};

}  // namespace aebench
