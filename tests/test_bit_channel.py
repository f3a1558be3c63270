"""The byte codec's binary coder: exact round trips, near-ideal length, safe on any payload."""

import numba
import numpy as np
import pytest

from trainzip.coding.bit_channel import BitChannel, bit_costs, code_bit


@numba.njit  # no cache: a test-file kernel that inlines code_bit must not outlive a change to it
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


def test_the_decoder_reads_zeros_past_the_end():
    """Garbage, empty or short payloads decode as if followed by zero bytes (the format's rule, which
    lets a file drop its payload's trailing zeros): appending zeros changes no decoded bit."""
    probabilities = np.random.default_rng(3).integers(1, 65536, 1000)
    for payload in (b"", b"\x01", bytes(range(256)) * 3):
        bits = _decode(payload, probabilities)
        assert set(np.unique(bits)) <= {0, 1}
        assert np.array_equal(bits, _decode(payload + bytes(64), probabilities))


def _reference_encode(probabilities, bits) -> bytes:
    """The coder exactly as docs/format.md describes it, in plain Python integers."""
    low, high, out = 0, 2**32 - 1, bytearray()
    for p, bit in zip(probabilities, bits):
        span = high - low
        middle = low + (span >> 16) * int(p) + (((span & 0xFFFF) * int(p)) >> 16)
        low, high = (low, middle) if bit else (middle + 1, high)
        while (low ^ high) & 0xFF000000 == 0:
            out.append(high >> 24)
            low, high = (low << 8) & 0xFFFFFFFF, ((high << 8) & 0xFFFFFFFF) | 0xFF
    return bytes(out + bytes([high >> 24]))


GOLDEN_PROBABILITIES = np.array([1, 65535, 32768, 100, 65000, 20000, 45000, 7] * 12, dtype=np.int64)
GOLDEN_BITS = np.array([(i * 7 + i // 3) % 2 for i in range(96)], dtype=np.int64)
GOLDEN_WORDS = bytes.fromhex("e35b14889e5fb61ca7f651c761abc3c5902405e28cdb863d066676fa961c8fdaff7635c966cb8feb8d6d8d9efdf8ca")


def test_exact_words_of_a_fixed_sequence():
    """The coder's bytes for a fixed sequence of (probability, bit), extremes included, are pinned:
    every file's payload is made of them, so they may never change."""
    assert _encode(GOLDEN_PROBABILITIES, GOLDEN_BITS) == GOLDEN_WORDS
    assert np.array_equal(_decode(GOLDEN_WORDS, GOLDEN_PROBABILITIES), GOLDEN_BITS)


@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_coder_is_the_documented_one(seed):
    """The compiled coder writes exactly what the format's description, coded plainly, writes."""
    rng = np.random.default_rng(seed)
    probabilities = rng.integers(1, 65536, 3000)
    bits = (rng.integers(0, 65536, 3000) < probabilities).astype(np.int64)
    assert _encode(probabilities, bits) == _reference_encode(probabilities, bits)
    assert _reference_encode(GOLDEN_PROBABILITIES, GOLDEN_BITS) == GOLDEN_WORDS


def test_only_the_encoder_finishes():
    with pytest.raises(ValueError):
        BitChannel(b"\0\0\0\0").finish()
