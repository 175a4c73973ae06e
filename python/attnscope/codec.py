"""Byte encodings of the run file (docs/run-format.md): raw little-endian arrays and the causal-map
encodings ``f16_tril_zlib`` (lower triangle incl. the diagonal, row by row, float16, one zlib stream) and
``q8_tril_zlib`` (the same triangle at 8 bits per value against each row's range, one zlib block per map;
the C++ twin is core/store/quantized_maps.cpp)."""
import struct
import zlib

import numpy as np

MAP_ENCODING = "f16_tril_zlib"
Q8_ENCODING = "q8_tril_zlib"
PRECISIONS = {"f16": MAP_ENCODING, "q8": Q8_ENCODING}
Q8_LEVELS = 252  # codes 0 … 252 are linear in [lo, hi]; 253 = −inf, 254 = +inf, 255 = NaN


class FormatError(ValueError):
    """A run file or checkpoint that is damaged or of a format this package cannot read."""


def floats_to_blob(values):
    """float32 little-endian bytes, or None for a missing array (SQLite NULL)."""
    if values is None:
        return None
    return np.ascontiguousarray(values, dtype="<f4").tobytes()


def _check_bytes(blob, what):
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise FormatError(f"{what} is damaged: an array is stored as {type(blob).__name__}, not bytes.")


def blob_to_floats(blob, expected, what):
    if blob is None:
        return None
    _check_bytes(blob, what)
    if len(blob) == 0:
        return None
    if len(blob) % 4:
        raise FormatError(f"{what} is damaged: {len(blob)} bytes is not a whole number of floats.")
    out = np.frombuffer(blob, dtype="<f4").astype(np.float32)
    if out.size != expected:
        raise FormatError(f"{what} is damaged: it has {out.size} values, expected {expected}.")
    return out


def int32s_to_blob(values):
    if values is None:
        return None
    return np.ascontiguousarray(values, dtype="<i4").tobytes()


def blob_to_int32s(blob, what):
    if blob is None:
        return np.zeros(0, dtype=np.int32)
    _check_bytes(blob, what)
    if len(blob) == 0:
        return np.zeros(0, dtype=np.int32)
    if len(blob) % 4:
        raise FormatError(f"{what} is damaged: {len(blob)} bytes is not a whole number of 32-bit integers.")
    return np.frombuffer(blob, dtype="<i4").astype(np.int32)


class PackedMaps:
    """Maps [L, H, T, T] already packed (precision "f16": pack_causal_maps, "q8": pack_quantized_maps): the
    recorder compresses them on its own threads and hands the blob to the writer."""

    def __init__(self, maps, precision="f16"):
        """maps: an array [L, H, T, T], or a list of L arrays [H, T, T] (packed one by one, never stacked)."""
        if precision not in PRECISIONS:
            raise ValueError(f"map precision must be one of {sorted(PRECISIONS)}, got {precision!r}")
        self.shape = (len(maps),) + tuple(np.shape(maps[0])) if isinstance(maps, (list, tuple)) else np.shape(maps)
        self.encoding = PRECISIONS[precision]
        self.blob = pack_quantized_maps(maps) if precision == "q8" else pack_causal_maps(maps)


def q8_error_bound(lo, hi):
    """The largest decoding error of a q8 value of a row whose finite values span [lo, hi]: half a step of
    (hi − lo)/252 plus float32 rounding of the decoded value, 2⁻¹⁴⁹ apart among subnormals (as
    quantized_maps.h)."""
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    return (hi - lo) / (2 * Q8_LEVELS) + np.ldexp(np.maximum(np.abs(lo), np.abs(hi)), -23) + 2.0 ** -149


_TRIL = {}


def _tril_mask(T):
    if T not in _TRIL:
        _TRIL.clear()
        _TRIL[T] = np.tril(np.ones((T, T), dtype=bool))
    return _TRIL[T]


