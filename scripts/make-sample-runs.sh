#!/usr/bin/env bash
# Regenerates sample_runs/ — the paired experiments of docs/experiments.md — with attnscope-cli.
#
#   scripts/make-sample-runs.sh [CLI | BUILD_DIR]
#
# The argument (or $ATTNSCOPE_CLI) is the attnscope-cli binary or a build directory holding cli/attnscope-cli.
# Without either, the script builds build-exp/ (cmake, GUI off, Release). Environment:
#   OUT=dir        where the runs go (default: <repo>/sample_runs)
#   JOBS=n         trainings at once (default 2, each with --threads 1: the machine has 2 cores)
#   ONLY="a b"     regenerate only these runs (names below, e.g. ONLY="extrap-alibi extrap-sinusoidal")
#   EXTRA=1        also train the runs that do not fit the sample_runs/ size budget (learned PE, SVFormer)
#
# Every run is plain CLI output: `train --preset <experiment preset>` plus the size controls below (probe
# length via a --config JSON, --record-every) and, for the extrapolation runs, `eval --length ... --save`.
# Losses are deterministic (same seed, same thread count → same numbers); wall times are not.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${1:-${ATTNSCOPE_CLI:-}}"
if [[ -z "$cli" ]]; then
    cmake -S "$repo" -B "$repo/build-exp" -DATTNSCOPE_BUILD_GUI=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$repo/build-exp" --target attnscope-cli -j2
    cli="$repo/build-exp"
fi
[[ -d "$cli" ]] && cli="$cli/cli/attnscope-cli"
[[ -x "$cli" ]] || { echo "make-sample-runs: no attnscope-cli at $cli" >&2; exit 1; }

out="${OUT:-$repo/sample_runs}"
jobs="${JOBS:-2}"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Probe length (maps are probe_length² per head per snapshot) is a RunSpec setting without a flag.
probe() { # probe <tokens> → path of a config JSON that sets it
    local f="$tmp/probe$1.json"
    [[ -f "$f" ]] || printf '{"train": {"probe_length": %d}}\n' "$1" >"$f"
    echo "$f"
}

# name | preset | extra train flags. Sizes: the final checkpoint (parameters + AdamW moments, f32, ≈ 12 bytes per
# parameter: 2.5 MB at 206k parameters, 3.8 MB at 315k) dominates; each snapshot stores attention and logit maps
# (L·H·T(T+1)/2 f16 each, zlib), ≈ 115 KB at 16 heads × T 64 and ≈ 30 KB at T 32. The whole set stays under 40 MB.
# The extrapolation and value-residual runs are shortened (--steps) to fit a ~45-minute budget on 2 shared
# cores, and the extrapolation models use d_model 64 instead of the preset's 128 to keep their checkpoints small;
# --checkpoint-every 0 keeps only the final checkpoint (the base presets also save one every 500 steps). The
# value-residual pair gets a snapshot every 50 steps (13 snapshots); the sink pair (1 layer × 1 head, 2000 steps,
# a snapshot every 50 steps: 41) is small enough to keep whole, and so is the induction run (2 × 4 heads, 2000 steps,
# the preset's snapshot every 25 steps: 81, each with its induction probe), which resolves the phase change.
runs=(
    "logit-growth-baseline|exp-logit-growth/baseline|--config $(probe 64) --record-every 50"
    "logit-growth-ls|exp-logit-growth/ls-attention|--config $(probe 64) --record-every 50"
    "entropy-collapse-baseline|exp-entropy-collapse/baseline|--config $(probe 32) --record-every 50"
    "entropy-collapse-sigma-reparam|exp-entropy-collapse/sigma-reparam|--config $(probe 32) --record-every 50"
    "extrap-alibi|exp-extrapolation/alibi|--d-model 64 --steps 800 --record-every 400 --checkpoint-every 0"
    "extrap-sinusoidal|exp-extrapolation/sinusoidal|--d-model 64 --steps 800 --record-every 400 --checkpoint-every 0"
    "value-residual-vanilla|exp-value-residual/vanilla|--config $(probe 32) --steps 600 --record-every 50 --checkpoint-every 0"
    "value-residual-resformer|exp-value-residual/resformer|--config $(probe 32) --steps 600 --record-every 50 --checkpoint-every 0"
    "sinks-bigram-backcopy|sinks/bigram-backcopy|--record-every 50 --checkpoint-every 0"
    "sinks-bigram-backcopy-relu|sinks/bigram-backcopy-relu|--record-every 50 --checkpoint-every 0"
    "induction|induction|--checkpoint-every 0"
)
# Not in sample_runs/ (the 40 MB budget) — the LR 1e-1 regime where collapse is strong, learned PE, SVFormer —
# written only with EXTRA=1 (into $EXTRA_OUT, default build-exp/extra_runs):
extra=(
    "entropy-collapse-baseline-lr0.1|exp-entropy-collapse/baseline|--lr 0.1 --steps 300 --config $(probe 64) --record-every 25"
    "entropy-collapse-sigma-reparam-lr0.1|exp-entropy-collapse/sigma-reparam|--lr 0.1 --steps 300 --config $(probe 64) --record-every 25"
    "extrap-learned|exp-extrapolation/learned|--d-model 64 --steps 800 --record-every 400 --checkpoint-every 0"
    "value-residual-svformer|exp-value-residual/svformer|--config $(probe 32) --steps 600 --record-every 600 --checkpoint-every 0"
)

one() { # one <name> <preset> <flags...>
    local name="$1" preset="$2"
    shift 2
    local file="$dir/$name.attnrun"
    local t0=$SECONDS
    # shellcheck disable=SC2068
    "$cli" train --preset "$preset" $@ --threads 1 --quiet --force --out "$file"
    if [[ "$preset" == exp-extrapolation/* ]]; then
        "$cli" eval --run "$file" --length 64,96,128,256,512 --threads 1 --save >"$tmp/$name.eval.txt"
    fi
    echo "make-sample-runs: $name done in $((SECONDS - t0)) s ($(du -h "$file" | cut -f1))"
}

launch() { # launch <dir> <entries...>: at most $jobs trainings at once
    dir="$1"
    shift
    mkdir -p "$dir"
    local r name preset flags
    for r in "$@"; do
        IFS='|' read -r name preset flags <<<"$r"
        if [[ -n "${ONLY:-}" && " $ONLY " != *" $name "* ]]; then continue; fi
        # shellcheck disable=SC2086
        one "$name" "$preset" $flags &
        running=$((running + 1))
        if ((running >= jobs)); then
            wait -n
            running=$((running - 1))
        fi
    done
}

running=0
launch "$out" "${runs[@]}"
if [[ "${EXTRA:-0}" == 1 ]]; then launch "${EXTRA_OUT:-$repo/build-exp/extra_runs}" "${extra[@]}"; fi
wait
du -ch "$out"/*.attnrun | tail -1
