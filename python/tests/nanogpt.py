"""A minimal nanoGPT (karpathy/nanoGPT model.py) for the recorder tests: CausalSelfAttention with c_attn,
n_head and n_embd, its attention written out or fused (F.scaled_dot_product_attention, maps never
materialised), on any device; and its maps computed by hand."""
import math

import numpy as np


def nanogpt_model(vocab=12, C=16, H=2, T=16, layers=2, fused=False, device="cpu"):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(C, 3 * C)
            self.c_proj = nn.Linear(C, C)
            self.n_head, self.n_embd = H, C

        def forward(self, x):
            B, T_, _ = x.shape
            q, k, v = self.c_attn(x).split(C, dim=2)
            q, k, v = (t.view(B, T_, H, C // H).transpose(1, 2) for t in (q, k, v))
            if fused:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
                mask = torch.ones(T_, T_, device=x.device).triu(1).bool()
                y = att.masked_fill(mask, float("-inf")).softmax(-1) @ v
            return self.c_proj(y.transpose(1, 2).reshape(B, T_, C))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(C), CausalSelfAttention(), nn.LayerNorm(C)
            self.mlp = nn.Sequential(nn.Linear(C, 4 * C), nn.GELU(), nn.Linear(4 * C, C))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class NanoGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab, C), nn.Embedding(T, C)
            self.h = nn.ModuleList([Block() for _ in range(layers)])
            self.ln_f, self.lm_head = nn.LayerNorm(C), nn.Linear(C, vocab, bias=False)

        def forward(self, idx, targets=None):
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1], device=idx.device))
            for b in self.h:
                x = b(x)
            logits = self.lm_head(self.ln_f(x))
            if targets is None:
                return logits[:, [-1], :], None  # as nanoGPT at inference
            return logits, F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))

    return NanoGPT().to(device)


def reference_maps(model, probe):
    """Attention computed by hand (fp32, on the CPU) from the nanoGPT modules' weights."""
    import copy

    import torch
    model = copy.deepcopy(model).float().cpu().eval()
    probe = probe.cpu()
    maps = []
    with torch.no_grad():
        x = model.wte(probe) + model.wpe(torch.arange(probe.shape[1]))
        for b in model.h:
            h = b.ln_1(x)[0]
            q, k, _ = b.attn.c_attn(h).split(b.attn.n_embd, dim=-1)
            H, D = b.attn.n_head, b.attn.n_embd // b.attn.n_head
            q, k = (t.view(-1, H, D).transpose(0, 1) for t in (q, k))
            z = (q @ k.transpose(-1, -2)) / math.sqrt(D)
            maps.append(z.masked_fill(torch.ones(z.shape[-1], z.shape[-1]).triu(1).bool(), float("-inf")).softmax(-1).numpy())
            x = b(x)
    return np.stack(maps)
