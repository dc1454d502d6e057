#include "aebench/data/idx.h"

#include <zlib.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "aebench/errors.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kHeaderPrefixBytes = 8;   // magic + count, common to both kinds
constexpr std::uint32_t kImagesHeaderBytes = 16;  // magic, count, rows, cols
constexpr std::uint32_t kLabelsHeaderBytes = 8;   // magic, count
constexpr const char* kFetchHint = "run scripts/setup.sh to fetch the data";
constexpr std::size_t kReadChunkBytes = std::size_t{1} << 20;
constexpr std::size_t kInflateChunkBytes = std::size_t{1} << 18;

// zlib counts input in uInt; whole files up to the cap can then be handed over in one go.
static_assert(kIdxMaxBytes <= UINT_MAX, "a capped file must fit in one zlib input buffer");

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw DataError(source + ": " + what);
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// fread rather than ifstream so a failed read reports errno (e.g. EISDIR for a folder).
Bytes read_file(const fs::path& path) {
  const std::string source = path.string();
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) fail(source, std::string("cannot open (") + std::strerror(errno) + ")");

  Bytes bytes;
  std::error_code ignored;
  const auto size_hint = fs::file_size(path, ignored);
  // A regular file's size is known: one over the limit is refused at once, not read first.
  if (!ignored && size_hint > kIdxMaxBytes)
    fail(source, "expected an IDX file of at most " + std::to_string(kIdxMaxBytes) +
                     " bytes, found " + std::to_string(size_hint) + " bytes");
  if (!ignored) bytes.reserve(static_cast<std::size_t>(size_hint));

  std::vector<std::uint8_t> chunk(kReadChunkBytes);
  while (true) {
    errno = 0;
    const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), file.get());
    if (got < chunk.size() && std::ferror(file.get())) {
      fail(source, std::string("cannot read (") + std::strerror(errno) + ")");
    }
    if (bytes.size() + got > kIdxMaxBytes) {
      fail(source, "expected an IDX file of at most " + std::to_string(kIdxMaxBytes) +
                       " bytes, found more");
    }
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
    if (got < chunk.size()) return bytes;  // end of file
  }
}

bool has_gzip_magic(const std::uint8_t* data, std::size_t size) {
  return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

struct InflateEnder {
  void operator()(z_stream* stream) const { inflateEnd(stream); }
};

// Decompresses every gzip member in `compressed`, back to back, as `gzip -d` does.
Bytes gunzip(const Bytes& compressed, const std::string& source) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) fail(source, "cannot start zlib");
  const std::unique_ptr<z_stream, InflateEnder> ender(&stream);
  stream.next_in = const_cast<Bytef*>(compressed.data());  // zlib's API is not const-correct
  stream.avail_in = static_cast<uInt>(compressed.size());

  Bytes out;
  std::vector<std::uint8_t> chunk(kInflateChunkBytes);
  while (true) {
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    const int status = inflate(&stream, Z_NO_FLUSH);
    if (status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_STREAM_ERROR ||
        status == Z_MEM_ERROR) {
      fail(source,
           std::string("corrupt gzip data (") + (stream.msg ? stream.msg : "zlib error") + ")");
    }
    const std::size_t produced = chunk.size() - stream.avail_out;
    if (out.size() + produced > kIdxMaxBytes) {
      fail(source, "expected gzip data of at most " + std::to_string(kIdxMaxBytes) +
                       " bytes decompressed, found more");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(produced));

    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0) return out;
      if (!has_gzip_magic(stream.next_in, stream.avail_in)) {
        fail(source, "corrupt gzip data (" + std::to_string(stream.avail_in) +
                         " unexpected bytes after the compressed stream)");
      }
      inflateReset(&stream);
    } else if (status == Z_BUF_ERROR) {
      // A fresh output chunk each round, so no progress means the input ran out mid-stream.
      fail(source, "truncated gzip data (the compressed stream ends early)");
    }
  }
}

