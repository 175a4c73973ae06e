"""C++-written runs read in Python, and Python-written runs open in the C++ reader
(`attnscope-cli info` and `export-data` succeed and show the values written)."""
import csv
import json
import os
import sqlite3
import zlib

import numpy as np
import pytest

import attnscope
from attnscope import codec, safetensors
from conftest import run_cli


def test_cpp_run_reads_in_python(cli, cpp_run, tmp_path):
    with attnscope.open_run(cpp_run) as run:
        steps = run.steps()
        assert list(steps["step"]) == list(range(1, 13))
        assert np.all(np.isfinite(steps["loss"])) and np.all(steps["lr"] > 0)
        assert list(run.snapshot_steps())[-3:] == [4, 8, 12]
        assert run.status[0] == "finished"
        s = run.snapshot(12)
        assert (s.layers, s.heads, s.length) == (2, 4, 16)
        assert s.entropy.shape == (2, 4) and s.key_profile.shape == (2, 4, 16)
        np.testing.assert_allclose(s.attention.sum(-1), 1.0, atol=2e-3)
        assert np.all(np.triu(s.attention, 1) == 0) and np.all(np.isnan(s.logits[..., 0, 1:]))
        # Local heads (window 4) see only 4 keys: the stored maps keep that exactly.
        assert np.all(s.attention[:, 0, 10, :7] == 0) and np.all(s.attention[:, 0, 10, 7:11] > 0)
        ev = run.evals()
        assert list(ev["length"]) == [16] and ev["mode"][0] == "nonoverlapping" and np.isfinite(ev["loss"][0])
        tensors, meta = run.checkpoint()
        assert meta["format"] == "attnscope-checkpoint-1" and int(meta["step"]) == 12
        assert run.params()["l0.attn.qkv.w"].shape == (16, 48)
        tokenizer = run.tokenizer
        assert tokenizer.kind == "bytes" and tokenizer.vocab_size == run.spec["model"]["vocab"]
        attention_all = np.stack([run.attention(int(k)) for k in run.snapshot_steps()])
    run_cli(cli, "export-data", cpp_run, "--out", tmp_path / "exp", "--steps", "all")
    exported = np.load(tmp_path / "exp" / "attention.npy")
    np.testing.assert_array_equal(exported, attention_all)  # the same decoded numbers, bit for bit


def write_python_run(path, steps=30, every=10, L=2, H=3, T=12, precision="f16"):
    rng = np.random.default_rng(3)
    tok = attnscope.Tokenizer.from_text("abcdefgh ")
    probe = rng.integers(2, tok.vocab_size, T)
    spec = attnscope.run_spec(name="from-python", model={"layers": L, "heads": H, "d_model": 24, "context": T,
                                                         "vocab": tok.vocab_size})
    written = {"loss": {}, "maps": {}}
    with attnscope.RunWriter.create(path, spec=spec, tokenizer_json=tok.to_json(), probe_tokens=probe,
                                    probe_text=tok.decode(probe), corpus_name="synthetic") as w:
        w.set_status("training", 0)
        for step in range(1, steps + 1):
            loss = 3.0 / (1 + 0.1 * step)
            w.append_step(step, loss, val_loss=loss + 0.1 if step % 10 == 0 else float("nan"), lr=1e-3,
                          grad_norm=0.5, tokens_per_sec=1000.0, elapsed_sec=0.1 * step)
            written["loss"][step] = loss
            if step % every == 0:
                z = rng.normal(0, 2, (L, H, T, T)).astype(np.float32)
                vis = np.tril(np.ones((T, T), bool))
                e = np.where(vis, np.exp(z), 0)
                a = (e / e.sum(-1, keepdims=True)).astype(np.float32)
                zl = np.where(vis, z, np.nan).astype(np.float32)
                w.append_snapshot(step, probe, a, zl, attnscope.snapshot_metrics(a, zl), {"note/x": step * 1.0},
                                  precision=precision)
                written["maps"][step] = a
        w.append_event(steps, "note", "written by the Python package")
        w.append_eval(steps, T, 1.25)
        w.save_checkpoint(steps, tensors={"param/wte": rng.normal(size=(tok.vocab_size, 24)).astype(np.float32)},
                          metadata={"step": str(steps)})
        w.set_status("finished", steps)
    return written


