"""Token labels from 0 (nanoGPT's stoi/itos, tokenizer.json pieces as text) stored so that the C++ readers
show them; nanoGPT variants the recorder cannot compute are refused; a series of checkpoints becomes one run
whose timeline replays the training."""
import json
import os

import numpy as np
import pytest

import attnscope
from attnscope.hf_tokenizer import labels_from_tokenizer_json
from attnscope.tokenizer import Tokenizer, as_tokenizer
from conftest import needs_torch, run_cli
from nanogpt import nanogpt_model, reference_maps

F16 = dict(rtol=2.0 ** -11, atol=2.0 ** -24)


def _hf():
    import hf_families
    return hf_families


def test_byte_level_pieces_are_shown_as_text():
    hf = _hf()
    j = hf.bpe_tokenizer_json("the theme then\nthe naïve", merges=12)
    labels = labels_from_tokenizer_json(j)
    vocab = j["model"]["vocab"]
    assert labels[vocab["Ġthe"]] == " the"  # merged piece, Ġ = space
    assert labels[vocab["Ċ"]] == "\n"
    assert labels[vocab["!"]] == "!"
    assert labels[vocab["Ã"]] == "\\xc3"  # the first byte of "ï" alone is no character
    assert labels[vocab["<|endoftext|>"]] == "<|endoftext|>" == labels[-1]
    neox = hf.bpe_tokenizer_json("the cat", specials=("<|endoftext|>", "<|padding|>"), specials_first=True,
                                 merges_as_lists=True)
    assert labels_from_tokenizer_json(neox)[:3] == ["<|endoftext|>", "<|padding|>", "!"]


def test_sentencepiece_pieces_are_shown_as_text():
    hf = _hf()
    j = hf.sentencepiece_tokenizer_json("the theme then the cat", merges=10)
    labels = labels_from_tokenizer_json(j)
    vocab = j["model"]["vocab"]
    assert labels[:3] == ["<unk>", "<s>", "</s>"]
    assert labels[vocab["<0x0A>"]] == "\n" and labels[vocab["<0x41>"]] == "A" and labels[vocab["<0xC3>"]] == "\\xc3"
    assert labels[vocab["▁the"]] == " the"
    with pytest.raises(ValueError, match="no model.vocab"):
        labels_from_tokenizer_json({"model": {}})


def test_nanogpt_tables_label_ids_from_zero(tmp_path):
    text = "hello world"
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    itos = {i: c for i, c in enumerate(chars)}
    for t in (as_tokenizer(stoi), as_tokenizer(itos), as_tokenizer(chars)):
        assert t.kind == "vocab" and t.vocab_size == len(chars)
        assert [t.label(stoi[c]) for c in text] == list(text)
        assert t.decode([stoi[c] for c in text]) == text
    back = Tokenizer.from_json(as_tokenizer(stoi).to_json())
    assert back.label(0) == " " and back.label(1) == "d"
    hf = _hf()
    folder = tmp_path / "tok"
    folder.mkdir()
    (folder / "tokenizer.json").write_text(json.dumps(hf.sentencepiece_tokenizer_json("a b")), encoding="utf-8")
    assert as_tokenizer(str(folder)).label(1) == "<s>"
    with pytest.raises(TypeError, match="cannot make token labels"):
        as_tokenizer(3.5)


@needs_torch
def test_labels_reach_the_cli(cli, tmp_path):
    """nanoGPT's stoi given to the Recorder: attnscope-cli export-data labels every probe token with its
    character (ids from 0, not shifted by AttnScope's two specials)."""
    import torch
    from attnscope.torch import Recorder
    text = "abc de"
    stoi = {c: i for i, c in enumerate(sorted(set(text)))}
    model = nanogpt_model(vocab=len(stoi), C=16, H=2, T=8)
    probe = torch.tensor([stoi[c] for c in text])
    Recorder(tmp_path / "chars.attnrun", model, probe=probe, tokenizer=stoi, every=1, background=False).close()
    run_cli(cli, "export-data", str(tmp_path / "chars.attnrun"), "--out", str(tmp_path / "out"))
    with open(tmp_path / "out" / "attention.json", encoding="utf-8") as f:
        labels = json.load(f)["tokens"]
    assert labels == ["a", "b", "c", "\u2423", "d", "e"]  # a lone space is shown as ␣


