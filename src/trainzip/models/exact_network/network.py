"""The exact LSTM: an online byte-level learner computed the same on every machine.

An embedding of the last byte and the hidden state feed one LSTM cell; a binary tree over the
byte's bits reads the next bit out of [hidden state, embedding] (`bits`). Every ``bptt``
byte-steps it back-propagates through them and takes one Adam step on their coding cost. It is
float32 IEEE arithmetic in Numba kernels (forward, bits, backward, adam),
seeded by integers (seeded_init): nothing in it depends on the CPU's vector width, on BLAS, libm or
the installed NumPy, Numba or PyTorch, so a file it coded decodes on any machine, with any later
release.
"""

from __future__ import annotations

import numpy as np

from trainzip.errors import TrainzipError
from trainzip.models.network.config import NetworkConfig
from trainzip.models.exact_network.arrays import LSTMArrays, build_arrays
from trainzip.models.exact_network.backward import learn_step
from trainzip.models.exact_network.bits import byte_distribution, learn_bytes
from trainzip.models.exact_network.forward import predict_step
from trainzip.models.exact_network.elementary import flushes_subnormals


class ExactByteNetwork:
    """Predicts each stream's next byte and learns from each coded batch of bytes.

    The codec runs the kernels on ``arrays`` inside its compiled loop, bit by bit; `predict` and
    `learn` run the same kernels a byte-step at a time, for everything else.
    """

    in_compiled_loop = True  # the codec runs it inside its compiled loop (`codec.network_loop`)

    def __init__(self, config: NetworkConfig, streams: int, seed: int):
        if flushes_subnormals():
            raise TrainzipError("this process flushes subnormal floats to zero (a library built with fast-math "
                                "switched it on), so the network's arithmetic would not be IEEE 754's")
        self.config = config
        self.arrays: LSTMArrays = build_arrays(config, streams, seed)

    def predict(self) -> np.ndarray:
        """(B, 256) float32 probabilities of each stream's next byte (the step is taken once)."""
        predict_step(self.arrays)
        out = np.empty((self.arrays.hidden.shape[0], 256), dtype=np.float32)
        byte_distribution(self.arrays, out)
        return out

    def learn(self, targets: np.ndarray) -> None:
        """Learn from the (active,) bytes the first streams coded after the last prediction."""
        targets = np.ascontiguousarray(targets, dtype=np.int64)
        learn_bytes(self.arrays, targets)
        learn_step(self.arrays, targets, len(targets))
