"""The exact LSTM's optimizer: Adam on the window's gradient, clipped to a global norm, lazily.

Lazy (as TensorFlow's LazyAdam): the embedding rows of bytes not read in the window and the tree
nodes not visited keep their weights and moments; they had no gradient. A window of ten bytes
touches ten rows of 256 and at most 80 nodes of 255, so a step costs a fraction of a dense one,
which is what lets the network learn every few bytes on one stream. The gate weights are dense.
Bias corrections come from running products (no pow: that is libm's); the norm is a sum in
float64 in a fixed order.
"""

import math

import numba
import numpy as np

from trainzip.models.exact_network.arrays import (
    BETA1, BETA1_POWER, BETA2, BETA2_POWER, CLIP, EPSILON, LEARNING_RATE, UPDATES,
)

LANES = 64  # partial sums of the squared gradient, added lane-wise (vectorisable), then in order


@numba.njit(cache=True, error_model="numpy")
def adam_step(net):
    """One clipped, lazy Adam step on net.grads; zero them; refresh the transposed gate weights."""
    settings = net.settings
    settings[BETA1_POWER] *= settings[BETA1]
    settings[BETA2_POWER] *= settings[BETA2]
    net.counters[UPDATES] += 1
    clip = np.float32(min(1.0, settings[CLIP] / (math.sqrt(_squared_norm(net)) + 1e-6)))
    rates = np.empty(6, dtype=np.float32)  # the step's constants, rounded once to float32
    rates[0] = settings[LEARNING_RATE] / (1.0 - settings[BETA1_POWER])
    rates[1] = 1.0 / math.sqrt(1.0 - settings[BETA2_POWER])
    rates[2], rates[3], rates[4], rates[5] = settings[EPSILON], settings[BETA1], settings[BETA2], clip
    v, e, h_e, g = net.embedding.shape[0], net.embedding.shape[1], net.node_weights.shape[1], net.gate_bias.shape[0]
    gates_at = v * e  # the layout of net.params (arrays._layout)
    nodes_at = gates_at + net.gate_weights.size + g
    node_bias_at = nodes_at + v * h_e
    _adam(net, gates_at, net.gate_weights.size + g, rates)  # the gate weights and bias, dense
    for row in range(v):
        if net.touched[0, row]:
            _adam(net, row * e, e, rates)
        if net.touched[1, row]:
            _adam(net, nodes_at + row * h_e, h_e, rates)
            _adam(net, node_bias_at + row, 1, rates)
    net.touched[:, :] = 0
    _transpose(net.gate_weights, net.gate_weights_t)


@numba.njit(cache=True, inline="always")
def _transpose(matrix, out):
    """out = matrix.T, in tiles of 8 x 8 so that both sides stay in cache lines."""
    rows, columns = matrix.shape
    for i0 in range(0, rows, 8):
        for j0 in range(0, columns, 8):
            for i in range(i0, min(i0 + 8, rows)):
                for j in range(j0, min(j0 + 8, columns)):
                    out[j, i] = matrix[i, j]


@numba.njit(cache=True, inline="always")
def _adam(net, start, length, rates):
    """Adam on the parameters start..start+length-1 of the flat vector."""
    p, grads = net.params[start:start + length], net.grads[start:start + length]
    m, v = net.first_moment[start:start + length], net.second_moment[start:start + length]
    step, root_correction, epsilon, b1, b2, clip = rates[0], rates[1], rates[2], rates[3], rates[4], rates[5]
    c1, c2 = np.float32(1.0) - b1, np.float32(1.0) - b2
    for k in range(length):
        gk = grads[k] * clip
        mk = b1 * m[k] + c1 * gk
        vk = b2 * v[k] + c2 * gk * gk
        m[k] = mk
        v[k] = vk
        p[k] = p[k] - step * mk / (np.sqrt(vk) * root_correction + epsilon)
        grads[k] = 0


@numba.njit(cache=True, error_model="numpy")
def _squared_norm(net):
    """The gradient's squared norm, in float64: the dense gates lane-wise, then the touched rows of
    the embedding and the tree position by position (each position's squares summed over the rows
    in order, which vectorises across positions), then those partial sums in order."""
    total = _sum_of_squares(net.d_gate_weights.reshape(-1)) + _sum_of_squares(net.d_gate_bias)
    rows = np.zeros(net.embedding.shape[1])
    nodes = np.zeros(net.node_weights.shape[1] + 1)  # the node's weights, then its bias
    for row in range(net.touched.shape[1]):
        if net.touched[0, row]:
            gradient = net.d_embedding[row]
            for k in range(rows.shape[0]):
                rows[k] += np.float64(gradient[k]) * np.float64(gradient[k])
        if net.touched[1, row]:
            gradient = net.d_node_weights[row]
            for k in range(gradient.shape[0]):
                nodes[k] += np.float64(gradient[k]) * np.float64(gradient[k])
            nodes[-1] += np.float64(net.d_node_bias[row]) * np.float64(net.d_node_bias[row])
    for k in range(rows.shape[0]):
        total += rows[k]
    for k in range(nodes.shape[0]):
        total += nodes[k]
    return total


@numba.njit(cache=True, error_model="numpy")
def _sum_of_squares(x):
    """Sum of x[k]^2 in float64: LANES interleaved partial sums, then lane by lane."""
    partial = np.zeros(LANES)
    full = x.shape[0] - x.shape[0] % LANES
    for start in range(0, full, LANES):
        for lane in range(LANES):
            value = np.float64(x[start + lane])
            partial[lane] += value * value
    total = 0.0
    for lane in range(LANES):
        total += partial[lane]
    for k in range(full, x.shape[0]):
        value = np.float64(x[k])
        total += value * value
    return total
