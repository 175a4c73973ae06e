// attnscope-synthetic-run: writes a GPT-2-small-shaped run without a model (bench/scale/synthetic_run.h) and
// reports what the C++ writer costs per snapshot: CPU seconds of encoding + writing (this thread's CPU
// time, which the machine's load does not inflate) and the bytes of the stored maps.
//
// Usage: attnscope-synthetic-run OUT.attnrun [--layers 12] [--heads 12] [--length 1024] [--snapshots 25]
//                                [--precision f16|q8] [--no-logits]
#include "bench/scale/synthetic_run.h"
#include "core/store/run_writer.h"
#include "core/store/sqlite_db.h"
#include "core/util/error.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <time.h>

using namespace attnscope;

namespace {

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Bytes of the snapshot's stored maps (the file's size would count pages twice while the WAL holds them).
double mapMegabytes(const std::string& path, int step) {
    sqlite::Database db(path, sqlite::Database::Mode::ReadOnly, path);
    return std::stod(
               db.queryText("SELECT length(attention) + coalesce(length(logits), 0) FROM snapshots WHERE "
                            "step = " +
                            std::to_string(step))) /
           1e6;
}

int usage() {
    std::fprintf(stderr, "usage: attnscope-synthetic-run OUT.attnrun [--layers N] [--heads N] [--length T] "
                         "[--snapshots N] [--precision f16|q8] [--no-logits]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::string path = argv[1];
    bench::SyntheticRunShape shape;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        const auto number = [&](int& out) {
            if (i + 1 >= argc) return false;
            char* end = nullptr;
            const long v = std::strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 65536) return false;
            out = int(v);
            return true;
        };
        bool ok = true;
        if (a == "--layers")
            ok = number(shape.layers);
        else if (a == "--heads")
            ok = number(shape.heads);
        else if (a == "--length")
            ok = number(shape.length);
        else if (a == "--snapshots")
            ok = number(shape.snapshots);
        else if (a == "--no-logits")
            shape.logits = false;
        else if (a == "--precision" && i + 1 < argc) {
            const std::string p = argv[++i];
            ok = p == "f16" || p == "q8";
            shape.precision = p == "q8" ? MapPrecision::Quantized8 : MapPrecision::Float16;
        } else
            ok = false;
        if (!ok) return usage();
    }
    try {
        RunWriter writer =
            RunWriter::create(path, bench::syntheticHeader(shape), RunWriter::IfExists::Overwrite);
        writer.setStatus(RunStatus::Training, 0);
        double cpuTotal = 0, megabytesTotal = 0;
        for (int k = 0; k < shape.snapshots; ++k) {
            const ProbeSnapshot snapshot = bench::syntheticSnapshot(shape, k);
            std::vector<StepRecord> steps;
            for (int st = k == 0 ? 0 : snapshot.step - shape.stepsPerSnapshot + 1; st <= snapshot.step;
                 ++st) {
                StepRecord r;
                r.step = st, r.loss = r.ceLoss = 2.0 + 8.0 / (1.0 + 0.01 * st), r.lr = 6e-4, r.gradNorm = 1.0;
                r.tokensPerSec = 5000, r.elapsedSec = 0.2 * st;
                if (st > 0) steps.push_back(r);
            }
            if (!steps.empty()) writer.appendSteps(steps);
            const double cpu0 = threadCpuSeconds();
            writer.appendSnapshot(snapshot);
            const double cpu = threadCpuSeconds() - cpu0;
            cpuTotal += cpu;
            const double megabytes = mapMegabytes(path, snapshot.step);
            megabytesTotal += megabytes;
            std::printf("snapshot %d (step %d): %.2f s CPU to encode and write, maps %.1f MB\n", k,
                        snapshot.step, cpu, megabytes);
            std::fflush(stdout);
        }
        writer.setStatus(RunStatus::Finished, (shape.snapshots - 1) * shape.stepsPerSnapshot);
        std::printf("writer %s%s, %d x %d x %d: %.2f s CPU and maps of %.1f MB per snapshot (mean of %d)\n",
                    shape.precision == MapPrecision::Quantized8 ? "q8" : "f16",
                    shape.logits ? "" : " (no logits)", shape.layers, shape.heads, shape.length,
                    cpuTotal / shape.snapshots, megabytesTotal / shape.snapshots, shape.snapshots);
    } catch (const Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
