"""Per-head attention metrics with the engine's definitions (core/probe/metrics.cpp), one map at a time
(float32 work arrays, float64 sums), so a snapshot of 144 heads × 1024² costs O(T²) extra memory.
tests/test_metrics.py checks them against the C++ implementation to 1e-5.

A: attention probabilities, exact 0 on invisible keys. Z: content logits q·k/√D (NaN where invisible).
window: 0 for a full causal head, w > 0 for a local head that sees keys i−w+1..i (per head or one value)."""
import numpy as np

SINK_THRESHOLD = 0.3  # docs/metrics.md, sink score
LOCAL_WINDOW = 4  # core/probe/head_scores.h kLocalWindow


def visibility(T, window=0):
    """Boolean [T, T] mask of the keys each query sees."""
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    vis = j <= i
    if window and window > 0:
        vis &= (i - j) < window
    return vis


class _Geometry:
    """What every head of one probe length and window shares: its visibility mask, visible keys per query,
    queries per key, and whether queries see key 0. Built once per (T, window)."""

    def __init__(self, T, window):
        self.vis = visibility(T, window)
        self.full = not (window and 0 < window < T)  # the mask is the causal triangle
        self.n = self.vis.sum(-1)
        self.keys_cnt = self.vis.sum(-2)
        self.sees0 = self.vis[:, 0]
        self.positions = np.arange(T, dtype=np.float64)


_GEOMETRY = {}


def _geometry(T, window):
    key = (T, int(window) if window and window > 0 else 0)
    if key not in _GEOMETRY:
        if len(_GEOMETRY) > 8:
            _GEOMETRY.clear()
        _GEOMETRY[key] = _Geometry(*key)
    return _GEOMETRY[key]


def _one_head(A, Z, window):
    """Every per-head metric of one map A [T, T] (float32 work arrays, float64 sums; no T×T float64 copy)."""
    T = A.shape[-1]
    g = _geometry(T, window)
    A = np.asarray(A, dtype=np.float32)
    Av = np.where(g.vis, A, np.float32(0))
    positive = Av > 0
    logs = np.log(Av, out=np.zeros_like(Av), where=positive)
    row_h = -np.einsum("ij,ij->i", Av, logs, dtype=np.float64)
    row_sum = Av.sum(-1, dtype=np.float64)
    dist = g.positions * row_sum - Av.astype(np.float64) @ g.positions  # Σ_j A_ij (i − j)
    out = {"entropy": row_h.mean(), "mean_distance": dist.mean()}
    has2 = g.n >= 2
    cnt = has2.sum()
    out["norm_entropy"] = (row_h[has2] / np.log(g.n[has2])).sum() / cnt if cnt else 0.0
    scnt = g.sees0.sum()
    out["sink_score"] = float(A[:, 0].astype(np.float64)[g.sees0].sum() / scnt) if scnt else 0.0
    if Z is not None:
        Z = np.asarray(Z, dtype=np.float32)
        zv = np.where(g.vis & ~np.isnan(Z), Z, np.float32(-np.inf))
        rmax = zv.max(-1)  # float32, as the engine's running max
        out["max_logit"] = float(rmax.max())
        out["mean_row_max"] = rmax.astype(np.float64).mean()
    else:
        out["max_logit"] = out["mean_row_max"] = np.nan
    column = Av.sum(-2, dtype=np.float64)
    out["key_profile"] = np.where(g.keys_cnt > 0, column / np.maximum(g.keys_cnt, 1), 0.0)
    # importance entropy sums the lower triangle of every head (ResFormer §4.3), whatever its window
    out["tril_column"] = column if g.full or window <= 0 else np.tril(A).sum(-2, dtype=np.float64)
    return out


_HEAD_KEYS = ("entropy", "norm_entropy", "max_logit", "mean_row_max", "sink_score", "mean_distance")


def _per_head(A, Z, window):
    """Runs _one_head over every map of A [..., T, T] (one map at a time: memory stays O(T²))."""
    lead, T = np.shape(A)[:-2], np.shape(A)[-1]
    windows = np.broadcast_to(np.asarray(0 if window is None else window, dtype=np.int64), lead)
    results = {}
    for idx in np.ndindex(*lead):
        r = _one_head(A[idx], None if Z is None else Z[idx], int(windows[idx]))
        for k, v in r.items():
            if k not in results:
                results[k] = np.zeros(lead + np.shape(v), dtype=np.float64)
            results[k][idx] = v
    return results


def head_metrics(A, Z=None, window=0):
    """Returns a dict of arrays shaped like A's leading dimensions: entropy, norm_entropy, max_logit,
    mean_row_max, sink_score, mean_distance (as HeadMetrics in metrics.h)."""
    r = _per_head(A, Z, window)
    return {k: r[k].astype(np.float32) for k in _HEAD_KEYS}


def key_profile(A, window=0):
    """Mean attention key j receives from the queries that see it: [..., T]."""
    return _per_head(A, None, window)["key_profile"].astype(np.float32)


