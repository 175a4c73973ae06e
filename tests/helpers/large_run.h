#pragma once
// A large run file for measuring how the app opens one (not a timed test: tst_gui_session prints the numbers
// when ATTNSCOPE_LARGE_RUN_MB is set). Realistic content: `steps` step records, and probe snapshots of
// layers × heads maps of `length`² every `steps / snapshots` steps, written until the file reaches the size.
#include <cstdint>
#include <string>

namespace attnscope::test {

struct LargeRunInfo {
    std::uint64_t bytes = 0;
    int steps = 0, snapshots = 0;
};

LargeRunInfo writeLargeRun(const std::string& path, std::uint64_t targetBytes, int layers = 4, int heads = 4,
                           int length = 128);

} // namespace attnscope::test
