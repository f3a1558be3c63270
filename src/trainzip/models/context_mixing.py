"""Count-based context mixing for B byte streams: tables, registers, and their kernels' calls.

The numeric work lives in `context_kernels` (Numba, integers only). This class owns the state
and hands the kernels what they need, one bit of every active stream per call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainzip.coding.bit_channel import BitChannel, bit_costs
from trainzip.models import context_kernels as k
from trainzip.models.logistic import SQUASH, STRETCH

BIT_COSTS = bit_costs()


@dataclass(frozen=True, kw_only=True)
class ContextMixingConfig:
    """Settings of the count-based model; all of them change the code, so all go in the file."""

    contexts: int = 32  # the first n of the kernel's 32 contexts (see context_kernels.context_hashes)
    mixers: int = 10  # the first n of the kernel's 10 first-layer mixers (see context_kernels.MIXER_SETS)
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


def sized_bits(limit: int, slots_needed: int) -> int:
    """Table size (log2) for a block: room for twice the slots it can touch, at most 2**limit.

    A small input then costs no time filling tables it will never use; both ends know the block's
    length, so both size the tables alike.
    """
    return min(limit, max(10, int(slots_needed).bit_length() + 1))


def _identity_buckets() -> np.ndarray:
    """24 interpolation buckets that map each probability to itself: squash of each bucket's stretch, 16-bit."""
    return np.array([SQUASH[min(max((j * 4096) // 23 - 2048, -2047), 2047) + 2047] * 16 for j in range(24)],
                    dtype=np.int32)


def _apm_initial(stages: int) -> np.ndarray:
    """Every SSE stage starts at the identity in every one of its 65536 contexts."""
    return np.tile((_identity_buckets() << 10) | k.APM_START, (stages, 65536))


def _check_ranges(config: ContextMixingConfig) -> None:
    """Refuse settings the kernels have no room for (their register file and tables are fixed)."""
    ranges = {"contexts": (1, k.MAX_CONTEXTS), "mixers": (1, k.MAX_MIXERS), "sse_stages": (1, k.MAX_SSE_STAGES),
              "counter_limit": (1, 255)}
    for name, (low, high) in ranges.items():
        if not low <= getattr(config, name) <= high:
            raise ValueError(f"{name} must be in {low}..{high}")


def load_kernels() -> None:
    """Load the compiled kernels now: a process's first Numba call starts Numba's code loader (about
    1 s), a start-up cost that benchmarks keep apart from coding time."""
    state = np.zeros((1, k.STATE_COLUMNS), dtype=np.int64)
    k.context_hashes(state, 0, 1, np.zeros(1, dtype=np.uint8))


class ContextMixingModel:
    """Predicts one bit of each of B streams at a time; learns from the coded bits."""

    def __init__(self, config: ContextMixingConfig, data: np.ndarray, streams: int, segment_length: int,
                 neural_inputs: bool):
        _check_ranges(config)
        self.config = config
        self.data = data  # (n,) uint8: the block; the decoder fills it in as it goes
        self.params = np.zeros(k.PARAMS, dtype=np.int64)
        self.params[k.N_CTX] = config.contexts
        table_bits = sized_bits(config.table_bits, 8 * len(data))  # one slot per context per coded bit
        match_bits = sized_bits(config.match_bits, len(data))
        self.params[k.TABLE_BITS] = table_bits
        self.params[k.LIMIT] = config.counter_limit
        self.params[k.MIX_LR] = config.mixer_rate
        self.params[k.MATCH_MIN] = config.match_min
        self.params[k.MATCH_BITS] = match_bits
        self.params[k.SEG_LEN] = max(segment_length, 1)
        self.params[k.USE_NEURAL] = int(neural_inputs)
        self.params[k.PROBABILITY_INPUTS] = int(config.probability_inputs)
        self.params[k.MIX_BOOST] = config.mixer_boost
        self.params[k.MIX_DECAY] = config.mixer_decay
        self.params[k.SSE_SHARE] = config.sse_share
        self.params[k.MIXERS] = config.mixers
        self.params[k.SSE_STAGES] = config.sse_stages
        inputs = config.contexts * (1 + int(config.probability_inputs)) + 2 + int(neural_inputs)
        self.counters = np.zeros((config.contexts, 1 << table_bits), dtype=np.uint32)  # all empty
        self.match_counters = np.full(64, 32768 << 16, dtype=np.uint32)
        self.match_table = np.zeros(1 << match_bits, dtype=np.int64)
        self.weights = np.full((sum(k.MIXER_SETS), inputs + 1), 1 << 12, dtype=np.int64)
        self.weights[:, -2] = 0  # the bias input starts with no say
        self.weights[:, -1] = 0  # how often each weight set has learned
        self.final_weights = np.full((k.FINAL_SETS, config.mixers), (1 << 16) // config.mixers, dtype=np.int64)
        self.apm = _apm_initial(config.sse_stages)
        self.adapt = np.tile(_identity_buckets(), config.contexts * 32)  # per (context, count, last bit): identity
        self.state = np.zeros((streams, k.STATE_COLUMNS), dtype=np.int64)
        self.state[:, k.C0] = 1
        self.state[:, k.SEG_START] = np.arange(streams) * segment_length
        self.state[:, k.POS] = self.state[:, k.SEG_START]
        self.state[:, k.LINE_START] = self.state[:, k.SEG_START]
        self.state[:, k.PREV_LINE_START] = -1
        self.state[:, k.LAST_BLANK] = self.state[:, k.SEG_START] - 1  # none yet
        for s in range(streams):
            k.context_hashes(self.state, s, config.contexts, data)
        self.inputs = np.zeros((streams, inputs), dtype=np.int64)
        self.mixer_out = np.zeros((streams, config.mixers), dtype=np.int64)
        self.neural_cum = np.zeros((streams, 257), dtype=np.int64)
        self.neural_cum[:, 1:] = np.arange(1, 257)

    @property
    def tables(self) -> tuple:
        """The tables every stream shares, in the order the kernels unpack them."""
        return (self.counters, self.adapt, self.weights, self.final_weights, self.match_counters, self.apm,
                self.match_table)

    def code(self, channel: BitChannel, first: int, last: int, active_per_step: np.ndarray,
             position_bits: np.ndarray, neural_frequencies: np.ndarray | None = None) -> float:
        """Code byte-steps first..last-1 of every stream through ``channel`` (writing or reading).

        Returns their ideal bits (each byte's also goes to ``position_bits``). ``neural_frequencies``
        ((B, 256), only for a single step) joins the network's next-byte distribution to the mix.
        """
        if neural_frequencies is not None:
            np.cumsum(neural_frequencies, axis=1, out=self.neural_cum[:, 1:])
        channel.reserve(8 * int(active_per_step[first:last].sum()))
        return k.code_byte_steps(first, last, active_per_step, channel.writes, channel.coder, channel.buffer, self.state,
                          self.params, self.tables, self.neural_cum, self.inputs, self.mixer_out, SQUASH, STRETCH,
                          self.data, position_bits, BIT_COSTS)
