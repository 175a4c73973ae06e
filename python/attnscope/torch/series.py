"""A run from a series of checkpoints: one snapshot per checkpoint at its training step, so the app's
timeline replays how a model's attention changed over its training — e.g. Pythia's published revisions
step1000 … step143000 — for models only PyTorch can run.

    from attnscope.torch import record_checkpoints
    model = transformers.AutoModelForCausalLM.from_pretrained("pythia-160m/step1000")
    record_checkpoints("pythia.attnrun", model, ["pythia-160m/step1000", "pythia-160m/step143000"],
                       probe=ids, tokenizer="pythia-160m/step143000")

Each checkpoint is a Hugging Face folder (model.safetensors or a sharded model.safetensors.index.json;
read here without the safetensors package) or a state dict, loaded into `model` in turn; steps come from
`steps` or the folder names (step1000, checkpoint-1000, global_step1000)."""
import json
import os
import re

import numpy as np
import torch

from .. import safetensors
from .recorder import Recorder

_STEP = re.compile(r"(?:^|[^a-z])(?:global_step|step|checkpoint)[-_]?(\d+)$", re.IGNORECASE)


def step_of(name):
    """The training step a checkpoint folder's name states (step1000, checkpoint-1000, global_step1000,
    also as the last part of a path), or None."""
    m = _STEP.search(os.path.basename(os.path.normpath(os.fspath(name))))
    return int(m.group(1)) if m else None


def _to_torch(value):
    if isinstance(value, safetensors.Raw):
        if value.dtype != "BF16":
            raise ValueError(f"{value.dtype} weights cannot be loaded into PyTorch here")
        return torch.from_numpy(value.bits().view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(np.array(value))


def load_state(folder):
    """The tensors of a Hugging Face checkpoint folder (model.safetensors, or the shards its index names)."""
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    elif os.path.exists(os.path.join(folder, "model.safetensors")):
        files = ["model.safetensors"]
    else:
        raise FileNotFoundError(f"{folder} holds no model.safetensors or model.safetensors.index.json")
    state = {}
    for file in files:
        tensors, _ = safetensors.load_file(os.path.join(folder, file))
        state.update({name: _to_torch(t) for name, t in tensors.items()})
    return state


def _load_into(model, state, where):
    """Loads `state` into `model`: every parameter must be present (a tied head may be missing), keys may
    lack the base-model prefix (the original GPT-2 files), legacy buffers (attn.bias) are ignored."""
    own = model.state_dict()
    if not set(state) & set(own):  # keys without "transformer." / "model." / "gpt_neox."
        for prefix in {k.split(".", 1)[0] + "." for k in own}:
            renamed = {prefix + k: v for k, v in state.items()}
            if set(renamed) & set(own):
                state = renamed
                break
    state = {k: v for k, v in state.items() if k in own}
    missing = [k for k in own if k not in state and not _tied_copy(model, k)]
    if missing:
        raise ValueError(f"{where} lacks {len(missing)} of the model's tensors (e.g. {missing[0]}): is it a "
                         "checkpoint of this architecture?")
    for k, v in state.items():
        if tuple(v.shape) != tuple(own[k].shape):
            raise ValueError(f"{where}: {k} has shape {tuple(v.shape)}, the model {tuple(own[k].shape)}")
    model.load_state_dict(state, strict=False)


def _tied_copy(model, key):
    """Whether `key` names a parameter that shares its storage with another one (a tied head)."""
    owners = {}
    for prefix, module in model.named_modules():
        for name, p in module._parameters.items():
            if p is not None:
                owners.setdefault(id(p), []).append(f"{prefix}.{name}" if prefix else name)
    return any(key in names and len(names) > 1 for names in owners.values())


def probe_loss(logits, tokens):
    """Mean cross-entropy of logits [T, V] predicting tokens[1:] (nats), or None without logits."""
    if logits is None or len(tokens) < 2:
        return None
    z = logits[:-1].astype(np.float64)
    m = z.max(-1, keepdims=True)
    log_z = m[:, 0] + np.log(np.exp(z - m).sum(-1))
    return float((log_z - z[np.arange(len(z)), tokens[1:]]).mean())


def record_checkpoints(path, model, checkpoints, probe, steps=None, **recorder_options):
    """Writes one run with a snapshot of `model` per checkpoint, at its step. checkpoints: Hugging Face
    folders or state dicts, loaded into `model` in turn; steps: their training steps (default: from the
    folder names). recorder_options go to Recorder (tokenizer, name, description, overwrite, capture, ...).
    Each snapshot's step row holds no training loss (none was recorded) and the step scalar probe_loss, the
    model's cross-entropy on the probe's next tokens. Returns the run's path."""
    checkpoints = list(checkpoints)
    if not checkpoints:
        raise ValueError("record_checkpoints needs at least one checkpoint")
    if steps is None:
        steps = [step_of(c) if isinstance(c, (str, os.PathLike)) else None for c in checkpoints]
        unnamed = [str(c) if isinstance(c, (str, os.PathLike)) else f"state dict {i}"
                   for i, (c, s) in enumerate(zip(checkpoints, steps)) if s is None]
        if unnamed:
            raise ValueError(f"no training step for {unnamed[0]}: name folders step<N> or pass steps=[...]")
    steps = [int(s) for s in steps]
    if len(steps) != len(checkpoints):
        raise ValueError(f"{len(checkpoints)} checkpoints but {len(steps)} steps")
    if len(set(steps)) != len(steps):
        raise ValueError(f"two checkpoints have the same step: {sorted(steps)}")
    order = sorted(range(len(steps)), key=steps.__getitem__)

    def load(i):
        c = checkpoints[i]
        where = os.fspath(c) if isinstance(c, (str, os.PathLike)) else f"state dict {i}"
        with torch.no_grad():
            _load_into(model, load_state(os.fspath(c)) if isinstance(c, (str, os.PathLike)) else dict(c), where)

    recorder_options.setdefault("background", False)
    load(order[0])
    rec = Recorder(path, model, probe, every=1, initial_snapshot=False, **recorder_options)
    try:
        for n, i in enumerate(order):
            if n:
                load(i)
            rec.snapshot(steps[i])
            loss = probe_loss(rec.last_output_logits, rec.probe[0].numpy())
            rec.mark(steps[i], {"probe_loss": loss} if loss is not None else None)
        rec.close()
    except BaseException as e:
        rec.close("failed", f"{type(e).__name__}: {e}")
        raise
    return rec.path
