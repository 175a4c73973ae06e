#!/usr/bin/env python3
"""What the Python Recorder costs per snapshot beyond the probe's forward pass, for a GPT-2-small-shaped
attnscope.torch.GPT (12 layers × 12 heads, d 768) at a given probe length: CPU seconds (process CPU time,
which the machine's load does not inflate), the peak memory the snapshot adds, and bytes on disk.

    PYTHONPATH=python python3 bench/scale/recorder_cost.py --length 1024 --precision q8 --logits
"""
import argparse
import os
import sqlite3
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from attnscope.torch import GPT, GPTConfig, Recorder  # noqa: E402
from attnscope.torch import capture as cap  # noqa: E402


def rss_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:  # Linux: "5" resets the peak RSS (VmHWM)
        f.write("5")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--length", type=int, default=1024)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--d-model", type=int, default=768)
    ap.add_argument("--precision", default="q8", choices=["f16", "q8"])
    ap.add_argument("--logits", action="store_true", help="store the content-logit maps too")
    ap.add_argument("--snapshots", type=int, default=2)
    ap.add_argument("--background", action="store_true", help="the Recorder's worker thread (default: inline)")
    args = ap.parse_args()
    torch.manual_seed(0)
    T = args.length
    model = GPT(GPTConfig(layers=args.layers, heads=args.heads, d_model=args.d_model, context=T, vocab=96))
    probe = torch.randint(2, 96, (T,))
    inner = cap.unwrap(model)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "cost.attnrun")
        rec = Recorder(path, model, probe=probe, every=1, precision=args.precision, logits=args.logits,
                       background=args.background)
        rec.sync()
        forward, total, peaks = [], [], []
        for k in range(args.snapshots):
            c0 = time.process_time()
            rec._capture(inner)  # the probe forward and copies alone
            forward.append(time.process_time() - c0)
            base = rss_mb("VmRSS")
            reset_peak()
            c0 = time.process_time()
            rec.snapshot(k + 1)
            rec.sync()
            total.append(time.process_time() - c0)
            peaks.append(rss_mb("VmHWM") - base)
        rec.close()
        con = sqlite3.connect(path)
        stored = con.execute("SELECT avg(length(attention) + coalesce(length(logits), 0)) FROM snapshots "
                             "WHERE step > 0").fetchone()[0]
        con.close()
    extra = np.median(np.array(total) - np.array(forward))
    print(f"recorder {args.precision}{' + logits' if args.logits else ''}, {args.layers}x{args.heads}x{T}: "
          f"probe forward {np.median(forward):.2f} s CPU, snapshot {np.median(total):.2f} s CPU "
          f"(extra {extra:.2f} s), peak memory +{max(peaks):.0f} MB, "
          f"maps {stored / 1e6:.1f} MB per snapshot (median of {args.snapshots})")


if __name__ == "__main__":
    main()
