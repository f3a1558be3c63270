"""The byte codec's compiled loop, per bit: predict, code, learn, for every bit of a run of byte-steps.

The one loop of both directions: `code_bit` writes the data's bit (encoder) or reads it (decoder,
which fills ``data`` in as bytes complete); all else is the same. The model's kernels and the
binary coder are Numba functions, so a whole run of bits is coded in one call with no Python
between bits (a Python call per bit cost 30 times the model's own work).
"""

import numba
import numpy as np

from trainzip.coding.bit_channel import BitChannel, bit_costs, code_bit
from trainzip.models.context_kernels import predict, update
from trainzip.models.context_mixing import ContextMixingConfig, ContextMixingModel
from trainzip.models.context_registers import POS, STEP
from trainzip.models.logistic import SQUASH, STRETCH

BIT_COSTS = bit_costs()  # the ideal cost of a bit coded at each 16-bit probability


@numba.njit(cache=True)
def code_byte_steps(first, last, active_per_step, writes, coder, buffer, state, params, tables, nn_cum, inputs,
                    mixer_out, squash_t, stretch_t, data, position_bits, bit_costs):
    """Code byte-steps first..last-1: every bit of every active stream. Returns the ideal bits of
    the run (also added, per byte, to ``position_bits``)."""
    total = 0.0
    for step in range(first, last):
        params[STEP] = step
        active = active_per_step[step]
        for bit in range(8):
            for s in range(active):
                total += code_stream_bit(s, bit, writes, coder, buffer, state, params, tables, nn_cum, inputs,
                                         mixer_out, squash_t, stretch_t, data, position_bits, bit_costs)[1]
    return total


@numba.njit(cache=True, inline="always")
def code_stream_bit(s, bit, writes, coder, buffer, state, params, tables, nn_cum, inputs, mixer_out, squash_t,
                    stretch_t, data, position_bits, bit_costs):
    """Predict, code and learn stream s's next bit (bit 7 - ``bit`` of its byte); returns the bit
    and its ideal cost in bits (also added to ``position_bits``)."""
    p1 = predict(s, state, params, tables, nn_cum, inputs, mixer_out, squash_t, stretch_t)
    position = state[s, POS]
    y = code_bit(coder, buffer, writes, p1, (data[position] >> (7 - bit)) & 1)
    cost = bit_costs[p1 if y else 65536 - p1]
    position_bits[position] += cost
    update(s, y, state, params, tables, inputs, mixer_out, squash_t, data)
    return y, cost


def code_steps(model: ContextMixingModel, channel: BitChannel, first: int, last: int, active_per_step: np.ndarray,
               position_bits: np.ndarray) -> float:
    """Code byte-steps first..last-1 of every stream of ``model`` through ``channel`` (writing or
    reading); returns their ideal bits (each byte's also goes to ``position_bits``)."""
    channel.reserve(8 * int(active_per_step[first:last].sum()))
    return code_byte_steps(first, last, active_per_step, channel.writes, channel.coder, channel.buffer, model.state,
                           model.params, model.tables, model.neural_cum, model.inputs, model.mixer_out, SQUASH,
                           STRETCH, model.data, position_bits, BIT_COSTS)


def load_kernels() -> None:
    """Load the compiled kernels now, by coding a few bytes without and with the exact network: a
    process's first call of each Numba kernel loads its machine code from the cache (about a second
    in all), a start-up cost that benchmarks keep apart from coding time."""
    from trainzip.codec.network_loop import code_network_steps  # it builds on this module
    from trainzip.models.network.config import EXACT_LSTM, NetworkConfig
    from trainzip.models.network.exact_lstm import ExactByteNetwork

    data = np.frombuffer(b"load the kernels", dtype=np.uint8).copy()
    steps, starts = np.ones(len(data), dtype=np.int64), np.zeros(1, dtype=np.int64)
    for network in (None, ExactByteNetwork(NetworkConfig(kind=EXACT_LSTM, embedding=4, hidden=4, bptt=2), 1, 0)):
        model = ContextMixingModel(ContextMixingConfig(table_bits=10, match_bits=10, run_inputs=True), data.copy(),
                                   streams=1, segment_length=len(data), neural_inputs=network is not None)
        if network is None:
            code_steps(model, BitChannel(), 0, len(data), steps, np.zeros(len(data)))
        else:
            code_network_steps(model, network, BitChannel(), 0, len(data), steps, starts, np.zeros(len(data)))
