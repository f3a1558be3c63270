"""The exact LSTM's forward step: every stream's new state from its last byte, in float32 IEEE
arithmetic.

Each matrix product runs with its inputs in the outer loop and its outputs in the inner one
(``out[j] += w[i, j] * x[i]``): LLVM vectorises the inner loop over the outputs without
reordering any sum, so every output is summed in the same order on a 4-wide SSE2 machine as on
a 16-wide AVX-512 one. No fastmath: no fused multiply-add, no reassociation (see elementary).
"""

import numba

from trainzip.models.exact_network.arrays import WINDOW_STEP
from trainzip.models.exact_network.elementary import sigmoid, tanh


@numba.njit(cache=True, error_model="numpy")
def predict_step(net):
    """Run one step for every stream from its last byte and state; the window caches it, and
    ``net.readout[t]`` holds what the tree reads for each of the step's bits (t = the step's
    place in the window)."""
    t = net.counters[WINDOW_STEP]
    embedding_size = net.embedding.shape[1]
    hidden_size = net.hidden.shape[1]
    if t == 0:
        net.cells[0, :, :] = net.cell
    for b in range(net.inputs.shape[1]):
        x = net.inputs[t, b]
        net.read_bytes[t, b] = net.previous[b]
        x[:embedding_size] = net.embedding[net.previous[b]]
        x[embedding_size:] = net.hidden[b]
        _gates(x, net.gate_weights, net.gate_bias, net.gates[t, b])
        _cell(net.gates[t, b], net.cells[t, b], net.cells[t + 1, b], net.cell_tanh[t, b], net.hidden[b])
        net.cell[b, :] = net.cells[t + 1, b]
        net.readout[t, b, :hidden_size] = net.hidden[b]
        net.readout[t, b, hidden_size:] = x[:embedding_size]


@numba.njit(cache=True, inline="always")
def _gates(x, weights, bias, out):
    """out = activations of (bias + x @ weights): sigmoid for the input, forget and output gates,
    tanh for the cell's candidate."""
    out[:] = bias
    for i in range(x.shape[0]):
        xi = x[i]
        for g in range(out.shape[0]):
            out[g] += weights[i, g] * xi
    h = out.shape[0] // 4
    for j in range(h):
        out[j] = sigmoid(out[j])
        out[h + j] = sigmoid(out[h + j])
        out[2 * h + j] = tanh(out[2 * h + j])
        out[3 * h + j] = sigmoid(out[3 * h + j])


@numba.njit(cache=True, inline="always")
def _cell(gates, cell_before, cell_after, cell_tanh, hidden):
    """The LSTM cell: c' = f c + i g, h = o tanh(c')."""
    h = hidden.shape[0]
    for j in range(h):
        c = gates[h + j] * cell_before[j] + gates[j] * gates[2 * h + j]
        cell_after[j] = c
        cell_tanh[j] = tanh(c)
        hidden[j] = gates[3 * h + j] * cell_tanh[j]
