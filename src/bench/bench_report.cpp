#include "aebench/bench/bench_report.h"

#include <sys/stat.h>

#include <cstdio>
#include <map>
#include <ostream>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/version.h"

namespace aebench {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json to_json(const Spread& spread) {
  return {{"median", spread.median}, {"min", spread.min}, {"max", spread.max}};
}

ordered_json to_json(const GemmFigures& gemm) {
  return {{"size", gemm.size},
          {"gflops", to_json(gemm.gflops)},
          {"relative_error", gemm.relative_error},
          {"is_peak", gemm.is_peak}};
}

ordered_json to_json(const ConfigFigures& figures) {
  ordered_json layers = ordered_json::array();
  for (const auto& layer : figures.flops.layers)
    layers.push_back(
        {{"name", layer.name}, {"kind", layer.kind}, {"forward_flops", layer.forward_flops}});
  ordered_json json = {{"name", figures.name},
                       {"config", figures.path},
                       {"model", figures.model_type},
                       {"precision", figures.precision},
                       {"threads", figures.threads},
                       {"batch_size", figures.batch_size},
                       {"parameters", figures.parameters},
                       {"train_images", figures.train_images},
                       {"test_images", figures.test_images},
                       {"load_seconds", figures.load_seconds},
                       {"forward_flops_per_image", figures.flops.forward_per_image},
                       {"train_flops_per_image", figures.flops.train_step_per_image},
                       {"train_images_per_second", to_json(figures.train_images_per_second)},
                       {"infer_images_per_second", to_json(figures.infer_images_per_second)},
                       {"train_gflops", figures.train_gflops},
                       {"infer_gflops", figures.infer_gflops},
                       {"train_fraction_of_peak", figures.train_fraction_of_peak},
                       {"infer_fraction_of_peak", figures.infer_fraction_of_peak},
                       {"peak_fp32_gflops", figures.peak_fp32_gflops}};
  if (figures.thread_choice)
    json["thread_choice"] = ordered_json::parse(thread_choice_json(*figures.thread_choice).dump());
  json["layers"] = layers;
  return json;
}

// Numeric leaves of `value` under dotted keys; arrays of objects with a "name" are keyed by
// it, so that configs match by name. Per-layer counts are left out (they follow the model).
template <typename Json>
void flatten(const Json& value, const std::string& key, std::map<std::string, double>& figures) {
  if (value.is_number()) {
    figures[key] = value.template get<double>();
  } else if (value.is_object()) {
    for (const auto& item : value.items())
      if (item.key() != "layers") flatten(item.value(), key + "." + item.key(), figures);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      const auto& element = value[i];
      const bool named =
          element.is_object() && element.contains("name") && element["name"].is_string();
      flatten(element,
              key + "." + (named ? element["name"].template get<std::string>() : std::to_string(i)),
              figures);
    }
  }
}

template <typename Json>
std::map<std::string, double> figures_of(const Json& document) {
  std::map<std::string, double> figures;
  for (const char* section : {"peak", "peak_rss_mib", "configs", "layout"})
    if (document.contains(section)) flatten(document[section], section, figures);
  return figures;
}

std::string format(const char* pattern, double a, double b = 0.0, double c = 0.0) {
  char text[128];
  std::snprintf(text, sizeof text, pattern, a, b, c);
  return text;
}

}  // namespace

