"""Reading .attnrun files: numpy arrays everywhere, pandas DataFrames on request (when pandas is
installed). Safe on a run that is still being written: every call is one read transaction and sees the
latest commit; the reader never locks or writes the file."""
import json
import os
import sqlite3
import zlib

import numpy as np

from . import safetensors
from .codec import FormatError, blob_to_floats, blob_to_int32s, none_to_nan, unpack_maps, MAP_ENCODING
from .schema import APP_MARKER, READS_UP_TO, REQUIRED_TABLES, SNAPSHOT_ARRAYS, SNAPSHOT_REALS


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("this method returns a pandas DataFrame; install pandas (apt install python3-pandas) "
                          "or use the numpy variant without _df") from None
    return pandas


class Snapshot:
    """One probe snapshot. Per-head arrays are [L, H] (key_profile [L, H, T], importance_entropy [L]);
    attention is [L, H, T, T] with exact 0 where masked, logits the same with NaN where masked. Arrays the
    writer did not compute are None."""

    def __init__(self, step, layers, heads, length, tokens, arrays, reals, scalars, maps):
        self.step, self.layers, self.heads, self.length = step, layers, heads, length
        self.tokens = tokens
        self.arrays = arrays
        self.sink_rate = reals.get("sink_rate", np.nan)
        self.out_logit_max = reals.get("out_logit_max", np.nan)
        self.mean_log_z = reals.get("mean_log_z", np.nan)
        self.reals = reals
        self.scalars = scalars
        self._maps = maps  # column → callable returning the decoded maps (decoded on first use)
        self._decoded = {}

    def __getattr__(self, name):
        arrays = self.__dict__.get("arrays", {})
        if name in arrays:
            return arrays[name]
        raise AttributeError(name)

    def _map(self, column):
        if column not in self._decoded:
            self._decoded[column] = self._maps[column]()
        return self._decoded[column]

    @property
    def attention(self):
        return self._map("attention")

    @property
    def logits(self):
        return self._map("logits")

    def __repr__(self):
        return f"<Snapshot step {self.step}: {self.layers} layers × {self.heads} heads × T={self.length}>"


