#include <cstring>

#include "aebench/io/npy_file.h"
#include "support/catch.h"

using aebench::NpyType;

namespace {

// The header dict of an .npy file's bytes, checking the parts around it.
std::string checked_header(const std::string& bytes) {
  REQUIRE(bytes.size() >= 10);
  CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(bytes[6] == 1);
  CHECK(bytes[7] == 0);
  const std::size_t length =
      static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  CHECK((10 + length) % 64 == 0);  // the values start aligned, as NumPy writes them
  REQUIRE(bytes.size() >= 10 + length);
  CHECK(bytes[10 + length - 1] == '\n');
  return bytes.substr(10, length);
}

}  // namespace

TEST_CASE("an .npy file states its type and shape as NumPy does and holds the values after it") {
  const float values[6] = {1, 2, 3, 4, 5, 6};
  const std::string two_d = aebench::npy_bytes(NpyType::kFloat32, {2, 3}, values, sizeof values);
  const std::string header = checked_header(two_d);
  CHECK(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0) == 0);
  REQUIRE(two_d.size() == 10 + header.size() + sizeof values);
  CHECK(std::memcmp(two_d.data() + 10 + header.size(), values, sizeof values) == 0);

  const std::int64_t labels[3] = {7, 0, 9};
  const std::string one_d = aebench::npy_bytes(NpyType::kInt64, {3}, labels, sizeof labels);
  CHECK_THAT(checked_header(one_d), Catch::Contains("'descr': '<i8'"));
  CHECK_THAT(checked_header(one_d), Catch::Contains("'shape': (3,)"));  // a tuple of one

  const std::string empty = aebench::npy_bytes(NpyType::kUint8, {0, 1, 28, 28}, nullptr, 0);
  CHECK_THAT(checked_header(empty), Catch::Contains("'descr': '|u1'"));
  CHECK_THAT(checked_header(empty), Catch::Contains("'shape': (0, 1, 28, 28)"));
  CHECK_THAT(checked_header(aebench::npy_bytes(NpyType::kFloat64, {1}, values, 8)),
             Catch::Contains("'<f8'"));
}

TEST_CASE("an .npy file whose values do not fill its shape is refused") {
  const float values[6] = {};
  CHECK_THROWS_AS(aebench::npy_bytes(NpyType::kFloat32, {2, 4}, values, sizeof values),
                  std::invalid_argument);
  CHECK_THROWS_AS(aebench::npy_bytes(NpyType::kFloat32, {-1, 6}, values, sizeof values),
                  std::invalid_argument);
}
