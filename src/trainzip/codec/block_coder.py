"""Codes one block of bytes through a channel: the single function behind compress and decompress.

The encoder passes the block; the decoder passes zeros of the same length, which the learner
fills in as the bits come off the channel. Nothing else differs between the two directions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from trainzip.coding.bit_channel import BitChannel
from trainzip.codec.settings import CodecConfig
from trainzip.codec.byte_steps import ByteStreamLearner
from trainzip.models.network.config import EXACT_LSTM
from trainzip.models.network.exact_lstm import ExactByteNetwork

ProgressCallback = Callable[[int, float], None]
"""Called with (bytes coded in this block so far, ideal bits so far in this block)."""


def build_learner(config: CodecConfig, block: np.ndarray) -> ByteStreamLearner:
    """A fresh learner for one block, seeded and sized only from the config and the block length."""
    streams = config.streams_for(len(block))
    network = None
    if config.uses_network(len(block)) and config.network.kind == EXACT_LSTM:
        network = ExactByteNetwork(config.network, streams, config.seed)
    elif config.uses_network(len(block)):
        from trainzip.models.network.torch_lstm import OnlineByteNetwork  # PyTorch only where its network runs
        from trainzip.numerics import use_threads

        use_threads(config.threads)
        network = OnlineByteNetwork(config.network, streams, config.seed)
    return ByteStreamLearner(block, streams, config.context_mixing, network)


def code_block(config: CodecConfig, channel: BitChannel, block: np.ndarray,
               progress: ProgressCallback | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Encode ``block`` into ``channel``, or decode it (then ``block`` is zeros, filled in place).

    Returns the block's bytes and the ideal code length of each byte position, in bits.
    """
    learner = build_learner(config, block)
    position_bits = np.zeros(len(block))
    learner.code(channel, position_bits, progress)
    return learner.data, position_bits
