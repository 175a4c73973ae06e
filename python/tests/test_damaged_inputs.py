"""What a file or a full disk can do to the Python reader and writer (docs/run-format.md, "Damaged input"):
every damaged run gives attnscope.FormatError with bounded time and memory, readers create no file beside a
run, the writer refuses what is not a run, and the Recorder rides out a full disk. Each damaged input is
rebuilt here from a small valid run. The command-line tools: test_cli_hardening.py."""
import os
import sqlite3
import subprocess
import time
import tracemalloc
import zlib

import numpy as np
import pytest

import attnscope
from attnscope import FormatError, RunWriter
from attnscope.codec import inflate_exactly
from conftest import needs_torch


def small_run(path, maps=True):
    """A valid Python-written run: 4 steps, two snapshots (with or without maps), an event."""
    L, H, T = 2, 2, 6
    rng = np.random.default_rng(0)
    with RunWriter.create(path, spec=attnscope.run_spec(name="small", model=dict(layers=L, heads=H)),
                          overwrite=True) as w:
        for s in range(1, 5):
            w.append_step(s, 3.0 - 0.1 * s)
        for s in (2, 4):
            att = rng.random((L, H, T, T)).astype(np.float32)
            w.append_snapshot(s, np.arange(T) % 5, attention=att if maps else None,
                              logits=att if maps else None, layers=L, heads=H,
                              metrics={"entropy": rng.random((L, H))})
        w.append_event(3, "note", "hello")
        w.set_status("finished", 4)
    return str(path)


def read_everything(path):
    """Every public read of the Python reader, as a user would call them."""
    with attnscope.open_run(path) as run:
        run.header, run.spec, run.tokenizer, run.steps(), run.events(), run.evals(), run.status_history(), run.status
        run.step_scalars(), run.snapshot_scalars(), run.checkpoint_steps()
        for step in run.snapshot_steps():
            s = run.snapshot(int(step))
            s.attention, s.logits
        run.head_metric("entropy")


def sql(path, statement, *args):
    con = sqlite3.connect(path)
    con.execute(statement, args)
    con.commit()
    con.close()


def side_files(path):
    return [s for s in ("-wal", "-shm") if os.path.exists(str(path) + s)]