std::uint32_t read_be32(const Bytes& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

std::string kind_of(std::uint32_t magic) {
  return magic == kIdxImagesMagic ? "images" : "labels";
}

std::string describe_magic(std::uint32_t magic) {
  return magic == kIdxImagesMagic ? "unsigned-byte images, rank 3" : "unsigned-byte labels, rank 1";
}

// Checks what both kinds share and returns the item count the header claims.
std::uint32_t check_header(const Bytes& bytes, const std::string& source,
                           std::uint32_t expected_magic, std::uint32_t header_bytes) {
  if (bytes.size() < kHeaderPrefixBytes) {
    fail(source, "expected at least " + std::to_string(kHeaderPrefixBytes) +
                     " bytes of IDX header, found " + std::to_string(bytes.size()) +
                     (bytes.empty() ? " (empty file)" : ""));
  }
  const std::uint32_t magic = read_be32(bytes, 0);
  if (magic != expected_magic) {
    std::string message = "expected IDX magic " + std::to_string(expected_magic) + " (" +
                          describe_magic(expected_magic) + "), found " + std::to_string(magic);
    const std::uint32_t other =
        expected_magic == kIdxImagesMagic ? kIdxLabelsMagic : kIdxImagesMagic;
    if (magic == other) {
      message += " (an IDX " + kind_of(other) + " file: are images and labels swapped?)";
    }
    fail(source, message);
  }
  if (bytes.size() < header_bytes) {
    fail(source, "expected a " + std::to_string(header_bytes) + "-byte IDX header, found " +
                     std::to_string(bytes.size()) + " bytes");
  }
  return read_be32(bytes, 4);
}

// The file must be exactly the header plus the payload the header promises: anything else
// means a truncated download or the wrong file, and training on it would be silently wrong.
// Both factors are 32-bit, so header + count * item_bytes fits in 64 bits whatever a hostile
// header claims, and nothing is allocated before the length matches.
void check_length(const Bytes& bytes, const std::string& source, std::uint32_t header_bytes,
                  std::uint32_t item_bytes, std::uint32_t count, const std::string& items) {
  const std::uint64_t expected = header_bytes + std::uint64_t{count} * item_bytes;
  const std::uint64_t found = bytes.size();
  if (found == expected) return;
  fail(source, "expected " + std::to_string(expected) + " bytes for " + std::to_string(count) +
                   " " + items + ", found " + std::to_string(found) +
                   (found < expected ? " (truncated)" : " (trailing bytes)"));
}

const char* idx_suffix(const std::string& kind) {
  if (kind == "images") return "idx3-ubyte";
  if (kind == "labels") return "idx1-ubyte";
  throw std::invalid_argument("find_idx_file: kind must be \"images\" or \"labels\", got \"" +
                              kind + "\"");
}

}  // namespace

std::vector<std::uint8_t> read_idx_bytes(const std::filesystem::path& path) {
  Bytes bytes = read_file(path);
  if (!has_gzip_magic(bytes.data(), bytes.size())) return bytes;
  return gunzip(bytes, path.string());
}

IdxImages parse_idx_images(std::vector<std::uint8_t> bytes, const std::string& source) {
  const std::uint32_t count = check_header(bytes, source, kIdxImagesMagic, kImagesHeaderBytes);
  const std::uint32_t rows = read_be32(bytes, 8);
  const std::uint32_t cols = read_be32(bytes, 12);
  if (rows != kIdxImageSide || cols != kIdxImageSide) {
    fail(source, "expected " + std::to_string(kIdxImageSide) + "x" + std::to_string(kIdxImageSide) +
                     " images, found " + std::to_string(rows) + "x" + std::to_string(cols));
  }
  if (count == 0) fail(source, "expected at least one image, found 0");
  const std::string shape = "images of " + std::to_string(rows) + "x" + std::to_string(cols);
  check_length(bytes, source, kImagesHeaderBytes, rows * cols, count, shape);

  IdxImages images;
  images.count = count;
  images.rows = rows;
  images.cols = cols;
  bytes.erase(bytes.begin(), bytes.begin() + kImagesHeaderBytes);  // in place: no new pages
  images.pixels = std::move(bytes);
  return images;
}

