"""The RunSpec JSON stored in a run header (core/train/run_spec.cpp). The C++ side overlays it on its
defaults and rejects unknown keys, so only the keys listed here may appear."""
import copy

MODEL_KEYS = ("layers", "heads", "d_model", "context", "vocab", "position", "sinusoidal_scale", "rope_theta",
              "tied_head", "attention", "ls_attention", "global_heads", "window", "value_residual", "lambda1", "lambda2",
              "sigma_reparam", "gamma_init", "qk_norm", "z_loss", "layer_norm_eps", "init_std")
TRAIN_KEYS = ("batch", "steps", "lr", "min_lr_ratio", "warmup", "optimizer", "momentum", "weight_decay", "decay_mode", "beta1", "beta2",
              "eps", "grad_clip", "seed", "threads", "record_every", "eval_every", "eval_batches",
              "checkpoint_every", "probe_length", "map_precision", "probe_logits", "induction_probe")
DATA_KEYS = ("source", "path", "task", "task_alphabet", "task_local_k", "bos", "bos_aligned", "task_triggers",
             "val_fraction", "probe_text")

# The engine's defaults (core/model/config.h, core/train/train_config.h).
MODEL_DEFAULTS = {
    "layers": 4, "heads": 4, "d_model": 128, "context": 128, "vocab": 96, "position": "learned",
    "sinusoidal_scale": 0.028284271247461901, "rope_theta": 10000.0, "tied_head": True, "attention": "softmax", "ls_attention": False,
    "global_heads": 1, "window": 32, "value_residual": "off", "lambda1": 0.5, "lambda2": 0.5,
    "sigma_reparam": "off", "gamma_init": "one", "qk_norm": False, "z_loss": 0.0, "layer_norm_eps": 1e-5,
    "init_std": 0.02,
}


def _checked(section, values, keys):
    values = dict(values or {})
    unknown = sorted(set(values) - set(keys))
    if unknown:
        raise ValueError(f"{section}: unknown setting(s) {unknown}; AttnScope knows {list(keys)}")
    return values


def run_spec(name="pytorch", description="", model=None, train=None, data=None):
    """A RunSpec dict. model/train/data hold engine settings (MODEL_KEYS, TRAIN_KEYS, DATA_KEYS); anything
    not given takes the engine's default when the app reads the file."""
    spec = {"name": name, "description": description, "preset": ""}
    spec["model"] = _checked("model", model, MODEL_KEYS)
    spec["train"] = _checked("train", train, TRAIN_KEYS)
    spec["data"] = _checked("data", data, DATA_KEYS)
    return spec


def model_config(spec_model):
    """The full model configuration: engine defaults overlaid with the spec's model section."""
    config = copy.deepcopy(MODEL_DEFAULTS)
    config.update(_checked("model", spec_model, MODEL_KEYS))
    return config
