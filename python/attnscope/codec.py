"""Byte encodings of the run file (docs/run-format.md): raw little-endian arrays and the causal-map
encoding ``f16_tril_zlib`` (lower triangle incl. the diagonal, row by row, float16, one zlib stream)."""
import zlib

import numpy as np

MAP_ENCODING = "f16_tril_zlib"


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
    """Maps [L, H, T, T] already packed by pack_causal_maps: the recorder compresses them on its own threads
    and hands the blob to the writer."""

    def __init__(self, maps):
        maps = np.asarray(maps, dtype=np.float32)
        self.shape = maps.shape
        self.blob = pack_causal_maps(maps)


def pack_causal_maps(maps):
    """maps: [..., T, T] (any leading shape, flattened in C order = layer-major, head-minor).
    float16 conversion rounds to nearest even, overflow gives ±inf, NaN stays NaN (as blob_codec.cpp)."""
    maps = np.asarray(maps, dtype=np.float32)
    T = maps.shape[-1]
    if maps.shape[-2] != T:
        raise ValueError(f"maps must be square in the last two dimensions, got {maps.shape}")
    rows, cols = np.tril_indices(T)
    with np.errstate(over="ignore"):
        halves = maps.reshape(-1, T, T)[:, rows, cols].astype("<f2")
    return zlib.compress(halves.tobytes(), 6)


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
