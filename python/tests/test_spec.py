"""spec.py mirrors the engine's RunSpec: every preset's configuration (attnscope-cli presets --json) has exactly
spec.py's keys in each section, and the engine's defaults (attnscope-cli train --dry-run with no settings) are
spec.py's MODEL_DEFAULTS."""
import json

import pytest

from attnscope import spec
from conftest import run_cli

SECTIONS = (("model", spec.MODEL_KEYS), ("train", spec.TRAIN_KEYS), ("data", spec.DATA_KEYS))


def test_every_preset_has_exactly_the_keys_spec_py_knows(cli):
    presets = json.loads(run_cli(cli, "presets", "--json"))
    assert len(presets) > 5
    for preset in presets:
        for section, keys in SECTIONS:
            assert set(preset["spec"][section]) == set(keys), (preset["id"], section)
        # run_spec() accepts the preset's settings as they are.
        built = spec.run_spec(model=preset["spec"]["model"], train=preset["spec"]["train"],
                              data=preset["spec"]["data"])
        assert built["model"] == preset["spec"]["model"]


def test_model_defaults_are_the_engines(cli):
    out = run_cli(cli, "train", "--dry-run")
    engine = json.loads(out[: out.rindex("}") + 1])
    for section, keys in SECTIONS:
        assert set(engine[section]) == set(keys), section
    assert set(spec.MODEL_DEFAULTS) == set(spec.MODEL_KEYS)
    for key, value in spec.MODEL_DEFAULTS.items():
        if key == "vocab":
            continue  # the dry run states the spec as used: vocab is the data's vocabulary (run-format.md)
        if isinstance(value, float):
            assert engine["model"][key] == pytest.approx(value, rel=1e-15), key
        else:
            assert engine["model"][key] == value, key
    # spec.model_config() of a model given no settings is the engine's default model.
    assert set(spec.model_config({})) == set(engine["model"])
