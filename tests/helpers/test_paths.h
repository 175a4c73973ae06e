#pragma once
// Paths the tests need, resolved at build time (test_paths.cpp holds the source path).
#include <string>

namespace attnscope::test {
std::string sourceDir();
inline std::string fortunesDir() {
    return "/usr/share/games/fortunes";
}
} // namespace attnscope::test
