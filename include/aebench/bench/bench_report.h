#pragma once
// bench.json, the table on the terminal, and the comparison of two bench.json files.

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>

#include "aebench/bench/benchmark.h"

namespace aebench {

// Every figure of `result`, in reading order: format_version, machine, threads, precision,
// steps, peak (fp32 and bf16 GEMM), peak_rss_mib, configs (one object per config).
nlohmann::ordered_json bench_to_json(const BenchResult& result);

// bench_to_json, written atomically (write_json_file).
void write_bench_json(const std::filesystem::path& path, const BenchResult& result);

// The machine and peak in two lines, then one row per config: precision, batch, train and
// infer images/s (median, min-max), train GFLOP/s, fraction of the fp32 peak.
void print_bench_table(const BenchResult& result, std::ostream& out);

// Throws a ConfigError naming `source` unless `document` is a bench.json of this format.
// One line: the layout figures and the faster layout.
void print_layout(const LayoutFigures& layout, std::ostream& out);

// Refuses (OutputError) a bench --out inside a run or sweep folder, or over a file that is not
// an earlier bench.json (a user's file, a run's summary.json): before any timing.
void refuse_bench_destination(const std::filesystem::path& out);

void check_bench_document(const nlohmann::json& document, const std::string& source);

// For every numeric figure under peak, peak_rss_mib and configs (matched by name) present in
// both, one line: old, new and new/old. `old_document` passed check_bench_document.
void print_comparison(const nlohmann::ordered_json& now, const nlohmann::json& old_document,
                      const std::string& old_source, std::ostream& out);

}  // namespace aebench
