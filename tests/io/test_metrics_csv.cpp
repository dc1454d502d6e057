#include "aebench/io/metrics_csv.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::ScratchFolder;

TEST_CASE("metrics.csv starts with its header and a resumed run's rows") {
  ScratchFolder folder("metrics");
  {
    aebench::MetricsCsv csv(folder / "metrics.csv", {{1, 0.5, 0.4, 0.4, 3.98, 1.0}});
    csv.append({2, 0.25, 0.2, 0.2, 6.99, 1.5});
  }
  const auto lines = aebench::testing::read_lines(folder / "metrics.csv");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "epoch,train_loss,val_loss,val_mse,val_psnr_db,lr,seconds");
  CHECK(lines[1] == "1,0.5,0.4,0.4,3.98,0,1");
  CHECK(lines[2] == "2,0.25,0.2,0.2,6.99,0,1.5");
}
