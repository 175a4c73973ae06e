// Compiled for plain x86-64 whatever the build's -march (core/CMakeLists.txt), so this check itself runs on
// any 64-bit x86 CPU. It uses only C library calls, no inline C++ library templates: the linker keeps one
// copy of each inline function for the whole program, possibly one compiled for AVX2 in another file.
#include "core/util/cpu_check.h"

#include "core/util/cpu_features.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace attnscope {

namespace {

struct Feature {
    unsigned bit;
    const char* name;
};

constexpr Feature kFeatures[] = {
    {detail::kSsse3, "ssse3"},       {detail::kSse42, "sse4.2"},      {detail::kPopcnt, "popcnt"},
    {detail::kAvx, "avx"},           {detail::kAvx2, "avx2"},         {detail::kFma, "fma"},
    {detail::kBmi2, "bmi2"},         {detail::kF16c, "f16c"},         {detail::kAvx512f, "avx512f"},
    {detail::kAvx512bw, "avx512bw"}, {detail::kAvx512vl, "avx512vl"}, {detail::kAvx512dq, "avx512dq"},
};

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// __builtin_cpu_supports needs literal names, hence the switch.
bool cpuHas(unsigned bit) {
    __builtin_cpu_init();
    switch (bit) {
    case detail::kSsse3:
        return __builtin_cpu_supports("ssse3");
    case detail::kSse42:
        return __builtin_cpu_supports("sse4.2");
    case detail::kPopcnt:
        return __builtin_cpu_supports("popcnt");
    case detail::kAvx:
        return __builtin_cpu_supports("avx");
    case detail::kAvx2:
        return __builtin_cpu_supports("avx2");
    case detail::kFma:
        return __builtin_cpu_supports("fma");
    case detail::kBmi2:
        return __builtin_cpu_supports("bmi2");
    case detail::kF16c: {
        // CPUID leaf 1, ECX bit 29; clang 14's __builtin_cpu_supports does not know "f16c".
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << 29)) != 0;
    }
    case detail::kAvx512f:
        return __builtin_cpu_supports("avx512f");
    case detail::kAvx512bw:
        return __builtin_cpu_supports("avx512bw");
    case detail::kAvx512vl:
        return __builtin_cpu_supports("avx512vl");
    case detail::kAvx512dq:
        return __builtin_cpu_supports("avx512dq");
    }
    return true;
}
#else
bool cpuHas(unsigned) {
    return true;
} // other architectures: no extensions beyond the base ISA are assumed
#endif

// Space-separated names of the features in mask, into buf (large enough for all of them).
const char* names(unsigned mask, char (&buf)[128]) {
    buf[0] = '\0';
    for (const Feature& f : kFeatures) {
        if (!(mask & f.bit)) continue;
        if (buf[0]) std::strcat(buf, " ");
        std::strcat(buf, f.name);
    }
    return buf;
}

// Runs before the default-priority static initialisers of the program (GCC init_array priority 101).
__attribute__((constructor(101))) void checkAtLoad() {
    requireCpuFeatures();
}

} // namespace

const char* requiredCpuFeatures() {
    static char buf[128];
    return names(detail::compiledCpuFeatures(), buf);
}

void requireCpuFeatures() {
    unsigned missing = 0;
    for (const Feature& f : kFeatures)
        if ((detail::compiledCpuFeatures() & f.bit) && !cpuHas(f.bit)) missing |= f.bit;
    if (!missing) return;
    char buf[128];
    std::fprintf(stderr,
                 "AttnScope: this CPU lacks %s, which this build of AttnScope requires (built for %s). "
                 "Rebuild from source with the default -DATTNSCOPE_ARCH=x86-64 (runs on any x86-64 CPU).\n",
                 names(missing, buf), ATTNSCOPE_CPU_TARGET);
    std::exit(1);
}

} // namespace attnscope
