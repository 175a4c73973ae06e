#!/usr/bin/python3
"""AttnScope against PyTorch on the reference model R1, side by side in interleaved rounds.

R1: 4 layers, 4 heads, d_model 128, context 128, batch 16, vocab 96; pre-LayerNorm GPT-2 blocks with learned
positions, tanh-GELU MLP (4x), tied LM head, AdamW and gradient clipping at 1.0 - the same model and step
attnscope-bench trains. Each round runs `attnscope-bench --only R1 --threads N` and then the PyTorch step on N
intra-op threads, each in a fresh process; both report tokens/s from the median step time (two warm-up steps
excluded). Rounds alternate so that a slow phase of a shared machine hits both alike; the per-round ratio is
what to read.

Both run pinned to N cores (sched_setaffinity), so "N threads" means N cores for each. PyTorch runs three
times per round: as installed, with OPENBLAS_NUM_THREADS=1, and with Debian's OpenMP build of OpenBLAS
(libopenblas0-openmp, loaded through LD_LIBRARY_PATH for the PyTorch process only). Debian's default
OpenBLAS starts pthreads of its own beside torch's OpenMP threads; on N cores the two pools oversubscribe
them (unpinned, at torch.set_num_threads(1) its GEMMs even use a second core); the OpenMP build shares
torch's OpenMP pool instead. The ratio is taken against the fastest of the three, so AttnScope is compared
with PyTorch at its best on the same cores.

Usage: /usr/bin/python3 bench/compare-pytorch.py [--rounds 5] [--steps 20] [--threads 1,2]
                                                [--bench build/bench/attnscope-bench]
Without torch (Debian: python3-torch) only AttnScope's figures are printed, with a message saying so.
"""
import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS, HEADS, D_MODEL, CONTEXT, BATCH, VOCAB = 4, 4, 128, 128, 16, 96


def pin_to(threads):
    """Restricts the calling process to its first `threads` CPUs: N threads means N cores for both engines
    (Debian's torch otherwise lets OpenBLAS start threads beyond torch.set_num_threads)."""
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, set(cpus[:threads]))


def attnscope_tokens_per_second(bench, threads, steps):
    out = subprocess.run([bench, "--only", "R1", "--threads", str(threads), "--steps", str(steps)],
                         check=True, capture_output=True, text=True, preexec_fn=lambda: pin_to(threads)).stdout
    match = re.search(r"R1 \d+ thread\(s\): (\d+) tokens/s", out)
    if not match:
        sys.exit(f"compare-pytorch: unexpected attnscope-bench output:\n{out}")
    return float(match.group(1))


