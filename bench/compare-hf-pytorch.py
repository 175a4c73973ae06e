#!/usr/bin/python3
"""The imported-model forward (core/hf) against PyTorch at GPT-2-small size, in interleaved rounds.

A GPT-2-small-shaped checkpoint (12 layers, 12 heads, d_model 768, vocab 50257, context 1024; random
weights, F32) is written once in the Hugging Face layout to a temporary folder. Each round runs
`attnscope-bench --hf FOLDER 1024 256 REPEAT THREADS` in a fresh process (the forward of 1024 tokens alone,
then the full 256-token probe: forward + every map and metric), then PyTorch's forward of the same
weights on the same 1024 tokens (python/tests/hf_families.py's GPT2LMHeadModel, the written-out definition
of transformers' model, float32, torch.no_grad, attention maps returned as the engine records them) on the same number of intra-op threads, in a fresh
process as well. Both are pinned to the same cores. Medians over the repetitions of a round; the per-round
ratio is what to read on a shared machine, and the CPU-time columns (process CPU seconds, all threads) are
what each takes on cores of its own when the machine is too busy for wall times to mean anything.

Usage: /usr/bin/python3 bench/compare-hf-pytorch.py [--rounds 3] [--repeat 3] [--threads 2]
                                                   [--bench build/bench/attnscope-bench]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPE = dict(layers=12, heads=12, d_model=768, vocab=50257, context=1024)

TORCH_ROUND = r"""
import json, os, sys, time, statistics
sys.path[:0] = [os.path.join(sys.argv[1], "python"), os.path.join(sys.argv[1], "python", "tests")]
cpus = sorted(os.sched_getaffinity(0)); os.sched_setaffinity(0, set(cpus[:int(sys.argv[3])]))
import torch
torch.set_num_threads(int(sys.argv[3]))
import hf_families as hf
model = hf.load_checkpoint(sys.argv[2])
ids = torch.tensor([[(1103515245 * i + 12345) % (2 ** 32) % model.config.vocab_size for i in range(1024)]])
with torch.no_grad():
    model(ids, output_attentions=True)
    times, cpus = [], []
    for _ in range(int(sys.argv[4])):
        t, c = time.perf_counter(), time.process_time()
        model(ids, output_attentions=True)
        times.append(time.perf_counter() - t), cpus.append(time.process_time() - c)
print(statistics.median(times), statistics.median(cpus))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bench", default=os.path.join(REPO, "build", "bench", "attnscope-bench"))
    a = ap.parse_args()
    sys.path[:0] = [os.path.join(REPO, "python"), os.path.join(REPO, "python", "tests")]
    import hf_families as hf

    with tempfile.TemporaryDirectory() as folder:
        hf.write_checkpoint(folder, hf.build(hf.tiny_config("gpt2", **SHAPE)))
        print(f"GPT-2-small shape, F32, {a.threads} threads; forward of 1024 tokens; probe of 256 tokens")
        print(f"{'round':>5} {'engine fwd s':>13} {'torch fwd s':>12} {'torch/engine':>13} {'engine probe-256 s':>19}"
              f" {'engine fwd cpu s':>17} {'torch fwd cpu s':>16} {'cpu torch/engine':>17} {'probe-256 cpu s':>16}")
        ratios, cpu_ratios = [], []
        for r in range(a.rounds):
            cpus = sorted(os.sched_getaffinity(0))[: a.threads]
            out = subprocess.run(["taskset", "-c", ",".join(map(str, cpus)), a.bench, "--hf", folder, "1024", "256",
                                  str(a.repeat), str(a.threads)], capture_output=True, text=True, check=True).stdout
            def column(kind, i):
                return statistics.median(float(l.split()[i]) for l in out.splitlines() if l.startswith(kind))
            fwd, probe, fwd_cpu, probe_cpu = column("forward", 2), column("probe", 2), column("forward", 3), column("probe", 3)
            torch_s, torch_cpu = map(float, subprocess.run([sys.executable, "-c", TORCH_ROUND, REPO, folder,
                                                            str(a.threads), str(a.repeat)],
                                                           capture_output=True, text=True, check=True).stdout.split())
            ratios.append(torch_s / fwd), cpu_ratios.append(torch_cpu / fwd_cpu)
            print(f"{r + 1:>5} {fwd:>13.3f} {torch_s:>12.3f} {torch_s / fwd:>13.2f} {probe:>19.3f}"
                  f" {fwd_cpu:>17.3f} {torch_cpu:>16.3f} {torch_cpu / fwd_cpu:>17.2f} {probe_cpu:>16.3f}")
        print(f"median torch/engine ratio: wall {statistics.median(ratios):.2f}, CPU time {statistics.median(cpu_ratios):.2f}")


if __name__ == "__main__":
    main()
