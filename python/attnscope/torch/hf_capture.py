"""Attention of Hugging Face transformers causal language models — GPT-2, GPT-NeoX (Pythia) and the Llama
family (Llama, Mistral, Qwen2) — as those models compute it, structured as transformers structures them
(models/<family>/modeling_<family>.py; python/tests/hf_families.py mirrors them for the tests).

The probe's forward pass runs once with hooks on the query/key/value projections (c_attn, query_key_value,
q_proj/k_proj/v_proj): they receive plain tensors in every transformers version, unlike the attention
modules, whose arguments changed across versions. From q and k the recorder rebuilds what the attention
kernel computes: rotary embedding in the rotate_half layout on the first rotary_dim dimensions of each head
(Su et al. 2021), keys shared by num_heads / num_key_value_heads query heads (grouped-query attention,
Ainslie et al. 2023), the model's scaling, the causal mask, softmax in float32. Content logits are q·k after
rotary, times the model's scale, per query head. What the recorder cannot compute exactly — an attention
class it does not know, rotary scaling, a sliding window shorter than the probe, ALiBi or other position
schemes in configs it does not know — is refused with UnsupportedModel instead of recording something else.

Whether the rebuilt maps are the model's own is checked on the first capture (verify=True): the maps times
the values, through the output projection, must give the attention module's output."""
import math

import torch

#: model_type → the attention classes transformers uses for it (eager, SDPA and flash variants compute the
#: same function) and the attribute that holds the attention module inside each decoder layer.
FAMILIES = {
    "gpt2": (("GPT2Attention", "GPT2SdpaAttention", "GPT2FlashAttention2"), "attn"),
    "gpt_neox": (("GPTNeoXAttention", "GPTNeoXSdpaAttention", "GPTNeoXFlashAttention2"), "attention"),
    "llama": (("LlamaAttention", "LlamaSdpaAttention", "LlamaFlashAttention2"), "self_attn"),
    "mistral": (("MistralAttention", "MistralSdpaAttention", "MistralFlashAttention2"), "self_attn"),
    "qwen2": (("Qwen2Attention", "Qwen2SdpaAttention", "Qwen2FlashAttention2"), "self_attn"),
}


class UnsupportedModel(ValueError):
    """The recorder cannot compute this model's attention exactly; the message says what and why."""


def model_type(module):
    return getattr(getattr(module, "config", None), "model_type", None)


def find_hf_model(module):
    """The transformers model inside `module` (the module itself, or the shallowest submodule whose config
    names a model_type), or None. Raises UnsupportedModel for a model_type the recorder does not know."""
    for _, m in module.named_modules():
        kind = model_type(m)
        if kind is None:
            continue
        if kind not in FAMILIES:
            raise UnsupportedModel(
                f"the recorder does not know how {type(m).__name__} (model_type {kind!r}) computes attention; "
                f"it records {', '.join(FAMILIES)} models as transformers builds them, attnscope and nanoGPT "
                "models, or what capture=fn(model, probe) returns (docs/python.md)")
        return m
    return None


def _cfg(config, *names, default=None):
    for name in names:
        value = getattr(config, name, None)
        if value is not None:
            return value
    return default


