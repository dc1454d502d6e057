#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "aebench/data/idx.h"
#include "aebench/errors.h"
#include "support/catch.h"

namespace {

namespace fs = std::filesystem;
using aebench::DataError;
using Bytes = std::vector<std::uint8_t>;

void append_be32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

// The pixel every image file built here holds at flat index `i`: distinct per image and row.
std::uint8_t pixel_at(std::size_t i) {
  return static_cast<std::uint8_t>((i * 7 + i / 28) % 256);
}

// An IDX image file; `count` is what the header claims, `stored` how many images follow it.
Bytes image_file(std::uint32_t count, std::uint32_t rows = 28, std::uint32_t cols = 28,
                 std::size_t stored = SIZE_MAX) {
  if (stored == SIZE_MAX) stored = count;
  Bytes bytes;
  append_be32(bytes, aebench::kIdxImagesMagic);
  append_be32(bytes, count);
  append_be32(bytes, rows);
  append_be32(bytes, cols);
  for (std::size_t i = 0; i < stored * rows * cols; ++i) bytes.push_back(pixel_at(i));
  return bytes;
}

Bytes label_file(const Bytes& labels) {
  Bytes bytes;
  append_be32(bytes, aebench::kIdxLabelsMagic);
  append_be32(bytes, static_cast<std::uint32_t>(labels.size()));
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

Bytes resized(Bytes bytes, std::size_t size) {
  bytes.resize(size, 0);
  return bytes;
}

Bytes with_magic(Bytes bytes, std::uint32_t magic) {
  Bytes header;
  append_be32(header, magic);
  std::copy(header.begin(), header.end(), bytes.begin());
  return bytes;
}

// In-memory gzip (a gzip header, not zlib's), as `gzip` would write it.
Bytes gzip(const Bytes& raw) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK);
  Bytes out(deflateBound(&stream, static_cast<uLong>(raw.size())) + 32);
  stream.next_in = const_cast<Bytef*>(raw.data());
  stream.avail_in = static_cast<uInt>(raw.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

Bytes with_bad_crc(Bytes gzipped) {
  gzipped[gzipped.size() - 8] ^= 0xff;  // the trailer's CRC-32 starts 8 bytes from the end
  return gzipped;
}

void write_file(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// A fresh folder under the system temp folder, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() /
           ("aebench_test_idx_" + std::to_string(random()) + "_" + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// The message of the DataError `action` throws, or nothing when it throws none.
std::optional<std::string> data_error_from(const std::function<void()>& action) {
  try {
    action();
  } catch (const DataError& error) {
    return std::string(error.what());
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("malformed IDX files are DataErrors naming the file, what was expected and found") {
  enum class Reader { kImages, kLabels, kImagesPairedWithTwoLabels };
  struct Case {
    const char* what;
    const char* file_name;
    Bytes bytes;
    Reader reader;
    std::vector<std::string> expected_words;
    bool as_directory = false;  // create a folder named file_name instead of a file
  };
  const Bytes three_images = image_file(3);
  const std::vector<Case> cases = {
      {"wrong magic",
       "train-images-idx3-ubyte",
       with_magic(three_images, 2052),
       Reader::kImages,
       {"expected IDX magic 2051", "rank 3", "found 2052"}},
      {"labels given as images",
       "train-images-idx3-ubyte",
       label_file({1, 2}),
       Reader::kImages,
       {"expected IDX magic 2051", "found 2049", "labels file"}},
      {"images given as labels",
       "train-labels-idx1-ubyte",
       three_images,
       Reader::kLabels,
       {"expected IDX magic 2049", "found 2051", "images file"}},
      {"empty file",
       "train-images-idx3-ubyte",
       {},
       Reader::kImages,
       {"expected at least 8 bytes", "found 0", "empty file"}},
      {"image header cut short",
       "train-images-idx3-ubyte",
       resized(three_images, 12),
       Reader::kImages,
       {"expected a 16-byte IDX header", "found 12"}},
      {"header only",
       "train-images-idx3-ubyte",
       resized(three_images, 16),
       Reader::kImages,
       {"expected 2368 bytes for 3 images of 28x28", "found 16", "(truncated)"}},
      {"truncated images",
       "train-images-idx3-ubyte",
       resized(three_images, 2367),
       Reader::kImages,
       {"expected 2368 bytes for 3 images of 28x28", "found 2367", "(truncated)"}},
      {"trailing bytes",
       "train-images-idx3-ubyte",
       resized(three_images, 2371),
       Reader::kImages,
       {"expected 2368 bytes", "found 2371", "(trailing bytes)"}},
      {"truncated labels",
       "train-labels-idx1-ubyte",
       resized(label_file({1, 2, 3}), 10),
       Reader::kLabels,
       {"expected 11 bytes for 3 labels", "found 10", "(truncated)"}},
      {"27x28 images",
       "train-images-idx3-ubyte",
       image_file(2, 27, 28),
       Reader::kImages,
       {"expected 28x28 images", "found 27x28"}},
      {"zero images",
       "train-images-idx3-ubyte",
       image_file(0),
       Reader::kImages,
       {"expected at least one image", "found 0"}},
      {"label 11",
       "train-labels-idx1-ubyte",
       label_file({3, 1, 4, 1, 5, 11}),
       Reader::kLabels,
       {"label 11 at index 5 is outside 0-9"}},
      {"3 images but 2 labels",
       "train-images-idx3-ubyte",
       three_images,
       Reader::kImagesPairedWithTwoLabels,
       {"expected as many images as labels", "3 images", "2 labels", "train-labels-idx1-ubyte"}},
      {"a directory where the file should be",
       "train-images-idx3-ubyte",
       {},
       Reader::kImages,
       {"cannot read", std::strerror(EISDIR)},
       true},
      {"corrupt gzip (bad CRC)",
       "train-images-idx3-ubyte.gz",
       with_bad_crc(gzip(three_images)),
       Reader::kImages,
       {"corrupt gzip data"}},
      {"truncated gzip",
       "train-images-idx3-ubyte.gz",
       resized(gzip(three_images), 20),
       Reader::kImages,
       {"truncated gzip data"}},
      {"absurd count in header",
       "train-images-idx3-ubyte",
       image_file(0xFFFFFFFF, 28, 28, 1),
       Reader::kImages,
       {"expected 3367254359296 bytes for 4294967295 images of 28x28", "found 800", "(truncated)"}},
  };

  for (const auto& test : cases) {
    INFO("case: " << test.what);
    TempDir dir;
    const fs::path path = dir.path / test.file_name;
    if (test.as_directory) {
      fs::create_directory(path);
    } else {
      write_file(path, test.bytes);
    }
    const fs::path labels_path = dir.path / "train-labels-idx1-ubyte";
    if (test.reader == Reader::kImagesPairedWithTwoLabels)
      write_file(labels_path, label_file({0, 1}));

    const auto message = data_error_from([&] {
      switch (test.reader) {
        case Reader::kImages:
          aebench::read_idx_images(path);
          break;
        case Reader::kLabels:
          aebench::read_idx_labels(path);
          break;
        case Reader::kImagesPairedWithTwoLabels:
          aebench::check_idx_pair(aebench::read_idx_images(path),
                                  aebench::read_idx_labels(labels_path), path.string(),
                                  labels_path.string());
          break;
      }
    });
    REQUIRE(message.has_value());
    INFO("message: " << *message);
    CHECK_THAT(*message, Catch::Contains(path.string()));
    for (const auto& word : test.expected_words) {
      CHECK_THAT(*message, Catch::Contains(word));
    }
  }
}

TEST_CASE("an uncompressed IDX file over the size limit is refused by its size") {
  TempDir dir;
  write_file(dir.path / "images", image_file(3));
  fs::resize_file(dir.path / "images", (std::uintmax_t{1} << 31) + 1);  // sparse: no disk used
  CHECK_THROWS_WITH(aebench::read_idx_images(dir.path / "images"),
                    Catch::Contains("images: expected an IDX file of at most 2147483648 bytes, "
                                    "found 2147483649 bytes"));
}

TEST_CASE("a valid raw IDX pair round-trips exact pixels and labels") {
  TempDir dir;
  const Bytes raw_images = image_file(3);
  const Bytes digits = {0, 1, 2};
  write_file(dir.path / "images", raw_images);
  write_file(dir.path / "labels", label_file(digits));

  const auto images = aebench::read_idx_images(dir.path / "images");
  const auto labels = aebench::read_idx_labels(dir.path / "labels");
  CHECK(images.count == 3);
  CHECK(images.rows == aebench::kIdxImageSide);
  CHECK(images.cols == aebench::kIdxImageSide);
  CHECK(images.pixels == Bytes(raw_images.begin() + 16, raw_images.end()));
  CHECK(labels.labels == digits);
  CHECK_NOTHROW(aebench::check_idx_pair(images, labels, "images", "labels"));
}

TEST_CASE("a .gz file written by zlib's gzwrite parses like the raw file") {
  TempDir dir;
  const Bytes raw = image_file(4);
  const fs::path path = dir.path / "t10k-images-idx3-ubyte.gz";
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, raw.data(), static_cast<unsigned>(raw.size())) ==
          static_cast<int>(raw.size()));
  REQUIRE(gzclose(file) == Z_OK);

  CHECK(aebench::read_idx_bytes(path) == raw);
  const auto images = aebench::read_idx_images(path);
  CHECK(images.count == 4);
  CHECK(images.pixels == Bytes(raw.begin() + 16, raw.end()));
}

TEST_CASE("gzip bytes are recognised by magic even in a file not named .gz") {
  TempDir dir;
  const Bytes raw = label_file({9, 8, 7, 6});
  write_file(dir.path / "train-labels-idx1-ubyte", gzip(raw));
  CHECK(aebench::read_idx_bytes(dir.path / "train-labels-idx1-ubyte") == raw);
  CHECK(aebench::read_idx_labels(dir.path / "train-labels-idx1-ubyte").labels == Bytes{9, 8, 7, 6});
}

TEST_CASE("concatenated gzip members decompress back to back") {
  TempDir dir;
  const Bytes raw = label_file({1, 2, 3, 4, 5});
  const Bytes first(raw.begin(), raw.begin() + 6);
  const Bytes second(raw.begin() + 6, raw.end());
  Bytes joined = gzip(first);
  const Bytes tail = gzip(second);
  joined.insert(joined.end(), tail.begin(), tail.end());
  write_file(dir.path / "labels.gz", joined);
  CHECK(aebench::read_idx_bytes(dir.path / "labels.gz") == raw);
}

TEST_CASE("a missing file is a DataError naming the path and the OS reason") {
  TempDir dir;
  const fs::path path = dir.path / "nothing-here";
  const auto message = data_error_from([&] { aebench::read_idx_bytes(path); });
  REQUIRE(message.has_value());
  CHECK_THAT(*message, Catch::Contains(path.string()) && Catch::Contains(std::strerror(ENOENT)));
}

TEST_CASE("find_idx_file accepts both spellings, with or without .gz") {
  TempDir dir;
  const struct {
    const char* split;
    const char* kind;
    const char* file_name;
  } cases[] = {
      {"train", "images", "train-images-idx3-ubyte"},
      {"train", "labels", "train-labels.idx1-ubyte"},
      {"t10k", "images", "t10k-images-idx3-ubyte.gz"},
      {"t10k", "labels", "t10k-labels.idx1-ubyte.gz"},
  };
  for (const auto& test : cases) write_file(dir.path / test.file_name, {0});
  for (const auto& test : cases) {
    INFO(test.file_name);
    CHECK(aebench::find_idx_file(dir.path, test.split, test.kind) == dir.path / test.file_name);
  }
}

TEST_CASE("a data folder that is a file or a device is named as what it is") {
  TempDir dir;
  write_file(dir.path / "file", image_file(1));
  CHECK_THROWS_WITH(aebench::find_idx_file(dir.path / "file", "train", "images"),
                    Catch::Contains("expected a folder, found a file"));
  CHECK_THROWS_WITH(aebench::find_idx_file("/dev/zero", "train", "images"),
                    Catch::Contains("/dev/zero: expected a folder, found a device") &&
                        !Catch::Contains("does not exist"));
  CHECK_THROWS_WITH(aebench::find_idx_file(dir.path / "none", "train", "images"),
                    Catch::Contains("does not exist"));
  // A FIFO or device at an IDX file's name is named, not taken for missing data to fetch.
  fs::create_directory(dir.path / "data");
  REQUIRE(::mkfifo((dir.path / "data" / "train-images-idx3-ubyte").c_str(), 0600) == 0);
  fs::create_symlink("/dev/zero", dir.path / "data" / "t10k-images-idx3-ubyte");
  for (const char* split : {"train", "t10k"}) {
    INFO(split);
    CHECK_THROWS_WITH(aebench::find_idx_file(dir.path / "data", split, "images"),
                      Catch::Contains("-images-idx3-ubyte: expected a regular IDX file, found a "
                                      "FIFO, device or socket; put the IDX file there") &&
                          !Catch::Contains("to fetch the data"));
  }
}

TEST_CASE("find_idx_file prefers the plain upstream name and skips folders") {
  TempDir dir;
  fs::create_directory(dir.path / "train-images-idx3-ubyte");
  write_file(dir.path / "train-images-idx3-ubyte.gz", {0});
  write_file(dir.path / "train-images.idx3-ubyte", {0});
  CHECK(aebench::find_idx_file(dir.path, "train", "images") ==
        dir.path / "train-images-idx3-ubyte.gz");
}

TEST_CASE("find_idx_file errors name the folder, the names tried and scripts/setup.sh") {
  TempDir dir;
  SECTION("the folder is empty") {
    const auto message =
        data_error_from([&] { aebench::find_idx_file(dir.path, "t10k", "labels"); });
    REQUIRE(message.has_value());
    CHECK_THAT(*message, Catch::Contains(dir.path.string()));
    CHECK_THAT(*message,
               Catch::Contains("t10k-labels-idx1-ubyte[.gz] or t10k-labels.idx1-ubyte[.gz]"));
    CHECK_THAT(*message, Catch::Contains("scripts/setup.sh"));
  }
  SECTION("the folder does not exist") {
    const fs::path missing = dir.path / "mnist";
    const auto message =
        data_error_from([&] { aebench::find_idx_file(missing, "train", "images"); });
    REQUIRE(message.has_value());
    CHECK(*message == "data folder " + missing.string() +
                          " does not exist; run scripts/setup.sh to fetch the data");
  }
}

TEST_CASE("find_idx_file rejects an unknown split or kind as a programming error") {
  TempDir dir;
  CHECK_THROWS_AS(aebench::find_idx_file(dir.path, "test", "images"), std::invalid_argument);
  CHECK_THROWS_AS(aebench::find_idx_file(dir.path, "train", "pixels"), std::invalid_argument);
}
