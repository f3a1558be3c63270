"""The byte codec's binary coder: exact round trips, near-ideal length, safe on any payload."""

import numba
import numpy as np
import pytest

from trainzip.coding.bit_channel import BitChannel, bit_costs, code_bit


@numba.njit(cache=True)
def _code_all(coder, buffer, writes, probabilities, bits, out):
    for i in range(len(probabilities)):
        out[i] = code_bit(coder, buffer, writes, probabilities[i], bits[i])


def _encode(probabilities, bits):
    channel = BitChannel()
    channel.reserve(len(bits))
    _code_all(channel.coder, channel.buffer, True, probabilities, bits, np.zeros(len(bits), dtype=np.int64))
    return channel.finish()


def _decode(payload, probabilities):
    channel = BitChannel(payload)
    out = np.zeros(len(probabilities), dtype=np.int64)
    _code_all(channel.coder, channel.buffer, False, probabilities, np.zeros(len(probabilities), dtype=np.int64), out)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_round_trip_under_changing_probabilities(seed):
    """Bits drawn from their own probabilities (extremes included) decode exactly."""
    rng = np.random.default_rng(seed)
    probabilities = rng.integers(1, 65536, 50_000)
    probabilities[::97] = 1  # the least likely 1 ...
    probabilities[::89] = 65535  # ... and the most likely
    bits = (rng.integers(0, 65536, 50_000) < probabilities).astype(np.int64)
    bits[::1013] ^= 1  # some very unlikely bits too
    assert np.array_equal(_decode(_encode(probabilities, bits), probabilities), bits)


def test_length_is_within_a_tenth_percent_of_the_ideal():
    """The payload is the sum of -log2 q, give or take 0.1% and a few bytes."""
    rng = np.random.default_rng(5)
    probabilities = rng.integers(1000, 64536, 200_000)
    bits = (rng.integers(0, 65536, 200_000) < probabilities).astype(np.int64)
    costs = bit_costs()
    ideal_bytes = costs[np.where(bits == 1, probabilities, 65536 - probabilities)].sum() / 8
    assert ideal_bytes <= len(_encode(probabilities, bits)) <= ideal_bytes * 1.001 + 4


def test_decoding_any_payload_is_safe():
    """Garbage, empty or short payloads decode to some bits without reading out of bounds."""
    probabilities = np.full(1000, 30000)
    for payload in (b"", b"\x01", bytes(range(256)) * 3):
        assert len(_decode(payload, probabilities)) == 1000


def test_only_the_encoder_finishes():
    with pytest.raises(ValueError):
        BitChannel(b"\0\0\0\0").finish()
