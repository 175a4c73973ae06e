#pragma once
// Measured machine peaks the benchmark reports utilisation against.
namespace attnscope::bench {
// Fused multiply-add throughput (2 FLOPs per lane) with independent accumulators on `threads` threads.
double fmaPeakGflops(int threads);
// Eigen fp32 GEMM (m×k)·(k×n), row-major, single thread, best of several repetitions.
double gemmGflops(int m, int k, int n);
} // namespace attnscope::bench
