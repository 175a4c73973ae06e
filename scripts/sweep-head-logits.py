#!/usr/bin/env python3
"""Per-head max logits of a sweep's cells at their final snapshot (docs/experiments.md, LR sensitivity).

    scripts/sweep-head-logits.py CLI SWEEP_DIR VARIANT [VARIANT ...]

For each variant, LR and seed: the final snapshot's max content logit q·k/√D per layer and head (from
`attnscope-cli export-data --steps none`, heads.csv), then per LR the mean over seeds of the max over heads, and
which layer/head holds it. Standard library only.
"""
import csv, os, subprocess, sys, tempfile, collections, statistics

cli, folder, variants = sys.argv[1], sys.argv[2], sys.argv[3:]
cells = collections.defaultdict(dict)  # (variant, lr) -> seed -> {(layer, head): max_logit}
for name in sorted(os.listdir(folder)):
    if not name.endswith(".attnrun"):
        continue
    stem = name[: -len(".attnrun")]
    variant, lr, seed = stem.rsplit("_", 2)
    if variant not in variants:
        continue
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([cli, "export-data", os.path.join(folder, name), "--out", out, "--steps", "none"],
                       check=True, stdout=subprocess.DEVNULL)
        rows = list(csv.DictReader(open(os.path.join(out, "heads.csv"))))
    last = max(int(r["step"]) for r in rows)
    cells[(variant, lr)][seed] = {(int(r["layer"]), int(r["head"])): float(r["max_logit"])
                                  for r in rows if int(r["step"]) == last}

print("variant,lr,max_logit_mean,max_logit_sd,argmax_heads,per_layer_max_mean")
for (variant, lr), seeds in sorted(cells.items(), key=lambda kv: (kv[0][0], float(kv[0][1][2:]))):
    peaks = [max(h.values()) for h in seeds.values()]
    where = [max(h, key=h.get) for h in seeds.values()]
    layers = sorted({l for h in seeds.values() for l, _ in h})
    per_layer = [statistics.mean(max(v for (l2, _), v in h.items() if l2 == l) for h in seeds.values())
                 for l in layers]
    sd = statistics.stdev(peaks) if len(peaks) > 1 else float("nan")
    print(f"{variant},{lr[2:]},{statistics.mean(peaks):.4g},{sd:.3g},"
          f"{' '.join(f'L{l}H{h}' for l, h in where)},{' / '.join(f'{v:.3g}' for v in per_layer)}")
