#include <vector>

#include "aebench/plot/figures.h"
#include "aebench/plot/plot.h"
#include "support/catch.h"

using aebench::Canvas;
using aebench::EpochRecord;

namespace {

// Pixels of the learning-rate series' colour in rows [y0, y1).
int rate_pixels(const Canvas& canvas, int y0, int y1) {
  const aebench::Rgb green = aebench::kSeriesColors[2];
  int count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = 0; x < canvas.width(); ++x) {
      const auto pixel = canvas.at(x, y);
      count += pixel.r == green.r && pixel.g == green.g && pixel.b == green.b;
    }
  return count;
}

std::vector<EpochRecord> history(const std::vector<double>& rates) {
  std::vector<EpochRecord> records;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    EpochRecord record;
    record.epoch = std::int64_t(i) + 1;
    record.train_loss = 0.05 / double(i + 1);
    record.val_loss = 0.06 / double(i + 1);
    record.lr = rates[i];
    records.push_back(record);
  }
  return records;
}

}  // namespace

TEST_CASE("the loss curve shows a scheduled learning rate in a strip below, a constant one not") {
  const Canvas constant = aebench::draw_loss_curve(history({1e-3, 1e-3, 1e-3}), "t", "mse");
  const Canvas scheduled =
      aebench::draw_loss_curve(history({1e-3, 8e-4, 5e-4, 2e-4, 0.0}), "t", "mse");
  CHECK(constant.height() == 500);
  CHECK(rate_pixels(constant, 0, constant.height()) == 0);
  REQUIRE(scheduled.height() > constant.height());
  CHECK(scheduled.width() == constant.width());
  CHECK(rate_pixels(scheduled, 0, constant.height()) == 0);  // the losses' panel is unchanged
  CHECK(rate_pixels(scheduled, constant.height(), scheduled.height()) > 50);  // the rate's line
}
