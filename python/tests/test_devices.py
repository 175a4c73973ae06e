"""The recorder where users train: on the CPU and, when the machine has one, on a CUDA GPU; under bf16
autocast; behind torch.compile; with PyTorch's fused attention (scaled_dot_product_attention) that hides the
maps; with a real Hugging Face GPT-2; inside DistributedDataParallel. What is recorded must be what an fp32
eval forward of the same weights gives, wherever the weights lived. CUDA cases skip on machines without a GPU
(CI has none); they ran on an H200 (docs/python.md, "Recording on a GPU")."""
import os
import socket

import numpy as np
import pytest

import attnscope
from conftest import HAVE_TORCH, needs_torch
from nanogpt import nanogpt_model, reference_maps

pytestmark = needs_torch

if HAVE_TORCH:
    import torch
    import torch.nn.functional as F

    HAVE_CUDA = torch.cuda.is_available()
else:
    HAVE_CUDA = False

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not HAVE_CUDA, reason="no CUDA GPU here"))]
VOCAB, T = 12, 16
FP16 = 2.0 ** -10  # maps are stored in float16: one rounding step, and one for device differences


def batch(device, B=4, seed=None):
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    x = torch.randint(2, VOCAB, (B, T + 1), generator=g)
    return x[:, :-1].to(device), x[:, 1:].to(device)


def autocast(device):
    return torch.autocast(device_type=device, dtype=torch.bfloat16)


def train(model, rec, device, steps, amp=False, params=None, between=None):
    """AdamW steps on random batches (seeded by step), recorded; amp: forward under bf16 autocast;
    between(step): called after each recorded step."""
    opt = torch.optim.AdamW(params if params is not None else model.parameters(), lr=3e-3)
    for step in range(1, steps + 1):
        x, y = batch(device, seed=step)
        if amp:
            with autocast(device):
                _, loss = model(x, y)
        else:
            _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        rec.step(step, loss)  # a tensor on the device is accepted as the loss
        if between:
            between(step)


