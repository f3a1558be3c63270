"""Each context's hashed counters, and the adaptive maps that turn a counter's state into the
probability such counters really turned out to have.

``counters`` (C, 2**table_bits) uint32, packed (`probability_counter`), count 0 meaning empty (so
the tables start as zeros, which the OS hands out lazily); a slot is keyed by the context's hash
with the partial byte, and its check bits tell another context's slot from its own. ``adapt``
(C * 32 * 2 * 24) int32: per context, count (0-31) and last bit, an interpolated map (`buckets`).
"""

from typing import NamedTuple

import numpy as np

from trainzip.jit import kernel
from trainzip.models.context_mixing import buckets as b
from trainzip.models.context_mixing import probability_counter as pc
from trainzip.models.context_mixing.context_hashes import HASH
from trainzip.models.context_mixing.contexts import FOLDED_CONTEXTS, MAX_CONTEXTS, ORDER_2
from trainzip.models.context_mixing.hashing import mix32
from trainzip.models.context_mixing.registers import REGISTERS
from trainzip.models.logistic import P12_HALF, P12_ONE, P16_BITS

BIT_HASH, ADAPT_CELL = REGISTERS.allocate(
    ("counter key", MAX_CONTEXTS),  # per context: the current bit's slot hash, from predict, for learn
    ("adaptive map cell", MAX_CONTEXTS))  # per context: the lower of its two map buckets (-1: none; both learn)
ADAPT_COUNTS = 32  # the maps tell counts 0-31 apart
ADAPT_RATE = 8  # the maps learn at 1/256
CHECK_SHIFT = 32 - pc.CHECK_BITS  # a slot's check bits are the top bits of its hash


class CounterTables(NamedTuple):
    counters: np.ndarray  # (C, 2**table_bits) uint32
    adapt: np.ndarray  # (C * ADAPT_COUNTS * 2 * BUCKETS,) int32


def allocate_counter_tables(contexts: int, table_bits: int) -> CounterTables:
    return CounterTables(np.zeros((contexts, 1 << table_bits), dtype=np.uint32),  # all empty
                         np.tile(b.IDENTITY_BUCKETS.astype(np.int32), contexts * ADAPT_COUNTS * 2))


@kernel(inline=True)
def predict_counters(s, state, params, counters, adapt, inputs, c0, folded, stretch_t):
    """Each context's counter through its adaptive map: the stretch of what such counters really
    predicted (input i), and with probability inputs the same evidence in the probability domain
    (input C + i), which the mixer can then bend. A folded context's counter is keyed by the folded
    partial byte. Returns the next free input and how many contexts had seen this bit's key."""
    n = params.contexts
    mask = (1 << params.table_bits) - 1
    seen = 0
    k = n
    for i in range(n):
        key = mix32(state[s, HASH + i], folded if (FOLDED_CONTEXTS >> i) & 1 else c0)
        state[s, BIT_HASH + i] = key
        slot = counters[i, key & mask]
        stretch = 0
        probability = 0
        state[s, ADAPT_CELL + i] = -1
        if (slot & pc.CHECK_MASK) == (key >> CHECK_SHIFT) and (slot >> pc.COUNT_SHIFT) & pc.MAX_COUNT:
            count = (slot >> pc.COUNT_SHIFT) & pc.MAX_COUNT
            bucket, weight = b.bucket_position(stretch_t[pc.counter_p12(slot)])
            last_bit = (slot >> pc.LAST_BIT_SHIFT) & 1
            cell = ((i * ADAPT_COUNTS + min(count, ADAPT_COUNTS - 1)) * 2 + last_bit) * b.BUCKETS + bucket
            state[s, ADAPT_CELL + i] = cell
            p12 = b.interpolate(adapt[cell], adapt[cell + 1], weight) >> P16_BITS
            stretch = stretch_t[min(max(p12, 1), P12_ONE - 1)]
            probability = (p12 - P12_HALF) >> 3
            seen += 1
        inputs[s, i] = stretch
        if params.probability_inputs:
            inputs[s, k] = probability
            k += 1
    return k, seen


@kernel(inline=True)
def learn_counters(s, y, state, params, counters, adapt):
    """Each context's counter and both buckets of its adaptive map learn the coded bit."""
    mask = (1 << params.table_bits) - 1
    for i in range(params.contexts):
        key = state[s, BIT_HASH + i]
        index = key & mask
        slot = counters[i, index]
        if (slot & pc.CHECK_MASK) != (key >> CHECK_SHIFT) or (slot >> pc.COUNT_SHIFT) & pc.MAX_COUNT == 0:
            slot = pc.FRESH | (key >> CHECK_SHIFT)  # empty, or another context's: start afresh
        # orders 0-2 see so many events that averaging over the most of them pays
        limit = pc.MAX_COUNT if i <= ORDER_2 else params.counter_limit
        counters[i, index] = pc.train_counter(slot, y, limit)
        cell = state[s, ADAPT_CELL + i]
        if cell >= 0:
            adapt[cell] += ((y << P16_BITS) - adapt[cell]) >> ADAPT_RATE
            adapt[cell + 1] += ((y << P16_BITS) - adapt[cell + 1]) >> ADAPT_RATE
