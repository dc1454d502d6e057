#pragma once
// PNG writing through stb_image_write. Free of LibTorch.

#include <filesystem>

#include "aebench/plot/canvas.h"

namespace aebench {

// Writes `canvas` as an 8-bit RGB PNG. Throws OutputError naming the path when it cannot be
// written. The file is written to a temporary name in the same folder and renamed into
// place, so a reader never sees a half-written picture.
void write_png(const std::filesystem::path& path, const Canvas& canvas);

}  // namespace aebench
