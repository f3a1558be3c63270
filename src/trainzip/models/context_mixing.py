"""Count-based context mixing for B byte streams: its settings, tables and registers.

The numeric work lives in `context_kernels` and `byte_contexts` (Numba, integers only), on the
layout of `context_registers`. This class owns the state that the kernels read and write; the
codec's loop (`trainzip.codec.bit_loop`) hands it to them bit by bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainzip import kernel_cache
from trainzip.models import context_registers as r
from trainzip.models.byte_contexts import context_hashes

RUN_TABLE_LIMIT = 21
kernel_cache.refresh()  # before any kernel runs: cached code must match every file it was built from


@dataclass(frozen=True, kw_only=True)
class ContextMixingConfig:
    """Settings of the count-based model; all of them change the code, so all go in the file."""

    contexts: int = 48  # the first n of the kernel's 48 contexts (see byte_contexts.context_hashes)
    mixers: int = 12  # the first n of the kernel's 12 first-layer mixers (see context_registers.MIXER_SETS)
    table_bits: int = 22  # at most 2**table_bits counters per context (fewer for small blocks, see sized_bits)
    counter_limit: int = 127  # adaptation floor: counters average over at most this many events (<= 255)
    mixer_rate: int = 12  # mixer learning rate (fixed point) once much has been seen
    mixer_boost: int = 96  # extra rate for a new weight set, decaying as mixer_decay / (mixer_decay + its updates)
    mixer_decay: int = 256
    match_min: int = 6  # shortest match the match model trusts
    match_bits: int = 22  # at most 2**match_bits entries in the match model's hash table
    sse_share: int = 6  # eighths of the final probability taken from the SSE stages
    sse_stages: int = 5  # the first n of: order-1, order-2, order-3, match-state and byte-class SSE
    probability_inputs: bool = False  # a second input per context: its probability, besides its stretch
    run_inputs: bool = False  # a third: the bit the bytes last seen in the context predict (see _run_inputs)


def sized_bits(limit: int, slots_needed: int) -> int:
    """Table size (log2) for a block: room for twice the slots it can touch, at most 2**limit.

    A small input then costs no time filling tables it will never use; both ends know the block's
    length, so both size the tables alike.
    """
    return min(limit, max(10, int(slots_needed).bit_length() + 1))


def _check_ranges(config: ContextMixingConfig) -> None:
    """Refuse settings the kernels have no room for (their register file and tables are fixed)."""
    ranges = {"contexts": (1, r.MAX_CONTEXTS), "mixers": (1, r.MAX_MIXERS), "sse_stages": (1, r.MAX_SSE_STAGES),
              "counter_limit": (1, 255)}
    for name, (low, high) in ranges.items():
        if not low <= getattr(config, name) <= high:
            raise ValueError(f"{name} must be in {low}..{high}")


def _kernel_parameters(config: ContextMixingConfig, block_length: int, segment_length: int,
                       neural_inputs: bool) -> np.ndarray:
    """The settings as the kernels read them, with the tables sized to the block."""
    params = np.zeros(r.PARAMS, dtype=np.int64)
    params[r.N_CTX] = config.contexts
    params[r.TABLE_BITS] = sized_bits(config.table_bits, 8 * block_length)  # one slot per context per coded bit
    params[r.LIMIT] = config.counter_limit
    params[r.MIX_LR] = config.mixer_rate
    params[r.MATCH_MIN] = config.match_min
    params[r.MATCH_BITS] = sized_bits(config.match_bits, block_length)
    params[r.SEG_LEN] = max(segment_length, 1)
    params[r.USE_NEURAL] = int(neural_inputs)
    params[r.PROBABILITY_INPUTS] = int(config.probability_inputs)
    params[r.MIX_BOOST] = config.mixer_boost
    params[r.MIX_DECAY] = config.mixer_decay
    params[r.SSE_SHARE] = config.sse_share
    params[r.MIXERS] = config.mixers
    params[r.SSE_STAGES] = config.sse_stages
    params[r.RUN_INPUTS] = int(config.run_inputs)
    # a run slot per byte (not per bit) context, and at most 2**21 of them: max's peak stays under 4 GiB
    run_limit = min(config.table_bits - 2, RUN_TABLE_LIMIT)
    params[r.RUN_BITS] = sized_bits(run_limit, block_length) if config.run_inputs else 0
    return params


def mixer_inputs(config: ContextMixingConfig, neural_inputs: bool) -> int:
    """Inputs of every first-layer mixer: one to three per context, the match model, two per direct
    order, the network's (if any) and the bias."""
    per_context = 1 + int(config.probability_inputs) + int(config.run_inputs)
    return config.contexts * per_context + 1 + 2 * r.DIRECT_ORDERS + int(neural_inputs) + 1


