"""The Recorder on Hugging Face-structured models (GPT-2, GPT-NeoX, Llama, Mistral, Qwen2; the independent
implementations in hf_families.py, named as transformers names them): maps equal each model's own attention
to float16 precision, content logits after rotary per query head (grouped-query keys shared), metrics equal
to the metric functions applied to the model's own maps, the header describes the model, wrapped models are
found, and what the recorder cannot compute exactly is refused. Where transformers is installed the same
checks run against its models."""
import json
import os

import numpy as np
import pytest

import attnscope
from attnscope.metrics import snapshot_metrics
from conftest import needs_torch, run_cli

pytestmark = needs_torch

F16 = dict(rtol=2.0 ** -11, atol=2.0 ** -24)  # one float16 rounding of values in [0, 1]
GQA = {"kv_heads": 2}
CASES = [("gpt2", {}), ("gpt_neox", {}), ("llama", GQA), ("mistral", GQA), ("qwen2", GQA)]


def _hf():
    import hf_families
    return hf_families


def _record(tmp_path, model, probe, name="r", **kw):
    from attnscope.torch import Recorder
    kw.setdefault("precision", "f16")  # the F16 tolerances below are float16 storage's
    rec = Recorder(tmp_path / f"{name}.attnrun", model, probe=probe, every=1, background=False, **kw)
    rec.close()
    return attnscope.open_run(tmp_path / f"{name}.attnrun")


def _reference(model, probe):
    """The model's own maps [L, H, T, T] and (pre-softmax, masked) content logits recomputed here from the
    reference implementation's projections with hf_families' rotary functions."""
    import torch
    hf = _hf()
    inputs = {}
    mods = [getattr(b, a) for b in _blocks(model) for a in ("attn", "attention", "self_attn") if hasattr(b, a)]
    hooks = [m.register_forward_pre_hook(lambda mod, args, i=i: inputs.__setitem__(i, args[0])) for i, m in enumerate(mods)]
    with torch.no_grad():
        out = model(probe[None], output_attentions=True)
    for h in hooks:
        h.remove()
    logits = []
    T = probe.shape[0]
    for i, m in enumerate(mods):
        x = inputs[i]
        with torch.no_grad():
            if hasattr(m, "c_attn"):  # GPT-2
                q, k, _ = m.c_attn(x).split(m.embed_dim, dim=2)
                q, k = (t.view(1, T, m.num_heads, m.head_dim).transpose(1, 2) for t in (q, k))
                scale = m.head_dim ** -0.5
            elif hasattr(m, "query_key_value"):  # GPT-NeoX
                qkv = m.query_key_value(x).view(1, T, m.num_attention_heads, 3 * m.head_size).transpose(1, 2)
                q, k, _ = qkv.chunk(3, dim=-1)
                cos, sin = hf.rotary_cos_sin(m.rotary_ndims, m.rotary_base, T, x.device, q.dtype)
                q, k = hf.apply_rotary(q, cos, sin), hf.apply_rotary(k, cos, sin)
                scale = m.scaling
            else:
                D = m.head_dim
                q = m.q_proj(x).view(1, T, -1, D).transpose(1, 2)
                k = m.k_proj(x).view(1, T, -1, D).transpose(1, 2)
                cos, sin = hf.rotary_cos_sin(D, m.config.rope_theta, T, x.device, q.dtype)
                q, k = hf.apply_rotary(q, cos, sin), hf.apply_rotary(k, cos, sin)
                k = k.repeat_interleave(m.num_key_value_groups, dim=1)
                scale = m.scaling
            z = (q @ k.transpose(-1, -2))[0].float() * scale
        z = z.numpy()
        z[:, ~np.tril(np.ones((T, T), bool))] = np.nan
        logits.append(z)
    maps = np.stack([a[0].float().numpy() for a in out.attentions])
    return maps, np.stack(logits), out.logits[0].float().numpy()


def _blocks(model):
    for attr in ("transformer", "gpt_neox", "model"):
        base = getattr(model, attr, None)
        if base is not None:
            return getattr(base, "h", None) or base.layers
    raise AssertionError("not a hf_families model")


