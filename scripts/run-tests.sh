#!/usr/bin/env bash
# One command: install dependencies, build, and run every test and check CI runs (.ci/run runs exactly this).
#
#   1. the Release build with warnings as errors (-DATTNSCOPE_WERROR=ON; a user's build never sets it) and
#      every CTest test (C++, Python, the fuzz test of the readers, the install layout, the metadata),
#   2. scripts/check-docs.py (every cited file exists, no history narrated),
#   3. clang-format --dry-run --Werror on every C++ file (.clang-format),
#   4. clang-tidy on core/ (.clang-tidy),
#   5. the engine, figures, CLI and every non-GUI test built with clang, AddressSanitizer + UBSan and the
#      libFuzzer targets in build-asan/ (-O1, GUI off), their tests run there, and each libFuzzer target for
#      a fixed time from a fixed seed (CTest libfuzzer_targets).
# --quick runs stage 1 only, without -Werror: the fast loop while developing.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
for arg in "$@"; do
    case "$arg" in
    --quick) quick=true ;;
    *) echo "usage: scripts/run-tests.sh [--quick]" >&2; exit 2 ;;
    esac
done
jobs="$(nproc)"
stage() { echo "== $1 ($(date -u +%H:%M:%S))"; }

scripts/install-deps.sh
if $quick; then
    scripts/build.sh -DATTNSCOPE_WERROR=OFF
    (cd build && ctest --output-on-failure -j"$jobs" --timeout 600)
    exit 0
fi
stage "Release build (-Werror) and its tests"
scripts/build.sh -DATTNSCOPE_WERROR=ON
(cd build && ctest --output-on-failure -j"$jobs" --timeout 600)

stage "docs: cited files exist, no history narrated"
scripts/check-docs.py
stage "clang-format"
git ls-files '*.cpp' '*.h' | xargs clang-format-14 --dry-run --Werror
stage "clang-tidy on core/"
run-clang-tidy-14 -p build -quiet -j "$jobs" -extra-arg=-Wno-unknown-warning-option "$PWD/core/.*\\.cpp$" >build/clang-tidy.log 2>&1 ||
    { grep -E "(warning|error):" build/clang-tidy.log | sort -u; exit 1; }
stage "clang: AddressSanitizer + UBSan build with the libFuzzer targets"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DATTNSCOPE_SANITIZE=ON -DATTNSCOPE_FUZZERS=ON -DATTNSCOPE_BUILD_GUI=OFF -DATTNSCOPE_BUILD_BENCH=OFF \
    -DATTNSCOPE_WERROR=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O1 -gline-tables-only' \
    "${launcher[@]}" >/dev/null
cmake --build build-asan -j"$jobs"
stage "sanitised tests and libFuzzer targets"
# Leak reports are off: Qt's and fontconfig's process-lifetime caches would be reported as leaks.
(cd build-asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j"$jobs" --timeout 1200)
stage "all checks passed"
