#!/usr/bin/env bash
# Checks an install the way a user gets it and looks at it: runs tests/installed_layout.sh (every shipped file,
# sample sweeps included; no build-machine path or RUNPATH in the programs; --help/--version and the
# no-display message), then starts the installed app under Xvfb on the stabilisers lesson, whose sample sweep
# it can only find in the prefix (installed programs carry no source path), and saves a screenshot.
#
#   scripts/check-install.sh [BUILD_DIR] [SCREENSHOT.png]      (defaults: build, /tmp/attnscope-installed.png)
#
# Needs xvfb, xauth, imagemagick (scripts/install-deps.sh --gui-check).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$repo/build}"
shot="${2:-/tmp/attnscope-installed.png}"
"$repo/tests/installed_layout.sh" "$repo" "$build"
prefix="$(mktemp -d)"
home="$(mktemp -d)"
trap 'rm -rf "$prefix" "$home"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
# A fresh user (no settings, no recent runs), and a working directory outside the checkout.
cd "$home"
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
export XDG_RUNTIME_DIR="$home/xdg-runtime" && mkdir -p -m 700 "$XDG_RUNTIME_DIR"
"$prefix/bin/attnscope-cli" plot "$(ls "$prefix"/share/attnscope/sample_runs/*.attnrun | head -1)" \
    --view training --out "$home/plot.pdf" --no-data
xvfb-run -a -s '-screen 0 1600x1000x24' bash -c "
    '$prefix/bin/attnscope' --lesson stabilisers & app=\$!
    sleep 10
    import -window root '$shot'
    kill \$app"
echo "screenshot: $shot"
