#include "aebench/pipeline/run_context.h"

#include <torch/version.h>

#include "aebench/errors.h"
#include "aebench/io/cpu_cores.h"

namespace aebench {

torch::Device resolve_device(const std::string& requested) {
  if (requested == "cpu") return torch::kCPU;
  const bool available = torch::cuda::is_available();
  if (requested == "auto") return available ? torch::Device(torch::kCUDA, 0) : torch::kCPU;
  if (!available)
    throw ConfigError("device: expected an available CUDA device for \"" + requested +
                      "\", found none (no GPU visible, or LibTorch built without CUDA); use "
                      "--device cpu or auto");
  const torch::Device device(requested);
  const auto count = static_cast<int>(torch::cuda::device_count());
  const int index = device.has_index() ? device.index() : 0;
  if (index >= count)
    throw ConfigError("device: expected a CUDA index below " + std::to_string(count) +
                      ", found \"" + requested + "\"");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

int apply_thread_count(std::int64_t requested) {
  // More threads than cores only wait for each other (1024 on 2 cores made the stages after
  // training take minutes and answer SIGTERM late): the usable cores are the most.
  const int cores = usable_cpu_cores();
  const int threads = requested > 0 && requested < cores ? static_cast<int>(requested) : cores;
  torch::set_num_threads(threads);
  return threads;
}

std::string thread_count_text(int threads) {
  return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

RunContext make_run_context(const std::string& device, std::int64_t threads) {
  RunContext context;
  context.device = resolve_device(device);
  context.threads = apply_thread_count(threads);
  return context;
}

std::string device_name(const torch::Device& device) {
  return device.str();
}

std::string torch_version() {
  return TORCH_VERSION;
}

}  // namespace aebench
