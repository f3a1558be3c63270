"""Floats become integer frequencies here, and nowhere else.

Encoder and decoder both call `quantize` on bit-identical float inputs, so they obtain the same
integers; the range coder then only ever sees integers (exact dyadic fractions), never a float
that a rounding difference could move. Every symbol gets a frequency of at least 1, so any
symbol stays codable, and each row sums to exactly ``2**total_bits``.

The kernel runs each row's arithmetic in a fixed sequential order in float64 (no fast-math, so
no reassociation), which makes the result a pure function of the input floats on every CPU.
`quantize_bit` does the same for one bit's probability, as the exact network gives it bit by bit.
"""

import numba
import numpy as np

FREQUENCY_BITS = 16
"""Default precision: rows of frequencies sum to 2**16."""


@numba.njit(cache=True)
def _quantize_rows(probabilities, total, out):
    n, alphabet = probabilities.shape
    spare = total - alphabet  # what is left after every symbol gets its guaranteed 1
    for row in range(n):
        row_sum = 0.0
        for j in range(alphabet):
            row_sum += np.float64(probabilities[row, j])
        scale = spare / row_sum if row_sum > 0 else 0.0
        assigned = 0
        largest = 0
        for j in range(alphabet):
            value = np.int64(np.floor(np.float64(probabilities[row, j]) * scale)) + 1
            out[row, j] = value
            assigned += value
            if value > out[row, largest]:
                largest = j
        out[row, largest] += total - assigned  # the slack left by flooring goes to the likeliest symbol


BIT_PROBABILITY_BITS = 12
"""A bit's probability as the count model's mixer takes it: an integer out of 2**12."""


@numba.njit(cache=True, inline="always")
def quantize_bit(probability):
    """P(bit = 1) as an integer in [1, 2**12 - 1]: floor(p * 2**12), kept off 0 and 2**12. The
    product by a power of two is exact, so this is a pure function of the float on every CPU."""
    scaled = np.int64(np.floor(np.float64(probability) * (1 << BIT_PROBABILITY_BITS)))
    return min(max(scaled, 1), (1 << BIT_PROBABILITY_BITS) - 1)


def quantize(probabilities: np.ndarray, total_bits: int = FREQUENCY_BITS) -> np.ndarray:
    """Turn rows of probabilities into integer frequencies, each >= 1, each row summing to 2**total_bits.

    Args:
        probabilities: (n, V) non-negative finite floats (float32 or float64; rows need not sum to 1).
        total_bits: the row total is 2**total_bits; must leave room for V ones.

    Returns:
        (n, V) int64 frequencies.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.dtype not in (np.float32, np.float64):
        probabilities = probabilities.astype(np.float64)
    if probabilities.ndim != 2:
        raise ValueError(f"expected (n, V) probabilities, got shape {probabilities.shape}")
    total = 1 << total_bits
    if probabilities.shape[1] < 1 or 2 * probabilities.shape[1] > total:
        raise ValueError(f"alphabet of {probabilities.shape[1]} symbols does not fit in {total_bits}-bit frequencies")
    if not np.isfinite(probabilities).all() or (probabilities < 0).any():
        raise ValueError("probabilities must be finite and non-negative")
    frequencies = np.empty(probabilities.shape, dtype=np.int64)
    _quantize_rows(probabilities, total, frequencies)
    return frequencies


def ideal_bits(frequencies: np.ndarray, symbols: np.ndarray, total_bits: int = FREQUENCY_BITS) -> np.ndarray:
    """-log2 q(symbol) for each row, where q = frequency / 2**total_bits: the ideal code length."""
    chosen = np.asarray(frequencies)[np.arange(len(symbols)), np.asarray(symbols)]
    return total_bits - np.log2(chosen.astype(np.float64))
