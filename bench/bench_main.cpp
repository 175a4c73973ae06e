// attnscope-bench: engine throughput against this machine's measured peaks.
//
// Model FLOPs per training token (forward + backward = 3 × forward; causal attention counts visible keys
// only):
//   forward = 2·(12·L·C² + C·V)            projections, MLP and LM head
//           + L·4·C·(T+1)/2                 QKᵀ and A·V over the (T+1)/2 keys a query sees on average
// Usage: attnscope-bench [--quick] [--steps N] [--only R1|R2] [--threads N] [--contended] [--latency]
//        attnscope-bench --hf MODEL_DIR [FORWARD_TOKENS PROBE_TOKENS REPEAT THREADS] (bench/hf_forward.h)
#include "bench/busy_process.h"
#include "bench/hf_forward.h"
#include "bench/ls_latency.h"
#include "bench/peak.h"
#include "core/model/model.h"
#include "core/nn/gemm.h"
#include "core/nn/kernels.h"
#include "core/optim/adamw.h"
#include "core/probe/probe.h"
#include "core/train/train_config.h"
#include "core/util/cpu_check.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <omp.h>
#include <string>
#include <time.h>
#include <vector>

using namespace attnscope;
using Clock = std::chrono::steady_clock;

namespace {

struct Reference {
    const char* name;
    int layers, heads, dModel, context, batch, vocab;
};

double flopsPerToken(const ModelConfig& c) {
    const double L = c.layers, C = c.dModel, V = c.vocab, T = c.context;
    return 3.0 * (2.0 * (12.0 * L * C * C + C * V) + L * 4.0 * C * (T + 1) / 2.0);
}

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds of the whole process (all threads): with one thread, tokens per CPU-second is what the engine
// does when the core is not shared, even while other processes load the machine.
double processCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Timing {
    double tokensPerSec, forward, backward, optimizer;
    double recordMs; // extra cost of a recording step: probe snapshot + the optimiser's update ratios
    double tokensPerCpuSec;
};

Timing trainSpeed(const Reference& r, int threads, int steps) {
    omp_set_num_threads(threads);
    ModelConfig c;
    c.layers = r.layers, c.heads = r.heads, c.dModel = r.dModel, c.context = r.context, c.vocab = r.vocab;
    Model<float> model(c);
    Rng rng(1);
    model.initialize(rng);
    TrainConfig tc;
    AdamW adam(model.layout(), tc);
    Workspace<float> ws(c, r.batch, r.context);
    std::vector<std::int32_t> in(std::size_t(r.batch) * r.context), tg(in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        in[i] = std::int32_t(rng.below(c.vocab)), tg[i] = std::int32_t(rng.below(c.vocab));
    double fwd = 0, bwd = 0, opt = 0, cpu = 0;
    std::vector<double> stepTimes;
    for (int s = -2; s < steps; ++s) { // two warm-up steps
        const double cpu0 = processCpuSeconds();
        auto t0 = Clock::now();
        model.forward(ws, in.data(), tg.data());
        const double f = since(t0);
        t0 = Clock::now();
        model.backward(ws);
        const double b = since(t0);
        t0 = Clock::now();
        clipGradientNorm(model.grads.data(), model.grads.size(), 1.0);
        adam.step(model.params.data(), model.grads.data(), 1e-4);
        const double o = since(t0);
        if (s >= 0)
            fwd += f, bwd += b, opt += o, cpu += processCpuSeconds() - cpu0, stepTimes.push_back(f + b + o);
    }
    const double total = fwd + bwd + opt;
    Workspace<float> probe(c, 1, r.context);
    std::vector<std::int32_t> tokens(in.begin(), in.begin() + r.context);
    auto t0 = Clock::now();
    const int probes = 3;
    for (int i = 0; i < probes; ++i) takeSnapshot(model, probe, tokens, 0);
    const double snapshotMs = since(t0) / probes * 1e3;
    // A recording step also measures ‖Δθ‖/‖θ‖ per tensor in the optimiser (AdamW::step with ratios).
    double plainOpt = 0, ratioOpt = 0;
    std::vector<float> ratios;
    for (int i = 0; i < probes; ++i) {
        auto ta = Clock::now();
        adam.step(model.params.data(), model.grads.data(), 1e-4);
        plainOpt += since(ta);
        ta = Clock::now();
        adam.step(model.params.data(), model.grads.data(), 1e-4, &ratios);
        ratioOpt += since(ta);
    }
    const double recordMs = snapshotMs + std::max(0.0, ratioOpt - plainOpt) / probes * 1e3;
    // Throughput from the median step: a step slowed by another process on a shared core does not move it.
    std::sort(stepTimes.begin(), stepTimes.end());
    const double median = stepTimes[stepTimes.size() / 2];
    const double perStep = double(r.batch) * r.context;
    return {perStep / median, fwd / total, bwd / total, opt / total, recordMs, perStep * steps / cpu};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// R1 at 1 thread and at all threads, on the idle machine and beside a competing busy process (started here),
// in interleaved rounds; prints medians and the ratios.
int contended(int cores, int steps, int rounds) {
    const Reference r1{"R1", 4, 4, 128, 128, 16, 96};
    std::printf("R1 under contention: %d rounds of (idle 1 thread, idle %d threads, then beside one busy "
                "process: 1 thread, %d threads), %d steps each\n",
                rounds, cores, cores, steps);
    std::vector<double> idle1, idleN, busy1, busyN;
    for (int round = 0; round < rounds; ++round) {
        idle1.push_back(trainSpeed(r1, 1, steps).tokensPerSec);
        idleN.push_back(trainSpeed(r1, cores, steps).tokensPerSec);
        {
            const bench::BusyProcess busy;
            if (!busy.running()) return 1;
            busy1.push_back(trainSpeed(r1, 1, steps).tokensPerSec);
            busyN.push_back(trainSpeed(r1, cores, steps).tokensPerSec);
        }
        std::printf("  round %d: idle %6.0f / %6.0f tokens/s (%.2fx)   contended %6.0f / %6.0f tokens/s "
                    "(%.2fx)\n",
                    round + 1, idle1.back(), idleN.back(), idleN.back() / idle1.back(), busy1.back(),
                    busyN.back(), busyN.back() / busy1.back());
        std::fflush(stdout);
    }
    std::printf("  median : idle 1 thread %.0f, %d threads %.0f tokens/s: speed-up %.2fx\n", median(idle1),
                cores, median(idleN), median(idleN) / median(idle1));
    std::printf("           contended 1 thread %.0f, %d threads %.0f tokens/s: %d threads / 1 thread = "
                "%.2fx\n",
                median(busy1), cores, median(busyN), cores, median(busyN) / median(busy1));
    return 0;
}

// The same model at R1's width (d_model 128, head dim 16) and at twice it (d_model 256, head dim 32): the
// narrower the model, the larger attention's share of a forward and so of what local heads can save.
void printLsLatency(int repeats) {
    for (const int dModel : {128, 256}) {
        std::printf(
            "LS-attention forward latency (batch 1; 4 layers, d_model %d, 8 heads; LS = 7 local heads of "
            "window 32 + 1 global; median of %d)\n",
            dModel, repeats);
        std::printf("  %6s  %12s  %12s  %8s\n", "T", "full MHSA", "LS", "saving");
        for (const auto& row : bench::lsLatency({512, 1024, 2048}, 4, dModel, repeats)) {
            std::printf("  %6d  %9.2f ms  %9.2f ms  %7.1f%%\n", row.length, row.fullMs, row.lsMs,
                        100 * (1 - row.lsMs / row.fullMs));
            std::fflush(stdout);
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    requireCpuFeatures();
    bool quick = false, contention = false, latency = false;
    int steps = 20, onlyThreads = 0;
    std::string only;
    if (argc >= 3 && !std::strcmp(argv[1], "--hf")) {
        // --hf MODEL_DIR [FORWARD_TOKENS PROBE_TOKENS REPEAT THREADS]
        auto arg = [&](int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; };
        return bench::runHfForward(argv[2], arg(3, 1024), arg(4, 256), arg(5, 3), arg(6, 0));
    }
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick"))
            quick = true, steps = 5;
        else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            onlyThreads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--contended"))
            contention = true;
        else if (!std::strcmp(argv[i], "--latency"))
            latency = true;
        else {
            std::fprintf(
                stderr, "usage: attnscope-bench [--quick] [--steps N] [--only R1|R2] [--threads N] "
                        "[--contended] [--latency]\n"
                        "       attnscope-bench --hf MODEL_DIR [FORWARD_TOKENS PROBE_TOKENS REPEAT THREADS]\n"
                        "  --only and --threads skip the peak measurements (for profiling one case)\n"
                        "  --contended: R1 at 1 and all threads, idle and beside a busy process it starts\n"
                        "  --latency: forward latency of full attention vs LS-attention at T = 512..2048\n");
            return 2;
        }
    }
    if (steps < 1 || onlyThreads < 0 || (!only.empty() && only != "R1" && only != "R2")) {
        std::fprintf(stderr, "attnscope-bench: --steps must be >= 1, --threads >= 1, --only R1 or R2\n");
        return 2;
    }
    const int cores = omp_get_num_procs();
    if (contention) return contended(cores, quick ? 5 : std::min(steps, 10), quick ? 2 : 3);
    if (latency) {
        omp_set_num_threads(onlyThreads > 0 ? onlyThreads : cores);
        printLsLatency(quick ? 3 : 5);
        return 0;
    }
    if (!only.empty() || onlyThreads > 0) {
        const Reference refs[] = {{"R1", 4, 4, 128, 128, 16, 96}, {"R2", 6, 6, 384, 256, 16, 96}};
        for (const Reference& r : refs) {
            if (!only.empty() && only != r.name) continue;
            const int threads = onlyThreads > 0 ? onlyThreads : cores;
            const Timing t = trainSpeed(r, threads, steps);
            std::printf("%s %d thread(s): %.0f tokens/s, %.0f tokens per CPU-second (forward %.0f%%, "
                        "backward %.0f%%, "
                        "optimizer %.0f%%); a recording step costs +%.1f ms = %.1f%% of training time at "
                        "record_every 5\n",
                        r.name, threads, t.tokensPerSec, t.tokensPerCpuSec, 100 * t.forward, 100 * t.backward,
                        100 * t.optimizer, t.recordMs,
                        100 * t.recordMs * t.tokensPerSec / (5.0 * r.batch * r.context * 1e3));
        }
        return 0;
    }
    std::printf("AttnScope engine benchmark (%d cores)\n\n", cores);
    const double fma1 = bench::fmaPeakGflops(1);
    const double fmaAll = bench::fmaPeakGflops(cores);
    std::printf("FMA peak        : %6.1f GFLOP/s (1 thread)  %6.1f GFLOP/s (%d threads)\n", fma1, fmaAll,
                cores);
    if (cores > 1 && fmaAll < 0.8 * cores * fma1)
        std::printf(
            "WARNING: %d threads reach only %.0f%% of %d x the 1-thread FMA peak: other processes are using "
            "the cores, so the multi-thread figures below are not the engine's.\n",
            cores, 100 * fmaAll / (cores * fma1), cores);
    std::printf("GEMM backend    : %s\n", nn::gemmBackend());
    std::printf("Compiled for    : %s\n", *requiredCpuFeatures() ? requiredCpuFeatures() : "x86-64 base ISA");
    std::printf("Kernel path     : %s\n", nn::kernelPathName(nn::activeKernelPath()));
    for (auto [m, k, n] : {std::tuple{2048, 128, 384}, {2048, 128, 512}, {2048, 512, 128}, {4096, 384, 1152}})
        std::printf("GEMM %4dx%4dx%4d: %6.1f GFLOP/s (1 thread; Eigen %5.1f)\n", m, k, n,
                    bench::gemmGflops(m, k, n), bench::eigenGemmGflops(m, k, n));
    std::printf("\n");

    const Reference refs[] = {{"R1", 4, 4, 128, 128, 16, 96}, {"R2", 6, 6, 384, 256, 16, 96}};
    for (const Reference& r : refs) {
        ModelConfig c;
        c.layers = r.layers, c.heads = r.heads, c.dModel = r.dModel, c.context = r.context, c.vocab = r.vocab;
        const double fpt = flopsPerToken(c);
        std::printf(
            "%s: %d layers, %d heads, d_model %d, context %d, batch %d, vocab %d — %.2f MFLOP/token\n",
            r.name, r.layers, r.heads, r.dModel, r.context, r.batch, r.vocab, fpt / 1e6);
        double single = 0;
        for (int threads = 1; threads <= cores; ++threads) {
            if (threads != 1 && threads != cores) continue;
            const int n = r.name[1] == '2' ? std::max(2, steps / 4) : steps;
            const Timing t = trainSpeed(r, threads, quick && r.name[1] == '2' ? 2 : n);
            const double gflops = t.tokensPerSec * fpt / 1e9;
            const double peak = threads == 1 ? fma1 : fmaAll;
            if (threads == 1) single = t.tokensPerSec;
            std::printf("  %d thread%s: %8.0f tokens/s  %6.1f GFLOP/s  = %4.1f%% of FMA peak", threads,
                        threads > 1 ? "s" : " ", t.tokensPerSec, gflops, 100 * gflops / peak);
            if (threads > 1) std::printf("  speed-up %.2fx", t.tokensPerSec / single);
            std::printf("\n             split: forward %2.0f%%  backward %2.0f%%  optimizer %2.0f%%;"
                        "  recording step +%.1f ms\n",
                        100 * t.forward, 100 * t.backward, 100 * t.optimizer, t.recordMs);
            if (threads == cores) {
                const double stepMs = 1e3 * r.batch * r.context / t.tokensPerSec;
                std::printf(
                    "             instrumentation (probe snapshot + update ratios) at record_every=5: "
                    "%.1f%% of training time; at 25: %.1f%%\n",
                    100 * t.recordMs / (5 * stepMs), 100 * t.recordMs / (25 * stepMs));
            }
        }
        std::printf("\n");
    }
    omp_set_num_threads(cores);
    printLsLatency(quick ? 3 : 5);
    return 0;
}
