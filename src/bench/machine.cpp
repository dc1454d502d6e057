#include "aebench/bench/machine.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "aebench/io/cpu_cores.h"
#include "aebench/io/stopwatch.h"
#include "aebench/pipeline/run_context.h"
#include "aebench/train/precision.h"

namespace aebench {
namespace {

// The text after "KEY:" or "KEY=" on the first line of `text` that contains KEY, up to the
// line's end or a comma (show_config lists "KEY=VALUE, KEY=VALUE"), trimmed; "" when none.
std::string value_after(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find(key);
    if (at == std::string::npos) continue;
    auto value = line.substr(at + key.size());
    const auto start = value.find_first_not_of(" \t:=");
    if (start == std::string::npos) return "";
    value = value.substr(start, value.find(',', start) - start);
    return value.substr(0, value.find_last_not_of(" \t") + 1);
  }
  return "";
}

std::string read_text(const std::string& path) {
  std::ifstream stream(path);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// The BLAS library mapped into this process (LibTorch may report only "generic" when it links
// the system's libblas.so.3, which Debian points at OpenBLAS or the reference BLAS).
std::string loaded_blas_library() {
  std::istringstream maps(read_text("/proc/self/maps"));
  for (std::string line; std::getline(maps, line);) {
    const auto path = line.find('/');
    if (path != std::string::npos && line.find("blas", path) != std::string::npos)
      return line.substr(path);
  }
  return "";
}

double seconds_of_product(const torch::Tensor& a, const torch::Tensor& b, torch::Tensor& c) {
  const auto start = SteadyClock::now();
  torch::mm_out(c, a, b);
  return seconds_since(start);
}

}  // namespace

MachineInfo describe_machine() {
  MachineInfo info;
  const auto cpuinfo = read_text("/proc/cpuinfo");
  info.cpu_model = value_after(cpuinfo, "model name");
  if (info.cpu_model.empty()) info.cpu_model = "unknown";
  info.cpu_has_native_bf16 = cpu_has_native_bf16();
  info.cores = usable_cpu_cores();
  info.torch_version = torch_version();
  info.blas = value_after(at::show_config(), "BLAS_INFO");
  if (info.blas.empty()) info.blas = "unknown";
  const auto library = loaded_blas_library();
  if (!library.empty()) info.blas += " (" + library + ")";
  info.parallel_backend = value_after(at::get_parallel_info(), "ATen parallel backend");
  if (info.parallel_backend.empty()) info.parallel_backend = "unknown";
  return info;
}

Spread spread_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  return {median, values.front(), values.back()};
}

GemmFigures measure_gemm(torch::ScalarType dtype, bool cpu_has_native_bf16, std::int64_t max_size,
                         int repeats) {
  torch::NoGradGuard no_grad;
  GemmFigures figures;
  figures.dtype = dtype == torch::kBFloat16 ? "bf16" : "fp32";
  torch::Tensor a, b, c;
  for (std::int64_t n = 256;; n *= 2) {
    a = (torch::rand({n, n}) * 2 - 1).to(dtype);
    b = (torch::rand({n, n}) * 2 - 1).to(dtype);
    c = torch::empty({n, n}, torch::TensorOptions(dtype));
    figures.size = n;
    // The first product at a size only warms up: the process's first one starts the thread
    // pool and touches new memory, and alone could stop the search at a size too small to
    // show the peak.
    seconds_of_product(a, b, c);
    if (seconds_of_product(a, b, c) >= 0.05 || n * 2 > max_size) break;
  }
  const double flops = 2.0 * std::pow(double(figures.size), 3);
  std::vector<double> gflops;
  for (int i = 0; i < repeats; ++i) gflops.push_back(flops / seconds_of_product(a, b, c) / 1e9);
  figures.gflops = spread_of(gflops);

  const auto reference = torch::mm(a.to(torch::kFloat), b.to(torch::kFloat));
  figures.relative_error =
      ((c.to(torch::kFloat) - reference).norm() / reference.norm()).item<double>();
  const bool sane = std::isfinite(figures.relative_error) && figures.relative_error < 0.1 &&
                    std::isfinite(figures.gflops.median) && figures.gflops.median > 0;
  figures.is_peak = sane && (dtype != torch::kBFloat16 || cpu_has_native_bf16);
  return figures;
}

std::int64_t peak_rss_bytes() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace aebench
