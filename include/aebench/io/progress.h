#pragma once
// What a run prints while it trains. On a terminal: a progress bar per epoch with ETA and
// running loss, then one summary line per epoch. Elsewhere (CI, scripts, pipes): one plain
// line per epoch. Quiet: nothing (errors are printed by main). Free of LibTorch.

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "aebench/io/append_log.h"
#include "aebench/io/epoch_record.h"

namespace aebench {

enum class ProgressStyle {
  kQuiet,  // nothing
  kLines,  // one line per epoch
  kBar,    // a live bar on a terminal, then one line per epoch
};

// kBar when `stream_is_terminal`, kLines otherwise, kQuiet when `quiet`.
ProgressStyle choose_progress_style(bool quiet, bool stream_is_terminal);

class ProgressReporter {
 public:
  ProgressReporter(std::ostream& out, ProgressStyle style) : out_(out), style_(style) {}

  // Also writes every note and epoch line, whatever the style, to `log` (train.log); null = none.
  void keep_log(AppendLog* log) { log_ = log; }

  // Starts every printed line (not the live bar) with its UTC time, as a log file wants.
  void timestamp_lines(bool on) { timestamps_ = on; }

  void note(const std::string& line);  // a line of context (not printed when quiet)
  void begin_epoch(std::int64_t epoch, std::int64_t total_epochs, std::int64_t total_batches);
  void batch_done(std::int64_t batches_done, double running_loss);
  void end_epoch(const EpochRecord& record, bool improved);

 private:
  std::string stamp() const;  // "UTC " when timestamping, else ""

  std::ostream& out_;
  ProgressStyle style_;
  AppendLog* log_ = nullptr;
  bool timestamps_ = false;
  std::int64_t epoch_ = 0;
  std::int64_t total_epochs_ = 0;
  std::int64_t total_batches_ = 0;
  std::chrono::steady_clock::time_point epoch_start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "1:05" style duration for ETAs.
std::string format_duration(double seconds);

}  // namespace aebench
