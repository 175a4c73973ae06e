"""AttnScope in Python: read and write .attnrun files, record attention dynamics from PyTorch training,
and load AttnScope checkpoints into PyTorch modules. numpy + the standard library; torch only for
attnscope.torch. Documentation: docs/python.md."""
__version__ = "0.1.0"

from .codec import FormatError  # noqa: E402
from .model_description import ModelDescription  # noqa: E402
from .metrics import head_metrics, importance_entropy, key_profile, snapshot_metrics  # noqa: E402
from .reader import Run, Snapshot, open_run  # noqa: E402
from .spec import run_spec  # noqa: E402
from .tokenizer import Tokenizer  # noqa: E402
from .writer import RunWriter, WriterLockedError  # noqa: E402

__all__ = ["FormatError", "ModelDescription", "Run", "RunWriter", "Snapshot", "Tokenizer", "WriterLockedError", "head_metrics",
           "importance_entropy", "key_profile", "open_run", "run_spec", "snapshot_metrics", "__version__"]
