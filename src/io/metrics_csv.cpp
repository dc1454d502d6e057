#include "aebench/io/metrics_csv.h"

#include <cerrno>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"

namespace aebench {

namespace fs = std::filesystem;

namespace {

std::string csv_row(const EpochRecord& record, bool elbo_columns) {
  std::ostringstream line;
  line << record.epoch << ',' << std::setprecision(9) << record.train_loss << ',' << record.val_loss
       << ',' << record.val_mse << ',' << record.val_psnr_db << ',' << record.lr << ',';
  if (elbo_columns) line << record.val_reconstruction << ',' << record.val_kl << ',';
  line << std::setprecision(4) << record.seconds << '\n';
  return line.str();
}

}  // namespace

MetricsCsv::MetricsCsv(const fs::path& path, const std::vector<EpochRecord>& history,
                       bool elbo_columns)
    : path_(path), elbo_columns_(elbo_columns) {
  std::string contents = "epoch,train_loss,val_loss,val_mse,val_psnr_db,lr,";
  contents += elbo_columns ? "val_reconstruction,val_kl,seconds\n" : "seconds\n";
  for (const auto& record : history) contents += csv_row(record, elbo_columns);
  write_file_atomically(path_, contents);
  stream_.open(path_, std::ios::app);
  if (!stream_) throw OutputError("cannot open " + path_.string() + ": " + std::strerror(errno));
}

void MetricsCsv::append(const EpochRecord& record) {
  stream_ << csv_row(record, elbo_columns_) << std::flush;
  if (!stream_) throw OutputError("cannot append to " + path_.string() + ": write failed");
}

}  // namespace aebench
