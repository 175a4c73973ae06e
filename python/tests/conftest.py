"""Shared fixtures. The suite runs from CTest (tests/CMakeLists.txt sets ATTNSCOPE_CLI,
ATTNSCOPE_PLOT, ATTNSCOPE_METRICS_TOOL and PYTHONPATH) or by hand: `PYTHONPATH=python /usr/bin/python3 -m pytest python/tests`
after `cmake --build build --target attnscope-cli attnscope_metrics_tool`."""
import os
import random
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="torch is not installed (apt install python3-torch): "
                                                        "the PyTorch parts of attnscope are not tested")


def _tool(env, default):
    path = os.environ.get(env) or os.path.join(ROOT, default)
    if not os.path.isfile(path):
        pytest.fail(f"{path} does not exist: build it (cmake --build build --target {os.path.basename(default)}) "
                    f"or set {env}")
    return path


@pytest.fixture(scope="session")
def cli():
    return _tool("ATTNSCOPE_CLI", "build/cli/attnscope-cli")


@pytest.fixture(scope="session")
def plot():
    return _tool("ATTNSCOPE_PLOT", "build/cli/attnscope-plot")


@pytest.fixture(scope="session")
def metrics_tool():
    return _tool("ATTNSCOPE_METRICS_TOOL", "build/tests/attnscope_metrics_tool")


def run_cli(cli, *args, cwd=None):
    r = subprocess.run([cli, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
    if r.returncode != 0:
        raise AssertionError(f"attnscope-cli {' '.join(map(str, args))} failed ({r.returncode}): {r.stderr}")
    return r.stdout


WORDS = ("the cat sat on a mat while dogs ran past quiet hills and rivers under grey skies every morning "
         "light fell across old stone walls").split()


def words_text(seed, chars):
    r = random.Random(seed)
    out = []
    while sum(len(w) + 1 for w in out) < chars:
        out.append(r.choice(WORDS))
    return " ".join(out) + ".\n"


@pytest.fixture(scope="session")
def texts(tmp_path_factory):
    """A training text and an evaluation text whose byte set differs (a '~' the model never saw), so that
    `attnscope-cli eval --data file:` scores the whole evaluation text with the model's tokenizer."""
    d = tmp_path_factory.mktemp("texts")
    train, evaluation = d / "train.txt", d / "eval.txt"
    train.write_text(words_text(1, 6000))
    evaluation.write_text(words_text(2, 1200).replace("hills", "hills~"))
    return str(train), str(evaluation)


TINY = ["--layers", "2", "--heads", "4", "--d-model", "16", "--context", "16", "--batch", "4",
        "--eval-every", "1000", "--checkpoint-every", "0", "--threads", "1", "--quiet", "--force"]


@pytest.fixture(scope="session")
def cpp_run(cli, texts, tmp_path_factory):
    """A small run trained by the engine: 12 steps, snapshots every 4, one checkpoint, one saved eval."""
    path = tmp_path_factory.mktemp("cpp") / "cpp.attnrun"
    run_cli(cli, "train", "--data", f"file:{texts[0]}", *TINY, "--steps", "12", "--record-every", "4",
            "--ls-window", "4", "--global-heads", "2", "--out", path)
    run_cli(cli, "eval", "--run", path, "--data", f"file:{texts[1]}", "--length", "16", "--save")
    return str(path)
