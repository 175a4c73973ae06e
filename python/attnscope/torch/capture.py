"""Getting attention out of a PyTorch model for the recorder's probe. Every capture returns, per layer,
attention probabilities [H, T, T] and content logits q·k/√D [H, T, T] (None when not visible), plus the
layer's attention input [T, C] and q/k weights when the model exposes them (for σ(W_q W_kᵀ) and the
σReparam entropy bound)."""
import math

import numpy as np
import torch


class LayerCapture:
    def __init__(self, attention, logits=None, x=None, wq=None, wk=None):
        self.attention, self.logits, self.x, self.wq, self.wk = attention, logits, x, wq, wk


def unwrap(model):
    """The module inside DistributedDataParallel / DataParallel (the probe must not run DDP's collectives
    on rank 0 alone) and inside torch.compile's wrapper (the probe runs eagerly: recording hooks and
    a batch of one would otherwise trigger recompilations)."""
    while True:
        name = type(model).__name__
        if name in ("DistributedDataParallel", "DataParallel", "FullyShardedDataParallel") and isinstance(
                getattr(model, "module", None), torch.nn.Module):
            model = model.module
        elif name == "OptimizedModule" and isinstance(getattr(model, "_orig_mod", None), torch.nn.Module):
            model = model._orig_mod
        else:
            return model


def _np(t):
    """A float32 numpy copy: never a view of a live CPU tensor, since the recorder's worker reads it while
    the optimizer updates the weights in place."""
    if t is None:
        return None
    t = t.detach().float()
    return t.numpy().copy() if t.device.type == "cpu" else t.cpu().numpy()


def causal_from_qk(q, k, windows=None):
    """q, k [H, T, D] → (attention, logits) with the causal (and optional per-head window) mask."""
    H, T, D = q.shape
    logits = (q @ k.transpose(-1, -2)) / math.sqrt(D)
    i = torch.arange(T, device=q.device)[:, None]
    j = torch.arange(T, device=q.device)[None, :]
    masks = []
    for h in range(H):
        w = windows[h] if windows else 0
        masks.append((j <= i) & ((i - j) < w) if w > 0 else (j <= i))
    mask = torch.stack(masks)
    att = torch.softmax(logits.masked_fill(~mask, float("-inf")), dim=-1)
    return att, logits.masked_fill(~mask, float("nan"))


def is_attnscope_gpt(model):
    from .model import GPT
    return isinstance(model, GPT)


def find_attnscope_gpt(model):
    """The attnscope.torch.GPT in `model` (itself or a submodule, e.g. held by a wrapper), or None."""
    return next((m for m in model.modules() if is_attnscope_gpt(m)), None)


def find_nanogpt_attention(model):
    """nanoGPT's CausalSelfAttention: a module with c_attn (Linear C→3C), n_head and n_embd."""
    return [m for m in model.modules()
            if hasattr(m, "c_attn") and hasattr(m, "n_head") and isinstance(m.c_attn, torch.nn.Linear)]


def owner_of(model, modules):
    """The innermost module of `model` that holds all `modules` and can run a forward pass (not a
    ModuleList/ModuleDict): nanoGPT's GPT, also when a wrapper module holds it as an attribute."""
    ids = {id(m) for m in modules}
    best = None
    for _, m in model.named_modules():
        if isinstance(m, (torch.nn.ModuleList, torch.nn.ModuleDict)):
            continue
        if ids <= {id(sub) for sub in m.modules()}:
            best = m  # named_modules lists ancestors before descendants: the last match is the innermost
    return best


def capture_attnscope(model, probe):
    mods = model.attention_modules()
    xs = {}
    hooks = [m.register_forward_pre_hook(lambda mod, args, i=i: xs.__setitem__(i, args[0])) for i, m in enumerate(mods)]
    for m in mods:
        m.record = True
    try:
        out, _ = model(probe)
    finally:
        for m in mods:
            m.record = False
        for h in hooks:
            h.remove()
    layers = []
    C = model.config.d_model
    for i, m in enumerate(mods):
        W = m.c_attn.effective_weight(training=False).detach()  # [out, in], as the eval forward used
        layers.append(LayerCapture(_np(m.last_attention[0]), _np(m.last_logits[0]), _np(xs[i][0]),
                                   _np(W[:C].T), _np(W[C:2 * C].T)))
        m.last_attention = m.last_logits = None
    return layers, _np(out[0]), model.head_windows()


