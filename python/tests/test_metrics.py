"""The Python metrics and the engine's (core/probe/metrics.cpp, through
tests/tools/attnscope_metrics_tool) agree to 1e-5 on the same attention maps."""
import json
import subprocess

import numpy as np

from attnscope import metrics


def random_maps(rng, N, T, windows, peaked):
    """Causal (and windowed) softmax maps from random logits; `peaked` makes some heads near one-hot and
    sink-like, so every branch of the metrics (zeros, ln 0, sinks) is exercised."""
    A = np.zeros((N, T, T), np.float32)
    Z = np.full((N, T, T), np.nan, np.float32)
    for n in range(N):
        vis = metrics.visibility(T, windows[n])
        z = rng.normal(0, 1 + 6 * peaked[n], (T, T)).astype(np.float32)
        if peaked[n]:
            z[:, 0] += 8
        Z[n][vis] = z[vis]
        e = np.where(vis, np.exp(z - np.where(vis, z, -np.inf).max(1, keepdims=True)), 0)
        A[n] = (e / e.sum(1, keepdims=True)).astype(np.float32)
    A[0, 5, :5] = 0  # an exactly one-hot row: 0·ln 0 terms
    A[0, 5, 5] = 1
    return A, Z


def test_python_metrics_equal_the_engine(metrics_tool, tmp_path):
    rng = np.random.default_rng(7)
    T = 24
    windows = np.array([0, 0, 4, 1, 7, 0, 24, 3], dtype=np.int64)
    peaked = [False, True, False, True, False, True, False, True]
    A, Z = random_maps(rng, len(windows), T, windows, peaked)
    for name, value in (("a", A), ("z", Z), ("w", windows)):
        np.save(tmp_path / f"{name}.npy", value)
    # σ(W) by the same power iteration, on a matrix with a clear top singular value and on a rank-1 one.
    M = rng.normal(0, 1, (12, 7)).astype(np.float32)
    M[:, 0] *= 5
    np.save(tmp_path / "m.npy", M)
    out = subprocess.run([metrics_tool, tmp_path / "a.npy", tmp_path / "z.npy", tmp_path / "w.npy",
                          tmp_path / "m.npy"], capture_output=True, text=True, check=True).stdout
    cpp = json.loads(out)

    py = metrics.head_metrics(A, Z, windows)
    profile = metrics.key_profile(A, windows)
    checked = 0
    for n, head in enumerate(cpp["heads"]):
        for key in ("entropy", "norm_entropy", "max_logit", "mean_row_max", "sink_score", "mean_distance"):
            assert abs(float(py[key][n]) - head[key]) <= 1e-5 * max(1.0, abs(head[key])), (n, key)
            checked += 1
        np.testing.assert_allclose(profile[n], head["key_profile"], rtol=1e-5, atol=1e-6)
    assert checked == 6 * len(windows)
    assert abs(float(metrics.importance_entropy(A)) - cpp["importance_entropy"]) <= 1e-5
    # The sink rate as snapshot_metrics defines it (one layer of these N heads) and as the engine counts it.
    sink_rate = metrics.snapshot_metrics(A[None], Z[None], windows[None])["sink_rate"]
    assert 0 < cpp["sink_rate"] < 1
    assert abs(sink_rate - cpp["sink_rate"]) <= 1e-7
    sigma = metrics.power_iteration(M.astype(np.float64))
    assert abs(sigma - cpp["spectral_norm"]) <= 1e-6 * sigma
    assert abs(sigma - np.linalg.svd(M.astype(np.float64), compute_uv=False)[0]) <= 1e-3 * sigma
    np.testing.assert_allclose(metrics.entropy_lower_bound(np.array([0, 0.5, 1, 2, 5, 10.0]), T),
                               cpp["entropy_lower_bound"], rtol=1e-6)
    # The maps are not degenerate: sinks, local heads and spread heads all occur.
    assert py["sink_score"].max() > 0.9 and py["sink_score"].min() < 0.3
    assert py["mean_distance"][3] == 0.0  # window 1: every query sees only itself


def test_python_head_scores_equal_the_engine(metrics_tool, tmp_path):
    """previous-token, duplicate-token, induction and local-mass scores (core/probe/head_scores.h) on random
    maps over a token sequence with repeats, and on the hand-built induction / previous-token maps."""
    rng = np.random.default_rng(11)
    T = 21
    windows = np.array([0, 0, 3, 0, 0, 5], dtype=np.int64)
    A, Z = random_maps(rng, len(windows), T, windows, [False, True, False, True, False, False])
    tokens = np.concatenate([[1], rng.integers(2, 9, size=T - 1)]).astype(np.int64)  # repeats, not distinct
    n = (T - 1) // 2
    A[4] = 0  # a pure induction head on the repeated half of a second probe (checked below)
    A[5] = 0
    for i in range(T):
        A[5, i, max(i - 1, 0)] = 1  # a pure previous-token head
        A[4, i, i] = 1
    for name, value in (("a", A), ("z", Z), ("w", windows), ("t", tokens)):
        np.save(tmp_path / f"{name}.npy", value)
    out = subprocess.run([metrics_tool] + [tmp_path / f"{x}.npy" for x in "azwt"], capture_output=True, text=True,
                         check=True).stdout
    cpp = json.loads(out)
    py = metrics.head_scores(A, tokens)
    for k, head in enumerate(cpp["heads"]):
        for key in ("previous_token", "duplicate_token", "induction_score", "local_mass"):
            assert abs(float(py[key][k]) - head[key]) <= 1e-5, (k, key)
    assert py["previous_token"][5] == 1.0
    # The induction probe's layout: <bos> r r with distinct r; an induction head scores 1, a previous-token 0.
    r = rng.permutation(np.arange(2, 2 + n))
    rep = np.concatenate([[1], r, r])
    M = np.zeros((2, len(rep), len(rep)), np.float32)
    for i in range(len(rep)):
        M[0, i, i - n + 1 if i > n else i] = 1
        M[1, i, max(i - 1, 0)] = 1
    s = metrics.head_scores(M, rep)
    assert s["induction_score"].tolist() == [1.0, 0.0]
    assert s["previous_token"].tolist() == [0.0, 1.0]


def test_snapshot_metrics_shapes_and_sink_rate():
    rng = np.random.default_rng(1)
    A, Z = random_maps(rng, 6, 10, [0] * 6, [True, False] * 3)
    m = metrics.snapshot_metrics(A.reshape(2, 3, 10, 10), Z.reshape(2, 3, 10, 10))
    assert m["entropy"].shape == (2, 3) and m["key_profile"].shape == (2, 3, 10)
    assert m["importance_entropy"].shape == (2,)
    assert m["sink_rate"] == float((m["sink_score"] > np.float32(0.3)).mean())


def test_stored_snapshot_metrics_match_recomputed_maps(cpp_run):
    """The engine's stored per-head metrics equal the package's on the decoded maps up to float16 storage."""
    import attnscope
    with attnscope.open_run(cpp_run) as run:
        spec = run.spec["model"]
        s = run.snapshot()
    windows = [[spec["window"] if spec["ls_attention"] and h < spec["heads"] - spec["global_heads"] else 0
                for h in range(s.heads)] for _ in range(s.layers)]
    m = metrics.snapshot_metrics(s.attention, s.logits, windows)
    for key in ("entropy", "norm_entropy", "sink_score", "mean_distance", "max_logit"):
        np.testing.assert_allclose(m[key], getattr(s, key), rtol=2e-3, atol=2e-3)
