#!/usr/bin/env bash
# One command: install dependencies, build, and run every test (CTest).
#
# With CI=true in the environment (or --ci) it also runs CI's checks beyond the tests, in this order:
#   1. the Release build with warnings as errors (-DATTNSCOPE_WERROR=ON; a user's build never sets it),
#   2. scripts/check-docs.py (every cited file exists, no history narrated),
#   3. clang-format --dry-run --Werror on every C++ file (.clang-format),
#   4. clang-tidy on core/ (.clang-tidy), from build/compile_commands.json,
#   5. the engine, figures, CLI and every non-GUI test built with AddressSanitizer + UBSan in build-asan/
#      (RelWithDebInfo, GUI off) and run there.
set -euo pipefail
cd "$(dirname "$0")/.."
ci=false
if [[ "${CI:-}" == "true" || "${1:-}" == "--ci" ]]; then ci=true; fi
jobs="$(nproc)"

scripts/install-deps.sh
if $ci; then
    scripts/build.sh -DATTNSCOPE_WERROR=ON
else
    scripts/build.sh -DATTNSCOPE_WERROR=OFF
fi
(cd build && ctest --output-on-failure -j"$jobs" --timeout 600)
$ci || exit 0

echo "== docs: cited files exist, no history narrated"
scripts/check-docs.py
echo "== clang-format"
git ls-files '*.cpp' '*.h' | xargs clang-format-14 --dry-run --Werror
echo "== clang-tidy on core/"
run-clang-tidy-14 -p build -quiet -j "$jobs" "$PWD/core/.*\\.cpp$" >build/clang-tidy.log 2>&1 ||
    { grep -E "(warning|error):" build/clang-tidy.log; exit 1; }
echo "== AddressSanitizer + UBSan: engine, figures, CLI and the non-GUI tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTNSCOPE_SANITIZE=ON -DATTNSCOPE_BUILD_GUI=OFF \
    -DATTNSCOPE_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
# Leak reports are off: Qt's and fontconfig's process-lifetime caches would be reported as leaks.
(cd build-asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j"$jobs" --timeout 1200)
