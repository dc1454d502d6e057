#include "aebench/train/checkpoint.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "aebench/data/shape_text.h"
#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"

namespace aebench {
namespace {

using nlohmann::json;

constexpr char kFormatKey[] = "aebench_format_version";
constexpr char kConfigKey[] = "aebench_config";
constexpr char kProgressKey[] = "aebench_progress";

// The whole file, read only once its header says the size is right: a 20 GB sparse file in a
// checkpoint's place is refused after 20 bytes, not after filling memory.
std::string read_whole_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    struct stat info {};
    throw DataError(path.string() + ": expected a checkpoint file, found " +
                    (::stat(path.c_str(), &info) == 0 ? file_kind_name(info.st_mode) : "none"));
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream.is_open())  // unreadable (Permission denied): a good file, not "other content"
    throw DataError(path.string() + ": cannot read the checkpoint (" + std::strerror(errno) + ")");
  std::string header(kCheckedHeaderBytes, '\0');
  stream.read(header.data(), static_cast<std::streamsize>(header.size()));
  header.resize(static_cast<std::size_t>(std::max<std::streamsize>(stream.gcount(), 0)));
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw DataError(path.string() + ": cannot read the checkpoint: " + error.message());
  check_checked_header(header, size, path.string());
  const RegularFileText file = read_regular_file(path, static_cast<std::size_t>(size));
  if (!file.ok())
    throw DataError(path.string() + ": cannot read the checkpoint: " + file.problem());
  return file.bytes;
}

void write_archive(const std::filesystem::path& path, torch::serialize::OutputArchive& archive,
                   const json& resolved_config) {
  archive.write(kFormatKey, c10::IValue(static_cast<std::int64_t>(kRunFormatVersion)));
  archive.write(kConfigKey, c10::IValue(resolved_config.dump()));
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path, wrap_checked(bytes.str()));
}

// Runs `read` on the verified archive of `path`, turning LibTorch's errors into DataErrors.
template <typename Read>
void read_archive(const std::filesystem::path& path, const torch::Device& device, Read read) {
  std::istringstream stream(unwrap_checked(read_whole_file(path), path.string()));
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(stream, device);
    c10::IValue version;
    if (!archive.try_read(kFormatKey, version) || !version.isInt())
      throw DataError(path.string() + ": expected an aebench checkpoint, found no format version");
    if (version.toInt() != kRunFormatVersion)
      throw DataError(path.string() + ": expected checkpoint format " +
                      std::to_string(kRunFormatVersion) + ", found " +
                      std::to_string(version.toInt()));
    read(archive);
  } catch (const c10::Error& error) {
    // LibTorch's message spans many lines; its first says what went wrong.
    const std::string reason = error.what_without_backtrace();
    throw DataError(path.string() +
                    ": expected a checkpoint matching the config, found one "
                    "LibTorch cannot load (" +
                    reason.substr(0, reason.find('\n')) + ")");
  }
}

