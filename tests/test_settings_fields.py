"""Settings read from a file are checked field by field, and each misfit is named: a crafted header
gets one clear error before anything is allocated."""

import pytest

from trainzip.codec.presets import LEVELS, settings_from_record
from trainzip.codec.settings import CodecConfig
from trainzip.errors import FormatError
from trainzip.models.context_mixing import ContextMixingConfig
from trainzip.models.context_mixing import config as cm_config
from trainzip.models.context_mixing.mixer_sets import MAX_MIXERS
from trainzip.models.context_mixing.sse import MAX_SSE_STAGES
from trainzip.models.network.config import NetworkConfig


def _custom(**changes) -> dict:
    record = LEVELS["fast"].replace(level="custom").to_dict()
    for path, value in changes.items():
        *parents, name = path.split("__")
        target = record
        for parent in parents:
            target = target[parent]
        target[name] = value
    return record


@pytest.mark.parametrize("path, value, named", [
    ("context_mixing__contexts", 0, "context_mixing.contexts must be in 1..48"),
    ("context_mixing__contexts", 49, "context_mixing.contexts must be in 1..48"),
    ("context_mixing__table_bits", 40, "context_mixing.table_bits must be in 10..24"),
    ("context_mixing__mixer_decay", 0, "context_mixing.mixer_decay must be in 1.."),
    ("context_mixing__run_inputs", 1, "context_mixing.run_inputs must be true or false"),
    ("context_mixing__contexts", 8.0, "context_mixing.contexts must be an integer"),
    ("context_mixing__contexts", True, "context_mixing.contexts must be an integer"),
    ("streams", 10**9, "streams must be in 1..256"),
    ("threads", 10**6, "threads must be in 1..64"),
    ("block_size", -1, "block_size must be in 1.."),
    ("seed", "0", "seed must be an integer"),
    ("level", ["fast"], "level must be a string"),
    ("context_mixing", None, "context_mixing must be an object"),
    ("context_mixing__colour", 3, "unknown setting context_mixing.colour"),
    ("speed", 3, "unknown setting speed"),
    ("context_mixing__co\nlour", 3, "unknown setting context_mixing.'co\\nlour'"),
    ("network", {"hidden": 10**7}, "network.hidden must be in 1..1,024"),
    ("network", {"hidden": "128"}, "network.hidden must be an integer"),
    ("network", {"bptt": 0}, "network.bptt must be in 1..256"),
    ("network", {"learning_rate": float("nan")}, "network.learning_rate must be finite"),
    ("network", {"gradient_clip": -1.0}, "network.gradient_clip must be in 0.."),
])
def test_each_misfit_is_named(path, value, named):
    """A value out of range, of the wrong kind, or a setting this release does not know: one
    FormatError naming the field (on one line, whatever the name holds)."""
    with pytest.raises(FormatError) as caught:
        settings_from_record(_custom(**{path: value}))
    assert named in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("record", [None, [], "fast", 7])
def test_settings_that_are_not_an_object(record):
    """"config": null, a list or a string where the settings belong."""
    with pytest.raises(FormatError, match="must be an object"):
        settings_from_record(record)


def test_a_named_level_that_is_not_a_string():
    """A list as the level's name is refused by name, not looked up."""
    with pytest.raises(FormatError, match="does not have"):
        settings_from_record({"level": ["fast"]})


def test_every_level_fits_its_own_ranges():
    """What the levels use is inside the ranges (the ranges are the levels' with room to spare)."""
    for config in LEVELS.values():
        assert CodecConfig.from_dict(config.to_dict()) == config


def test_the_encoder_refuses_what_the_decoder_would():
    """Settings the decoder would refuse cannot be built to encode with either."""
    with pytest.raises(ValueError, match="contexts"):
        ContextMixingConfig(contexts=49)
    with pytest.raises(ValueError, match="streams"):
        LEVELS["fast"].replace(streams=0)
    with pytest.raises(ValueError, match="hidden"):
        NetworkConfig(hidden=0)


def test_the_ranges_follow_the_kernels():
    """The settings' limits are the kernels' own sizes (kept apart so that settings load without them)."""
    assert cm_config.MAX_MIXERS == MAX_MIXERS
    assert cm_config.MAX_SSE_STAGES == MAX_SSE_STAGES
