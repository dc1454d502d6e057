#include <catch2/catch.hpp>

#include <map>

#include "aebench/data/dataset.h"
#include "aebench/errors.h"
#include "support/test_support.h"

using aebench::testing::ScratchFolder;

namespace {

std::map<std::int64_t, int> class_counts(const torch::Tensor& labels) {
  std::map<std::int64_t, int> counts;
  for (std::int64_t i = 0; i < labels.size(0); ++i) ++counts[labels[i].item<std::int64_t>()];
  return counts;
}

aebench::DataOptions synthetic_options(const ScratchFolder& folder) {
  aebench::DataOptions options;
  options.dir = folder.path().string();
  return options;
}

}  // namespace

TEST_CASE("a stratified subset keeps class proportions, is sorted and seeded") {
  std::vector<std::int64_t> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back(i % 10 < 7 ? 0 : 1);  // 70 % / 30 %
  const auto subset = aebench::stratified_subset(labels, 100, 5);
  REQUIRE(subset.size() == 100);
  int zeros = 0;
  for (const auto index : subset) zeros += labels[index] == 0;
  CHECK(zeros == 70);
  CHECK(std::is_sorted(subset.begin(), subset.end()));
  CHECK(aebench::stratified_subset(labels, 100, 5) == subset);
  CHECK(aebench::stratified_subset(labels, 100, 6) != subset);
}

TEST_CASE("a stratified subset gives every class at least one item") {
  std::vector<std::int64_t> labels(995, 0);
  for (int i = 0; i < 5; ++i) labels.push_back(1);  // a rare class
  const auto subset = aebench::stratified_subset(labels, 10, 1);
  REQUIRE(subset.size() == 10);
  CHECK(std::count_if(subset.begin(), subset.end(), [&](auto i) { return labels[i] == 1; }) == 1);
}

TEST_CASE("a dataset decodes into one float tensor per split with values in [0, 1]") {
  ScratchFolder folder("dataset");
  aebench::testing::write_synthetic_dataset(folder.path(), 200, 50);
  auto options = synthetic_options(folder);
  options.val_fraction = 0.0;  // "val": "test"
  const auto data = aebench::load_dataset(options, 0);
  CHECK(data.train.images.sizes().vec() == std::vector<std::int64_t>{200, 1, 28, 28});
  CHECK(data.train.images.dtype() == torch::kFloat32);
  CHECK(data.train.images.max().item<float>() == 1.0f);
  CHECK(data.train.images.min().item<float>() == 0.0f);
  CHECK(data.test.size() == 50);
  CHECK(data.val.size() == 50);  // "val": "test"
  CHECK(data.test.labels[0].item<std::int64_t>() == 0);  // test order is kept
  CHECK(data.test.labels[7].item<std::int64_t>() == 7);
}

TEST_CASE("classes, limits and a validation fraction give stratified splits") {
  ScratchFolder folder("dataset");
  aebench::testing::write_synthetic_dataset(folder.path(), 500, 200);
  auto options = synthetic_options(folder);
  options.classes = {0, 1, 2, 4, 7};
  options.train_limit = 200;
  options.test_limit = 50;
  options.val_fraction = 0.25;
  const auto data = aebench::load_dataset(options, 1);
  CHECK(data.train.size() == 150);
  CHECK(data.val.size() == 50);
  CHECK(data.test.size() == 50);
  for (const auto* split : {&data.train, &data.val, &data.test}) {
    const auto counts = class_counts(split->labels);
    CHECK(counts.size() == 5);
    for (const auto& [label, count] : counts) {
      CHECK(std::find(options.classes.begin(), options.classes.end(), label) != options.classes.end());
      CHECK(count == split->size() / 5);
    }
  }
}

TEST_CASE("a limit below the number of classes is a ConfigError") {
  ScratchFolder folder("dataset");
  aebench::testing::write_synthetic_dataset(folder.path(), 100, 20);
  auto options = synthetic_options(folder);
  options.train_limit = 5;
  CHECK_THROWS_AS(aebench::load_dataset(options, 0), aebench::ConfigError);
}

TEST_CASE("a missing data folder is a DataError with a hint to run setup") {
  aebench::DataOptions options;
  options.dir = "/nonexistent/aebench-data";
  CHECK_THROWS_WITH(aebench::load_dataset(options, 0),
                    Catch::Contains("/nonexistent/aebench-data") &&
                        Catch::Contains("scripts/setup.sh"));
}

TEST_CASE("images and labels of different counts are a DataError naming both files") {
  ScratchFolder folder("dataset");
  aebench::testing::write_synthetic_dataset(folder.path(), 100, 20);
  aebench::testing::write_bytes(folder / "t10k-labels-idx1-ubyte",
                                aebench::testing::idx_labels_bytes(std::vector<std::uint8_t>(19, 1)));
  CHECK_THROWS_WITH(aebench::load_dataset(synthetic_options(folder), 0),
                    Catch::Contains("t10k-images") && Catch::Contains("t10k-labels"));
}
