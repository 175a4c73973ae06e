#pragma once
// Paths the tests need, resolved at build time.
#include <string>

namespace attnscope::test {
inline std::string sourceDir() {
    return ATTNSCOPE_SOURCE_DIR;
}
inline std::string fortunesDir() {
    return "/usr/share/games/fortunes";
}
} // namespace attnscope::test
