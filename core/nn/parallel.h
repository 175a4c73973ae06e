#pragma once
// Parallel loops. Work is cut into fixed blocks whose bounds depend only on the problem size (never on the
// thread count); the threads of the caller's team (thread_team.h) claim whole blocks one at a time, and
// reductions add per-block partials in block order. Every block is computed the same way whoever computes it
// — the same GEMM shape, the same vector/tail split of a loop — so results are bit-identical for any number
// of threads. The thread count is OpenMP's (omp_set_num_threads in the calling thread); OpenMP itself is used
// only for `omp simd`.
#include "core/nn/thread_team.h"

#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace attnscope::nn {

inline std::ptrdiff_t blockCount(std::ptrdiff_t n, std::ptrdiff_t block) {
    block = std::max<std::ptrdiff_t>(block, 1);
    return (n + block - 1) / block;
}

// Calls fn(begin, end) once for every block [k·block, min(n, (k+1)·block)) of [0, n), the blocks spread over
// the threads. Runs inline (still block by block) when there is one block or when already inside a parallel
// job. `block` should be a multiple of the SIMD width for elementwise loops. fn must not throw.
template <typename Fn> void parallelChunks(std::ptrdiff_t n, std::ptrdiff_t block, Fn&& fn) {
    if (n <= 0) return;
    block = std::max<std::ptrdiff_t>(block, 1);
    const auto one = [&](std::ptrdiff_t k) { fn(k * block, std::min(n, (k + 1) * block)); };
    runBlocks(blockCount(n, block), inTeamJob() ? 1 : omp_get_max_threads(), one);
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
