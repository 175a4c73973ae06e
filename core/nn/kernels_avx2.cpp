// The kernels compiled with -mavx2 -mfma (core/CMakeLists.txt; x86-64 builds only). Eigen's namespace is
// renamed in this unit: its templates, instantiated here with AVX2 packets, then have names of their own, and
// the linker cannot substitute one of them for the baseline copy another unit instantiated (or the reverse).
#include "core/nn/kernel_tables.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "kernels_avx2.cpp must be compiled with -mavx2 -mfma"
#endif

#define Eigen attnscope_avx2_Eigen
#define ATTNSCOPE_KERNEL_TABLE avx2KernelTable
#include "core/nn/kernels_impl.h"
