#include "core/nn/gemm.h"

#include <cblas.h>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace attnscope::nn {

namespace {

// OpenBLAS must not start its own threads (ours already occupy every core), and the engine calls it from
// several threads at once. Which library answers is the system's choice (Debian's alternatives for
// libopenblas.so.0), so the flavour is asked at run time (openblas_get_parallel):
//   1  pthread flavour: built with locking, concurrent calls are safe; the engine calls it freely;
//   0  serial flavour: Debian builds it without locking, and concurrent calls returned wrong results
//      (tst_gemm); 2  OpenMP flavour: its buffer pool is only guarded for calls from OpenMP's own threads.
// For 0 and 2 every GEMM runs under one mutex, with a one-line notice: the same results (each call computes
// in the calling thread either way), only slower on several threads.
struct Backend {
    bool serialise = false;
    std::mutex mutex;
    Backend() {
        openblas_set_num_threads(1);
        if (openblas_get_parallel() != 1) {
            serialise = true;
            std::fprintf(
                stderr,
                "AttnScope: the OpenBLAS in use (%s) is not safe for concurrent calls; its GEMMs run "
                "one at a time (slower). For full speed select the pthread flavour: "
                "update-alternatives --config libopenblas.so.0-x86_64-linux-gnu (libopenblas0-pthread)."
                "\n",
                openblas_get_config());
        }
    }
};

Backend& backend() {
    static Backend instance;
    return instance;
}

CBLAS_TRANSPOSE op(bool transposed) {
    return transposed ? CblasTrans : CblasNoTrans;
}

void call(bool ta, bool tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
          int ldb, float beta, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, op(ta), op(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void call(bool ta, bool tb, int m, int n, int k, double alpha, const double* a, int lda, const double* b,
          int ldb, double beta, double* c, int ldc) {
    cblas_dgemm(CblasRowMajor, op(ta), op(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

} // namespace

template <typename T>
void gemm(bool transA, bool transB, int m, int n, int k, T alpha, const T* a, int lda, const T* b, int ldb,
          T beta, T* c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        // BLAS would also scale C by beta; spelled out because callers rely on an exact overwrite.
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j)
                c[std::ptrdiff_t(i) * ldc + j] = beta == T(0) ? T(0) : beta * c[std::ptrdiff_t(i) * ldc + j];
        return;
    }
    if (beta == T(0)) {
        // OpenBLAS implements β = 0 as a pass of its own ("sgemm_beta", 5–6% of an R1 step) that zeroes C
        // before the kernel adds αAB onto it. memset does the same zeroing faster (11–38% off the small
        // attention and K = 128 products in a microbenchmark), and β = 1 onto zeros is then the same
        // arithmetic, so the results are bit-identical.
        for (int i = 0; i < m; ++i) std::memset(c + std::ptrdiff_t(i) * ldc, 0, sizeof(T) * std::size_t(n));
        beta = T(1);
    }
    Backend& be = backend();
    if (be.serialise) {
        const std::lock_guard lock(be.mutex);
        call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    } else {
        call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}

const char* gemmBackend() {
    backend();
    return openblas_get_config();
}

template void gemm<float>(bool, bool, int, int, int, float, const float*, int, const float*, int, float,
                          float*, int);
template void gemm<double>(bool, bool, int, int, int, double, const double*, int, const double*, int, double,
                           double*, int);

} // namespace attnscope::nn
