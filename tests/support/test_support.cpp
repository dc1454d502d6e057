#include "support/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <thread>

namespace aebench::testing {
namespace fs = std::filesystem;

ScratchFolder::ScratchFolder(const std::string& tag) {
  static int counter = 0;
  path_ = fs::temp_directory_path() / ("aebench-test-" + tag + "-" + std::to_string(::getpid()) +
                                       "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

namespace {
void put_u32(std::vector<std::uint8_t>& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(std::uint8_t(value >> shift));
}
}  // namespace

std::vector<std::uint8_t> idx_images_bytes(std::uint32_t count, std::uint32_t rows,
                                           std::uint32_t cols,
                                           const std::vector<std::uint8_t>& pixels) {
  std::vector<std::uint8_t> bytes;
  for (std::uint32_t value : {2051u, count, rows, cols}) put_u32(bytes, value);
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  return bytes;
}

std::vector<std::uint8_t> idx_labels_bytes(const std::vector<std::uint8_t>& labels) {
  std::vector<std::uint8_t> bytes;
  put_u32(bytes, 2049u);
  put_u32(bytes, std::uint32_t(labels.size()));
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream stream(path, std::ios::binary);
  stream.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!stream) throw std::runtime_error("cannot write " + path.string());
}

namespace {
void write_split(const fs::path& dir, const std::string& split, int count, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> jitter(0, 1);
  std::vector<std::uint8_t> pixels(std::size_t(count) * 784, 0), labels;
  for (int i = 0; i < count; ++i) {
    const int label = i % 10;
    labels.push_back(std::uint8_t(label));
    // class c: a 4-pixel-thick bar, horizontal for even c and vertical for odd c
    const int offset = 2 + (label / 2) * 5 + jitter(generator);
    for (int a = 0; a < 4; ++a)
      for (int b = 4; b < 24; ++b) {
        const int row = label % 2 == 0 ? offset + a : b, col = label % 2 == 0 ? b : offset + a;
        pixels[std::size_t(i) * 784 + row * 28 + col] = 255;
      }
  }
  write_bytes(dir / (split + "-images-idx3-ubyte"), idx_images_bytes(count, 28, 28, pixels));
  write_bytes(dir / (split + "-labels-idx1-ubyte"), idx_labels_bytes(labels));
}
}  // namespace

void write_synthetic_dataset(const fs::path& dir, int train_count, int test_count) {
  fs::create_directories(dir);
  write_split(dir, "train", train_count, 1);
  write_split(dir, "t10k", test_count, 2);
}

std::vector<std::uint8_t> cifar_batch_bytes(const std::vector<std::uint8_t>& labels,
                                            unsigned seed) {
  constexpr int kSide = 32, kPlane = kSide * kSide;
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> noise(0, 24);
  std::vector<std::uint8_t> bytes;
  for (const std::uint8_t label : labels) {
    bytes.push_back(label);
    std::vector<std::uint8_t> image(3 * kPlane);
    for (auto& value : image) value = std::uint8_t(noise(generator));
    // Colour from the class's bits (never black), a bar horizontal for even and vertical for
    // odd classes, at a place that depends on the class.
    const int colour = label % 7 + 1;
    const int offset = 3 + (label / 2) * 5;
    for (int a = 0; a < 5; ++a)
      for (int b = 4; b < 28; ++b) {
        const int row = label % 2 == 0 ? offset + a : b, col = label % 2 == 0 ? b : offset + a;
        for (int channel = 0; channel < 3; ++channel)
          if (colour & (1 << channel)) image[channel * kPlane + row * kSide + col] = 255;
      }
    bytes.insert(bytes.end(), image.begin(), image.end());
  }
  return bytes;
}

void write_synthetic_cifar(const fs::path& dir, int train_count, int test_count) {
  fs::create_directories(dir);
  int written = 0;
  for (int batch = 1; batch <= 5; ++batch) {
    const int count = (train_count * batch) / 5 - written;
    std::vector<std::uint8_t> labels;
    for (int i = 0; i < count; ++i) labels.push_back(std::uint8_t((written + i) % 10));
    write_bytes(dir / ("data_batch_" + std::to_string(batch) + ".bin"),
                cifar_batch_bytes(labels, unsigned(batch)));
    written += count;
  }
  std::vector<std::uint8_t> labels;
  for (int i = 0; i < test_count; ++i) labels.push_back(std::uint8_t(i % 10));
  write_bytes(dir / "test_batch.bin", cifar_batch_bytes(labels, 7));
}

nlohmann::json tiny_config(const fs::path& data_dir, const fs::path& out_dir) {
  return {{"name", "tiny"},
          {"seed", 3},
          {"data", {{"dataset", "mnist"}, {"dir", data_dir.string()}}},
          {"model", {{"type", "dense"}, {"hidden", {32}}, {"latent", 16}}},
          {"train", {{"epochs", 3}, {"batch_size", 32}, {"lr", 0.003}}},
          {"output", {{"dir", out_dir.string()}, {"images", 6}}},
          {"threads", 1}};
}

fs::path aebench_binary() {
  return fs::read_symlink("/proc/self/exe").parent_path() / "aebench";
}

int spawn_aebench(const std::vector<std::string>& arguments) {
  const std::string binary = aebench_binary().string();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_for_exit(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int spawn_logged(const std::string& arguments, const fs::path& log) {
  std::ofstream(log, std::ios::trunc).flush();  // empty before the child starts: no stale text
  const std::string command = "exec " + shell_quoted(aebench_binary()) + " " + arguments +
                              " >/dev/null 2>" + shell_quoted(log);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

bool wait_for_text(int pid, const fs::path& log, const std::string& text) {
  for (;;) {
    if (file_contents(log).find(text) != std::string::npos) return true;
    siginfo_t info{};
    if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
      return file_contents(log).find(text) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream stream(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> metric_rows(const fs::path& path) {
  auto rows = read_lines(path);
  for (auto& row : rows) row = row.substr(0, row.rfind(','));
  return rows;
}

std::string file_contents(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(stream), {});
}

void write_text(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

std::string shell_quoted(const fs::path& path) {
  return "'" + path.string() + "'";
}

fs::path write_sweep_base(const fs::path& folder) {
  write_synthetic_dataset(folder / "data", 100, 20);
  const fs::path base = folder / "base.json";
  std::ofstream(base) << tiny_config(folder / "data", folder / "unused").dump(2);
  return base;
}

std::string two_point_sweep(const fs::path& base, const fs::path& sweep, const std::string& flags) {
  return "sweep " + shell_quoted(base) + " --grid model.latent=3,4 --out " + shell_quoted(sweep) +
         " --jobs 1 --threads 1" + flags;
}

int run_aebench(const std::string& arguments, std::string* output) {
  return run_command(shell_quoted(aebench_binary()) + " " + arguments, output);
}

int run_command(const std::string& line, std::string* output) {
  const std::string command = line + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string text;
  std::array<char, 4096> buffer{};
  while (std::size_t count = std::fread(buffer.data(), 1, buffer.size(), pipe))
    text.append(buffer.data(), count);
  const int status = ::pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream stream(path);
  if (!stream) throw std::runtime_error("cannot open " + path.string());
  return nlohmann::json::parse(stream);
}

void skip_test(const std::string& reason) {
  std::cout << "SKIPPED: " << reason << std::endl;
  std::exit(kSkipExitCode);
}

}  // namespace aebench::testing
