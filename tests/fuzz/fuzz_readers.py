"""Fuzz test of every reader of run files (CTest `fuzz_readers`; docs/run-format.md, "Damaged input").

Builds a small valid run with the engine, then reads a few hundred damaged copies of it — bytes flipped,
runs of bytes overwritten, truncated, and values changed through SQLite (text where numbers belong, huge
dimensions, deep JSON, long messages) — with `attnscope-cli info`, `attnscope-cli export-data`,
`attnscope-plot` and the Python reader. Every reader must end with success or one clear error (exit 1 and
one line on stderr; attnscope.FormatError in Python): no signal, no other exception, within the time and
address-space limits below. Fixed seed; the run stops adding files at the time budget.

Longer sessions: --files 5000 --budget 3600 --seed N (or the libFuzzer targets in tests/fuzz/, docs)."""
import argparse
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

MEMORY_LIMIT = 3 << 30  # address space of each reader; the valid run needs a few hundred MB at most
TIME_LIMIT = 20  # seconds per reader per file


# AddressSanitizer reserves terabytes of address space for its shadow memory, so under it (the sanitizer
# build sets ASAN_OPTIONS) memory is bounded by resident size instead (hard_rss_limit_mb).
SANITIZED = "ASAN_OPTIONS" in os.environ
if SANITIZED:
    os.environ["ASAN_OPTIONS"] += ":hard_rss_limit_mb=%d" % (MEMORY_LIMIT >> 20)


def limited():
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def build_base(cli, folder):
    base = os.path.join(folder, "base.attnrun")
    subprocess.run([cli, "train", "--data", "task:copy", "--layers", "2", "--heads", "2", "--d-model", "16",
                    "--context", "16", "--batch", "2", "--steps", "12", "--record-every", "4",
                    "--checkpoint-every", "12", "--eval-every", "1000", "--threads", "1", "--quiet",
                    "--force", "--out", base], check=True, capture_output=True)
    return base


SQL_DAMAGE = [
    "UPDATE snapshots SET layers = 'x'", "UPDATE snapshots SET heads = 4000",
    "UPDATE snapshots SET length = 65536", "UPDATE snapshots SET attention = NULL, logits = NULL",
    "UPDATE snapshots SET attention = 7", "UPDATE snapshots SET tokens = 'abc'",
    "UPDATE snapshots SET entropy = x'00'", "UPDATE snapshots SET map_encoding = 'other'",
    "UPDATE steps SET loss = 'low'", "UPDATE steps SET step = step * 1000000000000",
    "UPDATE run SET spec_json = '" + "[" * 100000 + "'", "UPDATE run SET spec_json = '{\"model\": 3}'",
    "UPDATE run SET tokenizer_json = '{'", "UPDATE run SET spec_json = x'ff00'",
    "UPDATE events SET message = printf('%.*c', 5000000, 'x')", "UPDATE events SET kind = NULL",
    "UPDATE meta SET value = 'nine' WHERE key = 'schema_version'", "DELETE FROM meta WHERE key = 'app'",
    "UPDATE meta SET value = CAST(x'c3' AS TEXT) WHERE key = 'writer'", "DROP TABLE snapshots",
    "UPDATE checkpoints SET data = x'00'", "UPDATE status_history SET status = 'weird'",
]


