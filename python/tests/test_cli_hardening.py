"""The command-line tools on hostile input (docs/run-format.md, "Damaged input"; docs/cli.md): killed and
map-less runs, a read-only mount, the engine and the Python writer racing for one file, malformed command
lines. Runs the built attnscope-cli and attnscope-plot."""
import os
import shutil
import subprocess
import time

import numpy as np
import pytest

import attnscope
from attnscope import RunWriter, WriterLockedError
from conftest import TINY
from test_damaged_inputs import killed_run, small_run


def test_killed_run_reads_from_a_read_only_mount(tmp_path, cli):
    """The -wal of a killed run on a read-only mount without its -shm (a user and mount namespace make the
    mount where the system allows them; skipped elsewhere)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = killed_run(folder / "killed.attnrun")
    os.remove(path + "-shm")
    check = (f"mount --bind -o ro {folder} {folder} && touch {folder}/x 2>/dev/null && exit 9; "
             f"{cli} info {path} && {os.sys.executable} -c "
             f"\"import attnscope; r = attnscope.open_run('{path}'); print('python steps', r.steps()['step'].size)\"")
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        pytest.skip("no user/mount namespaces here to make a read-only mount")
    r = subprocess.run(["unshare", "-rm", "sh", "-c", check], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=os.environ.get("PYTHONPATH", "")))
    assert r.returncode == 0, r.stderr
    assert "steps        20" in r.stdout and "interrupted at step 20" in r.stdout, r.stdout
    assert "python steps 20" in r.stdout


def test_private_copies_of_a_killed_run_are_removed(tmp_path, cli):
    """A killed run without its -shm is read from a private temporary copy; neither reader leaves the copy
    behind, not even a script that never closes the run."""
    path = killed_run(tmp_path / "killed.attnrun")
    os.remove(path + "-shm")
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    r = subprocess.run([cli, "info", path], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "interrupted at step 20" in r.stdout, r.stderr
    script = f"import attnscope; r = attnscope.open_run({path!r}); print(r.steps()['step'].size)"
    r = subprocess.run([os.sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stdout.strip() == "20", r.stderr
    assert os.listdir(temp) == []


def test_interrupted_run_is_not_shown_as_training(tmp_path, cli):
    path = killed_run(tmp_path / "killed.attnrun")
    r = subprocess.run([cli, "info", path], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "interrupted at step 20" in r.stdout and "training at step" not in r.stdout, r.stdout


def test_plot_draws_no_maps_from_snapshots_without_them(tmp_path, plot):
    """Snapshots without maps (NULL columns, as RunWriter.append_snapshot writes them) crashed
    attnscope-plot's map views with SIGSEGV; they are a clear error, and curve views still draw."""
    path = small_run(tmp_path / "nomaps.attnrun", maps=False)
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))
    for view in ("attention", "grid"):
        r = subprocess.run([plot, path, "--view", view, "--out", str(tmp_path / f"{view}.png")],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 1 and "holds no attention maps" in r.stderr, (r.returncode, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    r = subprocess.run([plot, path, "--view", "entropy", "--out", str(tmp_path / "entropy.png")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr


def test_engine_and_python_creating_the_same_run_never_both_win(cli, texts, tmp_path):
    """`attnscope-cli train --force --out F` and RunWriter.create(F, overwrite=True) started together: the
    Python writer keeps its file open until the CLI has exited, so exactly one of them may succeed, and the
    file is then that one's complete run. (Before the shared protocol, both could report success and the
    CLI's run was silently replaced.)"""
    path = str(tmp_path / "race.attnrun")
    rng = np.random.default_rng(5)
    outcomes = {"cli": 0, "python": 0}
    deadline = time.monotonic() + 20
    trials = 0
    while trials < 30 and time.monotonic() < deadline:
        trials += 1
        small_run(path)  # something to overwrite, as in the reported trials
        p = subprocess.Popen([cli, "train", "--data", f"file:{texts[0]}", *TINY, "--steps", "3", "--name", "cli",
                              "--out", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(float(rng.uniform(0.0, 0.06)))
        writer, error = None, None
        try:
            writer = RunWriter.create(path, spec=attnscope.run_spec(name="python"), overwrite=True)
        except (WriterLockedError, FileExistsError, OSError) as e:
            error = e
        stderr = p.communicate(timeout=60)[1]
        if writer is not None:
            writer.append_step(1, 1.0)
            writer.close()
        cli_won, python_won = p.returncode == 0, writer is not None
        assert cli_won != python_won, f"trial {trials}: CLI rc {p.returncode} ({stderr.strip()}), Python {error}"
        with attnscope.open_run(path) as run:
            assert run.spec["name"] == ("cli" if cli_won else "python")
            if cli_won:
                assert run.status[0] == "finished" and list(run.steps()["step"]) == [1, 2, 3]
        outcomes["cli" if cli_won else "python"] += 1
    assert trials >= 10


def test_bad_command_lines_get_one_clear_line(cli, tmp_path):
    cases = [
        ([b"train", b"--name", b"caf\xe9", b"--data", b"task:copy"], "not valid UTF-8"),
        ([b"train", b"--steps", b"0x10"], "expects an integer"),
    ]
    for args, expected in cases:
        r = subprocess.run([os.fsencode(cli), *args], capture_output=True)
        err = r.stderr.decode("utf-8", "replace")
        assert r.returncode == 2 and expected in err and len(err.strip().splitlines()) == 1, err


def test_threads_beyond_the_cores_are_capped_with_a_note(cli, texts, tmp_path):
    out = tmp_path / "threads.attnrun"
    args = [a for a in TINY if a not in ("--threads", "1")]
    r = subprocess.run([cli, "train", "--data", f"file:{texts[0]}", *args, "--steps", "1", "--threads", "1000",
                        "--out", str(out)], capture_output=True, text=True)
    cores = os.cpu_count()
    assert r.returncode == 0, r.stderr
    assert f"1000 threads requested; using {4 * cores}" in r.stderr, r.stderr
