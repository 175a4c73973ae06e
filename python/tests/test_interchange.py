"""An AttnScope checkpoint loads into the package's PyTorch GPT and its loss on the same tokens
equals `attnscope-cli eval` to 1e-5 relative, for every position scheme and mechanism — the public check
of the engine against an independent implementation. And the other way: a checkpoint written from PyTorch
evaluates in the engine to the same loss."""
import numpy as np
import pytest

import attnscope
from conftest import TINY, needs_torch, run_cli

CONFIGS = {
    "learned": ["--position", "learned"],
    "sinusoidal": ["--position", "sinusoidal"],
    "alibi": ["--alibi"],
    "rope": ["--position", "rope"],
    "ls-attention": ["--ls-window", "4", "--global-heads", "2"],
    "ls-attention-alibi": ["--alibi", "--ls-window", "3", "--global-heads", "1"],
    "resformer": ["--value-residual", "identity"],
    "resformer-learnable": ["--value-residual", "learnable", "--position", "none"],
    "svformer": ["--value-residual", "svformer"],
    "sigma-reparam": ["--sigma-reparam", "fused"],
    "sigma-reparam-separate-sigma0": ["--sigma-reparam", "separate", "--gamma-init", "sigma0"],
    "qk-norm-zloss-bos": ["--qk-norm", "--z-loss", "1e-4", "--bos"],
    "relu-attention": ["--attention", "relu", "--alibi"],
    "everything": ["--alibi", "--ls-window", "4", "--global-heads", "2", "--value-residual", "svformer",
                   "--sigma-reparam", "separate", "--qk-norm"],
}


def eval_batches(run, text_path, length):
    """The chunks `attnscope-cli eval` scores (core/eval/extrapolation.cpp evaluateStream, nonoverlapping):
    inputs s[o, o+L) and targets s[o+1, o+L], or with <bos> inputs <bos> + s[o, o+L−1) and targets s[o, o+L)."""
    stream = np.array(run.tokenizer.encode(open(text_path, "rb").read()), dtype=np.int64)
    bos = bool(run.spec["data"].get("bos", False))
    shift = 0 if bos else 1
    count = (len(stream) - (length + shift)) // length + 1
    assert count * length <= 32768  # the CLI's default --max-tokens keeps every chunk
    chunks = [stream[r * length: r * length + length + shift] for r in range(count)]
    if bos:
        X = np.stack([np.concatenate(([1], c[:length - 1])) for c in chunks])
        Y = np.stack([c[:length] for c in chunks])
    else:
        X = np.stack([c[:length] for c in chunks])
        Y = np.stack([c[1:length + 1] for c in chunks])
    return X, Y


def torch_loss(model, X, Y):
    import torch
    with torch.no_grad():
        _, loss = model(torch.from_numpy(X), torch.from_numpy(Y))
    return float(loss)


@needs_torch
@pytest.mark.parametrize("name", list(CONFIGS))
def test_engine_checkpoint_loss_equals_pytorch(name, cli, texts, tmp_path):
    import torch
    from attnscope.torch import GPT
    path = tmp_path / f"{name}.attnrun"
    run_cli(cli, "train", "--data", f"file:{texts[0]}", *TINY, "--steps", "8", "--lr", "3e-3", "--warmup", "2",
            "--record-every", "4", *CONFIGS[name], "--out", path)
    run_cli(cli, "eval", "--run", path, "--data", f"file:{texts[1]}", "--length", "16", "--save")
    with attnscope.open_run(path) as run:
        engine = float(run.evals()["loss"][-1])
        X, Y = eval_batches(run, texts[1], 16)
        model = GPT.from_checkpoint(run.checkpoint_bytes(), dtype=torch.float64)
    ours = torch_loss(model, X, Y)
    assert abs(ours - engine) <= 1e-5 * abs(engine), (name, ours, engine)
    # Not vacuous: a model with one parameter perturbed gives another loss (a LayerNorm gain: σReparam'd
    # weights are invariant to their own scale).
    with torch.no_grad():
        model.transformer.ln_f.weight.mul_(1.5)
    assert abs(torch_loss(model, X, Y) - engine) > 1e-4 * abs(engine)


@needs_torch
def test_pytorch_checkpoint_evaluates_in_the_engine(cli, texts, tmp_path):
    import torch
    from attnscope.torch import GPT, GPTConfig
    torch.manual_seed(0)
    tok = attnscope.Tokenizer.from_text(open(texts[0], "rb").read())
    config = GPTConfig(layers=3, heads=4, d_model=16, context=16, vocab=tok.vocab_size, position="alibi",
                       ls_attention=True, window=5, global_heads=2, value_residual="learnable",
                       sigma_reparam="separate", tied_head=False)
    model = GPT(config)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    stream = torch.tensor(tok.encode(open(texts[0], "rb").read()))
    for step in range(5):  # a few steps so that nothing sits at its initial value
        i = torch.randint(0, len(stream) - 17, (8,))
        batch = torch.stack([stream[j:j + 17] for j in i])
        _, loss = model(batch[:, :-1], batch[:, 1:])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    path = tmp_path / "torch.attnrun"
    spec = attnscope.run_spec(name="torch", model=config.to_spec())
    with attnscope.RunWriter.create(path, spec=spec, tokenizer_json=tok.to_json()) as w:
        w.save_checkpoint(5, model.to_checkpoint(5, spec))
    run_cli(cli, "eval", "--run", path, "--data", f"file:{texts[1]}", "--length", "16", "--save")
    with attnscope.open_run(path) as run:
        engine = float(run.evals()["loss"][-1])
        X, Y = eval_batches(run, texts[1], 16)
    ours = torch_loss(model.double(), X, Y)
    assert abs(ours - engine) <= 1e-5 * abs(engine), (ours, engine)