def mutate(rng, original, path):
    """Writes one damaged copy of `original` (bytes) to `path`; returns a description."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    choice = rng.random()
    data = bytearray(original)
    if choice < 0.35:
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
        what = "flipped bytes"
    elif choice < 0.55:
        at = rng.randrange(len(data))
        data[at:at + rng.randint(1, 64)] = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 64)))
        what = f"overwritten at {at}"
    elif choice < 0.65:
        data = data[:rng.randrange(len(data))]
        what = f"truncated to {len(data)}"
    else:
        with open(path, "wb") as f:
            f.write(original)
        statement = rng.choice(SQL_DAMAGE)
        con = sqlite3.connect(path)
        try:
            con.execute(statement)
            con.commit()
        except sqlite3.Error:
            pass
        con.close()
        return f"sql: {statement[:60]}"
    with open(path, "wb") as f:
        f.write(data)
    return what


def run_tool(command, what, runtime):
    try:
        r = subprocess.run(command, capture_output=True, timeout=TIME_LIMIT, preexec_fn=limited,
                           env=dict(os.environ, QT_QPA_PLATFORM="offscreen", OMP_NUM_THREADS="1",
                                    XDG_RUNTIME_DIR=runtime))
    except subprocess.TimeoutExpired:
        return f"{what}: no answer within {TIME_LIMIT} s"
    err = r.stderr.decode("utf-8", "replace").strip()
    if r.returncode < 0:
        return f"{what}: killed by signal {-r.returncode}"
    if r.returncode not in (0, 1):
        return f"{what}: exit {r.returncode}: {err[:300]}"
    if r.returncode == 1 and (len(err.splitlines()) != 1 or len(err) > 1200):
        return f"{what}: not one clear error line: {err[:300]!r}"
    return None


class TooSlow(Exception):
    pass


def python_reader(path):
    """The Python reader in this process (a process per file would cost a numpy import each): only
    FormatError (or KeyError for a missing step) may come out, within TIME_LIMIT."""
    import signal
    import attnscope

    def alarm(*_):
        raise TooSlow()
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(TIME_LIMIT)
    try:
        with attnscope.open_run(path) as run:
            run.header, run.spec, run.tokenizer, run.steps(), run.events(), run.evals(), run.status
            run.step_scalars(), run.snapshot_scalars()
            for step in run.snapshot_steps():
                s = run.snapshot(int(step))
                s.attention, s.logits
            for step in run.checkpoint_steps():
                run.checkpoint(int(step))
    except (attnscope.FormatError, KeyError):
        pass
    except TooSlow:
        return f"python reader: no answer within {TIME_LIMIT} s"
    except BaseException as e:  # noqa: BLE001 - what the test is looking for
        return f"python reader: {type(e).__name__}: {str(e)[:300]}"
    finally:
        signal.alarm(0)
    return None


def main():
    limited()  # the Python reader runs here
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--plot", required=True)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--budget", type=float, default=50.0, help="seconds; no new file after it")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="attnscope-fuzz-")
    failures = []
    try:
        original = open(build_base(args.cli, folder), "rb").read()
        path = os.path.join(folder, "damaged.attnrun")
        runtime = os.path.join(folder, "xdg")  # Qt's runtime folder (else it warns on stderr)
        os.mkdir(runtime, 0o700)
        start, done = time.monotonic(), 0
        while done < args.files and time.monotonic() - start < args.budget:
            what = mutate(rng, original, path)
            readers = [([args.cli, "info", path], "info")]
            # The slower readers take turns.
            turn = done % 3
            if turn != 2:
                out = os.path.join(folder, "export")
                shutil.rmtree(out, ignore_errors=True)
                readers.append(([args.cli, "export-data", path, "--out", out], "export-data"))
            else:
                view = "attention" if done % 6 == 2 else "training"
                readers.append(([args.plot, path, "--view", view, "--out", os.path.join(folder, "f.png")],
                                f"plot --view {view}"))
            problems = [run_tool(command, name, runtime) for command, name in readers] + [python_reader(path)]
            for problem in problems:
                if problem:
                    failures.append(f"file {done} ({what}): {problem}")
                    shutil.copy(path, os.path.join(folder, f"failure-{done}.attnrun"))
            done += 1
        print(f"{done} damaged files in {time.monotonic() - start:.0f} s, seed {args.seed}: "
              f"{len(failures)} failures")
        for f in failures[:20]:
            print("  " + f)
        if failures:
            print(f"failing files kept in {folder}")
        return 1 if failures or done < 50 else 0
    finally:
        if not failures:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
