// libFuzzer target: any bytes as a run file, read the way every reader does (RunReader, then every record and
// snapshot). Only attnscope::Error may come out; a crash, a sanitizer report, a timeout or running out of
// the -rss_limit_mb memory is a finding. Seed it with real runs: see docs/run-format.md, "Damaged input".
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

std::string scratchPath() {
    const char* folder = std::getenv("TMPDIR");
    return std::string(folder ? folder : "/tmp") + "/attnscope-fuzz-" + std::to_string(::getpid()) +
           ".attnrun";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = scratchPath();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    try {
        const attnscope::RunReader reader(path);
        reader.steps();
        reader.events();
        reader.evals();
        reader.statusHistory();
        for (int step : reader.snapshotSteps()) reader.snapshot(step);
        for (int step : reader.checkpointSteps()) reader.checkpoint(step);
        attnscope::RunCursor cursor;
        reader.poll(cursor);
    } catch (const attnscope::Error&) {
        // the promised outcome for damaged input
    }
    return 0;
}
