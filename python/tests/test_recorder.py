"""The PyTorch recorder: captures attention from the package's GPT, a nanoGPT-style CausalSelfAttention
(also inside a wrapper module) and a user function; computes the engine's metrics; writes only on rank 0;
and the resulting run opens in attnscope-cli. Transformers-structured models: test_hf_capture.py."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import attnscope
from conftest import needs_torch, run_cli
from nanogpt import nanogpt_model, reference_maps

pytestmark = needs_torch
HERE = os.path.dirname(os.path.abspath(__file__))


def train(model, rec, steps, vocab, T=16, lr=3e-3):
    import torch
    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    for step in range(1, steps + 1):
        x = torch.randint(2, vocab, (4, T + 1))
        out = model(x[:, :-1], x[:, 1:])
        loss = out[1] if isinstance(out, tuple) else out.loss
        opt.zero_grad()
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        rec.step(step, loss.item(), grad_norm=float(gn), lr=lr)
    rec.close()


def own_attention(model, tokens):
    """The package GPT's own attention maps [L, H, T, T] on `tokens`, in eval mode (each module keeps its last
    maps and logits)."""
    import torch
    model.eval()
    for m in model.attention_modules():
        m.record = True
    with torch.no_grad():
        model(torch.as_tensor(np.asarray(tokens))[None])
    return np.stack([m.last_attention[0].numpy() for m in model.attention_modules()])


def test_recorder_with_attnscope_gpt(cli, tmp_path):
    import torch
    from attnscope.torch import GPT, GPTConfig, Recorder
    torch.manual_seed(1)
    config = GPTConfig(layers=2, heads=4, d_model=16, context=16, vocab=12, position="alibi", ls_attention=True,
                       window=4, global_heads=2, sigma_reparam="fused", value_residual="identity")
    model = GPT(config)
    tok = attnscope.Tokenizer.from_symbols([f"s{i}" for i in range(10)])
    probe = np.arange(16) % 10 + 2
    path = tmp_path / "gpt.attnrun"
    rec = Recorder(path, model, probe=probe, every=5, tokenizer=tok, checkpoint_every=10, total_steps=10,
                   precision="f16")
    train(model, rec, 10, 12)
    assert model.training  # the probe restored training mode
    with attnscope.open_run(path) as run:
        assert list(run.snapshot_steps()) == [0, 5, 10] and run.status[0] == "finished"
        assert list(run.steps()["step"]) == list(range(1, 11))
        s = run.snapshot(10)
        # The recorded maps are the model's own (windowed local heads, ALiBi) in eval mode.
        expected = own_attention(model, probe)
        np.testing.assert_allclose(s.attention, expected, rtol=2.0 ** -11, atol=2.0 ** -24)
        assert np.all(s.attention[:, 0, 10, :7] == 0)  # local head, window 4
        windows = model.head_windows()
        m = attnscope.snapshot_metrics(expected, np.stack([x.last_logits[0].numpy() for x in model.attention_modules()]), windows)
        for key in ("entropy", "sink_score", "max_logit", "mean_distance", "key_profile", "importance_entropy"):
            np.testing.assert_allclose(getattr(s, key), m[key], rtol=1e-5, atol=1e-6)
        assert np.all(np.isfinite(s.sigma_qk)) and np.isfinite(s.mean_log_z) and s.out_logit_max > 0
        assert "sigma/l0.attn.qkv" in s.scalars and s.scalars["lambda1/l1"] == 0.5
        assert list(run.checkpoint_steps()) == [10]
    info = run_cli(cli, "info", path)
    assert "ALiBi" in info and "snapshots    3 (steps 0–10)" in info and "10 / 10" in info, info



def test_recorder_records_the_induction_probe(cli, tmp_path):
    """Beside every snapshot, the induction probe (distinct random ids, then the same ids again) with its maps
    and the head scores of attnscope.metrics computed on them; the engine's CLI reads its roles from it."""
    import torch
    from attnscope.torch import GPT, GPTConfig, Recorder
    torch.manual_seed(4)
    model = GPT(GPTConfig(layers=2, heads=2, d_model=16, context=32, vocab=20))
    tok = attnscope.Tokenizer.from_symbols([f"s{i}" for i in range(18)])
    probe = np.arange(24) % 18 + 2
    path = tmp_path / "ind.attnrun"
    rec = Recorder(path, model, probe=probe, every=5, tokenizer=tok, precision="f16", induction_probe=8)
    train(model, rec, 5, 20)
    with attnscope.open_run(path) as run:
        assert run.spec["train"]["induction_probe"] == 8
        for step in (0, 5):
            s = run.induction_snapshot(step)
            t = s.tokens
            assert t.size == 16 and list(t[:8]) == list(t[8:]) and len(set(t[:8])) == 8
            assert not set(t) & {0, 1}  # never <unk> or <bos>
            expected = attnscope.metrics.head_scores(s.attention, t)  # scored on the exact maps; stored in float16
            for key, value in expected.items():
                np.testing.assert_allclose(getattr(s, key), value, rtol=2.0 ** -10, atol=1e-6)
        maps = own_attention(model, t)
        np.testing.assert_allclose(s.attention, maps, rtol=2.0 ** -11, atol=2.0 ** -24)
        steps, induction = run.head_metric("induction_score", probe="induction")
        assert list(steps) == [0, 5] and induction.shape == (2, 2, 2)
    assert "on the induction probe (16 tokens)" in run_cli(cli, "heads", path)
    # A BOS id put first (induction_prefix), then the repeat.
    rec = Recorder(tmp_path / "bos.attnrun", model, probe=probe, every=5, tokenizer=tok, induction_probe=8,
                   induction_prefix=(1,))
    rec.close()
    with attnscope.open_run(tmp_path / "bos.attnrun") as run:
        t = run.induction_snapshot(0).tokens
        assert t[0] == 1 and t.size == 17 and list(t[1:9]) == list(t[9:])
    # Too short a text probe for two repeated ids: none recorded, and the spec says so.
    rec = Recorder(tmp_path / "none.attnrun", model, probe=probe[:3], every=5, tokenizer=tok)
    rec.close()
    with attnscope.open_run(tmp_path / "none.attnrun") as run:
        assert run.spec["train"]["induction_probe"] == -1
        with pytest.raises(KeyError):
            run.induction_snapshot()


