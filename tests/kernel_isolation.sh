#!/usr/bin/env bash
# CTest kernel_isolation: the AVX2 copy of the kernels (core/nn/kernels_avx2.cpp) may define no symbol that
# another translation unit could also define. Inline functions and template instantiations are emitted in
# every unit that uses them, and the linker keeps one copy for the whole program; were one of them shared with
# the baseline units, the linker could pick the copy compiled for AVX2 and the program would die with SIGILL on
# a CPU without it. So every global symbol of that object must be its own: the table accessor, or a name in
# the renamed Eigen namespace (attnscope_avx2_Eigen).
#
#   tests/kernel_isolation.sh BUILD_DIR
set -euo pipefail
# Sanitizer instrumentation adds type information of function types to every object: the check is about the
# builds users run.
if grep -qE '^ATTNSCOPE_(SANITIZE|FUZZERS):BOOL=ON' "$1/CMakeCache.txt" 2>/dev/null; then
    echo "kernel_isolation: a sanitizer build (checked in the Release build)"
    exit 77
fi
objects=$(find "$1" -name 'kernels_avx2.cpp.o' -o -name 'kernels_avx2.cpp.obj')
if [[ -z "$objects" ]]; then
    echo "kernel_isolation: no kernels_avx2 object under $1 (not an x86-64 build)"
    exit 77
fi
status=0
for object in $objects; do
    # Defined global symbols (upper-case nm types), demangled.
    shared=$(nm -C --defined-only "$object" | awk '$2 ~ /^[A-Z]$/ { $1 = ""; $2 = ""; print substr($0, 3) }' |
        grep -v -e 'attnscope::nn::avx2KernelTable<' -e 'attnscope_avx2_Eigen::' -e '^DW\.ref\.__gxx_personality_v0$' || true)
    if [[ -n "$shared" ]]; then
        echo "kernel_isolation: $object defines symbols other units may share (compiled for AVX2):" >&2
        echo "$shared" | sed 's/^/  /' >&2
        status=1
    fi
done
((status == 0)) && echo "kernel_isolation: ok ($(echo "$objects" | wc -l) object(s))"
exit $status
