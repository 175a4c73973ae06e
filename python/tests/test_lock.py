"""One writer per run file (docs/run-format.md). A writer holds flock(LOCK_EX | LOCK_NB) on the
file for its lifetime; a second writer — in this process or another — fails at once naming the holder;
readers never lock and see every commit while the writer works."""
import os
import subprocess
import sys

import numpy as np
import pytest

import attnscope
from attnscope import RunWriter, WriterLockedError

HERE = os.path.dirname(os.path.abspath(__file__))


def test_second_writer_is_refused(tmp_path):
    path = str(tmp_path / "locked.attnrun")
    first = RunWriter.create(path, spec=attnscope.run_spec(name="locked"))
    first.append_step(1, 2.5)
    holder = f"pid {os.getpid()} on "
    with pytest.raises(WriterLockedError, match=f"locked.attnrun is being written by {holder}"):
        RunWriter.open_for_append(path)
    with pytest.raises(WriterLockedError):
        RunWriter.create(path, overwrite=True)  # nor may a new run replace it
    # Another process is refused the same way and exits at once.
    code = ("import sys; sys.path.insert(0, sys.argv[2]); import attnscope\n"
            "try:\n    attnscope.RunWriter.open_for_append(sys.argv[1])\n"
            "except attnscope.WriterLockedError as e:\n    print(e); sys.exit(3)\n")
    r = subprocess.run([sys.executable, "-c", code, path, os.path.join(HERE, "..")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 3 and f"pid {os.getpid()}" in r.stdout, r.stdout + r.stderr
    # The refused writers changed nothing; the first one keeps working.
    first.append_step(2, 2.0)
    with attnscope.open_run(path) as run:  # a reader during the write sees every commit, without locking
        assert list(run.steps()["step"]) == [1, 2]
    first.close()
    with RunWriter.open_for_append(path) as again:  # released on close
        again.append_step(3, 1.5)
    with attnscope.open_run(path) as run:
        np.testing.assert_array_equal(run.steps()["loss"], [2.5, 2.0, 1.5])
        assert run.meta["writer"] == f"pid {os.getpid()} on {os.uname().nodename}"


def test_lock_dies_with_its_process(tmp_path):
    """A killed writer leaves no stale lock (flock belongs to the open file, which the kernel closes)."""
    path = str(tmp_path / "killed.attnrun")
    code = ("import sys, time; sys.path.insert(0, sys.argv[2]); import attnscope\n"
            "w = attnscope.RunWriter.create(sys.argv[1]); w.append_step(1, 1.0); print('ready', flush=True)\n"
            "time.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code, path, os.path.join(HERE, "..")], stdout=subprocess.PIPE,
                         text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        with pytest.raises(WriterLockedError, match=f"pid {p.pid} on"):
            RunWriter.open_for_append(path)
    finally:
        p.kill()
        p.wait()
    with RunWriter.open_for_append(path) as w:
        w.append_step(2, 0.5)
    with attnscope.open_run(path) as run:
        assert list(run.steps()["step"]) == [1, 2]


def test_engine_and_python_writers_exclude_each_other(cli, texts, tmp_path):
    """The engine's writer and the Python writer use the same flock, so neither can write a run the other
    holds, and each names the holder."""
    import signal
    import time
    from conftest import TINY
    path = str(tmp_path / "shared.attnrun")
    with RunWriter.create(path, spec=attnscope.run_spec(name="shared")) as w:
        w.append_step(1, 1.0)
        # `train --force` onto a run the Python writer holds is refused at once, naming the holder.
        r = subprocess.run([cli, "train", "--data", f"file:{texts[0]}", *TINY, "--steps", "2", "--out", path],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and f"is being written by pid {os.getpid()} on " in r.stderr, r.stderr
    with attnscope.open_run(path) as run:  # and nothing was lost
        assert run.spec["name"] == "shared" and list(run.steps()["step"]) == [1]
    p = subprocess.Popen([cli, "train", "--data", f"file:{texts[0]}", *TINY, "--steps", "100000",
                          "--out", str(tmp_path / "cpp.attnrun")], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with attnscope.open_run(tmp_path / "cpp.attnrun") as run:
                    if run.steps()["step"].size:
                        break
            except (FileNotFoundError, attnscope.FormatError):
                pass
            time.sleep(0.2)
        with pytest.raises(WriterLockedError, match=f"pid {p.pid} on "):
            RunWriter.open_for_append(tmp_path / "cpp.attnrun")
    finally:
        p.send_signal(signal.SIGINT)
        p.wait(timeout=120)
