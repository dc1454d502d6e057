#pragma once
// Taking a model away from aebench:
//   export: RUN_DIR's model as files PyTorch reads without aebench (state_dict.pt, loaded by
//           torch.load as a dict of tensors; architecture.json, the layers that use them,
//           models/architecture.h; aebench_model.py, which builds the model from the two)
//   encode: the codes of a data split (and its labels, optionally its images) as NumPy .npy

#include <filesystem>
#include <string>
#include <vector>

#include "aebench/data/dataset.h"
#include "aebench/io/run_folder.h"
#include "aebench/pipeline/saved_run.h"

namespace aebench {

struct WrittenFiles {
  std::filesystem::path folder;
  std::vector<std::string> files;  // names inside `folder`, in the order written
  std::vector<std::string> notes;  // for the command's output: a thread count capped
};

// Writes the export of RUN_DIR's finished model into `out_dir` (empty: RUN_DIR/export). Needs
// no data. A folder that holds a file of an export's name, but no earlier export (its
// architecture.json), is refused with an OutputError before anything is written.
WrittenFiles run_export(const std::filesystem::path& run_dir, const std::filesystem::path& out_dir,
                        const SavedRunOptions& saved);

struct EncodeRequest {
  SavedRunOptions saved;  // overrides: data.KEY=VALUE (another data set, limits, classes)
  SplitKind split = SplitKind::kTest;
  bool images = false;            // also SPLIT_images.npy, the uint8 images that were encoded
  std::filesystem::path out_dir;  // empty: RUN_DIR/codes
};

// Encodes the clean images of one split of RUN_DIR's data (with the overrides) in evaluation
// mode and writes SPLIT_codes.npy ([n, code_shape...], float32; PCA float64),
// SPLIT_labels.npy ([n] int64) and, when asked, SPLIT_images.npy ([n, C, H, W] uint8), and
// adds the split to codes.json. The same refusal as run_export's guards a folder of the user's.
WrittenFiles run_encode(const std::filesystem::path& run_dir, const EncodeRequest& request);

}  // namespace aebench
