#include "aebench/train/schedule.h"

#include <algorithm>
#include <cmath>

namespace aebench {
namespace {

constexpr double kPi = 3.14159265358979323846;
// One-cycle as PyTorch's OneCycleLR defaults: start at lr / 25, peak at lr after 30 % of the
// epochs, end at lr / 25 / 1e4, cosine in both phases.
constexpr double kOneCycleStartDivisor = 25.0;
constexpr double kOneCycleFinalDivisor = 1e4;
constexpr double kOneCycleRise = 0.3;

// From `from` at t = 0 to `to` at t = 1 along half a cosine.
double cosine_between(double from, double to, double t) {
  return to + (from - to) * (1.0 + std::cos(kPi * std::clamp(t, 0.0, 1.0))) / 2.0;
}

double one_cycle(double peak, std::int64_t epoch, std::int64_t epochs) {
  const double start = peak / kOneCycleStartDivisor;
  const double end = start / kOneCycleFinalDivisor;
  if (epochs <= 1) return peak;
  const double position = double(epoch - 1) / double(epochs - 1);  // 0 .. 1
  if (position <= kOneCycleRise) return cosine_between(start, peak, position / kOneCycleRise);
  return cosine_between(peak, end, (position - kOneCycleRise) / (1.0 - kOneCycleRise));
}

}  // namespace

double scheduled_lr(const TrainOptions& options, std::int64_t epoch, const PlateauState& plateau) {
  const ScheduleOptions& schedule = options.schedule;
  const double lr = options.lr;
  if (!schedule.enabled || schedule.type == "constant") return lr;
  if (schedule.type == "onecycle") return one_cycle(lr, epoch, options.epochs);
  const std::int64_t warmup = schedule.warmup_epochs;
  if (epoch <= warmup) return lr * double(epoch) / double(warmup + 1);
  const std::int64_t after_warmup = epoch - warmup - 1;  // 0 at the first scheduled epoch
  if (schedule.type == "step")
    return lr * std::pow(schedule.gamma, double(after_warmup / schedule.step_size));
  if (schedule.type == "cosine") {
    // As PyTorch's CosineAnnealingLR with T_max = the scheduled epochs: the last epoch trains
    // just above min_lr, not at it.
    const std::int64_t span = options.epochs - warmup;
    return cosine_between(lr, schedule.min_lr, double(after_warmup) / double(span));
  }
  return std::max(schedule.min_lr, lr * plateau.scale);  // "plateau"
}

void record_plateau(const ScheduleOptions& schedule, double val_loss, PlateauState& plateau) {
  if (!schedule.enabled || schedule.type != "plateau") return;
  if (!plateau.has_best || val_loss < plateau.best_val_loss) {
    plateau.best_val_loss = val_loss;
    plateau.has_best = true;
    plateau.stale_epochs = 0;
    return;
  }
  if (++plateau.stale_epochs < schedule.patience) return;
  plateau.scale *= schedule.factor;
  plateau.stale_epochs = 0;
}

}  // namespace aebench
