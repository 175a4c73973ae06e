#pragma once
// OpenMP helpers. Work is cut into fixed blocks whose bounds depend only on the problem size (never on the
// thread count); threads take contiguous runs of whole blocks, and reductions add per-block partials in
// block order. Every block is computed the same way whoever computes it — the same GEMM shape, the same
// vector/tail split of a loop — so results are bit-identical for any number of threads.
#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace attnscope::nn {

// [begin, end) of part `part` when n items are split into `parts` near-equal pieces.
inline std::pair<std::ptrdiff_t, std::ptrdiff_t> chunk(std::ptrdiff_t n, int part, int parts) {
    const std::ptrdiff_t base = n / parts, extra = n % parts;
    const std::ptrdiff_t begin = part * base + std::min<std::ptrdiff_t>(part, extra);
    return {begin, begin + base + (part < extra ? 1 : 0)};
}

inline std::ptrdiff_t blockCount(std::ptrdiff_t n, std::ptrdiff_t block) {
    block = std::max<std::ptrdiff_t>(block, 1);
    return (n + block - 1) / block;
}

// Calls fn(begin, end) once for every block [k·block, min(n, (k+1)·block)) of [0, n), the blocks spread over
// the threads. Runs inline (still block by block) when there is one block or when already inside a parallel
// region. `block` should be a multiple of the SIMD width for elementwise loops.
template <typename Fn> void parallelChunks(std::ptrdiff_t n, std::ptrdiff_t block, Fn&& fn) {
    if (n <= 0) return;
    block = std::max<std::ptrdiff_t>(block, 1);
    const std::ptrdiff_t blocks = blockCount(n, block);
    auto run = [&](std::ptrdiff_t k0, std::ptrdiff_t k1) {
        for (std::ptrdiff_t k = k0; k < k1; ++k) fn(k * block, std::min(n, (k + 1) * block));
    };
    const int maxThreads = omp_in_parallel() ? 1 : omp_get_max_threads();
    const int threads = int(std::min<std::ptrdiff_t>(blocks, maxThreads));
    if (threads <= 1) return run(0, blocks);
#pragma omp parallel num_threads(threads)
    {
        const auto [k0, k1] = chunk(blocks, omp_get_thread_num(), omp_get_num_threads());
        run(k0, k1);
    }
}

// Parallel sum of fn(begin, end) over the blocks of [0, n): each block's partial is computed serially (in
// double) and the partials are added in block order.
template <typename Fn> double parallelSum(std::ptrdiff_t n, std::ptrdiff_t block, Fn&& fn) {
    if (n <= 0) return 0.0;
    block = std::max<std::ptrdiff_t>(block, 1);
    std::vector<double> partial(std::size_t(blockCount(n, block)), 0.0);
    parallelChunks(n, block,
                   [&](std::ptrdiff_t b, std::ptrdiff_t e) { partial[std::size_t(b / block)] = fn(b, e); });
    double total = 0;
    for (double p : partial) total += p;
    return total;
}

} // namespace attnscope::nn
