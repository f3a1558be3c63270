"""The exact LSTM's learning across steps: back-propagation through the window, then one Adam step.

The loss is the window's coding cost in nats (every bit's, gathered by `bits.learn_bit` into
the read-out's gradient), summed over the streams that coded and divided by (steps x streams), as
the PyTorch network of 0.6 does. Every gradient is accumulated in a fixed order (steps from last to
first, then streams in order) and every product runs over contiguous outputs, as in the forward step.
"""

import numba

from trainzip.models.exact_network.adam import adam_step
from trainzip.models.exact_network.arrays import WINDOW_STEP
from trainzip.models.exact_network.elementary import ONE


@numba.njit(cache=True, error_model="numpy")
def learn_step(net, targets, active):
    """Take in the bytes the first ``active`` streams coded after the last prediction; at the end
    of the window, learn from it and start the next one where this one ended."""
    t = net.counters[WINDOW_STEP]
    net.active[t] = active
    net.previous[:active] = targets[:active]
    t += 1
    if t < net.active.shape[0]:
        net.counters[WINDOW_STEP] = t
        return
    _backpropagate(net)
    adam_step(net)
    net.counters[WINDOW_STEP] = 0


@numba.njit(cache=True, error_model="numpy")
def _backpropagate(net):
    """Accumulate the window's gradient into net.grads (the tree's part is there already)."""
    h, g, i = net.hidden.shape[1], net.gate_bias.shape[0], net.inputs.shape[2]
    d_gates = net.scratch[:g]
    d_inputs = net.scratch[g:g + i]
    d_hidden = net.scratch[g + i:]
    net.carry_hidden[:, :] = 0
    net.carry_cell[:, :] = 0
    for t in range(net.active.shape[0] - 1, -1, -1):
        for b in range(net.active[t]):
            d_readout = net.d_readout[t, b]
            d_hidden[:] = net.carry_hidden[b]
            for j in range(h):
                d_hidden[j] += d_readout[j]
            _to_embedding(net, net.read_bytes[t, b], d_readout[h:])
            _cell_backward(net, t, b, d_hidden, d_gates)
            _gates_backward(net, t, b, d_gates, d_inputs)
    net.d_readout[:, :, :] = 0


@numba.njit(cache=True, inline="always")
def _to_embedding(net, byte, gradient):
    """Add a gradient to the embedding row of ``byte`` (and mark the row for Adam)."""
    row = net.d_embedding[byte]
    for k in range(row.shape[0]):
        row[k] += gradient[k]
    net.touched[0, byte] = 1


@numba.njit(cache=True, inline="always")
def _cell_backward(net, t, b, d_hidden, d_gates):
    """Through h = o tanh(c), c = f c_prev + i g and the gates' activations, to their inputs."""
    h = d_hidden.shape[0]
    gates, cell_tanh, cell_before = net.gates[t, b], net.cell_tanh[t, b], net.cells[t, b]
    carry = net.carry_cell[b]
    for j in range(h):
        gi, gf, gg, go = gates[j], gates[h + j], gates[2 * h + j], gates[3 * h + j]
        tc = cell_tanh[j]
        d_cell = carry[j] + d_hidden[j] * go * (ONE - tc * tc)
        carry[j] = d_cell * gf
        d_gates[j] = d_cell * gg * gi * (ONE - gi)
        d_gates[h + j] = d_cell * cell_before[j] * gf * (ONE - gf)
        d_gates[2 * h + j] = d_cell * gi * (ONE - gg * gg)
        d_gates[3 * h + j] = d_hidden[j] * tc * go * (ONE - go)


@numba.njit(cache=True, inline="always")
def _gates_backward(net, t, b, d_gates, d_inputs):
    """The gates' weights and bias; the input's gradient: to the embedding row of the byte read,
    and to the hidden state of the step before (carried on)."""
    x = net.inputs[t, b]
    for i in range(x.shape[0]):
        xi = x[i]
        row = net.d_gate_weights[i]
        for g in range(d_gates.shape[0]):
            row[g] += d_gates[g] * xi
    for g in range(d_gates.shape[0]):
        net.d_gate_bias[g] += d_gates[g]
    d_inputs[:] = 0
    for g in range(d_gates.shape[0]):
        dg = d_gates[g]
        row = net.gate_weights_t[g]
        for i in range(d_inputs.shape[0]):
            d_inputs[i] += row[i] * dg
    e = net.embedding.shape[1]
    _to_embedding(net, net.read_bytes[t, b], d_inputs[:e])
    net.carry_hidden[b, :] = d_inputs[e:]
