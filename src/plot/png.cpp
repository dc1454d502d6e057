#include "aebench/plot/png.h"

#include <stb_image_write.h>

#include <string>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/run_folder.h"

namespace aebench {
namespace {

void append_bytes(void* context, void* data, int size) {
  auto& bytes = *static_cast<std::string*>(context);
  bytes.append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

}  // namespace

void write_png(const std::filesystem::path& path, const Canvas& canvas) {
  // stbi_write_png() ignores the results of fwrite() and fclose(), so a full disk would go
  // unnoticed: encode in memory, then write with every call checked.
  std::string bytes;
  if (!stbi_write_png_to_func(append_bytes, &bytes, canvas.width(), canvas.height(), 3,
                              canvas.pixels().data(), canvas.width() * 3))
    throw OutputError("cannot write " + path.string() + ": PNG encoding failed");
  write_file_atomically(path, bytes);
}

}  // namespace aebench
