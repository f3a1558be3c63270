"""The range-coding channel: exact round trips, and a bitstream as long as the ideal code."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trainzip.coding import DecodeChannel, EncodeChannel, quantize


def _random_steps(seed: int, steps: int, alphabet: int, batch: int):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        probabilities = rng.dirichlet(np.full(alphabet, 0.3), size=batch)
        frequencies = quantize(probabilities)
        symbols = np.array([rng.choice(alphabet, p=row / row.sum()) for row in frequencies])
        yield frequencies, symbols


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 300), st.integers(1, 16))
def test_decoding_returns_what_was_encoded(seed, alphabet, batch):
    """Any alphabet (including the binary one), any batch: the decoder reads back every symbol."""
    steps = list(_random_steps(seed, 5, alphabet, batch))
    encoder = EncodeChannel()
    for frequencies, symbols in steps:
        encoder.code(frequencies, symbols)
    decoder = DecodeChannel(encoder.finish())
    for frequencies, symbols in steps:
        assert (decoder.code(frequencies) == symbols).all()


def test_payload_matches_ideal_code_length():
    """On 10**5 symbols the real payload is within 0.1% (plus 8 bytes) of the sum of -log2 q."""
    encoder = EncodeChannel()
    for frequencies, symbols in _random_steps(1, 400, 256, 250):
        encoder.code(frequencies, symbols)
    payload_bits = 8 * len(encoder.finish())
    assert encoder.ideal_bits * 0.999 - 64 <= payload_bits <= encoder.ideal_bits * 1.001 + 64
