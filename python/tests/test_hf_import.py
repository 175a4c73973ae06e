"""`attnscope-cli import` of tiny random Hugging Face checkpoints of every supported family, written by
hf_families.py (independent PyTorch implementations named as transformers names them): the engine's probe
loss equals the PyTorch forward's to 1e-5 relative, its attention maps equal the model's to float16 precision
(the precision the run file stores them in) and its content logits are the maps' scores; labels and
tokenization of tokenizer.json agree with Python's. Also against the transformers library where installed."""
import json
import os
import subprocess

import numpy as np
import pytest

import attnscope.metrics

from conftest import needs_torch

pytestmark = needs_torch

PROBE = [5, 17, 250, 3, 99, 17, 250, 3, 42, 0, 120, 17, 250, 7]

# family, config overrides, stored dtype, shards, GPT-2 hub layout
CASES = {
    "gpt2": ("gpt2", {}, "float32", 1, False),
    "gpt2-hub-layout-fp16-sharded": ("gpt2", {"activation_function": "gelu"}, "float16", 3, True),
    "neox-parallel-bf16": ("gpt_neox", {}, "bfloat16", 1, False),
    "neox-sequential-half-rotary": ("gpt_neox", {"use_parallel_residual": False, "rotary_pct": 0.5,
                                                 "partial_rotary_factor": 0.5}, "float32", 2, False),
    "llama-gqa": ("llama", {"kv_heads": 2}, "float32", 1, False),
    "llama-tied-fp16": ("llama", {"tie_word_embeddings": True}, "float16", 2, False),
    "mistral-gqa": ("mistral", {"kv_heads": 2}, "float32", 1, False),
    "qwen2-bias-bf16": ("qwen2", {"kv_heads": 1}, "bfloat16", 1, False),
}


def import_run(cli, folders, out, *extra):
    return subprocess.run([cli, "import", *folders, "--out", str(out), "--quiet", "--force", *extra],
                          capture_output=True, text=True, timeout=120)


def reference(folder, ids):
    """(probe loss, maps [L, H, T, T]) of the folder's model as hf_families computes it (stored weights
    upcast to float32)."""
    import torch
    import hf_families as hf

    model = hf.load_checkpoint(str(folder))
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_attentions=True)
    logits = out.logits[0].double()
    loss = float(torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(ids[1:])))
    return loss, torch.stack([a[0] for a in out.attentions]).numpy()


def check_snapshot(snap, loss, maps):
    got = snap.scalars["probe_loss"]
    assert abs(got - loss) <= 1e-5 * abs(loss), (got, loss)
    np.testing.assert_allclose(snap.attention, maps, atol=1e-3, rtol=1e-3)
    # Content logits: NaN exactly where masked, and their row softmax is the map.
    z = snap.logits
    causal = np.tril(np.ones(z.shape[-2:], dtype=bool))
    assert np.array_equal(~np.isnan(z), np.broadcast_to(causal, z.shape))
    e = np.exp(np.where(causal, z, -np.inf) - np.nanmax(z, axis=-1, keepdims=True))
    np.testing.assert_allclose(e / e.sum(-1, keepdims=True), maps, atol=1e-3)
    entropy = -(maps * np.log(np.where(maps > 0, maps, 1))).sum(-1).mean(-1)
    np.testing.assert_allclose(snap.entropy, entropy, atol=2e-3)
    assert np.all(np.isfinite(snap.sigma_qk)) and np.all(snap.sigma_qk > 0)


