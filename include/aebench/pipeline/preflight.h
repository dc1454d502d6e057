#pragma once
// The checks a training run makes after loading its data and before it writes any file:
// every constraint that involves the data or more than one key, so that a config either
// fails at once (exit 2, naming the keys and values) or runs to the end.

#include <cstdint>
#include <string>
#include <vector>

#include "aebench/config/config.h"
#include "aebench/data/dataset.h"
#include "aebench/pipeline/run_context.h"

namespace aebench {

// Bytes a training run needs, roughly: enough to tell a model that fits from one that cannot.
struct MemoryEstimate {
  std::int64_t parameters = 0;  // the autoencoder's trainable numbers
  std::int64_t model_bytes =
      0;  // weights, gradients, optimizer state, best weights, checkpoint copies
  std::int64_t data_bytes = 0;  // the splits' image tensors (decoded, selected, noisy copies)
  std::int64_t activation_bytes =
      0;  // one training batch's and one evaluation batch's layer outputs
  std::int64_t analysis_bytes =
      0;  // t-SNE's n x n matrices, the largest probe classifier, PCA's fit
  std::int64_t total() const {
    return model_bytes + data_bytes + activation_bytes + analysis_bytes;
  }
};

// For a run of `config` on splits of these sizes (images).
MemoryEstimate estimate_memory(const Config& config, std::int64_t train_images,
                               std::int64_t val_images, std::int64_t test_images);

// Throws ConfigError ("model: needs about 37.2 GiB (...), this machine has 23.4 GiB; ...")
// when `estimate` exceeds `available_bytes`.
void check_memory(const MemoryEstimate& estimate, std::int64_t available_bytes);

// Physical memory of this machine, or the cgroup's limit when that is lower; 0 when unknown.
std::int64_t available_memory_bytes();

// Checks that every later stage of a training run of `config` on `data` can do what the config
// asks: memory (on the CPU), PCA's training images, the embedding's points and code size.
// Throws ConfigError where the config cannot be honoured; returns one note per thing a stage
// will leave out or adapt (e.g. no PCA map for a 1-D code), for the startup output.
std::vector<std::string> preflight(const Config& config, const Dataset& data,
                                   const RunContext& context);

// "threads 1024: capped to 2, ..." when `config` asked for more CPU threads than `context`
// runs with (the cores this process may use), else "". Every command that computes says it.
std::string thread_cap_note(const Config& config, const RunContext& context);
// The same for a count `asked` of which the process `runs_with` fewer.
std::string thread_cap_note(std::int64_t asked, std::int64_t runs_with);

// Where the validation split comes from: "held out from train (10 %)" or "test split".
std::string validation_source(const DataOptions& data);

}  // namespace aebench
