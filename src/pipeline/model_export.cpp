#include "aebench/pipeline/model_export.h"

#include <caffe2/serialize/inline_container.h>
#include <sys/stat.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <torch/torch.h>

#include <optional>
#include <set>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/npy_file.h"
#include "aebench/io/output_folder.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_artefacts.h"
#include "aebench/io/stop_signal.h"
#include "aebench/models/architecture.h"
#include "aebench/pipeline/python_loader.h"
#include "aebench/train/metrics.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const OutputKind kExportKind{kArchitectureFile, "aebench-architecture"};
const OutputKind kCodesKind{kCodesRecordFile, "aebench-codes"};

// Where the files go: `out_dir`, held by an OutputFolder (made, locked, a user's files of these
// names refused), or else `default_name` inside the run folder, whose lock the caller holds
// (made part by part, never through a link, when the first file is written: a command stopped
// before that leaves no empty folder).
struct Destination {
  std::optional<OutputFolder> chosen;
  fs::path folder;
  fs::path run_dir;                 // with `subfolder`: the run folder it is made in
  const char* subfolder = nullptr;  // the run's own subfolder, not made yet
  const fs::path& ready() {
    if (subfolder != nullptr) folder = make_real_subfolder(run_dir, subfolder);
    subfolder = nullptr;
    return folder;
  }
};
void choose_destination(Destination& destination, const fs::path& run_dir, const fs::path& out_dir,
                        const char* default_name, const std::vector<std::string>& names,
                        const OutputKind& kind) {
  std::error_code error;
  // "RUN/export/" names the folder "RUN/export" does: compared without a trailing separator.
  const auto folder_of = [&](const fs::path& path) {
    const fs::path canonical = fs::weakly_canonical(fs::absolute(path), error);
    return canonical.filename().empty() ? canonical.parent_path() : canonical;
  };
  const bool named_default =
      !out_dir.empty() && folder_of(out_dir) == folder_of(run_dir / default_name);
  if (out_dir.empty() || named_default) {  // the run's own subfolder, under the run's lock
    std::vector<std::string> inside;
    for (const auto& name : names) inside.push_back(std::string(default_name) + "/" + name);
    refuse_unreplaceable_names(run_dir, inside, "run folder " + run_dir.string());
    refuse_unwritable_places(run_dir, inside, "run folder " + run_dir.string());
    destination.folder = run_dir / default_name;
    destination.run_dir = run_dir;
    destination.subfolder = default_name;
    remove_leftovers(run_dir);  // the run's lock is held: no writer of ours is there
    return;
  }
  destination.chosen.emplace(out_dir, names, kind, "--out");
  destination.folder = out_dir;
  remove_leftovers(out_dir);  // a killed export's temporaries (aebench's names only)
}

// `tensors` in the archive torch.save writes (a zip of data.pkl and one file per tensor), the
// dict pickled plain: torch::pickle_save tags it with torch.jit._pickle.restore_type_tag, which
// torch.load refuses by default since PyTorch 2.6 (weights_only=True).
std::string state_dict_archive(const c10::Dict<std::string, torch::Tensor>& tensors) {
  std::string pickle;
  torch::jit::Pickler pickler(
      [&](const char* bytes, std::size_t size) { pickle.append(bytes, size); }, nullptr, nullptr,
      nullptr, nullptr, /*tag_aggregates=*/false);
  pickler.protocol();
  pickler.pushIValue(torch::IValue(tensors));
  pickler.stop();
  std::string archive;
  caffe2::serialize::PyTorchStreamWriter writer([&](const void* bytes, std::size_t size) {
    archive.append(static_cast<const char*>(bytes), size);
    return size;
  });
  torch::jit::writeArchiveAndTensors("data", pickle.data(), pickle.size(), pickler.tensorData(),
                                     writer);
  writer.writeEndOfFile();
  return archive;
}

std::vector<std::int64_t> tensor_shape(const torch::Tensor& tensor) {
  return {tensor.sizes().begin(), tensor.sizes().end()};
}

