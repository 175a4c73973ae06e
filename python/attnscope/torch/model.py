"""nanoGPT-style PyTorch modules with every mechanism of the AttnScope engine (core/model, core/nn): learned / sinusoidal / none / ALiBi / RoPE positions, softmax or ReLU attention,
LS-attention local + global heads,
ResFormer value residual (identity, constant, learnable), SVFormer, σReparam (fused or per q/k/v block),
QK-norm. GPT.from_checkpoint loads an AttnScope checkpoint; tests/test_interchange.py requires its loss
to equal `attnscope-cli eval` to 1e-5 relative — an independent check of the engine.

Layout conventions: the engine stores weights as [in, out] (y = x W + b); torch Linear weights are
[out, in], so every matrix is transposed on load."""
import json
import math
from dataclasses import dataclass, fields

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import safetensors
from ..spec import model_config


@dataclass
class GPTConfig:
    layers: int = 4
    heads: int = 4
    d_model: int = 128
    context: int = 128
    vocab: int = 96
    position: str = "learned"  # learned | sinusoidal | none | alibi | rope
    sinusoidal_scale: float = 0.028284271247461901
    rope_theta: float = 10000.0
    tied_head: bool = True
    attention: str = "softmax"  # softmax | relu (A_ij = relu(S_ij)/n_i, Guo et al. 2024)
    ls_attention: bool = False
    global_heads: int = 1
    window: int = 32
    value_residual: str = "off"  # off | identity | constant | learnable | svformer
    lambda1: float = 0.5
    lambda2: float = 0.5
    sigma_reparam: str = "off"  # off | fused | separate
    gamma_init: str = "one"
    qk_norm: bool = False
    z_loss: float = 0.0
    layer_norm_eps: float = 1e-5
    init_std: float = 0.02

    @classmethod
    def from_spec(cls, spec_model):
        """From the `model` section of a RunSpec (missing keys take the engine's defaults)."""
        full = model_config(spec_model)
        return cls(**{f.name: full[f.name] for f in fields(cls)})

    def to_spec(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def head_dim(self):
        return self.d_model // self.heads

    def head_window(self, h):
        """0 for a global (full causal) head, the window for an LS-attention local head."""
        return self.window if self.ls_attention and h < self.heads - self.global_heads else 0

    def has_value_projection(self, layer):
        return not (self.value_residual == "svformer" and layer > 0)


def alibi_slopes(n):
    """Press et al. get_slopes (config.cpp alibiSlopes)."""
    def power_of_two(k):
        start = 2.0 ** (-(2.0 ** -(math.log2(k) - 3)))
        return [start ** (i + 1) for i in range(k)]
    if math.log2(n).is_integer():
        return power_of_two(n)
    p = 2 ** int(math.floor(math.log2(n)))
    return power_of_two(p) + power_of_two(2 * p)[0::2][: n - p]


def sinusoidal_table(T, C, scale):
    """embedding.cpp sinusoidal_table: sin at even i, cos at i+1, angle p / 10000^(i/C), computed in double."""
    pe = np.zeros((T, C), dtype=np.float64)
    p = np.arange(T, dtype=np.float64)[:, None]
    i = np.arange(0, C, 2, dtype=np.float64)[None, :]
    angle = p / np.power(10000.0, i / C)
    pe[:, 0::2] = scale * np.sin(angle)
    pe[:, 1::2] = (scale * np.cos(angle))[:, : C // 2]
    return torch.from_numpy(pe.astype(np.float32))


def rope_tables(T, D, theta):
    """rope.cpp: angle(p, i) = p · θ^(−2i/D) for the pairs (2i, 2i+1)."""
    p = np.arange(T, dtype=np.float64)[:, None]
    i = np.arange(D // 2, dtype=np.float64)[None, :]
    angle = p * np.power(theta, -2.0 * i / D)
    return torch.from_numpy(np.cos(angle).astype(np.float32)), torch.from_numpy(np.sin(angle).astype(np.float32))


def rope_apply(x, cos, sin):
    """x: [B, H, T, D]; rotates interleaved pairs (x_2i, x_2i+1) by the position's angle."""
    a, b = x[..., 0::2], x[..., 1::2]
    out = torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1)
    return out.flatten(-2)


class SigmaLinear(nn.Module):
    """Linear layer, optionally σReparam'd (Zhai et al. 2023): Ŵ = γ/σ(W)·W per block of
    output rows (one block: fused; q, k, v blocks: separate). σ comes from a persistent power iteration with
    vectors a ∈ R^in, b ∈ R^out as in core/nn/sigma_reparam.cpp: training takes one step and stores it;
    eval takes one step from the stored vectors without storing it (apple/ml-sigma-reparam's eval mode)."""

    def __init__(self, d_in, d_out, blocks=0, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(d_out, d_in))
        self.bias = nn.Parameter(torch.zeros(d_out)) if bias else None
        self.blocks = blocks  # 0: plain Linear
        if blocks:
            self.gamma = nn.Parameter(torch.ones(blocks))
            self.register_buffer("sigma_a", torch.zeros(blocks, d_in))
            self.register_buffer("sigma_b", torch.zeros(blocks, d_out // blocks))
        self.eval_power_step = True

    def _sigma(self, training=None):
        """σ per block. training (default: the module's mode) takes and stores a power step; otherwise the
        step is taken on copies (eval_power_step) or skipped (σ from the stored vectors)."""
        training = self.training if training is None else training
        W = self.weight.view(self.blocks, -1, self.weight.shape[1])  # [blocks, out_b, in]
        with torch.no_grad():
            a = F.normalize(torch.einsum("koi,ko->ki", W.double(), self.sigma_b.double()), dim=-1, eps=1e-30)
            b = F.normalize(torch.einsum("koi,ki->ko", W.double(), a), dim=-1, eps=1e-30)
            a, b = a.to(W.dtype), b.to(W.dtype)
            if training:
                self.sigma_a.copy_(a)
                self.sigma_b.copy_(b)
            elif not self.eval_power_step:
                a, b = self.sigma_a.to(W.dtype), self.sigma_b.to(W.dtype)
        return torch.einsum("ko,koi,ki->k", b, W, a), W  # σ with gradient w.r.t. W, u/v constants

    def effective_weight(self, training=None):
        if not self.blocks:
            return self.weight
        sigma, W = self._sigma(training)
        return (W * (self.gamma / sigma)[:, None, None]).reshape(self.weight.shape)

    def forward(self, x):
        return F.linear(x, self.effective_weight(), self.bias)


class CausalSelfAttention(nn.Module):
    def __init__(self, config, layer):
        super().__init__()
        C, self.H, self.D = config.d_model, config.heads, config.head_dim
        self.config, self.layer = config, layer
        self.has_v = config.has_value_projection(layer)
        sr = config.sigma_reparam
        qkv_blocks = {"off": 0, "fused": 1, "separate": 3 if self.has_v else 2}[sr]
        self.c_attn = SigmaLinear(C, (3 if self.has_v else 2) * C, qkv_blocks)
        self.c_proj = SigmaLinear(C, C, 1 if sr != "off" else 0)
        if config.qk_norm:
            self.q_norm = nn.Parameter(torch.ones(self.D))
            self.k_norm = nn.Parameter(torch.ones(self.D))
        if config.value_residual == "learnable" and layer > 0:
            self.vres_lambda = nn.Parameter(torch.tensor([config.lambda1, config.lambda2]))
        self.windows = [config.head_window(h) for h in range(self.H)]
        self.slopes = alibi_slopes(self.H) if config.position == "alibi" else [0.0] * self.H
        self.record = False  # when True, forward keeps last_attention / last_logits for the recorder
        self.last_attention = self.last_logits = None

    def lambdas(self):
        vr = self.config.value_residual
        if vr == "identity":
            return 0.5, 0.5
        if vr == "constant":
            return self.config.lambda1, self.config.lambda2
        if vr == "learnable":
            return self.vres_lambda[0], self.vres_lambda[1]
        return 0.0, 1.0

    def forward(self, x, v_first=None, rope=None):
        B, T, C = x.shape
        qkv = self.c_attn(x)
        q, k = qkv[..., :C], qkv[..., C:2 * C]
        heads = lambda t: t.view(B, T, self.H, self.D).transpose(1, 2)  # noqa: E731
        q, k = heads(q), heads(k)
        v = heads(qkv[..., 2 * C:]) if self.has_v else v_first
        v_own = v
        if self.config.value_residual in ("identity", "constant", "learnable") and self.layer > 0:
            l1, l2 = self.lambdas()
            v = l1 * v_first + l2 * v  # ResFormer: V'_n = λ1·V_1 + λ2·V_n
        if self.config.qk_norm:
            q = F.layer_norm(q, (self.D,), self.q_norm, None, self.config.layer_norm_eps)
            k = F.layer_norm(k, (self.D,), self.k_norm, None, self.config.layer_norm_eps)
        if rope is not None:
            q, k = rope_apply(q, *rope), rope_apply(k, *rope)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.D)  # content logits [B, H, T, T]
        mask = self._mask(T, x.device)  # [H, T, T] visible
        bias = self._alibi(T, x.device, scores.dtype)
        if self.config.attention == "relu":
            # ReLU attention (Guo et al. 2024; core/nn/attention.h): relu(S)/n_i over the n_i visible keys.
            att = torch.relu(scores - bias).masked_fill(~mask, 0.0) / mask.sum(-1, keepdim=True).to(scores.dtype)
        else:
            att = torch.softmax((scores - bias).masked_fill(~mask, float("-inf")), dim=-1)
        if self.record:
            self.last_attention = att.detach()
            self.last_logits = scores.detach().masked_fill(~mask, float("nan"))
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.c_proj(y), v_own

    def _mask(self, T, device):
        i = torch.arange(T, device=device)[:, None]
        j = torch.arange(T, device=device)[None, :]
        causal = j <= i
        return torch.stack([causal & ((i - j) < w) if w > 0 else causal for w in self.windows])

    def _alibi(self, T, device, dtype):
        i = torch.arange(T, device=device)[:, None]
        j = torch.arange(T, device=device)[None, :]
        dist = (i - j).clamp(min=0).to(dtype)
        return torch.tensor(self.slopes, dtype=dtype, device=device)[:, None, None] * dist


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        blocks = 1 if config.sigma_reparam != "off" else 0
        self.c_fc = SigmaLinear(config.d_model, 4 * config.d_model, blocks)
        self.c_proj = SigmaLinear(4 * config.d_model, config.d_model, blocks)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, config, layer):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.attn = CausalSelfAttention(config, layer)
        self.ln_2 = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.mlp = MLP(config)

    def forward(self, x, v_first, rope):
        a, v = self.attn(self.ln_1(x), v_first, rope)
        x = x + a
        return x + self.mlp(self.ln_2(x)), v


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        C = config.d_model
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab, C),
            h=nn.ModuleList([Block(config, l) for l in range(config.layers)]),
            ln_f=nn.LayerNorm(C, eps=config.layer_norm_eps)))
        if config.position == "learned":
            self.transformer["wpe"] = nn.Embedding(config.context, C)
        if not config.tied_head:
            self.lm_head = SigmaLinear(C, config.vocab, 1 if config.sigma_reparam != "off" else 0, bias=False)
        self._init_weights()

    def _init_weights(self):
        """nanoGPT initialisation: N(0, 0.02), residual projections N(0, 0.02/√(2L))."""
        std = self.config.init_std
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, 0.0, std / math.sqrt(2 * self.config.layers))
            elif p.dim() == 2:
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)
        for m in self.modules():
            if isinstance(m, SigmaLinear) and m.blocks:
                with torch.no_grad():
                    W = m.weight.view(m.blocks, -1, m.weight.shape[1]).double()
                    U, S, Vh = torch.linalg.svd(W, full_matrices=False)
                    m.sigma_b.copy_(U[:, :, 0])  # out-side vector
                    m.sigma_a.copy_(Vh[:, 0, :])  # in-side vector
                    m.gamma.copy_(S[:, 0] if self.config.gamma_init == "sigma0" else torch.ones(m.blocks))

    def forward(self, idx, targets=None):
        """idx [B, T] → logits [B, T, V]; with targets also the mean cross-entropy over targets ≥ 0."""
        c = self.config
        B, T = idx.shape
        x = self.transformer.wte(idx)
        if c.position == "learned":
            if T > c.context:
                raise ValueError(f"learned positions exist only for {c.context} positions, not {T}")
            x = x + self.transformer.wpe.weight[:T]
        elif c.position == "sinusoidal":
            x = x + sinusoidal_table(T, c.d_model, c.sinusoidal_scale).to(device=x.device, dtype=x.dtype)
        rope = None
        if c.position == "rope":
            rope = tuple(t.to(device=x.device, dtype=x.dtype) for t in rope_tables(T, c.head_dim, c.rope_theta))
        v_first = None
        for block in self.transformer.h:
            x, v = block(x, v_first, rope)
            if v_first is None:
                v_first = v
        x = self.transformer.ln_f(x)
        logits = self.lm_head(x) if not c.tied_head else F.linear(x, self.transformer.wte.weight)
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)
        return logits, loss

    def attention_modules(self):
        return [b.attn for b in self.transformer.h]

    def head_windows(self):
        return [[self.config.head_window(h) for h in range(self.config.heads)] for _ in range(self.config.layers)]

    # --- AttnScope checkpoints -------------------------------------------------------------------------
    @classmethod
    def from_checkpoint(cls, checkpoint, dtype=torch.float32):
        """From a checkpoint image (bytes), a .safetensors path, or (tensors, metadata)."""
        if isinstance(checkpoint, (bytes, bytearray, memoryview)):
            tensors, metadata = safetensors.loads(checkpoint)
        elif isinstance(checkpoint, tuple):
            tensors, metadata = checkpoint
        else:
            tensors, metadata = safetensors.load_file(checkpoint)
        if "spec" not in metadata:
            raise ValueError("this safetensors file has no AttnScope run configuration in its metadata (\"spec\")")
        spec_model = json.loads(metadata["spec"])["model"]
        model = cls(GPTConfig.from_spec(spec_model)).to(dtype)
        model.load_state_dict({k: v.to(dtype) for k, v in state_dict_from_checkpoint(tensors, spec_model).items()})
        return model.eval()

    def to_checkpoint(self, step=0, spec=None):
        """An AttnScope checkpoint image of the parameters (params and σReparam vectors; zero AdamW
        moments). The engine can evaluate and probe it; `spec` is the RunSpec dict to embed."""
        return checkpoint_image(self.state_dict(), self.config, step, spec)


