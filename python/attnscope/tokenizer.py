"""The engine's tokenizer (core/data/tokenizer.h): id 0 is <unk>, id 1 is <bos>, then either the bytes of
the corpus in byte order ("bytes") or named symbols ("symbols"). A third kind, "vocab", labels another
model's vocabulary from id 0 (nanoGPT's itos, a tokenizer.json's pieces as text). Its JSON goes into the run
header so the app can label tokens."""
import json

UNK, BOS = 0, 1


class Tokenizer:
    def __init__(self, kind="bytes", tokens=()):
        self.kind = kind
        self.tokens = list(tokens)  # bytes (ints) or symbol names, ids 2, 3, ...; "vocab": labels from id 0
        self._byte_to_id = {b: i + 2 for i, b in enumerate(self.tokens)} if kind == "bytes" else None

    @classmethod
    def from_text(cls, text):
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return cls("bytes", sorted(set(data)))

    @classmethod
    def from_symbols(cls, symbols):
        return cls("symbols", list(symbols))

    @classmethod
    def from_labels(cls, labels):
        """A foreign vocabulary: id i is shown as labels[i], from id 0 (no <unk>/<bos> are added)."""
        return cls("vocab", [str(s) for s in labels])

    @classmethod
    def from_itos(cls, itos):
        """nanoGPT's character table (meta.pkl's itos, a dict id → character, or a list): ids from 0."""
        if isinstance(itos, dict):
            return cls.from_labels([itos.get(i, f"<{i}>") for i in range(max(itos) + 1)] if itos else [])
        return cls.from_labels(itos)

    @classmethod
    def from_stoi(cls, stoi):
        """nanoGPT's stoi (character → id, ids from 0)."""
        return cls.from_itos({i: s for s, i in stoi.items()})

    @classmethod
    def from_json(cls, text):
        j = json.loads(text)
        if j.get("format") != "attnscope-tokenizer" or j.get("version") != 1:
            raise ValueError("not an AttnScope tokenizer (format attnscope-tokenizer, version 1)")
        if j.get("kind") == "bytes":
            return cls("bytes", [int(b) for b in j["bytes"]])
        if j.get("kind") == "symbols":
            return cls("symbols", [str(s) for s in j["symbols"]])
        if j.get("kind") == "vocab":
            return cls("vocab", [str(s) for s in j["labels"]])
        raise ValueError(f"unknown tokenizer kind {j.get('kind')!r}")

    def to_json(self):
        j = {"format": "attnscope-tokenizer", "version": 1, "kind": self.kind}
        j[{"bytes": "bytes", "symbols": "symbols", "vocab": "labels"}[self.kind]] = self.tokens
        return json.dumps(j, separators=(",", ":"))

    @property
    def vocab_size(self):
        return len(self.tokens) if self.kind == "vocab" else 2 + len(self.tokens)

    def special_ids(self):
        """The ids that stand for no data (<unk>, <bos>); none for a foreign vocabulary's labels."""
        return () if self.kind == "vocab" else (UNK, BOS)

    def label(self, i):
        """The text shown for token id i."""
        if self.kind == "vocab":
            return self.tokens[i] if 0 <= i < len(self.tokens) else f"<?{i}>"
        if i in (UNK, BOS):
            return ("<unk>", "<bos>")[i]
        t = self.tokens[i - 2]
        return chr(t) if self.kind == "bytes" else t

    def encode(self, text):
        if self.kind != "bytes":
            raise NotImplementedError("encode() is implemented for byte tokenizers")
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return [self._byte_to_id.get(b, UNK) for b in data]

    def decode(self, ids):
        if self.kind == "vocab":
            return "".join(self.label(i) for i in ids)
        if self.kind == "bytes":
            return bytes(self.tokens[i - 2] for i in ids if i >= 2).decode("utf-8", errors="replace")
        return " ".join(self.tokens[i - 2] if i >= 2 else ("<unk>", "<bos>")[i] for i in ids)


def as_tokenizer(obj):
    """An attnscope Tokenizer from what a PyTorch user has at hand: a Tokenizer; a tokenizer.json path or the
    folder holding it; nanoGPT's stoi (dict str → id) or itos (dict id → str, or a list); a transformers
    tokenizer or a tokenizers.Tokenizer (its tokenizer.json is read through to_str())."""
    import os
    if obj is None or isinstance(obj, Tokenizer):
        return obj
    from .hf_tokenizer import labels_from_tokenizer_json
    if isinstance(obj, (str, os.PathLike)):
        path = os.fspath(obj)
        if os.path.isdir(path):
            path = os.path.join(path, "tokenizer.json")
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} does not exist (a tokenizer.json or the folder holding one)")
        with open(path, encoding="utf-8") as f:
            return Tokenizer.from_labels(labels_from_tokenizer_json(json.load(f)))
    if isinstance(obj, dict):
        keys = list(obj)
        if keys and all(isinstance(k, str) for k in keys):
            return Tokenizer.from_stoi(obj)
        return Tokenizer.from_itos(obj)
    if isinstance(obj, (list, tuple)):
        return Tokenizer.from_itos(list(obj))
    backend = getattr(obj, "backend_tokenizer", obj)  # transformers' fast tokenizers wrap a tokenizers.Tokenizer
    if hasattr(backend, "to_str"):
        return Tokenizer.from_labels(labels_from_tokenizer_json(json.loads(backend.to_str())))
    raise TypeError(f"cannot make token labels from {type(obj).__name__}: pass an attnscope.Tokenizer, a "
                    "tokenizer.json path, nanoGPT's stoi/itos, or a fast (tokenizers-backed) tokenizer")