def _deflate_rle(raw):
    """zlib stream (RFC 1950) with deflate's run-length strategy: codes beyond their leading bits are noise,
    where string matching only costs time; runs (zeros of sparse rows) still shrink. Any inflater reads it."""
    stream = zlib.compressobj(1, zlib.DEFLATED, 15, 8, zlib.Z_RLE)
    return stream.compress(raw) + stream.flush()


def _quantize_map(m):
    """One map [T, T] (float32; only key ≤ query is read) → zlib block of lo[T], hi[T] (float32) and the codes
    of the lower triangle, row by row (as quantized_maps.cpp)."""
    tril = _tril_mask(m.shape[-1])
    finite = np.isfinite(m) & tril
    lo = np.where(finite, m, np.float32(np.inf)).min(1)
    hi = np.where(finite, m, np.float32(-np.inf)).max(1)
    # The range always includes 0 (as quantized_maps.cpp): a near-uniform row (an untrained model's attention)
    # quantises to a few codes near 252 instead of spreading insignificant noise over all of them.
    lo = np.minimum(lo, np.float32(0))  # also 0 for rows without a finite value
    hi = np.maximum(hi, np.float32(0))
    lo64, hi64 = lo.astype(np.float64), hi.astype(np.float64)
    scale = np.divide(Q8_LEVELS, hi64 - lo64, out=np.zeros_like(lo64), where=hi64 > lo64)
    with np.errstate(invalid="ignore"):
        c = (m - lo64[:, None]) * scale[:, None]
    np.rint(c, out=c)
    np.clip(c, 0, Q8_LEVELS, out=c)  # NaN stays NaN here and is overwritten below
    if np.count_nonzero(finite) == np.count_nonzero(tril):  # the usual case: nothing to mark
        with np.errstate(invalid="ignore"):  # NaN above the diagonal (masked logits) is never stored
            codes = c.astype(np.uint8)
    else:
        codes = np.nan_to_num(c, nan=0.0).astype(np.uint8)
        codes[np.isnan(m)] = 255
        codes[m == np.inf] = 254
        codes[m == -np.inf] = 253
    return _deflate_rle(lo.astype("<f4").tobytes() + hi.astype("<f4").tobytes() + codes[tril].tobytes())


def pack_quantized_maps(maps):
    """maps: [..., T, T] or a list of per-layer arrays → q8_tril_zlib: a uint32 table of block sizes, then
    one zlib block per map."""
    T, chunks = _square_chunks(maps)
    blocks = [_quantize_map(m) for chunk in chunks for m in chunk]
    return struct.pack(f"<{len(blocks)}I", *map(len, blocks)) + b"".join(blocks)


def unpack_quantized_maps(blob, count, length, upper_fill, what="map"):
    """q8_tril_zlib → float32 [count, T, T]; every block's size is checked against the stored shape."""
    if len(blob) < 4 * count:
        raise FormatError(f"{what} is damaged: its block table does not fit its {len(blob)} bytes.")
    sizes = struct.unpack_from(f"<{count}I", blob)
    if 4 * count + sum(sizes) != len(blob):
        raise FormatError(f"{what} is damaged: its block table does not match its {len(blob)} bytes.")
    per_map = length * (length + 1) // 2
    expected = 8 * length + per_map
    rows, cols = np.tril_indices(length)
    counts = np.arange(1, length + 1)
    maps = np.full((count, length, length), upper_fill, dtype=np.float32)
    at = 4 * count
    for m, size in enumerate(sizes):
        try:
            d = zlib.decompressobj()
            raw = d.decompress(blob[at:at + size], expected + 1)
        except zlib.error as e:
            raise FormatError(f"{what} (map {m}) is damaged: its compressed data does not inflate ({e}).") from None
        if len(raw) != expected or not d.eof:
            raise FormatError(f"{what} (map {m}) is damaged: its compressed data has the wrong length.")
        at += size
        lo = np.frombuffer(raw, dtype="<f4", count=length).astype(np.float64)
        hi = np.frombuffer(raw, dtype="<f4", count=length, offset=4 * length).astype(np.float64)
        codes = np.frombuffer(raw, dtype=np.uint8, offset=8 * length)
        lo_c, hi_c = np.repeat(lo, counts), np.repeat(hi, counts)
        values = (lo_c + (hi_c - lo_c) * codes / Q8_LEVELS).astype(np.float32)
        values[codes == Q8_LEVELS] = hi_c[codes == Q8_LEVELS]
        values[codes == 253] = -np.inf
        values[codes == 254] = np.inf
        values[codes == 255] = np.nan
        maps[m, rows, cols] = values
    return maps


