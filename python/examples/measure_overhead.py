#!/usr/bin/env python3
"""Measures the recorder's overhead on training (docs/python.md): the train_nanogpt.py model, trained in
blocks of `every` steps (one snapshot period), alternating blocks with and without the recorder on two
copies of the same model (interleaved, so machine load hits both alike). Reports the median block time
of each — wall clock and this process's CPU time (which other processes' load on a shared machine does
not inflate) — the overhead, and the median time of a single step without a snapshot.

    PYTHONPATH=python /usr/bin/python3 python/examples/measure_overhead.py --blocks 8
"""
import argparse
import copy
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attnscope  # noqa: E402
from attnscope.torch import GPT, GPTConfig, Recorder  # noqa: E402
from common import batches, corpus_text  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--blocks", type=int, default=8, help="blocks per variant")
    p.add_argument("--every", type=int, default=25, help="the recorder's cadence (default 25)")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--context", type=int, default=64)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N (steps end with loss.item(): synchronised)")
    args = p.parse_args()
    device = args.device
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    text, _ = corpus_text(200_000)
    tok = attnscope.Tokenizer.from_text(text)
    stream = np.array(tok.encode(text), dtype=np.int64)
    config = GPTConfig(layers=args.layers, heads=args.heads, d_model=args.d_model, context=args.context, vocab=tok.vocab_size)
    models = {"with": GPT(config).to(device)}
    models["without"] = copy.deepcopy(models["with"])
    opts = {k: torch.optim.AdamW(m.parameters(), lr=1e-3) for k, m in models.items()}
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as d:
        rec = Recorder(os.path.join(d, "overhead.attnrun"), models["with"], probe=stream[:args.context],
                       every=args.every, tokenizer=tok)
        step = {"with": 0, "without": 0}
        blocks = {"with": [], "without": []}
        cpu = {"with": [], "without": []}
        single = []

        def train_step(kind):
            x, y = batches(stream, args.batch, args.context, rng)
            _, loss = models[kind](torch.from_numpy(x).to(device), torch.from_numpy(y).to(device))
            opts[kind].zero_grad(set_to_none=True)
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(models[kind].parameters(), 1.0)
            opts[kind].step()
            step[kind] += 1
            if kind == "with":
                rec.step(step[kind], loss.item(), grad_norm=float(gn), lr=1e-3)
            else:
                loss.item(), float(gn)  # the same synchronisation points as the recorded variant

        for kind in ("with", "without"):  # warm-up block each
            for _ in range(args.every):
                train_step(kind)
        rec.probe_seconds, rec.probe_cpu_seconds, measured_from = 0.0, 0.0, step["with"]
        for b in range(args.blocks):
            for kind in (("with", "without") if b % 2 == 0 else ("without", "with")):
                t0, c0 = time.perf_counter(), time.process_time()
                for _ in range(args.every):
                    s0 = time.perf_counter()
                    train_step(kind)
                    if kind == "without":
                        single.append(time.perf_counter() - s0)
                blocks[kind].append(time.perf_counter() - t0)
                cpu[kind].append(time.process_time() - c0)
        probe_share, probe_cpu = rec.probe_seconds, rec.probe_cpu_seconds
        rec.close()
    med = {k: statistics.median(v) for k, v in blocks.items()}
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"model: {args.layers} layers x {args.heads} heads, d {args.d_model}, context {args.context}, "
          f"batch {args.batch}, {args.threads} thread(s), {device}, torch {torch.__version__}")
    print(f"median step without recorder: {1000 * statistics.median(single):.1f} ms")
    print(f"median block of {args.every} steps: without {med['without']:.3f} s, with {med['with']:.3f} s "
          f"-> overhead {100 * (med['with'] / med['without'] - 1):+.1f}% (wall clock)")
    print(f"median block of {args.every} steps, CPU time: without {cmed['without']:.3f} s, with {cmed['with']:.3f} s "
          f"-> overhead {100 * (cmed['with'] / cmed['without'] - 1):+.1f}% (CPU time)")
    n = step["with"] - measured_from
    print(f"time inside the recorder: {probe_share:.3f} s over {n} steps ({n // args.every} snapshots; "
          f"{1000 * probe_share / n:.2f} ms per step, "
          f"{100 * probe_share / sum(blocks['with']):.1f}% of the recorded blocks' wall time)")
    print(f"CPU time inside the recorder: {probe_cpu:.3f} s = {1000 * probe_cpu / n:.2f} ms per step, "
          f"{100 * probe_cpu / (sum(cpu['with']) - probe_cpu):.1f}% of the training's CPU time")


if __name__ == "__main__":
    main()
