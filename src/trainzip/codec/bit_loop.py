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
from trainzip.models.context_mixing import ContextMixingConfig, ContextMixingModel
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


def load_kernels() -> None:
    """Load the compiled kernels now, by coding a few bytes without and with the exact network: a
    process's first call of each Numba kernel loads its machine code from the cache (about a second
    in all), a start-up cost that benchmarks keep apart from coding time."""
    from trainzip.codec.network_loop import code_network_steps  # it builds on this module
    from trainzip.models.exact_network.network import ExactByteNetwork
    from trainzip.models.network.config import EXACT_LSTM, NetworkConfig

    data = np.frombuffer(b"load the kernels", dtype=np.uint8).copy()
    steps, starts = np.ones(len(data), dtype=np.int64), np.zeros(1, dtype=np.int64)
    for network in (None, ExactByteNetwork(NetworkConfig(kind=EXACT_LSTM, embedding=4, hidden=4, bptt=2), 1, 0)):
        model = ContextMixingModel(ContextMixingConfig(table_bits=10, match_bits=10, run_inputs=True), data.copy(),
                                   streams=1, segment_length=len(data), neural_inputs=network is not None)
        curve = CurveGrains(np.zeros(len(data)), 0, 0)
        if network is None:
            code_steps(model, BitChannel(), 0, len(data), steps, curve)
        else:
            code_network_steps(model, network.arrays, BitChannel(), 0, len(data), steps, starts, curve)
