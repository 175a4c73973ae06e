"""PyTorch side of AttnScope (needs torch): nanoGPT-style modules with the engine's mechanisms that load
AttnScope checkpoints (model.py), and the Recorder that writes attention dynamics of any PyTorch training
into a run file (recorder.py)."""
from .model import GPT, GPTConfig, state_dict_from_checkpoint  # noqa: F401
from .hf_capture import UnsupportedModel  # noqa: F401
from .recorder import Recorder  # noqa: F401
from .series import record_checkpoints  # noqa: F401

__all__ = ["GPT", "GPTConfig", "Recorder", "UnsupportedModel", "record_checkpoints",
           "state_dict_from_checkpoint"]
