#!/usr/bin/env bash
# Builds the Debian packages from debian/ (`dpkg-buildpackage -b -us -uc`) in a copy of the source tree under
# BUILD_DIR, so the checkout stays clean, and checks them with lintian (errors and warnings fail the script):
#
#   scripts/make-deb.sh [BUILD_DIR]        (default build-deb/)
#     → BUILD_DIR/attnscope_<version>_<arch>.deb       the app, attnscope-cli, attnscope-plot, manual pages
#       BUILD_DIR/attnscope-data_<version>_all.deb     sample runs and sweeps (architecture-independent)
#
# Install both with:  sudo apt install ./build-deb/attnscope_*.deb ./build-deb/attnscope-data_*.deb
# The test suite runs during the build unless DEB_BUILD_OPTIONS holds "nocheck", which is this script's default
# (DEB_BUILD_OPTIONS= scripts/make-deb.sh runs it). The programs are built for the architecture's baseline
# (amd64: plain x86-64, with AVX2/FMA kernels chosen at run time; debian/rules).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --package
mkdir -p "${1:-build-deb}"
build="$(cd "${1:-build-deb}" && pwd)"
version="$(dpkg-parsechangelog -S Version)"
src="$build/attnscope-${version%-*}"
rm -rf "$src" && mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked and new files as they are in the checkout (uncommitted edits included), nothing ignored.
    git ls-files -z --cached --others --exclude-standard --deduplicate |
        while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
        tar --null -T - -cf - | tar -xf - -C "$src"
else
    tar --exclude='./build*' --exclude='./obj-*' -cf - . | tar -xf - -C "$src"
fi
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS-nocheck}"
if command -v ccache >/dev/null; then
    # debhelper gives the build a fresh, temporary HOME (compat 13), where ccache would start an empty cache
    # each time: point it at the user's cache and settings.
    export CMAKE_CXX_COMPILER_LAUNCHER=ccache
    export CCACHE_DIR="${CCACHE_DIR:-$(ccache --get-config cache_dir)}"
    export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(ccache --get-config base_dir)}"
    export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-$(ccache --get-config max_size)}"
fi
rm -f "$build"/attnscope*_"$version"_*.deb "$build"/attnscope_"$version"_*.changes
(cd "$src" && dpkg-buildpackage -b -us -uc -j"${JOBS:-$(nproc)}") >"$build/dpkg-buildpackage.log" 2>&1 || {
    tail -40 "$build/dpkg-buildpackage.log" >&2
    echo "make-deb: dpkg-buildpackage failed; full log: $build/dpkg-buildpackage.log" >&2
    exit 1
}
changes="$(ls "$build"/attnscope_"$version"_*.changes)"
lintian --fail-on error,warning --display-info "$changes"
for deb in "$build"/attnscope*_"$version"_*.deb; do
    [[ "$deb" == *dbgsym* ]] && continue
    echo "$deb"
    dpkg-deb --field "$deb" Package Version Architecture Depends | sed 's/^/  /'
done
