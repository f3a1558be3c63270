"""Loading the byte codec's compiled kernels ahead of time, so that a benchmark or a bounded test
keeps that start-up cost apart from coding time. It sits above both compiled loops (`bit_loop`, and
`network_loop`, which builds on it), since it runs each of them once."""

import numpy as np

from trainzip.codec.bit_loop import CurveGrains, code_steps
from trainzip.codec.network_loop import code_network_steps
from trainzip.coding.bit_channel import BitChannel
from trainzip.models.context_mixing import ContextMixingConfig, ContextMixingModel
from trainzip.models.exact_network.network import ExactByteNetwork
from trainzip.models.network.config import EXACT_LSTM, NetworkConfig


def load_kernels() -> None:
    """Load the compiled kernels now, by coding a few bytes without and with the exact network: a
    process's first call of each Numba kernel loads its machine code from the cache (about a second
    in all), a start-up cost that benchmarks keep apart from coding time."""
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
