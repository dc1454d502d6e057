#pragma once
// metrics.csv, one row per epoch, on disk as each epoch ends. Free of LibTorch.

#include <filesystem>
#include <fstream>
#include <vector>

#include "aebench/io/epoch_record.h"

namespace aebench {

// Appends one line per epoch to metrics.csv and flushes it, so every finished epoch is on
// disk even if the run is killed. Columns: epoch,train_loss,val_loss,val_mse,val_psnr_db,lr,
// (for a variational model, `elbo_columns`: val_reconstruction,val_kl,) seconds.
class MetricsCsv {
 public:
  // Creates the file with its header and the rows of `history` (a resumed run's epochs).
  MetricsCsv(const std::filesystem::path& path, const std::vector<EpochRecord>& history,
             bool elbo_columns = false);
  void append(const EpochRecord& record);

 private:
  std::filesystem::path path_;
  bool elbo_columns_ = false;
  std::ofstream stream_;
};

}  // namespace aebench
