"""The byte codec's compiled loop, per bit: predict, code, learn, for every bit of a run of byte-steps.

The one loop of both directions: `code_bit` writes the data's bit (encoder) or reads it (decoder,
which fills ``data`` in as bytes complete); all else is the same. The model's kernels and the
binary coder are Numba functions, so a whole run of bits is coded in one call with no Python
between bits (a Python call per bit cost 30 times the model's own work).
"""

from typing import NamedTuple

import numpy as np

from trainzip.coding.bit_channel import BitChannel, bit_costs, code_bit
from trainzip.jit import kernel
from trainzip.models.context_mixing import ContextMixingModel
from trainzip.models.context_mixing.history import POS
from trainzip.models.context_mixing.model import learn_bit, predict_bit
from trainzip.models.logistic import P16_ONE, SQUASH, STRETCH

BIT_COSTS = bit_costs()  # the ideal cost of a bit coded at each 16-bit probability


class CurveGrains(NamedTuple):
    """Where a block's bits go on the learning curve: the byte at block position p adds to
    grains[(lead + p) >> shift] (grains of 2**shift bytes aligned on the whole input; ``lead``: where
    the block starts in its first grain), so no array per byte is ever kept."""

    grains: np.ndarray  # (grains the block touches,) float64
    lead: int
    shift: int


@kernel
def code_byte_steps(first, last, active_per_step, writes, coder, buffer, streams, params, tables, squash_t, stretch_t,
                    data, curve, bit_costs):
    """Code byte-steps first..last-1: every bit of every active stream. Returns the ideal bits of
    the run (also added to the learning curve ``curve``, see `CurveGrains`)."""
    total = 0.0
    for step in range(first, last):
        active = active_per_step[step]
        for bit in range(8):
            for s in range(active):
                total += code_stream_bit(s, bit, step, writes, coder, buffer, streams, params, tables, squash_t,
                                         stretch_t, data, curve, bit_costs)[1]
    return total


@kernel(inline=True)
def code_stream_bit(s, bit, step, writes, coder, buffer, streams, params, tables, squash_t, stretch_t, data, curve,
                    bit_costs):
    """Predict, code and learn stream s's next bit (bit 7 - ``bit`` of its byte); returns the bit
    and its ideal cost in bits (also added to ``curve``)."""
    p1 = predict_bit(s, streams, params, tables, squash_t, stretch_t)
    position = streams.state[s, POS]
    y = code_bit(coder, buffer, writes, p1, (data[position] >> (7 - bit)) & 1)
    cost = bit_costs[p1 if y else P16_ONE - p1]
    curve.grains[(curve.lead + position) >> curve.shift] += cost
    learn_bit(s, y, step, streams, params, tables, squash_t, data)
    return y, cost


def code_steps(model: ContextMixingModel, channel: BitChannel, first: int, last: int, active_per_step: np.ndarray,
               curve: CurveGrains) -> float:
    """Code byte-steps first..last-1 of every stream of ``model`` through ``channel`` (writing or
    reading); returns their ideal bits (also added to ``curve``)."""
    channel.reserve(8 * int(active_per_step[first:last].sum()))
    return code_byte_steps(first, last, active_per_step, channel.writes, channel.coder, channel.buffer, model.streams,
                           model.params, model.tables, SQUASH, STRETCH, model.data, curve, BIT_COSTS)

