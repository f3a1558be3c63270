"""Named levels a user picks with --level: each a fixed, tested, recorded configuration.

The same presets serve every input; nothing here is tuned to one file.
"""

from __future__ import annotations

from trainzip.config import CodecConfig
from trainzip.errors import TrainzipError
from trainzip.models.context_mixing import ContextMixingConfig
from trainzip.models.neural import NetworkConfig

LEVELS: dict[str, CodecConfig] = {
    # count-based contexts and a match model only: the quickest learner that still beats xz -9e
    "fast": CodecConfig(level="fast", streams=16, context_mixing=ContextMixingConfig(contexts=8), network=None),
    # all contexts, and a small LSTM trained online whose prediction joins the mix
    "default": CodecConfig(level="default", streams=16, context_mixing=ContextMixingConfig(),
                           network=NetworkConfig()),
    # a larger network, updated more often, over fewer streams
    "max": CodecConfig(level="max", streams=8, context_mixing=ContextMixingConfig(),
                       network=NetworkConfig(hidden=256, bptt=8)),
}


def preset(level: str) -> CodecConfig:
    """The configuration of a named level."""
    try:
        return LEVELS[level]
    except KeyError:
        raise TrainzipError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})") from None
