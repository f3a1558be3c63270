"""The one place floats become integer frequencies."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from trainzip.coding.quantize import FREQUENCY_BITS, ideal_bits, quantize

probability_rows = arrays(np.float32, st.tuples(st.integers(1, 8), st.integers(2, 300)),
                          elements=st.floats(0, 1, width=32))


@settings(max_examples=200, deadline=None)
@given(probability_rows)
def test_every_symbol_codable_and_rows_exact(probabilities):
    """Each frequency is at least 1 and each row sums to exactly 2**16, whatever the floats."""
    frequencies = quantize(probabilities)
    assert frequencies.min() >= 1
    assert (frequencies.sum(axis=1) == 1 << FREQUENCY_BITS).all()


@settings(max_examples=100, deadline=None)
@given(probability_rows)
def test_quantization_is_a_pure_function_of_the_floats(probabilities):
    """The same floats give the same integers (the decoder relies on it), even row by row."""
    whole = quantize(probabilities)
    by_row = np.concatenate([quantize(row[None, :]) for row in probabilities])
    assert (whole == by_row).all()


def test_ideal_bits_of_a_hand_computable_case():
    """Frequency 2**15 of 2**16 costs exactly 1 bit; 2**14 costs exactly 2."""
    frequencies = np.array([[1 << 15, 1 << 15], [1 << 14, 3 << 14]])
    assert ideal_bits(frequencies, np.array([0, 0])).tolist() == [1.0, 2.0]


@settings(max_examples=100, deadline=None)
@given(probability_rows)
def test_quantization_costs_at_most_the_reserved_mass(probabilities):
    """q >= p (T - V) / T for every symbol, so KL(p || q) <= log2(T / (T - V)) bits (0.0056 for bytes)."""
    total = 1 << FREQUENCY_BITS
    rows = probabilities.astype(np.float64)
    rows = rows[rows.sum(axis=1) > 0]
    p = rows / rows.sum(axis=1, keepdims=True)
    q = quantize(rows) / total
    mask = p > 0
    kl = np.where(mask, p * np.log2(np.where(mask, p, 1) / q), 0).sum(axis=1)
    assert (kl <= np.log2(total / (total - p.shape[1])) + 1e-9).all()