# --- readers -------------------------------------------------------------------------------------------
DAMAGE = {
    "layers as text": "UPDATE snapshots SET layers = 'two'",
    "huge dimensions": "UPDATE snapshots SET layers = 100000000, heads = 100000000",
    "maps as an integer": "UPDATE snapshots SET attention = 7",
    "maps as text": "UPDATE snapshots SET attention = 'not bytes'",
    "tokens as text": "UPDATE snapshots SET tokens = 'abc'",
    "metric as a number": "UPDATE snapshots SET entropy = 1.5",
    "real as text": "UPDATE snapshots SET sink_rate = 'high'",
    "step as text": "UPDATE steps SET loss = 'low' WHERE step = 2",
    "spec not JSON": "UPDATE run SET spec_json = '{\"model\": '",
    "spec a list": "UPDATE run SET spec_json = '[1, 2]'",
    "spec a blob": "UPDATE run SET spec_json = x'00ff'",
    "spec deeply nested": "UPDATE run SET spec_json = '" + "[" * 100000 + "'",
    "tokenizer deeply nested": "UPDATE run SET tokenizer_json = '" + "{\"a\":" * 50000 + "'",
    "schema version not a number": "UPDATE meta SET value = 'x' WHERE key = 'schema_version'",
    "map encoding unknown": "UPDATE snapshots SET map_encoding = 'f8_magic'",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_values_give_format_error(damage, tmp_path):
    path = small_run(tmp_path / "run.attnrun")
    sql(path, DAMAGE[damage])
    with pytest.raises(FormatError):
        read_everything(path)


def test_invalid_utf8_text_reads_with_replacement_characters(tmp_path):
    """(It raised UnicodeDecodeError from open_run.) A damaged text is shown, not a reason to refuse the run."""
    path = small_run(tmp_path / "run.attnrun")
    sql(path, "UPDATE meta SET value = CAST(x'c3' AS TEXT) WHERE key = 'writer'")
    sql(path, "UPDATE events SET message = CAST(x'ff68' AS TEXT)")
    read_everything(path)
    with attnscope.open_run(path) as run:
        assert run.meta["writer"] == "\ufffd" and run.events()["message"][0] == "\ufffdh"


def test_readers_create_no_files_beside_a_run(tmp_path):
    path = small_run(tmp_path / "quiet.attnrun")
    assert side_files(path) == []
    read_everything(path)
    assert side_files(path) == []


def killed_run(path):
    """A run whose writer was killed with its rows still only in the -wal (as SIGKILL leaves it)."""
    code = ("import os, sys, attnscope\n"
            "w = attnscope.RunWriter.create(sys.argv[1])\n"
            "[w.append_step(s, 1.0) for s in range(1, 21)]\n"
            "w.set_status('training', 20)\n"
            "os.kill(os.getpid(), 9)\n")
    subprocess.run([os.sys.executable, "-c", code, str(path)], env=dict(os.environ))
    assert os.path.getsize(str(path) + "-wal") > 0
    return str(path)


def test_killed_run_reads_without_its_shm(tmp_path):
    path = killed_run(tmp_path / "killed.attnrun")
    os.remove(path + "-shm")  # as a copy or a read-only mount without it
    with attnscope.open_run(path) as run:
        assert list(run.steps()["step"]) == list(range(1, 21)) and run.status[0] == "training"
    assert side_files(path) == ["-wal"]


def test_map_inflation_is_bounded_by_the_claimed_shape():
    """A zlib stream of 64 MB of zeros (a 64 KB blob) claimed as 1 MB of maps: refused after inflating at
    most 1 MB + 1 byte, not 64 MB."""
    packer = zlib.compressobj()
    blob = b"".join(packer.compress(bytes(1 << 20)) for _ in range(64)) + packer.flush()
    tracemalloc.start()
    with pytest.raises(FormatError, match="wrong length"):
        inflate_exactly(blob, 1 << 20, "test maps")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 << 20, peak


def test_huge_event_message_is_clipped_on_read(tmp_path):
    path = small_run(tmp_path / "loud.attnrun")
    sql(path, "UPDATE events SET message = ?", "x" * (20 << 20))
    t0 = time.perf_counter()
    with attnscope.open_run(path) as run:
        message = run.events()["message"][0]
    assert len(message) == attnscope.reader.MAX_TEXT_CHARS and time.perf_counter() - t0 < 5


# --- writers -------------------------------------------------------------------------------------------
def test_writer_refuses_what_is_not_a_run(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="FIFO"):
        RunWriter.create(fifo, overwrite=True)
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n")
    with pytest.raises(FileExistsError, match="not an AttnScope run file"):
        RunWriter.create(text, overwrite=True)
    assert text.read_text() == "my notes\n"
    run = small_run(tmp_path / "old.attnrun")
    RunWriter.create(run, overwrite=True).close()  # a run is replaced


@needs_torch
@pytest.mark.parametrize("background", [True, False])
def test_recorder_on_a_full_disk_loses_no_steps_and_raises_nothing(background, tmp_path):
    """A disk that fills up during training and frees up again, made real for SQLite with max_page_count: it
    fails with SQLITE_FULL and rolls the transaction back by itself, as on a full disk. Training goes on, no
    exception leaves the recorder (close() included), every step arrives, the gap note names the real cause
    (not "cannot rollback"), and the final status is written once space returns."""
    import warnings

    import torch
    from attnscope.torch import GPT, GPTConfig, Recorder
    torch.manual_seed(4)
    T = 8
    model = GPT(GPTConfig(layers=1, heads=2, d_model=16, context=T, vocab=12))
    path = tmp_path / "full.attnrun"
    rec = Recorder(path, model, probe=np.arange(T) % 10 + 2, every=2, flush_seconds=0.0, background=background)
    con = rec.writer._con
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for step in range(1, 31):
            x = torch.randint(2, 12, (4, T + 1), generator=torch.Generator().manual_seed(step))
            _, loss = model(x[:, :-1], x[:, 1:])
            opt.zero_grad()
            loss.backward()
            opt.step()
            rec.step(step, loss)
            rec.sync()  # the disk state below applies to this step's writes
            if step == 10:  # the disk is full from here ...
                pages = con.execute("PRAGMA page_count").fetchone()[0]
                con.execute(f"PRAGMA max_page_count = {pages}")
            if step == 20:  # ... and has room again from here
                con.execute("PRAGMA max_page_count = 1073741823")
        rec.close()
    messages = [str(w.message) for w in caught]
    assert any("database or disk is full" in m for m in messages), messages
    assert not any("no transaction is active" in m for m in messages), messages
    with attnscope.open_run(path) as run:
        assert list(run.steps()["step"]) == list(range(1, 31))
        notes = [str(m) for m in run.events()["message"] if "recording gap" in str(m)]
        assert notes and all("database or disk is full" in n for n in notes), notes
        assert not any("no transaction is active" in n for n in notes)
        assert run.status[0] == "finished"


@needs_torch
def test_recorder_whose_disk_stays_full_closes_without_an_exception(tmp_path, monkeypatch):
    """Nothing gets through any more, the final status included (simulated: every write fails as SQLite
    does on a full disk): close() warns with the real cause instead of raising, and the file keeps what was
    written before."""
    import warnings

    from attnscope.torch import GPT, GPTConfig, Recorder
    T = 8
    model = GPT(GPTConfig(layers=1, heads=2, d_model=16, context=T, vocab=12))
    path = tmp_path / "stays-full.attnrun"
    rec = Recorder(path, model, probe=np.arange(T) % 10 + 2, every=100, flush_seconds=0.0, background=False)
    rec.step(1, 1.0)

    def full(*a, **k):
        raise sqlite3.OperationalError("database or disk is full")
    for name in ("append_steps", "append_snapshot", "set_status", "append_event"):
        monkeypatch.setattr(rec.writer, name, full)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for step in range(2, 5):
            rec.step(step, 1.0 / step)
        rec.close()  # must not raise
    assert any("could not record the end of the run" in str(w.message) and "disk is full" in str(w.message)
               for w in caught), [str(w.message) for w in caught]
    with attnscope.open_run(path) as run:  # what was written before stays readable
        assert list(run.steps()["step"]) == [1] and run.status[0] == "training"
