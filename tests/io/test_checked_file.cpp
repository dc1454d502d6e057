#include "aebench/errors.h"
#include "aebench/io/checked_file.h"
#include "support/catch.h"

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
