"""Byte codec round trips through the API: edge cases, properties, and code length against the ideal."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import TINY, TINY_NEURAL, corpus_file
from trainzip.codec import compress_with_report, decompress, decompress_with_report
from trainzip.codec.presets import LEVELS


@pytest.mark.parametrize("data", [b"", b"x", bytes(range(256)), bytes(range(256))[::-1] * 3],
                         ids=["empty", "one-byte", "all-256-values", "reversed-values"])
@pytest.mark.parametrize("config", [TINY, TINY_NEURAL], ids=["counts", "counts+network"])
def test_edge_cases_round_trip(data, config):
    """Empty input, one byte and every byte value come back exactly, with and without the network."""
    blob, _ = compress_with_report(data, config=config)
    assert decompress(blob) == data


@settings(max_examples=15, deadline=None)
@given(st.binary(max_size=600))
def test_short_strings_round_trip(data):
    """Any short byte string round-trips under the tiny neural model."""
    blob, _ = compress_with_report(data, config=TINY_NEURAL.replace(min_segment=64))
    assert decompress(blob) == data


def test_random_bytes_barely_expand():
    """1 MB of random bytes grows by at most 0.5% plus the header (the block is stored), and round-trips."""
    data = np.random.default_rng(7).integers(0, 256, 1_000_000, dtype=np.uint8).tobytes()
    blob, report = compress_with_report(data, config=TINY)
    header = report.compressed_bytes - report.payload_bytes
    assert report.payload_bytes <= 1.005 * len(data)
    assert header < 200
    assert decompress(blob) == data


def test_learner_stays_calibrated_on_random_bytes():
    """Before any fallback, the learner's own code for 200 kB of noise is within 3% of 8 bits per byte."""
    data = np.random.default_rng(8).integers(0, 256, 200_000, dtype=np.uint8)
    from trainzip.codec.block_coder import code_block
    from trainzip.coding.bit_channel import BitChannel

    _, _, grains = code_block(TINY, BitChannel(), data.copy())
    assert 8 * len(data) < grains.sum() < 1.03 * 8 * len(data)


def test_payload_within_a_tenth_percent_of_the_ideal_code_length():
    """The real bitstream is the prequential code length: within 0.1% + 16 bytes of sum -log2 q."""
    data = corpus_file("canterbury/alice29.txt").read_bytes()
    _, report = compress_with_report(data, config=TINY)
    ideal_bytes = report.ideal_bits / 8
    assert ideal_bytes * 0.999 - 16 <= report.payload_bytes <= ideal_bytes * 1.001 + 16


def test_decoder_reports_the_same_learning_curve():
    """Decoding replays the same training, so it spends the same bits on every input byte."""
    data = corpus_file("canterbury/grammar.lsp").read_bytes()
    blob, encoded = compress_with_report(data, config=TINY_NEURAL)
    restored, decoded = decompress_with_report(blob)
    assert restored == data
    assert np.array_equal(encoded.curve.bits, decoded.curve.bits) and encoded.curve.chunk_bytes == 256
    assert decoded.ideal_bits == encoded.ideal_bits


def test_blocks_are_independent_and_exact():
    """An input cut into several blocks (each with a fresh learner) round-trips."""
    data = corpus_file("canterbury/xargs.1").read_bytes()
    blob, report = compress_with_report(data, config=TINY.replace(block_size=1500))
    assert decompress(blob) == data


@pytest.mark.parametrize("level", list(LEVELS))
def test_every_preset_round_trips(level):
    """Each named level is a working, recorded configuration."""
    data = corpus_file("canterbury/xargs.1").read_bytes()
    blob, report = compress_with_report(data, level=level)
    assert report.config == LEVELS[level]
    assert decompress(blob) == data


def test_network_joins_only_blocks_it_can_learn_from():
    """On a few kB the count models alone code better (measured), so the network waits for 64 KiB blocks."""
    default = LEVELS["default"]
    assert not default.uses_network(4_000)
    assert default.uses_network(1 << 20)
    assert not LEVELS["fast"].uses_network(1 << 20)
