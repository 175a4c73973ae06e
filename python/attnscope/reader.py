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


#: Texts shown to users (event and status messages, eval notes) are read clipped to this many characters.
MAX_TEXT_CHARS = 4000
#: Dimensions no recorded model reaches (as core/store/snapshot_codec.cpp): a damaged shape is refused.
MAX_LAYERS, MAX_HEADS, MAX_LENGTH = 4096, 4096, 1 << 16
#: Deepest JSON nesting read (as core/util/json_nesting.h): json.loads recurses once per level.
MAX_JSON_NESTING = 64

_DAMAGE = (ValueError, TypeError, OverflowError, UnicodeError, IndexError, zlib.error, RecursionError)


def _reads(method):
    """The reader's promise (docs/run-format.md): a damaged file gives FormatError, never another exception.
    Wraps a public method so that what slips past the explicit checks below still reads as damage."""
    import functools

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except FormatError:
            raise
        except _DAMAGE as e:
            raise FormatError(f"{self.path} is damaged: {_clip(f'{type(e).__name__}: {e}')}.") from None
    return wrapper


def json_nesting(text, limit=MAX_JSON_NESTING):
    """The deepest nesting of arrays and objects in JSON text (string contents skipped)."""
    import re
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', "", text).encode("utf-8", "replace")
    codes = np.frombuffer(stripped, dtype=np.uint8)
    step = (np.isin(codes, (ord("["), ord("{"))).astype(np.int64) - np.isin(codes, (ord("]"), ord("}"))))
    return int(np.cumsum(step).max(initial=0))


