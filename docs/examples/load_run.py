#!/usr/bin/env python3
"""Load an AttnScope run file (.attnrun) with nothing but the standard library's sqlite3 and numpy.

    python3 load_run.py my.attnrun                 # summary: loss curve + one attention map
    python3 load_run.py my.attnrun --step 500 --layer 1 --head 3
    python3 load_run.py my.attnrun --json          # the same, as JSON (used by AttnScope's tests)

The format is described in docs/run-format.md. Attention maps and content logits are stored per snapshot
as zlib-compressed float16 values of the causal lower triangle (key <= query), row by row, for every
(layer, head) in order; this script shows how to expand them back to dense T x T matrices.
"""
import argparse
import json
import sqlite3
import sys
import zlib

import numpy as np

SUPPORTED_SCHEMA = 1


def open_run(path):
    """Opens read-only; works while AttnScope is still writing the run."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    if meta.get("app") != "attnscope":
        raise ValueError(f"{path} is not an AttnScope run file")
    if int(meta.get("min_reader_schema", meta["schema_version"])) > SUPPORTED_SCHEMA:
        raise ValueError(f"{path} needs a newer reader (schema {meta['schema_version']})")
    return con


def as_float(values):
    # SQLite has no NaN: AttnScope stores NaN (e.g. "not evaluated") as NULL.
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def loss_curve(con):
    """Returns (steps, training loss, validation loss) as numpy arrays, ordered by step."""
    rows = con.execute("SELECT step, loss, val_loss FROM steps ORDER BY step").fetchall()
    steps = np.array([r[0] for r in rows], dtype=np.int64)
    return steps, as_float(r[1] for r in rows), as_float(r[2] for r in rows)


def unpack_causal_maps(blob, count, length, upper_fill):
    """zlib -> little-endian float16 lower triangles -> float32 array [count, T, T]."""
    halves = np.frombuffer(zlib.decompress(blob), dtype="<f2")
    per_map = length * (length + 1) // 2
    if halves.size != count * per_map:
        raise ValueError(f"map blob holds {halves.size} values, expected {count * per_map}")
    rows, cols = np.tril_indices(length)  # row-major order: (0,0), (1,0), (1,1), (2,0), ...
    maps = np.full((count, length, length), upper_fill, dtype=np.float32)
    maps[:, rows, cols] = halves.reshape(count, per_map).astype(np.float32)
    return maps


def snapshot_maps(con, step, column="attention"):
    """Dense [layers, heads, T, T] attention (0 where masked) or logits (NaN where masked)."""
    row = con.execute(
        f"SELECT layers, heads, length, map_encoding, {column} FROM snapshots WHERE step = ?", (step,)
    ).fetchone()
    if row is None:
        raise KeyError(f"no snapshot at step {step}")
    layers, heads, length, encoding, blob = row
    if encoding != "f16_tril_zlib":
        raise ValueError(f"unknown map encoding {encoding}")
    if blob is None:
        return None  # the probe did not record maps at this step
    fill = 0.0 if column == "attention" else np.nan
    return unpack_causal_maps(blob, layers * heads, length, fill).reshape(layers, heads, length, length)


def head_metric(con, step, column="entropy"):
    """A per-head float32 metric (entropy, sink_score, ...) as an array [layers, heads]."""
    layers, heads, blob = con.execute(
        f"SELECT layers, heads, {column} FROM snapshots WHERE step = ?", (step,)
    ).fetchone()
    return None if blob is None else np.frombuffer(blob, dtype="<f4").reshape(layers, heads)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run")
    parser.add_argument("--step", type=int, help="snapshot step (default: the latest)")
    parser.add_argument("--layer", type=int, default=0)
    parser.add_argument("--head", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    args = parser.parse_args()

    con = open_run(args.run)
    steps, loss, val_loss = loss_curve(con)
    snapshot_steps = [r[0] for r in con.execute("SELECT step FROM snapshots ORDER BY step")]
    step = args.step if args.step is not None else (snapshot_steps[-1] if snapshot_steps else None)
    attention = snapshot_maps(con, step) if step is not None else None
    head = attention[args.layer, args.head] if attention is not None else None

    summary = {
        "steps": int(steps.size),
        "first_step": int(steps[0]) if steps.size else None,
        "last_step": int(steps[-1]) if steps.size else None,
        "loss_sum": float(np.nansum(loss)),
        "val_loss_evaluated": int(np.count_nonzero(~np.isnan(val_loss))),
        "snapshot_step": step,
    }
    if head is not None:
        summary.update(
            attention_shape=list(head.shape),
            attention_sum=float(head.astype(np.float64).sum()),
            attention_last_row=[float(v) for v in head[-1]],
            upper_triangle_max=float(np.abs(np.triu(head, 1)).max()) if head.shape[0] > 1 else 0.0,
            row_sum_min=float(head.sum(axis=1).min()),
            row_sum_max=float(head.sum(axis=1).max()),
        )
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{args.run}: {summary['steps']} steps", end="")
    if steps.size:
        print(f", loss {loss[0]:.4f} at step {steps[0]} -> {loss[-1]:.4f} at step {steps[-1]}")
    else:
        print()
    if head is not None:
        print(f"attention at step {step}, layer {args.layer}, head {args.head}: {head.shape[0]}x{head.shape[1]}, "
              f"row sums {summary['row_sum_min']:.3f}..{summary['row_sum_max']:.3f}")
        with np.printoptions(precision=3, suppress=True, linewidth=120):
            print(head[:8, :8])
    return 0


if __name__ == "__main__":
    sys.exit(main())
