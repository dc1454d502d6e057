#include <array>
#include <map>

#include "aebench/data/dataset.h"
#include "aebench/errors.h"
#include "support/catch.h"
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

TEST_CASE("a dataset decodes into one byte tensor per split that unit_floats scales to [0, 1]") {
  ScratchFolder folder("dataset");
  aebench::testing::write_synthetic_dataset(folder.path(), 200, 50);
  auto options = synthetic_options(folder);
  options.val_fraction = 0.0;  // "val": "test"
  const auto data = aebench::load_dataset(options, 0);
  CHECK(data.train.images.sizes().vec() == std::vector<std::int64_t>{200, 1, 28, 28});
  CHECK(data.train.images.dtype() == torch::kUInt8);
  CHECK(data.train.images.max().item<int>() == 255);
  CHECK(data.train.images.min().item<int>() == 0);
  const auto floats = aebench::unit_floats(data.train.images);
  CHECK(floats.dtype() == torch::kFloat32);
  CHECK(floats.max().item<float>() == 1.0f);
  CHECK(floats.min().item<float>() == 0.0f);
  CHECK(floats.equal(data.train.images.to(torch::kFloat32) / 255.0f));
  CHECK(aebench::unit_floats(floats).equal(floats));  // floats pass through
  CHECK(data.test.size() == 50);
  CHECK(data.val.size() == 50);                          // "val": "test"
  CHECK(data.test.labels[0].item<std::int64_t>() == 0);  // test order is kept
  CHECK(data.test.labels[7].item<std::int64_t>() == 7);
}

TEST_CASE(
    "data.binarize turns every split's pixels into 0 and 255 (0 and 1 scaled) at its threshold") {
  ScratchFolder folder("dataset-binary");
  aebench::testing::write_synthetic_dataset(folder.path(), 200, 50);
  auto options = synthetic_options(folder);
  const auto grey = aebench::load_dataset(options, 0);
  options.binarize = 0.5;
  const auto binary = aebench::load_dataset(options, 0);
  for (const auto* split : {&binary.train, &binary.val, &binary.test}) {
    const auto& images = split->images;
    CHECK(images.dtype() == torch::kUInt8);
    CHECK((images.eq(0) | images.eq(255)).all().item<bool>());
  }
  const auto grey_floats = aebench::unit_floats(grey.train.images);
  CHECK(aebench::unit_floats(binary.train.images).equal(grey_floats.gt(0.5).to(torch::kFloat32)));
  CHECK(binary.train.labels.equal(grey.train.labels));
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
      CHECK(std::find(options.classes.begin(), options.classes.end(), label) !=
            options.classes.end());
      CHECK(count == split->size() / 5);
    }
  }
}

TEST_CASE("a stratified subset stays within each class's bounds or refuses, and never hangs") {
  std::vector<std::int64_t> labels;
  for (int i = 0; i < 100; ++i) labels.push_back(i % 10);  // ten classes of ten
  struct Case {
    std::int64_t count, keep_per_class;
    bool possible;
  };
  const std::vector<Case> cases = {
      {10, 0, true}, {100, 0, true}, {5, 0, false},  {9, 0, false}, {101, 0, false},
      {10, 1, true}, {90, 1, true},  {91, 1, false}, {5, 1, false}, {0, 10, true},
  };
  for (const auto& test : cases) {
    INFO("count " << test.count << ", keep per class " << test.keep_per_class);
    if (!test.possible) {
      CHECK_THROWS_AS(aebench::stratified_subset(labels, test.count, 1, test.keep_per_class),
                      std::invalid_argument);
      continue;
    }
    const auto subset = aebench::stratified_subset(labels, test.count, 1, test.keep_per_class);
    CHECK(std::int64_t(subset.size()) == test.count);
    std::map<std::int64_t, std::int64_t> per_class;
    for (const auto index : subset) ++per_class[labels[index]];
    for (const auto& [label, count] : per_class) CHECK(count <= 10 - test.keep_per_class);
    if (test.count >= 10) CHECK(per_class.size() == 10);
  }
}