def test_recorder_with_nanogpt_module(tmp_path):
    import torch
    from attnscope.torch import Recorder
    torch.manual_seed(2)
    model = nanogpt_model()
    probe = torch.arange(16) % 10 + 2
    rec = Recorder(tmp_path / "nano.attnrun", model, probe=probe, every=4)
    train(model, rec, 8, 12)
    with attnscope.open_run(tmp_path / "nano.attnrun") as run:
        s = run.snapshot(8)
        model.eval()
        # the default precision q8: within (row max − row min)/504 of the reference (docs/run-format.md)
        expected = reference_maps(model, probe[None])
        row_max = expected.max(-1, keepdims=True)
        assert np.all(np.abs(s.attention - expected) <= row_max / 504 + 1e-7)
        assert s.logits is not None  # a 16-token probe stores its logits by default
        assert run.spec["model"]["d_model"] == 16 and run.spec["model"]["heads"] == 2
        assert np.all(np.isfinite(s.max_logit)) and np.all(np.isfinite(s.entropy_bound))


def test_recorder_with_wrapped_model_and_function(tmp_path):
    """A wrapper module holding a nanoGPT (with a config of its own, returning a dict), and a user function
    returning q and k."""
    import torch
    from attnscope.torch import Recorder
    torch.manual_seed(3)
    inner = nanogpt_model()

    class Config:
        output_attentions = False

    class Output(dict):
        __getattr__ = dict.__getitem__

    class HFLike(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.config, self.transformer = Config(), inner

        def forward(self, idx, targets=None, output_attentions=False):
            logits, loss = self.transformer(idx, targets)
            out = Output(logits=logits, loss=loss)
            if output_attentions:
                out["attentions"] = tuple(torch.from_numpy(m)[None] for m in reference_maps(inner, idx))
            return out

    model = HFLike()
    probe = torch.arange(16) % 10 + 2
    rec = Recorder(tmp_path / "hf.attnrun", model, probe=probe, every=3, precision="f16")
    train(model, rec, 3, 12)

    def qk(model, probe):
        out = []
        with torch.no_grad():
            x = inner.wte(probe) + inner.wpe(torch.arange(probe.shape[1]))
            for b in inner.h:
                q, k, _ = b.attn.c_attn(b.ln_1(x)).split(16, dim=-1)
                out.append({"q": q.view(1, -1, 2, 8).transpose(1, 2), "k": k.view(1, -1, 2, 8).transpose(1, 2)})
                x = b(x)
        return out

    rec2 = Recorder(tmp_path / "fn.attnrun", inner, probe=probe, every=1, capture=qk, precision="f16",
                    logits=False)
    rec2.close()
    with attnscope.open_run(tmp_path / "hf.attnrun") as a, attnscope.open_run(tmp_path / "fn.attnrun") as b:
        inner.eval()
        expected = reference_maps(inner, probe[None])
        np.testing.assert_allclose(a.snapshot(3).attention, expected, rtol=2.0 ** -11, atol=2.0 ** -24)
        np.testing.assert_allclose(b.snapshot(0).attention, expected, rtol=2.0 ** -11, atol=2.0 ** -24)
        assert np.all(np.isfinite(b.snapshot(0).max_logit))  # logit metrics without stored logit maps
        assert b.snapshot(0).logits is None and a.snapshot(3).logits is not None


def test_recorder_refuses_models_it_cannot_see(tmp_path):
    import torch
    from attnscope.torch import Recorder, UnsupportedModel
    with pytest.raises(UnsupportedModel, match="cannot see this model's attention"):
        Recorder(tmp_path / "x.attnrun", torch.nn.Linear(3, 3), probe=[1, 2, 3])
    assert not os.path.exists(tmp_path / "x.attnrun")


def test_only_rank_zero_writes(tmp_path):
    from attnscope.torch import GPT, GPTConfig, Recorder
    model = GPT(GPTConfig(layers=1, heads=2, d_model=8, context=8, vocab=6))
    rec = Recorder(tmp_path / "r1.attnrun", model, probe=[2, 3, 4, 5], rank=1)
    rec.step(1, 1.0)
    rec.close()
    assert not rec.active and os.listdir(tmp_path) == []


def test_ddp_example_writes_one_run_from_rank_zero(cli, tmp_path):
    """python/examples/train_ddp.py: two gloo processes on this machine; rank 0 alone writes the run."""
    script = os.path.join(HERE, "..", "examples", "train_ddp.py")
    out = tmp_path / "ddp.attnrun"
    r = subprocess.run([sys.executable, script, "--steps", "6", "--every", "3", "--out", str(out), "--tiny"],
                       capture_output=True, text=True, timeout=240,
                       env=dict(os.environ, PYTHONPATH=os.path.join(HERE, ".."), OMP_NUM_THREADS="1"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(os.listdir(tmp_path)) == ["ddp.attnrun"]
    info = json.loads(run_cli(cli, "info", out, "--json"))
    assert "finished" in json.dumps(info)
    with attnscope.open_run(out) as run:
        assert list(run.snapshot_steps()) == [0, 3, 6] and list(run.steps()["step"]) == list(range(1, 7))
        assert run.meta["writer"].startswith("pid ")
        assert "world size 2" in run.header["description"]