class Run:
    """An open run file. ``Run(path)`` or ``attnscope.open_run(path)``; use as a context manager or close()."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self._check_signature()
        try:
            # A WAL file in a folder we cannot write (an installed sample run) and without its -shm cannot
            # be opened for live reading; nobody can be writing it then, so it is read as immutable.
            frozen = not os.access(os.path.dirname(os.path.abspath(self.path)), os.W_OK) and \
                not os.path.exists(self.path + "-shm")
            self._con = sqlite3.connect(f"file:{_uri_path(self.path)}?mode=ro" + ("&immutable=1" if frozen else ""),
                                        uri=True, timeout=5.0, check_same_thread=False)
            self._con.execute("PRAGMA query_only = 1")
            self._validate()
        except sqlite3.DatabaseError as e:
            raise FormatError(f"{self.path} is damaged: {e}.") from None
        self._columns = {}

    # --- opening ---------------------------------------------------------------------------------------
    def _check_signature(self):
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"{self.path} does not exist.")
        if os.path.isdir(self.path):
            raise FormatError(f"{self.path} is a folder, not a run file.")
        with open(self.path, "rb") as f:
            magic = f.read(16)
        if not magic:
            raise FormatError(f"{self.path} is not an AttnScope run file (it is empty).")
        if magic != b"SQLite format 3\x00":
            raise FormatError(f"{self.path} is not an AttnScope run file (it is not a SQLite database).")

    def _validate(self):
        tables = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            raise FormatError(f"{self.path} is not an AttnScope run file (it is a SQLite database without "
                              "AttnScope tables).")
        self.meta = dict(self._con.execute("SELECT key, value FROM meta"))
        if self.meta.get("app") != APP_MARKER:
            raise FormatError(f"{self.path} is not an AttnScope run file (it is a SQLite database made by "
                              "another program).")
        try:
            self.schema_version = int(self.meta["schema_version"])
            min_reader = int(self.meta.get("min_reader_schema", self.schema_version))
        except (KeyError, ValueError):
            raise FormatError(f"{self.path} is damaged: its schema version is missing or not a number.") from None
        if min_reader > READS_UP_TO:
            raise FormatError(f"{self.path} was written by a newer AttnScope (schema {self.schema_version}; this "
                              f"version reads up to {READS_UP_TO}). Please update the attnscope package.")
        for t in REQUIRED_TABLES:
            if t not in tables:
                raise FormatError(f'{self.path} is damaged: its table "{t}" is missing.')
        self.tables = tables

    def close(self):
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<attnscope.Run {self.path}>"

    def _query(self, sql, args=()):
        try:
            return self._con.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as e:
            raise FormatError(f"{self.path} is damaged: {e}.") from None

    def columns(self, table):
        """Column names of a table as the file has them (newer writers may add columns)."""
        if table not in self._columns:
            self._columns[table] = [r[1] for r in self._query(f"PRAGMA table_info({table})")]
        return self._columns[table]

    def has_table(self, table):
        return bool(self._query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)))

    # --- header ----------------------------------------------------------------------------------------
    @property
    def header(self):
        row = self._query("SELECT * FROM run WHERE id = 1")
        if not row:
            raise FormatError(f"{self.path} is damaged: its run header is missing.")
        header = dict(zip(self.columns("run"), row[0]))
        header["probe_tokens"] = blob_to_int32s(header.get("probe_tokens"), f"{self.path} (probe tokens)")
        return header

    @property
    def spec(self):
        """The RunSpec as a dict (model, train, data, name, ...)."""
        return json.loads(self.header["spec_json"])

    @property
    def tokenizer(self):
        from .tokenizer import Tokenizer
        return Tokenizer.from_json(self.header["tokenizer_json"])

    # --- curves ----------------------------------------------------------------------------------------
    def _table(self, table, order):
        info = self._query(f"PRAGMA table_info({table})")
        cols = [r[1] for r in info]
        types = {r[1]: (r[2] or "").upper() for r in info}
        rows = self._query(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order}")
        out = {}
        for i, c in enumerate(cols):
            values = [r[i] for r in rows]
            if types[c] == "INTEGER":
                out[c] = np.array([-1 if v is None else v for v in values], dtype=np.int64)
            elif types[c] == "REAL":
                out[c] = none_to_nan(values)
            else:
                out[c] = np.array(values, dtype=object)
        return out

    def steps(self):
        """Every column of the steps table as numpy arrays: step (int64), loss, val_loss, lr, grad_norm,
        tokens_per_sec, elapsed_sec (and any column a newer writer added, e.g. ce_loss). NULL → NaN."""
        return self._table("steps", "step")

    def steps_df(self):
        return _pandas().DataFrame(self.steps()).set_index("step")

    def events(self):
        """id, step, kind, message."""
        return self._table("events", "id")

    def events_df(self):
        return _pandas().DataFrame(self.events())

    def evals(self):
        """step, length, mode, loss, perplexity, note (length extrapolation)."""
        return self._table("evals", "id")

    def evals_df(self):
        return _pandas().DataFrame(self.evals())

    def status_history(self):
        return self._table("status_history", "id")

    @property
    def status(self):
        row = self._query("SELECT status, step, message FROM status_history ORDER BY id DESC LIMIT 1")
        return row[0] if row else None

    def _series(self, sql):
        out = {}
        for step, name, value in self._query(sql):
            steps, values = out.setdefault(name, ([], []))
            steps.append(step)
            values.append(value)
        return {k: (np.array(s, dtype=np.int64), none_to_nan(v)) for k, (s, v) in out.items()}

    def step_scalars(self):
        """Named per-step scalars (table step_scalars, schema 2) as {name: (steps, values)}; {} if absent."""
        if not self.has_table("step_scalars"):
            return {}
        return self._series("SELECT step, name, value FROM step_scalars ORDER BY name, step")

    def snapshot_scalars(self):
        """Model-level snapshot scalars ({name: (steps, values)}), e.g. 'sigma/l0.attn.qkv'."""
        return self._series("SELECT step, name, value FROM snapshot_scalars ORDER BY step, idx")

    # --- snapshots -------------------------------------------------------------------------------------
    def snapshot_steps(self):
        return np.array([r[0] for r in self._query("SELECT step FROM snapshots ORDER BY step")], dtype=np.int64)

    def snapshot(self, step=None, maps=True):
        """The snapshot of `step` (default: the latest). Its maps are read with it (maps=False skips them)
        and decoded on first access of .attention / .logits."""
        if step is None:
            steps = self.snapshot_steps()
            if not steps.size:
                raise KeyError(f"{self.path} has no snapshot yet")
            step = int(steps[-1])
        cols = [c for c in self.columns("snapshots") if c not in ("attention", "logits")]
        if maps:
            cols += ["attention", "logits"]
        rows = self._query(f"SELECT {', '.join(cols)} FROM snapshots WHERE step = ?", (int(step),))
        if not rows:
            raise KeyError(f"{self.path} has no snapshot at step {step}")
        row = dict(zip(cols, rows[0]))
        L, H, T = int(row["layers"]), int(row["heads"]), int(row["length"])
        where = f"{self.path} (snapshot of step {step})"
        if L < 1 or H < 1 or T < 0:
            raise FormatError(f"{self.path} is damaged: a snapshot has impossible dimensions.")
        extent = {"lh": (L, H), "lht": (L, H, T), "l": (L,), "l1t": (L + 1, T)}
        arrays = {}
        for c, v in row.items():
            if c in ("attention", "logits", "tokens"):
                continue
            if c in SNAPSHOT_ARRAYS:
                shape = extent[SNAPSHOT_ARRAYS[c]]
            elif isinstance(v, bytes) and len(v) % 4 == 0:
                # a float32 array a newer writer added: shaped by its size where that is unambiguous
                shape = next((e for e in extent.values() if 4 * int(np.prod(e)) == len(v)), (len(v) // 4,))
            else:
                continue
            a = blob_to_floats(v, int(np.prod(shape)), f"{where} {c}")
            arrays[c] = None if a is None else a.reshape(shape)
        tokens = blob_to_int32s(row.get("tokens"), where)
        if tokens.size not in (0, T):
            raise FormatError(f"{where} is damaged: tokens has {tokens.size} values for length {T}.")
        reals = {c: (np.nan if row.get(c) is None else float(row[c])) for c in SNAPSHOT_REALS if c in row}
        encoding = row.get("map_encoding", MAP_ENCODING)
        scalars = dict(self._query("SELECT name, value FROM snapshot_scalars WHERE step = ? ORDER BY idx", (int(step),)))
        scalars = {k: (np.nan if v is None else v) for k, v in scalars.items()}

        def loader(column, fill):
            def load():
                blob = row.get(column)
                if blob is None or len(blob) == 0:
                    return None
                return unpack_maps(encoding, blob, L * H, T, fill, f"{where} {column}").reshape(L, H, T, T)
            return load

        snap = Snapshot(int(step), L, H, T, tokens, arrays, reals, scalars,
                        {"attention": loader("attention", 0.0), "logits": loader("logits", np.nan)})
        return snap

    def attention(self, step=None):
        """Attention maps [L, H, T, T] of a snapshot (0 where masked)."""
        return self.snapshot(step).attention

    def logits(self, step=None):
        """Content logits q·k/√D [L, H, T, T] (NaN where masked)."""
        return self.snapshot(step).logits

    def head_metric(self, name):
        """One per-head metric over all snapshots: (steps [S], values [S, L, H])."""
        steps, values = [], []
        for step in self.snapshot_steps():
            s = self.snapshot(int(step), maps=False)
            v = s.arrays.get(name)
            steps.append(int(step))
            values.append(np.full((s.layers, s.heads), np.nan, np.float32) if v is None else v)
        return np.array(steps, dtype=np.int64), (np.stack(values) if values else np.zeros((0, 0, 0), np.float32))

    def head_metrics_df(self):
        """Long format: one row per (step, layer, head), one column per per-head metric."""
        pandas = _pandas()
        records = []
        for step in self.snapshot_steps():
            s = self.snapshot(int(step), maps=False)
            per_head = {k: v for k, v in s.arrays.items() if v is not None and v.shape == (s.layers, s.heads)}
            for l in range(s.layers):
                for h in range(s.heads):
                    rec = {"step": int(step), "layer": l, "head": h}
                    rec.update({k: float(v[l, h]) for k, v in per_head.items()})
                    records.append(rec)
        return pandas.DataFrame.from_records(records)

    # --- checkpoints -----------------------------------------------------------------------------------
    def checkpoint_steps(self):
        return np.array([r[0] for r in self._query("SELECT step FROM checkpoints ORDER BY step")], dtype=np.int64)

    def checkpoint_bytes(self, step=None):
        if step is None:
            steps = self.checkpoint_steps()
            if not steps.size:
                raise KeyError(f"{self.path} has no checkpoint yet")
            step = int(steps[-1])
        rows = self._query("SELECT format, size, crc32, data FROM checkpoints WHERE step = ?", (int(step),))
        if not rows:
            raise KeyError(f"{self.path} has no checkpoint at step {step}")
        fmt, size, crc, data = rows[0]
        if fmt != "safetensors":
            raise FormatError(f'{self.path}: the checkpoint of step {step} has format "{fmt}", which this '
                              "version cannot read.")
        if len(data) != size or zlib.crc32(data) != crc:
            raise FormatError(f"{self.path} is damaged: the checkpoint of step {step} does not match its "
                              "recorded size and checksum.")
        return data

    def checkpoint(self, step=None):
        """(tensors, metadata) of a checkpoint: every safetensors tensor (param/…, adam_m/…, adam_v/…,
        sigma_a/…, sigma_b/…, rng) as a numpy array, and the metadata (spec, step, …)."""
        return safetensors.loads(self.checkpoint_bytes(step))

    def params(self, step=None):
        """The model parameters of a checkpoint, names without the 'param/' prefix."""
        tensors, _ = self.checkpoint(step)
        return {k[len("param/"):]: v for k, v in tensors.items() if k.startswith("param/")}

    def state_dict(self, step=None):
        """The checkpoint as a torch state_dict of attnscope.torch.GPT (needs torch)."""
        from .torch.model import state_dict_from_checkpoint
        tensors, metadata = self.checkpoint(step)
        return state_dict_from_checkpoint(tensors, json.loads(metadata["spec"])["model"])

    def model(self, step=None):
        """An attnscope.torch.GPT with the checkpoint loaded, in eval mode (needs torch)."""
        from .torch.model import GPT
        return GPT.from_checkpoint(self.checkpoint_bytes(step))


def _uri_path(path):
    from urllib.parse import quote
    return quote(os.path.abspath(path))


def open_run(path):
    return Run(path)
