"""The byte codec's learner: B byte streams coded bit by bit, in lockstep, by one mixed model.

The input block is split into B segments of equal length (the last ones may be shorter); step
t codes bit t % 8 of byte t // 8 of every segment still running. At the start of each byte the
network (if any) predicts all B next bytes at once, and its distribution joins the count-based
mix; after the byte's last bit, the network learns from the B bytes just coded.
"""

from __future__ import annotations

import numpy as np

from trainzip.coding.quantize import FREQUENCY_BITS, quantize
from trainzip.models.context_mixing import ContextMixingConfig, ContextMixingModel

_TOTAL = 1 << FREQUENCY_BITS


def segment_layout(length: int, streams: int) -> tuple[int, np.ndarray]:
    """Segment length and, per byte-step, how many streams are still active."""
    segment = -(-length // streams) if length else 0
    starts = np.arange(streams) * segment
    lengths = np.clip(length - starts, 0, segment)
    active = (lengths[None, :] > np.arange(segment)[:, None]).sum(axis=1)
    return segment, active


class ByteStreamLearner:
    """Implements the prequential Learner protocol over the bits of B byte streams."""

    def __init__(self, data: np.ndarray, streams: int, cm_config: ContextMixingConfig, network=None):
        self.data = data  # (n,) uint8; zeros while decoding, filled as bytes are decoded
        self.streams = streams
        self.segment, self.active_per_byte = segment_layout(len(data), streams)
        self.steps = 8 * self.segment
        self.network = network
        self.context_mixing = ContextMixingModel(cm_config, data, streams, self.segment, network is not None)
        self._step = 0
        self._frequencies = np.zeros((streams, 2), dtype=np.int64)
        self._starts = np.arange(streams) * self.segment

    def predict(self) -> np.ndarray:
        byte_step = self._step >> 3
        active = int(self.active_per_byte[byte_step])
        if self._step & 7 == 0:
            neural = None
            if self.network is not None:
                neural = quantize(self.network.predict())
            self.context_mixing.begin_byte(byte_step, neural, active)
        frequencies = self._frequencies[:active]
        frequencies[:, 1] = self.context_mixing.p16[:active]
        frequencies[:, 0] = _TOTAL - frequencies[:, 1]
        return frequencies

    def learn(self, bits: np.ndarray) -> None:
        byte_step = self._step >> 3
        active = int(self.active_per_byte[byte_step])
        byte_ended = self.context_mixing.learn(bits, active)
        if byte_ended and self.network is not None:
            self.network.learn(self.data[self._starts[:active] + byte_step])
        self._step += 1

    def bits_to_code(self):
        """The encoder's symbols, step by step: bit j (most significant first) of each active byte."""
        for step in range(self.steps):
            byte_step = step >> 3
            active = int(self.active_per_byte[byte_step])
            values = self.data[self._starts[:active] + byte_step]
            yield ((values >> (7 - (step & 7))) & 1).astype(np.int32)

    def byte_positions(self, step: int) -> np.ndarray:
        """Input positions of the bytes coded at bit-step ``step`` (for per-position accounting)."""
        byte_step = step >> 3
        return self._starts[: int(self.active_per_byte[byte_step])] + byte_step