// Where tensors read from an archive go: the model's device (LibTorch would otherwise move
// the parameters to wherever the archive was loaded).
torch::Device device_of(const AutoencoderImpl& model) {
  const auto parameters = model.parameters();
  return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

std::string read_string(torch::serialize::InputArchive& archive, const char* key) {
  c10::IValue value;
  archive.read(key, value);
  return value.toStringRef();
}

// LibTorch's Module::load replaces tensors whatever their shape, so a checkpoint of another
// architecture would load "successfully": compare every shape before trusting it.
void load_module_checked(AutoencoderImpl& model, torch::serialize::InputArchive& archive,
                         const std::filesystem::path& path) {
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> expected;
  for (const auto& item : model.named_parameters())
    expected.push_back({item.key(), item.value().sizes().vec()});
  model.load(archive);
  std::size_t i = 0;
  for (const auto& item : model.named_parameters()) {
    if (item.value().sizes().vec() != expected.at(i++).second)
      throw DataError(path.string() + ": expected " + item.key() + " of shape " +
                      shape_text(torch::empty(expected.at(i - 1).second)) + ", found " +
                      shape_text(item.value()) + " (the checkpoint is of another model)");
  }
}

json progress_to_json(const TrainingProgress& progress) {
  json history = json::array();
  for (const auto& r : progress.history)
    history.push_back(
        r.has_elbo()
            ? json{r.epoch, r.train_loss, r.val_loss, r.val_mse, r.val_psnr_db, r.seconds, r.lr,
                   r.val_reconstruction, r.val_kl}
            : json{r.epoch, r.train_loss, r.val_loss, r.val_mse, r.val_psnr_db, r.seconds, r.lr});
  const auto& plateau = progress.plateau;
  return {{"epochs_done", progress.epochs_done},
          {"history", history},
          {"best_val_loss", progress.best_val_loss},
          {"best_epoch", progress.best_epoch},
          {"stale_epochs", progress.stale_epochs},
          {"batches_done", progress.batches_done},
          {"epoch_loss_sum", progress.epoch_loss_sum},
          {"best_weights", progress.best_weights.size()},
          {"summary_extras", progress.summary_extras},
          {"plateau",
           {{"scale", plateau.scale},
            {"best_val_loss", plateau.best_val_loss},
            {"has_best", plateau.has_best},
            {"stale_epochs", plateau.stale_epochs}}}};
}

TrainingProgress progress_from_json(const json& document) {
  TrainingProgress progress;
  progress.epochs_done = document.at("epochs_done");
  for (const auto& row : document.at("history")) {
    EpochRecord record{row.at(0),
                       row.at(1),
                       row.at(2),
                       row.at(3),
                       row.at(4),
                       row.at(5),
                       row.size() > 6 ? row.at(6).get<double>() : 0.0};
    if (row.size() > 8) {  // a variational model's ELBO terms
      record.val_reconstruction = row.at(7);
      record.val_kl = row.at(8);
    }
    progress.history.push_back(record);
  }
  progress.best_val_loss = document.at("best_val_loss");
  progress.best_epoch = document.at("best_epoch");
  progress.stale_epochs = document.at("stale_epochs");
  progress.batches_done = document.at("batches_done");
  progress.epoch_loss_sum = document.at("epoch_loss_sum");
  progress.best_weights.resize(document.at("best_weights").get<std::size_t>());
  progress.summary_extras =
      document.value("summary_extras", json());  // absent in older checkpoints
  if (document.contains("plateau")) {
    const auto& plateau = document.at("plateau");
    progress.plateau = {plateau.at("scale"), plateau.at("best_val_loss"), plateau.at("has_best"),
                        plateau.at("stale_epochs")};
  }
  return progress;
}

}  // namespace

void save_model(const std::filesystem::path& path, AutoencoderImpl& model,
                const json& resolved_config) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  write_archive(path, archive, resolved_config);
}

void load_model(const std::filesystem::path& path, AutoencoderImpl& model) {
  read_archive(path, device_of(model), [&](torch::serialize::InputArchive& archive) {
    load_module_checked(model, archive, path);
  });
}

void save_training_checkpoint(const std::filesystem::path& path, AutoencoderImpl& model,
                              torch::optim::Optimizer& optimizer, const TrainingProgress& progress,
                              const json& resolved_config) {
  torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
  model.save(model_archive);
  optimizer.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write(kProgressKey, c10::IValue(progress_to_json(progress).dump()));
  archive.write("shuffle_state", progress.shuffle_state);
  archive.write("default_cpu_state", progress.default_cpu_state);
  for (std::size_t i = 0; i < progress.best_weights.size(); ++i)
    archive.write("best." + std::to_string(i), progress.best_weights[i]);
  write_archive(path, archive, resolved_config);
}

json read_checkpoint_config(const std::filesystem::path& path) {
  json config;
  read_archive(path, torch::kCPU, [&](torch::serialize::InputArchive& archive) {
    config = json::parse(read_string(archive, kConfigKey));
  });
  return config;
}

CheckpointHeader read_checkpoint_header(const std::filesystem::path& path) {
  CheckpointHeader header;
  read_archive(path, torch::kCPU, [&](torch::serialize::InputArchive& archive) {
    header.config = json::parse(read_string(archive, kConfigKey));
    header.summary_extras =
        json::parse(read_string(archive, kProgressKey)).value("summary_extras", json());
  });
  return header;
}

LoadedCheckpoint load_training_checkpoint(const std::filesystem::path& path, AutoencoderImpl& model,
                                          torch::optim::Optimizer& optimizer) {
  LoadedCheckpoint loaded;
  read_archive(path, device_of(model), [&](torch::serialize::InputArchive& archive) {
    torch::serialize::InputArchive model_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    load_module_checked(model, model_archive, path);
    optimizer.load(optimizer_archive);
    loaded.config = json::parse(read_string(archive, kConfigKey));
    loaded.progress = progress_from_json(json::parse(read_string(archive, kProgressKey)));
    archive.read("shuffle_state", loaded.progress.shuffle_state);
    archive.read("default_cpu_state", loaded.progress.default_cpu_state);
    // Generator states live on the CPU whatever the model's device.
    loaded.progress.shuffle_state = loaded.progress.shuffle_state.to(torch::kCPU);
    loaded.progress.default_cpu_state = loaded.progress.default_cpu_state.to(torch::kCPU);
    for (std::size_t i = 0; i < loaded.progress.best_weights.size(); ++i)
      archive.read("best." + std::to_string(i), loaded.progress.best_weights[i]);
  });
  return loaded;
}

}  // namespace aebench
