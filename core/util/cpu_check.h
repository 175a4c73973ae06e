#pragma once
// Start-up check that this CPU can run the instructions the build was compiled for (CMake's ATTNSCOPE_ARCH,
// plain x86-64 by default, which needs nothing, or -march=native). Without it an older CPU would die with
// SIGILL somewhere in Eigen; with it the program says which features are missing and how to build for this
// CPU.

namespace attnscope {

// Prints one message on stderr and exits with status 1 when a required feature is missing; returns
// otherwise. It also runs from a constructor before any static initialiser of ours; every main() calls it
// too, which links it into every program.
void requireCpuFeatures();

// The features this build requires, as compiled (e.g. "avx2 fma"); empty when nothing beyond x86-64.
const char* requiredCpuFeatures();

} // namespace attnscope
