"""Codes one block of bytes through a channel: the single function behind compress and decompress.

The encoder passes the block; the decoder passes zeros of the same length, which the learner
fills in as the symbols come off the channel. Nothing else differs between the two directions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from trainzip import prequential
from trainzip.coding.channel import Channel
from trainzip.config import CodecConfig
from trainzip.models.byte_streams import ByteStreamLearner
from trainzip.models.neural import OnlineByteNetwork

ProgressCallback = Callable[[int, float], None]
"""Called with (bytes coded in this block so far, ideal bits so far in this block)."""

_PROGRESS_EVERY = 512  # bit-steps between progress callbacks


def build_learner(config: CodecConfig, block: np.ndarray) -> ByteStreamLearner:
    """A fresh learner for one block, seeded and sized only from the config and the block length."""
    streams = config.streams_for(len(block))
    network = None
    if config.uses_network(len(block)):
        network = OnlineByteNetwork(config.network, streams, config.seed)
    return ByteStreamLearner(block, streams, config.context_mixing, network)


def code_block(config: CodecConfig, channel: Channel, block: np.ndarray,
               progress: ProgressCallback | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Encode ``block`` into ``channel``, or decode it (then ``block`` is zeros, filled in place).

    Returns the block's bytes and the ideal code length of each byte position, in bits.
    """
    learner = build_learner(config, block)
    position_bits = np.zeros(len(block))
    bytes_done = np.cumsum(learner.active_per_byte)
    bits_before = channel.ideal_bits

    def on_step(step: int, symbols: np.ndarray, step_bits: float) -> None:
        position_bits[learner.byte_positions(step)] += channel.last_symbol_bits  # positions are distinct
        if progress is not None and (step % _PROGRESS_EVERY == _PROGRESS_EVERY - 1 or step == learner.steps - 1):
            progress(int(bytes_done[step // 8]), channel.ideal_bits - bits_before)

    symbols = learner.bits_to_code() if channel.writes else None
    prequential.run(learner, channel, learner.steps, symbols, on_step)
    return learner.data, position_bits
