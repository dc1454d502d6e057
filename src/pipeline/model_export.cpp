#include "aebench/pipeline/model_export.h"

#include <torch/torch.h>

#include "aebench/errors.h"
#include "aebench/io/npy_file.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/stop_signal.h"
#include "aebench/models/architecture.h"
#include "aebench/pipeline/python_loader.h"
#include "aebench/train/metrics.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Whether FOLDER/`marker` is a JSON object whose "format" is `format`: aebench wrote the folder.
bool holds_marker(const fs::path& folder, const std::string& marker, const std::string& format) {
  if (is_symbolic_link(folder / marker)) return false;
  const RegularFileText file = read_regular_file(folder / marker);
  if (!file.ok()) return false;
  const json document = json::parse(file.bytes, nullptr, false);
  return document.is_object() && document.value("format", "") == format;
}

// The folder the files go to: `out_dir`, or `default_name` inside the run folder (made part by
// part, never through a link). Files of the names about to be written are replaced only in a
// folder that is the run's own or holds aebench's `marker`: in any other, a user's file of such
// a name is refused before anything is written.
fs::path output_folder(const fs::path& run_dir, const fs::path& out_dir, const char* default_name,
                       const std::vector<std::string>& names, const std::string& marker,
                       const std::string& format) {
  if (out_dir.empty()) return make_real_subfolder(run_dir, default_name);
  std::error_code error;
  if (fs::exists(out_dir, error) && !fs::is_directory(out_dir, error))
    throw OutputError("--out " + out_dir.string() + ": expected a folder, found a file");
  fs::create_directories(out_dir, error);
  if (error)
    throw OutputError("--out " + out_dir.string() + ": cannot make the folder (" + error.message() +
                      ")");
  if (holds_marker(out_dir, marker, format)) return out_dir;
  for (const auto& name : names)
    if (fs::symlink_status(out_dir / name, error).type() != fs::file_type::not_found)
      throw OutputError("--out " + out_dir.string() + " holds " + name + " but no " + marker +
                        " of aebench's; nothing was written: name an empty or new folder");
  return out_dir;
}

std::vector<std::int64_t> shape_of(const torch::Tensor& tensor) {
  return {tensor.sizes().begin(), tensor.sizes().end()};
}

void write_tensor_npy(const fs::path& path, const torch::Tensor& tensor) {
  const auto values = tensor.to(torch::kCPU).contiguous();
  const NpyType type = values.scalar_type() == torch::kFloat64 ? NpyType::kFloat64
                       : values.scalar_type() == torch::kInt64 ? NpyType::kInt64
                       : values.scalar_type() == torch::kUInt8 ? NpyType::kUint8
                                                               : NpyType::kFloat32;
  const auto typed = type == NpyType::kFloat32 ? values.to(torch::kFloat32) : values;
  write_npy(path, type, shape_of(typed), typed.data_ptr(),
            static_cast<std::size_t>(typed.numel()) * npy_type_size(type));
}

// The codes of `images` ([n, C, H, W] uint8), a slice at a time, in evaluation mode.
torch::Tensor encode_all(AutoencoderImpl& model, const torch::Tensor& images,
                         const torch::Device& device) {
  torch::NoGradGuard no_grad;
  model.eval();
  std::vector<torch::Tensor> codes;
  for (std::int64_t start = 0; start < images.size(0); start += kEvalBatchSize) {
    if (const int signal_number = StopSignalGuard::received())
      throw Interrupted(
          "stopped by " + signal_name(signal_number) + " while encoding; nothing was written",
          signal_number);
    const auto slice = images.narrow(0, start, std::min(kEvalBatchSize, images.size(0) - start));
    codes.push_back(model.encode(unit_floats(slice.to(device))).to(torch::kCPU));
  }
  return torch::cat(codes);
}

}  // namespace

WrittenFiles run_export(const fs::path& run_dir, const fs::path& out_dir,
                        const SavedRunOptions& saved) {
  require_finished_run(run_dir, "export");
  const RunLock lock(run_dir);  // no resume may replace the model meanwhile
  require_finished_run(run_dir, "export");
  const SavedRun run = reload_run(run_dir, saved, "data", ReloadData::kNo);
  const std::vector<std::string> names = {kStateDictFile, kArchitectureFile, kPythonLoaderFile};
  WrittenFiles written;
  written.folder = output_folder(run_dir, out_dir, kExportFolder, names, kArchitectureFile,
                                 "aebench-architecture");
  const auto bytes = torch::pickle_save(torch::IValue(state_dict(*run.model)));
  json architecture = describe_architecture(*run.model);
  architecture["run"] = fs::absolute(run_dir).lexically_normal().string();
  architecture["model"] = config_to_json(run.config).at("model");
  architecture["dataset"] = run.config.data.dataset;
  write_file_atomically(written.folder / kStateDictFile, std::string(bytes.begin(), bytes.end()));
  write_json_file(written.folder / kArchitectureFile, architecture);
  write_file_atomically(written.folder / kPythonLoaderFile, kPythonLoaderSource);
  written.files = names;
  return written;
}

WrittenFiles run_encode(const fs::path& run_dir, const EncodeRequest& request) {
  require_finished_run(run_dir, "encode");
  const StopSignalGuard stop_signals;
  const RunLock lock(run_dir);  // no resume may replace the model meanwhile
  require_finished_run(run_dir, "encode");
  const SavedRun run = reload_run(run_dir, request.saved, "data", ReloadData::kYes);
  const std::string split = split_name(request.split);
  std::vector<std::string> names = {kCodesRecordFile, split + "_codes.npy", split + "_labels.npy"};
  if (request.images) names.push_back(split + "_images.npy");
  WrittenFiles written;
  written.folder = output_folder(run_dir, request.out_dir, kCodesFolder, names, kCodesRecordFile,
                                 "aebench-codes");
  const Split& images = split_of(run.data, request.split);
  const torch::Tensor codes = encode_all(*run.model, images.images, run.context.device);
  write_tensor_npy(written.folder / names[1], codes);
  write_tensor_npy(written.folder / names[2], images.labels.to(torch::kInt64));
  if (request.images) write_tensor_npy(written.folder / names[3], images.images);
  json record = json::object();
  if (holds_marker(written.folder, kCodesRecordFile, "aebench-codes"))
    record = read_json_file(written.folder / kCodesRecordFile);
  record["format"] = "aebench-codes";
  record["splits"][split] = {
      {"run", fs::absolute(run_dir).lexically_normal().string()},
      {"images", images.size()},
      {"code_shape", run.model->code_shape()},
      {"dataset", run.config.data.dataset},
      {"overrides", request.saved.overrides},
      {"files", json(std::vector<std::string>(names.begin() + 1, names.end()))}};
  write_json_file(written.folder / kCodesRecordFile, record);
  written.files = names;
  return written;
}

}  // namespace aebench
