#include "helpers/large_run.h"

#include "core/store/run_writer.h"
#include "helpers/run_fixtures.h"

#include <filesystem>

namespace attnscope::test {

LargeRunInfo writeLargeRun(const std::string& path, std::uint64_t targetBytes, int layers, int heads,
                           int length) {
    LargeRunInfo info;
    RunHeader header = makeHeader();
    {
        RunWriter writer = RunWriter::create(path, header, RunWriter::IfExists::Overwrite);
        constexpr int kStepsPerSnapshot = 10;
        // The size (file + WAL) is checked every 16 snapshots: stat is cheap, but not free.
        std::uint64_t size = 0;
        for (int s = 0; size < targetBytes; s += kStepsPerSnapshot) {
            std::vector<StepRecord> steps;
            for (int k = s + 1; k <= s + kStepsPerSnapshot; ++k) steps.push_back(stepRecord(k));
            writer.appendSteps(steps);
            writer.appendSnapshot(makeSnapshot(s, layers, heads, length, unsigned(s + 1)));
            info.steps = s + kStepsPerSnapshot;
            ++info.snapshots;
            if (info.snapshots % 16 == 0 || info.snapshots == 1) {
                std::error_code ec;
                size = std::filesystem::file_size(path, ec) + std::filesystem::file_size(path + "-wal", ec);
            }
        }
        writer.setStatus(RunStatus::Finished, info.steps);
    }
    info.bytes = std::filesystem::file_size(path);
    return info;
}

} // namespace attnscope::test
