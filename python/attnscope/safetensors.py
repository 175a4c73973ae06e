"""safetensors images (https://github.com/huggingface/safetensors) without the safetensors package:
8-byte little-endian header length, JSON header padded with spaces to a multiple of 8, byte buffer.
Laid out like the reference implementation and core/io/safetensors.cpp (descending element size,
then name)."""
import json
import struct

import numpy as np

from .codec import FormatError

_DTYPES = {
    "BOOL": np.dtype("?"), "U8": np.dtype("u1"), "I8": np.dtype("i1"), "I16": np.dtype("<i2"),
    "U16": np.dtype("<u2"), "I32": np.dtype("<i4"), "U32": np.dtype("<u4"), "I64": np.dtype("<i8"),
    "U64": np.dtype("<u8"), "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
}
_NAMES = {(v.kind, v.itemsize): k for k, v in _DTYPES.items()}
#: Element sizes of the dtypes numpy has no type for; their tensors travel as Raw bytes.
_RAW_SIZES = {"BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1}


class Raw:
    """A tensor of a dtype numpy lacks (bfloat16, float8): its safetensors dtype name, shape and bytes."""

    def __init__(self, dtype, shape, data):
        self.dtype, self.shape, self.data = dtype, [int(s) for s in shape], bytes(data)
        self.itemsize = _RAW_SIZES[dtype]
        if len(self.data) != self.itemsize * int(np.prod(self.shape, dtype=np.int64)):
            raise ValueError(f"{dtype} tensor of shape {self.shape} needs {self.itemsize} bytes per element")

    @property
    def nbytes(self):
        return len(self.data)

    def bits(self):
        """The elements' bit patterns as unsigned integers of the element size."""
        return np.frombuffer(self.data, dtype=f"<u{self.itemsize}").reshape(self.shape)


def _dtype_name(array):
    name = _NAMES.get((array.dtype.kind, array.dtype.itemsize))
    if name is None:
        raise ValueError(f"safetensors cannot store dtype {array.dtype}")
    return name


def dumps(tensors, metadata=None):
    """tensors: name → numpy array. metadata: str → str. Returns the image as bytes."""
    arrays = {}
    for name, value in tensors.items():
        if not name or name == "__metadata__":
            raise ValueError(f"invalid tensor name {name!r}")
        if isinstance(value, Raw):
            arrays[name] = value
            continue
        a = np.asarray(value)
        arrays[name] = np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<")))
    itemsize = lambda a: a.itemsize if isinstance(a, Raw) else a.dtype.itemsize  # noqa: E731
    order = sorted(arrays, key=lambda n: (-itemsize(arrays[n]), n))
    header = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("safetensors metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    offset = 0
    for name in order:
        a = arrays[name]
        dtype = a.dtype if isinstance(a, Raw) else _dtype_name(a)
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(arrays[n].data if isinstance(arrays[n], Raw) else arrays[n].tobytes() for n in order)


def loads(data):
    """Returns (tensors: name → numpy array, or Raw for bfloat16/float8, metadata: dict). Raises FormatError on
    any malformation."""
    data = bytes(data)
    if len(data) < 8:
        raise FormatError("the safetensors image is shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise FormatError("the safetensors header runs past the end of the image")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"the safetensors header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise FormatError("the safetensors header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not all(isinstance(v, str) for v in metadata.values()):
        raise FormatError("safetensors metadata values must be strings")
    buffer = memoryview(data)[8 + n:]
    tensors, spans = {}, []
    for name, info in header.items():
        try:
            dtype = _DTYPES[info["dtype"]] if info["dtype"] not in _RAW_SIZES else np.dtype(f"<u{_RAW_SIZES[info['dtype']]}")
            shape = [int(s) for s in info["shape"]]
            begin, end = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise FormatError(f"tensor {name!r} has a malformed or unsupported header entry") from None
        count = int(np.prod(shape)) if shape else 1
        if begin < 0 or end < begin or end > len(buffer) or end - begin != count * dtype.itemsize:
            raise FormatError(f"tensor {name!r} has offsets that disagree with its dtype, shape or the buffer")
        if info["dtype"] in _RAW_SIZES:
            tensors[name] = Raw(info["dtype"], shape, buffer[begin:end])
        else:
            tensors[name] = np.frombuffer(buffer[begin:end], dtype=dtype).reshape(shape).copy()
        spans.append((begin, end))
    spans.sort()
    at = 0
    for begin, end in spans:
        if begin != at:
            raise FormatError("safetensors tensors overlap or leave gaps in the buffer")
        at = end
    if at != len(buffer):
        raise FormatError("the safetensors buffer has bytes no tensor covers")
    return tensors, dict(metadata)


def load_file(path):
    with open(path, "rb") as f:
        return loads(f.read())


def save_file(path, tensors, metadata=None):
    import os
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(dumps(tensors, metadata))
    os.replace(tmp, path)