class Geometry:
    """Heads, head size, rotary and scaling of one model, read from its config as transformers reads it."""

    def __init__(self, model):
        c = self.config = model.config
        self.family = c.model_type
        if self.family == "gpt2":
            self.d_model = c.n_embd
            self.heads = self.kv_heads = c.n_head
            self.head_dim = self.d_model // self.heads
            self.rotary_dim, self.rotary_base = 0, None
        elif self.family == "gpt_neox":
            self.d_model = c.hidden_size
            self.heads = self.kv_heads = c.num_attention_heads
            self.head_dim = self.d_model // self.heads
            self.rotary_fraction = float(_cfg(c, "rotary_pct", "partial_rotary_factor", default=1.0))
            self.rotary_dim = int(self.head_dim * self.rotary_fraction)
            self.rotary_base = float(_cfg(c, "rotary_emb_base", "rope_theta", default=10000.0))
        else:
            self.d_model = c.hidden_size
            self.heads = c.num_attention_heads
            self.kv_heads = _cfg(c, "num_key_value_heads", default=self.heads)
            self.head_dim = _cfg(c, "head_dim", default=self.d_model // self.heads)
            self.rotary_fraction = float(_cfg(c, "partial_rotary_factor", default=1.0))
            self.rotary_dim = int(self.head_dim * self.rotary_fraction)
            self.rotary_base = float(_cfg(c, "rope_theta", default=10000.0))
        self.layers = len(attention_modules(model))

    def scale(self, layer):
        c = self.config
        if self.family == "gpt2":
            s = 1.0 / math.sqrt(self.head_dim) if getattr(c, "scale_attn_weights", True) else 1.0
            return s / (layer + 1) if getattr(c, "scale_attn_by_inverse_layer_idx", False) else s
        return self.head_dim ** -0.5

    def window(self, layer):
        """The sliding-window length of a layer, or None for full causal attention."""
        c = self.config
        if self.family == "mistral":
            return getattr(c, "sliding_window", None)
        if self.family == "qwen2" and getattr(c, "use_sliding_window", False):
            return getattr(c, "sliding_window", None) if layer >= getattr(c, "max_window_layers", 0) else None
        return None


def attention_modules(model):
    """The attention module of every decoder layer, in layer order (transformers' layouts: GPT-2's h[i].attn,
    GPT-NeoX's layers[i].attention, Llama's layers[i].self_attn)."""
    classes, attr = FAMILIES[model_type(model)]
    for _, m in model.named_modules():
        if isinstance(m, torch.nn.ModuleList) and len(m) and all(hasattr(block, attr) for block in m):
            mods = [getattr(block, attr) for block in m]
            unknown = sorted({type(a).__name__ for a in mods} - set(classes))
            if unknown:
                raise UnsupportedModel(
                    f"{model_type(model)} model with attention class {', '.join(unknown)}: the recorder computes "
                    f"{', '.join(classes)} only; pass capture=fn(model, probe) for other attention code")
            return mods
    raise UnsupportedModel(f"no decoder layers with .{attr} found in this {model_type(model)} model")


def check_supported(model, length):
    """Raises UnsupportedModel when the attention of `model` on a probe of `length` tokens is something the
    recorder does not compute exactly."""
    c = model.config
    g = geometry(model)
    scaling = getattr(c, "rope_scaling", None)
    if scaling and (scaling.get("rope_type") or scaling.get("type")) not in (None, "default"):
        raise UnsupportedModel(f"rope_scaling {scaling!r} changes the rotary frequencies; the recorder computes "
                               "unscaled rotary embeddings only")
    if g.family == "gpt_neox" and not 0 < g.rotary_dim <= g.head_dim:
        raise UnsupportedModel(f"rotary dimension {g.rotary_dim} of a {g.head_dim}-dimensional head")
    if g.rotary_dim % 2:
        raise UnsupportedModel(f"an odd rotary dimension ({g.rotary_dim}) cannot be split into rotated pairs")
    if g.heads % g.kv_heads:
        raise UnsupportedModel(f"{g.kv_heads} key/value heads do not divide {g.heads} query heads")
    if getattr(c, "add_cross_attention", False):
        raise UnsupportedModel("a model with cross-attention (an encoder-decoder) is not a causal language model")
    for layer in range(g.layers):
        w = g.window(layer)
        if w is not None and length > w:
            raise UnsupportedModel(
                f"layer {layer} attends within a sliding window of {w} tokens, shorter than the probe ({length}); "
                f"the recorder computes full causal attention only: use a probe of at most {w} tokens")


def geometry(model):
    return Geometry(model)


def rotary_cos_sin(rotary_dim, base, T, device):
    inv_freq = 1.0 / (base ** (torch.arange(0, rotary_dim, 2, dtype=torch.int64, device=device).float() / rotary_dim))
    freqs = torch.outer(torch.arange(T, device=device).float(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate(x, cos, sin):
    """Rotary embedding of x [H, T, D] on its first cos.shape[-1] dimensions, rotate_half layout."""
    r = cos.shape[-1]
    if r == 0:
        return x
    x_rot, x_pass = x[..., :r], x[..., r:]
    half = r // 2
    rotated = torch.cat((-x_rot[..., half:], x_rot[..., :half]), dim=-1)
    return torch.cat((x_rot * cos + rotated * sin, x_pass), dim=-1)


def _split_heads(t, heads, head_dim):
    """[T, heads·head_dim] → [heads, T, head_dim]."""
    return t.reshape(t.shape[0], heads, head_dim).transpose(0, 1)


def _qkv(g, mod, out):
    """q [H, T, D], k and v [KV, T, D] from the hooked projection outputs of one layer (batch row 0)."""
    H, KV, D = g.heads, g.kv_heads, g.head_dim
    if g.family == "gpt2":
        q, k, v = out["c_attn"][0].split(g.d_model, dim=-1)
        return _split_heads(q, H, D), _split_heads(k, H, D), _split_heads(v, H, D)
    if g.family == "gpt_neox":
        qkv = out["query_key_value"][0]  # per head [q | k | v]
        qkv = qkv.reshape(qkv.shape[0], H, 3 * D).transpose(0, 1)
        return qkv[..., :D], qkv[..., D:2 * D], qkv[..., 2 * D:]
    return (_split_heads(out["q_proj"][0], H, D), _split_heads(out["k_proj"][0], KV, D),
            _split_heads(out["v_proj"][0], KV, D))


def _projections(g, mod):
    if g.family == "gpt2":
        return {"c_attn": mod.c_attn}
    if g.family == "gpt_neox":
        return {"query_key_value": mod.query_key_value}
    return {"q_proj": mod.q_proj, "k_proj": mod.k_proj, "v_proj": mod.v_proj}


def _output_projection(g, mod):
    return {"gpt2": lambda: mod.c_proj, "gpt_neox": lambda: mod.dense}.get(g.family, lambda: mod.o_proj)()


def query_key_weights(g, mod):
    """W_q, W_k as [d_model, heads·head_dim] matrices acting on the attention input (keys of a group repeated
    for each of its query heads), for the weight metrics σ(W_q), σ(W_k), σ(W_q W_kᵀ)."""
    H, KV, D = g.heads, g.kv_heads, g.head_dim
    if g.family == "gpt2":
        W = mod.c_attn.weight.detach().float()  # Conv1D: [in, out]
        return W[:, :g.d_model], W[:, g.d_model:2 * g.d_model]
    if g.family == "gpt_neox":
        W = mod.query_key_value.weight.detach().float().reshape(H, 3, D, -1)  # rows per head [q | k | v]
        return W[:, 0].reshape(H * D, -1).T, W[:, 1].reshape(H * D, -1).T
    wq = mod.q_proj.weight.detach().float().T
    wk = mod.k_proj.weight.detach().float().T.reshape(-1, KV, D).repeat_interleave(H // KV, dim=1)
    return wq, wk.reshape(-1, H * D)


def capture(model, probe, verify=False):
    """Runs `probe` [1, T] through the transformers `model`; returns (per-layer (attention, logits, weights)
    tuples as float32 tensors [H, T, T] with NaN logits above the diagonal, the output logits [T, V] or
    None). verify: also check every layer's maps against the attention module's own output."""
    T = probe.shape[1]
    check_supported(model, T)
    g = geometry(model)
    mods = attention_modules(model)
    seen = [dict() for _ in mods]
    outputs = [None] * len(mods)
    hooks = []
    for layer, mod in enumerate(mods):
        for name, proj in _projections(g, mod).items():
            hooks.append(proj.register_forward_hook(
                lambda m, args, out, layer=layer, name=name: seen[layer].__setitem__(name, out)))
        if verify:
            hooks.append(mod.register_forward_hook(
                lambda m, args, out, layer=layer: outputs.__setitem__(layer, out[0] if isinstance(out, tuple) else out)))
    try:
        result = model(probe, use_cache=False)  # no key/value cache: one pass over the probe
    finally:
        for h in hooks:
            h.remove()
    if any(len(s) < len(_projections(g, mods[0])) for s in seen):
        raise UnsupportedModel("the model's forward pass did not run every layer's query/key/value projections "
                               "(a cache or a custom forward?); the recorder cannot see its attention")
    cos, sin = rotary_cos_sin(g.rotary_dim, g.rotary_base, T, probe.device) if g.rotary_dim else (None, None)
    i = torch.arange(T, device=probe.device)[:, None]
    j = torch.arange(T, device=probe.device)[None, :]
    layers = []
    for layer, mod in enumerate(mods):
        q, k, v = (t.float() for t in _qkv(g, mod, seen[layer]))
        if cos is not None:
            q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        groups = g.heads // g.kv_heads
        k = k.repeat_interleave(groups, dim=0)  # query head h reads key/value head h // groups
        logits = (q @ k.transpose(-1, -2)) * g.scale(layer)
        mask = j <= i
        w = g.window(layer)
        if w is not None:
            mask = mask & (i - j < w)
        attention = torch.softmax(logits.masked_fill(~mask, float("-inf")), dim=-1)
        if verify:
            _verify(g, mod, layer, attention, v.float().repeat_interleave(groups, dim=0), outputs[layer])
        layers.append((attention, logits.masked_fill(~mask, float("nan")), query_key_weights(g, mod)))
    out_logits = getattr(result, "logits", None)
    if out_logits is None and isinstance(result, (tuple, list)) and torch.is_tensor(result[0]):
        out_logits = result[0] if result[0].dim() == 3 and result[0].shape[-1] != g.d_model else None
    return layers, (out_logits[0] if out_logits is not None else None)


def _verify(g, mod, layer, attention, v, actual):
    """The rebuilt maps reproduce the attention module's output: o_proj(A·V) equals what the model computed."""
    if actual is None or not torch.is_tensor(actual):
        raise UnsupportedModel(f"layer {layer}: the attention module returned no output tensor to check against")
    proj = _output_projection(g, mod)
    mixed = (attention @ v).transpose(0, 1).reshape(attention.shape[1], -1)
    expected = proj(mixed.to(actual.dtype)).float()
    got = actual[0].float()
    error = float((expected - got).abs().max())
    size = float(got.abs().max()) + 1e-6
    tolerance = 1e-3 if actual.dtype == torch.float32 else 3e-2
    if not error <= tolerance * size:
        raise UnsupportedModel(
            f"layer {layer}: the attention the recorder computes for this {g.family} model does not reproduce the "
            f"module's output (max difference {error:.3g} against outputs up to {size:.3g}); it may use a "
            "position scheme, mask or scaling the recorder does not know, so nothing is recorded")
