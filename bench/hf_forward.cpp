#include "bench/hf_forward.h"

#include "core/hf/hf_forward.h"
#include "core/util/error.h"

#include <chrono>
#include <cstdio>
#include <omp.h>
#include <time.h>

namespace attnscope::bench {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}
// CPU seconds of the whole process (all threads): on a shared machine wall time also counts the waits for a
// core; the CPU time divided by the threads is what the run takes on idle cores of its own.
double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}
std::vector<std::int32_t> tokens(int n, int vocab) {
    std::vector<std::int32_t> t(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        t[static_cast<std::size_t>(i)] = std::int32_t((1103515245u * unsigned(i) + 12345u) % unsigned(vocab));
    return t;
}
} // namespace

int runHfForward(const std::string& folder, int forwardTokens, int probeTokens, int repeat, int threads) {
    try {
        if (threads > 0) omp_set_num_threads(threads);
        const hf::HfCheckpoint model(folder);
        const auto f = tokens(forwardTokens, model.config().vocab),
                   p = tokens(probeTokens, model.config().vocab);
        hf::forwardHfModel(model, f, nullptr); // pages the weights in
        for (int r = 0; r < repeat; ++r) {
            auto t = Clock::now();
            double cpu = cpuSeconds();
            hf::forwardHfModel(model, f, nullptr);
            std::printf("forward %d %.4f %.4f\n", forwardTokens, since(t), cpuSeconds() - cpu);
            t = Clock::now(), cpu = cpuSeconds();
            hf::probeHfModel(model, p, 0);
            std::printf("probe %d %.4f %.4f\n", probeTokens, since(t), cpuSeconds() - cpu);
            std::fflush(stdout);
        }
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "attnscope-bench: %s\n", e.what());
        return 1;
    }
}

} // namespace attnscope::bench