class ContextMixingModel:
    """Predicts one bit of each of B streams at a time; learns from the coded bits."""

    def __init__(self, config: ContextMixingConfig, data: np.ndarray, streams: int, segment_length: int,
                 neural_inputs: bool):
        _check_ranges(config)
        self.config = config
        self.data = data  # (n,) uint8: the block; the decoder fills it in as it goes
        self.params = _kernel_parameters(config, len(data), segment_length, neural_inputs)
        inputs = mixer_inputs(config, neural_inputs)
        self.counters = np.zeros((config.contexts, 1 << self.params[r.TABLE_BITS]), dtype=np.uint32)  # all empty
        self.adapt = np.tile(r.IDENTITY_BUCKETS.astype(np.int32), config.contexts * 64)  # (context, count, last bit)
        # zeros: a weight set is filled in when first used (see context_kernels._mix), so a small block
        # does not pay for the memory of sets it never selects; the last column counts its updates, the
        # last row is the prior set every new set starts from
        self.weights = np.zeros((sum(r.MIXER_SETS) + 1, inputs + 1), dtype=np.int64)
        self.weights[-1, :-2] = r.INITIAL_WEIGHT  # the prior set: 1/32 per input, the bias nothing, ...
        self.weights[-1, -1] = 1  # ... and counted as used once, so it is never filled in again
        self.final_weights = np.full((sum(r.FINAL_SETS), config.mixers + 1), (1 << 16) // config.mixers,
                                     dtype=np.int64)
        self.final_weights[:, -1] = 0  # how often each weight set has learned
        self.match_counters = np.full(64, 32768 << 16, dtype=np.uint32)
        self.apm = np.zeros((config.sse_stages, 65536 * 24), dtype=np.int32)  # zero: still the identity (_refine)
        self.match_table = np.zeros(1 << self.params[r.MATCH_BITS], dtype=np.int64)
        self.followers = np.zeros(r.FOLLOWERS, dtype=np.int64)
        self.runs = np.zeros((config.contexts, 1 << self.params[r.RUN_BITS]), dtype=np.uint32)  # all never seen
        self.run_map = np.full(config.contexts * r.RUN_MAP_CELLS, 32768 << 16, dtype=np.uint32)
        self.direct = np.full((2, r.DIRECT_CELLS), 32768, dtype=np.int32)
        self.state = np.zeros((streams, r.STATE_COLUMNS), dtype=np.int64)
        self.state[:, r.C0] = 1
        self.state[:, r.SEG_START] = np.arange(streams) * segment_length
        self.state[:, r.POS] = self.state[:, r.SEG_START]
        self.state[:, r.LINE_START] = self.state[:, r.SEG_START]
        self.state[:, r.PREV_LINE_START] = -1
        self.state[:, r.LAST_BLANK] = self.state[:, r.SEG_START] - 1  # none yet
        for s in range(streams):
            context_hashes(self.state, s, self.params, data, self.followers)
        self.inputs = np.zeros((streams, inputs), dtype=np.int64)
        self.mixer_out = np.zeros((streams, config.mixers), dtype=np.int64)
        self.neural_cum = np.zeros((streams, 257), dtype=np.int64)
        self.neural_cum[:, 1:] = np.arange(1, 257)

    @property
    def tables(self) -> tuple:
        """The tables every stream shares, in the order the kernels unpack them."""
        return (self.counters, self.adapt, self.weights, self.final_weights, self.match_counters, self.apm,
                self.match_table, self.followers, self.runs, self.run_map, self.direct)

    def take_network_prediction(self, frequencies: np.ndarray) -> None:
        """The network's (B, 256) integer next-byte frequencies, which join the mix for the next byte-step."""
        np.cumsum(frequencies, axis=1, out=self.neural_cum[:, 1:])
