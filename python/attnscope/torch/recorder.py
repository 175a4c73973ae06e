"""Records the attention dynamics of a PyTorch training run into an .attnrun file that AttnScope's app and
CLI open like their own runs (docs/python.md).

    rec = Recorder("runs/mine.attnrun", model, probe=tokens, every=25, tokenizer=tok)
    for step in range(1, steps + 1):
        ... loss.backward(); optimizer.step()
        rec.step(step, loss.item(), grad_norm=gn, lr=lr)
    rec.close()

Every step appends a row to `steps` (buffered; flushed at least once a second and at every snapshot, one
short transaction each). Every `every` steps the recorder runs the fixed probe through the model in eval
mode under no_grad, captures every layer's attention, computes the engine's per-head metrics
(attnscope.metrics) and writes a snapshot. Under torch.distributed only rank 0 writes (other ranks get
a recorder whose methods do nothing); the probe runs on the unwrapped module, so no collective is issued."""
import os
import time

import numpy as np
import torch

from ..metrics import snapshot_metrics
from ..spec import run_spec
from ..tokenizer import Tokenizer
from ..writer import RunWriter
from . import capture as cap


def _rank():
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank()
    return int(os.environ.get("RANK", "0"))


class Recorder:
    def __init__(self, path, model, probe, every=25, tokenizer=None, capture="auto", name=None, description="",
                 spec=None, corpus_name="", probe_text="", overwrite=False, flush_seconds=1.0, rank=None,
                 checkpoint_every=0, total_steps=None, data=None):
        """path: the .attnrun to create. model: the module being trained (DDP-wrapped is fine). probe: 1-D
        token ids (the fixed probe sequence). every: snapshot cadence in steps. tokenizer: an
        attnscope.Tokenizer (labels the app shows; ids 0/1 are <unk>/<bos> in AttnScope's convention).
        capture: "auto", "attnscope", "nanogpt", "hf", or a function fn(model, probe) → per-layer
        attention / {q, k} (see attnscope.torch.capture.capture_function). checkpoint_every: for
        attnscope.torch.GPT models, store a checkpoint every N steps (0: none). data: the spec's data
        section (e.g. {"source": "fortunes"}), so `attnscope-cli eval --run` finds the data."""
        self.active = (_rank() if rank is None else rank) == 0
        self.every = int(every)
        if self.every < 1:
            raise ValueError("every must be at least 1")
        self.probe_seconds = 0.0  # wall time spent in probes and writes, for overhead reports
        self.probe_cpu_seconds = 0.0  # the same in this process's CPU time
        if not self.active:
            return
        self.model = model
        self.probe = torch.as_tensor(np.asarray(probe), dtype=torch.long).reshape(1, -1)
        if self.probe.shape[1] < 1:
            raise ValueError("the probe needs at least one token")
        self.capture = capture
        self.flush_seconds = flush_seconds
        self.checkpoint_every = checkpoint_every
        self._pending = []
        self._pending_scalars = []
        self._last_flush = time.monotonic()
        self._start = time.monotonic()
        self._last_step = 0
        self._last_checkpoint = None
        inner = cap.unwrap(model)
        if checkpoint_every and not cap.is_attnscope_gpt(inner):
            raise ValueError("checkpoint_every needs an attnscope.torch.GPT model (checkpoints are in the engine's "
                             "format)")
        layers, _, _ = self._capture(inner)  # learns the shapes for the header; also checks the capture works
        L, H = len(layers), layers[0].attention.shape[0]
        T = self.probe.shape[1]
        if spec is None:
            model_section = {"layers": L, "heads": H, "context": T}
            if cap.is_attnscope_gpt(inner):
                model_section = inner.config.to_spec()
            else:
                if layers[0].wq is not None:
                    model_section["d_model"] = int(layers[0].wq.shape[0])
            if tokenizer is not None:
                model_section["vocab"] = tokenizer.vocab_size
            train = {"record_every": self.every, "probe_length": T, "checkpoint_every": checkpoint_every}
            if total_steps:
                train["steps"] = int(total_steps)
            spec = run_spec(name=name or os.path.splitext(os.path.basename(path))[0], description=description,
                            model=model_section, train=train,
                            data=data if data is not None else {"source": "file", "path": corpus_name or "pytorch"})
        self.spec = spec
        self.writer = RunWriter.create(path, spec=spec, tokenizer_json=self._tokenizer(tokenizer).to_json(),
                                       probe_tokens=self.probe[0].tolist(), probe_text=probe_text,
                                       corpus_name=corpus_name or "pytorch", description=description,
                                       overwrite=overwrite)
        self.path = self.writer.path
        self.writer.set_status("training", 0)
        self.snapshot(0)

    def _tokenizer(self, tokenizer):
        """Without a tokenizer the app labels tokens by their ids (symbols "2", "3", ...; ids 0 and 1 are
        AttnScope's <unk> and <bos>)."""
        if tokenizer is not None:
            return tokenizer
        return Tokenizer.from_symbols([str(i) for i in range(2, int(self.probe.max()) + 1)])

    # --- the probe -------------------------------------------------------------------------------------
    def _capture(self, inner):
        was_training = inner.training
        inner.eval()
        try:
            with torch.no_grad():
                device = next(inner.parameters()).device
                probe = self.probe.to(device)
                c = self.capture
                if callable(c):
                    return cap.capture_function(c, inner, probe)
                if c == "attnscope" or (c == "auto" and cap.is_attnscope_gpt(inner)):
                    return cap.capture_attnscope(inner, probe)
                mods = cap.find_nanogpt_attention(inner)
                if c == "nanogpt" or (c == "auto" and mods and not hasattr(getattr(inner, "config", None), "output_attentions")):
                    if not mods:
                        raise ValueError("capture='nanogpt' found no CausalSelfAttention (c_attn, n_head) module")
                    return cap.capture_nanogpt(inner, probe, mods)
                if c == "hf" or (c == "auto" and hasattr(getattr(inner, "config", None), "output_attentions")):
                    return cap.capture_hf(inner, probe)
                raise ValueError("the recorder cannot see this model's attention: pass capture=fn(model, probe) "
                                 "returning per-layer attention maps or q and k (docs/python.md)")
        finally:
            inner.train(was_training)

    def snapshot(self, step, scalars=None):
        """Runs the probe now and writes the snapshot of `step`."""
        if not self.active:
            return
        t0, c0 = time.perf_counter(), time.process_time()
        inner = cap.unwrap(self.model)
        layers, out_logits, windows = self._capture(inner)
        attention = np.stack([l.attention for l in layers]).astype(np.float32)
        logits = None if any(l.logits is None for l in layers) else np.stack([l.logits for l in layers]).astype(np.float32)
        L, H = attention.shape[:2]
        w = np.zeros((L, H), dtype=np.int64) if windows is None else np.asarray(windows, dtype=np.int64)
        metrics = snapshot_metrics(attention, logits, w)
        if logits is None:
            metrics.pop("max_logit"), metrics.pop("mean_row_max")
        qk_norm = cap.is_attnscope_gpt(inner) and inner.config.qk_norm
        metrics.update(cap.weight_metrics(layers, H, qk_norm))
        if out_logits is not None:
            z = out_logits.astype(np.float64)
            m = z.max(-1, keepdims=True)
            metrics["mean_log_z"] = float((m[:, 0] + np.log(np.exp(z - m).sum(-1))).mean())
            metrics["out_logit_max"] = float(np.abs(z).max())
        all_scalars = dict(self._model_scalars(inner))
        all_scalars.update(scalars or {})
        self._flush()
        self.writer.append_snapshot(step, self.probe[0].numpy(), attention, logits, metrics, all_scalars)
        if self.checkpoint_every and step and step % self.checkpoint_every == 0:
            self.save_checkpoint(step)
        self._account(t0, c0)

    def _model_scalars(self, inner):
        """σReparam σ/γ and ResFormer λ of attnscope GPT models, named as the engine names them."""
        if not cap.is_attnscope_gpt(inner):
            return []
        from .model import _mapping
        out = []
        _, groups = _mapping(inner.config)
        mods = dict(inner.named_modules())
        for engine, module, block in groups:
            m = mods[module]
            with torch.no_grad():
                sigma, _ = m._sigma(training=False)  # as the probe's eval forward: nothing stored
            out.append(("sigma/" + engine, float(sigma[block])))
            out.append(("gamma/" + engine, float(m.gamma[block])))
        if inner.config.value_residual in ("identity", "constant", "learnable"):
            for l, a in enumerate(inner.attention_modules()):
                if l > 0:
                    l1, l2 = a.lambdas()
                    out += [(f"lambda1/l{l}", float(l1)), (f"lambda2/l{l}", float(l2))]
        return out

    def save_checkpoint(self, step):
        """Stores an engine-format checkpoint (attnscope.torch.GPT models only): the app's "Probe text"
        and `attnscope-cli eval` then work on the recorded run."""
        if not self.active:
            return
        inner = cap.unwrap(self.model)
        if not cap.is_attnscope_gpt(inner):
            raise TypeError("checkpoints in the engine's format need an attnscope.torch.GPT model")
        self.writer.save_checkpoint(step, inner.to_checkpoint(step, self.spec if isinstance(self.spec, dict) else None))
        self._last_checkpoint = step

    # --- per step --------------------------------------------------------------------------------------
    def step(self, step, loss, grad_norm=float("nan"), lr=float("nan"), val_loss=float("nan"),
             tokens_per_sec=float("nan"), scalars=None, **extra):
        """Call once per optimisation step (1-based) with the training loss. scalars: named per-step values
        ({"bigram_loss": ...}, table step_scalars); extra: further steps columns (ce_loss=...)."""
        if not self.active:
            return
        t0, c0 = time.perf_counter(), time.process_time()
        loss = float(loss.detach()) if torch.is_tensor(loss) else float(loss)
        grad_norm = float(grad_norm) if grad_norm is not None else float("nan")
        self._pending.append(dict(step=int(step), loss=loss, val_loss=float(val_loss), lr=float(lr),
                                  grad_norm=grad_norm, tokens_per_sec=float(tokens_per_sec),
                                  elapsed_sec=time.monotonic() - self._start, **extra))
        if scalars:
            self._pending_scalars.append((int(step), dict(scalars)))
        self._last_step = int(step)
        if not np.isfinite(loss):
            self._flush()
            self.writer.append_event(step, "nonfinite", f"training loss is {loss}")
        if step % self.every == 0:
            self._account(t0, c0)
            self.snapshot(step)
            return
        if time.monotonic() - self._last_flush >= self.flush_seconds:
            self._flush()
        self._account(t0, c0)

    def _account(self, t0, c0):
        self.probe_seconds += time.perf_counter() - t0
        self.probe_cpu_seconds += time.process_time() - c0

    def event(self, step, kind, message):
        if self.active:
            self._flush()
            self.writer.append_event(step, kind, message)

    def eval(self, step, length, loss, mode="nonoverlapping", note=""):
        if self.active:
            self.writer.append_eval(step, length, loss, mode, note)

    def _flush(self):
        if self._pending:
            self.writer.append_steps(self._pending)
            self._pending = []
        for step, values in self._pending_scalars:
            self.writer.append_step_scalars(step, values)
        self._pending_scalars = []
        self._last_flush = time.monotonic()

    def close(self, status="finished", message=""):
        """Flushes, records the final status (finished / stopped / diverged / failed) and releases the file."""
        if not self.active or self.writer is None:
            return
        self._flush()
        if self.checkpoint_every and self._last_checkpoint != self._last_step:
            self.save_checkpoint(self._last_step)
        self.writer.set_status(status, self._last_step, message)
        self.writer.close()
        self.writer = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        elif self.active and self.writer is not None:
            status = "stopped" if issubclass(exc_type, KeyboardInterrupt) else "failed"
            self.close(status, "" if status == "stopped" else f"{exc_type.__name__}: {exc}")
