"""Per-head attention metrics with the engine's definitions (core/probe/metrics.cpp),
vectorised over [..., T, T] maps. tests/test_metrics.py checks them against the C++ implementation to 1e-5.

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


def _masks(lead, T, window):
    """[*lead, T, T] visibility masks for per-map windows."""
    windows = np.broadcast_to(np.asarray(0 if window is None else window, dtype=np.int64), lead)
    out = np.empty(lead + (T, T), dtype=bool)
    cache = {}
    for idx in np.ndindex(*lead):
        w = int(windows[idx])
        if w not in cache:
            cache[w] = visibility(T, w)
        out[idx] = cache[w]
    return out


def head_metrics(A, Z=None, window=0):
    """Returns a dict of arrays shaped like A's leading dimensions: entropy, norm_entropy, max_logit,
    mean_row_max, sink_score, mean_distance (as HeadMetrics in metrics.h)."""
    A = np.asarray(A, dtype=np.float64)
    lead, T = A.shape[:-2], A.shape[-1]
    vis = _masks(lead, T, window)
    Av = np.where(vis, A, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(Av > 0, Av * np.log(np.where(Av > 0, Av, 1.0)), 0.0)
    row_h = -plogp.sum(-1)  # [..., T]
    n = vis.sum(-1)  # visible keys per row
    i = np.arange(T)
    dist = (Av * (i[:, None] - i[None, :])).sum(-1)
    out = {"entropy": row_h.mean(-1), "mean_distance": dist.mean(-1)}
    has2 = n >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(has2, row_h / np.log(np.maximum(n, 2)), 0.0)
    cnt = has2.sum(-1)
    out["norm_entropy"] = np.where(cnt > 0, ratio.sum(-1) / np.maximum(cnt, 1), 0.0)
    sees0 = vis[..., 0]  # rows whose window reaches key 0
    scnt = sees0.sum(-1)
    out["sink_score"] = np.where(scnt > 0, (A[..., 0] * sees0).sum(-1) / np.maximum(scnt, 1), 0.0)
    if Z is not None:
        Z = np.asarray(Z, dtype=np.float32)
        zv = np.where(vis & ~np.isnan(Z), Z, -np.inf)
        rmax = zv.max(-1)  # float32, as the engine's running max
        out["max_logit"] = rmax.max(-1).astype(np.float64)
        out["mean_row_max"] = rmax.astype(np.float64).mean(-1)
    else:
        out["max_logit"] = np.full(lead, np.nan)
        out["mean_row_max"] = np.full(lead, np.nan)
    return {k: v.astype(np.float32) for k, v in out.items()}


def key_profile(A, window=0):
    """Mean attention key j receives from the queries that see it: [..., T]."""
    A = np.asarray(A, dtype=np.float64)
    lead, T = A.shape[:-2], A.shape[-1]
    vis = _masks(lead, T, window)
    cnt = vis.sum(-2)
    return np.where(cnt > 0, np.where(vis, A, 0.0).sum(-2) / np.maximum(cnt, 1), 0.0).astype(np.float32)


def importance_entropy(A_heads):
    """ResFormer importance entropy (§4.3) of one layer's maps [H, T, T] (or [L, H, T, T] → [L])."""
    A = np.asarray(A_heads, dtype=np.float64)
    T = A.shape[-1]
    tril = np.tril(np.ones((T, T), dtype=bool))
    imp = np.where(tril, A, 0.0).sum(-2).mean(-2)  # [..., T]: Σ_i Ā_ij
    total = imp.sum(-1, keepdims=True)
    p = imp / total
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(-1)
    return e.astype(np.float32)


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
    """Every map-derived column of a snapshot from [L, H, T, T] maps: the six per-head metrics,
    key_profile [L, H, T], importance_entropy [L], sink_rate and, given the probe tokens, the head scores."""
    attention = np.asarray(attention)
    L, H, T, _ = attention.shape
    m = head_metrics(attention, logits, windows)
    if tokens is not None:
        m.update(head_scores(attention, tokens))
    m["key_profile"] = key_profile(attention, windows)
    m["importance_entropy"] = importance_entropy(attention)
    m["sink_rate"] = float((m["sink_score"] > np.float32(SINK_THRESHOLD)).sum()) / float(L * H)
    return m
