#pragma once
// OpenMP helpers. Work is split into contiguous static chunks whose boundaries depend only on the problem
// size and the thread count, and reductions combine per-thread partials in thread order: the same thread
// count always produces bit-identical results.
#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace attnscope::nn {

// [begin, end) of chunk `part` when n items are split into `parts` near-equal pieces.
inline std::pair<std::ptrdiff_t, std::ptrdiff_t> chunk(std::ptrdiff_t n, int part, int parts) {
    const std::ptrdiff_t base = n / parts, extra = n % parts;
    const std::ptrdiff_t begin = part * base + std::min<std::ptrdiff_t>(part, extra);
    return {begin, begin + base + (part < extra ? 1 : 0)};
}

// Calls fn(begin, end) on each thread's contiguous share of [0, n). Runs inline when n is too small to
// repay a parallel region or when already inside one.
template <typename Fn> void parallelChunks(std::ptrdiff_t n, std::ptrdiff_t minPerThread, Fn&& fn) {
    const int maxThreads = omp_in_parallel() ? 1 : omp_get_max_threads();
    const int threads = int(std::clamp<std::ptrdiff_t>(n / std::max<std::ptrdiff_t>(minPerThread, 1), 1,
                                                       maxThreads));
    if (threads == 1) {
        fn(std::ptrdiff_t(0), n);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        const auto [b, e] = chunk(n, omp_get_thread_num(), omp_get_num_threads());
        if (b < e) fn(b, e);
    }
}

// Deterministic parallel sum of fn(begin, end) partials (each partial computed serially, in double).
template <typename Fn> double parallelSum(std::ptrdiff_t n, std::ptrdiff_t minPerThread, Fn&& fn) {
    const int maxThreads = omp_in_parallel() ? 1 : omp_get_max_threads();
    const int threads = int(std::clamp<std::ptrdiff_t>(n / std::max<std::ptrdiff_t>(minPerThread, 1), 1,
                                                       maxThreads));
    std::vector<double> partial(threads, 0.0);
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        const auto [b, e] = chunk(n, omp_get_thread_num(), omp_get_num_threads());
        if (b < e) partial[omp_get_thread_num()] = fn(b, e);
    }
    double total = 0;
    for (double p : partial) total += p;
    return total;
}

} // namespace attnscope::nn
