"""The description of a recorded model stored in a run's header (run.model_json, schema 3; the C++ type is
core/model/model_description.h, docs/run-format.md). Every key is optional: what a recorder could not find on
the model is absent, and readers show it as "—", never as an engine default."""
import json

UNKNOWN = "—"

#: Keys and their types (position is an object: scheme, rotary_fraction, rotary_base).
TEXT_KEYS = ("family", "source", "norm", "mlp", "dtype", "name_or_path", "revision")
COUNT_KEYS = ("layers", "heads", "kv_heads", "head_dim", "d_model", "vocab", "context")
BOOL_KEYS = ("parallel_residual", "tied_embeddings")
POSITION_SCHEMES = ("learned", "rotary", "alibi", "sinusoidal", "none")


class ModelDescription(dict):
    """A dict of the known fields ({"family": "llama", "heads": 8, ...}); missing keys are unknown."""

    def __init__(self, *args, **fields):
        super().__init__()
        for key, value in dict(*args, **fields).items():
            if value is not None:
                self[key] = value
        self.check()

    def check(self):
        """Raises ValueError for a wrongly typed field or a self-contradiction."""
        for key, value in self.items():
            if key in TEXT_KEYS and not isinstance(value, str):
                raise ValueError(f"model_json.{key}: expected a string, got {value!r}")
            if key in COUNT_KEYS and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"model_json.{key}: expected a positive integer, got {value!r}")
            if key in BOOL_KEYS and not isinstance(value, bool):
                raise ValueError(f"model_json.{key}: expected true or false, got {value!r}")
            if key == "parameters" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"model_json.parameters: expected a count, got {value!r}")
        position = self.get("position")
        if position is not None:
            if not isinstance(position, dict):
                raise ValueError(f"model_json.position: expected an object, got {position!r}")
            fraction = position.get("rotary_fraction")
            if fraction is not None and not 0 < fraction <= 1:
                raise ValueError(f"model_json.position.rotary_fraction {fraction} is not in (0, 1]")
        heads, kv = self.get("heads"), self.get("kv_heads")
        if heads and kv and (kv > heads or heads % kv):
            raise ValueError(f"key/value heads ({kv}) must divide the query heads ({heads})")

    @classmethod
    def from_json(cls, text):
        if not text:
            return cls()
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("model_json: expected an object")
        return cls(value)

    def to_json(self):
        return json.dumps(dict(self), separators=(",", ":")) if self else None

    def shown(self, key):
        """The field as readers show it: "—" when unknown."""
        if key == "position":
            p = self.get("position") or {}
            if "scheme" not in p:
                return UNKNOWN
            text = p["scheme"]
            if p["scheme"] == "rotary":
                text += "".join(f", {name} {p[k]:g}" for name, k in (("fraction", "rotary_fraction"),
                                                                     ("base", "rotary_base")) if k in p)
            return text
        value = self.get(key)
        if value is None:
            return UNKNOWN
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    def summary(self):
        """One line per field, "—" for unknown ones (the rows `attnscope-cli info` and the app show)."""
        keys = ("family", "layers", "heads", "kv_heads", "head_dim", "d_model", "vocab", "context", "position",
                "norm", "mlp", "parallel_residual", "tied_embeddings", "parameters", "dtype", "name_or_path",
                "revision", "source")
        return "\n".join(f"{k:18} {self.shown(k)}" for k in keys)