@needs_torch
def test_nanogpt_variant_that_is_not_plain_causal_attention_is_refused(tmp_path):
    """A nanoGPT whose attention adds an ALiBi bias: recomputing plain softmax would record something else,
    so the recorder refuses it (checked against the module's own output)."""
    import torch
    from attnscope.torch import Recorder, UnsupportedModel
    model = nanogpt_model()
    for block in model.h:
        attn = block.attn

        def forward(x, attn=attn):
            B, T, C = x.shape
            H = attn.n_head
            q, k, v = attn.c_attn(x).split(C, dim=2)
            q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
            bias = -0.5 * (torch.arange(T)[:, None] - torch.arange(T)[None, :]).clamp(min=0)
            att = (q @ k.transpose(-2, -1)) / (C // H) ** 0.5 + bias
            att = att.masked_fill(torch.ones(T, T).triu(1).bool(), float("-inf")).softmax(-1)
            return attn.c_proj((att @ v).transpose(1, 2).reshape(B, T, C))
        attn.forward = forward
    with pytest.raises(UnsupportedModel, match="plain causal softmax"):
        Recorder(tmp_path / "alibi.attnrun", model, probe=torch.arange(8) % 10 + 2, background=False)
    assert not os.path.exists(tmp_path / "alibi.attnrun")


@needs_torch
def test_checkpoint_series_replays_training(cli, tmp_path):
    """Three checkpoint folders (step100 sharded, step200 bf16, step300) become one run with a snapshot per
    checkpoint at its step; each snapshot is that checkpoint's attention."""
    import torch
    from attnscope.torch import record_checkpoints
    from attnscope.torch.series import step_of
    hf = _hf()
    assert [step_of(n) for n in ("step1000", "runs/checkpoint-20/", "global_step7", "final")] == [1000, 20, 7, None]
    folders, models = [], []
    for step, seed, dtype, shards in ((300, 3, "float32", 1), (100, 1, "float32", 3), (200, 2, "bfloat16", 1)):
        folder = str(tmp_path / "pythia" / f"step{step}")
        models.append(hf.tiny_checkpoint(folder, "gpt_neox", dtype=dtype, shards=shards, seed=seed, heads=4))
        folders.append(folder)
    probe = torch.arange(12) % 50
    fresh = hf.build(hf.load_checkpoint(folders[0]).config.to_dict(), seed=99)
    path = record_checkpoints(tmp_path / "series.attnrun", fresh, folders, probe, tokenizer=folders[0],
                              precision="f16")
    with attnscope.open_run(path) as run:
        assert list(run.snapshot_steps()) == [100, 200, 300]
        loss_steps, losses = run.step_scalars()["probe_loss"]
        assert list(loss_steps) == [100, 200, 300]
        for step, i in ((100, 1), (200, 2), (300, 0)):
            reference = hf.load_checkpoint(folders[i])  # as stored (bf16 weights rounded)
            with torch.no_grad():
                out = reference(probe[None], output_attentions=True)
            expected = np.stack([a[0].numpy() for a in out.attentions])
            np.testing.assert_allclose(run.snapshot(step).attention, expected, rtol=1e-3, atol=1e-4)
            z = out.logits[0].double().numpy()[:-1]
            ce = (np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1)) + z.max(-1) - z[np.arange(11), probe[1:].numpy()]).mean()
            assert losses[list(loss_steps).index(step)] == pytest.approx(ce, rel=1e-4)
        steps = run.steps()
        assert list(steps["step"]) == [100, 200, 300] and np.all(np.isnan(steps["loss"]))
        assert run.tokenizer.label(int(probe[3])) == labels_from_tokenizer_json(
            json.load(open(os.path.join(folders[0], "tokenizer.json"), encoding="utf-8")))[int(probe[3])]
    info = json.loads(run_cli(cli, "info", str(path), "--json"))
    assert info["snapshots"] == 3 and info["steps_done"] == 300 and info["status"] == "finished"
    # State dicts need their steps; a checkpoint of another architecture is refused by name.
    with pytest.raises(ValueError, match="no training step"):
        record_checkpoints(tmp_path / "x.attnrun", fresh, [models[0].state_dict()], probe)
    other = str(tmp_path / "llama" / "step5")
    hf.tiny_checkpoint(other, "llama")
    with pytest.raises(ValueError, match="lacks"):
        record_checkpoints(tmp_path / "y.attnrun", fresh, [other], probe, overwrite=True)


@needs_torch
def test_hub_style_checkpoints_load(tmp_path):
    """Older hub files: GPT-2 without the "transformer." prefix and with attn.bias buffers, Pythia with its
    attention.bias / masked_bias / rotary_emb.inv_freq buffers — loaded, the buffers ignored."""
    import torch
    from attnscope.torch import record_checkpoints
    hf = _hf()
    probe = torch.arange(9)
    for family in ("gpt2", "gpt_neox"):
        source = hf.build(hf.tiny_config(family, vocab=30), seed=11)
        folder = str(tmp_path / family / "step42")
        hf.write_checkpoint(folder, source, hub_style=True)
        path = record_checkpoints(tmp_path / f"{family}.attnrun", hf.build(hf.tiny_config(family, vocab=30), seed=0),
                                  [folder], probe, precision="f16")
        with torch.no_grad():
            expected = np.stack([a[0].numpy() for a in source(probe[None], output_attentions=True).attentions])
        with attnscope.open_run(path) as run:
            assert list(run.snapshot_steps()) == [42]
            np.testing.assert_allclose(run.snapshot(42).attention, expected, **F16)
