#!/usr/bin/env bash
# Checks an install the way a user gets it: `cmake --install BUILD --prefix TMP`, then, with the source tree's
# sample_runs/ hidden (a private mount namespace lays an empty folder over it; needs root or sudo), runs the
# installed attnscope-cli, attnscope-plot and, under Xvfb, the app, and saves a screenshot.
#
#   scripts/check-install.sh [BUILD_DIR] [SCREENSHOT.png]      (defaults: build, /tmp/attnscope-installed.png)
#
# Needs xvfb, xauth, imagemagick (scripts/install-deps.sh --gui-check) and util-linux's unshare.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$repo/build}"
shot="${2:-/tmp/attnscope-installed.png}"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
echo "installed into $prefix:"
(cd "$prefix" && find . -type f | sort | sed 's/^/  /' | head -40)
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
# Inside the namespace the source tree has no sample runs: the app can only find the installed ones.
$SUDO unshare -m bash -s "$repo" "$prefix" "$shot" <<'INNER'
set -euo pipefail
repo="$1" prefix="$2" shot="$3"
mount -t tmpfs none "$repo/sample_runs"
test -z "$(ls "$repo/sample_runs")"
"$prefix/bin/attnscope-cli" --version
sample="$(ls "$prefix"/share/attnscope/sample_runs/*.attnrun | head -1)"
"$prefix/bin/attnscope-cli" info "$sample" | head -3
"$prefix/bin/attnscope-cli" plot "$sample" --view training --out /tmp/attnscope-installed-plot.pdf --no-data
export XDG_RUNTIME_DIR=/tmp/attnscope-xdg && mkdir -p -m 700 "$XDG_RUNTIME_DIR"
xvfb-run -a -s '-screen 0 1600x1000x24' bash -c "
    '$prefix/bin/attnscope' & app=\$!
    sleep 8
    import -window root '$shot'
    kill \$app"
echo "screenshot: $shot"
INNER
