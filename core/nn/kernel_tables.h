#pragma once
// The two compiled copies of the kernels (kernels_impl.h); only kernels.cpp chooses between them.
#include "core/nn/kernels.h"

namespace attnscope::nn {

template <typename T> const Kernels<T>& baselineKernelTable();
// Defined only in x86-64 builds (kernels_avx2.cpp); call only where the CPU has AVX2 and FMA.
template <typename T> const Kernels<T>& avx2KernelTable();

} // namespace attnscope::nn