def probe_maps_fp32(model, probe):
    """The maps of an fp32 eval forward on the CPU, from the package's own GPT."""
    model = model.float().cpu().eval()
    for m in model.attention_modules():
        m.record = True
    with torch.no_grad():
        model(torch.as_tensor(probe)[None])
    maps = np.stack([m.last_attention[0].numpy() for m in model.attention_modules()])
    for m in model.attention_modules():
        m.record = False
    return maps


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("position", ["sinusoidal", "rope", "alibi"])
def test_gpt_trained_under_bf16_autocast_records_fp32_maps(device, position, tmp_path):
    from attnscope.torch import GPT, GPTConfig, Recorder
    torch.manual_seed(3)
    config = GPTConfig(layers=2, heads=4, d_model=16, context=T, vocab=VOCAB, position=position,
                       ls_attention=position == "alibi", window=4, global_heads=2, sigma_reparam="fused",
                       value_residual="identity")
    model = GPT(config).to(device)
    probe = np.arange(T) % 10 + 2
    path = tmp_path / f"{device}-{position}.attnrun"
    rec = Recorder(path, model, probe=probe, every=4, checkpoint_every=12, total_steps=12, precision="f16")
    train(model, rec, device, 12, amp=True)
    rec.close()
    with attnscope.open_run(path) as run:
        assert list(run.snapshot_steps()) == [0, 4, 8, 12] and run.status[0] == "finished"
        assert np.all(np.isfinite(run.steps()["loss"]))
        recorded = run.snapshot(12).attention
        reloaded = run.model(12)  # the checkpoint, back on the CPU in fp32
    expected = probe_maps_fp32(reloaded, probe)
    np.testing.assert_allclose(recorded, expected, rtol=FP16, atol=2e-6)
    live = probe_maps_fp32(model, probe)  # the trained model itself, moved to the CPU
    np.testing.assert_allclose(recorded, live, rtol=FP16, atol=2e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_probe_taken_inside_autocast_stays_a_distribution(device, tmp_path):
    """A loop that wraps everything in autocast also runs the probe under it: maps in bf16 precision, still
    rows that sum to one and close to the fp32 maps."""
    from attnscope.torch import GPT, GPTConfig, Recorder
    torch.manual_seed(4)
    model = GPT(GPTConfig(layers=2, heads=2, d_model=16, context=T, vocab=VOCAB)).to(device)
    probe = np.arange(T) % 10 + 2
    with autocast(device):
        rec = Recorder(tmp_path / "amp.attnrun", model, probe=probe, every=1, precision="f16")
        rec.close()
    with attnscope.open_run(tmp_path / "amp.attnrun") as run:
        a = run.snapshot(0).attention
    np.testing.assert_allclose(a.sum(-1), 1.0, atol=2e-2)
    np.testing.assert_allclose(a, probe_maps_fp32(model, probe), atol=2e-2)


@pytest.mark.skipif(not HAVE_TORCH or not hasattr(torch, "compile"), reason="torch.compile needs PyTorch 2")
@pytest.mark.parametrize("device", DEVICES)
def test_compiled_model_is_probed_eagerly(device, tmp_path):
    from attnscope.torch import GPT, GPTConfig, Recorder
    torch.manual_seed(5)
    model = GPT(GPTConfig(layers=2, heads=2, d_model=16, context=T, vocab=VOCAB)).to(device)
    compiled = torch.compile(model)
    probe = np.arange(T) % 10 + 2
    rec = Recorder(tmp_path / "compiled.attnrun", compiled, probe=probe, every=2, precision="f16")
    train(compiled, rec, device, 4)
    rec.close()
    with attnscope.open_run(tmp_path / "compiled.attnrun") as run:
        assert list(run.snapshot_steps()) == [0, 2, 4]
        np.testing.assert_allclose(run.snapshot(4).attention, probe_maps_fp32(model, probe), rtol=FP16, atol=2e-6)


@pytest.mark.skipif(not HAVE_TORCH or not hasattr(F, "scaled_dot_product_attention"),
                    reason="scaled_dot_product_attention needs PyTorch 2")
@pytest.mark.parametrize("device", DEVICES)
def test_fused_attention_nanogpt_is_recomputed_from_c_attn(device, tmp_path):
    torch.manual_seed(6)
    model = nanogpt_model(fused=True, device=device)
    probe = torch.as_tensor(np.arange(T) % 10 + 2)[None]
    rec = Recorder_for(model, probe, tmp_path / "sdpa.attnrun")
    train(model, rec, device, 3, amp=True)
    rec.close()
    with attnscope.open_run(tmp_path / "sdpa.attnrun") as run:
        recorded = run.snapshot(3)
    np.testing.assert_allclose(recorded.attention, reference_maps(model, probe), rtol=FP16, atol=2e-6)
    assert np.all(np.isfinite(recorded.max_logit))


def Recorder_for(model, probe, path):
    from attnscope.torch import Recorder
    return Recorder(path, model, probe=probe[0].numpy(), every=3, capture="nanogpt", precision="f16")


@pytest.mark.parametrize("device", DEVICES)
def test_hugging_face_gpt2_is_captured(device, tmp_path):
    transformers = pytest.importorskip("transformers", reason="the transformers package is not installed")
    torch.manual_seed(7)
    config = transformers.GPT2Config(vocab_size=VOCAB, n_positions=T, n_embd=32, n_layer=2, n_head=4)
    config._attn_implementation = "eager"  # output_attentions needs the eager path
    model = transformers.GPT2LMHeadModel(config).to(device)
    probe = np.arange(T) % 10 + 2
    from attnscope.torch import Recorder
    rec = Recorder(tmp_path / "hf.attnrun", model, probe=probe, every=1, precision="f16")
    rec.close()
    model.eval()
    with torch.no_grad():
        out = model(torch.as_tensor(probe)[None].to(device), output_attentions=True)
    expected = np.stack([a[0].float().cpu().numpy() for a in out.attentions])
    with attnscope.open_run(tmp_path / "hf.attnrun") as run:
        s = run.snapshot(0)
        assert run.spec["model"]["layers"] == 2 and run.spec["model"]["heads"] == 4
    np.testing.assert_allclose(s.attention, expected, rtol=FP16, atol=1e-6)
    # The content logits come from the fused c_attn: softmax of them over the causal keys is the map.
    z = s.logits.astype(np.float64)
    z = np.where(np.isnan(z), -np.inf, z)
    np.testing.assert_allclose(np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(
        -1, keepdims=True), expected, rtol=FP16, atol=1e-5)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("device", DEVICES)
def test_ddp_wrapped_model_on_its_device(device, tmp_path):
    """DistributedDataParallel (world size 1: NCCL on a GPU, gloo on the CPU): the probe runs on the module
    inside, without the collectives, and the recorded maps are the trained weights' maps."""
    import torch.distributed as dist
    from attnscope.torch import GPT, GPTConfig, Recorder
    backend = "nccl" if device == "cuda" else "gloo"
    dist.init_process_group(backend, init_method=f"tcp://127.0.0.1:{free_port()}", rank=0, world_size=1)
    try:
        torch.manual_seed(8)
        model = GPT(GPTConfig(layers=2, heads=2, d_model=16, context=T, vocab=VOCAB)).to(device)
        ddp = torch.nn.parallel.DistributedDataParallel(model, device_ids=[0] if device == "cuda" else None)
        probe = np.arange(T) % 10 + 2
        rec = Recorder(tmp_path / "ddp.attnrun", ddp, probe=probe, every=2, precision="f16")
        train(ddp, rec, device, 4)
        rec.close()
    finally:
        dist.destroy_process_group()
    with attnscope.open_run(tmp_path / "ddp.attnrun") as run:
        np.testing.assert_allclose(run.snapshot(4).attention, probe_maps_fp32(model, probe), rtol=FP16, atol=2e-6)


@pytest.mark.skipif(not HAVE_CUDA, reason="no CUDA GPU here")
def test_example_trains_on_the_gpu(tmp_path):
    """python/examples/train_nanogpt.py --device cuda --amp bf16: a short run whose file opens."""
    import subprocess
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    out = tmp_path / "gpu.attnrun"
    r = subprocess.run([sys.executable, os.path.join(here, "..", "examples", "train_nanogpt.py"), "--steps", "40",
                        "--every", "20", "--device", "cuda", "--amp", "bf16", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with attnscope.open_run(out) as run:
        assert list(run.snapshot_steps()) == [0, 20, 40] and run.status[0] == "finished"


@pytest.mark.parametrize("background", [True, False])
def test_failed_writes_never_stop_training_and_leave_a_gap_note(background, tmp_path, monkeypatch):
    """A full disk in the middle of a run (simulated: the writer's inserts fail for a while): training goes on,
    a RuntimeWarning says so once, the step records are retried and all arrive, the snapshots of the failing
    steps are dropped, and a 'recording gap' note names them with the cause."""
    import sqlite3
    from attnscope.torch import GPT, GPTConfig, Recorder
    torch.manual_seed(9)
    model = GPT(GPTConfig(layers=1, heads=2, d_model=16, context=T, vocab=VOCAB))
    rec = Recorder(tmp_path / "full.attnrun", model, probe=np.arange(T) % 10 + 2, every=2, flush_seconds=0.0,
                   background=background)
    failing = {"on": False}
    for name in ("append_snapshot", "append_steps"):
        original = getattr(rec.writer, name)

        def guarded(*a, _original=original, **k):
            if failing["on"]:
                raise sqlite3.OperationalError("database or disk is full")
            return _original(*a, **k)
        monkeypatch.setattr(rec.writer, name, guarded)
    with pytest.warns(RuntimeWarning, match="database or disk is full"):
        # The failing window is the steps' own: sync() lets the worker write while `failing` holds.
        train(model, rec, "cpu", 10, between=lambda step: (rec.sync(), failing.update(on=step + 1 in (3, 4, 5))))
        rec.close()
    with attnscope.open_run(tmp_path / "full.attnrun") as run:
        assert list(run.steps()["step"]) == list(range(1, 11))
        assert list(run.snapshot_steps()) == [0, 2, 6, 8, 10]
        notes = [m for m in run.events()["message"] if "recording gap" in str(m)]
        assert len(notes) == 1 and "probe snapshots of steps 4 lost" in str(notes[0]) and "disk is full" in str(notes[0])
        assert run.status[0] == "finished"


def test_background_and_inline_recorders_write_the_same_file(tmp_path):
    from attnscope.torch import GPT, GPTConfig, Recorder
    results = []
    for background in (True, False):
        torch.manual_seed(10)
        model = GPT(GPTConfig(layers=2, heads=2, d_model=16, context=T, vocab=VOCAB, sigma_reparam="fused"))
        path = tmp_path / f"bg-{background}.attnrun"
        rec = Recorder(path, model, probe=np.arange(T) % 10 + 2, every=3, checkpoint_every=6, background=background)
        train(model, rec, "cpu", 6)
        rec.close()
        with attnscope.open_run(path) as run:
            snaps = [run.snapshot(s) for s in run.snapshot_steps()]
            results.append(([s.attention for s in snaps], [s.sigma_qk for s in snaps], [s.entropy for s in snaps],
                            list(run.steps()["loss"]), run.params(6)))
    (a1, q1, e1, l1, p1), (a2, q2, e2, l2, p2) = results
    assert l1 == l2 and len(a1) == len(a2) == 3
    for x, y in zip(a1 + q1 + e1, a2 + q2 + e2):
        np.testing.assert_array_equal(x, y)
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])


def test_script_that_never_closes_still_gets_its_snapshots(tmp_path):
    """The writer thread is a daemon; what a script recorded reaches the file even without close()."""
    import subprocess
    import sys
    path = tmp_path / "unclosed.attnrun"
    script = f"""
import sys; sys.path.insert(0, {os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')!r})
import time
import numpy as np, torch
from attnscope.torch import GPT, GPTConfig, Recorder
torch.manual_seed(0)
model = GPT(GPTConfig(layers=2, heads=2, d_model=16, context=16, vocab=12))
rec = Recorder({str(path)!r}, model, probe=np.arange(16) % 10 + 2, every=2)
slow = rec.writer.append_snapshot  # a slow disk: snapshots are still queued when the script ends
rec.writer.append_snapshot = lambda *a, **k: (time.sleep(0.2), slow(*a, **k))[1]
for step in range(1, 11):
    rec.step(step, 1.0 / step)
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with attnscope.open_run(path) as run:
        assert list(run.snapshot_steps()) == [0, 2, 4, 6, 8, 10]
