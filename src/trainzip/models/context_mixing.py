"""Count-based context mixing for B byte streams: tables, registers, and their kernels' calls.

The numeric work lives in `context_kernels` (Numba, integers only). This class owns the state
and hands the kernels what they need, one bit of every active stream per call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainzip.models import context_kernels as k
from trainzip.models.logistic import SQUASH, STRETCH


@dataclass(frozen=True, kw_only=True)
class ContextMixingConfig:
    """Settings of the count-based model; all of them change the code, so all go in the file."""

    contexts: int = 10  # orders 0-6, 8, a word unigram and a word bigram (first n of these)
    table_bits: int = 22  # 2**table_bits counters per context
    counter_limit: int = 127  # adaptation floor: counters average over at most this many events (<= 255)
    mixer_rate: int = 12  # mixer learning rate (fixed point) once much has been seen
    mixer_boost: int = 96  # extra rate at the start, decaying as mixer_decay / (mixer_decay + bytes seen)
    mixer_decay: int = 16384
    match_min: int = 6  # shortest match the match model trusts
    match_bits: int = 22  # 2**match_bits entries in the match model's hash table
    sse_share: int = 4  # eighths of the final probability taken from the two SSE stages
    confidence_inputs: bool = False  # a second input per context, scaled by how often it was seen


def _identity_buckets() -> np.ndarray:
    """24 interpolation buckets that map each probability to itself: squash of each bucket's stretch, 16-bit."""
    return np.array([SQUASH[min(max((j * 4096) // 23 - 2048, -2047), 2047) + 2047] * 16 for j in range(24)],
                    dtype=np.int32)


def _apm_initial() -> np.ndarray:
    """Both SSE stages start at the identity in every one of their 65536 contexts."""
    return np.tile(_identity_buckets(), (2, 65536))


class ContextMixingModel:
    """Predicts one bit of each of B streams at a time; learns from the coded bits."""

    def __init__(self, config: ContextMixingConfig, data: np.ndarray, streams: int, segment_length: int,
                 neural_inputs: bool):
        if not 1 <= config.contexts <= 10 or not 1 <= config.counter_limit <= 255:
            raise ValueError("contexts must be in 1..10 and counter_limit in 1..255")
        self.config = config
        self.data = data  # (n,) uint8: the block; the decoder fills it in as it goes
        self.params = np.zeros(k.PARAMS, dtype=np.int64)
        self.params[k.N_CTX] = config.contexts
        self.params[k.TABLE_BITS] = config.table_bits
        self.params[k.LIMIT] = config.counter_limit
        self.params[k.MIX_LR] = config.mixer_rate
        self.params[k.MATCH_MIN] = config.match_min
        self.params[k.MATCH_BITS] = config.match_bits
        self.params[k.SEG_LEN] = max(segment_length, 1)
        self.params[k.USE_NEURAL] = int(neural_inputs)
        self.params[k.CONFIDENCE] = int(config.confidence_inputs)
        self.params[k.MIX_BOOST] = config.mixer_boost
        self.params[k.MIX_DECAY] = config.mixer_decay
        self.params[k.STREAMS] = streams
        self.params[k.SSE_SHARE] = config.sse_share
        inputs = config.contexts * (1 + int(config.confidence_inputs)) + 2 + int(neural_inputs)
        self.counters = np.full((config.contexts, 1 << config.table_bits), 32768 << 16, dtype=np.uint32)
        self.match_counters = np.full(64, 32768 << 16, dtype=np.uint32)
        self.match_table = np.zeros(1 << config.match_bits, dtype=np.int64)
        self.weights = np.full((sum(k.MIXER_SETS), inputs), 1 << 14, dtype=np.int64)
        self.weights[:, -1] = 0  # the bias input starts with no say
        self.final_weights = np.full((k.FINAL_SETS, k.N_MIXERS), (1 << 16) // k.N_MIXERS, dtype=np.int64)
        self.apm = _apm_initial()
        self.adapt = np.tile(_identity_buckets(), config.contexts * 16)  # per (context, count): identity
        self.state = np.zeros((streams, k.STATE_COLUMNS), dtype=np.int64)
        self.state[:, k.C0] = 1
        self.state[:, k.SEG_START] = np.arange(streams) * segment_length
        self.state[:, k.POS] = self.state[:, k.SEG_START]
        for s in range(streams):
            k.context_hashes(self.state, s, config.contexts)
        self.inputs = np.zeros((streams, inputs), dtype=np.int64)
        self.mixer_out = np.zeros((streams, k.N_MIXERS), dtype=np.int64)
        self.p16 = np.zeros(streams, dtype=np.int64)
        self.neural_cum = np.zeros((streams, 257), dtype=np.int64)
        self.neural_cum[:, 1:] = np.arange(1, 257)

    def begin_byte(self, step: int, neural_frequencies: np.ndarray | None, active: int) -> np.ndarray:
        """Start byte-step ``step`` and predict its first bit; the network's (B, 256) frequencies join the mix."""
        self.params[k.STEP] = step
        if neural_frequencies is not None:
            np.cumsum(neural_frequencies, axis=1, out=self.neural_cum[:, 1:])
        k.predict(self.state, self.params, self.counters, self.adapt, self.weights, self.final_weights, self.match_counters,
                  self.apm, self.neural_cum, self.inputs, self.mixer_out, SQUASH, STRETCH, self.p16, active)
        return self.p16

    def learn(self, bits: np.ndarray, active: int) -> bool:
        """Learn from the coded bits of the first ``active`` streams and predict their next bit.

        Returns True at the end of a byte, when the next prediction waits for `begin_byte`.
        """
        return k.update_then_predict(self.state, self.params, self.counters, self.adapt, self.weights, self.final_weights,
                                     self.match_counters, self.apm, self.neural_cum, self.inputs, self.mixer_out,
                                     SQUASH, STRETCH, self.data, bits, active, active, self.match_table, self.p16)
