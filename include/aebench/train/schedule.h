#pragma once
// The learning rate of each epoch (train.schedule): constant, step decay, cosine annealing with
// an optional linear warm-up, reduce-on-plateau and one-cycle. The rate changes between epochs,
// never within one, so a resumed run (mid-epoch included) trains with the same rates.

#include <cstdint>

#include "aebench/config/config.h"

namespace aebench {

// What the plateau schedule remembers between epochs; saved in checkpoints.
struct PlateauState {
  double scale = 1.0;  // the rate is train.lr x scale (never below schedule.min_lr)
  double best_val_loss = 0.0;
  bool has_best = false;
  std::int64_t stale_epochs = 0;  // epochs since the best validation loss
};

// The learning rate of epoch `epoch` (1-based) of `options.epochs`.
double scheduled_lr(const TrainOptions& options, std::int64_t epoch, const PlateauState& plateau);

// Feeds an epoch's validation loss to the plateau schedule: after `patience` epochs without a
// new best, the scale is multiplied by `factor`. Does nothing for other schedules.
void record_plateau(const ScheduleOptions& schedule, double val_loss, PlateauState& plateau);

}  // namespace aebench
