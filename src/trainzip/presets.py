"""Named levels a user picks with --level: each a fixed, tested, recorded configuration.

The same presets serve every input; nothing here is tuned to one file.
"""

from __future__ import annotations

from trainzip.config import CodecConfig
from trainzip.errors import TrainzipError
from trainzip.models.context_mixing import ContextMixingConfig
from trainzip.models.neural import NetworkConfig

LEVELS: dict[str, CodecConfig] = {
    # count-based contexts and a match model, no network: the quickest learner, still far below xz -9e
    "fast": CodecConfig(level="fast", streams=64, min_segment=2048, single_stream_below=0,
                        context_mixing=ContextMixingConfig(contexts=8), network=None),
    # all contexts, and an LSTM trained online whose next-byte distribution joins the mix
    "default": CodecConfig(level="default", streams=32, context_mixing=ContextMixingConfig(),
                           network=NetworkConfig()),
    # a second, confidence-weighted input per context and a wider LSTM
    "max": CodecConfig(level="max", streams=32, context_mixing=ContextMixingConfig(confidence_inputs=True),
                       network=NetworkConfig(hidden=256)),
}


def preset(level: str) -> CodecConfig:
    """The configuration of a named level."""
    try:
        return LEVELS[level]
    except KeyError:
        raise TrainzipError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})") from None
