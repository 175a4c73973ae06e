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
import threading
import time
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from ..background import BackgroundJobs
from ..codec import PackedMaps
from ..metrics import snapshot_metrics
from ..recording_gaps import CHECKPOINT, RECORDS, SNAPSHOT, GuardedWrites
from ..spec import run_spec
from ..tokenizer import Tokenizer, as_tokenizer
from ..writer import RunWriter
from . import capture as cap
from . import describe
from . import hf_capture

#: The induction probe's draw (numpy's default_rng): the engine's seed (core/data/induction_probe.h), though
#: the two generators draw different tokens from it.
INDUCTION_PROBE_SEED = 0x1DC70B5E9E3779B9
from .model import checkpoint_image


def _rank():
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank()
    return int(os.environ.get("RANK", "0"))


class Recorder:
    def __init__(self, path, model, probe, every=25, tokenizer=None, capture="auto", name=None, description="",
                 spec=None, corpus_name="", probe_text="", overwrite=False, flush_seconds=1.0, rank=None,
                 checkpoint_every=0, total_steps=None, data=None, background=True, initial_snapshot=True,
                 precision="q8", logits=None, induction_probe=32, induction_tokens=None, induction_prefix=()):
        """path: the .attnrun to create. model: the module being trained — DDP- or torch.compile-wrapped, or
        held by a wrapper module of yours as an attribute, is fine. probe: 1-D token ids (the fixed probe
        sequence). every: snapshot cadence in steps. tokenizer: what labels the tokens — an
        attnscope.Tokenizer, a tokenizer.json path or its folder, nanoGPT's stoi/itos (ids from 0), or a
        fast transformers tokenizer (attnscope.tokenizer.as_tokenizer); without one, tokens are labelled
        by id. capture: "auto", "attnscope", "hf" (transformers GPT-2, GPT-NeoX, Llama, Mistral, Qwen2),
        "nanogpt", or a function fn(model, probe) → per-layer attention / {q, k} (see
        attnscope.torch.capture.capture_function); a model whose attention the recorder cannot compute
        exactly is refused with attnscope.torch.UnsupportedModel. checkpoint_every: for
        attnscope.torch.GPT models, store a checkpoint every N steps (0: none). data: the spec's data
        section (e.g. {"source": "fortunes"}), so `attnscope-cli eval --run` finds the data. background:
        compute metrics and write on a worker thread (attnscope.background), so the training loop only
        pays for the probe's forward pass and the copies; False does everything in the calling thread.
        initial_snapshot: record the model as it is now as step 0 (record_checkpoints sets False: its
        snapshots are at the checkpoints' steps). precision: how the maps are stored, "q8" (8 bits per value
        against each row's range: about a tenth of float16's bytes, error ≤ (row max − row min)/504,
        docs/run-format.md) or "f16" (float16). logits: whether the content-logit maps are stored (the
        per-head logit metrics are recorded either way; the app shows stored logits in its tooltips); None
        stores them for probes of up to 256 tokens, where they cost little. induction_probe: n, the half
        length of the induction probe recorded beside every snapshot (n distinct random token ids drawn with
        a fixed seed, then the same n again; core/data/induction_probe.h), on which the induction and
        duplicate-token scores mean what docs/metrics.md says; 0 records none. induction_tokens: the ids to
        draw from (default: every id of the model's vocabulary but the tokenizer's specials).
        induction_prefix: ids put first, e.g. (bos,) for a model trained with one. The half length shrinks to
        what the ids allow and to make the probe no longer than `probe`."""
        self.active = (_rank() if rank is None else rank) == 0
        self.every = int(every)
        if self.every < 1:
            raise ValueError("every must be at least 1")
        self.probe_seconds = 0.0  # wall time the training thread spent in the recorder, for overhead reports
        self.probe_cpu_seconds = 0.0  # the same in this process's CPU time
        if not self.active:
            return
        self.model = model
        self.probe = torch.as_tensor(np.asarray(probe), dtype=torch.long).reshape(1, -1)
        if self.probe.shape[1] < 1:
            raise ValueError("the probe needs at least one token")
        if precision not in ("q8", "f16"):
            raise ValueError(f'precision must be "q8" or "f16", got {precision!r}')
        self.precision = precision
        self.store_logits = self.probe.shape[1] <= 256 if logits is None else bool(logits)
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
        self._target = self._locate(inner)
        kind, module, _ = self._target
        if checkpoint_every and kind != "attnscope":
            raise ValueError("checkpoint_every needs an attnscope.torch.GPT model (checkpoints are in the engine's "
                             "format)")
        # Learns the shapes for the header, and checks once that the maps reproduce the model's own attention.
        layers, _, _ = self._capture(inner, verify=True)
        L, H = len(layers), layers[0].attention.shape[0]
        T = self.probe.shape[1]
        self.model_description = self._describe(kind, module, layers)
        tokenizer = as_tokenizer(tokenizer)
        self.induction = self._induction_probe(induction_probe, induction_tokens, induction_prefix, tokenizer)
        if spec is None:
            # The engine's spec names only what was found on the model: readers take the rest from model_json
            # and show what nobody found as "—".
            if kind == "attnscope":
                model_section = module.config.to_spec()
            else:
                model_section = {"layers": L, "heads": H}
                model_section.update({key: self.model_description[key] for key in ("d_model", "context", "vocab")
                                      if key in self.model_description})
            train = {"record_every": self.every, "probe_length": T, "checkpoint_every": checkpoint_every,
                     "map_precision": precision, "probe_logits": self.store_logits,
                     "induction_probe": (self.induction.shape[1] // 2) if self.induction is not None else -1}
            if total_steps:
                train["steps"] = int(total_steps)
            spec = run_spec(name=name or os.path.splitext(os.path.basename(path))[0], description=description,
                            model=model_section, train=train,
                            data=data if data is not None else {"source": "file", "path": corpus_name or "pytorch"})
        self.spec = spec
        self.writer = RunWriter.create(path, spec=spec, tokenizer_json=self._tokenizer(tokenizer).to_json(),
                                       probe_tokens=self.probe[0].tolist(), probe_text=probe_text,
                                       corpus_name=corpus_name or "pytorch", description=description,
                                       overwrite=overwrite, model=self.model_description)
        self.path = self.writer.path
        self.writer.set_status("training", 0)
        self._jobs = BackgroundJobs() if background else None
        # One snapshot in the works at a time: a capture that finds the previous one still being encoded waits
        # for it, so the recorder holds at most two snapshots' maps (1.2 GB each at 12 × 12 × 1024 tokens).
        self._snapshot_slot = threading.BoundedSemaphore(1)
        if self._jobs is not None:
            # A script that ends without close() still gets everything it recorded into the file (the
            # worker is a daemon thread, which the interpreter would otherwise stop mid-queue).
            weakref.finalize(self, _drain_quietly, self._jobs)
        self._pool = (ThreadPoolExecutor(max_workers=max(1, min(3, (os.cpu_count() or 2) - 1)),
                                         thread_name_prefix="attnscope metrics") if background else None)
        self._guard = GuardedWrites(self.writer.append_event, self.path)
        if initial_snapshot:
            self.snapshot(0)

    def _tokenizer(self, tokenizer):
        """Without a tokenizer the app labels tokens by their ids: for attnscope GPT models in the engine's
        convention (ids 0 and 1 are <unk> and <bos>, symbols "2", "3", ...), for other models every id from
        0 up to the model's vocabulary (or the largest probe id)."""
        if tokenizer is not None:
            return tokenizer
        if self._target[0] == "attnscope":
            return Tokenizer.from_symbols([str(i) for i in range(2, int(self.probe.max()) + 1)])
        n = max(int(self.model_description.get("vocab", 0)), int(self.probe.max()) + 1)
        return Tokenizer.from_labels([str(i) for i in range(n)])

    @staticmethod
    def _describe(kind, module, layers):
        if kind == "attnscope":
            return describe.describe_attnscope(module)
        if kind == "hf":
            return describe.describe_hf(module, hf_capture.geometry(module))
        if kind == "nanogpt":
            return describe.describe_nanogpt(module, cap.find_nanogpt_attention(module))
        return describe.describe_captured(len(layers), int(layers[0].attention.shape[0]))

    # --- the probe -------------------------------------------------------------------------------------
    def _locate(self, inner):
        """(kind, module, detail): which capture applies and the module the probe runs through — the model
        itself or the one a wrapper holds."""
        c = self.capture
        if callable(c):
            return "function", inner, c
        if c not in ("auto", "attnscope", "hf", "nanogpt"):
            raise ValueError(f"capture={c!r}: use 'auto', 'attnscope', 'hf', 'nanogpt' or a function")
        if c in ("auto", "attnscope"):
            gpt = cap.find_attnscope_gpt(inner)
            if gpt is not None:
                return "attnscope", gpt, None
            if c == "attnscope":
                raise ValueError("capture='attnscope' found no attnscope.torch.GPT in the model")
        if c in ("auto", "hf"):
            hf = hf_capture.find_hf_model(inner)
            if hf is not None:
                return "hf", hf, None
            if c == "hf":
                raise ValueError("capture='hf' found no transformers model (a module whose config has a model_type)")
        mods = cap.find_nanogpt_attention(inner)
        if mods:
            return "nanogpt", cap.owner_of(inner, mods), mods
        if c == "nanogpt":
            raise ValueError("capture='nanogpt' found no CausalSelfAttention (c_attn, n_head) module")
        raise hf_capture.UnsupportedModel(
            "the recorder cannot see this model's attention: it records attnscope, nanoGPT and transformers "
            f"{', '.join(hf_capture.FAMILIES)} models; pass capture=fn(model, probe) returning per-layer attention "
            "maps or q and k (docs/python.md)")

    def _induction_probe(self, half, symbols, prefix, tokenizer):
        """The induction probe's tokens as a [1, T] tensor, or None (half = 0). Without induction_tokens the
        draw is from the vocabulary (its specials left out), or, where the model does not say its vocabulary
        size, from the ids of the text probe; the whole probe is no longer than the text probe (the half length
        shrinks to fit it and the ids), and below a half length of 2 no induction probe is recorded."""
        half = int(half)
        if half < 0:
            raise ValueError("induction_probe must be 0 (none) or a positive half length")
        if half == 0:
            return None
        prefix = [int(t) for t in np.asarray(prefix, dtype=np.int64).ravel()]
        if symbols is None:
            vocab = self.model_description.get("vocab")
            specials = set(tokenizer.special_ids()) if tokenizer is not None else set()
            pool = range(int(vocab)) if vocab else np.unique(self.probe[0].numpy())
            symbols = [int(i) for i in pool if int(i) not in specials]
        symbols = np.unique(np.asarray(symbols, dtype=np.int64).ravel())
        # No longer than the text probe, which the recorder has checked it computes exactly for this model
        # (within its context, and any sliding window).
        half = min(half, (self.probe.shape[1] - len(prefix)) // 2)
        half = min(half, symbols.size)
        if half < 2:
            return None
        draw = np.random.default_rng(INDUCTION_PROBE_SEED).choice(symbols, size=half, replace=False)
        return torch.as_tensor(prefix + [int(t) for t in draw] * 2, dtype=torch.long).reshape(1, -1)

    def _capture(self, inner, verify=False, probe=None):
        kind, module, detail = self._target
        was_training = inner.training
        inner.eval()
        try:
            with torch.no_grad():
                device = next(module.parameters()).device
                probe = (self.probe if probe is None else probe).to(device)
                if kind == "function":
                    return cap.capture_function(detail, inner, probe)
                if kind == "attnscope":
                    return cap.capture_attnscope(module, probe)
                if kind == "hf":
                    return cap.capture_hf(module, probe, verify=verify)
                return cap.capture_nanogpt(module, probe, detail, verify=verify)
        finally:
            inner.train(was_training)

    def snapshot(self, step, scalars=None):
        """Runs the probe now and writes the snapshot of `step` (on the worker thread when background)."""
        if not self.active:
            return
        t0, c0 = time.perf_counter(), time.process_time()
        inner = cap.unwrap(self.model)
        layers, out_logits, windows = self._capture(inner)  # numpy copies: safe from later optimizer steps
        self.last_output_logits = out_logits  # [T, V] or None: the probe's next-token logits
        heads = layers[0].attention.shape[0]
        kind, module, _ = self._target
        qk_norm = kind == "attnscope" and module.config.qk_norm
        all_scalars = dict(self._model_scalars(module if kind == "attnscope" else inner))
        all_scalars.update(scalars or {})
        self._flush()
        tokens = self.probe[0].numpy()
        induction = None
        if self.induction is not None:
            induction_layers, _, _ = self._capture(inner, probe=self.induction)
            induction = (self.induction[0].numpy(), induction_layers)
        self._snapshot_slot.acquire()
        try:
            write = self._schedule_snapshot(step, tokens, layers, out_logits, windows, heads, qk_norm, all_scalars,
                                            induction)
        except BaseException:
            self._snapshot_slot.release()
            raise
        del layers  # the scheduled work holds the maps now; the slot is freed once they are written or dropped
        self._submit(SNAPSHOT, [step], write, done=self._snapshot_slot.release)
        if self.checkpoint_every and step and step % self.checkpoint_every == 0:
            self.save_checkpoint(step)
        self._account(t0, c0)

    def _schedule_snapshot(self, step, tokens, layers, out_logits, windows, heads, qk_norm, scalars,
                           induction=None):
        """Starts the snapshot's computations and returns the write that waits for them. Metrics, weight
        metrics and the two compressed map blobs are independent: with a compute pool they run side by side
        (numpy's large operations and zlib release the GIL); rows still land in order. induction: (tokens,
        layers) of the induction probe, stored with the snapshot."""
        compute = self._pool.submit if self._pool is not None else _Done
        has_logits = all(l.logits is not None for l in layers)
        pack = lambda ls, name: PackedMaps([getattr(l, name) for l in ls], self.precision)  # noqa: E731
        attention = compute(lambda: pack(layers, "attention"))
        logits = compute(lambda: pack(layers, "logits")) if has_logits and self.store_logits else _Done(lambda: None)
        metrics = compute(lambda: _snapshot_metrics(layers, out_logits, windows, heads, qk_norm, has_logits,
                                                           tokens))
        induction_parts = None
        if induction is not None:
            ind_tokens, ind_layers = induction
            ind_logits = has_logits and all(l.logits is not None for l in ind_layers)
            induction_parts = (
                ind_tokens, compute(lambda: pack(ind_layers, "attention")),
                compute(lambda: pack(ind_layers, "logits")) if ind_logits and self.store_logits
                else _Done(lambda: None),
                compute(lambda: _probe_metrics(ind_layers, windows, heads, ind_logits, ind_tokens)))

        def write():
            extra = None
            if induction_parts is not None:
                ind_tokens, ind_attention, ind_logits, ind_metrics = induction_parts
                extra = {"tokens": ind_tokens, "attention": ind_attention.result(), "logits": ind_logits.result(),
                         "metrics": ind_metrics.result()}
            self.writer.append_snapshot(step, tokens, attention.result(), logits.result(), metrics.result(),
                                        scalars, layers=len(layers), heads=heads, precision=self.precision,
                                        induction=extra)
        return write

    def _submit(self, kind, steps, write, done=None):
        """Runs write() under the failure policy (attnscope.recording_gaps), on the worker when background;
        done() runs after it whatever happens (also when the job is never queued)."""
        def job():
            try:
                self._guard.run(kind, steps, write)
            finally:
                if done is not None:
                    done()
        if self._jobs is None:
            job()
            return
        try:
            self._jobs.submit(job)
        except BaseException:
            if done is not None:
                done()
            raise

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
            out.append(("gamma/" + engine, float(m.gamma[block].detach())))
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
        kind, inner, _ = self._target
        if kind != "attnscope":
            raise TypeError("checkpoints in the engine's format need an attnscope.torch.GPT model")
        state = {k: v.detach().to("cpu", copy=True) for k, v in inner.state_dict().items()}
        config, spec = inner.config, self.spec if isinstance(self.spec, dict) else None
        self._submit(CHECKPOINT, [step],
                     lambda: self.writer.save_checkpoint(step, checkpoint_image(state, config, step, spec)))
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
            self.event(step, "nonfinite", f"training loss is {loss}")
        if step % self.every == 0:
            self._account(t0, c0)
            self.snapshot(step)
            return
        if time.monotonic() - self._last_flush >= self.flush_seconds:
            self._flush()
        self._account(t0, c0)

    def mark(self, step, scalars=None):
        """A step row without a training loss (none was measured; stored as NULL, which readers show as a gap),
        with optional named scalars — the step of a checkpoint in a series (record_checkpoints)."""
        if not self.active:
            return
        nan = float("nan")
        self._pending.append(dict(step=int(step), loss=nan, val_loss=nan, lr=nan, grad_norm=nan, tokens_per_sec=nan,
                                  elapsed_sec=time.monotonic() - self._start))
        if scalars:
            self._pending_scalars.append((int(step), dict(scalars)))
        self._last_step = int(step)
        self._flush()

    def _account(self, t0, c0):
        self.probe_seconds += time.perf_counter() - t0
        self.probe_cpu_seconds += time.process_time() - c0

    def event(self, step, kind, message):
        if self.active:
            self._flush()
            self._submit(RECORDS, [step], lambda: self.writer.append_event(step, kind, message))

    def eval(self, step, length, loss, mode="nonoverlapping", note=""):
        if self.active:
            self._submit(RECORDS, [step], lambda: self.writer.append_eval(step, length, loss, mode, note))

    def _flush(self):
        pending, scalars = self._pending, self._pending_scalars
        self._pending, self._pending_scalars = [], []
        self._last_flush = time.monotonic()
        if not pending and not scalars:
            return

        def write():
            if pending:
                self.writer.append_steps(pending)
            for step, values in scalars:
                self.writer.append_step_scalars(step, values)
        self._submit(RECORDS, [r["step"] for r in pending] + [st for st, _ in scalars], write)

    def sync(self):
        """Waits until everything recorded so far is in the file (a reader then sees it); raises a write
        error of the worker, if any."""
        if self.active and self.writer is not None:
            self._flush()
            if self._jobs is not None:
                self._jobs.drain()

    def close(self, status="finished", message=""):
        """Flushes, records the final status (finished / stopped / diverged / failed) and releases the file."""
        if not self.active or self.writer is None:
            return
        try:
            self._flush()
            if self.checkpoint_every and self._last_checkpoint != self._last_step:
                self.save_checkpoint(self._last_step)
        finally:
            error = None
            if self._jobs is not None:
                try:
                    self._jobs.close()  # everything queued is written before the final status
                except BaseException as e:  # noqa: BLE001
                    error = e
                self._jobs = None
                self._pool.shutdown()
            if error is not None and status == "finished":
                status, message = "failed", f"the recorder could not write: {error}"
            # The final status goes through the failure policy like every record: after a last try of the
            # records a full disk held back, and never as an exception out of close() (the training it
            # records is over; what was written stays readable).
            step = self._last_step
            self._guard.run(RECORDS, [step], lambda: self.writer.set_status(status, step, message))
            if self._guard.unwritten_records:
                warnings.warn(f"AttnScope could not record the end of the run in {self.writer.path} "
                              f"({self._guard.cause}); the file keeps everything written before and shows the "
                              "run as interrupted", RuntimeWarning, stacklevel=2)
            try:
                self.writer.close()
            except Exception as e:  # noqa: BLE001 — closing a file on a full disk; nothing left to lose
                warnings.warn(f"AttnScope could not close {self.writer.path} cleanly ({e})", RuntimeWarning,
                              stacklevel=2)
            self.writer = None
            if error is not None and not isinstance(error, Exception):
                raise error  # KeyboardInterrupt and the like, not a write error

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        elif self.active and self.writer is not None:
            status = "stopped" if issubclass(exc_type, KeyboardInterrupt) else "failed"
            self.close(status, "" if status == "stopped" else f"{exc_type.__name__}: {exc}")


def _drain_quietly(jobs):
    try:
        jobs.close()
    except Exception:  # noqa: BLE001 — at exit there is nobody left to report to
        pass


class _Done:
    """A computed-now stand-in for a Future (the recorder without a worker)."""

    def __init__(self, fn):
        self._value = fn()

    def result(self):
        return self._value


def _probe_metrics(layers, windows, heads, has_logits, tokens):
    """The map-derived metrics of one probe's maps (attnscope.metrics.snapshot_metrics)."""
    attention = [l.attention for l in layers]  # per layer: never stacked (a 1024-token snapshot is GBs)
    logits = [l.logits for l in layers] if has_logits else None
    L = len(attention)
    w = np.zeros((L, heads), dtype=np.int64) if windows is None else np.asarray(windows, dtype=np.int64)
    metrics = snapshot_metrics(attention, logits, w, tokens)
    if logits is None:
        metrics.pop("max_logit"), metrics.pop("mean_row_max")
    return metrics


def _snapshot_metrics(layers, out_logits, windows, heads, qk_norm, has_logits, tokens):
    metrics = _probe_metrics(layers, windows, heads, has_logits, tokens)
    metrics.update(cap.weight_metrics(layers, heads, qk_norm))
    if out_logits is not None:
        z = out_logits.astype(np.float64)
        m = z.max(-1, keepdims=True)
        metrics["mean_log_z"] = float((m[:, 0] + np.log(np.exp(z - m).sum(-1))).mean())
        metrics["out_logit_max"] = float(np.abs(z).max())
    return metrics
