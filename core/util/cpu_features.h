#pragma once
// Bits for the x86 instruction-set extensions the -march baselines add (x86-64-v2, -v3, -v4), shared by the
// two halves of the start-up CPU check (core/util/cpu_check.h).

namespace attnscope::detail {

enum CpuFeature : unsigned {
    kSsse3 = 1u << 0,
    kSse42 = 1u << 1,
    kPopcnt = 1u << 2,
    kAvx = 1u << 3,
    kAvx2 = 1u << 4,
    kFma = 1u << 5,
    kBmi2 = 1u << 6,
    kF16c = 1u << 7,
    kAvx512f = 1u << 8,
    kAvx512bw = 1u << 9,
    kAvx512vl = 1u << 10,
    kAvx512dq = 1u << 11,
};

// What the compiler was allowed to use for core (cpu_features_required.cpp, compiled with the build's flags).
unsigned compiledCpuFeatures();

} // namespace attnscope::detail
