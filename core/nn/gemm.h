#pragma once
// Single-threaded GEMM on row-major flat buffers: C = alpha·op(A)·op(B) + beta·C, op(X) = X or Xᵀ.
//   op(A) (m, k) with leading dimension lda, op(B) (k, n) with ldb, C (m, n) with ldc.
// Callers own the threading (OpenMP over fixed disjoint blocks of C, parallel.h); every call computes in the
// calling thread, so results do not depend on the number of threads.
//
// Backed by OpenBLAS (libopenblas.so, any flavour; limited to one thread per call, gemm.cpp): at our shapes its
// AVX-512 sgemm runs at 93–116 GFLOP/s on one core against Eigen's 68–85 (docs/performance.md).
namespace attnscope::nn {

template <typename T>
void gemm(bool transA, bool transB, int m, int n, int k, T alpha, const T* a, int lda, const T* b, int ldb,
          T beta, T* c, int ldc);

// "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64" or similar, for benchmarks and bug reports.
const char* gemmBackend();

} // namespace attnscope::nn
