#pragma once
// Model checkpoints (RUN_DIR/model.pt): LibTorch's archive of the model's parameters and
// buffers, plus the format version and the resolved config that made the model.

#include <filesystem>

#include <nlohmann/json.hpp>

#include "aebench/autoencoder.h"

namespace aebench {

// Written atomically (temp file + rename). Throws OutputError when it cannot be written.
void save_checkpoint(const std::filesystem::path& path, AutoencoderImpl& model,
                     const nlohmann::json& resolved_config);

// Loads weights into `model`, which must have been built from the same config. A missing,
// unreadable, corrupt or mismatched file is a DataError naming the path.
void load_checkpoint(const std::filesystem::path& path, AutoencoderImpl& model);

}  // namespace aebench
