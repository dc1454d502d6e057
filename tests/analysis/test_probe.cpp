#include "aebench/analysis/probe.h"
#include "support/catch.h"

namespace {

// Three classes (labels 2, 5, 7) as Gaussian blobs in 8-D, far apart.
aebench::ProbeData separable(std::int64_t per_class) {
  torch::manual_seed(3);
  const auto make = [&](std::int64_t count) {
    std::vector<torch::Tensor> points, labels;
    const int classes[] = {2, 5, 7};
    for (int c = 0; c < 3; ++c) {
      auto centre = torch::zeros({8});
      centre[c] = 6.0;
      points.push_back(centre + 0.5 * torch::randn({count, 8}));
      labels.push_back(torch::full({count}, classes[c], torch::kInt64));
    }
    return std::make_pair(torch::cat(points), torch::cat(labels));
  };
  const auto [train, train_labels] = make(per_class);
  const auto [val, val_labels] = make(per_class / 2);
  const auto [test, test_labels] = make(per_class / 2);
  return {train, val, test, train_labels, val_labels, test_labels};
}

}  // namespace

TEST_CASE("probes reach near-perfect accuracy on separable classes and report per class") {
  const auto data = separable(100);
  aebench::ProbeOptions options;
  options.hidden = {16};
  options.epochs = 30;
  options.batch_size = 16;  // enough steps for a few hundred points
  options.lr = 0.01;
  for (const auto& [name, hidden] : std::vector<std::pair<std::string, std::vector<std::int64_t>>>{
           {"softmax", {}}, {"mlp", {16}}}) {
    INFO(name);
    const auto result = aebench::train_probe(name, data, hidden, options, 0);
    CHECK(result.val_accuracy > 0.97);
    CHECK(result.test_accuracy > 0.97);
    CHECK(result.test_report.labels == std::vector<int>{2, 5, 7});
    CHECK(result.test_report.total == 150);
    CHECK(result.best_epoch >= 1);
  }
}

TEST_CASE("the center-loss probe trains and is seeded") {
  const auto data = separable(60);
  aebench::ProbeOptions options;
  options.loss = "center";
  options.center_weight = 0.1;
  options.epochs = 10;
  options.batch_size = 16;
  options.lr = 0.01;
  const auto first = aebench::train_probe("mlp", data, {8}, options, 4);
  const auto second = aebench::train_probe("mlp", data, {8}, options, 4);
  CHECK(first.test_accuracy > 0.9);
  CHECK(first.val_accuracy == second.val_accuracy);
  CHECK(first.test_report.confusion == second.test_report.confusion);
}
