#pragma once
// How to share this machine's cores between training runs: one run on every core, or one
// single-threaded run per core; and how much a run on every core slows when a second such run
// competes for the cores. Measured with child processes of the aebench binary (each an
// `aebench bench CONFIG --threads T --no-layout`), so that runs share the machine the way a
// sweep's runs do. `aebench sweep` reads the answer from bench.json.
// Free of LibTorch.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>

namespace aebench {

struct LayoutOptions {
  std::filesystem::path executable = "/proc/self/exe";  // the aebench binary the children run
  std::string config_path;                              // the config whose training is timed
  int cores = 1;                                        // REQUIRES: >= 2
  std::int64_t steps = 20;                              // --steps of each child
  std::ostream* log = nullptr;                          // one line per measurement (may be null)
};

// Training images per second (each child's median window).
struct LayoutFigures {
  std::string config;
  int cores = 0;
  double one_run_all_threads = 0;    // 1 run x `cores` threads, alone on the machine
  double one_run_one_thread = 0;     // 1 run x 1 thread, alone
  double runs_per_core_total = 0;    // `cores` concurrent runs x 1 thread, summed
  double contended_all_threads = 0;  // per run, 2 concurrent runs x `cores` threads each
  std::string faster_layout;         // "1 run x N threads" or "N runs x 1 thread"
  int suggested_jobs = 1;            // concurrent runs of the faster layout
  // contended_all_threads / one_run_one_thread: below 1, a run on every core slows more under
  // competition than if it had used one thread.
  double contended_over_one_thread = 0;
};

// Runs the children in turn (1 x all, 1 x 1, cores x 1, 2 x all). Throws OutputError when a
// child fails, naming its command and exit status and quoting its last error line.
LayoutFigures measure_layout(const LayoutOptions& options);

}  // namespace aebench
