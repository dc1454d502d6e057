#include <sys/stat.h>
#include <zlib.h>

#include <cstdio>

#include "aebench/errors.h"
#include "aebench/io/checked_file.h"
#include "support/catch.h"
#include "support/test_support.h"

TEST_CASE("a checked payload round-trips") {
  for (const std::string& payload : {std::string(), std::string("x"), std::string(100000, '\7')})
    CHECK(aebench::unwrap_checked(aebench::wrap_checked(payload), "f") == payload);
}

TEST_CASE("damaged checked files are DataErrors saying what is wrong") {
  const std::string good = aebench::wrap_checked("some checkpoint payload");
  std::string flipped = good;
  flipped[flipped.size() - 3] ^= 0x10;
  struct Case {
    const char* name;
    std::string bytes;
    const char* fragment;
  };
  const std::vector<Case> cases = {
      {"empty", "", "found a file of 0 bytes"},
      {"other content", std::string(64, 'z'), "found other content"},
      {"truncated", good.substr(0, good.size() - 5), "(truncated)"},
      {"trailing bytes", good + "xx", "(trailing bytes)"},
      {"flipped bit", flipped, "corrupt"},
  };
  for (const auto& test : cases) {
    INFO(test.name);
    CHECK_THROWS_WITH(aebench::unwrap_checked(test.bytes, "run/checkpoint.pt"),
                      Catch::Contains("run/checkpoint.pt") && Catch::Contains(test.fragment));
    CHECK_THROWS_AS(aebench::unwrap_checked(test.bytes, "f"), aebench::DataError);
  }
}

TEST_CASE("a checked file's CRC-32 is read from its header alone, and only from a regular file") {
  const aebench::testing::ScratchFolder folder("checked_crc");
  const std::string payload = "a model's bytes";
  aebench::testing::write_text(folder / "model.pt", aebench::wrap_checked(payload));
  char expected[9];
  std::snprintf(expected, sizeof expected, "%08lx",
                crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), uInt(payload.size())));
  CHECK(aebench::checked_file_crc(folder / "model.pt") == expected);
  aebench::testing::write_text(folder / "short", "AEBCHK01");
  aebench::testing::write_text(folder / "other", std::string(40, 'x'));
  REQUIRE(::mkfifo((folder / "fifo").c_str(), 0600) == 0);  // read, it would block
  // A whole header on a truncated or extended payload names no model: it is not the one saved.
  const std::string whole = aebench::wrap_checked(payload);
  aebench::testing::write_text(folder / "truncated", whole.substr(0, whole.size() - 1));
  aebench::testing::write_text(folder / "extended", whole + "x");
  for (const char* name : {"short", "other", "fifo", "missing", "truncated", "extended"}) {
    INFO(name);
    CHECK(aebench::checked_file_crc(folder / name).empty());
  }
  // Changed in place, the header still names a CRC-32: only reading the payload tells.
  std::string changed = whole;
  changed.back() = static_cast<char>(changed.back() ^ 1);
  aebench::testing::write_text(folder / "changed", changed);
  CHECK(aebench::checked_file_crc(folder / "changed") == expected);
  CHECK(aebench::checked_file_crc(folder / "changed", aebench::CrcCheck::kPayload).empty());
  CHECK(aebench::checked_file_crc(folder / "model.pt", aebench::CrcCheck::kPayload) == expected);
  for (const char* name : {"model.pt", "truncated", "extended"}) {
    INFO(name);
    CHECK(aebench::starts_with_checked_magic(folder / name));
  }
  for (const char* name : {"short", "other", "fifo", "missing"}) {
    INFO(name);
    CHECK_FALSE(aebench::starts_with_checked_magic(folder / name));
  }
}