TEST_CASE(
    "limits and validation fractions are met with every class on both sides, or refused saying "
    "what would do") {
  ScratchFolder folder("dataset");
  aebench::testing::write_synthetic_dataset(folder.path(), 500, 50);  // 50 per class
  struct Case {
    std::vector<int> classes;
    std::int64_t train_limit;
    double val;
    std::int64_t train, held_out;        // expected sizes when it is possible
    std::vector<std::string> fragments;  // expected in the ConfigError when it is not
  };
  const std::vector<Case> cases = {
      // the case that used to spin forever in the split
      {{},
       100,
       0.05,
       0,
       0,
       {"data.val: 0.05 of 100 training images is 5, fewer than the 10 classes need (one each)",
        "use data.val >= 0.1 or data.train_limit >= 200"}},
      {{}, 0, 0.01, 495, 5, {"is 5, fewer than the 10 classes", "data.val >= 0.02"}},
      {{}, 100, 0.1, 90, 10, {}},
      {{}, 100, 0.9, 10, 90, {}},
      {{},
       100,
       0.95,
       0,
       0,
       {"leaves 5 for training, fewer than the 10 classes need", "data.val <= 0.9"}},
      {{}, 10, 0.5, 0, 0, {"has only 1 of class", "at least 2 images of each class"}},
      {{}, 5, 0.2, 0, 0, {"data.train_limit: 5 is fewer than the 10 classes need", ">= 10"}},
      {{3}, 2, 0.5, 1, 1, {}},
      {{3}, 2, 0.1, 0, 0, {"is 0, fewer than the 1 classes need", "data.val >= 0.5"}},
      {{0, 1, 2, 4, 7}, 200, 0.25, 150, 50, {}},
  };
  for (const auto& test : cases) {
    INFO("classes " << test.classes.size() << ", train_limit " << test.train_limit << ", val "
                    << test.val);
    auto options = synthetic_options(folder);
    options.classes = test.classes;
    options.train_limit = test.train_limit;
    options.val_fraction = test.val;
    if (!test.fragments.empty()) {
      try {
        aebench::load_dataset(options, 0);
        FAIL("expected a ConfigError");
      } catch (const aebench::ConfigError& error) {
        for (const auto& fragment : test.fragments)
          CHECK_THAT(error.what(), Catch::Contains(fragment));
      }
      continue;
    }
    const auto data = aebench::load_dataset(options, 0);
    CHECK(data.train.size() == test.train);
    CHECK(data.val.size() == test.held_out);
    const auto classes = test.classes.empty() ? std::size_t(10) : test.classes.size();
    CHECK(class_counts(data.train.labels).size() == classes);
    CHECK(class_counts(data.val.labels).size() == classes);
  }
}

TEST_CASE("a missing data folder is a DataError with a hint to run setup") {
  aebench::DataOptions options;
  options.dir = "/nonexistent/aebench-data";
  CHECK_THROWS_WITH(
      aebench::load_dataset(options, 0),
      Catch::Contains("/nonexistent/aebench-data") && Catch::Contains("scripts/setup.sh"));
}

TEST_CASE("images and labels of different counts are a DataError naming both files") {
  ScratchFolder folder("dataset");
  aebench::testing::write_synthetic_dataset(folder.path(), 100, 20);
  aebench::testing::write_bytes(
      folder / "t10k-labels-idx1-ubyte",
      aebench::testing::idx_labels_bytes(std::vector<std::uint8_t>(19, 1)));
  CHECK_THROWS_WITH(aebench::load_dataset(synthetic_options(folder), 0),
                    Catch::Contains("t10k-images") && Catch::Contains("t10k-labels"));
}

TEST_CASE("CIFAR-10 files load as [count, 3, 32, 32] images: red, green, blue planes of bytes") {
  ScratchFolder folder("dataset-cifar");
  aebench::testing::write_synthetic_cifar(folder.path(), 40, 20);
  aebench::DataOptions options = synthetic_options(folder);
  options.dataset = "cifar10";
  options.val_fraction = 0.25;
  const auto data = aebench::load_dataset(options, 1);
  CHECK(data.train.images.sizes() == torch::IntArrayRef({30, 3, 32, 32}));
  CHECK(data.val.images.sizes() == torch::IntArrayRef({10, 3, 32, 32}));
  CHECK(data.test.images.sizes() == torch::IntArrayRef({20, 3, 32, 32}));
  // The test split keeps the file's order: image i is record i of test_batch.bin.
  const auto bytes = aebench::testing::cifar_batch_bytes(
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 7);
  for (const std::int64_t image : {0, 7, 19}) {
    CHECK(data.test.labels[image].item<std::int64_t>() == image % 10);
    for (const auto& [channel, row, col] :
         std::vector<std::array<std::int64_t, 3>>{{0, 0, 0}, {1, 10, 20}, {2, 31, 5}}) {
      const auto byte = bytes[std::size_t(image) * 3073 + 1 + channel * 1024 + row * 32 + col];
      CHECK(data.test.images[image][channel][row][col].item<int>() == int(byte));
    }
  }
}

TEST_CASE("a CIFAR-10 folder without its files is a DataError saying where to get them") {
  ScratchFolder folder("dataset-cifar-empty");
  aebench::DataOptions options = synthetic_options(folder);
  options.dataset = "cifar10";
  CHECK_THROWS_WITH(
      aebench::load_dataset(options, 1),
      Catch::Contains("has no data_batch_1.bin") && Catch::Contains("cifar-10-binary.tar.gz"));
}
