#pragma once
// Measured machine peaks the benchmark reports utilisation against.
namespace attnscope::bench {
// Fused multiply-add throughput (2 FLOPs per lane) with independent accumulators on `threads` threads.
double fmaPeakGflops(int threads);
// fp32 GEMM (m×k)·(k×n), row-major, single thread, best of several repetitions: the engine's own GEMM
// (nn::gemm, OpenBLAS) and, for comparison, Eigen's.
double gemmGflops(int m, int k, int n);
double eigenGemmGflops(int m, int k, int n);
} // namespace attnscope::bench