IdxLabels parse_idx_labels(const std::vector<std::uint8_t>& bytes, const std::string& source) {
  const std::uint32_t count = check_header(bytes, source, kIdxLabelsMagic, kLabelsHeaderBytes);
  if (count == 0) fail(source, "expected at least one label, found 0");
  check_length(bytes, source, kLabelsHeaderBytes, 1, count, "labels");

  IdxLabels labels;
  labels.labels.assign(bytes.begin() + kLabelsHeaderBytes, bytes.end());
  for (std::size_t index = 0; index < labels.labels.size(); ++index) {
    const unsigned label = labels.labels[index];
    if (label > 9) {
      fail(source, "label " + std::to_string(label) + " at index " + std::to_string(index) +
                       " is outside 0-9");
    }
  }
  return labels;
}

IdxImages read_idx_images(const std::filesystem::path& path) {
  return parse_idx_images(read_idx_bytes(path), path.string());
}

IdxLabels read_idx_labels(const std::filesystem::path& path) {
  return parse_idx_labels(read_idx_bytes(path), path.string());
}

void check_idx_pair(const IdxImages& images, const IdxLabels& labels,
                    const std::string& images_source, const std::string& labels_source) {
  if (images.count == labels.labels.size()) return;
  throw DataError("expected as many images as labels, found " + std::to_string(images.count) +
                  " images in " + images_source + " but " + std::to_string(labels.labels.size()) +
                  " labels in " + labels_source);
}

std::filesystem::path find_idx_file(const std::filesystem::path& dir, const std::string& split,
                                    const std::string& kind) {
  if (split != "train" && split != "t10k") {
    throw std::invalid_argument("find_idx_file: split must be \"train\" or \"t10k\", got \"" +
                                split + "\"");
  }
  const std::string suffix = idx_suffix(kind);
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    if (fs::exists(dir, error))  // a file, or a device such as /dev/zero
      throw DataError("data folder " + dir.string() + ": expected a folder, found " +
                      (fs::is_regular_file(dir, error) ? "a file" : "a device, FIFO or socket") +
                      "; point data.dir at the folder of the IDX files");
    throw DataError("data folder " + dir.string() + " does not exist; " + kFetchHint);
  }
  // Upstream names use '-' before idxN; some mirrors use '.'.
  const std::array<std::string, 2> names = {split + "-" + kind + "-" + suffix,
                                            split + "-" + kind + "." + suffix};
  for (const auto& name : names) {
    for (const char* extension : {"", ".gz"}) {
      const fs::path candidate = dir / (name + extension);
      if (fs::is_regular_file(candidate, error)) return candidate;
    }
  }
  // A name that is there but no regular file (a FIFO, a device, a folder): say so, not "none".
  for (const auto& name : names)
    for (const char* extension : {"", ".gz"}) {
      const fs::path candidate = dir / (name + extension);
      if (fs::exists(candidate, error))
        throw DataError(
            candidate.string() + ": expected a regular IDX file, found " +
            (fs::is_directory(candidate, error) ? "a folder" : "a FIFO, device or socket") +
            "; put the IDX file there (scripts/setup.sh fetches MNIST and Fashion-MNIST into the "
            "checkout's data/)");
    }
  // A folder this user may not read would look empty: say what it is.
  if (fs::directory_iterator(dir, error); error)
    throw DataError("data folder " + dir.string() + ": cannot read it (" + error.message() +
                    "); give this user access to it, or point data.dir elsewhere");
  throw DataError("data folder " + dir.string() + " has no " + names[0] + "[.gz] or " + names[1] +
                  "[.gz]; " + kFetchHint);
}

}  // namespace aebench
