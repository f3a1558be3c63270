"""Run slots: per context, the last two bytes seen in it and how often the last one repeated, and
a learned map from such a run to how sure the bit it predicts is.

``runs`` (C, 2**run_bits) uint32, one slot per context hash (per byte, not per bit), packed
[check | last byte | the byte before it | run length], 0 where never seen; ``run_map`` (C *
RUN_MAP_CELLS) uint32 packed counters (`probability_counter`).
"""

from typing import NamedTuple

import numpy as np

from trainzip.jit import kernel
from trainzip.models.context_mixing import probability_counter as pc
from trainzip.models.context_mixing.ascii import fold_byte
from trainzip.models.context_mixing.context_hashes import HASH
from trainzip.models.context_mixing.contexts import FOLDED_CONTEXTS, MAX_CONTEXTS
from trainzip.models.context_mixing.registers import REGISTERS

RUN_SLOT, RUN_CELL = REGISTERS.allocate(
    ("run slot", MAX_CONTEXTS),  # per context: its run slot for the current byte (0: never seen)
    ("run map cell", MAX_CONTEXTS))  # per context: the run map cell used for the current bit (-1: none)
RUN_LENGTHS = 16  # run lengths 1-16 are told apart; bucket 17 is "the byte before agrees"
BIT_GROUPS = 0x33322210  # 4 bits per bit position: bit 0, bit 1, bits 2-4, bits 5-7
RUN_MAP_CELLS = (RUN_LENGTHS + 2) * 4 * 2 * 2  # (run length bucket, bit group, uncertain, predicted bit)
MAX_RUN = 255


class RunTables(NamedTuple):
    runs: np.ndarray  # (C, 2**run_bits) uint32
    run_map: np.ndarray  # (C * RUN_MAP_CELLS,) uint32


def allocate_run_tables(contexts: int, run_bits: int) -> RunTables:
    return RunTables(np.zeros((contexts, 1 << run_bits), dtype=np.uint32),  # all never seen
                     np.full(contexts * RUN_MAP_CELLS, pc.FRESH, dtype=np.uint32))


@kernel(inline=True)
def predict_runs(s, state, params, run_map, inputs, k, c0, folded, bit, stretch_t):
    """One input per context from the bytes last seen in it: if the partial byte agrees with the
    last one (or the one before), the bit it predicts, as sure as such runs have turned out to be.
    A folded context compares folded bytes (a 'C' last time predicts the rest of a 'c')."""
    group = (BIT_GROUPS >> (bit << 2)) & 0xF
    for i in range(params.contexts):
        slot = state[s, RUN_SLOT + i]
        cell = -1
        if slot != 0:
            last = (slot >> 16) & 0xFF
            before = (slot >> 8) & 0xFF
            uncertain = int(last != before)
            partial = c0
            if (FOLDED_CONTEXTS >> i) & 1 and bit >= 3:  # where fold_partial may have folded c0
                partial = folded
                last = fold_byte(last)
                before = fold_byte(before)
            if ((last | 256) >> (8 - bit)) == partial:
                length = min(slot & 0xFF, RUN_LENGTHS)
                cell = ((length * 4 + group) * 2 + uncertain) * 2 + ((last >> (7 - bit)) & 1)
            elif uncertain and ((before | 256) >> (8 - bit)) == partial:
                cell = (((RUN_LENGTHS + 1) * 4 + group) * 2 + 1) * 2 + ((before >> (7 - bit)) & 1)
        if cell >= 0:
            cell += i * RUN_MAP_CELLS
            inputs[s, k] = stretch_t[pc.counter_p12(run_map[cell])]
        else:
            inputs[s, k] = 0
        state[s, RUN_CELL + i] = cell
        k += 1
    return k


@kernel(inline=True)
def learn_runs(s, y, state, params, run_map):
    """The map cells the runs were read from learn the coded bit."""
    for i in range(params.contexts):
        cell = state[s, RUN_CELL + i]
        if cell >= 0:
            run_map[cell] = pc.train_counter(run_map[cell], y, pc.MAX_COUNT)


@kernel
def record_byte(state, s, byte, params, runs):
    """Record the byte just coded in each context's run slot (the contexts of that byte, before they
    are hashed anew): the same byte again lengthens the run, another starts one."""
    mask = (1 << params.run_bits) - 1
    for i in range(params.contexts):
        h = state[s, HASH + i]
        check = (h >> 24) & 0xFF
        slot = runs[i, h & mask]
        if (slot >> 24) != check or (slot & 0xFF) == 0:
            slot = (check << 24) | (byte << 16) | (byte << 8) | 1
        elif ((slot >> 16) & 0xFF) == byte:
            slot = slot + 1 if (slot & 0xFF) < MAX_RUN else slot
        else:
            slot = (check << 24) | (byte << 16) | (((slot >> 16) & 0xFF) << 8) | 1
        runs[i, h & mask] = slot


@kernel
def fetch_slots(state, s, params, runs):
    """Look up each context's run slot for the byte about to be coded (0 where it was never seen)."""
    mask = (1 << params.run_bits) - 1
    for i in range(params.contexts):
        h = state[s, HASH + i]
        slot = runs[i, h & mask]
        state[s, RUN_SLOT + i] = slot if (slot >> 24) == ((h >> 24) & 0xFF) else 0
