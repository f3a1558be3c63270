"""The exact LSTM's read-out, bit by bit: a binary tree over the byte, one node per partial byte.

The codec asks for P(next bit = 1) once it knows the bits of the byte so far (``node`` is the
partial byte with its leading 1, 1..255), codes the bit, and hands it back; the node learns from
it at once and passes its share of the gradient to the step's read-out (back-propagated through
time at the end of the window). A bit costs two dot products of H + E, where a softmax over 256
bytes would cost 256: what lets the network run on every level, one stream included.
"""

import numba
import numpy as np

from trainzip.models.exact_network.arrays import LOSS_SCALE, WINDOW_STEP
from trainzip.models.exact_network.elementary import sigmoid


@numba.njit(cache=True, inline="always")
def predict_bit(net, s, node):
    """Stream s's float32 probability that its next bit is 1, given the partial byte ``node``.

    The dot product runs as four interleaved partial sums (read-out widths are multiples of 4),
    then in order: a fixed order, shorter than one long chain."""
    z = net.readout[net.counters[WINDOW_STEP], s]
    w = net.node_weights[node]
    a0 = a1 = a2 = a3 = np.float32(0.0)
    for k in range(0, z.shape[0], 4):
        a0 += w[k] * z[k]
        a1 += w[k + 1] * z[k + 1]
        a2 += w[k + 2] * z[k + 2]
        a3 += w[k + 3] * z[k + 3]
    return sigmoid(net.node_bias[node] + ((a0 + a1) + (a2 + a3)))


@numba.njit(cache=True, inline="always")
def learn_bit(net, s, node, p, bit):
    """The node's gradient for the coded ``bit`` (p from `predict_bit`), and the read-out's."""
    t = net.counters[WINDOW_STEP]
    z = net.readout[t, s]
    w = net.node_weights[node]
    d_z = net.d_readout[t, s]
    d = (p - np.float32(bit)) * np.float32(net.settings[LOSS_SCALE])
    d_w = net.d_node_weights[node]
    for k in range(z.shape[0]):
        d_w[k] += d * z[k]
        d_z[k] += d * w[k]
    net.d_node_bias[node] += d
    net.touched[1, node] = 1


@numba.njit(cache=True, error_model="numpy")
def byte_distribution(net, out):
    """Fill ``out`` (B, 256) with each stream's next-byte probabilities: the products of the bit
    probabilities along each byte's path (for callers that want the whole distribution)."""
    for s in range(out.shape[0]):
        for byte in range(256):
            p = np.float32(1.0)
            for bit in range(8):
                node = (byte | 256) >> (8 - bit)
                one = predict_bit(net, s, node)
                p *= one if (byte >> (7 - bit)) & 1 else np.float32(1.0) - one
            out[s, byte] = p


@numba.njit(cache=True, error_model="numpy")
def learn_bytes(net, targets):
    """`learn_bit` for every bit of each stream's coded byte (targets[s] for the first streams)."""
    for s in range(targets.shape[0]):
        for bit in range(8):
            node = (targets[s] | 256) >> (8 - bit)
            learn_bit(net, s, node, predict_bit(net, s, node), (targets[s] >> (7 - bit)) & 1)
