#pragma once
// Catch2 2 (Debian 12) and Catch2 3 (Debian 13) behind one include. The tests are written with
// Catch2 2's names; under Catch2 3 the few that moved are brought back here:
// Catch::Contains (a substring: ContainsSubstring in 3), Catch::StartsWith / EndsWith, Approx.
// AEBENCH_CATCH2_MAJOR comes from the Catch2 that CMake found (CMakeLists.txt).
#if AEBENCH_CATCH2_MAJOR >= 3
#include <catch2/catch_all.hpp>
#include <string>

namespace Catch {
inline Matchers::StringContainsMatcher Contains(const std::string& text,
                                                CaseSensitive sensitivity = CaseSensitive::Yes) {
  return Matchers::ContainsSubstring(text, sensitivity);
}
using Matchers::EndsWith;
using Matchers::StartsWith;
}  // namespace Catch
using Catch::Approx;
#else
#include <catch2/catch.hpp>
#endif
