#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "aebench/data/cifar.h"
#include "aebench/errors.h"
#include "support/catch.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using aebench::testing::cifar_batch_bytes;
using aebench::testing::ScratchFolder;
using aebench::testing::write_bytes;
using Bytes = std::vector<std::uint8_t>;

// The DataError message `action` throws; fails the test when it throws nothing or another type.
template <typename Action>
std::string cifar_error_from(Action action) {
  try {
    action();
  } catch (const aebench::DataError& error) {
    return error.what();
  }
  FAIL("expected a DataError");
  return "";
}

Bytes truncated(Bytes bytes, std::size_t size) {
  bytes.resize(size);
  return bytes;
}

Bytes with_byte(Bytes bytes, std::size_t index, std::uint8_t value) {
  bytes.at(index) = value;
  return bytes;
}

}  // namespace

TEST_CASE("a CIFAR-10 batch is split into labels and planar RGB pixels, record by record") {
  const Bytes bytes = cifar_batch_bytes({3, 0, 9}, 5);
  REQUIRE(bytes.size() == 3 * 3073);
  const auto images = aebench::parse_cifar_batch(bytes, "data_batch_1.bin");
  CHECK(images.count == 3);
  CHECK(images.labels == Bytes{3, 0, 9});
  REQUIRE(images.pixels.size() == 3 * 3072);
  for (std::size_t record = 0; record < 3; ++record)
    CHECK(std::equal(images.pixels.begin() + record * 3072,
                     images.pixels.begin() + (record + 1) * 3072,
                     bytes.begin() + record * 3073 + 1));
}

TEST_CASE("a malformed CIFAR-10 batch is a DataError naming the file, expected and found") {
  const Bytes two = cifar_batch_bytes({1, 2}, 1);
  struct Case {
    std::string name;
    Bytes bytes;
    std::vector<std::string> message_parts;
  };
  const std::vector<Case> cases = {
      {"an empty file", {}, {"data_batch_2.bin: ", "3073-byte records", "found an empty file"}},
      {"a truncated second record",
       truncated(two, 3073 + 1000),
       {"data_batch_2.bin: ", "multiple of 3073 bytes", "found 4073 bytes",
        "1 records and 1000 bytes over", "expected 3073 or 6146 bytes"}},
      {"one byte too many",
       [&] {
         Bytes bytes = two;
         bytes.push_back(0);
         return bytes;
       }(),
       {"multiple of 3073 bytes", "found 6147 bytes", "2 records and 1 bytes over"}},
      {"a lone label byte", {4}, {"found 1 bytes", "0 records and 1 bytes over"}},
      {"a label of 10 in the second record",
       with_byte(two, 3073, 10),
       {"data_batch_2.bin: ", "label 10 of record 1 (byte 3073) is outside 0-9"}},
      {"a label of 255 in the first record",
       with_byte(two, 0, 255),
       {"label 255 of record 0 (byte 0) is outside 0-9"}},
  };
  for (const auto& test : cases) {
    INFO(test.name);
    const std::string message =
        cifar_error_from([&] { aebench::parse_cifar_batch(test.bytes, "data_batch_2.bin"); });
    for (const auto& part : test.message_parts) CHECK_THAT(message, Catch::Contains(part));
  }
}

TEST_CASE("read_cifar_batch reads a file, and refuses what is not a regular file without hanging") {
  ScratchFolder dir("cifar-read");
  const fs::path file = dir / "test_batch.bin";
  write_bytes(file, cifar_batch_bytes({7, 8}, 2));
  CHECK(aebench::read_cifar_batch(file).labels == Bytes{7, 8});

  SECTION("a missing file names it and says where to get the data") {
    const auto message = cifar_error_from([&] { aebench::read_cifar_batch(dir / "nothing.bin"); });
    CHECK_THAT(message, Catch::Contains((dir / "nothing.bin").string()) &&
                            Catch::Contains("cifar-10-binary.tar.gz") &&
                            Catch::Contains("https://www.cs.toronto.edu/~kriz/cifar.html"));
  }
  SECTION("a directory") {
    fs::create_directory(dir / "data_batch_1.bin");
    CHECK_THAT(cifar_error_from([&] { aebench::read_cifar_batch(dir / "data_batch_1.bin"); }),
               Catch::Contains("expected a regular file, found a directory"));
  }
  SECTION("a FIFO (opening it would wait for a writer)") {
    const fs::path fifo = dir / "data_batch_1.bin";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THAT(cifar_error_from([&] { aebench::read_cifar_batch(fifo); }),
               Catch::Contains(fifo.string()) && Catch::Contains("found a FIFO"));
  }
  SECTION("a truncated file") {
    write_bytes(file, truncated(cifar_batch_bytes({7, 8}, 2), 5000));
    CHECK_THAT(cifar_error_from([&] { aebench::read_cifar_batch(file); }),
               Catch::Contains(file.string() + ": expected a size that is a multiple of 3073"));
  }
}

TEST_CASE("read_cifar_split joins data_batch_1..5.bin in order, test_batch.bin alone") {
  ScratchFolder dir("cifar-split");
  aebench::testing::write_synthetic_cifar(dir.path(), 23, 7);
  const auto train = aebench::read_cifar_split(dir.path(), "train");
  CHECK(train.count == 23);
  CHECK(train.pixels.size() == 23 * 3072);
  for (std::size_t i = 0; i < train.count; ++i) CHECK(train.labels[i] == i % 10);
  const auto test = aebench::read_cifar_split(dir.path(), "test");
  CHECK(test.count == 7);
  CHECK(aebench::find_cifar_files(dir.path(), "train") ==
        std::vector<fs::path>{dir / "data_batch_1.bin", dir / "data_batch_2.bin",
                              dir / "data_batch_3.bin", dir / "data_batch_4.bin",
                              dir / "data_batch_5.bin"});
  CHECK_THROWS_AS(aebench::find_cifar_files(dir.path(), "t10k"), std::invalid_argument);
}

TEST_CASE("a missing CIFAR-10 folder or batch file is a DataError saying where to get the data") {
  ScratchFolder dir("cifar-missing");
  SECTION("the folder") {
    const auto message =
        cifar_error_from([&] { aebench::read_cifar_split(dir / "cifar10", "train"); });
    CHECK_THAT(message, Catch::StartsWith("data folder " + (dir / "cifar10").string() +
                                          " does not exist; download the binary version "
                                          "(cifar-10-binary.tar.gz) from "
                                          "https://www.cs.toronto.edu/~kriz/cifar.html"));
  }
  SECTION("one batch of five") {
    aebench::testing::write_synthetic_cifar(dir.path(), 10, 10);
    fs::remove(dir / "data_batch_4.bin");
    const auto message = cifar_error_from([&] { aebench::read_cifar_split(dir.path(), "train"); });
    CHECK_THAT(message, Catch::Contains("has no data_batch_4.bin (CIFAR-10 train split)") &&
                            Catch::Contains("data_batch_1.bin .. data_batch_5.bin and "
                                            "test_batch.bin"));
  }
  SECTION("a bad label in a later batch names that file and record") {
    aebench::testing::write_synthetic_cifar(dir.path(), 10, 10);
    write_bytes(dir / "data_batch_3.bin", with_byte(cifar_batch_bytes({1, 2}, 3), 3073, 12));
    const auto message = cifar_error_from([&] { aebench::read_cifar_split(dir.path(), "train"); });
    CHECK(message == (dir / "data_batch_3.bin").string() +
                         ": label 12 of record 1 (byte 3073) is outside 0-9");
  }
}