def make_torch_model(torch):
    nn = torch.nn
    F = torch.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(D_MODEL)
            self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL)
            self.proj = nn.Linear(D_MODEL, D_MODEL)
            self.ln2 = nn.LayerNorm(D_MODEL)
            self.fc = nn.Linear(D_MODEL, 4 * D_MODEL)
            self.fc2 = nn.Linear(4 * D_MODEL, D_MODEL)
            mask = torch.tril(torch.ones(CONTEXT, CONTEXT, dtype=torch.bool))
            self.register_buffer("mask", mask.view(1, 1, CONTEXT, CONTEXT))

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(D_MODEL, dim=2)
            q, k, v = (z.view(b, t, HEADS, c // HEADS).transpose(1, 2) for z in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // HEADS))
            att = att.masked_fill(~self.mask[:, :, :t, :t], float("-inf")).softmax(dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
            x = x + self.proj(y)
            return x + self.fc2(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(VOCAB, D_MODEL)
            self.wpe = nn.Embedding(CONTEXT, D_MODEL)
            self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
            self.lnf = nn.LayerNorm(D_MODEL)

        def forward(self, idx, targets):
            pos = torch.arange(idx.shape[1])
            x = self.wte(idx) + self.wpe(pos)
            for block in self.blocks:
                x = block(x)
            logits = self.lnf(x) @ self.wte.weight.t()  # tied head
            return F.cross_entropy(logits.view(-1, VOCAB), targets.view(-1))

    return GPT()


def torch_worker(threads, steps):
    """Runs in a child process (so the environment is read at import), pinned to `threads` cores: prints
    tokens/s after 10 warm-up steps (a fresh torch process runs its first steps slower)."""
    pin_to(threads)
    import torch
    tokens_per_second = torch_tokens_per_second(torch, threads, steps, warmup=10)
    with open("/proc/self/maps") as f:  # which OpenBLAS the dynamic loader picked
        blas = sorted({line.split()[-1] for line in f if "libopenblas" in line or "libblas" in line})
    print(",".join(blas) or "none", f"{tokens_per_second:.1f}")


OPENMP_OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp"  # Debian 12: libopenblas0-openmp
TORCH_CONFIGS = ("as installed", "OPENBLAS_NUM_THREADS=1", "OpenMP OpenBLAS")


def torch_in_subprocess(threads, steps, config):
    env = dict(os.environ)
    if config == "OPENBLAS_NUM_THREADS=1":
        env["OPENBLAS_NUM_THREADS"] = "1"
    elif config == "OpenMP OpenBLAS":
        env["LD_LIBRARY_PATH"] = OPENMP_OPENBLAS + os.pathsep + env.get("LD_LIBRARY_PATH", "")
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--torch-worker", str(threads), str(steps)],
                         check=True, capture_output=True, text=True, env=env).stdout.split()
    if config == "OpenMP OpenBLAS" and OPENMP_OPENBLAS not in out[0]:
        sys.exit(f"compare-pytorch: PyTorch did not load {OPENMP_OPENBLAS} (it loaded {out[0]}); install "
                 "libopenblas0-openmp")
    return float(out[-1])


def torch_tokens_per_second(torch, threads, steps, warmup=2):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = make_torch_model(torch)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    idx = torch.randint(0, VOCAB, (BATCH, CONTEXT))
    tgt = torch.randint(0, VOCAB, (BATCH, CONTEXT))
    times = []
    for step in range(-warmup, steps):
        t0 = time.perf_counter()
        loss = model(idx, tgt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= 0:
            times.append(time.perf_counter() - t0)
    return BATCH * CONTEXT / statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--bench", default=os.path.join(REPO, "build", "bench", "attnscope-bench"))
    parser.add_argument("--torch-worker", nargs=2, type=int, metavar=("THREADS", "STEPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        return torch_worker(*args.torch_worker)
    threads = [int(t) for t in args.threads.split(",")]
    if args.rounds < 1 or args.steps < 1 or any(t < 1 for t in threads):
        sys.exit("compare-pytorch: --rounds, --steps and --threads must be >= 1")
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"compare-pytorch: {args.bench} not found; build it (cmake --build build --target "
                 "attnscope-bench) or pass --bench PATH")
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed for this Python (Debian: apt-get install python3-torch; run with "
              "/usr/bin/python3): printing AttnScope's figures only.")
    try:
        with open("/proc/loadavg") as f:
            print("load average before:", " ".join(f.read().split()[:3]))
    except OSError:
        pass
    print(f"R1 ({LAYERS} layers, {HEADS} heads, d_model {D_MODEL}, context {CONTEXT}, batch {BATCH}, vocab "
          f"{VOCAB}); {args.rounds} interleaved rounds of {args.steps} steps; tokens/s from the median step"
          + (f"; PyTorch {torch.__version__}" if torch else ""))
    results = {t: ([], [], []) for t in threads}
    for r in range(args.rounds):
        for t in threads:
            ours = attnscope_tokens_per_second(args.bench, t, args.steps)
            results[t][0].append(ours)
            line = f"round {r + 1}  {t} thread(s): AttnScope {ours:8.0f}"
            if torch:
                speeds = {c: torch_in_subprocess(t, args.steps, c) for c in TORCH_CONFIGS}
                best = max(speeds.values())
                results[t][1].append(speeds)
                results[t][2].append(best)
                line += (f"   PyTorch {speeds['as installed']:8.0f} (OPENBLAS_NUM_THREADS=1: "
                         f"{speeds['OPENBLAS_NUM_THREADS=1']:8.0f}, OpenMP OpenBLAS: {speeds['OpenMP OpenBLAS']:8.0f})"
                         f"   ratio {ours / best:5.2f}x")
            print(line + "  tokens/s", flush=True)
    print()
    for t in threads:
        ours, speeds, best = results[t]
        line = f"median {t} thread(s): AttnScope {statistics.median(ours):8.0f} tokens/s"
        if torch:
            ratios = [a / b for a, b in zip(ours, best)]
            per_config = ", ".join(f"{c} {statistics.median(s[c] for s in speeds):.0f}" for c in TORCH_CONFIGS)
            wins = {c: sum(max(s, key=s.get) == c for s in speeds) for c in TORCH_CONFIGS}
            line += (f"   PyTorch {per_config}; fastest per round: "
                     + ", ".join(f"{c} {n}x" for c, n in wins.items() if n)
                     + f"   ratio against the fastest {statistics.median(ratios):.2f}x (rounds {min(ratios):.2f}-"
                     f"{max(ratios):.2f})")
        print(line)


if __name__ == "__main__":
    main()
