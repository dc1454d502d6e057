#include "aebench/analysis/probe.h"

#include <algorithm>

#include "aebench/data/noise.h"
#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/train/metrics.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

// A classifier: ReLU hidden layers, then a linear head over the classes.
struct ClassifierImpl : torch::nn::Module {
  ClassifierImpl(std::int64_t inputs, const std::vector<std::int64_t>& hidden,
                 std::int64_t classes) {
    std::int64_t width = inputs;
    for (const auto units : hidden) {
      body->push_back(torch::nn::Linear(width, units));
      body->push_back(torch::nn::ReLU());
      width = units;
    }
    if (hidden.empty()) body->push_back(torch::nn::Identity());  // softmax regression
    features = width;
    register_module("body", body);
    head = register_module("head", torch::nn::Linear(width, classes));
  }
  torch::nn::Sequential body;
  torch::nn::Linear head{nullptr};
  std::int64_t features = 0;
};

// Dataset labels -> class indices 0..K-1 over `labels` (sorted).
torch::Tensor to_indices(const torch::Tensor& dataset_labels, const std::vector<int>& labels) {
  auto lookup = torch::full({10}, -1, torch::kInt64);
  for (std::size_t i = 0; i < labels.size(); ++i) lookup[labels[i]] = std::int64_t(i);
  return lookup.to(dataset_labels.device()).index_select(0, dataset_labels);
}

std::vector<int> present_labels(const torch::Tensor& labels) {
  const auto counts = torch::bincount(labels.to(torch::kCPU), {}, 10);
  std::vector<int> result;
  for (int label = 0; label < 10; ++label)
    if (counts[label].item<std::int64_t>() > 0) result.push_back(label);
  return result;
}

// `transform` applied to `inputs` in slices of kEvalBatchSize rows, without gradients, the
// results concatenated: bounded memory however large the split.
template <typename Transform>
torch::Tensor in_batches(const torch::Tensor& inputs, Transform transform) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (std::int64_t start = 0; start < inputs.size(0); start += kEvalBatchSize)
    parts.push_back(
        transform(inputs.narrow(0, start, std::min(kEvalBatchSize, inputs.size(0) - start))));
  return torch::cat(parts);
}

torch::Tensor predict(ClassifierImpl& classifier, const torch::Tensor& features) {
  classifier.eval();
  return in_batches(features, [&](const torch::Tensor& batch) {
    return classifier.head->forward(classifier.body->forward(batch)).argmax(1);
  });
}

double validation_loss(ClassifierImpl& classifier, const torch::Tensor& features,
                       const torch::Tensor& targets) {
  classifier.eval();
  const auto logits = in_batches(features, [&](const torch::Tensor& batch) {
    return classifier.head->forward(classifier.body->forward(batch));
  });
  return torch::nn::functional::cross_entropy(logits, targets).item<double>();
}

double accuracy(const torch::Tensor& predicted, const torch::Tensor& truth) {
  return predicted.eq(truth).to(torch::kFloat64).mean().item<double>();
}

std::vector<int> to_vector(const torch::Tensor& indices, const std::vector<int>& labels) {
  const auto cpu = indices.to(torch::kCPU).contiguous();
  std::vector<int> values;
  for (std::int64_t i = 0; i < cpu.numel(); ++i)
    values.push_back(labels[cpu[i].item<std::int64_t>()]);
  return values;
}

// Features standardised with the training split's statistics (codes of different models
// differ wildly in scale; this lets one learning rate serve them all).
ProbeData standardised(ProbeData data) {
  const auto mean = data.train.mean(0);
  const auto deviation = data.train.std(0).clamp_min(1e-6);
  data.train = (data.train - mean) / deviation;
  data.val = (data.val - mean) / deviation;
  data.test = (data.test - mean) / deviation;
  return data;
}

torch::Tensor encode_all(AutoencoderImpl& model, const torch::Tensor& images) {
  model.eval();
  return in_batches(images, [&](const torch::Tensor& batch) {
    return model.encode(batch).flatten(1).to(torch::kFloat32);
  });
}

nlohmann::json result_json(const ProbeResult& result) {
  return {{"val_accuracy", result.val_accuracy},
          {"test_accuracy", result.test_accuracy},
          {"epochs_run", result.epochs_run},
          {"best_epoch", result.best_epoch},
          {"test_report", to_json(result.test_report)}};
}

}  // namespace