def checkpoint_image(state_dict, config, step=0, spec=None):
    """GPT.to_checkpoint for a state_dict (the recorder copies one at the step and builds the image on its
    worker thread)."""
    from ..spec import run_spec
    spec = spec or run_spec(model=config.to_spec())
    tensors = checkpoint_from_state_dict(state_dict, config)
    for name in [k for k in tensors if k.startswith("param/")]:
        tensors["adam_m/" + name[6:]] = np.zeros_like(tensors[name])
        tensors["adam_v/" + name[6:]] = np.zeros_like(tensors[name])
    tensors["rng"] = np.zeros(4, dtype=np.int64)
    meta = {"format": "attnscope-checkpoint-1", "spec": json.dumps(spec), "step": str(step), "adam_steps": str(step)}
    return safetensors.dumps(tensors, meta)


def _mapping(config):
    """(engine name, torch name, kind) for every tensor. kind: 'T' (transpose a matrix), '=' (copy),
    ('gamma', block) / ('sigma_a', block) / ('sigma_b', block) for σReparam state."""
    c = GPTConfig.from_spec(config) if isinstance(config, dict) else config
    rows = [("wte", "transformer.wte.weight", "=")]
    if c.position == "learned":
        rows.append(("wpe", "transformer.wpe.weight", "="))
    groups = []
    for l in range(c.layers):
        p, t = f"l{l}.", f"transformer.h.{l}."
        rows += [(p + "ln1.g", t + "ln_1.weight", "="), (p + "ln1.b", t + "ln_1.bias", "="),
                 (p + "attn.qkv.w", t + "attn.c_attn.weight", "T"), (p + "attn.qkv.b", t + "attn.c_attn.bias", "=")]
        if c.qk_norm:
            rows += [(p + "attn.qnorm.g", t + "attn.q_norm", "="), (p + "attn.knorm.g", t + "attn.k_norm", "=")]
        rows += [(p + "attn.proj.w", t + "attn.c_proj.weight", "T"), (p + "attn.proj.b", t + "attn.c_proj.bias", "="),
                 (p + "ln2.g", t + "ln_2.weight", "="), (p + "ln2.b", t + "ln_2.bias", "="),
                 (p + "mlp.fc.w", t + "mlp.c_fc.weight", "T"), (p + "mlp.fc.b", t + "mlp.c_fc.bias", "="),
                 (p + "mlp.proj.w", t + "mlp.c_proj.weight", "T"), (p + "mlp.proj.b", t + "mlp.c_proj.bias", "=")]
        if c.value_residual == "learnable" and l > 0:
            rows.append((p + "vres.lambda", t + "attn.vres_lambda", "="))
        if c.sigma_reparam == "fused":
            groups.append((p + "attn.qkv", t + "attn.c_attn", 0))
        elif c.sigma_reparam == "separate":
            names = ["q", "k", "v"] if c.has_value_projection(l) else ["q", "k"]
            groups += [(p + "attn." + n, t + "attn.c_attn", i) for i, n in enumerate(names)]
        if c.sigma_reparam != "off":
            groups += [(p + "attn.proj", t + "attn.c_proj", 0), (p + "mlp.fc", t + "mlp.c_fc", 0),
                       (p + "mlp.proj", t + "mlp.c_proj", 0)]
    rows += [("lnf.g", "transformer.ln_f.weight", "="), ("lnf.b", "transformer.ln_f.bias", "=")]
    if not c.tied_head:
        rows.append(("lm_head.w", "lm_head.weight", "T"))
        if c.sigma_reparam != "off":
            groups.append(("lm_head", "lm_head", 0))
    return rows, groups


