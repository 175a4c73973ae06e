// Compiled with the build's -march flags like the rest of core: the preprocessor says which instruction-set
// extensions the compiler may use, and this file only turns that into a bit mask. It contains no vector code
// itself, so calling it on an older CPU is safe.
#include "core/util/cpu_features.h"

namespace attnscope::detail {

unsigned compiledCpuFeatures() {
    unsigned m = 0;
#ifdef __SSSE3__
    m |= kSsse3;
#endif
#ifdef __SSE4_2__
    m |= kSse42;
#endif
#ifdef __POPCNT__
    m |= kPopcnt;
#endif
#ifdef __AVX__
    m |= kAvx;
#endif
#ifdef __AVX2__
    m |= kAvx2;
#endif
#ifdef __FMA__
    m |= kFma;
#endif
#ifdef __BMI2__
    m |= kBmi2;
#endif
#ifdef __F16C__
    m |= kF16c;
#endif
#ifdef __AVX512F__
    m |= kAvx512f;
#endif
#ifdef __AVX512BW__
    m |= kAvx512bw;
#endif
#ifdef __AVX512VL__
    m |= kAvx512vl;
#endif
#ifdef __AVX512DQ__
    m |= kAvx512dq;
#endif
    return m;
}

} // namespace attnscope::detail
