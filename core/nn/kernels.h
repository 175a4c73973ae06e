#pragma once
// The engine's own hot loops (everything that is not a GEMM: OpenBLAS picks its kernels for the CPU itself),
// compiled twice and chosen once at start-up:
//   baseline  the architecture's base ISA (x86-64: SSE2), what the rest of the program is compiled for;
//   avx2      -mavx2 -mfma (x86-64-v3), on CPUs that have both (x86-64 builds only).
// Each entry works on a span or a range of rows in the calling thread; the callers (gelu, layernorm,
// attention, AdamW) keep the threading and the fixed blocks of parallel.h, so results are bit-identical for
// any thread count on either path. The two paths may differ in low bits (vector width changes the lane order
// of reductions, FMA the rounding of multiply-adds): determinism holds per CPU path, as docs/performance.md
// says. ATTNSCOPE_KERNELS=baseline in the environment forces the baseline path (for tests and bug reports).
#include <cstddef>

namespace attnscope::nn {

// AdamW's per-element coefficients for one tensor (core/optim/adamw.cpp).
template <typename T> struct AdamWCoefficients { T beta1, beta2, correction1, correction2, lr, eps, decay; };

template <typename T> struct Kernels {
    // GELU, tanh approximation, on a span (gelu.h).
    void (*geluForward)(T* y, const T* u, long n);
    void (*geluBackward)(T* du, const T* dy, const T* u, long n);
    // LayerNorm of rows [r0, r1) of width C (layernorm.h). The backward pass adds this range's dγ and dβ into
    // the partials pg and pb (C each).
    void (*layerNormForward)(T* y, T* mean, T* rstd, const T* x, const T* gamma, const T* beta,
                             std::ptrdiff_t r0, std::ptrdiff_t r1, int C, T eps);
    void (*layerNormBackward)(T* dx, T* pg, T* pb, const T* dy, const T* x, const T* gamma, const T* mean,
                              const T* rstd, std::ptrdiff_t r0, std::ptrdiff_t r1, int C, bool accumulateDx);
    // Attention rows (attention.cpp): softmax in place; relu(S)/n in place; dA → dS in place
    // (softmax: A_j (dA_j − delta) · scale, ReLU: 1[A_j > 0] dA_j · scale / n); Σ a_i b_i.
    void (*softmaxRow)(T* row, int n);
    void (*reluRow)(T* row, int n);
    void (*scoreGradRow)(T* dA, const T* a, int n, T delta, T scale, bool relu);
    T (*dot)(const T* a, const T* b, int n);
    // AdamW on elements [0, n) of one tensor; returns ‖Δθ‖² (in double) when `measure`, else 0.
    double (*adamw)(T* p, const T* g, T* m, T* v, std::ptrdiff_t n, const AdamWCoefficients<T>& c,
                    bool measure);
};

enum class KernelPath { Baseline, Avx2 };

// The path chosen for this process (once, at first use): Avx2 where the CPU has AVX2 and FMA and this build
// has the kernels, unless ATTNSCOPE_KERNELS=baseline.
KernelPath activeKernelPath();
const char* kernelPathName(KernelPath path); // "baseline" or "avx2+fma"
// Whether this build and CPU can run `path`.
bool kernelPathAvailable(KernelPath path);

template <typename T> const Kernels<T>& kernels();                   // the active path's
template <typename T> const Kernels<T>& kernelsFor(KernelPath path); // a given (available) path's, for tests

} // namespace attnscope::nn