def state_dict_from_checkpoint(tensors, spec_model):
    """Engine checkpoint tensors (param/…, sigma_a/…, sigma_b/…) → state_dict of GPT (float32 tensors)."""
    rows, groups = _mapping(spec_model)
    out = {}

    def get(name):
        if name not in tensors:
            raise KeyError(f'the checkpoint has no tensor "{name}" (a different architecture?)')
        return np.asarray(tensors[name], dtype=np.float32)

    for engine, torch_name, kind in rows:
        a = get("param/" + engine)
        out[torch_name] = torch.from_numpy(np.ascontiguousarray(a.T if kind == "T" else a))
    by_module = {}
    for engine, module, block in groups:
        by_module.setdefault(module, []).append((block, get("param/" + engine + ".gamma").reshape(()),
                                                 get("sigma_a/" + engine), get("sigma_b/" + engine)))
    for module, entries in by_module.items():
        entries.sort(key=lambda e: e[0])
        out[module + ".gamma"] = torch.tensor(np.array([e[1] for e in entries], dtype=np.float32))
        out[module + ".sigma_a"] = torch.from_numpy(np.stack([e[2] for e in entries]))
        out[module + ".sigma_b"] = torch.from_numpy(np.stack([e[3] for e in entries]))
    return out


def checkpoint_from_state_dict(state_dict, config):
    """The inverse: GPT state_dict → engine tensors (param/…, sigma_a/…, sigma_b/…) as numpy float32."""
    rows, groups = _mapping(config)
    sd = {k: v.detach().cpu().float().numpy() for k, v in state_dict.items()}
    out = {}
    for engine, torch_name, kind in rows:
        a = sd[torch_name]
        out["param/" + engine] = np.ascontiguousarray(a.T if kind == "T" else a)
    for engine, module, block in groups:
        out["param/" + engine + ".gamma"] = sd[module + ".gamma"][block:block + 1].copy()
        out["sigma_a/" + engine] = sd[module + ".sigma_a"][block].copy()
        out["sigma_b/" + engine] = sd[module + ".sigma_b"][block].copy()
    return out
