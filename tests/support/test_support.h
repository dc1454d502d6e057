#pragma once
// Helpers shared by the tests: scratch folders, synthetic IDX and CIFAR-10 datasets, running the
// binary.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aebench::testing {

// A fresh empty folder under the system temp folder, removed when the object goes away.
class ScratchFolder {
 public:
  explicit ScratchFolder(const std::string& tag);
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Big-endian IDX bytes.
std::vector<std::uint8_t> idx_images_bytes(std::uint32_t count, std::uint32_t rows,
                                           std::uint32_t cols,
                                           const std::vector<std::uint8_t>& pixels);
std::vector<std::uint8_t> idx_labels_bytes(const std::vector<std::uint8_t>& labels);
void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

// Writes the four MNIST-style files into `dir`: `train_count` and `test_count` 28x28 images of
// ten easily learned classes (class c is a bright bar at a class-specific place plus a little
// seeded jitter), labels cycling 0..9.
void write_synthetic_dataset(const std::filesystem::path& dir, int train_count, int test_count);

// CIFAR-10 binary records, one per label: the label byte, then 3072 pixel bytes (the red, green
// and blue planes of a 32x32 image, each row-major). Class c is a bar at a class-specific place
// in a class-specific colour on a dark background, with a little noise seeded by `seed`
// (the same labels and seed give the same bytes).
std::vector<std::uint8_t> cifar_batch_bytes(const std::vector<std::uint8_t>& labels, unsigned seed);

// Writes the six CIFAR-10 binary files into `dir`: `train_count` images spread over
// data_batch_1.bin .. data_batch_5.bin (as evenly as they go) and `test_count` in
// test_batch.bin, labels cycling 0..9.
void write_synthetic_cifar(const std::filesystem::path& dir, int train_count, int test_count);

// A small, fast config over a synthetic dataset in `data_dir`, writing to `out_dir`.
nlohmann::json tiny_config(const std::filesystem::path& data_dir,
                           const std::filesystem::path& out_dir);

// Runs build/aebench (found beside the test executable) with `arguments`; returns the exit
// code and fills `output` with stdout and stderr together.
int run_aebench(const std::string& arguments, std::string* output = nullptr);

// Runs the shell command `line` (stderr to stdout), keeping what it printed in `output`;
// returns its exit code.
int run_command(const std::string& line, std::string* output = nullptr);

// A sweep's base: synthetic data (100 train, 20 test images) in FOLDER/data and a tiny_config
// on it written to FOLDER/base.json, whose path it returns.
std::filesystem::path write_sweep_base(const std::filesystem::path& folder);

// The arguments of a two-point sweep of `base` (write_sweep_base) into `sweep`, one point at a
// time on one thread: "sweep BASE --grid model.latent=3,4 --out SWEEP --jobs 1 --threads 1",
// then `flags`.
std::string two_point_sweep(const std::filesystem::path& base, const std::filesystem::path& sweep,
                            const std::string& flags = "");

nlohmann::json read_json(const std::filesystem::path& path);

// The aebench binary beside the test executable.
std::filesystem::path aebench_binary();

// Starts aebench with `arguments` (output discarded) and returns its pid.
int spawn_aebench(const std::vector<std::string>& arguments);

// Waits for `pid`; its exit code, or 128 + signal when a signal ended it.
int wait_for_exit(int pid);

// Starts aebench with `arguments` (shell words after the binary), its stdout discarded and its
// stderr going to `log`; returns its pid.
int spawn_logged(const std::string& arguments, const std::filesystem::path& log);

// Waits until `log` holds `text`; false when process `pid` ended first (it stays waitable).
bool wait_for_text(int pid, const std::filesystem::path& log, const std::string& text);

// Exit code that ctest reports as "Skipped" (SKIP_RETURN_CODE in CMakeLists.txt).
inline constexpr int kSkipExitCode = 77;

// Ends the test executable with kSkipExitCode after printing why. Only for test cases that
// ctest runs on their own (hidden tags such as "[.cuda]"): it ends the whole executable.
[[noreturn]] void skip_test(const std::string& reason);

// Lines of a text file.
std::vector<std::string> read_lines(const std::filesystem::path& path);

// Rows of a run's metrics.csv without the timing column (the last), which differs run to run.
std::vector<std::string> metric_rows(const std::filesystem::path& path);

// A file's bytes as a string ("" when it cannot be read).
std::string file_contents(const std::filesystem::path& path);

// Writes `text` to `path` as it is, creating the folders above it.
void write_text(const std::filesystem::path& path, const std::string& text);

// How many times `part` occurs in `text` (overlapping occurrences included).
std::size_t count_of(const std::string& text, const std::string& part);

// `path` in single quotes, for a shell command line.
std::string shell_quoted(const std::filesystem::path& path);

}  // namespace aebench::testing
