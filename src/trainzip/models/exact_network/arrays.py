"""Every array of the exact LSTM, in one named tuple the compiled kernels take whole.

Parameters, their gradients and Adam's two moments are each one flat float32 vector; the matrices
are views into them. The kernels also keep a transposed copy of the gate weights (refreshed after
each update), so that every matrix product, forward or backward, runs along contiguous memory
without a sum to reorder: LLVM vectorises it over the outputs, and each output is still summed in
one fixed order.

The read-out is a binary tree over the byte's bits: node c (the partial byte with its leading 1,
1..255) holds the weights that predict the next bit from [hidden state, embedding of the last byte]
(row 0 is never used). A byte's probability is the product of its eight bits', so a bit costs one
row, not a 256-way softmax.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from trainzip.models.network.config import NetworkConfig
from trainzip.models.exact_network.seeded_init import uniform

VOCABULARY = 256  # bytes; also the tree's rows (nodes 1..255)
# counters
WINDOW_STEP, UPDATES = range(2)
# settings and running products, float64
LEARNING_RATE, CLIP, BETA1, BETA2, EPSILON, BETA1_POWER, BETA2_POWER, LOSS_SCALE = range(8)
ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-8


class LSTMArrays(NamedTuple):
    """Parameters (and views of them), training state and the truncated-BPTT window's caches."""

    params: np.ndarray  # (P,) float32: embedding, gate weights, gate bias, node weights, node bias
    grads: np.ndarray  # (P,) float32, same layout
    first_moment: np.ndarray  # (P,) float32
    second_moment: np.ndarray  # (P,) float32
    embedding: np.ndarray  # (V, E) view of params
    gate_weights: np.ndarray  # (I, G) view, I = E + H inputs, G = 4H gates (input, forget, cell, output)
    gate_bias: np.ndarray  # (G,) view
    node_weights: np.ndarray  # (V, H + E) view: per tree node, from the hidden state, then the embedding
    node_bias: np.ndarray  # (V,) view
    d_embedding: np.ndarray  # views of grads, same shapes
    d_gate_weights: np.ndarray
    d_gate_bias: np.ndarray
    d_node_weights: np.ndarray
    d_node_bias: np.ndarray
    gate_weights_t: np.ndarray  # (G, I) copy of gate_weights, transposed
    hidden: np.ndarray  # (B, H) recurrent state
    cell: np.ndarray  # (B, H)
    previous: np.ndarray  # (B,) int64: each stream's last byte
    inputs: np.ndarray  # (T, B, I) each step's gate input: the last byte's embedding, then the hidden state
    gates: np.ndarray  # (T, B, G) after their activations
    cells: np.ndarray  # (T + 1, B, H) cell states, [0] the window's start
    cell_tanh: np.ndarray  # (T, B, H)
    readout: np.ndarray  # (T, B, H + E) what the tree reads: the new hidden state, the last byte's embedding
    d_readout: np.ndarray  # (T, B, H + E) its gradient, gathered bit by bit
    read_bytes: np.ndarray  # (T, B) int64: the byte each step read (its input)
    active: np.ndarray  # (T,) int64: streams still coding at each step
    touched: np.ndarray  # (2, V) uint8: embedding rows and tree nodes with a gradient in this window
    carry_hidden: np.ndarray  # (B, H) backward scratch: the gradient flowing to the step before
    carry_cell: np.ndarray  # (B, H)
    scratch: np.ndarray  # (G + I + H,) float32 backward scratch
    counters: np.ndarray  # (2,) int64, see WINDOW_STEP, UPDATES
    settings: np.ndarray  # (8,) float64, see LEARNING_RATE ...


def _layout(config: NetworkConfig) -> dict[str, tuple[int, ...]]:
    e, h = config.embedding, config.hidden
    return {"embedding": (VOCABULARY, e), "gate_weights": (e + h, 4 * h), "gate_bias": (4 * h,),
            "node_weights": (VOCABULARY, h + e), "node_bias": (VOCABULARY,)}


