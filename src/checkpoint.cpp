#include "aebench/checkpoint.h"

#include <fstream>
#include <sstream>

#include "aebench/errors.h"
#include "aebench/run_folder.h"

namespace aebench {
namespace {

constexpr char kFormatKey[] = "aebench_format_version";
constexpr char kConfigKey[] = "aebench_config";

std::string read_whole_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    throw DataError(path.string() + ": expected a checkpoint file, found none; train the run "
                    "first (aebench train)");
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << stream.rdbuf();
  if (!stream && !stream.eof()) throw DataError(path.string() + ": cannot read the checkpoint");
  return bytes.str();
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, AutoencoderImpl& model,
                     const nlohmann::json& resolved_config) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  archive.write(kFormatKey, c10::IValue(static_cast<std::int64_t>(kRunFormatVersion)));
  archive.write(kConfigKey, c10::IValue(resolved_config.dump()));
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path, bytes.str());
}

void load_checkpoint(const std::filesystem::path& path, AutoencoderImpl& model) {
  const std::string bytes = read_whole_file(path);
  try {
    std::istringstream stream(bytes);
    torch::serialize::InputArchive archive;
    archive.load_from(stream, model.parameters().empty() ? torch::kCPU
                                                         : model.parameters().front().device());
    c10::IValue version;
    if (!archive.try_read(kFormatKey, version) || !version.isInt())
      throw DataError(path.string() + ": expected an aebench checkpoint, found no format version");
    if (version.toInt() != kRunFormatVersion)
      throw DataError(path.string() + ": expected checkpoint format " +
                      std::to_string(kRunFormatVersion) + ", found " +
                      std::to_string(version.toInt()));
    model.load(archive);
  } catch (const c10::Error& error) {
    // LibTorch's message spans many lines; its first line says what went wrong.
    const std::string reason = error.what_without_backtrace();
    throw DataError(path.string() + ": expected a checkpoint matching config.json, found a file "
                    "LibTorch cannot load (" + reason.substr(0, reason.find('\n')) + ")");
  }
}

}  // namespace aebench
