#!/bin/sh
# Runs the libFuzzer targets for a fixed time each from a fixed seed, on a corpus made here: a tiny run file
# written by attnscope-cli (run reader) and its stored configuration (spec parser). A crash, a sanitizer
# report, a timeout or running out of memory fails the test and leaves the input in the build folder
# (fuzz-findings/), where `<fuzzer> <file>` replays it.
# usage: run_libfuzzer.sh BUILD_DIR SECONDS_PER_TARGET
set -eu
build=$1
seconds=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
findings="$build/fuzz-findings"
mkdir -p "$work/runs" "$work/specs" "$findings"
"$build/cli/attnscope-cli" train --data task:copy --layers 1 --d-model 16 --context 16 --threads 1 --quiet \
    --steps 4 --out "$work/runs/seed.attnrun"
# The seed run's stored configuration (spec_json), read read-only as every reader does.
python3 - "$work/runs/seed.attnrun" "$work/specs/seed.json" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro&immutable=1", uri=True)
open(sys.argv[2], "w").write(db.execute("SELECT spec_json FROM run").fetchone()[0])
PY
rm -f "$work/runs/seed.attnrun-wal" "$work/runs/seed.attnrun-shm"
printf '{"model":{"layers":2,"heads":4,"d_model":32},"train":{"steps":10,"lr":0.001}}' >"$work/specs/small.json"
status=0
for target in run_reader_fuzzer spec_parser_fuzzer; do
    corpus="$work/runs"
    extra="-rss_limit_mb=2048 -timeout=30"
    if [ "$target" = spec_parser_fuzzer ]; then corpus="$work/specs" extra="-max_len=65536 -timeout=10"; fi
    echo "== $target: $seconds s"
    # -seed fixes the mutation sequence; -artifact_prefix keeps findings for replay.
    # shellcheck disable=SC2086
    "$build/tests/$target" "$corpus" -seed=1 -max_total_time="$seconds" -print_final_stats=1 $extra \
        -artifact_prefix="$findings/$target-" 2>"$work/$target.log" || status=1
    tail -n 12 "$work/$target.log"
    if [ $status -ne 0 ]; then
        grep -E "ERROR|SUMMARY|==[0-9]+==" "$work/$target.log" | head -n 40
        break
    fi
done
exit $status
