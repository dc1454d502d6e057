#pragma once
// What the benchmark ran on, and the machine's measured peak: large matrix products.

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace aebench {

struct MachineInfo {
  std::string cpu_model;             // /proc/cpuinfo "model name" ("unknown" elsewhere)
  int cores = 0;                     // logical cores the process may use
  bool cpu_has_native_bf16 = false;  // x86 avx512_bf16 / amx_bf16, or Arm bf16
  std::string torch_version;         // e.g. "1.13.0"
  // LibTorch's BLAS_INFO ("open", "mkl", "generic"...) and the BLAS library loaded, e.g.
  // "generic (/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3)"
  std::string blas;
  std::string parallel_backend;  // e.g. "OpenMP"
};

MachineInfo describe_machine();

// Spread of repeated measurements of one figure.
struct Spread {
  double median = 0.0;
  double min = 0.0;
  double max = 0.0;
};

// Median, min and max of `values`. REQUIRES: values not empty.
Spread spread_of(std::vector<double> values);

struct GemmFigures {
  std::string dtype;      // "fp32" | "bf16"
  std::int64_t size = 0;  // n of the n x n x n product timed
  Spread gflops;          // 2 n^3 / seconds / 1e9, one value per timed product
  // Frobenius norm of (result - float32 product of the same inputs) over the latter's:
  // 0 for fp32; about 1e-3 for a bf16 product that accumulates in float32, a few 1e-2 for
  // one that accumulates in bfloat16 (LibTorch 1.13's fallback). Sane: below 0.1.
  double relative_error = 0.0;
  // Counts as the machine's peak for this dtype: a sane result, and for bf16 a CPU that
  // multiplies bfloat16 natively (elsewhere LibTorch emulates it, slowly).
  bool is_peak = false;
};

// Times torch::mm on n x n operands of `dtype` (kFloat or kBFloat16): n doubles from 256
// until one product takes 50 ms or n reaches `max_size`; one warm-up product, then the
// median of `repeats` timed ones.
GemmFigures measure_gemm(torch::ScalarType dtype, bool cpu_has_native_bf16,
                         std::int64_t max_size = 2048, int repeats = 5);

// The process's peak resident set so far (getrusage ru_maxrss), in bytes.
std::int64_t peak_rss_bytes();

}  // namespace aebench
