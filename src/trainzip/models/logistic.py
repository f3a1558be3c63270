"""Integer stretch/squash: the logistic domain that context mixing works in, without floats.

squash(x) = 4096 / (1 + e^(-x/256)) and stretch = its inverse, as integer tables built by
integer interpolation (after lpaq1), so every CPU computes the same bits.
"""

import numpy as np

from trainzip.jit import kernel

PROBABILITY_BITS = 12
STRETCH_LIMIT = 2047

# squash at x = -2048, -1920, ..., 2048 (step 128), scaled to 12 bits.
_SQUASH_KNOTS = np.array(
    [1, 2, 3, 6, 10, 16, 27, 45, 73, 120, 194, 310, 488, 747, 1101, 1546, 2047, 2549, 2994, 3348,
     3607, 3785, 3901, 3975, 4024, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094],
    dtype=np.int64,
)


def _squash_scalar(x: int) -> int:
    if x > STRETCH_LIMIT:
        return 4095
    if x < -STRETCH_LIMIT:
        return 1
    weight = x & 127
    index = (x >> 7) + 16
    return int((_SQUASH_KNOTS[index] * (128 - weight) + _SQUASH_KNOTS[index + 1] * weight + 64) >> 7)


def build_squash_table() -> np.ndarray:
    """squash for every x in [-2047, 2047], indexed by x + 2047 (4095 entries, values 1..4095)."""
    return np.array([_squash_scalar(x) for x in range(-STRETCH_LIMIT, STRETCH_LIMIT + 1)], dtype=np.int32)


def build_stretch_table(squash_table: np.ndarray) -> np.ndarray:
    """stretch(p) for p in [0, 4095]: the smallest x whose squash reaches p (inverse of squash)."""
    stretch = np.zeros(4096, dtype=np.int32)
    p_next = 0
    for x in range(-STRETCH_LIMIT, STRETCH_LIMIT + 1):
        value = int(squash_table[x + STRETCH_LIMIT])
        for p in range(p_next, value + 1):
            stretch[p] = x
        p_next = value + 1
    stretch[p_next:] = STRETCH_LIMIT
    return stretch


SQUASH = build_squash_table()
STRETCH = build_stretch_table(SQUASH)

# Probability scales. The mix works on 12-bit probabilities (out of P12_ONE) and stretches in
# [-STRETCH_LIMIT, STRETCH_LIMIT]; counters, SSE cells and the coder on 16-bit ones (out of P16_ONE).
P12_ONE = 1 << PROBABILITY_BITS
P12_HALF = P12_ONE >> 1
P16_BITS = 16
P16_ONE = 1 << P16_BITS
P16_HALF = P16_ONE >> 1
P16_TO_P12 = P16_BITS - PROBABILITY_BITS  # shift from a 16-bit probability to a 12-bit one
WEIGHT_BITS = 16  # mixer weights are 16.16 fixed point: 1 << WEIGHT_BITS is a weight of 1


@kernel(inline=True)
def clamp_stretch(x):
    """x clamped into the stretch domain."""
    return min(max(x, -STRETCH_LIMIT), STRETCH_LIMIT)


@kernel(inline=True)
def squash(x, table):
    """The 12-bit probability of stretch x (clamped into the domain), from ``table`` (SQUASH)."""
    return table[clamp_stretch(x) + STRETCH_LIMIT]
