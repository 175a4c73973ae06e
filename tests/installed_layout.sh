#!/usr/bin/env bash
# CTest install_layout: installs the build into a temporary prefix, as `cmake --install` does for a user, and
# checks what someone without the source tree gets: every shipped sample file (the sample sweeps included),
# programs that carry no path of the build machine and no RUNPATH, the desktop integration files, and programs
# that run from the prefix (the app answers --version and, without a display, says so in one line).
#
#   tests/installed_layout.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
fail() {
    echo "install_layout: $*" >&2
    exit 1
}
cmake --install "$build" --prefix "$prefix" >/dev/null

# Every file under sample_runs/ (runs, README, sweep folders) except SQLite and lock leftovers.
data="$prefix/share/attnscope/sample_runs"
shipped=0
while IFS= read -r -d '' file; do
    rel="${file#"$source_dir"/sample_runs/}"
    [[ -f "$data/$rel" ]] || fail "sample_runs/$rel is not installed"
    cmp -s "$file" "$data/$rel" || fail "sample_runs/$rel differs from the installed copy"
    shipped=$((shipped + 1))
done < <(find "$source_dir/sample_runs" -type f ! -name '.*' ! -name '*-wal' ! -name '*-shm' ! -name '*-journal' \
    ! -name '*.lock' -print0)
sweeps=$(find "$data/sweeps" -mindepth 2 -maxdepth 2 -name sweep.json 2>/dev/null | wc -l)
((sweeps > 0)) || fail "no sample sweep (sample_runs/sweeps/*/sweep.json) is installed"
echo "sample_runs: $shipped files installed, $sweeps sweeps"

for f in share/applications/io.github.attnscope.AttnScope.desktop \
    share/metainfo/io.github.attnscope.AttnScope.metainfo.xml \
    share/icons/hicolor/scalable/apps/io.github.attnscope.AttnScope.svg \
    share/mime/packages/io.github.attnscope.AttnScope.xml share/doc/attnscope/LICENSE; do
    [[ -f "$prefix/$f" ]] || fail "$f is not installed"
done

for program in "$prefix"/bin/*; do
    name="$(basename "$program")"
    # No path of the build machine, neither the sources nor the build tree: an installed program must not read
    # files there. Debug information (a -g build) names the sources by design; packages strip it into
    # separate debug files (mapped with -ffile-prefix-map), so it is left out of the check.
    stripped="$prefix/stripped-$name"
    objcopy --strip-debug "$program" "$stripped"
    if grep -q -a -F -e "$source_dir" -e "$build" "$stripped"; then
        fail "$name contains a build-machine path ($(grep -a -o -F -e "$source_dir" -e "$build" "$stripped" | head -1))"
    fi
    rm -f "$stripped"
    if readelf -d "$program" | grep -q -E 'RUNPATH|RPATH'; then
        fail "$name has a RUNPATH/RPATH: $(readelf -d "$program" | grep -E 'RUNPATH|RPATH')"
    fi
done
echo "programs: no build-machine path, no RUNPATH"

# The MIME type compiles (update-mime-database validates the XML) into application/x-attnscope-run.
if command -v update-mime-database >/dev/null; then
    update-mime-database "$prefix/share/mime" || fail "update-mime-database rejects the MIME type"
    [[ -f "$prefix/share/mime/application/x-attnscope-run.xml" ]] || fail "no application/x-attnscope-run"
fi

cd "$prefix"
"$prefix/bin/attnscope-cli" --version >/dev/null
sample="$(ls "$data"/*.attnrun | head -1)"
"$prefix/bin/attnscope-cli" info "$sample" >/dev/null || fail "installed attnscope-cli cannot read $sample"
if [[ -x "$prefix/bin/attnscope" ]]; then
    [[ "$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$prefix/bin/attnscope" --version)" == attnscope\ * ]] ||
        fail "attnscope --version does not print the version"
    env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$prefix/bin/attnscope" --help | grep -q '^Usage: attnscope' ||
        fail "attnscope --help does not print the usage"
    set +e
    message="$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$prefix/bin/attnscope" 2>&1)"
    status=$?
    set -e
    [[ $status -eq 1 && $(wc -l <<<"$message") -eq 1 && "$message" == *"cannot open a display"* ]] ||
        fail "without a display the app should print one line and exit 1; got status $status: $message"
    set +e
    message="$(DISPLAY=:97531 "$prefix/bin/attnscope" 2>&1)"
    status=$?
    set -e
    [[ $status -eq 1 && $(wc -l <<<"$message") -eq 1 && "$message" == *"cannot open a display"* ]] ||
        fail "with an unreachable display the app should print one line and exit 1; got status $status: $message"
    # --page names the pages it can show (scripts/make-screenshots.sh opens the app on them); a fresh user, so
    # the app's settings stay in the temporary prefix.
    set +e
    message="$(HOME="$prefix/home" XDG_CONFIG_HOME="$prefix/home/.config" QT_QPA_PLATFORM=offscreen \
        "$prefix/bin/attnscope" --page no-such-page 2>&1)"
    status=$?
    set -e
    [[ $status -eq 2 && "$message" == *"no page \"no-such-page\""*attention*sweeps* ]] ||
        fail "--page with an unknown key should list the pages and exit 2; got status $status: $message"
fi
echo "install_layout: ok ($prefix)"
