#include "helpers/test_paths.h"

namespace attnscope::test {
std::string sourceDir() {
    return ATTNSCOPE_SOURCE_DIR;
}
} // namespace attnscope::test
