#include "aebench/io/progress.h"

#include <cmath>
#include <cstdio>

#include "aebench/io/stopwatch.h"

namespace aebench {
namespace {

constexpr int kBarWidth = 30;
// Redraw at most this often: a bar redrawn every batch would cost more than small batches.
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string epoch_label(std::int64_t epoch, std::int64_t total) {
  return "epoch " + std::to_string(epoch) + "/" + std::to_string(total);
}

}  // namespace

ProgressStyle choose_progress_style(bool quiet, bool stream_is_terminal) {
  if (quiet) return ProgressStyle::kQuiet;
  return stream_is_terminal ? ProgressStyle::kBar : ProgressStyle::kLines;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                  total % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  return text;
}

void ProgressReporter::note(const std::string& line) {
  if (log_) log_->line(line);
  if (style_ != ProgressStyle::kQuiet) out_ << stamp() << line << '\n' << std::flush;
}

std::string ProgressReporter::stamp() const {
  return timestamps_ ? utc_timestamp() + " " : std::string();
}

void ProgressReporter::begin_epoch(std::int64_t epoch, std::int64_t total_epochs,
                                   std::int64_t total_batches) {
  epoch_ = epoch;
  total_epochs_ = total_epochs;
  total_batches_ = total_batches;
  epoch_start_ = std::chrono::steady_clock::now();
  last_draw_ = epoch_start_ - kRedrawInterval;
}

void ProgressReporter::batch_done(std::int64_t batches_done, double running_loss) {
  if (style_ != ProgressStyle::kBar) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval && batches_done < total_batches_) return;
  last_draw_ = now;
  const double fraction = total_batches_ > 0 ? double(batches_done) / double(total_batches_) : 1.0;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : NAN;
  const int filled = static_cast<int>(fraction * kBarWidth);
  char line[160];
  std::snprintf(line, sizeof line, "\r%s [%s%s] %3d%% loss %.5f ETA %s ",
                epoch_label(epoch_, total_epochs_).c_str(), std::string(filled, '#').c_str(),
                std::string(kBarWidth - filled, '.').c_str(), static_cast<int>(fraction * 100),
                running_loss, format_duration(eta).c_str());
  out_ << line << std::flush;
}

void ProgressReporter::end_epoch(const EpochRecord& record, bool improved) {
  // "*": the best validation loss so far (the epoch early stopping would keep).
  char line[200];
  std::snprintf(line, sizeof line, "%s  train_loss %.6f  val_loss %.6f  val_psnr %.2f dB  %.1fs%s",
                epoch_label(record.epoch, total_epochs_).c_str(), record.train_loss,
                record.val_loss, record.val_psnr_db, record.seconds, improved ? "  *" : "");
  if (log_) log_->line(line);
  if (style_ == ProgressStyle::kQuiet) return;
  if (style_ == ProgressStyle::kBar) out_ << "\r\033[K";  // clear the bar's line
  out_ << stamp() << line << '\n' << std::flush;
}

}  // namespace aebench