def _views(flat: np.ndarray, layout: dict[str, tuple[int, ...]]) -> list[np.ndarray]:
    views, offset = [], 0
    for shape in layout.values():
        size = int(np.prod(shape))
        views.append(flat[offset:offset + size].reshape(shape))
        offset += size
    return views


def initial_params(config: NetworkConfig, seed: int) -> np.ndarray:
    """The flat parameter vector at the start of every block: seeded uniform weights as PyTorch
    draws them (embedding at unit variance, gates within 1/sqrt(hidden)), the tree's nodes at zero
    (every bit starts at 1/2, so the mix is not disturbed before the network has learned), forget
    gates biased open (+1, so the cell remembers from the start), biases otherwise zero."""
    layout = _layout(config)
    params = np.zeros(sum(int(np.prod(shape)) for shape in layout.values()), dtype=np.float32)
    embedding, gate_weights, gate_bias, _, _ = _views(params, layout)
    h = config.hidden
    gate_fan_in = 1 / math.sqrt(h)  # as PyTorch's LSTMCell; sqrt and / are correctly rounded (pow is libm's)
    embedding[:] = uniform(embedding.size, seed=seed, stream=1, bound=math.sqrt(3)).reshape(embedding.shape)
    gate_weights[:] = uniform(gate_weights.size, seed=seed, stream=2, bound=gate_fan_in).reshape(gate_weights.shape)
    gate_bias[h:2 * h] = 1.0
    return params


def build_arrays(config: NetworkConfig, streams: int, seed: int) -> LSTMArrays:
    """A fresh network for ``streams`` streams, seeded; zero state, an empty window."""
    layout = _layout(config)
    params = initial_params(config, seed)
    grads = np.zeros_like(params)
    param_views, grad_views = _views(params, layout), _views(grads, layout)
    e, h, t, b = config.embedding, config.hidden, config.bptt, streams
    g, i = 4 * h, e + h
    # the loss: the window's code length in nats over (steps x streams), as the PyTorch network of 0.6
    settings = np.array([config.learning_rate, config.gradient_clip, *ADAM_BETAS, ADAM_EPSILON, 1.0, 1.0,
                         1.0 / (t * b)])
    return LSTMArrays(
        params, grads, np.zeros_like(params), np.zeros_like(params), *param_views, *grad_views,
        np.ascontiguousarray(param_views[1].T), np.zeros((b, h), np.float32), np.zeros((b, h), np.float32),
        np.zeros(b, np.int64), np.zeros((t, b, i), np.float32), np.zeros((t, b, g), np.float32),
        np.zeros((t + 1, b, h), np.float32), np.zeros((t, b, h), np.float32), np.zeros((t, b, i), np.float32),
        np.zeros((t, b, i), np.float32), np.zeros((t, b), np.int64), np.zeros(t, np.int64),
        np.zeros((2, VOCABULARY), np.uint8), np.zeros((b, h), np.float32), np.zeros((b, h), np.float32),
        np.zeros(g + i + h, np.float32), np.zeros(2, np.int64), settings)


def array_bytes(config: NetworkConfig, streams: int) -> int:
    """The bytes `build_arrays` allocates (views not counted twice), computed without allocating: what
    a decoder's memory limit is checked against (tests/test_decode_memory.py holds the two equal)."""
    e, h, t, b = config.embedding, config.hidden, config.bptt, streams
    g, i = 4 * h, e + h
    parameters = sum(int(np.prod(shape)) for shape in _layout(config).values())
    float32s = (4 * parameters  # parameters, gradients and Adam's two moments
                + g * i  # the transposed gate weights
                + 4 * b * h  # hidden, cell and the backward's two carries
                + t * b * (3 * i + g + h) + (t + 1) * b * h  # the window: inputs, readout, d_readout, gates, cell_tanh; cells
                + g + i + h)  # backward scratch
    int64s = b + t * b + t + 2  # previous, read_bytes, active, counters
    return 4 * float32s + 8 * int64s + 2 * VOCABULARY + 8 * 8  # + touched (uint8) and the float64 settings
