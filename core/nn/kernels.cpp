#include "core/nn/kernels.h"

#include "core/nn/kernel_tables.h"

#include <cstdlib>
#include <cstring>

namespace attnscope::nn {

namespace {

bool cpuHasAvx2Fma() {
#if defined(ATTNSCOPE_HAVE_AVX2_KERNELS)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

KernelPath choosePath() {
    const char* forced = std::getenv("ATTNSCOPE_KERNELS");
    if (forced && std::strcmp(forced, "baseline") == 0) return KernelPath::Baseline;
    return cpuHasAvx2Fma() ? KernelPath::Avx2 : KernelPath::Baseline;
}

} // namespace

KernelPath activeKernelPath() {
    static const KernelPath path = choosePath();
    return path;
}

const char* kernelPathName(KernelPath path) {
    return path == KernelPath::Avx2 ? "avx2+fma" : "baseline";
}

bool kernelPathAvailable(KernelPath path) {
    return path == KernelPath::Baseline || cpuHasAvx2Fma();
}

template <typename T> const Kernels<T>& kernelsFor(KernelPath path) {
#if defined(ATTNSCOPE_HAVE_AVX2_KERNELS)
    if (path == KernelPath::Avx2) return avx2KernelTable<T>();
#else
    (void)path;
#endif
    return baselineKernelTable<T>();
}

template <typename T> const Kernels<T>& kernels() {
    static const Kernels<T>& active = kernelsFor<T>(activeKernelPath());
    return active;
}

template const Kernels<float>& kernels<float>();
template const Kernels<double>& kernels<double>();
template const Kernels<float>& kernelsFor<float>(KernelPath);
template const Kernels<double>& kernelsFor<double>(KernelPath);

} // namespace attnscope::nn
