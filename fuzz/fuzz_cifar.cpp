// libFuzzer target for the CIFAR-10 binary reader (src/data/cifar.cpp). Build and run:
// bash scripts/fuzz.sh (FUZZ_TARGETS=cifar for this one alone).
//
// Each input is parsed as bytes (parse_cifar_batch) and read as a file on disk
// (read_cifar_batch); both must give the same answer. A DataError is an expected outcome; any
// other exception, a sanitizer report or a broken invariant below is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "aebench/data/cifar.h"
#include "aebench/errors.h"
#include "scratch_file.h"

namespace {

[[noreturn]] void invariant_failed(const char* what) {
  std::fprintf(stderr, "fuzz_cifar: invariant broken: %s\n", what);
  std::abort();
}

const aebench::fuzz::ScratchFile& scratch() {
  static const aebench::fuzz::ScratchFile file("cifar");
  return file;
}

// The size of the input a gzip file decompresses to is not known here.
constexpr std::size_t kUnknownSize = SIZE_MAX;

void check(const aebench::CifarImages& images, std::size_t input_size) {
  if (images.count == 0) invariant_failed("an accepted file holds no images");
  if (images.labels.size() != images.count) invariant_failed("labels.size() != count");
  if (images.pixels.size() != images.count * aebench::kCifarImageBytes)
    invariant_failed("pixels.size() != count * 3072");
  if (input_size != kUnknownSize && images.count * aebench::kCifarRecordBytes != input_size)
    invariant_failed("an accepted file is not exactly count records");
  for (const auto label : images.labels)
    if (label > 9) invariant_failed("an accepted label is outside 0-9");
}

// Runs `parse`, checks what it returns, and reports whether it was accepted.
template <typename Parse>
bool accepted(Parse parse, std::size_t input_size) {
  try {
    check(parse(), input_size);
    return true;
  } catch (const aebench::DataError&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  const bool parsed = accepted([&] { return aebench::parse_cifar_batch(bytes, "fuzz"); }, size);
  scratch().write(data, size);
  // A gzip magic cannot start a valid record (labels are 0-9), but the file reader gunzips it
  // first (as for IDX files), so only raw input must get the same answer both ways.
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const bool read = accepted([&] { return aebench::read_cifar_batch(scratch().path()); },
                             gzip ? kUnknownSize : size);
  if (!gzip && read != parsed)
    invariant_failed("read_cifar_batch and parse_cifar_batch disagree on raw bytes");
  return 0;
}
