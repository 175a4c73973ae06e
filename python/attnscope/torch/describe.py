"""What the recorder writes into a run's model_json (attnscope.ModelDescription): the facts it finds on the
model being recorded, each absent when it cannot be found — never an engine default. Per kind of model:
transformers models (GPT-2, GPT-NeoX, Llama, Mistral, Qwen2) from their config as the library reads it,
nanoGPT from its GPTConfig, attnscope.torch.GPT from its GPTConfig, anything else only from the captured
maps (layers and heads)."""
import torch

from ..model_description import ModelDescription


def parameter_count(module):
    """Parameters of `module`, a tied weight counted once."""
    seen, n = set(), 0
    for p in module.parameters():
        if id(p) not in seen:
            seen.add(id(p))
            n += p.numel()
    return n


def _dtype(module):
    p = next(module.parameters(), None)
    return str(p.dtype).replace("torch.", "") if p is not None else None


def _tied(a, b):
    return a is not None and b is not None and a.weight is b.weight


def describe_hf(model, geometry):
    c = model.config
    g = geometry
    d = {"family": g.family, "source": "recorder", "layers": g.layers, "heads": g.heads, "kv_heads": g.kv_heads,
         "head_dim": g.head_dim, "d_model": g.d_model, "vocab": getattr(c, "vocab_size", None),
         "parameters": parameter_count(model), "dtype": _dtype(model)}
    name = getattr(c, "_name_or_path", None) or getattr(c, "name_or_path", None)
    if name:
        d["name_or_path"] = str(name)
    if g.family == "gpt2":
        d.update(context=getattr(c, "n_positions", None), position={"scheme": "learned"}, norm="layernorm",
                 mlp="gelu" if str(getattr(c, "activation_function", "")).startswith("gelu") else
                 getattr(c, "activation_function", None), parallel_residual=False)
    else:
        d.update(context=getattr(c, "max_position_embeddings", None),
                 position={"scheme": "rotary", "rotary_fraction": g.rotary_dim / g.head_dim,
                           "rotary_base": g.rotary_base})
        if g.family == "gpt_neox":
            d.update(norm="layernorm", mlp=getattr(c, "hidden_act", None),
                     parallel_residual=bool(getattr(c, "use_parallel_residual", True)))
        else:
            act = getattr(c, "hidden_act", None)
            d.update(norm="rmsnorm", mlp="swiglu" if act == "silu" else (f"gated {act}" if act else None),
                     parallel_residual=False)
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    embed = model.get_input_embeddings() if hasattr(model, "get_input_embeddings") else None
    if head is None:  # the reference implementations (python/tests/hf_families.py) name them as transformers
        head = getattr(model, "lm_head", None) or getattr(model, "embed_out", None)
    if embed is None:
        for path in ("transformer.wte", "gpt_neox.embed_in", "model.embed_tokens"):
            embed = _attribute(model, path) or embed
    if head is not None and embed is not None:
        d["tied_embeddings"] = _tied(head, embed)
    elif head is None and getattr(c, "tie_word_embeddings", None) is not None:
        d["tied_embeddings"] = bool(c.tie_word_embeddings)
    return ModelDescription(d)


def _attribute(module, path):
    for name in path.split("."):
        module = getattr(module, name, None)
        if module is None:
            return None
    return module


def describe_nanogpt(owner, attention_modules):
    """karpathy/nanoGPT's GPT: GPTConfig (n_layer, n_head, n_embd, block_size, vocab_size), learned positions
    (transformer.wpe), LayerNorm, GELU MLP, head tied to wte."""
    c = getattr(owner, "config", None)
    first = attention_modules[0]
    heads = getattr(first, "n_head", None)
    d_model = getattr(first, "n_embd", None)
    d = {"family": "nanogpt", "source": "recorder", "layers": len(attention_modules), "heads": heads,
         "kv_heads": heads, "d_model": d_model, "head_dim": d_model // heads if heads and d_model else None,
         "vocab": getattr(c, "vocab_size", None), "context": getattr(c, "block_size", None),
         "parameters": parameter_count(owner), "dtype": _dtype(owner)}
    transformer = getattr(owner, "transformer", None)
    if transformer is not None and hasattr(transformer, "wpe"):
        d["position"] = {"scheme": "learned"}
    if any(isinstance(m, torch.nn.LayerNorm) or type(m).__name__ == "LayerNorm" for m in owner.modules()):
        d["norm"] = "layernorm"
    wte = getattr(transformer, "wte", None) if transformer is not None else None
    head = getattr(owner, "lm_head", None)
    if wte is not None and head is not None:
        d["tied_embeddings"] = _tied(head, wte)
    return ModelDescription(d)


def describe_attnscope(model):
    c = model.config
    position = {"learned": {"scheme": "learned"}, "sinusoidal": {"scheme": "sinusoidal"}, "none": {"scheme": "none"},
                "alibi": {"scheme": "alibi"},
                "rope": {"scheme": "rotary", "rotary_fraction": 1.0, "rotary_base": c.rope_theta}}[c.position]
    return ModelDescription(family="attnscope", source="recorder", layers=c.layers, heads=c.heads, kv_heads=c.heads,
                            head_dim=c.head_dim if c.d_model % c.heads == 0 else None, d_model=c.d_model,
                            vocab=c.vocab, context=c.context, position=position, norm="layernorm", mlp="gelu",
                            parallel_residual=False, tied_embeddings=c.tied_head, parameters=parameter_count(model),
                            dtype=_dtype(model))


def describe_captured(layers, heads):
    """A model only seen through its captured maps (capture=fn): layers and heads, nothing else."""
    return ModelDescription(family="custom", source="recorder", layers=layers, heads=heads)