def _importance_from_columns(columns):
    """[..., H, T] lower-triangle column sums of every head → ResFormer importance entropy [...]."""
    imp = columns.mean(-2)  # [..., T]: Σ_i Ā_ij
    p = imp / imp.sum(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(-1)
    return e.astype(np.float32)


def importance_entropy(A_heads):
    """ResFormer importance entropy (§4.3) of one layer's maps [H, T, T] (or [L, H, T, T] → [L])."""
    A = np.asarray(A_heads)
    lead, T = A.shape[:-2], A.shape[-1]
    columns = np.zeros(lead + (T,))
    for idx in np.ndindex(*lead):
        columns[idx] = np.tril(A[idx]).sum(-2, dtype=np.float64)
    return _importance_from_columns(columns)


def entropy_lower_bound(varsigma, T):
    """σReparam Theorem 3.1 lower bound on a row's entropy (metrics.h entropyLowerBound)."""
    varsigma = np.asarray(varsigma, dtype=np.float64)
    if T < 2:
        return np.full(varsigma.shape, np.nan)
    beta = np.exp(-varsigma * np.sqrt(T / (T - 1)))
    out = np.log1p((T - 1) * beta) + varsigma * np.sqrt(T * (T - 1)) * beta / (1 + (T - 1) * beta)
    return np.where(np.isfinite(varsigma), out, np.nan)


def power_iteration(M, iterations=40):
    """Largest singular value as the engine's probe estimates it (core/probe/probe.cpp powerIteration)."""
    M = np.asarray(M, dtype=np.float64)
    b = np.ones(M.shape[1]) / np.sqrt(M.shape[1])
    sigma = 0.0
    for _ in range(iterations):
        a = M @ b
        na = np.linalg.norm(a)
        if na == 0:
            return 0.0
        b = M.T @ (a / na)
        sigma = np.linalg.norm(b)
        if sigma == 0:
            return 0.0
        b /= sigma
    return sigma


_SCORE_KEYS = ("previous_token", "duplicate_token", "induction_score", "local_mass")


def head_scores(A, tokens):
    """What a head does, on the probe tokens the maps were computed on (core/probe/head_scores.h): a dict of
    arrays shaped like A's leading dimensions: previous_token, duplicate_token, induction_score, local_mass.
    TransformerLens's detection patterns, averaged over the queries the pattern gives a target."""
    A = np.asarray(A, dtype=np.float64)
    tokens = np.asarray(tokens).reshape(-1)
    T = A.shape[-1]
    i = np.arange(T)
    earlier = (tokens[None, :] == tokens[:, None]) & (i[None, :] < i[:, None])  # [i, j]: t_j = t_i, j < i
    after = np.zeros_like(earlier)
    after[:, 1:] = earlier[:, :-1]  # [i, j]: t_{j−1} = t_i, j − 1 < i
    rows = earlier.any(-1)
    count = int(rows.sum())
    local = (i[None, :] <= i[:, None]) & (i[:, None] - i[None, :] < LOCAL_WINDOW)
    local_rows = i >= LOCAL_WINDOW
    zero = np.zeros(A.shape[:-2])
    out = {
        "previous_token": A[..., i[1:], i[:-1]].mean(-1) if T > 1 else zero,
        "duplicate_token": (A * earlier).sum(-1)[..., rows].sum(-1) / count if count else zero,
        "induction_score": (A * after).sum(-1)[..., rows].sum(-1) / count if count else zero,
        "local_mass": (A * local).sum(-1)[..., local_rows].mean(-1) if local_rows.any() else zero,
    }
    return {k: np.asarray(v).astype(np.float32) for k, v in out.items()}


def snapshot_metrics(attention, logits=None, windows=0, tokens=None):
    """Every map-derived column of a snapshot from [L, H, T, T] maps (an array, or a list of L arrays
    [H, T, T]): the six per-head metrics, key_profile [L, H, T], importance_entropy [L], sink_rate and, given
    the probe tokens, the head scores (head_scores). Works one layer at a time, so its memory does not grow with the number of heads."""
    L = len(attention)
    H, T = np.shape(attention[0])[0], np.shape(attention[0])[-1]
    windows = np.broadcast_to(np.asarray(0 if windows is None else windows, dtype=np.int64), (L, H))
    r = {}
    for l in range(L):
        layer = _per_head(attention[l], None if logits is None else logits[l], windows[l])
        if tokens is not None:
            layer.update(head_scores(attention[l], tokens))
        for k, v in layer.items():
            r.setdefault(k, np.zeros((L,) + v.shape))[l] = v
    m = {k: r[k].astype(np.float32) for k in _HEAD_KEYS}
    if tokens is not None:
        m.update({k: r[k].astype(np.float32) for k in _SCORE_KEYS})
    m["key_profile"] = r["key_profile"].astype(np.float32)
    m["importance_entropy"] = _importance_from_columns(r["tril_column"])
    m["sink_rate"] = float((m["sink_score"] > np.float32(SINK_THRESHOLD)).sum()) / float(L * H)
    return m
