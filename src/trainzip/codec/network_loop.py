"""The byte codec's compiled loop with the exact network: a whole run of byte-steps in one call.

Per byte-step the network takes one step for every stream (`predict_step`); then, for each bit
of each stream, its read-out's P(1) (`predict_bit`) becomes a 12-bit integer (`quantize_bit`, in
`coding.quantize`, where floats become integers) and joins the count model's mix, the bit is coded
(`bit_loop.code_stream_bit`), and the network's read-out learns it (`learn_bit`); after the step
the network takes in the bytes coded (`learn_step`). The same call in both directions, with no
Python between bits, so the network pays its way even on one stream.

How the bit joins the mix: the count model reads the network's input for a bit as the share of
ones among the bytes that extend the partial byte, from the cumulative frequencies ``network_cum``
(`ContextMixingModel.take_network_prediction` fills them from a whole distribution); of those it
reads three entries, the subtree's start, middle and end, so `_offer_bit` writes exactly these
three for the partial byte at hand, making the share the network's P(1).
"""

import numba
import numpy as np

from trainzip.codec.bit_loop import BIT_COSTS, CurveGrains, code_stream_bit
from trainzip.coding.bit_channel import BitChannel
from trainzip.coding.quantize import BIT_PROBABILITY_BITS, quantize_bit
from trainzip.models.context_mixing import ContextMixingModel
from trainzip.models.context_mixing.history import C0
from trainzip.models.logistic import SQUASH, STRETCH
from trainzip.models.exact_network.arrays import LSTMArrays
from trainzip.models.exact_network.backward import learn_step
from trainzip.models.exact_network.bits import learn_bit, predict_bit
from trainzip.models.exact_network.forward import predict_step

_ONE = 1 << BIT_PROBABILITY_BITS


@numba.njit(cache=True, inline="always")
def _offer_bit(network_cum, s, partial, bit, q1):
    """Make the count model read P(1) = q1 / 2^12 as the network's input for stream s's next bit."""
    size = 1 << (8 - bit)
    low = (partial - (1 << bit)) << (8 - bit)  # the first byte that extends the partial byte
    network_cum[s, low] = 0
    network_cum[s, low + (size >> 1)] = _ONE - q1  # bytes with a 0 next
    network_cum[s, low + size] = _ONE


@numba.njit(cache=True)
def _code_network_steps(first, last, active_per_step, starts, net, targets, writes, coder, buffer, streams, params,
                        tables, squash_t, stretch_t, data, curve, bit_costs):
    total = 0.0
    state, network_cum = streams.state, streams.network_cum
    for step in range(first, last):
        active = active_per_step[step]
        predict_step(net)
        for bit in range(8):
            for s in range(active):
                partial = state[s, C0]
                p_network = predict_bit(net, s, partial)
                _offer_bit(network_cum, s, partial, bit, quantize_bit(p_network))
                y, cost = code_stream_bit(s, bit, step, writes, coder, buffer, streams, params, tables, squash_t,
                                          stretch_t, data, curve, bit_costs)
                total += cost
                learn_bit(net, s, partial, p_network, y)
        for s in range(active):
            targets[s] = data[starts[s] + step]
        learn_step(net, targets, active)
    return total


def code_network_steps(model: ContextMixingModel, network: LSTMArrays, channel: BitChannel, first: int,
                       last: int, active_per_step: np.ndarray, starts: np.ndarray, curve: CurveGrains) -> float:
    """Code byte-steps first..last-1 of every stream through ``channel`` with the network in the
    mix (``network``: the exact network's arrays); returns their ideal bits (also added to ``curve``)."""
    channel.reserve(8 * int(active_per_step[first:last].sum()))
    targets = np.zeros(len(starts), dtype=np.int64)
    return _code_network_steps(first, last, active_per_step, starts, network, targets, channel.writes,
                               channel.coder, channel.buffer, model.streams, model.params, model.tables, SQUASH,
                               STRETCH, model.data, curve, BIT_COSTS)