@pytest.mark.parametrize("family,extra", CASES)
def test_capture_equals_the_models_own_attention(tmp_path, family, extra):
    import torch
    hf = _hf()
    model = hf.build(hf.tiny_config(family, layers=2, heads=4, d_model=32, vocab=80, **extra), seed=1)
    probe = torch.randint(0, 80, (14,), generator=torch.Generator().manual_seed(5))
    maps, logits, out_logits = _reference(model, probe)
    with _record(tmp_path, model, probe) as run:
        snap = run.snapshot(0)
        np.testing.assert_allclose(snap.attention, maps, **F16)
        # Content logits after rotary, per query head, float16-rounded; NaN above the diagonal.
        assert np.array_equal(np.isnan(snap.logits), np.isnan(logits))
        np.testing.assert_allclose(snap.logits, logits, rtol=2.0 ** -10, atol=1e-6, equal_nan=True)
        expected = snapshot_metrics(maps, logits, np.zeros((2, 4), np.int64))
        for name in ("entropy", "norm_entropy", "sink_score", "mean_distance", "max_logit", "mean_row_max"):
            np.testing.assert_allclose(getattr(snap, name), expected[name], rtol=2e-3, atol=2e-3, err_msg=name)
        z = out_logits.astype(np.float64)
        m = z.max(-1, keepdims=True)
        assert snap.mean_log_z == pytest.approx(float((m[:, 0] + np.log(np.exp(z - m).sum(-1))).mean()), rel=1e-5)
        d = run.model_description
        assert d["family"] == family and d["layers"] == 2 and d["heads"] == 4 and d["vocab"] == 80
        assert d["kv_heads"] == extra.get("kv_heads", 4) and d["head_dim"] == 8 and d["d_model"] == 32
        assert d["parameters"] == sum(p.numel() for p in model.parameters())
        position = d["position"]
        if family == "gpt2":
            assert position == {"scheme": "learned"} and d["tied_embeddings"] is True
        else:
            assert position["scheme"] == "rotary"
            assert position["rotary_fraction"] == (0.25 if family == "gpt_neox" else 1.0)
        assert d["norm"] == ("rmsnorm" if family in ("llama", "mistral", "qwen2") else "layernorm")
        spec = run.spec
        assert "seed" not in spec["train"] and "steps" not in spec["train"]  # nothing invented
        assert spec["model"].get("context") == 64  # the model's context, not the probe length
        # Ids from 0 labelled by id when no tokenizer was given.
        assert run.tokenizer.kind == "vocab" and run.tokenizer.label(0) == "0"


def test_bfloat16_model_is_captured_as_it_computes(tmp_path):
    import torch
    hf = _hf()
    model = hf.build(hf.tiny_config("llama", heads=4, kv_heads=1, vocab=64), seed=2).to(torch.bfloat16)
    probe = torch.arange(12) % 64
    maps, _, _ = _reference(model, probe)
    with _record(tmp_path, model, probe) as run:
        np.testing.assert_allclose(run.snapshot(0).attention, maps, rtol=2e-2, atol=2e-2)  # bf16 q and k
        assert run.model_description["dtype"] == "bfloat16" and run.model_description["kv_heads"] == 1


def test_rotary_logits_depend_on_relative_position_only():
    """The defining property of rotary embeddings (Su et al. 2021): with the same token everywhere, q_i·k_j
    depends on i − j only."""
    import torch
    hf = _hf()
    model = hf.build(hf.tiny_config("llama", heads=2, vocab=10), seed=3)
    _, logits, _ = _reference(model, torch.full((9,), 4))
    z = logits[0, 0]
    for offset in range(9):
        diagonal = np.diagonal(z, -offset)
        np.testing.assert_allclose(diagonal, diagonal[0], rtol=1e-4, atol=1e-5)


