"""Map precision q8 (docs/run-format.md, "Map encoding q8_tril_zlib"): the stated error bound holds on
adversarial rows, non-finite values and row extremes come back exactly, the C++ reader decodes Python-written
q8 maps to the same numbers, and the sizes docs/run-format.md quotes hold for realistic maps."""
import numpy as np
import pytest

import attnscope
from attnscope import codec
from conftest import run_cli
from test_interop import write_python_run


def adversarial_maps(T=40, seed=5):
    rng = np.random.default_rng(seed)
    maps = np.zeros((12, T, T), np.float32)
    maps[0] = rng.random((T, T)) ** 12                       # most values far below the row maximum
    maps[1] = rng.normal(0, 1e30, (T, T))                    # huge values of both signs
    maps[2] = np.float32(3.4e38) * np.sign(rng.normal(size=(T, T)))  # the whole float range in one row
    maps[3] = 0.7                                            # constant rows
    maps[4] = rng.random((T, T)) * 1e-42                     # subnormals only
    maps[5] = np.arange(T * T, dtype=np.float32).reshape(T, T) % 253 / 252  # exactly on the codes and half-way
    maps[5, ::2] += 0.5 / 252
    maps[6] = rng.normal(0, 3, (T, T))
    maps[6][rng.random((T, T)) < 0.2] = np.nan               # masked logits
    maps[6, 7, :3] = [np.inf, -np.inf, np.nan]
    maps[7] = np.nan                                         # rows without a finite value
    maps[8] = rng.normal(0, 1, (T, T))
    maps[8, :, 0] = 1e6                                      # one outlier per row (sink logit)
    maps[9] = rng.random((T, T))
    maps[9, :, 3] = 0                                        # exact zeros at the row minimum
    maps[10] = np.float32(1) + rng.random((T, T)).astype(np.float32) * np.float32(1e-6)  # range of a few ulp
    maps[11] = -rng.random((T, T)) * 1e-3
    return maps


def test_near_uniform_rows_take_few_bytes():
    """An untrained model's rows are 1/i plus noise far below a colour step: the range from 0 keeps that noise
    in a few codes, so such maps take under half of float16's bytes (the error bound is unchanged)."""
    rng = np.random.default_rng(4)
    T = 256
    z = rng.normal(0, 0.02, (4, T, T))
    z = np.where(np.tril(np.ones((T, T), bool)), z, -np.inf)
    a = np.exp(z - z.max(-1, keepdims=True))
    a = (a / a.sum(-1, keepdims=True)).astype(np.float32)
    assert len(codec.pack_quantized_maps(a)) < 0.5 * len(codec.pack_causal_maps(a))


def check_bound(original, decoded):
    T = original.shape[-1]
    for m in range(original.shape[0]):
        for i in range(T):
            row, back = original[m, i, :i + 1].astype(np.float64), decoded[m, i, :i + 1].astype(np.float64)
            finite = np.isfinite(row)
            # non-finite values come back as themselves
            assert np.array_equal(np.isnan(row), np.isnan(back)), (m, i)
            assert np.array_equal(row[np.isinf(row)], back[np.isinf(row)]), (m, i)
            if not finite.any():
                continue
            lo, hi = min(row[finite].min(), 0.0), max(row[finite].max(), 0.0)  # the stored range includes 0
            err = np.abs(back[finite] - row[finite])
            assert np.all(err <= codec.q8_error_bound(lo, hi)), (m, i, err.max(), codec.q8_error_bound(lo, hi))
            for exact in (lo, hi, 0.0):  # zeros, a positive maximum, a negative minimum
                assert np.all(back[finite][row[finite] == exact] == exact), (m, i, exact)
        assert np.all(decoded[m][np.triu_indices(T, 1)] == -7)  # the upper triangle is the fill


def test_q8_error_bound_holds_on_adversarial_rows():
    maps = adversarial_maps()
    decoded = codec.unpack_quantized_maps(codec.pack_quantized_maps(maps), maps.shape[0], maps.shape[-1], -7.0)
    check_bound(maps, decoded)


def test_q8_rejects_damage():
    blob = bytearray(codec.pack_quantized_maps(adversarial_maps(T=8)))
    with pytest.raises(attnscope.FormatError, match="block table"):
        codec.unpack_quantized_maps(bytes(blob[:-1]), 12, 8, 0.0)
    with pytest.raises(attnscope.FormatError, match="wrong length"):
        codec.unpack_quantized_maps(bytes(blob), 12, 9, 0.0)  # a shape the blocks do not hold
    blob[-3] ^= 0xFF
    with pytest.raises(attnscope.FormatError, match="damaged"):
        codec.unpack_quantized_maps(bytes(blob), 12, 8, 0.0)


def test_q8_run_reads_the_same_in_cpp_and_python(cli, tmp_path):
    path = tmp_path / "q8.attnrun"
    written = write_python_run(path, precision="q8")
    with attnscope.open_run(path) as run:
        python = np.stack([run.attention(s) for s in (10, 20, 30)])
        logits = run.logits(30)
    run_cli(cli, "export-data", path, "--out", tmp_path / "exp", "--steps", "all")
    np.testing.assert_array_equal(np.load(tmp_path / "exp" / "attention.npy"), python)
    expected = np.stack([written["maps"][s] for s in (10, 20, 30)])
    tril = np.broadcast_to(np.tril(np.ones((12, 12), bool)), expected.shape)
    row_max = np.where(tril, expected, 0).max(-1, keepdims=True)
    assert np.all(np.abs(python - expected)[tril] <= np.broadcast_to(row_max, expected.shape)[tril] / 504 + 1e-7)
    assert np.all(python[~tril] == 0) and np.all(np.isnan(logits[..., 0, 1:]))


def test_q8_sizes_for_realistic_maps():
    """Causal softmax rows of a 256-token probe with sink, previous-token and diffuse heads: q8 attention is
    under 35% of float16 attention, and under 25% of a float16 snapshot's maps (attention + logits) when the
    run stores no logit maps."""
    rng = np.random.default_rng(2)
    T = 256
    i, j = np.arange(T)[:, None], np.arange(T)[None, :]
    z = rng.normal(0, 1.5, (8, T, T))
    z[0:2, :, 0] += 6                       # sinks
    z[2:4] += np.where(j == i - 1, 8, 0)    # previous token
    z = np.where(j <= i, z, -np.inf)
    a = np.exp(z - z.max(-1, keepdims=True))
    a = (a / a.sum(-1, keepdims=True)).astype(np.float32)
    logits = np.where(j <= i, z, np.nan).astype(np.float32)
    f16, q8 = len(codec.pack_causal_maps(a)), len(codec.pack_quantized_maps(a))
    assert q8 < 0.35 * f16, (q8, f16)
    assert q8 < 0.25 * (f16 + len(codec.pack_causal_maps(logits))), (q8, f16)
