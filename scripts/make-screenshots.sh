#!/usr/bin/env bash
# Regenerates the screenshots the AppStream metainfo names (resources/screenshots/, 1600×1000, the size the
# metainfo declares; tests/desktop_metadata.sh checks both) from the real app on the shipped samples:
#   inspect.png  a sample run open on its attention maps
#   lesson.png   a lesson open beside its runs
#   sweeps.png   the Sweeps page with a sample sweep
# Each is taken on its own X server (Xvfb, no window manager: the window fills the screen) by a fresh user (no
# settings, no workspace), then made small (pngquant, optipng).
#
#   scripts/make-screenshots.sh [APP]      (default: build/gui/attnscope, built first; or an installed attnscope)
#
# Needs xvfb, xauth, imagemagick, xdotool, pngquant, optipng (scripts/install-deps.sh --gui-check).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
app="${1:-}"
if [[ -z "$app" ]]; then
    cmake --build "$repo/build" -j2 --target attnscope
    app="$repo/build/gui/attnscope"
fi
app="$(cd "$(dirname "$app")" && pwd)/$(basename "$app")"
out="$repo/resources/screenshots"
mkdir -p "$out"
# The samples as the app finds them: in the source tree for a build, under share/ for an installed app.
samples="$repo/sample_runs"
[[ -f "$(dirname "$app")/attnscope-source-dir" ]] || samples="$(dirname "$app")/../share/attnscope/sample_runs"
[[ -d "$samples/sweeps" ]] || {
    echo "make-screenshots: no sample runs and sweeps at $samples" >&2
    exit 1
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# shoot NAME [ARGUMENTS…]: starts the app with ARGUMENTS, waits for its window and for the pages to draw the
# samples, and saves the screen as $out/NAME.png.
shoot() {
    local name="$1"
    shift
    local home="$work/$name"
    mkdir -p "$home/.config/AttnScope" "$home/runtime"
    chmod 700 "$home/runtime"
    # Seen the lessons' start page already: the right dock shows what the arguments open.
    printf '[lessons]\nstartPageSeen=true\n' >"$home/.config/AttnScope/AttnScope.conf"
    HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
        XDG_RUNTIME_DIR="$home/runtime" xvfb-run -a -s '-screen 0 1600x1000x24' bash -c '
        set -euo pipefail
        "$0" "${@:2}" & app=$!
        xdotool search --sync --onlyvisible --class attnscope >/dev/null
        sleep 6 # the sample files load and the charts draw
        kill -0 $app # still running: a crash must not become a screenshot of an empty screen
        import -window root "$1"
        kill $app
        wait $app || true' "$app" "$work/$name.png" "$@"
    pngquant --force --quality 70-95 --speed 1 --output "$out/$name.png" "$work/$name.png"
    optipng -quiet -o2 -strip all "$out/$name.png"
    echo "$out/$name.png: $(($(stat -c %s "$out/$name.png") / 1024)) KiB"
}

cd "$work"
shoot inspect "$samples/induction.attnrun" --page attention
shoot lesson --lesson logit-growth
shoot sweeps "$samples/sweeps/lr-sensitivity" --page sweeps
