#pragma once
// Shared fixtures of the run-file tests (tst_run_file, tst_run_file_damage): realistic headers, steps and
// snapshots, byte-level file helpers, and a reader that touches every record of a file.
#include "core/probe/snapshot.h"
#include "core/store/run_writer.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace attnscope::test {

using Bytes = std::vector<std::uint8_t>;

RunHeader makeHeader();
StepRecord stepRecord(int step);
// A realistic snapshot: causal softmax maps, odd heads are local (window 4) so the lower triangle has
// masked entries too; metrics random, some NaN.
ProbeSnapshot makeSnapshot(int step, int layers, int heads, int length, unsigned seed);
bool sameFloat(double a, double b); // NaN equals NaN
bool sameFloats(const std::vector<float>& a, const std::vector<float>& b);
float viaHalf(float v); // v rounded through float16
Bytes checkpointImage(int step);
Bytes readBytes(const std::string& path);
void writeBytes(const std::string& path, const Bytes& b, std::size_t n);
void removeRun(const std::string& path);             // the file and its -wal/-shm companions
std::string errorOf(const std::function<void()>& f); // the attnscope::Error message, or "" when none
// Opens and reads everything; returns "" when the file reads consistently, else the Error message.
// Any other exception type propagates and fails the test.
std::string readEverything(const std::string& path);

} // namespace attnscope::test