def parse_json_text(text, what):
    """json.loads for JSON read from a file: FormatError for damage, nesting bounded before parsing."""
    if not isinstance(text, str):
        raise FormatError(f"{what} is damaged: it is stored as {type(text).__name__}, not text.")
    if json_nesting(text) > MAX_JSON_NESTING:
        raise FormatError(f"{what} is damaged: it nests arrays or objects deeper than {MAX_JSON_NESTING} levels.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise FormatError(f"{what} is damaged: it is not valid JSON ({_clip(str(e))}).") from None


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
        self._con = None
        self._connect()
        self._columns = {}

    def _connect(self):
        if self._con is not None:
            self._con.close()
        try:
            self._con = connect_for_reading(self.path)
            self._validate()
        except sqlite3.DatabaseError as e:
            raise FormatError(f"{self.path} is damaged: {_clip(str(e))}.") from None
        except FormatError:
            raise
        except _DAMAGE as e:
            raise FormatError(f"{self.path} is damaged: {_clip(f'{type(e).__name__}: {e}')}.") from None

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
        if self._con.changed_since_open():  # read as immutable, and a writer has appeared since
            self._connect()
            self._columns = {}
        try:
            return self._con.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as e:
            raise FormatError(f"{self.path} is damaged: {_clip(str(e))}.") from None

    def columns(self, table):
        """Column names of a table as the file has them (newer writers may add columns)."""
        if table not in self._columns:
            self._columns[table] = [r[1] for r in self._query(f"PRAGMA table_info({table})")]
        return self._columns[table]

    def has_table(self, table):
        return bool(self._query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)))

    # --- header ----------------------------------------------------------------------------------------
    @property
    @_reads
    def header(self):
        row = self._query("SELECT * FROM run WHERE id = 1")
        if not row:
            raise FormatError(f"{self.path} is damaged: its run header is missing.")
        header = dict(zip(self.columns("run"), row[0]))
        header["probe_tokens"] = blob_to_int32s(header.get("probe_tokens"), f"{self.path} (probe tokens)")
        return header

    @property
    @_reads
    def spec(self):
        """The RunSpec as a dict (model, train, data, name, ...)."""
        spec = parse_json_text(self.header["spec_json"], f"{self.path} (its run configuration)")
        if not isinstance(spec, dict):
            raise FormatError(f"{self.path} is damaged: its run configuration is not a JSON object.")
        return spec

    @property
    @_reads
    def model_description(self):
        """What the run says about its model (attnscope.ModelDescription): the header's model_json when the
        run was recorded outside the engine, else described from the engine's spec; unknown keys are absent."""
        from .model_description import ModelDescription
        header = self.header
        if header.get("model_json"):
            parse_json_text(header["model_json"], f"{self.path} (its model description)")  # bounded first
            try:
                return ModelDescription.from_json(header["model_json"])
            except ValueError as e:
                raise FormatError(f"{self.path} is damaged: its model description is unreadable ({e}).") from None
        spec_model = self.spec.get("model", {})
        if str(header.get("app_version", "")).startswith("attnscope-python"):
            # Written before schema 3: only what the spec really holds is known.
            known = {k: spec_model[k] for k in ("layers", "heads", "d_model", "context", "vocab") if k in spec_model}
            return ModelDescription(source="recorder", **known)
        from .spec import model_config
        m = model_config(spec_model)
        position = {"learned": {"scheme": "learned"}, "sinusoidal": {"scheme": "sinusoidal"},
                    "none": {"scheme": "none"}, "alibi": {"scheme": "alibi"},
                    "rope": {"scheme": "rotary", "rotary_fraction": 1.0, "rotary_base": m["rope_theta"]}}
        return ModelDescription(family="attnscope", source="engine", layers=m["layers"], heads=m["heads"],
                                kv_heads=m["heads"], head_dim=m["d_model"] // m["heads"] if m["d_model"] % m["heads"] == 0 else None,
                                d_model=m["d_model"], vocab=m["vocab"], context=m["context"],
                                position=position.get(m["position"]), norm="layernorm", mlp="gelu",
                                parallel_residual=False, tied_embeddings=m["tied_head"], dtype="float32")

    @property
    @_reads
    def tokenizer(self):
        from .tokenizer import Tokenizer
        text = self.header["tokenizer_json"]
        parse_json_text(text, f"{self.path} (its tokenizer)")  # bounded and checked before the tokenizer parses
        return Tokenizer.from_json(text)

    # --- curves ----------------------------------------------------------------------------------------
    @_reads
    def _table(self, table, order):
        info = self._query(f"PRAGMA table_info({table})")
        cols = [r[1] for r in info]
        types = {r[1]: (r[2] or "").upper() for r in info}
        # Texts come clipped from SQLite itself: a damaged 20 MB message is never read whole.
        select = [f"substr({c}, 1, {MAX_TEXT_CHARS})" if types[c] == "TEXT" else c for c in cols]
        rows = self._query(f"SELECT {', '.join(select)} FROM {table} ORDER BY {order}")
        out = {}
        for i, c in enumerate(cols):
            values = [r[i] for r in rows]
            bad = next((v for v in values if types[c] in ("INTEGER", "REAL") and v is not None
                        and not isinstance(v, (int, float))), None)
            if bad is not None:
                raise FormatError(f"{self.path} is damaged: its {table}.{c} holds {type(bad).__name__} "
                                  "values where numbers belong.")
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

    @_reads
    def steps_df(self):
        return _pandas().DataFrame(self.steps()).set_index("step")

    def events(self):
        """id, step, kind, message."""
        return self._table("events", "id")

    @_reads
    def events_df(self):
        return _pandas().DataFrame(self.events())

    def evals(self):
        """step, length, mode, loss, perplexity, note (length extrapolation)."""
        return self._table("evals", "id")

    @_reads
    def evals_df(self):
        return _pandas().DataFrame(self.evals())

    def status_history(self):
        return self._table("status_history", "id")

    @property
    @_reads
    def status(self):
        row = self._query(f"SELECT substr(status, 1, {MAX_TEXT_CHARS}), step, substr(message, 1, {MAX_TEXT_CHARS}) "
                          "FROM status_history ORDER BY id DESC LIMIT 1")
        return row[0] if row else None

    def _series(self, sql):
        out = {}
        for step, name, value in self._query(sql):
            steps, values = out.setdefault(name, ([], []))
            steps.append(step)
            values.append(value)
        return {k: (np.array(s, dtype=np.int64), none_to_nan(v)) for k, (s, v) in out.items()}

    @_reads
    def step_scalars(self):
        """Named per-step scalars (table step_scalars, schema 2) as {name: (steps, values)}; {} if absent."""
        if not self.has_table("step_scalars"):
            return {}
        return self._series("SELECT step, name, value FROM step_scalars ORDER BY name, step")

    @_reads
    def snapshot_scalars(self):
        """Model-level snapshot scalars ({name: (steps, values)}), e.g. 'sigma/l0.attn.qkv'."""
        return self._series("SELECT step, name, value FROM snapshot_scalars ORDER BY step, idx")

    # --- snapshots -------------------------------------------------------------------------------------
    @_reads
    def snapshot_steps(self):
        return self._steps("snapshots")

    def _steps(self, table):
        return np.array([r[0] for r in self._query(f"SELECT step FROM {table} ORDER BY step")], dtype=np.int64)

    @_reads
    def snapshot(self, step=None, maps=True):
        """The snapshot of `step` (default: the latest). Its maps are read with it (maps=False skips them)
        and decoded on first access of .attention / .logits."""
        return self._snapshot("snapshots", step, maps)

    @_reads
    def induction_snapshot(self, step=None, maps=True):
        """The induction probe's snapshot of `step` (default: the latest): the maps and head scores on the
        repeated random tokens (core/data/induction_probe.h). KeyError where the run recorded none."""
        return self._snapshot("induction_snapshots", step, maps)

    def _snapshot(self, table, step, maps):
        what = "induction probe snapshot" if table == "induction_snapshots" else "snapshot"
        if table != "snapshots" and not self.has_table(table):
            raise KeyError(f"{self.path} has no {what}s")
        if step is None:
            steps = self._steps(table)
            if not steps.size:
                raise KeyError(f"{self.path} has no {what} yet")
            step = int(steps[-1])
        cols = [c for c in self.columns(table) if c not in ("attention", "logits")]
        if maps:
            cols += ["attention", "logits"]
        rows = self._query(f"SELECT {', '.join(cols)} FROM {table} WHERE step = ?", (int(step),))
        if not rows:
            raise KeyError(f"{self.path} has no {what} at step {step}")
        row = dict(zip(cols, rows[0]))
        where = f"{self.path} ({what} of step {step})"
        dims = [row["layers"], row["heads"], row["length"]]
        if not all(isinstance(v, int) for v in dims) or not (1 <= dims[0] <= MAX_LAYERS and 1 <= dims[1] <= MAX_HEADS
                                                             and 0 <= dims[2] <= MAX_LENGTH):
            raise FormatError(f"{self.path} is damaged: a snapshot has impossible dimensions.")
        L, H, T = dims
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
                if blob is None or blob == b"":
                    return None
                return unpack_maps(encoding, blob, L * H, T, fill, f"{where} {column}").reshape(L, H, T, T)
            return load

        snap = Snapshot(int(step), L, H, T, tokens, arrays, reals, scalars,
                        {"attention": loader("attention", 0.0), "logits": loader("logits", np.nan)})
        return snap

    @_reads
    def attention(self, step=None):
        """Attention maps [L, H, T, T] of a snapshot (0 where masked)."""
        return self.snapshot(step).attention

    @_reads
    def logits(self, step=None):
        """Content logits q·k/√D [L, H, T, T] (NaN where masked)."""
        return self.snapshot(step).logits

    @_reads
    def head_metric(self, name, probe="text"):
        """One per-head metric over all snapshots: (steps [S], values [S, L, H]). probe: "text" (the run's
        probe) or "induction" (the induction probe, where the token-pattern scores mean what docs/metrics.md
        says; steps without one are left out)."""
        if probe not in ("text", "induction"):
            raise ValueError(f'probe must be "text" or "induction", got {probe!r}')
        table = "snapshots" if probe == "text" else "induction_snapshots"
        if table != "snapshots" and not self.has_table(table):
            return np.zeros(0, np.int64), np.zeros((0, 0, 0), np.float32)
        steps, values = [], []
        for step in self._steps(table):
            s = self._snapshot(table, int(step), maps=False)
            v = s.arrays.get(name)
            steps.append(int(step))
            values.append(np.full((s.layers, s.heads), np.nan, np.float32) if v is None else v)
        return np.array(steps, dtype=np.int64), (np.stack(values) if values else np.zeros((0, 0, 0), np.float32))

    @_reads
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
    @_reads
    def checkpoint_steps(self):
        return np.array([r[0] for r in self._query("SELECT step FROM checkpoints ORDER BY step")], dtype=np.int64)

    @_reads
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

    @_reads
    def checkpoint(self, step=None):
        """(tensors, metadata) of a checkpoint: every safetensors tensor (param/…, adam_m/…, adam_v/…,
        sigma_a/…, sigma_b/…, rng) as a numpy array, and the metadata (spec, step, …)."""
        return safetensors.loads(self.checkpoint_bytes(step))

    @_reads
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


