"""Writing .attnrun files with the C++ writer's schema and rules (core/store/run_writer.cpp):
WAL journal, synchronous=NORMAL, one short transaction per call, NaN stored as NULL, snapshots encoded
f16_tril_zlib or q8_tril_zlib, checkpoints as safetensors blobs with size and CRC-32. One writer per file, by
the protocol shared with the engine (attnscope.writer_lock): a second writer (Python or C++) fails at once
naming the holder."""
import datetime
import json
import os
import socket
import sqlite3
import zlib

import numpy as np

from . import __version__, safetensors
from .codec import PRECISIONS, PackedMaps, floats_to_blob, int32s_to_blob, nan_to_none
from .writer_lock import WriterLockedError, lock_existing_run, lock_new_run, remove_locked_run  # noqa: F401 (re-exported)
from .schema import (APP_MARKER, APPLICATION_ID, CREATE_SQL, EVENT_KINDS, MIN_READER_SCHEMA, SCHEMA_VERSION,
                     SNAPSHOT_ARRAYS, SNAPSHOT_REALS, STATUSES, UPGRADE_COLUMNS, UPGRADE_TABLES)


def iso_utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class RunWriter:
    """Appends records to a run file. Create with RunWriter.create(...) or RunWriter.open_for_append(path).
    Use as a context manager or call close(); the lock is released when the writer closes (or its
    process dies)."""

    def __init__(self, path, con, fd):
        self.path, self._con, self._fd = path, con, fd

    # --- opening ---------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path, spec=None, tokenizer_json=None, probe_tokens=(), probe_text="", corpus_name="",
               corpus_hash="", description="", app_version=None, overwrite=False, model=None):
        """Creates a new run. spec: the RunSpec dict stored as spec_json (see attnscope.spec.run_spec; the
        app and CLI parse it, so it may only hold keys they know). tokenizer_json: Tokenizer.to_json().
        model: what is known about the recorded model (attnscope.ModelDescription or a dict of its keys),
        stored as model_json; it marks the run as recorded outside the engine."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"Cannot create {path}: the folder {folder} does not exist.")
        if not os.access(folder, os.W_OK):
            raise PermissionError(f"Cannot create {path}: the folder {folder} is not writable.")
        if os.path.isdir(path):
            raise IsADirectoryError(f"Cannot create {path}: a folder with that name exists.")
        fd = lock_new_run(path, overwrite)  # refuses a run another process is writing, and non-run files
        from .tokenizer import Tokenizer
        from .spec import run_spec
        from .model_description import ModelDescription
        spec = run_spec() if spec is None else spec
        model_json = ModelDescription(model).to_json() if model is not None else None
        tokenizer_json = tokenizer_json or Tokenizer("symbols", []).to_json()
        try:
            con = None
            con = cls._connect(path)
            cur = con.cursor()
            cur.execute("BEGIN")
            for stmt in CREATE_SQL.split(";"):
                if stmt.strip():
                    cur.execute(stmt)
            cur.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            cur.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            meta = {"app": APP_MARKER, "schema_version": str(SCHEMA_VERSION),
                    "min_reader_schema": str(MIN_READER_SCHEMA), "rewinds": "0", "writer": _writer_id()}
            cur.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
            cur.execute("INSERT INTO run (id, spec_json, app_version, corpus_name, corpus_hash, tokenizer_json, "
                        "probe_tokens, probe_text, description, created_at, model_json) VALUES (1,?,?,?,?,?,?,?,?,?,?)",
                        (json.dumps(spec) if not isinstance(spec, str) else spec,
                         app_version or f"attnscope-python {__version__}", corpus_name, corpus_hash,
                         tokenizer_json, int32s_to_blob(np.asarray(probe_tokens, dtype=np.int32)) if len(probe_tokens) else None,
                         probe_text, description, iso_utc_now(), model_json))
            cur.execute("INSERT INTO status_history (step, status, message, at) VALUES (0, 'created', '', ?)",
                        (iso_utc_now(),))
            cur.execute("COMMIT")
        except BaseException:
            if con is not None:
                con.close()
            remove_locked_run(path)  # a half-created file would only block the next attempt
            os.close(fd)
            raise
        return cls(path, con, fd)

    @classmethod
    def open_for_append(cls, path):
        from .reader import Run
        path = os.fspath(path)
        with Run(path) as run:  # validates: an AttnScope run, readable
            version = run.schema_version
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{path} was written by a newer AttnScope (schema {version}); this version can "
                               "read it but not add to it.")
        fd = lock_existing_run(path)
        con = cls._connect(path)
        writer = cls(path, con, fd)
        writer._tx(lambda cur: cls._upgrade(cur, version))
        return writer

    @staticmethod
    def _upgrade(cur, version):
        """Brings an older file to this schema before appending (only additions; old readers still read
        it), as the engine's writer does, and records this writer."""
        for table, column, kind in UPGRADE_COLUMNS:
            if column not in {r[1] for r in cur.execute(f"PRAGMA table_info({table})")}:
                cur.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        tables = {r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, sql in UPGRADE_TABLES.items():
            if table not in tables:
                cur.execute(sql)
        if version < SCHEMA_VERSION:
            cur.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                            [("schema_version", str(SCHEMA_VERSION)), ("min_reader_schema", str(MIN_READER_SCHEMA))])
            cur.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        cur.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('writer', ?)", (_writer_id(),))

    @staticmethod
    def _connect(path):
        con = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=False)
        mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            con.close()
            raise OSError(f"Cannot write to {path}: the file system does not support SQLite's WAL mode.")
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute("PRAGMA journal_size_limit = 67108864")
        return con

    def close(self):
        if self._con is not None:
            self._con.close()  # folds the WAL back into the file
            self._con = None
            os.close(self._fd)  # releases the flock
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _tx(self, fn):
        """One short transaction: everything in fn commits together or not at all."""
        if self._con is None:
            raise RuntimeError(f"the writer of {self.path} is closed")
        cur = self._con.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            fn(cur)
            cur.execute("COMMIT")
        except BaseException:
            # SQLite rolls back by itself on some errors (SQLITE_FULL, SQLITE_IOERR): a ROLLBACK then fails
            # with "no transaction is active" and would hide the real cause, which is what propagates.
            if self._con.in_transaction:
                try:
                    cur.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    def _columns(self, table):
        return {r[1] for r in self._con.execute(f"PRAGMA table_info({table})")}

    # --- records ---------------------------------------------------------------------------------------
    def append_step(self, step, loss, val_loss=float("nan"), lr=float("nan"), grad_norm=float("nan"),
                    tokens_per_sec=float("nan"), elapsed_sec=float("nan"), **extra):
        """One step row (replaces an earlier row of the same step). extra: columns a newer schema has
        (e.g. ce_loss); a column the file lacks is an error."""
        self.append_steps([dict(step=step, loss=loss, val_loss=val_loss, lr=lr, grad_norm=grad_norm,
                                tokens_per_sec=tokens_per_sec, elapsed_sec=elapsed_sec, **extra)])

    def append_steps(self, records):
        if not records:
            return
        have = self._columns("steps")
        for r in records:
            unknown = set(r) - have
            if unknown:
                raise ValueError(f"{self.path}: the steps table has no column {sorted(unknown)}")

        def run(cur):
            for r in records:
                cols = list(r)
                cur.execute(f"INSERT OR REPLACE INTO steps ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                            [int(r[c]) if c == "step" else nan_to_none(r[c]) for c in cols])
        self._tx(run)

    def append_snapshot(self, step, tokens, attention=None, logits=None, metrics=None, scalars=None,
                        layers=None, heads=None, precision="f16", induction=None):
        """attention, logits: [L, H, T, T] (any masked value is fine; only the lower triangle is stored), or
        PackedMaps of that shape. precision: "f16" (float16) or "q8" (8 bits per value against each row's
        range, about a tenth of the bytes; docs/run-format.md states the error); PackedMaps keep their own.
        metrics: column → array (entropy, … [L, H], key_profile [L, H, T], importance_entropy [L]) or float
        (sink_rate, out_logit_max, mean_log_z); see attnscope.metrics.snapshot_metrics. scalars: name → float.
        induction: the induction probe's snapshot of the same step, a dict with the keys tokens, attention,
        logits and metrics as above (core/data/induction_probe.h); stored in the same transaction."""
        row = self._snapshot_row("snapshots", step, tokens, attention, logits, metrics, layers, heads, precision)
        if induction is not None:
            extra = set(induction) - {"tokens", "attention", "logits", "metrics"}
            if extra:
                raise ValueError(f"induction has unknown keys {sorted(extra)}")
            if not self._columns("induction_snapshots"):
                raise ValueError(f"{self.path} has no induction_snapshots table (schema older than 3)")
            induction_row = self._snapshot_row("induction_snapshots", step, induction["tokens"],
                                               induction.get("attention"), induction.get("logits"),
                                               induction.get("metrics"), layers=row["layers"],
                                               heads=row["heads"], precision=precision)
        scalars = list((scalars or {}).items())

        def insert(cur, table, values):
            cols = list(values)
            cur.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                        [values[c] for c in cols])

        def run(cur):
            insert(cur, "snapshots", row)
            if induction is not None:
                insert(cur, "induction_snapshots", induction_row)
            cur.execute("DELETE FROM snapshot_scalars WHERE step = ?", (int(step),))
            cur.executemany("INSERT INTO snapshot_scalars (step, idx, name, value) VALUES (?,?,?,?)",
                            [(int(step), i, n, nan_to_none(v)) for i, (n, v) in enumerate(scalars)])
        self._tx(run)

    def _snapshot_row(self, table, step, tokens, attention, logits, metrics, layers, heads, precision):
        metrics = dict(metrics or {})
        tokens = np.asarray(tokens, dtype=np.int32).ravel()
        T = tokens.size
        if attention is not None:
            if not isinstance(attention, PackedMaps):
                attention = np.asarray(attention, dtype=np.float32)
            layers, heads = attention.shape[0], attention.shape[1]
        what = f"Cannot store the {'induction probe' if table == 'induction_snapshots' else 'probe'} snapshot of step {step}"
        if layers is None or heads is None:
            raise ValueError(f"{what}: append_snapshot needs attention maps or layers= and heads=")
        if precision not in PRECISIONS:
            raise ValueError(f"{what}: precision must be one of {sorted(PRECISIONS)}, got {precision!r}")
        encodings = {m.encoding for m in (attention, logits) if isinstance(m, PackedMaps)}
        if len(encodings) > 1:
            raise ValueError(f"{what}: attention and logits were packed with different precisions")
        encoding = encodings.pop() if encodings else PRECISIONS[precision]
        for name, maps in (("attention", attention), ("logits", logits)):
            if maps is not None and np.shape(maps) != (layers, heads, T, T):
                raise ValueError(f"{what}: {name} has shape {np.shape(maps)}, expected {(layers, heads, T, T)}")
        extent = {"lh": (layers, heads), "lht": (layers, heads, T), "l": (layers,), "l1t": (layers + 1, T)}
        have = self._columns(table)
        row = {"step": int(step), "layers": int(layers), "heads": int(heads), "length": int(T),
               "tokens": int32s_to_blob(tokens), "map_encoding": encoding}
        for name, value in metrics.items():
            if name in SNAPSHOT_REALS:
                row[name] = nan_to_none(value)
                continue
            shape = extent.get(SNAPSHOT_ARRAYS.get(name), (layers, heads))
            if name not in have:
                raise ValueError(f"{what}: the {table} table has no column {name!r}")
            if value is not None:
                value = np.asarray(value, dtype=np.float32)
                if value.shape != shape:
                    raise ValueError(f"{what}: {name} has shape {value.shape}, expected {shape}")
            row[name] = floats_to_blob(value)
        packed = lambda m: None if m is None else m.blob if isinstance(m, PackedMaps) else PackedMaps(m, precision).blob  # noqa: E731
        row["attention"], row["logits"] = packed(attention), packed(logits)
        return row

    def append_event(self, step, kind, message):
        if kind not in EVENT_KINDS:
            raise ValueError(f"event kind must be one of {EVENT_KINDS}, got {kind!r}")
        self._tx(lambda cur: cur.execute("INSERT INTO events (step, kind, message) VALUES (?,?,?)",
                                         (int(step), kind, message)))

    def append_eval(self, step, length, loss, mode="nonoverlapping", note=""):
        import math
        ppl = math.exp(loss) if loss == loss else float("nan")
        self._tx(lambda cur: cur.execute(
            "INSERT OR REPLACE INTO evals (step, length, mode, loss, perplexity, note) VALUES (?,?,?,?,?,?)",
            (int(step), int(length), mode, nan_to_none(loss), nan_to_none(ppl), note)))

    def append_step_scalars(self, step, values):
        """Named per-step scalars (table step_scalars: a task's bigram_loss, ...): {name: value}."""
        self._tx(lambda cur: cur.executemany(
            "INSERT OR REPLACE INTO step_scalars (step, name, value) VALUES (?,?,?)",
            [(int(step), n, nan_to_none(v)) for n, v in values.items()]))

    def save_checkpoint(self, step, data=None, tensors=None, metadata=None):
        """Stores a safetensors image: `data` (bytes) or `tensors` (name → array) + `metadata`."""
        if data is None:
            data = safetensors.dumps(tensors or {}, metadata)
        data = bytes(data)
        if not data:
            raise ValueError(f"Cannot store an empty checkpoint for step {step}.")
        self._tx(lambda cur: cur.execute(
            "INSERT OR REPLACE INTO checkpoints (step, format, size, crc32, created_at, data) VALUES (?,?,?,?,?,?)",
            (int(step), "safetensors", len(data), zlib.crc32(data), iso_utc_now(), data)))

    def set_status(self, status, step, message=""):
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        self._tx(lambda cur: cur.execute("INSERT INTO status_history (step, status, message, at) VALUES (?,?,?,?)",
                                         (int(step), status, message, iso_utc_now())))


def _writer_id():
    return f"pid {os.getpid()} on {socket.gethostname()}"
