"""Tiny random checkpoints of the GPT-2, GPT-NeoX and Llama families in the Hugging Face layout
(config.json, model.safetensors or a sharded index, tokenizer.json) and an independent PyTorch forward of
each, written from the transformers definitions (GPT2LMHeadModel, GPTNeoXForCausalLM, LlamaForCausalLM /
MistralForCausalLM / Qwen2ForCausalLM) with their state-dict names. No transformers, no downloads: the
safetensors files are written by hand (8-byte header length, JSON header, raw little-endian data)."""
import json
import math
import os
import struct

import numpy as np
import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def write_safetensors(path, tensors, metadata=None):
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.contiguous()
        dtype = {v: k for k, v in DTYPES.items()}[t.dtype]
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


# --- configs and weights -------------------------------------------------------------------------------
def config(family, **kw):
    """A tiny config.json dict of `family` ("gpt2", "gpt_neox", "llama", "mistral", "qwen2")."""
    if family == "gpt2":
        c = {"model_type": "gpt2", "n_embd": 32, "n_head": 4, "n_layer": 2, "n_positions": 64, "vocab_size": 300,
             "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}
    elif family == "gpt_neox":
        c = {"model_type": "gpt_neox", "hidden_size": 32, "num_attention_heads": 4, "num_hidden_layers": 2,
             "intermediate_size": 128, "max_position_embeddings": 64, "vocab_size": 300, "rotary_pct": 0.25,
             "rotary_emb_base": 10000, "use_parallel_residual": True, "layer_norm_eps": 1e-5, "hidden_act": "gelu",
             "tie_word_embeddings": False}
    else:
        c = {"model_type": family, "hidden_size": 32, "num_attention_heads": 4, "num_key_value_heads": 2,
             "num_hidden_layers": 2, "intermediate_size": 64, "max_position_embeddings": 64, "vocab_size": 300,
             "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": False}
    c.update(kw)
    return c


def random_state(c, seed=0):
    g = torch.Generator().manual_seed(seed)

    def r(*shape, std=0.3):
        return torch.randn(*shape, generator=g) * std

    def norm(n):
        return 1 + r(n, std=0.1)

    s, t = {}, c["model_type"]
    if t == "gpt2":
        C, V, F = c["n_embd"], c["vocab_size"], c.get("n_inner") or 4 * c["n_embd"]
        s["transformer.wte.weight"], s["transformer.wpe.weight"] = r(V, C), r(c["n_positions"], C, std=0.1)
        for i in range(c["n_layer"]):
            p = f"transformer.h.{i}."
            s[p + "ln_1.weight"], s[p + "ln_1.bias"] = norm(C), r(C, std=0.1)
            s[p + "attn.c_attn.weight"], s[p + "attn.c_attn.bias"] = r(C, 3 * C), r(3 * C, std=0.1)
            s[p + "attn.c_proj.weight"], s[p + "attn.c_proj.bias"] = r(C, C), r(C, std=0.1)
            s[p + "ln_2.weight"], s[p + "ln_2.bias"] = norm(C), r(C, std=0.1)
            s[p + "mlp.c_fc.weight"], s[p + "mlp.c_fc.bias"] = r(C, F), r(F, std=0.1)
            s[p + "mlp.c_proj.weight"], s[p + "mlp.c_proj.bias"] = r(F, C), r(C, std=0.1)
        s["transformer.ln_f.weight"], s["transformer.ln_f.bias"] = norm(C), r(C, std=0.1)
    elif t == "gpt_neox":
        C, V, F = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
        s["gpt_neox.embed_in.weight"] = r(V, C)
        for i in range(c["num_hidden_layers"]):
            p = f"gpt_neox.layers.{i}."
            for n in ("input_layernorm", "post_attention_layernorm"):
                s[p + n + ".weight"], s[p + n + ".bias"] = norm(C), r(C, std=0.1)
            s[p + "attention.query_key_value.weight"] = r(3 * C, C)
            s[p + "attention.query_key_value.bias"] = r(3 * C, std=0.1)
            s[p + "attention.dense.weight"], s[p + "attention.dense.bias"] = r(C, C), r(C, std=0.1)
            s[p + "mlp.dense_h_to_4h.weight"], s[p + "mlp.dense_h_to_4h.bias"] = r(F, C), r(F, std=0.1)
            s[p + "mlp.dense_4h_to_h.weight"], s[p + "mlp.dense_4h_to_h.bias"] = r(C, F), r(C, std=0.1)
        s["gpt_neox.final_layer_norm.weight"], s["gpt_neox.final_layer_norm.bias"] = norm(C), r(C, std=0.1)
        if not c.get("tie_word_embeddings", False):
            s["embed_out.weight"] = r(V, C)
    else:
        C, V, F, H = c["hidden_size"], c["vocab_size"], c["intermediate_size"], c["num_attention_heads"]
        KV, D = c.get("num_key_value_heads", H), c.get("head_dim", C // H)
        qkv_bias = t == "qwen2" or c.get("attention_bias", False)
        s["model.embed_tokens.weight"] = r(V, C)
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            s[p + "input_layernorm.weight"], s[p + "post_attention_layernorm.weight"] = norm(C), norm(C)
            s[p + "self_attn.q_proj.weight"] = r(H * D, C)
            s[p + "self_attn.k_proj.weight"], s[p + "self_attn.v_proj.weight"] = r(KV * D, C), r(KV * D, C)
            s[p + "self_attn.o_proj.weight"] = r(C, H * D)
            if qkv_bias:
                s[p + "self_attn.q_proj.bias"] = r(H * D, std=0.1)
                s[p + "self_attn.k_proj.bias"], s[p + "self_attn.v_proj.bias"] = r(KV * D, std=0.1), r(KV * D, std=0.1)
            s[p + "mlp.gate_proj.weight"], s[p + "mlp.up_proj.weight"] = r(F, C), r(F, C)
            s[p + "mlp.down_proj.weight"] = r(C, F)
        s["model.norm.weight"] = norm(C)
        if not c.get("tie_word_embeddings", False):
            s["lm_head.weight"] = r(V, C)
    return s


def write_checkpoint(folder, c, state, dtype="F32", shards=1, tokenizer=None):
    """Writes the HF folder; returns the state as stored (rounded to `dtype`), upcast to float32."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(dict(c, torch_dtype={"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]), f)
    stored = {k: v.to(DTYPES[dtype]) for k, v in state.items()}
    names = list(stored)
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), stored, {"format": "pt"})
    else:
        weight_map = {}
        for k in range(shards):
            part = names[k::shards]
            file = f"model-{k + 1:05d}-of-{shards:05d}.safetensors"
            write_safetensors(os.path.join(folder, file), {n: stored[n] for n in part})
            weight_map.update({n: file for n in part})
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f)
    if tokenizer is not None:
        with open(os.path.join(folder, "tokenizer.json"), "w") as f:
            json.dump(tokenizer, f)
    return {k: v.float() for k, v in stored.items()}


# --- forward -------------------------------------------------------------------------------------------
def _rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def _rotary(x, dims, base):
    """Rotate-half rotary on the first `dims` features of x [heads, T, D] (double-precision angles)."""
    if dims == 0:
        return x
    T = x.shape[1]
    inv = 1.0 / (base ** (torch.arange(0, dims, 2, dtype=torch.float64) / dims))
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    emb = torch.cat((ang, ang), dim=-1)
    cos, sin = emb.cos().float(), emb.sin().float()
    r, rest = x[..., :dims], x[..., dims:]
    return torch.cat((r * cos + _rotate_half(r) * sin, rest), dim=-1)


def _attend(q, k, v):
    """q [H,T,D], k/v [H,T,D] (already expanded): maps, content logits (NaN masked), output [T, H·D]."""
    H, T, D = q.shape
    z = q @ k.transpose(1, 2) / math.sqrt(D)
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    a = torch.softmax(z.masked_fill(~mask, float("-inf")), dim=-1)
    return a, z.masked_fill(~mask, float("nan")), (a @ v).transpose(0, 1).reshape(T, H * D)


def _gelu(x, kind):
    if kind in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def forward(c, s, ids):
    """Returns (logits [T, V], maps [L, H, T, T], content logits [L, H, T, T]) in float32."""
    ids = torch.as_tensor(ids)
    t = c["model_type"]
    maps, zs = [], []
    with torch.no_grad():
        if t == "gpt2":
            C, H, eps = c["n_embd"], c["n_head"], c.get("layer_norm_epsilon", 1e-5)
            D = C // H
            x = s["transformer.wte.weight"][ids] + s["transformer.wpe.weight"][: len(ids)]
            for i in range(c["n_layer"]):
                p = f"transformer.h.{i}."
                h = torch.nn.functional.layer_norm(x, (C,), s[p + "ln_1.weight"], s[p + "ln_1.bias"], eps)
                qkv = h @ s[p + "attn.c_attn.weight"] + s[p + "attn.c_attn.bias"]
                q, k, v = (qkv[:, j * C:(j + 1) * C].reshape(-1, H, D).transpose(0, 1) for j in range(3))
                a, z, o = _attend(q, k, v)
                maps.append(a), zs.append(z)
                x = x + o @ s[p + "attn.c_proj.weight"] + s[p + "attn.c_proj.bias"]
                h = torch.nn.functional.layer_norm(x, (C,), s[p + "ln_2.weight"], s[p + "ln_2.bias"], eps)
                m = _gelu(h @ s[p + "mlp.c_fc.weight"] + s[p + "mlp.c_fc.bias"], c.get("activation_function", "gelu_new"))
                x = x + m @ s[p + "mlp.c_proj.weight"] + s[p + "mlp.c_proj.bias"]
            x = torch.nn.functional.layer_norm(x, (C,), s["transformer.ln_f.weight"], s["transformer.ln_f.bias"], eps)
            logits = x @ s.get("lm_head.weight", s["transformer.wte.weight"]).T
        elif t == "gpt_neox":
            C, H, eps = c["hidden_size"], c["num_attention_heads"], c.get("layer_norm_eps", 1e-5)
            D = C // H
            dims = int(D * c.get("rotary_pct", 0.25))
            base = c.get("rotary_emb_base", 10000)
            ln = torch.nn.functional.layer_norm
            x = s["gpt_neox.embed_in.weight"][ids]
            for i in range(c["num_hidden_layers"]):
                p = f"gpt_neox.layers.{i}."
                h = ln(x, (C,), s[p + "input_layernorm.weight"], s[p + "input_layernorm.bias"], eps)
                qkv = h @ s[p + "attention.query_key_value.weight"].T + s[p + "attention.query_key_value.bias"]
                qkv = qkv.reshape(-1, H, 3 * D).transpose(0, 1)  # [H, T, 3D]: per head q | k | v
                q, k, v = qkv[..., :D], qkv[..., D:2 * D], qkv[..., 2 * D:]
                q, k = _rotary(q, dims, base), _rotary(k, dims, base)
                a, z, o = _attend(q, k, v)
                maps.append(a), zs.append(z)
                attn = o @ s[p + "attention.dense.weight"].T + s[p + "attention.dense.bias"]

                def mlp(u):
                    u = _gelu(u @ s[p + "mlp.dense_h_to_4h.weight"].T + s[p + "mlp.dense_h_to_4h.bias"], c.get("hidden_act", "gelu"))
                    return u @ s[p + "mlp.dense_4h_to_h.weight"].T + s[p + "mlp.dense_4h_to_h.bias"]
                if c.get("use_parallel_residual", True):
                    x = x + attn + mlp(ln(x, (C,), s[p + "post_attention_layernorm.weight"], s[p + "post_attention_layernorm.bias"], eps))
                else:
                    x = x + attn
                    x = x + mlp(ln(x, (C,), s[p + "post_attention_layernorm.weight"], s[p + "post_attention_layernorm.bias"], eps))
            x = ln(x, (C,), s["gpt_neox.final_layer_norm.weight"], s["gpt_neox.final_layer_norm.bias"], eps)
            logits = x @ s.get("embed_out.weight", s["gpt_neox.embed_in.weight"]).T
        else:
            C, H = c["hidden_size"], c["num_attention_heads"]
            KV, D = c.get("num_key_value_heads", H), c.get("head_dim", C // H)
            eps, base = c.get("rms_norm_eps", 1e-6), c.get("rope_theta", 10000.0)

            def rms(u, w):
                return w * (u * torch.rsqrt(u.pow(2).mean(-1, keepdim=True) + eps))
            x = s["model.embed_tokens.weight"][ids]
            for i in range(c["num_hidden_layers"]):
                p = f"model.layers.{i}.self_attn."
                h = rms(x, s[f"model.layers.{i}.input_layernorm.weight"])

                def proj(n):
                    return h @ s[p + n + ".weight"].T + (s[p + n + ".bias"] if p + n + ".bias" in s else 0)
                q = proj("q_proj").reshape(-1, H, D).transpose(0, 1)
                k = proj("k_proj").reshape(-1, KV, D).transpose(0, 1)
                v = proj("v_proj").reshape(-1, KV, D).transpose(0, 1)
                q, k = _rotary(q, D, base), _rotary(k, D, base)
                k, v = k.repeat_interleave(H // KV, dim=0), v.repeat_interleave(H // KV, dim=0)
                a, z, o = _attend(q, k, v)
                maps.append(a), zs.append(z)
                x = x + o @ s[p + "o_proj.weight"].T
                h = rms(x, s[f"model.layers.{i}.post_attention_layernorm.weight"])
                m = f"model.layers.{i}.mlp."
                g = h @ s[m + "gate_proj.weight"].T
                x = x + ((g * torch.sigmoid(g)) * (h @ s[m + "up_proj.weight"].T)) @ s[m + "down_proj.weight"].T
            x = rms(x, s["model.norm.weight"])
            logits = x @ s.get("lm_head.weight", s["model.embed_tokens.weight"]).T
    return logits, torch.stack(maps), torch.stack(zs)


def probe_loss(logits, ids):
    ids = torch.as_tensor(ids)
    return float(torch.nn.functional.cross_entropy(logits[:-1].double(), ids[1:]))
