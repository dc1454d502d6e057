#include "aebench/train/schedule.h"
#include "support/catch.h"

using aebench::PlateauState;
using aebench::scheduled_lr;
using aebench::TrainOptions;

namespace {

TrainOptions with_schedule(const std::string& type, std::int64_t epochs = 10) {
  TrainOptions options;
  options.lr = 0.1;
  options.epochs = epochs;
  options.schedule.enabled = true;
  options.schedule.type = type;
  return options;
}

}  // namespace

TEST_CASE("no schedule and the constant schedule keep train.lr") {
  TrainOptions options;
  options.lr = 0.01;
  CHECK(scheduled_lr(options, 1, {}) == 0.01);
  CHECK(scheduled_lr(with_schedule("constant"), 7, {}) == 0.1);
}

TEST_CASE("the step schedule multiplies by gamma every step_size epochs after the warm-up") {
  auto options = with_schedule("step");
  options.schedule.step_size = 3;
  options.schedule.gamma = 0.5;
  CHECK(scheduled_lr(options, 1, {}) == Approx(0.1));
  CHECK(scheduled_lr(options, 3, {}) == Approx(0.1));
  CHECK(scheduled_lr(options, 4, {}) == Approx(0.05));
  CHECK(scheduled_lr(options, 7, {}) == Approx(0.025));
  options.schedule.warmup_epochs = 2;
  CHECK(scheduled_lr(options, 1, {}) == Approx(0.1 / 3));
  CHECK(scheduled_lr(options, 2, {}) == Approx(0.2 / 3));
  CHECK(scheduled_lr(options, 3, {}) == Approx(0.1));
  CHECK(scheduled_lr(options, 6, {}) == Approx(0.05));
}

TEST_CASE("the cosine schedule falls from train.lr towards min_lr over the scheduled epochs") {
  auto options = with_schedule("cosine", 4);
  options.schedule.min_lr = 0.0;
  CHECK(scheduled_lr(options, 1, {}) == Approx(0.1));
  CHECK(scheduled_lr(options, 3, {}) == Approx(0.05));  // halfway
  const double last = scheduled_lr(options, 4, {});
  CHECK(last > 0.0);
  CHECK(last < scheduled_lr(options, 3, {}));
  options.schedule.min_lr = 0.02;
  CHECK(scheduled_lr(options, 3, {}) == Approx(0.06));
}

TEST_CASE("the one-cycle schedule rises to train.lr and ends far below its start") {
  const auto options = with_schedule("onecycle", 11);
  const double start = scheduled_lr(options, 1, {});
  CHECK(start == Approx(0.1 / 25));
  CHECK(scheduled_lr(options, 4, {}) == Approx(0.1));  // 30 % of the way through
  CHECK(scheduled_lr(options, 11, {}) == Approx(0.1 / 25 / 1e4));
  for (std::int64_t epoch = 1; epoch < 4; ++epoch)
    CHECK(scheduled_lr(options, epoch, {}) < scheduled_lr(options, epoch + 1, {}));
  for (std::int64_t epoch = 4; epoch < 11; ++epoch)
    CHECK(scheduled_lr(options, epoch, {}) > scheduled_lr(options, epoch + 1, {}));
}

TEST_CASE("the plateau schedule cuts the rate after patience epochs without a new best") {
  auto options = with_schedule("plateau");
  options.schedule.patience = 2;
  options.schedule.factor = 0.5;
  options.schedule.min_lr = 0.03;
  PlateauState plateau;
  for (const double loss : {1.0, 0.9, 0.95, 0.91}) record_plateau(options.schedule, loss, plateau);
  CHECK(plateau.best_val_loss == 0.9);
  CHECK(scheduled_lr(options, 5, plateau) == Approx(0.05));
  record_plateau(options.schedule, 0.8, plateau);  // a new best resets the count
  CHECK(plateau.stale_epochs == 0);
  for (const double loss : {0.85, 0.85}) record_plateau(options.schedule, loss, plateau);
  CHECK(scheduled_lr(options, 9, plateau) == Approx(0.03));  // 0.025 floored at min_lr
}

TEST_CASE("record_plateau leaves other schedules alone") {
  auto options = with_schedule("cosine");
  PlateauState plateau;
  record_plateau(options.schedule, 1.0, plateau);
  CHECK_FALSE(plateau.has_best);
}