void write_tensor_npy(const fs::path& path, const torch::Tensor& tensor) {
  const auto values = tensor.to(torch::kCPU).contiguous();
  const NpyType type = values.scalar_type() == torch::kFloat64 ? NpyType::kFloat64
                       : values.scalar_type() == torch::kInt64 ? NpyType::kInt64
                       : values.scalar_type() == torch::kUInt8 ? NpyType::kUint8
                                                               : NpyType::kFloat32;
  const auto typed = type == NpyType::kFloat32 ? values.to(torch::kFloat32) : values;
  write_npy(path, type, tensor_shape(typed), typed.data_ptr(),
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
  require_run_folder(run_dir, "export");  // not in use, before reading anything of it
  require_finished_run(run_dir, "export");
  // A stop before the first file leaves nothing; once writing, the three files are finished (a
  // few milliseconds), so that no half export is left that a new one would refuse.
  const StopSignalGuard stop_signals;
  const RunLock lock(run_dir);  // no resume may replace the model meanwhile
  require_finished_run(run_dir, "export");
  const SavedRun run = reload_run(run_dir, saved, "data", ReloadData::kNo);
  const std::vector<std::string> names = {kStateDictFile, kArchitectureFile, kPythonLoaderFile};
  Destination destination;
  choose_destination(destination, run_dir, out_dir, kExportFolder, names, kExportKind);
  WrittenFiles written;
  const std::string bytes = state_dict_archive(state_dict(*run.model));
  json architecture = describe_architecture(*run.model);
  architecture["run"] = fs::absolute(run_dir).lexically_normal().string();
  architecture["model"] = config_to_json(run.config).at("model");
  architecture["dataset"] = run.config.data.dataset;
  if (const int signal_number = StopSignalGuard::received())
    throw Interrupted(
        "stopped by " + signal_name(signal_number) + " while exporting; nothing was written",
        signal_number);
  lock.require_held();  // a run folder moved or replaced meanwhile is not written into
  written.folder = destination.ready();
  write_file_atomically(written.folder / kStateDictFile, bytes);
  write_json_file(written.folder / kArchitectureFile, architecture);
  write_file_atomically(written.folder / kPythonLoaderFile, kPythonLoaderSource);
  written.files = names;
  return written;
}

namespace {

constexpr const char* kSplitFileKinds[] = {"_codes.npy", "_labels.npy", "_images.npy"};

// The files an earlier encode wrote into a folder, by its codes.json `record`: each split's
// "files" (a split of an earlier version, without that list: its codes and labels).
std::set<std::string> listed_codes_files(const json& record) {
  std::set<std::string> listed;
  if (!record.is_object() || !record.contains("splits") || !record["splits"].is_object())
    return listed;
  for (const auto& [split, entry] : record["splits"].items()) {
    const json files = entry.is_object() ? entry.value("files", json()) : json();
    if (!files.is_array()) {
      listed.insert({split + "_codes.npy", split + "_labels.npy"});
      continue;
    }
    for (const auto& file : files)
      if (file.is_string()) listed.insert(file.get<std::string>());
  }
  return listed;
}

// Which files of the codes folder encode may replace or remove: in the run's own codes/, every
// file of aebench's names (a result folder of the run); in an --out folder, only those an earlier
// encode wrote there (listed in its codes.json), never a user's file of such a name.
struct CodesFiles {
  bool run_folder = false;
  std::set<std::string> listed;
  bool ours(const std::string& name) const { return run_folder || listed.count(name) > 0; }
};

// Before any work: a file of a name this encode writes that an earlier encode did not write is
// a user's (an --out folder gathers them): refused, naming it.
void refuse_unlisted_files(const fs::path& folder, const std::vector<std::string>& names,
                           const CodesFiles& files) {
  for (const auto& name : names) {
    struct stat info {};
    if (files.ours(name) || ::lstat((folder / name).c_str(), &info) != 0) continue;
    throw OutputError("--out " + folder.string() + ": " + name +
                      " is there, but no earlier encode wrote it (codes.json does not list it): "
                      "a file of the user's; move it away, or use another --out");
  }
}

// Codes of another model (copied in, or of a model since replaced) do not go on beside this
// one's: the splits an earlier codes.json does not name as this model's (all but the one just
// written) are removed, as aebench's names, and dropped from the record.
void drop_other_models_splits(const fs::path& folder, json& record, const std::string& model_crc,
                              const std::string& written_split, const CodesFiles& files) {
  if (!record.is_object() || !record.contains("splits") || !record["splits"].is_object()) return;
  std::vector<std::string> others;
  for (const auto& [name, entry] : record["splits"].items())
    if (name != written_split &&
        (!entry.is_object() || entry.value("model_crc32", json()) != json(model_crc)))
      others.push_back(name);
  for (const auto& name : others) {
    record["splits"].erase(name);
    if (name != "train" && name != "val" && name != "test") continue;  // no file of ours
    std::error_code error;
    for (const char* kind : kSplitFileKinds)
      if (files.ours(name + kind)) fs::remove(folder / (name + kind), error);  // links as names
  }
}

}  // namespace

WrittenFiles run_encode(const fs::path& run_dir, const EncodeRequest& request) {
  require_run_folder(run_dir, "encode");  // not in use, before reading anything of it
  require_finished_run(run_dir, "encode");
  const StopSignalGuard stop_signals;
  const RunLock lock(run_dir);  // no resume may replace the model meanwhile
  require_finished_run(run_dir, "encode");
  const SavedRun run = reload_run(run_dir, request.saved, "data", ReloadData::kYes);
  const std::string split = split_name(request.split);
  std::vector<std::string> names = {kCodesRecordFile, split + "_codes.npy", split + "_labels.npy"};
  if (request.images) names.push_back(split + "_images.npy");
  Destination destination;
  choose_destination(destination, run_dir, request.out_dir, kCodesFolder, names, kCodesKind);
  json record = json::object();
  if (holds_output_marker(destination.folder, kCodesKind))
    record = read_json_file(destination.folder / kCodesRecordFile);
  CodesFiles files;
  files.run_folder = !destination.chosen.has_value();
  files.listed = listed_codes_files(record);
  refuse_unlisted_files(destination.folder, {names.begin() + 1, names.end()}, files);
  WrittenFiles written;
  written.notes = run.notes;
  const Split& images = split_of(run.data, request.split);
  const torch::Tensor codes = encode_all(*run.model, images.images, run.context.device);
  lock.require_held();  // a run folder moved or replaced meanwhile is not written into
  written.folder = destination.ready();
  write_tensor_npy(written.folder / names[1], codes);
  write_tensor_npy(written.folder / names[2], images.labels.to(torch::kInt64));
  const std::string images_name = split + "_images.npy";
  if (request.images) {
    write_tensor_npy(written.folder / images_name, images.images);
  } else if (files.ours(images_name)) {
    // An earlier encode's images would no longer match these codes row for row.
    std::error_code error;
    fs::remove(written.folder / images_name, error);
  }
  const std::string model_crc = checked_file_crc(run_dir / kModelFile);
  // In the run's own codes/ every split is this model's; an --out folder may gather runs.
  std::error_code same_error;
  if (fs::equivalent(written.folder, run_dir / kCodesFolder, same_error))
    drop_other_models_splits(written.folder, record, model_crc, split, files);
  record["format"] = "aebench-codes";
  record["splits"][split] = {
      {"run", fs::absolute(run_dir).lexically_normal().string()},
      {"model_crc32", model_crc},
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
