"""The exact LSTM: its written-out functions, its seeded start, its gradient, and that it learns."""

import hashlib

import numpy as np
import pytest

from trainzip.errors import TrainzipError
from trainzip.models.exact_network import network as exact_network_module
from trainzip.models.network.config import EXACT_LSTM, NetworkConfig
from trainzip.models.exact_network.arrays import initial_params
from trainzip.models.exact_network.backward import _backpropagate, learn_step
from trainzip.models.exact_network.bits import learn_bytes
from trainzip.models.exact_network.forward import predict_step
from trainzip.models.exact_network.network import ExactByteNetwork
from trainzip.models.exact_network.elementary import exp_nonpositive, flushes_subnormals, sigmoid, tanh

SMALL = NetworkConfig(kind=EXACT_LSTM, embedding=4, hidden=8, bptt=5)


def test_written_out_functions_are_close_to_libm_and_monotone():
    """exp, sigmoid and tanh from multiplies and adds agree with float64 libm to 3e-5 (relative for
    exp on [-32, 0], absolute for the others) and never decrease."""
    x = np.linspace(-40, 40, 20001).astype(np.float32)
    ours = {"sigmoid": np.array([sigmoid(v) for v in x]), "tanh": np.array([tanh(v) for v in x])}
    reference = {"sigmoid": 1 / (1 + np.exp(-x.astype(np.float64))), "tanh": np.tanh(x.astype(np.float64))}
    for name in ours:
        assert np.abs(ours[name] - reference[name]).max() < 3e-5, name
        assert (np.diff(ours[name]) >= 0).all(), name
    below = x[x <= 0]
    exp = np.array([exp_nonpositive(v) for v in below])
    inside = below >= -32
    assert np.abs(exp[inside] / np.exp(below[inside].astype(np.float64)) - 1).max() < 3e-5
    assert (np.diff(exp) >= 0).all()


def test_initial_weights_are_a_function_of_the_seed_alone_forever():
    """SplitMix64 integers, not NumPy's generators: the start of every block is pinned bit for bit
    (a change here changes every file's code)."""
    config = NetworkConfig(kind=EXACT_LSTM, embedding=16, hidden=64)
    params = initial_params(config, seed=0)
    assert hashlib.sha256(params.tobytes()).hexdigest()[:16] == "e000c4ddf774809c"
    assert (initial_params(config, seed=0) == params).all()
    assert not (initial_params(config, seed=1) == params).all()


def _window(config, streams, active_per_step, seed=3):
    """A network after a window of steps with the given active streams: its gradient, its state at
    the window's start, and the window's bytes."""
    network = ExactByteNetwork(config, streams, seed)
    rng = np.random.default_rng(seed)
    for _ in range(2 * config.bptt):  # two windows first, so that neither the state nor the tree is zero
        network.predict()
        network.learn(rng.integers(0, 256, streams))
    arrays = network.arrays
    start = (arrays.params.copy(), arrays.hidden.copy(), arrays.cell.copy(), arrays.previous.copy())
    targets = rng.integers(0, 256, (config.bptt, streams))
    for t, active in enumerate(active_per_step[:-1]):  # the last step's learn_step would update
        predict_step(arrays)
        learn_bytes(arrays, targets[t, :active])
        learn_step(arrays, targets[t, :active], active)
    predict_step(arrays)
    learn_bytes(arrays, targets[-1, :active_per_step[-1]])
    arrays.active[-1] = active_per_step[-1]
    _backpropagate(arrays)
    return arrays.grads.copy(), start, targets


def _torch_gradient(config, start, targets, active_per_step):
    """The same window's gradient by PyTorch's autograd in float64: the slow, obvious reference
    (every bit's binary cross-entropy under its tree node)."""
    torch = pytest.importorskip("torch")
    params, hidden, cell, previous = start
    e, h = config.embedding, config.hidden
    flat = torch.tensor(params.astype(np.float64), requires_grad=True)
    shapes = [(256, e), (e + h, 4 * h), (4 * h,), (256, h + e), (256,)]
    offsets = np.cumsum([0] + [int(np.prod(shape)) for shape in shapes])
    embedding, gates, gate_bias, nodes, node_bias = (flat[a:b].view(*shape)
                                                     for a, b, shape in zip(offsets, offsets[1:], shapes))
    h_t, c_t = torch.tensor(hidden, dtype=torch.float64), torch.tensor(cell, dtype=torch.float64)
    last = torch.tensor(previous)
    loss = 0
    for t, active in enumerate(active_per_step):
        x = embedding[last]
        z = torch.cat([x, h_t], 1) @ gates + gate_bias
        i, f, g, o = z[:, :h].sigmoid(), z[:, h:2 * h].sigmoid(), z[:, 2 * h:3 * h].tanh(), z[:, 3 * h:].sigmoid()
        c_t = f * c_t + i * g
        h_t = o * c_t.tanh()
        readout = torch.cat([h_t, x], 1)
        came = torch.tensor(targets[t, :active])
        for bit in range(8):
            node = (came | 256) >> (8 - bit)
            logit = (nodes[node] * readout[:active]).sum(1) + node_bias[node]
            target = ((came >> (7 - bit)) & 1).double()
            loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(logit, target, reduction="sum")
        last = torch.cat([came, last[active:]])
    (loss / (len(active_per_step) * len(previous))).backward()
    return flat.grad.numpy()


def test_gradient_matches_autograd():
    """Back-propagation through a window where streams finish early (3, 3, 2, 2, 1 active), with the
    tree's gradient gathered bit by bit, gives PyTorch's float64 gradient to float32 precision."""
    active_per_step = [3, 3, 2, 2, 1]
    ours, start, targets = _window(SMALL, 3, active_per_step)
    reference = _torch_gradient(SMALL, start, targets, active_per_step)
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-6)
    assert np.abs(reference).max() > 1e-3  # the check is not vacuous


def test_it_learns_a_repetitive_text():
    """Trained online on a repeated sentence, its own code falls far below 8 bits per byte."""
    text = np.frombuffer(b"the network learns what comes next in a text it has seen before. " * 40, np.uint8)
    network = ExactByteNetwork(NetworkConfig(kind=EXACT_LSTM, embedding=8, hidden=16, bptt=4,
                                             learning_rate=0.02), 1, 0)
    bits = []
    for byte in text:
        p = network.predict()[0, byte]
        bits.append(-np.log2(p))
        network.learn(np.array([byte]))
    assert np.mean(bits[:200]) > 4 and np.mean(bits[-500:]) < 1.5


def test_predictions_are_distributions():
    """Every row is a float32 distribution over the 256 bytes, none of them zero."""
    p = ExactByteNetwork(SMALL, 4, 0).predict()
    assert p.shape == (4, 256) and p.dtype == np.float32
    assert (p > 0).all() and np.allclose(p.sum(axis=1), 1, atol=1e-5)


def test_this_process_keeps_subnormals():
    """The suite runs with IEEE gradual underflow (what the network's arithmetic assumes)."""
    assert not flushes_subnormals()


def test_a_process_that_flushes_subnormals_is_refused(monkeypatch):
    """Where a library switched flush-to-zero on, the network refuses to run, in one clear error."""
    monkeypatch.setattr(exact_network_module, "flushes_subnormals", lambda: True)
    with pytest.raises(TrainzipError, match="subnormal"):
        ExactByteNetwork(SMALL, 1, 0)
