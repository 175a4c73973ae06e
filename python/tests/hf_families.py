"""Independent PyTorch reference implementations of the GPT-2, GPT-NeoX (Pythia) and Llama-family (Llama,
Mistral, Qwen2) causal language models, and a writer of tiny random checkpoints in the Hugging Face folder
layout (config.json, model.safetensors or a sharded index, tokenizer.json).

Module attribute names, class names and state-dict keys equal those of the transformers library
(models/gpt2, gpt_neox, llama, mistral, qwen2), so code written against transformers' module structure (the
attnscope Recorder's capture, the engine's checkpoint loader) can be tested here without transformers
installed. The arithmetic is written out from the papers and the published model definitions:
GPT-2 (Radford et al. 2019: pre-LayerNorm blocks, learned positions, Conv1D projections whose weights are
[in, out], tanh-approximated GELU, head tied to the token embedding); GPT-NeoX (Black et al. 2022: fused
query_key_value laid out per head as [q | k | v], rotary embedding on the first `rotary_pct` of each head's
dimensions, parallel residual x + attn(ln1 x) + mlp(ln2 x), untied head); Llama (Touvron et al. 2023:
RMSNorm, SwiGLU, rotary on full heads with rotate_half, grouped-query attention), Mistral (Llama with a
sliding-window mask) and Qwen2 (Llama with biases on q, k, v).

Every model's forward(input_ids, output_attentions=True) returns .logits [B, T, V] and .attentions (per layer
[B, H, T, T], one map per query head)."""
import json
import math
import os
import re

import numpy as np
import torch
from torch import nn

from attnscope import safetensors

TRANSFORMERS_VERSION = "4.46.3"  # the version string written into config.json, as save_pretrained does


class Config:
    """config.json as attributes (transformers' PretrainedConfig reads the same keys)."""

    def __init__(self, values):
        self.__dict__.update(values)

    def to_dict(self):
        return dict(self.__dict__)


class Output:
    def __init__(self, logits, attentions):
        self.logits, self.attentions = logits, attentions

    def __getitem__(self, key):
        return getattr(self, key)


def _act(name):
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "gelu":
        return lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name == "silu":
        return lambda x: x * torch.sigmoid(x)
    if name == "relu":
        return torch.relu
    raise ValueError(f"activation {name!r} is not implemented here")


def _causal(T, device, window=None):
    i = torch.arange(T, device=device)[:, None]
    j = torch.arange(T, device=device)[None, :]
    mask = j <= i
    if window is not None:
        mask = mask & (i - j < window)
    return mask


def _attend(q, k, v, scale, mask):
    """q [B, H, T, D], k/v [B, H, T, D] → (output [B, T, H·D], probabilities [B, H, T, T]); softmax in fp32."""
    w = torch.matmul(q, k.transpose(-1, -2)) * scale
    w = w.masked_fill(~mask, torch.finfo(w.dtype).min)
    p = torch.softmax(w.float(), dim=-1).to(q.dtype)
    out = torch.matmul(p, v)
    B, H, T, D = out.shape
    return out.transpose(1, 2).reshape(B, T, H * D), p


