#!/usr/bin/env bash
# Builds the Debian package: a portable Release build (x86-64-v3 baseline, see docs/performance.md) of the app,
# attnscope-cli and attnscope-plot, packed by CPack with dependencies from dpkg-shlibdeps.
#
#   scripts/make-deb.sh [BUILD_DIR]        (default build-deb/) → BUILD_DIR/attnscope_<version>_amd64.deb
#
# Install it with:  sudo apt install ./build-deb/attnscope_*.deb
# Extra CMake options can be passed in $CMAKE_ARGS (e.g. CMAKE_ARGS=-DATTNSCOPE_ARCH=x86-64-v2).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-deb}"
scripts/install-deps.sh
command -v dpkg-shlibdeps >/dev/null || { echo "make-deb: dpkg-shlibdeps missing (apt install dpkg-dev)" >&2; exit 1; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# shellcheck disable=SC2086
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DATTNSCOPE_NATIVE=OFF -DATTNSCOPE_BUILD_TESTS=OFF \
    "${launcher[@]}" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)" --target attnscope attnscope-cli attnscope-plot
(cd "$build" && cpack -G DEB >/dev/null)
deb="$(ls -t "$build"/attnscope_*.deb | head -1)"
echo "$deb"
dpkg-deb --field "$deb" Package Version Architecture Depends
