#!/usr/bin/python3
"""The imported-model forward (core/hf) against PyTorch at GPT-2-small size, in interleaved rounds.

A GPT-2-small-shaped checkpoint (12 layers, 12 heads, d_model 768, vocab 50257, context 1024; random
weights, F32) is written once in the Hugging Face layout to a temporary folder. Each round runs
`attnscope-bench --hf FOLDER 1024 256 REPEAT THREADS` in a fresh process (the forward of 1024 tokens alone,
then the full 256-token probe: forward + every map and metric), then PyTorch's forward of the same
weights on the same 1024 tokens (python/tests/hf_reference.py's GPT-2, the written-out definition of
transformers' GPT2LMHeadModel, float32, torch.no_grad) on the same number of intra-op threads, in a fresh
process as well. Both are pinned to the same cores. Medians over the repetitions of a round; the per-round
ratio is what to read on a shared machine.

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
CONFIG = {"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024,
          "vocab_size": 50257, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}

TORCH_ROUND = r"""
import json, os, sys, time, statistics
sys.path.insert(0, os.path.join(sys.argv[1], "python", "tests"))
cpus = sorted(os.sched_getaffinity(0)); os.sched_setaffinity(0, set(cpus[:int(sys.argv[3])]))
import torch
torch.set_num_threads(int(sys.argv[3]))
import hf_reference as ref
c = json.load(open(os.path.join(sys.argv[2], "config.json")))
torch.manual_seed(0)
state = ref.random_state(c, seed=0)
ids = [(1103515245 * i + 12345) % (2 ** 32) % c["vocab_size"] for i in range(1024)]
ref.forward(c, state, ids)
times = []
for _ in range(int(sys.argv[4])):
    t = time.perf_counter(); ref.forward(c, state, ids); times.append(time.perf_counter() - t)
print(statistics.median(times))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bench", default=os.path.join(REPO, "build", "bench", "attnscope-bench"))
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(REPO, "python", "tests"))
    import hf_reference as ref

    with tempfile.TemporaryDirectory() as folder:
        ref.write_checkpoint(folder, CONFIG, ref.random_state(CONFIG, seed=0))
        print(f"GPT-2-small shape, F32, {a.threads} threads; forward of 1024 tokens; probe of 256 tokens")
        print(f"{'round':>5} {'engine fwd s':>13} {'torch fwd s':>12} {'torch/engine':>13} {'engine probe-256 s':>19}")
        ratios = []
        for r in range(a.rounds):
            cpus = sorted(os.sched_getaffinity(0))[: a.threads]
            out = subprocess.run(["taskset", "-c", ",".join(map(str, cpus)), a.bench, "--hf", folder, "1024", "256",
                                  str(a.repeat), str(a.threads)], capture_output=True, text=True, check=True).stdout
            fwd = statistics.median(float(l.split()[2]) for l in out.splitlines() if l.startswith("forward"))
            probe = statistics.median(float(l.split()[2]) for l in out.splitlines() if l.startswith("probe"))
            torch_s = float(subprocess.run([sys.executable, "-c", TORCH_ROUND, REPO, folder, str(a.threads),
                                            str(a.repeat)], capture_output=True, text=True, check=True).stdout)
            ratios.append(torch_s / fwd)
            print(f"{r + 1:>5} {fwd:>13.3f} {torch_s:>12.3f} {torch_s / fwd:>13.2f} {probe:>19.3f}")
        print(f"median torch/engine ratio {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