ProbeResult train_probe(const std::string& name, const ProbeData& raw,
                        const std::vector<std::int64_t>& hidden, const ProbeOptions& options,
                        std::uint64_t seed, const std::function<int()>& stop_requested) {
  const ProbeData data = standardised(raw);
  const auto labels = present_labels(raw.train_labels);
  const auto train_targets = to_indices(data.train_labels, labels);
  const auto val_targets = to_indices(data.val_labels, labels);
  const auto test_targets = to_indices(data.test_labels, labels);
  torch::manual_seed(seed);
  auto classifier =
      std::make_shared<ClassifierImpl>(data.train.size(1), hidden, std::int64_t(labels.size()));
  classifier->to(data.train.device());
  auto centers = torch::zeros({std::int64_t(labels.size()), classifier->features},
                              data.train.options().requires_grad(true));
  std::vector<torch::Tensor> parameters = classifier->parameters();
  if (options.loss == "center") parameters.push_back(centers);
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(options.lr));
  auto shuffle = make_cpu_generator(seed);

  ProbeResult result;
  result.name = name;
  std::vector<torch::Tensor> best;
  double best_val_loss = 0;
  std::int64_t stale = 0;
  const std::int64_t count = data.train.size(0);
  for (std::int64_t epoch = 1; epoch <= options.epochs && stale < options.patience; ++epoch) {
    if (const int signal_number = stop_requested ? stop_requested() : 0)
      throw Interrupted("stopped by " + signal_name(signal_number) + " while training the " + name +
                            " probe (epoch " + std::to_string(epoch) + ")",
                        signal_number);
    classifier->train();
    const auto order = torch::randperm(count, shuffle, torch::kInt64).to(data.train.device());
    for (std::int64_t first = 0; first < count; first += options.batch_size) {
      const auto index = order.narrow(0, first, std::min(options.batch_size, count - first));
      const auto targets = train_targets.index_select(0, index);
      const auto features = classifier->body->forward(data.train.index_select(0, index));
      auto loss =
          torch::nn::functional::cross_entropy(classifier->head->forward(features), targets);
      if (options.loss == "center")
        loss = loss + options.center_weight * 0.5 *
                          (features - centers.index_select(0, targets)).pow(2).sum(1).mean();
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
    result.epochs_run = epoch;
    // Stop and select on validation loss: it keeps improving while accuracy sits on a plateau.
    const double val_loss = validation_loss(*classifier, data.val, val_targets);
    if (result.best_epoch == 0 || val_loss < best_val_loss) {
      best_val_loss = val_loss;
      result.val_accuracy = accuracy(predict(*classifier, data.val), val_targets);
      result.best_epoch = epoch;
      best.clear();
      for (const auto& parameter : classifier->parameters())
        best.push_back(parameter.detach().clone());
      stale = 0;
    } else {
      ++stale;
    }
  }
  {
    torch::NoGradGuard no_grad;
    auto parameters_now = classifier->parameters();
    for (std::size_t i = 0; i < best.size(); ++i) parameters_now[i].copy_(best[i]);
  }
  const auto predicted = predict(*classifier, data.test);
  result.test_accuracy = accuracy(predicted, test_targets);
  result.test_report =
      classification_report(to_vector(test_targets, labels), to_vector(predicted, labels), labels);
  return result;
}

ProbeReport run_probes(AutoencoderImpl& model, const Dataset& dataset, const Config& config,
                       const torch::Device& device, const std::function<int()>& stop_requested) {
  const auto& options = config.probe;
  const std::string probe_folder = std::string(kProbeFolder) + "/";
  const auto labels = [&](const Split& split) { return split.labels.to(device); };
  const auto images = [&](const Split& split) { return unit_floats(split.images.to(device)); };
  const ProbeData codes{encode_all(model, images(dataset.train)),
                        encode_all(model, images(dataset.val)),
                        encode_all(model, images(dataset.test)),
                        labels(dataset.train),
                        labels(dataset.val),
                        labels(dataset.test)};
  std::vector<ProbeResult> results = {
      train_probe("softmax", codes, {}, options, config.seed, stop_requested),
      train_probe("mlp", codes, options.hidden, options, config.seed, stop_requested)};
  if (options.pixels) {
    const auto pixels = [&](const Split& split) { return images(split).flatten(1); };
    const ProbeData raw{pixels(dataset.train), pixels(dataset.val), pixels(dataset.test),
                        labels(dataset.train), labels(dataset.val), labels(dataset.test)};
    results.push_back(train_probe("pixels", raw, {}, options, config.seed, stop_requested));
  }
  ProbeReport report;
  nlohmann::json& summary = report.summary;
  for (const auto& result : results) {
    report.artefacts.add(probe_folder + result.name + ".json", result_json(result));
    report.artefacts.add(
        probe_folder + result.name + "_confusion.png",
        draw_confusion_matrix(result.test_report,
                              config.name + ": " + result.name + " on " +
                                  (result.name == "pixels" ? "pixels" : "codes") + ", test split"));
    summary[result.name] = {{"val_accuracy", result.val_accuracy},
                            {"test_accuracy", result.test_accuracy},
                            {"best_epoch", result.best_epoch},
                            {"macro_f1", result.test_report.macro_f1}};
  }
  summary["classifier_hidden"] = options.hidden;
  summary["loss"] = options.loss;
  return report;
}

}  // namespace aebench
