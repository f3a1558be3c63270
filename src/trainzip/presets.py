"""Named levels a user picks with --level: each a fixed, tested, recorded configuration.

The same presets serve every input; nothing here is tuned to one file.
"""

from __future__ import annotations

from trainzip.config import CodecConfig
from trainzip.errors import TrainzipError
from trainzip.models.context_mixing import ContextMixingConfig
from trainzip.models.neural import NetworkConfig

LEVELS: dict[str, CodecConfig] = {
    # eight contexts, six mixers, two SSE stages, no network: the quickest learner, still far below xz -9e
    "fast": CodecConfig(level="fast", streams=64, min_segment=2048,
                        context_mixing=ContextMixingConfig(contexts=8, mixers=6, sse_stages=2, sse_share=4),
                        network=None),
    # 24 contexts, seven mixers, five SSE stages, and a small LSTM trained online whose next-byte
    # distribution joins the mix; 64 streams on large blocks keep the network's steps few. Against
    # this count model the LSTM now saves little (0.3.0: 0.02% on alice29, 0.1% on enwik6)
    "default": CodecConfig(level="default", streams=64, min_segment=2048,
                           context_mixing=ContextMixingConfig(contexts=24, mixers=7),
                           network=NetworkConfig(hidden=64, embedding=16)),
    # every context, mixer and SSE stage, a probability input per context besides its stretch, 4x
    # larger tables, one unbroken stream. No network: a PyTorch step costs about 1 ms whatever the
    # batch, so a network needs many streams, and the streams cost more than the network gave
    # (alice29, measured while building 0.3.0: 35,594 bytes in 82 s with a 256-unit LSTM over 8
    # streams, 35,358 in 18 s with neither)
    "max": CodecConfig(level="max", streams=1,
                       context_mixing=ContextMixingConfig(probability_inputs=True, table_bits=24),
                       network=None),
}


def preset(level: str) -> CodecConfig:
    """The configuration of a named level."""
    try:
        return LEVELS[level]
    except KeyError:
        raise TrainzipError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})") from None
