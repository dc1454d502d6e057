#include "aebench/io/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "aebench/errors.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throw_os_error(const std::string& action, const fs::path& path) {
  throw OutputError("cannot " + action + " " + path.string() + ": " + std::strerror(errno));
}

void write_all(int descriptor, const std::string& contents, const fs::path& path) {
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t count = ::write(descriptor, contents.data() + written, contents.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) throw_os_error("write", path);
    written += static_cast<std::size_t>(count);
  }
}

// A rename is only durable once the folder entry itself is on disk.
void sync_folder(const fs::path& folder) {
  const int descriptor = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (descriptor < 0) return;  // some file systems do not allow it; the data is still synced
  ::fsync(descriptor);
  ::close(descriptor);
}

bool is_leftover(const fs::path& file) {
  return file.filename().string().find(".tmp-") != std::string::npos;
}

bool holds_something(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.path().filename() != kLockFile && !is_leftover(entry.path())) return true;
  return false;
}

std::string csv_row(const EpochRecord& record) {
  std::ostringstream line;
  line << record.epoch << ',' << std::setprecision(9) << record.train_loss << ','
       << record.val_loss << ',' << record.val_mse << ',' << record.val_psnr_db << ','
       << std::setprecision(4) << record.seconds << '\n';
  return line.str();
}

}  // namespace

RunLock::RunLock(const fs::path& dir) {
  std::error_code error;
  if (fs::exists(dir, error) && !fs::is_directory(dir, error))
    throw OutputError("run folder " + dir.string() + ": expected a folder, found a file");
  fs::create_directories(dir, error);
  if (error) throw OutputError("cannot create run folder " + dir.string() + ": " + error.message());
  const fs::path path = dir / kLockFile;
  descriptor_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (descriptor_ < 0) throw_os_error("create the lock file", path);
  if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
    ::close(descriptor_);
    throw OutputError("run folder " + dir.string() +
                      " is in use by another aebench process; wait for it or use --out DIR");
  }
}

RunLock::~RunLock() {
  ::flock(descriptor_, LOCK_UN);
  ::close(descriptor_);
}

void prepare_run_folder(const fs::path& dir, bool overwrite) {
  if (!holds_something(dir)) return;
  if (!overwrite)
    throw OutputError("run folder " + dir.string() +
                      " is not empty; pass --resume to continue its run, --overwrite to replace "
                      "it, or --out DIR to write elsewhere");
  std::error_code error;
  for (const char* name : {kConfigFile, kMetricsFile, kSummaryFile, kModelFile, kCheckpointFile,
                           kLossCurveFile, kReconstructionsFile, kBottleneckFile, kWeightsFile,
                           kEmbeddingFile})
    fs::remove(dir / name, error);
  fs::remove_all(dir / "eval", error);
  fs::remove_all(dir / kProbeFolder, error);
}

void remove_leftovers(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (is_leftover(entry.path())) fs::remove(entry.path(), error);
}

void write_file_atomically(const fs::path& path, const std::string& contents) {
  const fs::path temporary = path.string() + ".tmp-" + std::to_string(::getpid());
  const int descriptor = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (descriptor < 0) throw_os_error("create", temporary);
  try {
    write_all(descriptor, contents, temporary);
    if (::fsync(descriptor) != 0) throw_os_error("sync", temporary);
  } catch (...) {
    ::close(descriptor);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::close(descriptor) != 0) {
    ::unlink(temporary.c_str());
    throw_os_error("close", temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    throw_os_error("rename into", path);
  }
  sync_folder(path.parent_path());
}

void write_json_file(const fs::path& path, const nlohmann::json& value) {
  write_file_atomically(path, value.dump(2) + "\n");
}

void write_json_file(const fs::path& path, const nlohmann::ordered_json& value) {
  write_file_atomically(path, value.dump(2) + "\n");
}

MetricsCsv::MetricsCsv(const fs::path& path, const std::vector<EpochRecord>& history)
    : path_(path) {
  std::string contents = "epoch,train_loss,val_loss,val_mse,val_psnr_db,seconds\n";
  for (const auto& record : history) contents += csv_row(record);
  write_file_atomically(path_, contents);
  stream_.open(path_, std::ios::app);
  if (!stream_) throw_os_error("open", path_);
}

void MetricsCsv::append(const EpochRecord& record) {
  stream_ << csv_row(record) << std::flush;
  if (!stream_) throw OutputError("cannot append to " + path_.string() + ": write failed");
}

}  // namespace aebench
