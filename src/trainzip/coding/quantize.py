"""Floats become integer frequencies here, and nowhere else.

Encoder and decoder both call `quantize` on bit-identical float inputs, so they obtain the same
integers; the range coder then only ever sees integers (exact dyadic fractions), never a float
that a rounding difference could move. Every symbol gets a frequency of at least 1, so any
symbol stays codable, and each row sums to exactly ``2**total_bits``.
"""

import numpy as np

FREQUENCY_BITS = 16
"""Default precision: rows of frequencies sum to 2**16."""


def quantize(probabilities: np.ndarray, total_bits: int = FREQUENCY_BITS) -> np.ndarray:
    """Turn rows of probabilities into integer frequencies, each >= 1, each row summing to 2**total_bits.

    Args:
        probabilities: (n, V) non-negative floats (any float dtype; rows need not sum to 1).
        total_bits: the row total is 2**total_bits; must leave room for V ones.

    Returns:
        (n, V) int64 frequencies. The slack left by flooring goes to each row's most likely symbol.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2:
        raise ValueError(f"expected (n, V) probabilities, got shape {probabilities.shape}")
    n, alphabet = probabilities.shape
    total = 1 << total_bits
    if alphabet < 1 or 2 * alphabet > total:
        raise ValueError(f"alphabet of {alphabet} symbols does not fit in {total_bits}-bit frequencies")
    if not np.all(np.isfinite(probabilities)) or np.any(probabilities < 0):
        raise ValueError("probabilities must be finite and non-negative")
    row_sums = probabilities.sum(axis=1, keepdims=True)
    row_sums[row_sums == 0] = 1.0
    spare = total - alphabet  # what is left after every symbol gets its guaranteed 1
    frequencies = np.floor(probabilities / row_sums * spare).astype(np.int64) + 1
    slack = total - frequencies.sum(axis=1)
    frequencies[np.arange(n), np.argmax(frequencies, axis=1)] += slack
    return frequencies


def ideal_bits(frequencies: np.ndarray, symbols: np.ndarray, total_bits: int = FREQUENCY_BITS) -> np.ndarray:
    """-log2 q(symbol) for each row, where q = frequency / 2**total_bits: the ideal code length."""
    chosen = np.asarray(frequencies)[np.arange(len(symbols)), np.asarray(symbols)]
    return total_bits - np.log2(chosen.astype(np.float64))
