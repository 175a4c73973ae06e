#!/usr/bin/env python3
"""Train a small nanoGPT-style character model on the fortunes corpus and record its attention dynamics
with AttnScope's recorder: on the CPU (Debian's python3-torch) or a CUDA GPU, optionally under bf16 autocast.
Open the result in the app or with `attnscope-cli info runs/nanogpt.attnrun`.

    PYTHONPATH=python /usr/bin/python3 python/examples/train_nanogpt.py --steps 600 --out runs/nanogpt.attnrun
    python3 python/examples/train_nanogpt.py --device cuda --amp bf16 --layers 6 --d-model 256 --context 256
"""
import argparse
import contextlib
import math
import os
import sys
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
    p.add_argument("--out", default="runs/nanogpt.attnrun")
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--every", type=int, default=25, help="snapshot cadence (the engine's default: 25)")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--context", type=int, default=64)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--position", default="learned", help="learned | sinusoidal | none | alibi | rope")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--checkpoint-every", type=int, default=None, help="default: a third of the steps")
    p.add_argument("--device", default="auto", help="auto (cuda when available) | cpu | cuda | cuda:N")
    p.add_argument("--amp", default="none", choices=("none", "bf16"),
                   help="bf16: forward under torch.autocast (the recorder's probe still runs in fp32)")
    args = p.parse_args()
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    amp = (torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16) if args.amp == "bf16"
           else contextlib.nullcontext())

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    text, corpus = corpus_text()
    tok = attnscope.Tokenizer.from_text(text)
    stream = np.array(tok.encode(text), dtype=np.int64)
    split = int(len(stream) * 0.9)
    train, val = stream[:split], stream[split:]
    config = GPTConfig(layers=args.layers, heads=args.heads, d_model=args.d_model, context=args.context,
                       vocab=tok.vocab_size, position=args.position)
    model = GPT(config).to(device)
    checkpoint_every = max(args.steps // 3, 1) if args.checkpoint_every is None else args.checkpoint_every
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    probe_text = tok.decode(val[:args.context])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    rec = Recorder(args.out, model, probe=val[:args.context], every=args.every, tokenizer=tok,
                   name=os.path.splitext(os.path.basename(args.out))[0], corpus_name=corpus,
                   data={"source": "fortunes"} if corpus == "fortunes" else None,
                   probe_text=probe_text, total_steps=args.steps, checkpoint_every=checkpoint_every,
                   description=f"nanoGPT-style char model trained in PyTorch {torch.__version__} on {device}"
                               f"{' (bf16 autocast)' if args.amp == 'bf16' else ''} "
                               "(python/examples/train_nanogpt.py)", overwrite=True)
    rng = np.random.default_rng(args.seed)
    warmup = max(args.steps // 20, 1)
    t0 = time.perf_counter()
    with rec:
        for step in range(1, args.steps + 1):
            lr = args.lr * min(step / warmup, 0.5 * (1 + math.cos(math.pi * step / args.steps)) * 0.9 + 0.1)
            for g in opt.param_groups:
                g["lr"] = lr
            x, y = batches(train, args.batch, args.context, rng)
            with amp:
                _, loss = model(torch.from_numpy(x).to(device), torch.from_numpy(y).to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            val_loss = float("nan")
            if step % 100 == 0 or step == args.steps:
                model.eval()
                with torch.no_grad():
                    vx, vy = batches(val, 32, args.context, np.random.default_rng(0))
                    val_loss = float(model(torch.from_numpy(vx).to(device), torch.from_numpy(vy).to(device))[1])
                model.train()
                print(f"step {step}: loss {loss.item():.4f}, val {val_loss:.4f}", flush=True)
            rec.step(step, loss.item(), ce_loss=loss.item(), grad_norm=float(gn), lr=lr, val_loss=val_loss,
                     tokens_per_sec=step * args.batch * args.context / (time.perf_counter() - t0))
    total = time.perf_counter() - t0
    print(f"wrote {args.out}: {args.steps} steps in {total:.1f} s, recorder {rec.probe_seconds:.2f} s "
          f"({100 * rec.probe_seconds / total:.1f}%)")


if __name__ == "__main__":
    main()
