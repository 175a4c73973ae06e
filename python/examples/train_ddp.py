#!/usr/bin/env python3
"""Data-parallel training (torch.distributed, gloo backend) with AttnScope's recorder: two processes on
this machine train one model with DistributedDataParallel; every rank creates a Recorder, but only rank 0
writes the run file (the others' recorders do nothing), and rank 0's probe runs on the unwrapped module,
so it issues no collective the other rank would have to match.

    PYTHONPATH=python /usr/bin/python3 python/examples/train_ddp.py --steps 300 --out runs/ddp.attnrun

On a cluster, start it with torchrun instead (the script then uses the launcher's RANK/WORLD_SIZE).
"""
import argparse
import os
import socket
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attnscope  # noqa: E402
from attnscope.torch import GPT, GPTConfig, Recorder  # noqa: E402
from common import batches, corpus_text  # noqa: E402


def worker(rank, world, args):
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)  # same initial weights on every rank (DDP also broadcasts rank 0's)
    text, corpus = corpus_text(60_000 if args.tiny else 400_000)
    tok = attnscope.Tokenizer.from_text(text)
    stream = np.array(tok.encode(text), dtype=np.int64)
    split = int(len(stream) * 0.9)
    size = dict(layers=2, heads=2, d_model=16, context=16) if args.tiny else \
        dict(layers=4, heads=4, d_model=64, context=64)
    config = GPTConfig(vocab=tok.vocab_size, position="alibi", **size)
    model = DDP(GPT(config))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    probe = stream[split:split + config.context]
    rec = Recorder(args.out, model, probe=probe, every=args.every, tokenizer=tok, corpus_name=corpus,
                   data={"source": "fortunes"} if corpus == "fortunes" else None,
                   probe_text=tok.decode(probe), total_steps=args.steps, overwrite=True,
                   description=f"DDP, gloo, world size {world}: only rank 0 writes (python/examples/train_ddp.py)")
    rng = np.random.default_rng(args.seed + rank)  # each rank its own batches
    t0 = time.perf_counter()
    with rec:
        for step in range(1, args.steps + 1):
            x, y = batches(stream[:split], args.batch, config.context, rng)
            _, loss = model(torch.from_numpy(x), torch.from_numpy(y))
            opt.zero_grad(set_to_none=True)
            loss.backward()  # DDP averages the gradients over the ranks here
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            mean_loss = loss.detach().clone()
            dist.all_reduce(mean_loss)  # every rank calls the collective; only rank 0 records
            mean = float(mean_loss) / world
            rec.step(step, mean, ce_loss=mean, grad_norm=float(gn), lr=args.lr,
                     tokens_per_sec=world * step * args.batch * config.context / (time.perf_counter() - t0))
    if rank == 0:
        print(f"rank 0 wrote {args.out}: {args.steps} steps, final loss {float(mean_loss) / world:.4f}")
    dist.barrier()
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="runs/ddp.attnrun")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--every", type=int, default=25)
    p.add_argument("--batch", type=int, default=8, help="per rank")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--world", type=int, default=2)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--tiny", action="store_true", help="a tiny model (the test suite uses it)")
    args = p.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # started by torchrun
        worker(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), args)
        return
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(free_port()))
    mp.spawn(worker, args=(args.world, args), nprocs=args.world, join=True)


if __name__ == "__main__":
    main()
