"""The .attnrun schema as the C++ writer creates it (core/store/run_schema.cpp; docs/run-format.md).
The Python writer creates exactly these tables, so the app and attnscope-cli treat its files as their own;
the reader looks columns up by name and tolerates columns and tables it does not know."""

APP_MARKER = "attnscope"
#: SQLite's application_id of new run files (ASCII "AtSc" at byte offset 68), as the engine's writer sets it
#: (core/store/run_file.h); readers do not require it. docs/run-format.md, "File type".
APPLICATION_ID = 0x41745363
#: Schema this package writes, and the newest whose files it reads without caveats.
SCHEMA_VERSION = 3
#: Oldest reader schema that reads what this package writes (additions only keep it at 1).
MIN_READER_SCHEMA = 1
#: Files whose min_reader_schema exceeds this are refused (their meaning changed).
READS_UP_TO = 3

#: The columns of `snapshots` and (schema 3) `induction_snapshots`, the induction probe's snapshots.
SNAPSHOT_COLUMNS_SQL = """
    step INTEGER PRIMARY KEY, layers INTEGER NOT NULL, heads INTEGER NOT NULL, length INTEGER NOT NULL,
    tokens BLOB, entropy BLOB, norm_entropy BLOB, max_logit BLOB, mean_row_max BLOB, sink_score BLOB,
    mean_distance BLOB, sigma_qk BLOB, sigma_q BLOB, sigma_k BLOB, entropy_bound BLOB, key_profile BLOB,
    importance_entropy BLOB, sink_rate REAL, out_logit_max REAL, mean_log_z REAL,
    map_encoding TEXT NOT NULL, attention BLOB, logits BLOB,
    sink_non_trigger BLOB, top_key BLOB, top_key_share BLOB, value_norm BLOB, residual_norm BLOB,
    previous_token BLOB, duplicate_token BLOB, induction_score BLOB, local_mass BLOB"""

CREATE_SQL = f"""
CREATE TABLE snapshots ({SNAPSHOT_COLUMNS_SQL});
CREATE TABLE induction_snapshots ({SNAPSHOT_COLUMNS_SQL});
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE run (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    spec_json TEXT NOT NULL, app_version TEXT NOT NULL, corpus_name TEXT NOT NULL, corpus_hash TEXT NOT NULL,
    tokenizer_json TEXT NOT NULL, probe_tokens BLOB, probe_text TEXT NOT NULL, description TEXT NOT NULL,
    created_at TEXT NOT NULL, model_json TEXT);
CREATE TABLE steps (
    step INTEGER PRIMARY KEY, loss REAL, val_loss REAL, lr REAL, grad_norm REAL, tokens_per_sec REAL,
    elapsed_sec REAL, ce_loss REAL);
CREATE TABLE step_scalars (
    step INTEGER NOT NULL, name TEXT NOT NULL, value REAL, PRIMARY KEY (step, name)) WITHOUT ROWID;
CREATE TABLE snapshot_scalars (
    step INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, value REAL,
    PRIMARY KEY (step, idx)) WITHOUT ROWID;
CREATE TABLE events (id INTEGER PRIMARY KEY, step INTEGER NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX events_by_step ON events (step);
CREATE TABLE evals (
    id INTEGER PRIMARY KEY, step INTEGER NOT NULL, length INTEGER NOT NULL, mode TEXT NOT NULL, loss REAL,
    perplexity REAL, note TEXT NOT NULL, UNIQUE (step, length, mode));
CREATE TABLE checkpoints (
    step INTEGER PRIMARY KEY, format TEXT NOT NULL, size INTEGER NOT NULL, crc32 INTEGER NOT NULL,
    created_at TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE status_history (
    id INTEGER PRIMARY KEY, step INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
    at TEXT NOT NULL);
"""

#: What a writer adds to a schema-1 file before appending (run_schema.cpp upgradeForWriting).
UPGRADE_COLUMNS = (("steps", "ce_loss", "REAL"), ("run", "model_json", "TEXT"),
                   ("snapshots", "sink_non_trigger", "BLOB"), ("snapshots", "top_key", "BLOB"),
                   ("snapshots", "top_key_share", "BLOB"), ("snapshots", "value_norm", "BLOB"),
                   ("snapshots", "residual_norm", "BLOB"),
                   ("snapshots", "previous_token", "BLOB"), ("snapshots", "duplicate_token", "BLOB"),
                   ("snapshots", "induction_score", "BLOB"), ("snapshots", "local_mass", "BLOB"))
UPGRADE_TABLES = {"step_scalars": "CREATE TABLE step_scalars (step INTEGER NOT NULL, name TEXT NOT NULL, "
                                  "value REAL, PRIMARY KEY (step, name)) WITHOUT ROWID",
                  "induction_snapshots": f"CREATE TABLE induction_snapshots ({SNAPSHOT_COLUMNS_SQL})"}

REQUIRED_TABLES = ("meta", "run", "steps", "snapshots", "events", "evals", "checkpoints", "snapshot_scalars",
                   "status_history")

#: Per-head float32 arrays of a snapshot: column → extent ("lh" = L·H, "lht" = L·H·T, "l" = L).
SNAPSHOT_ARRAYS = {
    "entropy": "lh", "norm_entropy": "lh", "max_logit": "lh", "mean_row_max": "lh", "sink_score": "lh",
    "mean_distance": "lh", "sigma_qk": "lh", "sigma_q": "lh", "sigma_k": "lh", "entropy_bound": "lh",
    "key_profile": "lht", "importance_entropy": "l",
    # schema 2 (extreme-token metrics, written by the engine's sink probes)
    "sink_non_trigger": "lh", "top_key": "lh", "top_key_share": "lh", "value_norm": "lht", "residual_norm": "l1t",
    # schema 3 (head scores, core/probe/head_scores.h; attnscope.metrics.head_scores)
    "previous_token": "lh", "duplicate_token": "lh", "induction_score": "lh", "local_mass": "lh",
}
SNAPSHOT_REALS = ("sink_rate", "out_logit_max", "mean_log_z")
STEP_COLUMNS = ("loss", "val_loss", "lr", "grad_norm", "tokens_per_sec", "elapsed_sec", "ce_loss")
STATUSES = ("created", "training", "paused", "finished", "stopped", "diverged", "failed")
EVENT_KINDS = ("nonfinite", "loss_spike", "entropy_collapse", "logit_explosion", "diverged", "note", "role_change",
               "phase_change")