ordered_json bench_to_json(const BenchResult& result) {
  const auto& machine = result.machine;
  ordered_json configs = ordered_json::array();
  for (const auto& figures : result.configs) configs.push_back(to_json(figures));
  ordered_json document = {
      {"format_version", kBenchFormatVersion},
      {"aebench_version", kVersion},
      {"machine",
       {{"cpu_model", machine.cpu_model},
        {"cores", machine.cores},
        {"cpu_has_native_bf16", machine.cpu_has_native_bf16},
        {"torch_version", machine.torch_version},
        {"blas", machine.blas},
        {"parallel_backend", machine.parallel_backend}}},
      {"threads", result.threads},
      {"precision", result.requested_precision},
      {"steps_per_window", result.steps},
      {"timed_windows", kTimedWindows},
      {"peak",
       {{"fp32_gemm", to_json(result.fp32_gemm)}, {"bf16_gemm", to_json(result.bf16_gemm)}}},
      {"peak_rss_mib", double(result.peak_rss_bytes) / (1024.0 * 1024.0)},
      {"configs", configs}};
  if (result.fp32_gemm_one_thread)
    document["peak"]["fp32_gemm_one_thread"] = to_json(*result.fp32_gemm_one_thread);
  if (result.layout) {
    const auto& layout = *result.layout;
    document["layout"] = {{"config", layout.config},
                          {"cores", layout.cores},
                          {"one_run_all_threads", layout.one_run_all_threads},
                          {"one_run_one_thread", layout.one_run_one_thread},
                          {"runs_per_core_total", layout.runs_per_core_total},
                          {"contended_all_threads", layout.contended_all_threads},
                          {"contended_over_one_thread", layout.contended_over_one_thread},
                          {"faster_layout", layout.faster_layout},
                          {"suggested_jobs", layout.suggested_jobs}};
  }
  return document;
}

void write_bench_json(const std::filesystem::path& path, const BenchResult& result) {
  write_json_file(path, bench_to_json(result));
}

void print_bench_table(const BenchResult& result, std::ostream& out) {
  const auto& machine = result.machine;
  const auto& fp32 = result.fp32_gemm;
  const auto& bf16 = result.bf16_gemm;
  out << "machine: " << machine.cpu_model << ", " << machine.cores << " cores, " << result.threads
      << " threads, LibTorch " << machine.torch_version << ", BLAS " << machine.blas << '\n';
  out << "peak: fp32 GEMM " << fp32.size << "^3 "
      << format("%.1f GFLOP/s (%.1f-%.1f)", fp32.gflops.median, fp32.gflops.min, fp32.gflops.max)
      << "; bf16 GEMM ";
  if (bf16.size == 0)
    out << "not measured (oneDNN has no bfloat16 here)";
  else
    out << bf16.size << "^3 " << format("%.1f GFLOP/s", bf16.gflops.median)
        << (bf16.is_peak                  ? ""
            : machine.cpu_has_native_bf16 ? " (result not sane: not a peak)"
                                          : " (no native bf16 on this CPU: not a peak)");
  out << '\n';
  if (const auto& one = result.fp32_gemm_one_thread)
    out << "peak on 1 thread: fp32 GEMM " << one->size << "^3 "
        << format("%.1f GFLOP/s (%.1f-%.1f)", one->gflops.median, one->gflops.min, one->gflops.max)
        << '\n';
  out << format("peak RSS: %.0f MiB\n", double(result.peak_rss_bytes) / (1024.0 * 1024.0));
  char line[256];
  std::snprintf(line, sizeof line, "%-22s %-5s %3s %6s %22s %22s %9s %9s %8s\n", "config", "prec",
                "thr", "batch", "train img/s (min-max)", "infer img/s (min-max)", "train GF/s",
                "of peak", "load s");
  out << line;
  for (const auto& figures : result.configs) {
    const auto& train = figures.train_images_per_second;
    const auto& infer = figures.infer_images_per_second;
    std::snprintf(line, sizeof line, "%-22s %-5s %3d %6lld %22s %22s %9.2f %8.1f%% %8.2f\n",
                  figures.name.c_str(), figures.precision.c_str(), figures.threads,
                  static_cast<long long>(figures.batch_size),
                  format("%.0f (%.0f-%.0f)", train.median, train.min, train.max).c_str(),
                  format("%.0f (%.0f-%.0f)", infer.median, infer.min, infer.max).c_str(),
                  figures.train_gflops, 100.0 * figures.train_fraction_of_peak,
                  figures.load_seconds);
    out << line;
  }
  for (const auto& figures : result.configs)
    if (figures.thread_choice)
      out << figures.name << ": " << figures.threads << " thread"
          << (figures.threads == 1 ? "" : "s") << " (threads 0: " << figures.thread_choice->reason
          << ")\n";
}