@pytest.mark.parametrize("case", sorted(CASES))
def test_engine_forward_equals_torch_reference(case, cli, tmp_path):
    import hf_families as hf
    from attnscope import open_run

    family, options, dtype, shards, hub = CASES[case]
    options = dict(options)
    kv = options.pop("kv_heads", None)
    folder = tmp_path / "model"
    model = hf.build(hf.tiny_config(family, kv_heads=kv, **options), seed=3)
    hf.write_checkpoint(str(folder), model, dtype=dtype, shards=shards, hub_style=hub)
    out = tmp_path / "run.attnrun"
    r = import_run(cli, [str(folder)], out, "--probe-ids", ",".join(map(str, PROBE)))
    assert r.returncode == 0, r.stderr
    # The reference reads the same stored weights (the original GPT-2 hub layout through a standard copy).
    standard = tmp_path / "standard" if hub else folder
    if hub:
        hf.write_checkpoint(str(standard), model, dtype=dtype)
    loss, maps = reference(standard, PROBE)
    with open_run(str(out)) as run:
        snap = run.snapshot()
        assert snap.step == 0 and snap.length == len(PROBE)
        check_snapshot(snap, loss, maps)
        # The induction probe: distinct random ids repeated once, its maps the reference's on those ids, its
        # head scores attnscope.metrics' on the stored maps.
        ind = run.induction_snapshot(0)
        t = ind.tokens
        n = t.size // 2
        assert n >= 2 and list(t[:n]) == list(t[n:]) and len(set(t[:n])) == n
        assert run.spec["train"]["induction_probe"] == n
        _, ind_maps = reference(standard, [int(x) for x in t])
        np.testing.assert_allclose(ind.attention, ind_maps, atol=1e-3, rtol=1e-3)
        for key, value in attnscope.metrics.head_scores(ind_maps, t).items():
            np.testing.assert_allclose(getattr(ind, key), value, atol=2e-3)
        if family in ("llama", "mistral", "qwen2"):
            # σ(W_q^h), σ(W_k^h) and σ(W_q^h W_k^hᵀ) are the largest singular values (key head of the group).
            H, KV = model.config.num_attention_heads, model.config.num_key_value_heads
            for l, layer in enumerate(model.model.layers):
                wq = layer.self_attn.q_proj.weight.detach().double().numpy()
                wk = layer.self_attn.k_proj.weight.detach().double().numpy()
                D = wq.shape[0] // H
                for h in range(H):
                    q, k = wq[h * D:(h + 1) * D].T, wk[(h // (H // KV)) * D:(h // (H // KV) + 1) * D].T
                    if dtype == "float32":
                        for got, w in ((snap.sigma_q, q), (snap.sigma_k, k), (snap.sigma_qk, q @ k.T)):
                            assert abs(got[l, h] - np.linalg.norm(w, 2)) <= 1e-4 * np.linalg.norm(w, 2)


def test_a_checkpoint_series_becomes_a_timeline(cli, tmp_path):
    import hf_families as hf
    from attnscope import open_run

    folders, losses = [], {}
    for step, seed in ((1000, 1), (143000, 2), (8000, 3)):
        folder = tmp_path / f"step{step}"
        hf.write_checkpoint(str(folder), hf.build(hf.tiny_config("gpt_neox"), seed=seed), dtype="float16")
        folders.append(str(folder))
        losses[step] = reference(folder, PROBE)
    out = tmp_path / "series.attnrun"
    r = import_run(cli, folders, out, "--probe-ids", ",".join(map(str, PROBE)))
    assert r.returncode == 0, r.stderr
    with open_run(str(out)) as run:
        assert list(run.snapshot_steps()) == [1000, 8000, 143000]
        for step, (loss, maps) in losses.items():
            check_snapshot(run.snapshot(step), loss, maps)
    r = import_run(cli, folders[:2], tmp_path / "s.attnrun", "--probe-ids", "1,2,3", "--steps", "5,6")
    assert r.returncode == 0, r.stderr
    with open_run(str(tmp_path / "s.attnrun")) as run:
        assert list(run.snapshot_steps()) == [5, 6]


def _python_bpe(tokenizer, text):
    """GPT-2's byte-level BPE written out (Sennrich et al. 2016; the lowest-ranked pair first, all its
    occurrences), with hf_families' pre-tokenizer pattern: a second implementation to compare with."""
    import hf_families as hf
    b2u = hf.bytes_to_unicode()
    ranks = {tuple(m.split(" ")): i for i, m in enumerate(tokenizer["model"]["merges"])}
    vocab = tokenizer["model"]["vocab"]
    ids = []
    for piece in hf._SPLIT.findall(text):
        word = [b2u[b] for b in piece.encode("utf-8")]
        while len(word) > 1:
            pairs = [(ranks.get(p, float("inf")), i, p) for i, p in enumerate(zip(word, word[1:]))]
            rank, _, best = min(pairs)
            if rank == float("inf"):
                break
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        ids += [vocab[w] for w in word]
    return ids


@pytest.mark.parametrize("family", ["gpt2", "gpt_neox", "llama"])
def test_probe_text_and_labels_follow_tokenizer_json(family, cli, tmp_path):
    import hf_families as hf
    from attnscope import open_run
    from attnscope.hf_tokenizer import labels_from_tokenizer_json

    folder = tmp_path / family
    hf.tiny_checkpoint(str(folder), family)
    with open(folder / "tokenizer.json", encoding="utf-8") as f:
        tokenizer = json.load(f)
    text = "the cat sat on the log. a naïve dog met the cat: café ✓ 42"
    out = tmp_path / "text.attnrun"
    r = import_run(cli, [str(folder)], out, "--probe-text", text)
    assert r.returncode == 0, r.stderr
    with open_run(str(out)) as run:
        tokens = [int(t) for t in run.snapshot(maps=False).tokens]
        labels = json.loads(run.header["tokenizer_json"])["labels"]
        assert run.header["probe_text"] == text
    assert labels == labels_from_tokenizer_json(tokenizer)
    if family == "llama":
        assert tokens[0] == 1  # <s> from the post-processor
        assert "".join(labels[t] for t in tokens[1:]) == " " + text
    else:
        assert tokens == _python_bpe(tokenizer, text)
        # Labels are text; a token holding part of a character (✓ is three byte tokens here) shows \xnn.
        assert "".join(labels[t] for t in tokens) == text.replace("✓", "\\xe2\\x9c\\x93")


def test_unsupported_models_are_refused_with_a_reason(cli, tmp_path):
    import hf_families as hf

    cases = {
        "rope scaling": ("llama", {"rope_scaling": {"rope_type": "linear", "factor": 2.0}}, "rope scaling"),
        "window": ("mistral", {"sliding_window": 4}, "sliding attention window"),
        "context": ("gpt2", {"context": 8}, "at most 8 tokens"),
    }
    for name, (family, options, message) in cases.items():
        folder = tmp_path / name.replace(" ", "_")
        config = hf.tiny_config(family, **options)
        hf.write_checkpoint(str(folder), hf.build(dict(config, rope_scaling=None) if "rope_scaling" in options
                                                  else config))
        with open(folder / "config.json", "w") as f:
            json.dump(config, f)
        r = import_run(cli, [str(folder)], tmp_path / "x.attnrun", "--probe-ids", ",".join(map(str, PROBE)))
        assert r.returncode == 1, (name, r.stdout)
        assert message in r.stderr, (name, r.stderr)
        assert r.stderr.count("\n") == 1
    folder = tmp_path / "bert"
    os.makedirs(folder)
    with open(folder / "config.json", "w") as f:
        f.write('{"model_type": "bert"}')
    r = import_run(cli, [str(folder)], tmp_path / "x.attnrun", "--probe-ids", "1")
    assert r.returncode == 1 and "not supported" in r.stderr
    # Without a tokenizer the probe must be given as ids; nothing is written.
    hf.write_checkpoint(str(tmp_path / "plain"), hf.build(hf.tiny_config("gpt2")))
    r = import_run(cli, [str(tmp_path / "plain")], tmp_path / "y.attnrun")
    assert r.returncode == 1 and "--probe-ids" in r.stderr
    assert not os.path.exists(tmp_path / "y.attnrun")


def test_matches_transformers_where_installed(cli, tmp_path):
    transformers = pytest.importorskip("transformers", reason="transformers is not installed (not a Debian "
                                                              "package): the comparison with it is skipped")
    import torch
    import hf_families as hf
    from attnscope import open_run

    for family, options in (("gpt2", {}), ("gpt_neox", {"rotary_pct": 0.5, "partial_rotary_factor": 0.5}),
                            ("llama", {"kv_heads": 2}), ("qwen2", {"kv_heads": 2})):
        folder = tmp_path / family
        hf.write_checkpoint(str(folder), hf.build(hf.tiny_config(family, **options), seed=5))
        model = transformers.AutoModelForCausalLM.from_pretrained(str(folder), torch_dtype=torch.float32,
                                                                  attn_implementation="eager")
        with torch.no_grad():
            o = model(torch.tensor([PROBE]), output_attentions=True)
        loss = float(torch.nn.functional.cross_entropy(o.logits[0, :-1].double(), torch.tensor(PROBE[1:])))
        out = tmp_path / f"{family}.attnrun"
        r = import_run(cli, [str(folder)], out, "--probe-ids", ",".join(map(str, PROBE)))
        assert r.returncode == 0, r.stderr
        with open_run(str(out)) as run:
            check_snapshot(run.snapshot(), loss, torch.stack([a[0] for a in o.attentions]).numpy())
