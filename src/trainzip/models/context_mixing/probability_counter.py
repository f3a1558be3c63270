"""A probability that learns each bit at 1/(n + 1.5): the step shared by the counters, run maps,
match counters and SSE cells.

A packed counter is one uint32: [16-bit probability | 8-bit count | last bit | 7-bit check].
"""

import numpy as np

from trainzip.jit import kernel
from trainzip.models.logistic import P16_BITS, P16_HALF, P16_ONE

COUNT_SHIFT = 8
LAST_BIT_SHIFT = 7
CHECK_BITS = 7
CHECK_MASK = (1 << CHECK_BITS) - 1
MAX_COUNT = 255
FRESH = P16_HALF << P16_BITS  # a counter at p = 1/2 that has seen nothing
RECIPROCAL = np.array([65536 * 2 // (2 * n + 3) for n in range(1024)], dtype=np.int64)  # 1/(n+1.5), 16 bits


@kernel(inline=True)
def toward(p, target, updates):
    """Move p toward target by 1/(updates + 1.5)."""
    return p + (((target - p) * RECIPROCAL[updates]) >> 16)


@kernel(inline=True)
def train_counter(slot, bit, limit):
    """Move a packed counter toward the bit by 1/(count + 1.5), then count the event (up to ``limit``)."""
    count = (slot >> COUNT_SHIFT) & MAX_COUNT
    p16 = toward(slot >> P16_BITS, bit << P16_BITS, count)
    p16 = min(max(p16, 1), P16_ONE - 1)
    if count < limit:
        count += 1
    return (p16 << P16_BITS) | (count << COUNT_SHIFT) | (bit << LAST_BIT_SHIFT) | (slot & CHECK_MASK)


@kernel(inline=True)
def counter_p12(slot):
    """A packed counter's probability, 12 bits."""
    return slot >> (P16_BITS + 4)