void print_layout(const LayoutFigures& layout, std::ostream& out) {
  const std::string all = std::to_string(layout.cores) + " threads";
  out << "layout (" << layout.config << ", training images/s): 1 run x " << all << " "
      << format("%.0f", layout.one_run_all_threads) << "; " << layout.cores << " runs x 1 thread "
      << format("%.0f in all", layout.runs_per_core_total) << "; 1 run x 1 thread "
      << format("%.0f", layout.one_run_one_thread) << "; 2 runs x " << all << " "
      << format("%.0f each (%.2fx the 1-thread run)", layout.contended_all_threads,
                layout.contended_over_one_thread)
      << "; faster: " << layout.faster_layout << '\n';
}

void refuse_bench_destination(const std::filesystem::path& out) {
  namespace fs = std::filesystem;
  std::error_code error;
  // As written and as its links lead: in a run or sweep folder, --overwrite, --resume and the
  // sweep's own files meet it.
  for (const fs::path& file : {fs::absolute(out, error).lexically_normal(),
                               fs::weakly_canonical(fs::absolute(out, error), error)})
    for (fs::path folder = file.parent_path(); !folder.empty(); folder = folder.parent_path()) {
      if (is_run_folder(folder) || is_sweep_folder(folder))
        throw OutputError("bench --out " + out.string() +
                          ": expected a file outside run and sweep folders, found it inside " +
                          folder.string() + "; choose another --out");
      if (folder == folder.parent_path()) break;
    }
  struct stat info {};
  if (::lstat(out.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return;  // none, or refused later
  // Only an earlier bench.json is replaced: a user's file of that name (a config, a run's
  // summary.json) stays.
  const RegularFileText text = read_regular_file(out, std::size_t{1} << 24);
  const nlohmann::json document =
      text.ok() ? nlohmann::json::parse(text.bytes, nullptr, false) : nlohmann::json();
  if (document.is_object() && document.contains("configs") &&
      document.value("format_version", nlohmann::json()) == kBenchFormatVersion)
    return;
  throw OutputError("bench --out " + out.string() +
                    ": expected no file or an earlier bench.json there, found another file; it "
                    "stays: choose another --out");
}

void check_bench_document(const nlohmann::json& document, const std::string& source) {
  if (!document.is_object() || !document.contains("format_version") ||
      document["format_version"] != kBenchFormatVersion)
    throw ConfigError(source + ": expected a bench.json written by aebench bench (format_version " +
                      std::to_string(kBenchFormatVersion) + "), found " +
                      (document.is_object() && document.contains("format_version")
                           ? "format_version " + document["format_version"].dump()
                           : std::string("no format_version")));
  // A run's summary.json has a format_version too: a bench's holds its measured configs.
  if (!document.contains("configs") || !document["configs"].is_array())
    throw ConfigError(source +
                      ": expected a bench.json written by aebench bench (with its list "
                      "of \"configs\"), found " +
                      (document.contains("configs")
                           ? "\"configs\" of type " + std::string(document["configs"].type_name())
                           : std::string("no \"configs\"")));
  const auto& configs = document["configs"];
  for (std::size_t i = 0; i < configs.size(); ++i)
    if (!configs[i].is_object() || !configs[i].contains("name") || !configs[i]["name"].is_string())
      throw ConfigError(source + ": configs[" + std::to_string(i) +
                        "]: expected an object with its \"name\", found " + configs[i].dump());
  if (document.contains("peak") && !document["peak"].is_object())
    throw ConfigError(source + ": peak: expected an object, found " +
                      std::string(document["peak"].type_name()));
}

void print_comparison(const ordered_json& now, const nlohmann::json& old_document,
                      const std::string& old_source, std::ostream& out) {
  const auto old_figures = figures_of(old_document);
  const auto new_figures = figures_of(now);
  out << "compared with " << old_source << " (columns: old, new, new/old):\n";
  char line[256];
  std::size_t shared = 0;
  for (const auto& [key, value] : new_figures) {
    const auto old = old_figures.find(key);
    if (old == old_figures.end()) continue;
    ++shared;
    const double ratio = old->second != 0.0 ? value / old->second : 0.0;
    std::snprintf(line, sizeof line, "%-64s %14.6g %14.6g %8s\n", key.c_str(), old->second, value,
                  old->second != 0.0 ? format("%.3f", ratio).c_str() : "-");
    out << line;
  }
  if (shared == 0)
    out << "  no figure in common: it measured other configs (or none); bench the same "
           "configs to compare\n";
}

}  // namespace aebench
