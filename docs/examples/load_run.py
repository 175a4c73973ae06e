#!/usr/bin/env python3
"""Load an AttnScope run file (.attnrun) with the `attnscope` Python package (python/ in this repository;
docs/python.md). This script is a short example of the reader; it finds the package beside it when it is
not installed.

    python3 load_run.py my.attnrun                 # summary: loss curve + one attention map
    python3 load_run.py my.attnrun --step 500 --layer 1 --head 3
    python3 load_run.py my.attnrun --json          # the same, as JSON (used by AttnScope's tests)
"""
import argparse
import json
import os
import sys

import numpy as np

try:
    import attnscope
except ImportError:  # running from a checkout: use python/ beside docs/
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
    import attnscope


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run")
    parser.add_argument("--step", type=int, help="snapshot step (default: the latest)")
    parser.add_argument("--layer", type=int, default=0)
    parser.add_argument("--head", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    args = parser.parse_args()

    with attnscope.open_run(args.run) as run:
        steps = run.steps()
        snapshot_steps = run.snapshot_steps()
        step = args.step if args.step is not None else (int(snapshot_steps[-1]) if snapshot_steps.size else None)
        attention = run.attention(step) if step is not None else None
    head = attention[args.layer, args.head] if attention is not None else None
    loss, val_loss = steps["loss"], steps["val_loss"]
    summary = {
        "steps": int(steps["step"].size),
        "first_step": int(steps["step"][0]) if steps["step"].size else None,
        "last_step": int(steps["step"][-1]) if steps["step"].size else None,
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
    if steps["step"].size:
        print(f", loss {loss[0]:.4f} at step {steps['step'][0]} -> {loss[-1]:.4f} at step {steps['step'][-1]}")
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