def capture_nanogpt(model, probe, modules, verify=False):
    """karpathy/nanoGPT's CausalSelfAttention: plain causal softmax of c_attn's q and k. verify: check that the
    recomputed maps reproduce every attention module's output, c_proj(A·V) — a variant with rotary, ALiBi or
    another mask fails the check and is refused (UnsupportedModel) instead of recorded wrongly."""
    from .hf_capture import UnsupportedModel
    xs, ys = {}, {}

    def hook(mod, args, out, i):
        xs[i] = args[0]
        ys[i] = out[0] if isinstance(out, tuple) else out
    hooks = [m.register_forward_hook(lambda mod, args, out, i=i: hook(mod, args, out, i)) for i, m in enumerate(modules)]
    try:
        out = model(probe)
    finally:
        for h in hooks:
            h.remove()
    layers = []
    for i, m in enumerate(modules):
        if i not in xs:
            raise UnsupportedModel(f"the forward pass did not run attention module {i} (c_attn, n_head)")
        x = xs[i][0]  # [T, C]
        C, H = m.n_embd, m.n_head
        q, k, v = m.c_attn(x).split(C, dim=-1)
        heads = lambda t: t.view(-1, H, C // H).transpose(0, 1)  # noqa: E731
        att, logits = causal_from_qk(heads(q), heads(k))
        if verify and hasattr(m, "c_proj"):
            mixed = (att @ heads(v)).transpose(0, 1).reshape(x.shape[0], C)
            expected, got = m.c_proj(mixed).float(), ys[i][0].float()
            error, size = float((expected - got).abs().max()), float(got.abs().max()) + 1e-6
            if not error <= (1e-3 if got.dtype == torch.float32 else 3e-2) * size:
                raise UnsupportedModel(
                    f"layer {i}: this {type(m).__name__} does not compute plain causal softmax attention of "
                    f"c_attn's queries and keys (its output differs by {error:.3g}; a rotary, ALiBi or otherwise "
                    "modified variant?). Nothing is recorded: pass capture=fn(model, probe) returning its maps")
        W = m.c_attn.weight.detach()
        layers.append(LayerCapture(_np(att), _np(logits), _np(x), _np(W[:C].T), _np(W[C:2 * C].T)))
    return layers, _full_logits(out, probe.shape[1]), None


def capture_hf(model, probe, verify=False):
    """A transformers GPT-2 / GPT-NeoX / Llama / Mistral / Qwen2 model (attnscope.torch.hf_capture)."""
    from . import hf_capture
    per_layer, out = hf_capture.capture(model, probe, verify=verify)
    layers = [LayerCapture(_np(a), _np(z), None, _np(wq), _np(wk)) for a, z, (wq, wk) in per_layer]
    return layers, _np(out), None


def capture_function(fn, model, probe):
    """fn(model, probe) → per layer: an attention tensor [H, T, T] (or [1, H, T, T]), or a dict with 'q' and
    'k' ([H, T, D]; causal softmax applied here) or 'attention' (and optionally 'logits')."""
    layers = []
    for item in fn(model, probe):
        if isinstance(item, dict) and "q" in item:
            q, k = (torch.as_tensor(item[key]) for key in ("q", "k"))
            q, k = (t[0] if t.dim() == 4 else t for t in (q, k))
            att, logits = causal_from_qk(q.float(), k.float(), item.get("windows"))
            layers.append(LayerCapture(_np(att), _np(logits)))
        else:
            if isinstance(item, dict):
                a, z = item["attention"], item.get("logits")
            else:
                a, z = item, None
            a = torch.as_tensor(a)
            a = a[0] if a.dim() == 4 else a
            z = None if z is None else torch.as_tensor(z)
            z = None if z is None else (z[0] if z.dim() == 4 else z)
            layers.append(LayerCapture(_np(a), _np(z)))
    return layers, None, None


def _full_logits(out, T):
    t = out[0] if isinstance(out, (tuple, list)) else out
    if torch.is_tensor(t) and t.dim() == 3 and t.shape[1] == T:
        return _np(t[0])
    return None  # e.g. nanoGPT returns only the last position's logits at inference


def spectral(M):
    """σ_max(M) through the Gram matrix of M's shorter side (λ_max in float64: its relative error is
    ~1e-15, far below the float32 the metrics are stored in) — several times faster than an SVD."""
    M = np.asarray(M, dtype=np.float64)
    G = M @ M.T if M.shape[0] <= M.shape[1] else M.T @ M
    return float(np.sqrt(max(np.linalg.eigvalsh(G)[-1], 0.0)))


def _largest_singular_values(stack):
    """σ_max of each matrix in a [n, a, b] stack (exact, LAPACK's SVD without vectors)."""
    return np.linalg.svd(stack, compute_uv=False)[:, 0]


def weight_metrics(layers, heads, qk_norm=False):
    """σ(W_q^h), σ(W_k^h), σ(W_q^h W_k^hᵀ) (exact; the engine estimates them with 40 power-iteration
    steps) and the σReparam entropy bound per head, or None where the capture has no weights. All heads of a
    layer at once through their QR factors: W = Q R with orthonormal Q, so σ(W) = σ(R) and
    W_q W_kᵀ = Q_q (R_q R_kᵀ) Q_kᵀ has the singular values of the D×D core R_q R_kᵀ."""
    if any(l.wq is None for l in layers):
        return {}
    from ..metrics import entropy_lower_bound
    L, H = len(layers), heads
    out = {k: np.full((L, H), np.nan, np.float32) for k in ("sigma_q", "sigma_k", "sigma_qk", "entropy_bound")}
    for l, lc in enumerate(layers):
        C = lc.wq.shape[0]
        D = lc.wq.shape[1] // H
        T = lc.attention.shape[-1]
        sigma_x = spectral(lc.x) if lc.x is not None else np.nan
        per_head = lambda w: np.ascontiguousarray(w.astype(np.float64).reshape(C, H, D).transpose(1, 0, 2))  # noqa: E731
        rq = np.linalg.qr(per_head(lc.wq), mode="r")  # [H, D, D]
        rk = np.linalg.qr(per_head(lc.wk), mode="r")
        out["sigma_q"][l] = _largest_singular_values(rq)
        out["sigma_k"][l] = _largest_singular_values(rk)
        s_qk = _largest_singular_values(rq @ rk.transpose(0, 2, 1))
        out["sigma_qk"][l] = s_qk
        if not qk_norm:
            out["entropy_bound"][l] = [entropy_lower_bound(s / np.sqrt(D) * sigma_x * sigma_x, T) for s in s_qk]
    return out