# --- GPT-2 -------------------------------------------------------------------------------------------------
class Conv1D(nn.Module):
    """A linear layer whose weight is stored [in, out] (the original GPT-2 TensorFlow layout)."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.size(-1)), self.weight).view(*x.shape[:-1], self.nf)


class GPT2Attention(nn.Module):
    def __init__(self, config, layer_idx=None):
        super().__init__()
        self.embed_dim = config.n_embd
        self.num_heads = config.n_head
        self.head_dim = self.embed_dim // self.num_heads
        self.split_size = self.embed_dim
        self.scale_attn_weights = getattr(config, "scale_attn_weights", True)
        self.scale_attn_by_inverse_layer_idx = getattr(config, "scale_attn_by_inverse_layer_idx", False)
        self.layer_idx = layer_idx
        self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)
        self.c_proj = Conv1D(self.embed_dim, self.embed_dim)
        self.attn_dropout = nn.Dropout(config.attn_pdrop)
        self.resid_dropout = nn.Dropout(config.resid_pdrop)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(self.split_size, dim=2)
        heads = lambda t: t.view(B, T, self.num_heads, self.head_dim).transpose(1, 2)  # noqa: E731
        scale = 1.0 / math.sqrt(self.head_dim) if self.scale_attn_weights else 1.0
        if self.scale_attn_by_inverse_layer_idx:
            scale /= float(self.layer_idx + 1)
        out, p = _attend(heads(q), heads(k), heads(v), scale, _causal(T, x.device))
        return self.resid_dropout(self.c_proj(out)), p


class GPT2MLP(nn.Module):
    def __init__(self, inner, config):
        super().__init__()
        self.c_fc = Conv1D(inner, config.n_embd)
        self.c_proj = Conv1D(config.n_embd, inner)
        self.act = _act(config.activation_function)
        self.dropout = nn.Dropout(config.resid_pdrop)

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class GPT2Block(nn.Module):
    def __init__(self, config, layer_idx=None):
        super().__init__()
        inner = config.n_inner if getattr(config, "n_inner", None) is not None else 4 * config.n_embd
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.attn = GPT2Attention(config, layer_idx)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.mlp = GPT2MLP(inner, config)

    def forward(self, x):
        a, p = self.attn(self.ln_1(x))
        x = x + a
        return x + self.mlp(self.ln_2(x)), p


class GPT2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.n_positions, config.n_embd)
        self.drop = nn.Dropout(config.embd_pdrop)
        self.h = nn.ModuleList([GPT2Block(config, i) for i in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)

    def forward(self, input_ids):
        T = input_ids.shape[1]
        x = self.drop(self.wte(input_ids) + self.wpe(torch.arange(T, device=input_ids.device))[None])
        maps = []
        for block in self.h:
            x, p = block(x)
            maps.append(p)
        return self.ln_f(x), tuple(maps)


class GPT2LMHeadModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = GPT2Model(config)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        if getattr(config, "tie_word_embeddings", True):
            self.lm_head.weight = self.transformer.wte.weight

    def forward(self, input_ids, output_attentions=False, **_):
        h, maps = self.transformer(input_ids)
        return Output(self.lm_head(h), maps if output_attentions else None)


# --- GPT-NeoX ----------------------------------------------------------------------------------------------
def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rotary_cos_sin(rotary_dim, base, T, device, dtype):
    """cos, sin [T, rotary_dim] of the rotary embedding (Su et al. 2021) in the rotate_half layout: frequency
    i pairs dimension i with i + rotary_dim/2."""
    inv_freq = 1.0 / (base ** (torch.arange(0, rotary_dim, 2, dtype=torch.int64).float().to(device) / rotary_dim))
    freqs = torch.outer(torch.arange(T, device=device).float(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def apply_rotary(x, cos, sin):
    """Rotates the first cos.shape[-1] dimensions of x [B, H, T, D]; the rest pass unchanged."""
    r = cos.shape[-1]
    x_rot, x_pass = x[..., :r], x[..., r:]
    return torch.cat((x_rot * cos + rotate_half(x_rot) * sin, x_pass), dim=-1)


def _neox_rotary(config):
    fraction = getattr(config, "rotary_pct", getattr(config, "partial_rotary_factor", 1.0))
    base = getattr(config, "rotary_emb_base", getattr(config, "rope_theta", 10000.0))
    return fraction, base


class GPTNeoXAttention(nn.Module):
    def __init__(self, config, layer_idx=None):
        super().__init__()
        self.config = config
        self.num_attention_heads = config.num_attention_heads
        self.head_size = config.hidden_size // config.num_attention_heads
        fraction, self.rotary_base = _neox_rotary(config)
        self.rotary_ndims = int(self.head_size * fraction)
        self.scaling = self.head_size ** -0.5
        self.layer_idx = layer_idx
        bias = getattr(config, "attention_bias", True)
        self.query_key_value = nn.Linear(config.hidden_size, 3 * config.hidden_size, bias=bias)
        self.dense = nn.Linear(config.hidden_size, config.hidden_size, bias=bias)

    def forward(self, x):
        B, T, C = x.shape
        qkv = self.query_key_value(x).view(B, T, self.num_attention_heads, 3 * self.head_size).transpose(1, 2)
        q, k, v = qkv.chunk(3, dim=-1)
        cos, sin = rotary_cos_sin(self.rotary_ndims, self.rotary_base, T, x.device, q.dtype)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        out, p = _attend(q, k, v, self.scaling, _causal(T, x.device))
        return self.dense(out), p


class GPTNeoXMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense_h_to_4h = nn.Linear(config.hidden_size, config.intermediate_size)
        self.dense_4h_to_h = nn.Linear(config.intermediate_size, config.hidden_size)
        self.act = _act(config.hidden_act)

    def forward(self, x):
        return self.dense_4h_to_h(self.act(self.dense_h_to_4h(x)))


class GPTNeoXLayer(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.use_parallel_residual = config.use_parallel_residual
        self.input_layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.post_attention_layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.post_attention_dropout = nn.Dropout(getattr(config, "hidden_dropout", 0.0))
        self.post_mlp_dropout = nn.Dropout(getattr(config, "hidden_dropout", 0.0))
        self.attention = GPTNeoXAttention(config, layer_idx)
        self.mlp = GPTNeoXMLP(config)

    def forward(self, x):
        a, p = self.attention(self.input_layernorm(x))
        a = self.post_attention_dropout(a)
        if self.use_parallel_residual:
            return x + a + self.post_mlp_dropout(self.mlp(self.post_attention_layernorm(x))), p
        x = x + a
        return x + self.post_mlp_dropout(self.mlp(self.post_attention_layernorm(x))), p


class GPTNeoXModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed_in = nn.Embedding(config.vocab_size, config.hidden_size)
        self.emb_dropout = nn.Dropout(getattr(config, "hidden_dropout", 0.0))
        self.layers = nn.ModuleList([GPTNeoXLayer(config, i) for i in range(config.num_hidden_layers)])
        self.final_layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, input_ids):
        x = self.emb_dropout(self.embed_in(input_ids))
        maps = []
        for layer in self.layers:
            x, p = layer(x)
            maps.append(p)
        return self.final_layer_norm(x), tuple(maps)


class GPTNeoXForCausalLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.gpt_neox = GPTNeoXModel(config)
        self.embed_out = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        if getattr(config, "tie_word_embeddings", False):
            self.embed_out.weight = self.gpt_neox.embed_in.weight

    def forward(self, input_ids, output_attentions=False, **_):
        h, maps = self.gpt_neox(input_ids)
        return Output(self.embed_out(h), maps if output_attentions else None)


# --- Llama family ------------------------------------------------------------------------------------------
class LlamaRMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, x):
        dtype = x.dtype
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.variance_epsilon)
        return self.weight * h.to(dtype)


class LlamaMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        bias = getattr(config, "mlp_bias", False)
        self.gate_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=bias)
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=bias)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=bias)
        self.act_fn = _act(config.hidden_act)

    def forward(self, x):
        return self.down_proj(self.act_fn(self.gate_proj(x)) * self.up_proj(x))


def llama_head_dim(config):
    return getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads


class LlamaAttention(nn.Module):
    qkv_bias_default = False

    def __init__(self, config, layer_idx):
        super().__init__()
        self.config = config
        self.layer_idx = layer_idx
        self.head_dim = llama_head_dim(config)
        self.num_heads = config.num_attention_heads
        self.num_key_value_heads = getattr(config, "num_key_value_heads", None) or self.num_heads
        self.num_key_value_groups = self.num_heads // self.num_key_value_heads
        self.scaling = self.head_dim ** -0.5
        qkv_bias = getattr(config, "attention_bias", self.qkv_bias_default)
        o_bias = getattr(config, "attention_bias", False) and type(self).qkv_bias_default is False
        C, D = config.hidden_size, self.head_dim
        self.q_proj = nn.Linear(C, self.num_heads * D, bias=qkv_bias)
        self.k_proj = nn.Linear(C, self.num_key_value_heads * D, bias=qkv_bias)
        self.v_proj = nn.Linear(C, self.num_key_value_heads * D, bias=qkv_bias)
        self.o_proj = nn.Linear(self.num_heads * D, C, bias=o_bias)

    def window(self):
        return None

    def forward(self, x):
        B, T, _ = x.shape
        D = self.head_dim
        q = self.q_proj(x).view(B, T, -1, D).transpose(1, 2)
        k = self.k_proj(x).view(B, T, -1, D).transpose(1, 2)
        v = self.v_proj(x).view(B, T, -1, D).transpose(1, 2)
        fraction = getattr(self.config, "partial_rotary_factor", 1.0)
        cos, sin = rotary_cos_sin(int(D * fraction), getattr(self.config, "rope_theta", 10000.0), T, x.device, q.dtype)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        k = k.repeat_interleave(self.num_key_value_groups, dim=1)  # query head h reads key head h // groups
        v = v.repeat_interleave(self.num_key_value_groups, dim=1)
        out, p = _attend(q, k, v, self.scaling, _causal(T, x.device, self.window()))
        return self.o_proj(out), p


class MistralAttention(LlamaAttention):
    def window(self):
        return getattr(self.config, "sliding_window", None)


class Qwen2Attention(LlamaAttention):
    qkv_bias_default = True

    def window(self):
        c = self.config
        if getattr(c, "use_sliding_window", False) and self.layer_idx >= getattr(c, "max_window_layers", 0):
            return getattr(c, "sliding_window", None)
        return None


def _family_classes(prefix, attention):
    """The decoder layer, base model and causal-LM classes of one Llama-family model, named as transformers
    names them (LlamaDecoderLayer, LlamaModel, LlamaForCausalLM, ...)."""

    def layer_init(self, config, layer_idx):
        nn.Module.__init__(self)
        self.hidden_size = config.hidden_size
        self.self_attn = attention(config, layer_idx)
        self.mlp = LlamaMLP(config)
        self.input_layernorm = LlamaRMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.post_attention_layernorm = LlamaRMSNorm(config.hidden_size, eps=config.rms_norm_eps)

    def layer_forward(self, x):
        a, p = self.self_attn(self.input_layernorm(x))
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), p

    def model_init(self, config):
        nn.Module.__init__(self)
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList([layer_cls(config, i) for i in range(config.num_hidden_layers)])
        self.norm = LlamaRMSNorm(config.hidden_size, eps=config.rms_norm_eps)

    def model_forward(self, input_ids):
        x = self.embed_tokens(input_ids)
        maps = []
        for layer in self.layers:
            x, p = layer(x)
            maps.append(p)
        return self.norm(x), tuple(maps)

    def lm_init(self, config):
        nn.Module.__init__(self)
        self.config = config
        self.model = model_cls(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        if getattr(config, "tie_word_embeddings", False):
            self.lm_head.weight = self.model.embed_tokens.weight

    def lm_forward(self, input_ids, output_attentions=False, **_):
        h, maps = self.model(input_ids)
        return Output(self.lm_head(h), maps if output_attentions else None)

    layer_cls = type(prefix + "DecoderLayer", (nn.Module,), {"__init__": layer_init, "forward": layer_forward})
    model_cls = type(prefix + "Model", (nn.Module,), {"__init__": model_init, "forward": model_forward})
    lm_cls = type(prefix + "ForCausalLM", (nn.Module,), {"__init__": lm_init, "forward": lm_forward})
    for cls in (layer_cls, model_cls, lm_cls):
        cls.__module__ = __name__
    return layer_cls, model_cls, lm_cls


LlamaDecoderLayer, LlamaModel, LlamaForCausalLM = _family_classes("Llama", LlamaAttention)
MistralDecoderLayer, MistralModel, MistralForCausalLM = _family_classes("Mistral", MistralAttention)
Qwen2DecoderLayer, Qwen2Model, Qwen2ForCausalLM = _family_classes("Qwen2", Qwen2Attention)

CAUSAL_LM = {"gpt2": GPT2LMHeadModel, "gpt_neox": GPTNeoXForCausalLM, "llama": LlamaForCausalLM,
             "mistral": MistralForCausalLM, "qwen2": Qwen2ForCausalLM}
FAMILIES = tuple(CAUSAL_LM)


# --- configurations as transformers writes them -----------------------------------------------------------
def tiny_config(family, layers=2, heads=4, kv_heads=None, d_model=32, vocab=300, context=64, **overrides):
    """A config.json dict of a tiny model of `family` with the keys transformers' save_pretrained writes."""
    kv = kv_heads or heads
    base = {"torch_dtype": "float32", "transformers_version": TRANSFORMERS_VERSION, "use_cache": True}
    if family == "gpt2":
        c = {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
             "bos_token_id": vocab - 1, "embd_pdrop": 0.1, "eos_token_id": vocab - 1, "initializer_range": 0.02,
             "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": context, "n_embd": d_model,
             "n_head": heads, "n_inner": None, "n_layer": layers, "n_positions": context,
             "reorder_and_upcast_attn": False, "resid_pdrop": 0.1, "scale_attn_by_inverse_layer_idx": False,
             "scale_attn_weights": True, "summary_activation": None, "summary_first_dropout": 0.1,
             "summary_proj_to_labels": True, "summary_type": "cls_index", "summary_use_proj": True,
             "vocab_size": vocab}
    elif family == "gpt_neox":
        c = {"architectures": ["GPTNeoXForCausalLM"], "attention_bias": True, "attention_dropout": 0.0,
             "bos_token_id": 0, "classifier_dropout": 0.1, "eos_token_id": 0, "hidden_act": "gelu",
             "hidden_dropout": 0.0, "hidden_size": d_model, "initializer_range": 0.02,
             "intermediate_size": 4 * d_model, "layer_norm_eps": 1e-05, "max_position_embeddings": context,
             "model_type": "gpt_neox", "num_attention_heads": heads, "num_hidden_layers": layers,
             "partial_rotary_factor": 0.25, "rope_scaling": None, "rope_theta": 10000, "rotary_emb_base": 10000,
             "rotary_pct": 0.25, "tie_word_embeddings": False, "use_parallel_residual": True, "vocab_size": vocab}
    elif family in ("llama", "mistral", "qwen2"):
        arch = {"llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM", "qwen2": "Qwen2ForCausalLM"}[family]
        c = {"architectures": [arch], "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
             "head_dim": d_model // heads, "hidden_act": "silu", "hidden_size": d_model, "initializer_range": 0.02,
             "intermediate_size": 3 * d_model, "max_position_embeddings": context, "model_type": family,
             "num_attention_heads": heads, "num_hidden_layers": layers, "num_key_value_heads": kv,
             "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 10000.0, "tie_word_embeddings": False,
             "vocab_size": vocab}
        if family == "llama":
            c.update({"attention_bias": False, "mlp_bias": False, "pretraining_tp": 1})
        elif family == "mistral":
            c.update({"sliding_window": 4096})
        else:
            c.update({"use_sliding_window": False, "sliding_window": 4096, "max_window_layers": layers,
                      "rope_theta": 1000000.0})
    else:
        raise ValueError(f"unknown family {family!r}; known: {FAMILIES}")
    c.update(base)
    c.update(overrides)
    return dict(sorted(c.items()))


