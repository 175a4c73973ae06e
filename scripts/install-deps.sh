#!/usr/bin/env bash
# Installs the Debian 12 packages AttnScope needs. Idempotent: does nothing when all are present.
set -euo pipefail
PACKAGES=(build-essential cmake g++ qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqcustomplot-dev
          libeigen3-dev libicu-dev libopenblas-dev libsqlite3-dev zlib1g-dev nlohmann-json3-dev libgl-dev fortunes
          fonts-dejavu-core python3-numpy python3-torch python3-pytest python3-pandas poppler-utils
          libopenblas0-openmp)
# libopenblas0-openmp: bench/compare-pytorch.py runs PyTorch with it too (its fastest configuration here).
# The test command's checks beyond the tests (scripts/run-tests.sh): formatting and static analysis of core/,
# the clang build with AddressSanitizer, UBSan and libFuzzer (its runtimes and OpenMP), and the validators the
# desktop_metadata test runs.
PACKAGES+=(clang-format-14 clang-tidy-14 clang-14 libclang-rt-14-dev libomp-14-dev appstream
           desktop-file-utils)
if [[ "${1:-}" == "--gui-check" ]]; then
    # Extra tools for looking at the app and its exports (screenshots, PDF/SVG rendering), and for
    # scripts/make-screenshots.sh (xdotool waits for the window; pngquant and optipng make the PNGs small).
    PACKAGES+=(xvfb xauth imagemagick librsvg2-bin xdotool pngquant optipng)
elif [[ "${1:-}" == "--package" ]]; then
    # scripts/make-deb.sh: dpkg-buildpackage with debhelper, manual pages from --help (help2man), lintian,
    # and the metadata checks (appstreamcli, desktop-file-validate, update-mime-database).
    PACKAGES+=(dpkg-dev debhelper help2man lintian appstream desktop-file-utils shared-mime-info)
fi
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
echo "Installing: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