def test_twelve_heads_and_a_wrapped_model_open_everywhere(cli, tmp_path):
    """A 12-head model whose d_model is not the engine's (96, head dim 8), held by a user's wrapper module,
    records and opens in Python and attnscope-cli (info, export-data with logits)."""
    import torch
    hf = _hf()
    inner = hf.build(hf.tiny_config("gpt_neox", layers=2, heads=12, d_model=96, vocab=50), seed=4)

    class Wrapper(torch.nn.Module):  # forward signature unlike a language model's: the recorder runs `lm`
        def __init__(self):
            super().__init__()
            self.lm, self.loss_fn = inner, torch.nn.CrossEntropyLoss()

        def forward(self, batch):
            return self.loss_fn(self.lm(batch["x"]).logits.transpose(1, 2), batch["y"])

    probe = torch.arange(10) % 50
    maps, _, _ = _reference(inner, probe)
    with _record(tmp_path, Wrapper(), probe, name="wrapped") as run:
        np.testing.assert_allclose(run.snapshot(0).attention, maps, **F16)
        assert run.snapshot(0).heads == 12 and run.model_description["d_model"] == 96
    path = str(tmp_path / "wrapped.attnrun")
    info = json.loads(run_cli(cli, "info", path, "--json"))
    assert info["model"]["heads"] == 12 and info["model"]["d_model"] == 96 and info["model"]["head_dim"] == 8
    assert info["model"]["family"] == "gpt_neox" and info["steps_total"] is None
    text = run_cli(cli, "info", path)
    assert "12 heads" in text and "d_model 96" in text and "/ 2000" not in text
    out = tmp_path / "export"
    run_cli(cli, "export-data", path, "--out", str(out), "--logits")
    logits = np.load(out / "logits.npy")
    assert logits.shape[-3:] == (12, 10, 10) and np.isfinite(logits[..., 3, 2]).all()
    # Seen only through its maps (capture=fn): 12 heads, d_model unknown — the engine's default 128, which 12
    # does not divide, must not make the run "damaged".
    from attnscope.torch import Recorder
    maps_only = lambda m, p: [torch.from_numpy(a) for a in maps]  # noqa: E731
    Recorder(tmp_path / "maps.attnrun", inner, probe=probe, capture=maps_only, every=1, background=False,
             precision="f16").close()
    path = str(tmp_path / "maps.attnrun")
    info = json.loads(run_cli(cli, "info", path, "--json"))
    assert info["model"]["heads"] == 12 and "d_model" not in info["model"] and info["model"]["family"] == "custom"
    assert "d_model —" in run_cli(cli, "info", path)
    import subprocess
    failed = subprocess.run([cli, "export-data", path, "--out", str(tmp_path / "maps"), "--logits"],
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "recorded no content logits" in failed.stderr
    assert not os.path.exists(tmp_path / "maps" / "logits.npy")


def test_ddp_and_compile_wrappers_are_unwrapped(tmp_path):
    import torch
    hf = _hf()
    model = hf.build(hf.tiny_config("qwen2", heads=4, kv_heads=2, vocab=40), seed=5)
    probe = torch.arange(8)

    class DistributedDataParallel(torch.nn.Module):  # what the recorder sees of torch's DDP: .module
        def __init__(self, module):
            super().__init__()
            self.module = module

    class OptimizedModule(torch.nn.Module):  # torch.compile's wrapper: ._orig_mod
        def __init__(self, module):
            super().__init__()
            self._orig_mod = module

    maps, _, _ = _reference(model, probe)
    with _record(tmp_path, OptimizedModule(DistributedDataParallel(model)), probe) as run:
        np.testing.assert_allclose(run.snapshot(0).attention, maps, **F16)
    if hasattr(torch, "compile"):
        with _record(tmp_path, torch.compile(model), probe, name="compiled") as run:
            np.testing.assert_allclose(run.snapshot(0).attention, maps, **F16)


def test_what_cannot_be_computed_is_refused(tmp_path):
    import torch
    from attnscope.torch import UnsupportedModel
    hf = _hf()
    probe = torch.arange(10)
    cases = {
        "scaled": (hf.tiny_config("llama", rope_scaling={"rope_type": "linear", "factor": 2.0}), "rope_scaling"),
        "window": (hf.tiny_config("mistral", sliding_window=4), "sliding window of 4"),
        "qwen_window": (hf.tiny_config("qwen2", use_sliding_window=True, sliding_window=6, max_window_layers=1),
                        "layer 1 attends within a sliding window"),
    }
    for name, (config, message) in cases.items():
        with pytest.raises(UnsupportedModel, match=message):
            _record(tmp_path, hf.build(config), probe, name=name)
        assert not os.path.exists(tmp_path / f"{name}.attnrun")
    # A window no shorter than the probe changes nothing: recorded.
    _record(tmp_path, hf.build(hf.tiny_config("mistral", sliding_window=10)), probe, name="wide").close()
    # An attention class the recorder does not know.
    model = hf.build(hf.tiny_config("llama"))
    for layer in model.model.layers:
        layer.self_attn.__class__ = type("LlamaDiffAttention", (type(layer.self_attn),), {})
    with pytest.raises(UnsupportedModel, match="LlamaDiffAttention"):
        _record(tmp_path, model, probe, name="unknown_class")
    # A family it does not know.
    model = hf.build(hf.tiny_config("gpt2"))
    model.config.model_type = "bloom"
    with pytest.raises(UnsupportedModel, match="bloom"):
        _record(tmp_path, model, probe, name="bloom")
    # A known class computing something else (ALiBi added to GPT-2's scores): the check against the module's
    # own output refuses it.
    model = hf.build(hf.tiny_config("gpt2"))
    original = hf._attend

    def alibi_attend(q, k, v, scale, mask):
        T = q.shape[2]
        bias = -0.5 * (torch.arange(T)[:, None] - torch.arange(T)[None, :]).clamp(min=0).float()
        p = torch.softmax(((q @ k.transpose(-1, -2)) * scale + bias).masked_fill(~mask, float("-inf")), dim=-1)
        out = p @ v
        B, H, T, D = out.shape
        return out.transpose(1, 2).reshape(B, T, H * D), p

    hf._attend = alibi_attend
    try:
        with pytest.raises(UnsupportedModel, match="does not reproduce"):
            _record(tmp_path, model, probe, name="alibi")
    finally:
        hf._attend = original


def test_transformers_models_when_installed(tmp_path):
    """The same capture against transformers' own modules, loaded from a checkpoint folder hf_families wrote
    (transformers is not a Debian package: this runs where it is installed)."""
    transformers = pytest.importorskip("transformers", reason="transformers is not installed: the capture is "
                                                             "tested against hf_families' implementations only")
    import torch
    hf = _hf()
    for family, extra in CASES:
        folder = tmp_path / family
        ours = hf.tiny_checkpoint(str(folder), family, seed=6, **extra)
        theirs = transformers.AutoModelForCausalLM.from_pretrained(str(folder), attn_implementation="eager").eval()
        probe = torch.arange(12) % ours.config.vocab_size
        with torch.no_grad():
            mine = ours(probe[None], output_attentions=True)
            lib = theirs(probe[None], output_attentions=True)
        np.testing.assert_allclose(lib.logits.numpy(), mine.logits.numpy(), rtol=1e-4, atol=1e-5)
        with _record(tmp_path, theirs, probe, name=f"tf_{family}") as run:
            np.testing.assert_allclose(run.snapshot(0).attention, np.stack([a[0].numpy() for a in lib.attentions]),
                                       **F16)
            assert run.model_description["family"] == family


def _cli_has_import(cli):
    import subprocess
    out = subprocess.run([cli, "--help"], capture_output=True, text=True)
    return " import" in out.stdout + out.stderr


@pytest.mark.parametrize("family,extra", CASES)
def test_recorder_capture_equals_the_engines_import(cli, tmp_path, family, extra):
    """The same tiny checkpoint folder, recorded by the Python Recorder (PyTorch, hf_families) and imported
    by the engine (attnscope-cli import, C++ forward): the same maps, content logits, metrics and model."""
    import torch
    if not _cli_has_import(cli):
        pytest.skip("this attnscope-cli has no import command")
    hf = _hf()
    folder = str(tmp_path / f"{family}-ckpt")
    hf.tiny_checkpoint(folder, family, seed=7, **extra)
    model = hf.load_checkpoint(folder)
    probe = torch.arange(3, 19) % model.config.vocab_size
    ids = ",".join(str(int(i)) for i in probe)
    engine = tmp_path / "engine.attnrun"
    run_cli(cli, "import", folder, "--out", str(engine), "--probe-ids", ids, "--steps", "0")
    with _record(tmp_path, model, probe, tokenizer=folder) as ours, attnscope.open_run(engine) as theirs:
        a, b = ours.snapshot(0), theirs.snapshot(int(theirs.snapshot_steps()[0]))
        np.testing.assert_allclose(b.attention, a.attention, rtol=2e-3, atol=2e-4)
        if b.logits is not None:
            np.testing.assert_allclose(b.logits, a.logits, rtol=2e-3, atol=2e-3, equal_nan=True)
        for name in ("entropy", "sink_score", "mean_distance"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=2e-3, atol=2e-3, err_msg=name)
        mine, engines = ours.model_description, theirs.model_description
        for key in ("family", "layers", "heads", "kv_heads", "head_dim", "d_model", "vocab", "context"):
            if key in engines:
                assert engines[key] == mine[key], key
        # Labels agree up to how a control byte is written (escaped here, raw in the import's labels; the
        # app shows both as \xNN).
        def shown(label):
            return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 and c not in "\n\t" else c for c in label)
        for i in probe.tolist():
            assert shown(ours.tokenizer.label(i)) == shown(theirs.tokenizer.label(i)), i
