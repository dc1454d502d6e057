// libFuzzer target for the IDX reader (src/data/idx.cpp). Build and run: bash scripts/fuzz.sh.
//
// Each input is parsed as decompressed bytes (parse_idx_images, parse_idx_labels) and read as
// a file on disk (read_idx_images, read_idx_labels), so gzip input goes through the
// magic-byte detection and gunzip. A DataError is an expected outcome; any other exception,
// a sanitizer report or a broken invariant below is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "aebench/data/idx.h"
#include "aebench/errors.h"
#include "scratch_file.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

[[noreturn]] void invariant_failed(const char* what) {
  std::fprintf(stderr, "fuzz_idx: invariant broken: %s\n", what);
  std::abort();
}

const aebench::fuzz::ScratchFile& scratch() {
  static const aebench::fuzz::ScratchFile file("idx");
  return file;
}

void check(const aebench::IdxImages& images) {
  if (images.count == 0) invariant_failed("an accepted image file holds no images");
  if (images.rows != aebench::kIdxImageSide || images.cols != aebench::kIdxImageSide)
    invariant_failed("an accepted image file is not 28x28");
  if (images.pixels.size() != images.count * images.rows * images.cols)
    invariant_failed("pixels.size() != count * rows * cols");
}

void check(const aebench::IdxLabels& labels) {
  if (labels.labels.empty()) invariant_failed("an accepted label file holds no labels");
  for (const auto label : labels.labels)
    if (label > 9) invariant_failed("an accepted label is outside 0-9");
}

// Runs `parse`, checks what it returns, and reports whether it was accepted.
template <typename Parse>
bool accepted(Parse parse) {
  try {
    check(parse());
    return true;
  } catch (const aebench::DataError&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes bytes(data, data + size);
  const bool images_parsed = accepted([&] { return aebench::parse_idx_images(bytes, "fuzz"); });
  const bool labels_parsed = accepted([&] { return aebench::parse_idx_labels(bytes, "fuzz"); });

  // Every read of the file allocates a 1 MiB buffer (gunzip one more), the main cost of an
  // execution: gzip input is read twice, raw input once, as the kind its magic names.
  scratch().write(data, size);
  const auto& path = scratch().path();
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (gzip) {
    accepted([&] { return aebench::read_idx_images(path); });
    accepted([&] { return aebench::read_idx_labels(path); });
    return 0;
  }
  // Without the gzip magic the file holds the input as it is, so the answers must agree.
  if (size >= 4 && data[3] == (aebench::kIdxImagesMagic & 0xff)) {
    if (accepted([&] { return aebench::read_idx_images(path); }) != images_parsed)
      invariant_failed("read_idx_images and parse_idx_images disagree on raw bytes");
  } else {
    if (accepted([&] { return aebench::read_idx_labels(path); }) != labels_parsed)
      invariant_failed("read_idx_labels and parse_idx_labels disagree on raw bytes");
  }
  return 0;
}
