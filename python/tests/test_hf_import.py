"""`attnscope-cli import` of tiny random Hugging Face checkpoints of every supported family: the engine's
probe loss equals an independent PyTorch forward to 1e-5 relative, and its attention maps and content logits
equal the reference's to float16 precision (the precision the run file stores them in). Also against the
transformers library where it is installed."""
import os
import subprocess

import numpy as np
import pytest

from conftest import needs_torch

pytestmark = needs_torch

PROBE = [5, 17, 250, 3, 99, 17, 250, 3, 42, 0, 299, 17, 250, 7]

CASES = {
    "gpt2": ("gpt2", {}, "F32", 1),
    "gpt2-fp16-sharded": ("gpt2", {"activation_function": "gelu"}, "F16", 3),
    "neox-parallel-bf16": ("gpt_neox", {}, "BF16", 1),
    "neox-sequential-half-rotary": ("gpt_neox", {"use_parallel_residual": False, "rotary_pct": 0.5}, "F32", 2),
    "llama-gqa": ("llama", {}, "F32", 1),
    "llama-mha-tied-fp16": ("llama", {"num_key_value_heads": 4, "tie_word_embeddings": True}, "F16", 2),
    "mistral-window": ("mistral", {"sliding_window": 4096}, "F32", 1),
    "qwen2-bias-bf16": ("qwen2", {"num_key_value_heads": 1}, "BF16", 1),
}


def import_run(cli, folders, out, *extra):
    return subprocess.run([cli, "import", *folders, "--out", str(out), "--quiet", "--force", *extra],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", sorted(CASES))
def test_engine_forward_equals_torch_reference(case, cli, tmp_path):
    import hf_reference as ref
    from attnscope import open_run

    family, options, dtype, shards = CASES[case]
    c = ref.config(family, **options)
    folder = tmp_path / "model"
    state = ref.write_checkpoint(str(folder), c, ref.random_state(c, seed=3), dtype=dtype, shards=shards)
    out = tmp_path / "run.attnrun"
    r = import_run(cli, [str(folder)], out, "--probe-ids", ",".join(map(str, PROBE)))
    assert r.returncode == 0, r.stderr
    logits, maps, zs = ref.forward(c, state, PROBE)
    expected = ref.probe_loss(logits, PROBE)
    with open_run(str(out)) as run:
        snap = run.snapshot()
        assert snap.step == 0 and snap.length == len(PROBE)
        got = snap.scalars["probe_loss"]
        assert abs(got - expected) <= 1e-5 * abs(expected), (got, expected)
        np.testing.assert_allclose(snap.attention, maps.numpy(), atol=1e-3, rtol=1e-3)
        z = zs.numpy()
        assert np.array_equal(np.isnan(snap.logits), np.isnan(z))
        visible = ~np.isnan(z)
        np.testing.assert_allclose(snap.logits[visible], z[visible], atol=2e-3, rtol=1e-3)
        # The per-head metrics engine runs carry are there, computed from these maps.
        a = maps.numpy()
        entropy = -(a * np.log(np.where(a > 0, a, 1))).sum(-1).mean(-1)
        np.testing.assert_allclose(snap.entropy, entropy, atol=2e-3)
        assert np.all(np.isfinite(snap.sigma_qk)) and np.all(snap.sigma_qk > 0)


def test_a_checkpoint_series_becomes_a_timeline(cli, tmp_path):
    import hf_reference as ref
    from attnscope import open_run

    c = ref.config("gpt_neox")
    folders, losses = [], []
    for step, seed in ((1000, 1), (143000, 2), (8000, 3)):
        folder = tmp_path / f"step{step}"
        state = ref.write_checkpoint(str(folder), c, ref.random_state(c, seed=seed), dtype="F16")
        folders.append(str(folder))
        losses.append((step, ref.probe_loss(ref.forward(c, state, PROBE)[0], PROBE)))
    out = tmp_path / "series.attnrun"
    r = import_run(cli, folders, out, "--probe-ids", ",".join(map(str, PROBE)))
    assert r.returncode == 0, r.stderr
    with open_run(str(out)) as run:
        assert list(run.snapshot_steps()) == [1000, 8000, 143000]
        for step, expected in losses:
            got = run.snapshot(step, maps=False).scalars["probe_loss"]
            assert abs(got - expected) <= 1e-5 * abs(expected)
    r = import_run(cli, folders[:2], tmp_path / "s.attnrun", "--probe-ids", "1,2,3", "--steps", "5,6")
    assert r.returncode == 0, r.stderr
    with open_run(str(tmp_path / "s.attnrun")) as run:
        assert list(run.snapshot_steps()) == [5, 6]


def test_unsupported_models_are_refused_with_a_reason(cli, tmp_path):
    import hf_reference as ref

    cases = {
        "rope scaling": (ref.config("llama", rope_scaling={"rope_type": "linear", "factor": 2.0}), "rope scaling"),
        "family": (dict(ref.config("gpt2"), model_type="bert"), "not supported"),
        "window": (ref.config("mistral", sliding_window=4), "sliding attention window"),
    }
    for name, (c, message) in cases.items():
        folder = tmp_path / name.replace(" ", "_")
        c2 = dict(c, model_type="gpt2") if c["model_type"] == "bert" else c
        ref.write_checkpoint(str(folder), c2, ref.random_state(c2))
        if c["model_type"] == "bert":
            with open(folder / "config.json", "w") as f:
                f.write('{"model_type": "bert"}')
        r = import_run(cli, [str(folder)], tmp_path / "x.attnrun", "--probe-ids", ",".join(map(str, PROBE)))
        assert r.returncode == 1, (name, r.stdout)
        assert message in r.stderr, (name, r.stderr)
        assert r.stderr.count("\n") == 1
    # Without a tokenizer the probe must be given as ids.
    c = ref.config("gpt2")
    ref.write_checkpoint(str(tmp_path / "plain"), c, ref.random_state(c))
    r = import_run(cli, [str(tmp_path / "plain")], tmp_path / "y.attnrun")
    assert r.returncode == 1 and "--probe-ids" in r.stderr
    assert not os.path.exists(tmp_path / "y.attnrun")


def test_matches_transformers_where_installed(cli, tmp_path):
    transformers = pytest.importorskip("transformers", reason="transformers is not installed (not a Debian "
                                                              "package): the comparison with it is skipped")
    import torch
    import hf_reference as ref
    from attnscope import open_run

    for family, options in (("gpt2", {}), ("gpt_neox", {"rotary_pct": 0.5}), ("llama", {}), ("qwen2", {})):
        c = ref.config(family, **options)
        folder = tmp_path / family
        ref.write_checkpoint(str(folder), c, ref.random_state(c, seed=5))
        model = transformers.AutoModelForCausalLM.from_pretrained(str(folder), torch_dtype=torch.float32,
                                                                  attn_implementation="eager")
        with torch.no_grad():
            o = model(torch.tensor([PROBE]), output_attentions=True)
        expected = ref.probe_loss(o.logits[0], PROBE)
        out = tmp_path / f"{family}.attnrun"
        r = import_run(cli, [str(folder)], out, "--probe-ids", ",".join(map(str, PROBE)))
        assert r.returncode == 0, r.stderr
        with open_run(str(out)) as run:
            snap = run.snapshot()
            assert abs(snap.scalars["probe_loss"] - expected) <= 1e-5 * abs(expected)
            maps = torch.stack([a[0] for a in o.attentions]).numpy()
            np.testing.assert_allclose(snap.attention, maps, atol=1e-3, rtol=1e-3)