def _size_and_time(path):
    try:
        st = os.stat(path)
        return st.st_size, st.st_mtime_ns
    except OSError:
        return None


class _ReadConnection(sqlite3.Connection):
    """A read-only connection that knows how it was opened (see connect_for_reading)."""
    plan = "shared"
    source = ""
    opened_state = None
    copy_folder = None

    def changed_since_open(self):
        return self.plan == "immutable" and (os.path.exists(self.source + "-wal") or
                                             _size_and_time(self.source) != self.opened_state)

    def close(self):
        super().close()
        if self.copy_folder:
            import shutil
            shutil.rmtree(self.copy_folder, ignore_errors=True)
            self.copy_folder = None


def connect_for_reading(path):
    """A read-only SQLite connection to a run that creates no file beside it (the engine's rules,
    core/store/sqlite_db.cpp, after sqlite.org/wal.html "Read-Only Databases"):
    no -wal: nobody has the run open and everything is in the file: opened as immutable (reconnected when a
    writer appears); -wal and -shm: a live (or killed) writer: read in place through the existing -shm;
    -wal without -shm: a killed run whose -shm was lost (a read-only mount): the file and its -wal are read
    from a private temporary copy, the only way SQLite reads that -wal."""
    path = os.fspath(path)
    has_wal, has_shm = os.path.exists(path + "-wal"), os.path.exists(path + "-shm")
    plan = "immutable" if not has_wal else "shared" if has_shm else "copy"
    target, folder = path, None
    opened_state = _size_and_time(path)
    if plan == "copy":
        import shutil
        import tempfile
        folder = tempfile.mkdtemp(prefix="attnscope-read-")
        target = os.path.join(folder, "run")
        try:
            shutil.copyfile(path, target)
            shutil.copyfile(path + "-wal", target + "-wal")
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    query = "immutable=1" if plan == "immutable" else "mode=ro"
    try:
        con = sqlite3.connect(f"file:{_uri_path(target)}?{query}", uri=True, timeout=5.0, check_same_thread=False,
                              factory=_ReadConnection)
    except sqlite3.Error:
        if folder:
            import shutil
            shutil.rmtree(folder, ignore_errors=True)
        raise
    con.plan, con.source, con.opened_state, con.copy_folder = plan, path, opened_state, folder
    if folder:
        # A run nobody closes (a script that ends without close()) still leaves no private copy behind: the
        # folder goes with the connection, or at the interpreter's exit.
        import shutil
        import weakref
        weakref.finalize(con, shutil.rmtree, folder, True)
    # Damaged text (invalid UTF-8) is shown with replacement characters rather than refused.
    con.text_factory = lambda b: b.decode("utf-8", "replace")
    con.execute("PRAGMA query_only = 1")
    con.execute("PRAGMA cell_size_check = ON")
    return con


def _clip(text, limit=300):
    """A quoted detail cut for an error message (a damaged file's contents must not become the message)."""
    return text if len(text) <= limit else text[:limit] + "…"


def open_run(path):
    return Run(path)