def unpack_maps(encoding, blob, count, length, upper_fill, what="map"):
    """Either encoding, by its stored name; FormatError for a name this version does not know."""
    if encoding == MAP_ENCODING:
        return unpack_causal_maps(blob, count, length, upper_fill, what)
    if encoding == Q8_ENCODING:
        return unpack_quantized_maps(blob, count, length, upper_fill, what)
    raise FormatError(f'{what} uses attention-map encoding "{encoding}", which this version cannot read.')


def _square_chunks(maps):
    """maps: [..., T, T], or a list of such arrays (one per layer) → (T, [n, T, T] float32 chunks in order)."""
    chunks = list(maps) if isinstance(maps, (list, tuple)) else [maps]
    chunks = [np.asarray(c, dtype=np.float32) for c in chunks]
    T = chunks[0].shape[-1]
    for c in chunks:
        if c.shape[-2:] != (T, T):
            raise ValueError(f"maps must be square in the last two dimensions, got {c.shape}")
    return T, [c.reshape(-1, T, T) for c in chunks]


def pack_causal_maps(maps):
    """maps: [..., T, T] (any leading shape, flattened in C order = layer-major, head-minor), or a list of
    per-layer arrays. float16 conversion rounds to nearest even, overflow gives ±inf, NaN stays NaN (as
    blob_codec.cpp)."""
    T, chunks = _square_chunks(maps)
    rows, cols = np.tril_indices(T)
    stream = zlib.compressobj(6)
    out = []
    for chunk in chunks:
        for m in chunk:
            with np.errstate(over="ignore"):
                out.append(stream.compress(m[rows, cols].astype("<f2").tobytes()))
    out.append(stream.flush())
    return b"".join(out)


def inflate_exactly(blob, expected, what):
    """zlib-inflates `blob`, which must expand to exactly `expected` bytes. Never holds more than expected + 1
    bytes of output, whatever the stream would expand to (a damaged shape or a zlib bomb), and refuses a
    claimed size that no deflate stream of this length can hold (deflate expands at most ~1032:1)."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise FormatError(f"{what} is damaged: its maps are stored as {type(blob).__name__}, not bytes.")
    if expected > (len(blob) + 64) * 1100:
        raise FormatError(f"{what} is damaged: {len(blob)} compressed bytes cannot hold {expected} bytes.")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(blob, expected + 1)
    except zlib.error as e:
        raise FormatError(f"{what} is damaged: its compressed data does not inflate ({e}).") from None
    if len(raw) != expected or not inflater.eof:
        raise FormatError(f"{what} is damaged: its compressed data has the wrong length.")
    return raw


def unpack_causal_maps(blob, count, length, upper_fill, what="map"):
    """zlib → float16 lower triangles → float32 [count, T, T]; the strict upper triangle is upper_fill."""
    per_map = length * (length + 1) // 2
    raw = inflate_exactly(blob, count * per_map * 2, what)
    halves = np.frombuffer(raw, dtype="<f2").reshape(count, per_map)
    rows, cols = np.tril_indices(length)
    maps = np.full((count, length, length), upper_fill, dtype=np.float32)
    maps[:, rows, cols] = halves.astype(np.float32)
    return maps


def nan_to_none(value):
    """SQLite has no NaN: NaN is stored as NULL."""
    if value is None:
        return None
    value = float(value)
    return None if value != value else value


def none_to_nan(values):
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
