"""The network's next-byte distribution as one mixer input per bit: P(next bit = 1 | partial byte).

``network_cum`` (streams, 257) int64: per stream, the cumulative integer frequencies of its next
byte (`ContextMixingModel.take_network_prediction`); the bit's probability is the mass of the bytes
that agree with the partial byte and have a 1 next, over the mass of those that agree.
"""

from trainzip.jit import kernel
from trainzip.models.logistic import P12_ONE


@kernel(inline=True)
def predict_network(s, network_cum, inputs, k, c0, bit, stretch_t):
    low = (c0 - (1 << bit)) << (8 - bit)  # the first byte that agrees with the partial byte
    size = 1 << (8 - bit)
    ones = network_cum[s, low + size] - network_cum[s, low + (size >> 1)]
    total = network_cum[s, low + size] - network_cum[s, low]
    inputs[s, k] = stretch_t[min(max((ones * P12_ONE) // total, 1), P12_ONE - 1)]
    return k + 1
