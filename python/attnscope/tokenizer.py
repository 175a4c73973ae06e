"""The engine's tokenizer (core/data/tokenizer.h): id 0 is <unk>, id 1 is <bos>, then either the bytes of
the corpus in byte order ("bytes") or named symbols ("symbols"). Its JSON goes into the run header so the
app can label tokens."""
import json

UNK, BOS = 0, 1


class Tokenizer:
    def __init__(self, kind="bytes", tokens=()):
        self.kind = kind
        self.tokens = list(tokens)  # bytes (ints) or symbol names, ids 2, 3, ...
        self._byte_to_id = {b: i + 2 for i, b in enumerate(self.tokens)} if kind == "bytes" else None

    @classmethod
    def from_text(cls, text):
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return cls("bytes", sorted(set(data)))

    @classmethod
    def from_symbols(cls, symbols):
        return cls("symbols", list(symbols))

    @classmethod
    def from_json(cls, text):
        j = json.loads(text)
        if j.get("format") != "attnscope-tokenizer" or j.get("version") != 1:
            raise ValueError("not an AttnScope tokenizer (format attnscope-tokenizer, version 1)")
        if j.get("kind") == "bytes":
            return cls("bytes", [int(b) for b in j["bytes"]])
        if j.get("kind") == "symbols":
            return cls("symbols", [str(s) for s in j["symbols"]])
        raise ValueError(f"unknown tokenizer kind {j.get('kind')!r}")

    def to_json(self):
        j = {"format": "attnscope-tokenizer", "version": 1, "kind": self.kind}
        j["bytes" if self.kind == "bytes" else "symbols"] = self.tokens
        return json.dumps(j, separators=(",", ":"))

    @property
    def vocab_size(self):
        return 2 + len(self.tokens)

    def encode(self, text):
        if self.kind != "bytes":
            raise NotImplementedError("encode() is implemented for byte tokenizers")
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return [self._byte_to_id.get(b, UNK) for b in data]

    def decode(self, ids):
        if self.kind == "bytes":
            return bytes(self.tokens[i - 2] for i in ids if i >= 2).decode("utf-8", errors="replace")
        return " ".join(self.tokens[i - 2] if i >= 2 else ("<unk>", "<bos>")[i] for i in ids)
