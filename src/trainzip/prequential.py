"""The one prequential loop: predict, quantize, code, learn, identical for encoder and decoder.

    for each step t:
        frequencies = learner.predict()          # integer frequencies, the same on both ends
        x_t = channel.code(frequencies, x_t)     # the encoder writes x_t, the decoder reads it
        learner.learn(x_t)                       # the same update on both ends

The total code length is the prequential description length of the data under the learner.
Label streams and the library's learners run this loop; the byte codec runs the same loop one bit
at a time inside its compiled loop (`codec.bit_loop.code_byte_steps`), where a Python
call per bit would cost more than the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np

from trainzip.coding.channel import Channel


class Learner(Protocol):
    """Anything that predicts the next symbols as integer frequencies and learns from them."""

    def predict(self) -> np.ndarray:
        """(n, V) integer frequencies (each >= 1, rows summing to 2**channel.total_bits)."""

    def learn(self, symbols: np.ndarray) -> None:
        """Update on the (n,) symbols just coded."""


def run(
    learner: Learner,
    channel: Channel,
    steps: int,
    symbols: Iterable[np.ndarray] | None = None,
    on_step: Callable[[int, np.ndarray, float], None] | None = None,
) -> list[np.ndarray]:
    """Code ``steps`` steps through ``channel``; returns the symbols of each step.

    Args:
        learner: predicts and learns; the only state that must match on both ends.
        channel: an EncodeChannel (then ``symbols`` are required) or a DecodeChannel.
        steps: how many predict/code/learn rounds.
        symbols: per-step (n,) symbol arrays, for encoding; None when decoding.
        on_step: called as on_step(step, symbols, step_bits) after each step, for meters and progress.
    """
    given = iter(symbols) if symbols is not None else None
    coded = []
    for step in range(steps):
        frequencies = learner.predict()
        before = channel.ideal_bits
        step_symbols = channel.code(frequencies, next(given) if given is not None else None)
        learner.learn(step_symbols)
        coded.append(step_symbols)
        if on_step is not None:
            on_step(step, step_symbols, channel.ideal_bits - before)
    return coded
