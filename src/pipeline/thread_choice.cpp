#include "aebench/pipeline/thread_choice.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "aebench/errors.h"
#include "aebench/models/autoencoder.h"
#include "aebench/pipeline/run_context.h"
#include "aebench/train/precision.h"
#include "aebench/train/trainer.h"
#include "aebench/train/training_steps.h"

namespace aebench {
namespace {

constexpr int kTimedWindowsPerCount = 3;
constexpr std::int64_t kMaxStepsPerWindow = 10;
constexpr double kWindowSeconds = 0.15;

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::string images_per_second_text(double value) {
  return std::to_string(static_cast<long long>(std::llround(value))) + " images/s";
}

// Restores LibTorch's default CPU generator when it goes out of scope: building the timed
// model and its noise draw from it, and the run must not see those draws.
class DefaultGeneratorKeeper {
 public:
  DefaultGeneratorKeeper() : state_(at::detail::getDefaultCPUGenerator().get_state()) {}
  ~DefaultGeneratorKeeper() {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(state_);
  }
  DefaultGeneratorKeeper(const DefaultGeneratorKeeper&) = delete;
  DefaultGeneratorKeeper& operator=(const DefaultGeneratorKeeper&) = delete;

 private:
  torch::Tensor state_;
};

// Steps a measurement takes with `steps_per_window`: two warm-up steps and one sizing step at
// one thread, then an untimed and kTimedWindowsPerCount timed windows at each count.
std::int64_t measuring_steps(std::int64_t steps_per_window) {
  return 3 + 2 * (1 + kTimedWindowsPerCount) * steps_per_window;
}

bool too_short_to_measure(std::int64_t planned_steps, std::int64_t steps_per_window) {
  return double(measuring_steps(steps_per_window)) > kMaxMeasuringShare * double(planned_steps);
}

std::string short_run_reason(std::int64_t planned_steps) {
  return "a short run (" + std::to_string(planned_steps) +
         (planned_steps == 1 ? " step" : " steps") + "): one thread, not measured";
}

ThreadChoice unmeasured(int cores, const std::string& reason) {
  ThreadChoice choice;
  choice.cores = cores;
  choice.reason = reason;
  apply_thread_count(choice.threads);
  return choice;
}

ThreadChoice measure_thread_choice(const Config& config, const torch::Tensor& train_images,
                                   int cores, std::int64_t planned_steps) {
  const DefaultGeneratorKeeper keep_generator;
  const Precision precision = training_precision(config.train.precision, false);
  auto model = make_autoencoder(config.model);
  model->use_memory_format(training_memory_format(precision));
  model->train();
  auto optimizer = make_optimizer(*model, config.train);
  const std::int64_t batch_size = std::min(config.train.batch_size, train_images.size(0));
  BatchCycle batches(train_images, batch_size);
  const auto step = [&] {
    take_timed_step(*model, *optimizer, batches.next(), config.train, config.noise, precision,
                    "threads: 0");
  };

  // One thread first: two warm-up steps (the first allocates the optimizer state), then one
  // timed step sizes the windows at about kWindowSeconds.
  apply_thread_count(1);
  images_per_second(step, 2, batch_size);
  const double first = images_per_second(step, 1, batch_size);
  const auto steps_per_window = std::clamp<std::int64_t>(
      std::llround(kWindowSeconds * first / double(batch_size)), 1, kMaxStepsPerWindow);
  if (too_short_to_measure(planned_steps, steps_per_window))
    return unmeasured(cores, short_run_reason(planned_steps));
  // Each count in one block after an untimed window: right after a change of count the steps
  // run slow for longer than a step or two (measured: alternating windows of the two counts
  // understated two threads on the conv model by a fifth and more).
  const int counts[] = {1, cores};
  std::vector<double> rates[2];
  for (int i = 0; i < 2; ++i) {
    apply_thread_count(counts[i]);
    images_per_second(step, steps_per_window, batch_size);
    for (int window = 0; window < kTimedWindowsPerCount; ++window)
      rates[i].push_back(images_per_second(step, steps_per_window, batch_size));
  }

  ThreadChoice choice;
  choice.cores = cores;
  choice.measured = true;
  choice.one_thread_images_per_second = median_of(rates[0]);
  choice.all_cores_images_per_second = median_of(rates[1]);
  choice.threads = choice.all_cores_images_per_second >=
                           kAllCoresMinSpeedup * choice.one_thread_images_per_second
                       ? cores
                       : 1;
  choice.reason = "measured: 1 thread " +
                  images_per_second_text(choice.one_thread_images_per_second) + ", " +
                  std::to_string(cores) + " threads " +
                  images_per_second_text(choice.all_cores_images_per_second);
  apply_thread_count(choice.threads);
  return choice;
}

}  // namespace

ThreadChoice choose_training_threads(const Config& config, const torch::Tensor& train_images,
                                     int cores, std::int64_t planned_steps) {
  if (cores <= 1) return unmeasured(cores, "one usable core");
  if (train_images.size(0) < 2) return unmeasured(cores, "too few training images to time");
  // Too short even for windows of one step: not worth a single timed step.
  if (too_short_to_measure(planned_steps, 1))
    return unmeasured(cores, short_run_reason(planned_steps));
  // Timing must never stop the run: a step that fails here (a loss that is not finite at
  // once, a batch norm over one image) fails in training too, where it is reported properly.
  const std::string failed = "the timed steps failed: one thread, not measured";
  try {
    return measure_thread_choice(config, train_images, cores, planned_steps);
  } catch (const TrainingError&) {
    return unmeasured(cores, failed);
  } catch (const c10::Error&) {
    return unmeasured(cores, failed);
  }
}

std::int64_t planned_training_steps(const Config& config, std::int64_t train_images) {
  const std::int64_t batch_size = std::max<std::int64_t>(1, config.train.batch_size);
  return config.train.epochs * ((train_images + batch_size - 1) / batch_size);
}

ThreadChoice reuse_thread_choice(const nlohmann::json& recorded, const std::string& where) {
  const auto* threads =
      recorded.is_object() && recorded.contains("threads") ? &recorded.at("threads") : nullptr;
  if (threads == nullptr || !threads->is_number_integer() || *threads < 1 || *threads > 1024)
    throw DataError(where +
                    ": thread_choice.threads: expected a whole number in [1, 1024], found " +
                    (threads == nullptr ? std::string("none") : threads->dump()));
  ThreadChoice choice;
  choice.threads = threads->get<int>();
  choice.cores = recorded.value("cores", choice.threads);
  choice.measured = recorded.value("measured", false);
  choice.one_thread_images_per_second = recorded.value("one_thread_images_per_second", 0.0);
  choice.all_cores_images_per_second = recorded.value("all_cores_images_per_second", 0.0);
  if (recorded.contains("changes") && recorded.at("changes").is_array())
    choice.changes = recorded.at("changes");
  choice.reason = "as chosen when the run started";
  apply_thread_count(choice.threads);
  return choice;
}

nlohmann::json thread_choice_json(const ThreadChoice& choice) {
  nlohmann::json json = {{"threads", choice.threads},
                         {"cores", choice.cores},
                         {"measured", choice.measured},
                         {"reason", choice.reason}};
  if (choice.measured) {
    json["one_thread_images_per_second"] = choice.one_thread_images_per_second;
    json["all_cores_images_per_second"] = choice.all_cores_images_per_second;
  }
  return json;
}

}  // namespace aebench
