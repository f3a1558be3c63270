"""The byte codec's learner: B byte streams coded bit by bit, in lockstep, by one mixed model.

The input block is split into B segments of equal length (the last ones may be shorter);
byte-step t codes byte t of every segment still running, bit by bit. Without a network, or with
the exact one (which joins the mix bit by bit, see `network_loop`), many byte-steps are coded in one
compiled call. With 0.6's PyTorch network (kept to decode 0.6's files), each byte-step is one
call: the network predicts all B next bytes at once, its distribution joins the count-based mix,
and after the byte-step it learns from the B bytes just coded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from trainzip.codec.bit_loop import CurveGrains, code_steps
from trainzip.coding.bit_channel import BitChannel
from trainzip.coding.quantize import quantize
from trainzip.errors import FormatError
from trainzip.models.context_mixing import ContextMixingConfig, ContextMixingModel

_BYTES_PER_CALL = 1 << 15  # without a network: input bytes coded per compiled call (progress granularity)


def segment_layout(length: int, streams: int) -> tuple[int, int, int]:
    """Segment length, how many streams run it in full, and the length of the one stream cut short
    (0: none): every stream but that one runs a whole segment or is empty."""
    segment = -(-length // streams) if length else 0
    full = length // segment if segment else 0
    return segment, full, length - full * segment


class _ActiveStreams:
    """How many streams are still active at each byte-step, in the array the compiled loop reads,
    filled only as far as coding has got: the array is allocated zeroed (untouched pages take no
    memory), so a block's bookkeeping grows with the bytes coded, never with the length a file
    claims before a byte of it decodes."""

    def __init__(self, length: int, streams: int):
        self.segment, self.full, self.partial = segment_layout(length, streams)
        self.per_step = np.zeros(self.segment, dtype=np.int64)

    def fill(self, first: int, last: int) -> np.ndarray:
        """The array, its byte-steps first..last-1 filled in."""
        self.per_step[first:last] = self.full
        self.per_step[first:min(last, self.partial)] += 1
        return self.per_step

    def bytes_before(self, step: int) -> int:
        """Bytes of the block in byte-steps 0..step-1."""
        return self.full * step + min(self.partial, step)


class ByteStreamLearner:
    """Codes (or decodes) one block of bytes through a `BitChannel`, learning as it goes."""

    def __init__(self, data: np.ndarray, streams: int, cm_config: ContextMixingConfig, network=None):
        self.data = data  # (n,) uint8; zeros while decoding, filled as bytes are decoded
        self.streams = streams
        self.active = _ActiveStreams(len(data), streams)
        self.segment = self.active.segment
        self.network = network
        self.context_mixing = ContextMixingModel(cm_config, data, streams, self.segment, network is not None)
        self._starts = np.arange(streams) * self.segment

    def code(self, channel: BitChannel, curve: CurveGrains, progress: Callable[[int, float], None] | None = None) -> None:
        """Run every byte-step through ``channel``; ``curve`` collects the ideal bits per grain.

        ``progress`` is called with the bytes coded so far and their ideal bits. A decoder that reads
        past its payload's end stops at once (`BitChannel.read_past_end`): the time a crafted block
        takes is bounded by its payload, not by the length it claims.
        """
        bits = 0.0
        if self.network is None or getattr(self.network, "in_compiled_loop", False):  # compiled runs of byte-steps
            if self.network is not None:
                from trainzip.codec.network_loop import code_network_steps  # loaded only where a network runs

            per_call = max(1, _BYTES_PER_CALL // self.streams)
            for first in range(0, self.segment, per_call):
                last = min(first + per_call, self.segment)
                active_per_step = self.active.fill(first, last)
                if self.network is None:
                    bits += code_steps(self.context_mixing, channel, first, last, active_per_step, curve)
                else:
                    bits += code_network_steps(self.context_mixing, self.network.arrays, channel, first, last,
                                               active_per_step, self._starts, curve)
                _check_payload(channel)
                if progress is not None:
                    progress(self.active.bytes_before(last), bits)
            return
        for step in range(self.segment):  # PyTorch's network: one byte-step at a time
            active_per_step = self.active.fill(step, step + 1)
            self.context_mixing.take_network_prediction(quantize(self.network.predict()))
            bits += code_steps(self.context_mixing, channel, step, step + 1, active_per_step, curve)
            _check_payload(channel)
            self.network.learn(self.data[self._starts[:int(active_per_step[step])] + step])
            if progress is not None and (step % 64 == 63 or step == self.segment - 1):
                progress(self.active.bytes_before(step + 1), bits)


def _check_payload(channel: BitChannel) -> None:
    if channel.read_past_end:
        raise FormatError("corrupt file: a block's payload ends before the bytes it claims to hold")
