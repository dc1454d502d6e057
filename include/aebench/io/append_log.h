#pragma once
// A text log that a run appends to line by line (RUN_DIR/train.log): each line starts with its
// UTC time, is written whole at once (O_APPEND) and never through a symbolic link (a link at
// its name is refused, run_folder.h). Free of LibTorch.

#include <filesystem>
#include <string>

namespace aebench {

// Opens (creates) `path` for appending and returns its descriptor: never through a symbolic
// link (refused), and only a regular file (a FIFO there would block the writer forever, a
// device take what is written): anything else is an OutputError naming `what` and the path.
// A file with other hard links (a snapshot made with `cp -al`) is first replaced by a copy of
// its own, so that appending never changes the other names' contents.
int open_append_file(const std::filesystem::path& path, const std::string& what);

class AppendLog {
 public:
  // Opens (creates) `path` for appending. Throws OutputError naming it when it cannot.
  explicit AppendLog(const std::filesystem::path& path);
  ~AppendLog();
  AppendLog(const AppendLog&) = delete;
  AppendLog& operator=(const AppendLog&) = delete;

  // "2026-12-06T21:00:00Z TEXT\n". A failed write (a full disk) is not the run's failure: the
  // checkpoint that follows reports it; the log goes on with the next line.
  void line(const std::string& text);

 private:
  int descriptor_ = -1;
};

}  // namespace aebench
