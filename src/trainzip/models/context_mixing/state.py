"""The count model's state for one block: per-stream registers and scratch, and the tables every
stream shares (each learns from all). `ContextMixingModel` builds them; the kernels (`model`)
read and write them, driven bit by bit by the codec's loop (`trainzip.codec.bit_loop`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from trainzip.models.context_mixing import buckets, counters, direct, history, match, mixer_sets, runs, sse
from trainzip.models.context_mixing.config import ContextMixingConfig
from trainzip.models.context_mixing.context_hashes import FOLLOWERS, allocate_context_tables, context_hashes
from trainzip.models.context_mixing.counters import allocate_counter_tables
from trainzip.models.context_mixing.direct import allocate_direct_tables
from trainzip.models.context_mixing.match import allocate_match_tables
from trainzip.models.context_mixing.mixers import allocate_mixer_tables
from trainzip.models.context_mixing.parameters import kernel_parameters, mixer_inputs
from trainzip.models.context_mixing.registers import REGISTERS
from trainzip.models.context_mixing.runs import allocate_run_tables
from trainzip.models.context_mixing.sse import allocate_sse_tables


class Streams(NamedTuple):
    """What each stream has of its own."""

    state: np.ndarray  # (B, REGISTERS.columns) int64: the register file
    inputs: np.ndarray  # (B, mixer inputs) int64: the current bit's mixer inputs
    mixer_out: np.ndarray  # (B, mixers) int64: the first layer's outputs for the current bit
    network_cum: np.ndarray  # (B, 257) int64: cumulative frequencies of the network's next byte


class Tables(NamedTuple):
    """What all streams share, each component's tables under their own names (one flat tuple: a
    nested one costs the kernels reference counting on every call)."""

    followers: np.ndarray  # ContextTables
    counters: np.ndarray  # CounterTables
    adapt: np.ndarray
    runs: np.ndarray  # RunTables
    run_map: np.ndarray
    direct: np.ndarray  # DirectTables
    match_table: np.ndarray  # MatchTables
    match_counters: np.ndarray
    weights: np.ndarray  # MixerTables
    final_weights: np.ndarray
    apm: np.ndarray  # SseTables

    @classmethod
    def of(cls, *components: NamedTuple) -> Tables:
        """The components' tables gathered by name."""
        return cls(**{name: table for component in components for name, table in component._asdict().items()})

    @property
    def nbytes(self) -> int:
        return sum(table.nbytes for table in self)


class ContextMixingModel:
    """Predicts one bit of each of B streams at a time; learns from the coded bits."""

    def __init__(self, config: ContextMixingConfig, data: np.ndarray, streams: int, segment_length: int,
                 neural_inputs: bool):
        self.config = config
        self.data = data  # (n,) uint8: the block; the decoder fills it in as it goes
        self.params = kernel_parameters(config, len(data), segment_length, neural_inputs)
        inputs = mixer_inputs(config, neural_inputs)
        self.tables = Tables.of(
            allocate_context_tables(), allocate_counter_tables(config.contexts, self.params.table_bits),
            allocate_run_tables(config.contexts, self.params.run_bits), allocate_direct_tables(),
            allocate_match_tables(self.params.match_bits), allocate_mixer_tables(config.mixers, inputs),
            allocate_sse_tables(config.sse_stages))
        network_cum = np.zeros((streams, 257), dtype=np.int64)
        network_cum[:, 1:] = np.arange(1, 257)  # uniform until the network speaks
        self.streams = Streams(np.zeros((streams, REGISTERS.columns), dtype=np.int64),
                               np.zeros((streams, inputs), dtype=np.int64),
                               np.zeros((streams, config.mixers), dtype=np.int64), network_cum)
        history.start(self.streams.state, segment_length)
        for s in range(streams):
            context_hashes(self.streams.state, s, self.params, data, self.tables.followers)

    def take_network_prediction(self, frequencies: np.ndarray) -> None:
        """The network's (B, 256) integer next-byte frequencies, which join the mix for the next byte-step."""
        np.cumsum(frequencies, axis=1, out=self.streams.network_cum[:, 1:])


def model_bytes(config: ContextMixingConfig, block_length: int, streams: int, neural_inputs: bool) -> int:
    """The bytes a `ContextMixingModel` of these settings allocates for a block of ``block_length``,
    computed without allocating: what a decoder's memory limit is checked against before a crafted
    header can make it allocate (tests/test_decode_memory.py holds it equal to the tables' nbytes)."""
    params = kernel_parameters(config, block_length, 1, neural_inputs)
    inputs = mixer_inputs(config, neural_inputs)
    c = config.contexts
    tables = (8 * FOLLOWERS  # as each allocate_*_tables lays them out, in `Tables`' order
              + (4 * c << params.table_bits) + 4 * buckets.BUCKETS * c * counters.ADAPT_COUNTS * 2
              + (4 * c << params.run_bits) + 4 * c * runs.RUN_MAP_CELLS
              + 4 * len(direct.DIRECT_RATES) * direct.DIRECT_CELLS
              + (8 << params.match_bits) + 4 * 2 * match.LENGTH_BUCKETS
              + 8 * (sum(mixer_sets.MIXER_SETS) + 1) * (inputs + 1) + 8 * sum(mixer_sets.FINAL_SETS) * (config.mixers + 1)
              + 4 * config.sse_stages * sse.CONTEXTS_PER_STAGE * buckets.BUCKETS)
    per_stream = 8 * (REGISTERS.columns + inputs + config.mixers + 257)
    return tables + streams * per_stream