def test_python_run_opens_in_cpp(cli, tmp_path):
    path = tmp_path / "py.attnrun"
    written = write_python_run(path)
    info = json.loads(run_cli(cli, "info", path, "--json"))
    flat = json.dumps(info)
    assert "from-python" in flat and "finished" in flat
    text = run_cli(cli, "info", path)
    assert "snapshots    3 (steps 10–30)" in text and "checkpoints  steps 30" in text, text
    run_cli(cli, "export-data", path, "--out", tmp_path / "exp", "--steps", "all")
    with open(tmp_path / "exp" / "steps.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["step"]) for r in rows] == list(range(1, 31))
    for r in rows:
        assert float(r["loss"]) == pytest.approx(written["loss"][int(r["step"])], rel=1e-12)
    exported = np.load(tmp_path / "exp" / "attention.npy")
    expected = np.stack([written["maps"][s] for s in (10, 20, 30)])
    tril = np.broadcast_to(np.tril(np.ones((12, 12), bool)), expected.shape)
    # float16 storage: relative error ≤ 2^-11 in the normal range, absolute ≤ 2^-25 below it.
    assert np.all(np.abs(exported - expected)[tril] <= np.maximum(np.abs(expected[tril]) * 2.0 ** -11, 2.0 ** -24))
    assert np.all(exported[~tril] == 0)
    with open(tmp_path / "exp" / "events.csv") as f:
        assert "written by the Python package" in f.read()


def test_python_run_reads_back_in_python(tmp_path):
    path = tmp_path / "py.attnrun"
    written = write_python_run(path)
    with attnscope.open_run(path) as run:
        assert run.meta["writer"].startswith(f"pid {os.getpid()} on ")
        s = run.snapshot(20)
        np.testing.assert_allclose(s.attention, written["maps"][20], rtol=2.0 ** -11, atol=2.0 ** -24)
        m = attnscope.snapshot_metrics(written["maps"][20])
        np.testing.assert_array_equal(s.entropy, m["entropy"])
        assert s.scalars == {"note/x": 20.0}
        assert np.isnan(run.steps()["val_loss"][0]) and run.steps()["val_loss"][9] == pytest.approx(3.0 / 2 + 0.1)
        assert run.events()["message"][0] == "written by the Python package"
        assert run.evals()["perplexity"][0] == pytest.approx(np.exp(1.25))


def test_reader_tolerates_added_columns_and_tables(tmp_path):
    """Newer writers add columns and tables: the reader returns what it finds and reads everything else."""
    path = tmp_path / "v4.attnrun"
    write_python_run(path, steps=10, every=5)
    con = sqlite3.connect(path)
    con.executescript("ALTER TABLE steps ADD COLUMN future_loss REAL; ALTER TABLE snapshots ADD COLUMN future_metric BLOB;"
                      "CREATE TABLE future_table (x INTEGER); UPDATE steps SET future_loss = step * 0.5;"
                      "UPDATE meta SET value = '4' WHERE key = 'schema_version';")
    con.execute("UPDATE snapshots SET future_metric = ?", (np.arange(6, dtype="<f4").tobytes(),))
    con.commit()
    con.close()
    with attnscope.open_run(path) as run:
        steps = run.steps()
        np.testing.assert_array_equal(steps["future_loss"], np.arange(1, 11) * 0.5)
        s = run.snapshot(10)
        assert s.entropy.shape == (2, 3)
        np.testing.assert_array_equal(s.future_metric, np.arange(6, dtype=np.float32).reshape(2, 3))


def test_writer_upgrades_a_schema_1_file(tmp_path):
    """Appending to a schema-1 run adds the schema-2 columns and table first, as the engine's writer does;
    the new columns then take values."""
    from attnscope.schema import CREATE_SQL
    path = str(tmp_path / "v1.attnrun")
    from attnscope.schema import SNAPSHOT_COLUMNS_SQL
    v1_snapshots = SNAPSHOT_COLUMNS_SQL.split(",\n    sink_non_trigger")[0]
    v1 = (CREATE_SQL.replace(", ce_loss REAL", "").replace(", model_json TEXT", "")
          .replace(f"CREATE TABLE induction_snapshots ({SNAPSHOT_COLUMNS_SQL});", "")
          .replace(SNAPSHOT_COLUMNS_SQL, v1_snapshots)
          .replace("CREATE TABLE step_scalars (\n    step INTEGER NOT NULL, name TEXT NOT NULL, value REAL, "
                   "PRIMARY KEY (step, name)) WITHOUT ROWID;", ""))
    assert "ce_loss" not in v1 and "step_scalars" not in v1 and "top_key" not in v1 and "model_json" not in v1
    assert "induction" not in v1 and "previous_token" not in v1
    con = sqlite3.connect(path)
    con.executescript(v1)
    con.executemany("INSERT INTO meta VALUES (?, ?)", [("app", "attnscope"), ("schema_version", "1"),
                                                       ("min_reader_schema", "1"), ("rewinds", "0")])
    con.execute("INSERT INTO run VALUES (1, '{}', 'old', '', '', ?, NULL, '', '', '2024-01-01T00:00:00Z')",
                (attnscope.Tokenizer.from_text("ab").to_json(),))
    con.commit()
    con.close()
    with attnscope.open_run(path) as run:
        assert "ce_loss" not in run.steps() and run.step_scalars() == {}
    with attnscope.RunWriter.open_for_append(path) as w:
        w.append_step(1, 2.0, ce_loss=1.9)
        w.append_step_scalars(1, {"bigram_loss": 0.7})
    with attnscope.open_run(path) as run:
        assert run.meta["schema_version"] == "3" and run.meta["min_reader_schema"] == "1"
        assert run.header.get("model_json") is None  # the header stays as written
        assert run.steps()["ce_loss"][0] == 1.9 and run.step_scalars()["bigram_loss"][1][0] == 0.7


def test_reader_errors_are_sentences(tmp_path):
    (tmp_path / "empty.attnrun").write_bytes(b"")
    (tmp_path / "text.attnrun").write_text("hello")
    with pytest.raises(attnscope.FormatError, match="it is empty"):
        attnscope.open_run(tmp_path / "empty.attnrun")
    with pytest.raises(attnscope.FormatError, match="not a SQLite database"):
        attnscope.open_run(tmp_path / "text.attnrun")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        attnscope.open_run(tmp_path / "missing.attnrun")
    path = tmp_path / "newer.attnrun"
    write_python_run(path, steps=5, every=5)
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '9' WHERE key = 'min_reader_schema'")
    con.commit()
    con.close()
    with pytest.raises(attnscope.FormatError, match="newer AttnScope"):
        attnscope.open_run(path)


def test_damaged_blobs_fail_loudly(tmp_path):
    path = tmp_path / "bad.attnrun"
    write_python_run(path, steps=10, every=10)
    con = sqlite3.connect(path)
    blob = bytearray(con.execute("SELECT attention FROM snapshots").fetchone()[0])
    blob[len(blob) // 2] ^= 0xFF
    con.execute("UPDATE snapshots SET attention = ?", (bytes(blob),))
    con.execute("UPDATE checkpoints SET crc32 = crc32 + 1")
    con.commit()
    con.close()
    with attnscope.open_run(path) as run:
        with pytest.raises(attnscope.FormatError, match="attention is damaged"):
            run.attention(10)
        with pytest.raises(attnscope.FormatError, match="does not match its recorded size and checksum"):
            run.checkpoint()


def test_codecs_round_trip():
    rng = np.random.default_rng(0)
    maps = rng.normal(0, 100, (3, 7, 7)).astype(np.float32)
    maps[0, 3, 1] = 1e6  # overflows float16 → inf
    maps[1, 2, 2] = np.nan
    back = codec.unpack_causal_maps(codec.pack_causal_maps(maps), 3, 7, np.nan)
    tril = np.broadcast_to(np.tril(np.ones((7, 7), bool)), maps.shape)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(back[tril], maps.astype(np.float16).astype(np.float32)[tril])
    assert np.isinf(back[0, 3, 1]) and np.isnan(back[1, 2, 2]) and np.all(np.isnan(back[~tril]))
    assert zlib.decompress(codec.pack_causal_maps(maps))[:2] == maps[0, 0, 0].astype("<f2").tobytes()
    tensors = {"param/w": rng.normal(size=(3, 5)).astype(np.float32), "rng": np.arange(4, dtype=np.int64),
               "h": np.ones(3, np.float16)}
    image = safetensors.dumps(tensors, {"spec": "{}"})
    back, meta = safetensors.loads(image)
    assert meta == {"spec": "{}"} and set(back) == set(tensors)
    for k in tensors:
        np.testing.assert_array_equal(back[k], tensors[k])
    with pytest.raises(attnscope.FormatError):
        safetensors.loads(image[:-1])


def test_dataframes(cpp_run):
    """With pandas installed the *_df methods give DataFrames; without it they say how to get it."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        with attnscope.open_run(cpp_run) as run, pytest.raises(ImportError, match="install pandas"):
            run.steps_df()
        return
    with attnscope.open_run(cpp_run) as run:
        steps = run.steps_df()
        assert list(steps.index) == list(range(1, 13)) and "loss" in steps.columns
        heads = run.head_metrics_df()
        n = len(run.snapshot_steps())
        assert len(heads) == n * 2 * 4 and {"step", "layer", "head", "entropy", "sink_score"} <= set(heads.columns)
        last = heads[heads.step == 12].set_index(["layer", "head"])["entropy"]
        np.testing.assert_array_equal(last.to_numpy().reshape(2, 4), run.snapshot(12).entropy)
        assert list(run.evals_df()["length"]) == [16]
        assert len(run.events_df()) == len(run.events()["id"])


def test_python_schema_is_the_engines(cpp_run, tmp_path):
    """python/attnscope/schema.py mirrors core/store/run_schema.cpp: the tables, columns and indexes a
    Python writer creates are exactly those of a run the engine created (this fails when one side changes
    the schema without the other)."""
    import sqlite3

    def schema(path):
        con = sqlite3.connect(path)
        rows = con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                           "ORDER BY type, name").fetchall()
        con.close()
        return [(t, n, " ".join((sql or "").split())) for t, n, sql in rows]

    path = tmp_path / "schema.attnrun"
    write_python_run(path, steps=5, every=5)
    assert schema(path) == schema(cpp_run)
    with attnscope.open_run(path) as ours, attnscope.open_run(cpp_run) as theirs:
        for key in ("app", "schema_version", "min_reader_schema", "rewinds"):
            assert ours.meta[key] == theirs.meta[key], key


def test_follows_a_run_the_engine_is_writing(cli, texts, tmp_path):
    """The reader opens a run while `attnscope-cli train` writes it and sees the steps grow; Ctrl-C then
    stops the training cleanly and the reader sees the final status."""
    import signal
    import subprocess
    import time
    path = tmp_path / "live.attnrun"
    from conftest import TINY
    p = subprocess.Popen([cli, "train", "--data", f"file:{texts[0]}", *TINY, "--steps", "100000",
                          "--record-every", "20", "--out", str(path)], stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, OMP_NUM_THREADS="1"))
    try:
        seen = []
        deadline = time.monotonic() + 120
        while len(set(seen)) < 3 and time.monotonic() < deadline:
            if os.path.exists(path):
                try:
                    with attnscope.open_run(path) as run:
                        steps = run.steps()["step"]
                        if steps.size:
                            seen.append(int(steps[-1]))
                            assert list(steps) == list(range(1, steps[-1] + 1))  # a consistent commit
                except attnscope.FormatError as e:
                    assert "is not an AttnScope run file" in str(e)  # created, header not yet committed
            time.sleep(0.2)
        assert len(set(seen)) >= 3 and seen == sorted(seen), seen
    finally:
        p.send_signal(signal.SIGINT)
        p.wait(timeout=120)
    assert p.returncode == 0, p.stderr.read()
    with attnscope.open_run(path) as run:
        assert run.status[0] == "stopped" and run.steps()["step"][-1] >= max(seen)
