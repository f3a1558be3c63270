"""Maps over the stretch domain, interpolated between 24 buckets: the adaptive maps and SSE cells.

A probability's stretch picks two neighbouring buckets and a 12-bit weight between them; both
buckets learn the coded bit. Every map starts as the identity (`IDENTITY_BUCKETS`).
"""

import numpy as np

from trainzip.jit import kernel
from trainzip.models.logistic import P12_HALF, SQUASH, STRETCH_LIMIT

BUCKETS = 24
WEIGHT_BITS = 12
# 24 buckets that map each probability to itself (16-bit): where every adaptive map and SSE cell starts
IDENTITY_BUCKETS = np.array([SQUASH[min(max((j * 4096) // (BUCKETS - 1) - 2048, -2047), 2047) + STRETCH_LIMIT] * 16
                             for j in range(BUCKETS)], dtype=np.int64)


@kernel(inline=True)
def bucket_position(stretch):
    """Where a stretch falls: (the lower bucket, the weight of the upper one out of 4096)."""
    position = (stretch + P12_HALF) * (BUCKETS - 1)
    return position >> WEIGHT_BITS, position & ((1 << WEIGHT_BITS) - 1)


@kernel(inline=True)
def interpolate(low, high, weight):
    """Between two 16-bit bucket values, 16-bit times a 12-bit weight: a (16 + 12)-bit sum."""
    return low * ((1 << WEIGHT_BITS) - weight) + high * weight
