#pragma once
// What a run needs besides its config: the device it computes on and the thread count.
// Built once, at the start of a run, and passed down; nothing here is global state of ours.

#include <torch/torch.h>

#include <string>

namespace aebench {

struct RunContext {
  torch::Device device = torch::kCPU;
  int threads = 1;  // CPU threads LibTorch (and OpenBLAS) use
};

// "auto" picks CUDA when LibTorch sees a GPU. "cuda" / "cuda:N" without such a device is a
// ConfigError naming the key `device`.
torch::Device resolve_device(const std::string& requested);

// 0 = every usable core (LibTorch alone would use one here); a count above the usable cores is
// capped to them. Applies the count to LibTorch and returns it.
int apply_thread_count(std::int64_t requested);

// "1 thread", "2 threads": a thread count as the log says it.
std::string thread_count_text(int threads);

RunContext make_run_context(const std::string& device, std::int64_t threads);

// "cpu", "cuda:0" ...
std::string device_name(const torch::Device& device);

// LibTorch's version, e.g. "1.13.0".
std::string torch_version();

}  // namespace aebench
