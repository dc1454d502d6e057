#pragma once
// A file the fuzz targets rewrite for every input, so the readers under test open a real file.
//
// One per process: /tmp/aebench_fuzz_<name>_<pid> is created and unlinked at once, and
// path() names it through /proc/self/fd, so nothing is left in /tmp however the process ends
// (a crash included) and parallel jobs never share a file. Linux only.

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace aebench::fuzz {

class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) {
    const std::string created = (std::filesystem::temp_directory_path() /
                                 ("aebench_fuzz_" + name + "_" + std::to_string(::getpid())))
                                    .string();
    descriptor_ = ::open(created.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (descriptor_ < 0 || ::unlink(created.c_str()) != 0) die(created.c_str());
    path_ = "/proc/self/fd/" + std::to_string(descriptor_);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile() { ::close(descriptor_); }

  // Replaces the whole content with `size` bytes at `data`.
  void write(const void* data, std::size_t size) const {
    if (::ftruncate(descriptor_, 0) != 0) die("ftruncate");
    const char* bytes = static_cast<const char*>(data);
    std::size_t done = 0;
    while (done < size) {
      const ssize_t written =
          ::pwrite(descriptor_, bytes + done, size - done, static_cast<off_t>(done));
      if (written <= 0) die("pwrite");
      done += static_cast<std::size_t>(written);
    }
  }

  const std::string& path() const { return path_; }

 private:
  [[noreturn]] static void die(const char* what) {
    std::perror(("fuzz: scratch file: " + std::string(what)).c_str());
    std::abort();
  }

  int descriptor_ = -1;
  std::string path_;
};

}  // namespace aebench::fuzz