def build(config, seed=0):
    """A randomly initialised model of config["model_type"] (a dict or Config). Weights N(0, 0.02), biases
    N(0, 0.02) and norm gains 1 + N(0, 0.1), so that biases and gains matter in every comparison."""
    config = config if isinstance(config, Config) else Config(config)
    model = CAUSAL_LM[config.model_type](config)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():  # tied parameters appear once
            if name.endswith(".weight") and p.dim() == 1:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
    return model.eval()


# --- Hugging Face checkpoint folders -----------------------------------------------------------------------
def _tensor_for_file(t, dtype):
    """A numpy array, or safetensors.Raw for bfloat16, of a floating-point tensor stored as `dtype` (other
    tensors — a boolean mask buffer — as they are)."""
    t = t.detach().cpu().contiguous()
    if not t.is_floating_point():
        return t.numpy()
    if dtype == "float32":
        return t.float().numpy()
    if dtype == "float16":
        return t.half().numpy()
    if dtype == "bfloat16":
        return safetensors.Raw("BF16", list(t.shape), t.bfloat16().view(torch.int16).numpy().tobytes())
    raise ValueError(f"dtype {dtype!r}: use float32, float16 or bfloat16")


def checkpoint_state(model, hub_style=False):
    """The tensors save_pretrained writes: the state dict without a tied head's copy. hub_style: as older
    files on the hub store them, with buffers loaders must ignore — GPT-2 with GPT2Model's keys (no
    "transformer." prefix) plus attn.bias / attn.masked_bias; GPT-NeoX (Pythia) plus attention.bias,
    attention.masked_bias and attention.rotary_emb.inv_freq."""
    state = dict(model.state_dict())
    if getattr(model.config, "tie_word_embeddings", model.config.model_type == "gpt2"):
        for head in ("lm_head.weight", "embed_out.weight"):
            state.pop(head, None)
    if not hub_style:
        return state
    c = model.config
    if c.model_type == "gpt2":
        state = {k[len("transformer."):]: v for k, v in state.items() if k.startswith("transformer.")}
        n = c.n_positions
        for i in range(c.n_layer):
            state[f"h.{i}.attn.bias"] = torch.tril(torch.ones(n, n)).view(1, 1, n, n)
            state[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    elif c.model_type == "gpt_neox":
        n = c.max_position_embeddings
        for i, layer in enumerate(model.gpt_neox.layers):
            a = layer.attention
            state[f"gpt_neox.layers.{i}.attention.bias"] = torch.tril(torch.ones(n, n, dtype=torch.bool)).view(1, 1, n, n)
            state[f"gpt_neox.layers.{i}.attention.masked_bias"] = torch.tensor(-1e9)
            state[f"gpt_neox.layers.{i}.attention.rotary_emb.inv_freq"] = 1.0 / (
                a.rotary_base ** (torch.arange(0, a.rotary_ndims, 2).float() / a.rotary_ndims))
    else:
        raise ValueError("hub_style is the layout of older GPT-2 and GPT-NeoX files")
    return state


def write_checkpoint(folder, model, dtype="float32", shards=1, tokenizer=None, hub_style=False):
    """Writes `model` as a Hugging Face folder: config.json, model.safetensors (or `shards` files
    model-0000i-of-0000n.safetensors with model.safetensors.index.json), and tokenizer.json when
    `tokenizer` (a dict from bpe_tokenizer_json / sentencepiece_tokenizer_json) is given. Returns folder."""
    os.makedirs(folder, exist_ok=True)
    config = model.config.to_dict()
    config["torch_dtype"] = dtype
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(dict(sorted(config.items())), f, indent=2)
        f.write("\n")
    state = checkpoint_state(model, hub_style)
    names = list(state)
    meta = {"format": "pt"}
    if shards <= 1:
        tensors = {n: _tensor_for_file(state[n], dtype) for n in names}
        with open(os.path.join(folder, "model.safetensors"), "wb") as f:
            f.write(safetensors.dumps(tensors, meta))
    else:
        weight_map, total = {}, 0
        for i, part in enumerate(np.array_split(np.arange(len(names)), shards)):
            file = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
            tensors = {names[j]: _tensor_for_file(state[names[j]], dtype) for j in part}
            for name, t in tensors.items():
                weight_map[name] = file
                total += t.nbytes
            with open(os.path.join(folder, file), "wb") as f:
                f.write(safetensors.dumps(tensors, meta))
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
    if tokenizer is not None:
        with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(tokenizer, f, indent=2, ensure_ascii=False)
    return folder


def load_checkpoint(folder, dtype=torch.float32):
    """The model a folder written by write_checkpoint holds (weights converted to `dtype`), for tests."""
    with open(os.path.join(folder, "config.json")) as f:
        config = Config(json.load(f))
    model = CAUSAL_LM[config.model_type](config)
    files = ["model.safetensors"]
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    state = {}
    for file in files:
        with open(os.path.join(folder, file), "rb") as f:
            tensors, _ = safetensors.loads(f.read())
        for name, a in tensors.items():
            if isinstance(a, safetensors.Raw):  # bfloat16: its bits, viewed as torch's bfloat16
                state[name] = torch.from_numpy(a.bits().view(np.int16).copy()).view(torch.bfloat16)
            else:
                state[name] = torch.from_numpy(np.array(a))
    model.load_state_dict({k: v.to(dtype) for k, v in state.items()}, strict=False)
    return model.to(dtype).eval()


# --- tokenizer.json ---------------------------------------------------------------------------------------
def bytes_to_unicode():
    """GPT-2's byte-level alphabet: printable bytes stand for themselves, the others are shifted to 256 + n,
    so every byte is a visible character (in this order, which is also the order of the first 256 ids)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def learn_merges(words, merges):
    """Byte-pair encoding (Sennrich et al. 2016): `merges` times, merge the most frequent adjacent pair of
    symbols (ties: the pair first seen) over `words` (lists of symbols). Returns the merges in rank order."""
    words = [list(w) for w in words if w]
    out = []
    for _ in range(merges):
        counts = {}
        for w in words:
            for a, b in zip(w, w[1:]):
                counts[(a, b)] = counts.get((a, b), 0) + 1
        if not counts:
            break
        pair = max(counts, key=counts.get)
        out.append(pair)
        for w in words:
            i = 0
            while i < len(w) - 1:
                if (w[i], w[i + 1]) == pair:
                    w[i:i + 2] = [w[i] + w[i + 1]]
                i += 1
    return out


_SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")


def bpe_tokenizer_json(corpus, merges=40, specials=("<|endoftext|>",), specials_first=False, merges_as_lists=False):
    """A byte-level BPE tokenizer.json (GPT-2 with its end-of-text token last; GPT-NeoX/Pythia with
    specials_first=True, "<|endoftext|>" id 0 and "<|padding|>" id 1): 256 byte symbols, then `merges` merges
    learned on `corpus`. merges_as_lists writes merges as [a, b] pairs (tokenizers ≥ 0.20) instead of "a b"."""
    b2u = bytes_to_unicode()
    words = [[b2u[b] for b in m.encode("utf-8")] for m in _SPLIT.findall(corpus)]
    learned = learn_merges(words, merges)
    pieces = list(b2u.values()) + ["".join(p) for p in learned]
    specials = list(specials)
    ordered = specials + pieces if specials_first else pieces + specials
    vocab = {}
    for piece in ordered:
        vocab.setdefault(piece, len(vocab))
    added = [{"id": vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for s in specials]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": byte_level, "post_processor": dict(byte_level), "decoder": dict(byte_level),
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": vocab,
                      "merges": [list(p) if merges_as_lists else f"{p[0]} {p[1]}" for p in learned]}}


def sentencepiece_tokenizer_json(corpus, merges=40):
    """A Llama-style tokenizer.json: SentencePiece BPE with byte fallback. <unk> 0, <s> 1, </s> 2, the byte
    pieces <0x00>…<0xFF> 3–258, the characters of `corpus`, then `merges` merges learned on its words; spaces
    become "▁" and a "▁" is prepended (normalizer), unknown characters fall back to their UTF-8 bytes."""
    text = "▁" + corpus.replace(" ", "▁")
    words = [list(w) for w in re.findall(r"▁[^▁]*|[^▁]+", text)]
    learned = learn_merges(words, merges)
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for ch in sorted(set(text)):
        vocab.setdefault(ch, len(vocab))
    for a, b in learned:
        vocab.setdefault(a + b, len(vocab))
    added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for i, s in enumerate(("<unk>", "<s>", "</s>"))]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
                                                                {"type": "Replace", "pattern": {"String": " "},
                                                                 "content": "▁"}]},
            "pre_tokenizer": None,
            "post_processor": {"type": "TemplateProcessing",
                               "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                          {"Sequence": {"id": "A", "type_id": 0}}],
                               "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                        {"Sequence": {"id": "A", "type_id": 0}},
                                        {"SpecialToken": {"id": "<s>", "type_id": 1}},
                                        {"Sequence": {"id": "B", "type_id": 1}}],
                               "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
                {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                      "vocab": vocab, "merges": [f"{a} {b}" for a, b in learned]}}


def tiny_checkpoint(folder, family, dtype="float32", shards=1, seed=0, corpus=None, **config):
    """One call for tests: a random tiny model of `family` with a matching tokenizer.json written to
    `folder`. The vocabulary is the tokenizer's (config's vocab is set from it). Returns the model (fp32)."""
    corpus = corpus or ("the cat sat on the mat. the dog sat on the log. "
                        "a cat and a dog met on the mat: naïve café ünïcode ✓\n")
    if family in ("gpt2", "gpt_neox"):
        tok = bpe_tokenizer_json(corpus, specials=("<|endoftext|>", "<|padding|>") if family == "gpt_neox"
                                 else ("<|endoftext|>",), specials_first=family == "gpt_neox")
    else:
        tok = sentencepiece_tokenizer_json(corpus)
    config.setdefault("vocab", len(tok["model"]["vocab"]))
    model = build(tiny_config(family, **config), seed=seed)
    write_checkpoint(folder, model, dtype=dtype, shards=shards, tokenizer=tok)
    return model
