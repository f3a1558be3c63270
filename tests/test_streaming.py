"""Streaming: blocks read as they are needed, frames written as they are done, the learning curve
kept per chunk; the same bytes whatever the executor."""

from __future__ import annotations

import io

import numpy as np
import pytest

from tests.conftest import TINY, corpus_file
from trainzip.codec import compress, compress_stream, compress_with_report, decompress, decompress_stream
from trainzip.codec.block_coder import code_block
from trainzip.codec.learning_curve import GRAIN_BYTES, MAX_CHUNKS, LearningCurve
from trainzip.coding.bit_channel import BitChannel
from trainzip.container import unpack
from trainzip.errors import IntegrityError

CONFIG = TINY.replace(block_size=1500)  # not a multiple of the curve's grain


@pytest.fixture(scope="module")
def text() -> bytes:
    return corpus_file("canterbury/xargs.1").read_bytes()  # 4,227 bytes: three blocks


def test_the_curve_sums_each_chunk_of_the_input_exactly(text):
    """The run's learning curve is the per-byte ideal bits of every block, summed per chunk of the
    whole input: the same figures as keeping a float per byte, without keeping one."""
    _, report = compress_with_report(text, config=CONFIG)
    per_byte = np.concatenate([code_block(CONFIG, BitChannel(), np.frombuffer(text[start:start + 1500],
                                                                              dtype=np.uint8).copy(), grain_shift=0)[2]
                               for start in range(0, len(text), 1500)])
    expected = np.add.reduceat(per_byte, np.arange(0, len(text), 256))
    assert np.allclose(report.chunk_bits(256), expected, rtol=1e-12)
    assert report.ideal_bits == pytest.approx(per_byte.sum(), rel=1e-12)


def _grains(bits: np.ndarray, offset: int) -> tuple[int, np.ndarray]:
    """Per-byte bits of a block at ``offset``, summed per grain of the input (as the coder sums them)."""
    cuts = np.arange(-offset % GRAIN_BYTES or GRAIN_BYTES, len(bits), GRAIN_BYTES)
    return offset // GRAIN_BYTES, np.add.reduceat(bits, np.concatenate(([0], cuts)))


def test_the_curve_stays_small_whatever_the_length():
    """Ten million bytes of curve fit in MAX_CHUNKS chunks, and any coarser power of two is exact."""
    rng = np.random.default_rng(3)
    curve, per_chunk = LearningCurve(), []
    for offset in range(0, 10_000_000, 1_000_003):
        bits = rng.random(min(1_000_003, 10_000_000 - offset))
        curve.add(*_grains(bits, offset), length=len(bits), total_bits=float(bits.sum()))
        per_chunk.append(bits)
    assert len(curve.bits) <= MAX_CHUNKS and curve.chunk_bytes == 16384
    whole = np.concatenate(per_chunk)
    assert np.allclose(curve.chunk_bits(65536), np.add.reduceat(whole, np.arange(0, len(whole), 65536)))
    with pytest.raises(ValueError):
        curve.chunk_bits(256)


def test_input_is_read_only_as_far_as_the_blocks_in_flight(text):
    """Compressing ten blocks, the first frame is written before more than three blocks of the input
    were read: the input is never read whole (memory bounded by the blocks in flight)."""
    data = text * 4
    source = io.BytesIO(data)
    read_when_first_written = []

    class Sink(io.BytesIO):
        def write(self, chunk):
            if len(self.getvalue()) > 20 and not read_when_first_written:  # past the header: a frame
                read_when_first_written.append(source.tell())
            return super().write(chunk)

    sink = Sink()
    compress_stream(source, sink, CONFIG)
    assert len(unpack(sink.getvalue()).blocks) == 12
    assert read_when_first_written[0] <= 3 * 1500
    assert decompress(sink.getvalue()) == data


def test_a_pipe_that_gives_short_reads_still_gets_full_blocks(text):
    """A source that returns fewer bytes than asked (a pipe) is still cut at the block size, so the
    file is the same as from a regular file."""
    class Trickle(io.BytesIO):
        def read(self, size=-1):
            return super().read(min(size, 700) if size and size > 0 else size)

    sink = io.BytesIO()
    compress_stream(Trickle(text), sink, CONFIG)
    assert sink.getvalue() == compress(text, config=CONFIG)


def test_a_block_that_decodes_wrong_is_caught_before_it_is_written(text):
    """A block whose payload decodes to other bytes (here: another block's payload under a valid
    frame CRC) fails its own check, and nothing of it reaches the sink."""
    from trainzip.container import Container, pack

    container = unpack(compress(text, config=CONFIG))
    blocks = list(container.blocks)
    blocks[1] = type(blocks[1])(blocks[1].original_length, blocks[0].payload, False, blocks[1].original_crc32)
    forged = pack(Container(container.metadata, container.original_length, container.original_digest, blocks))
    sink = io.BytesIO()
    with pytest.raises(IntegrityError, match="block 1"):
        decompress_stream(io.BytesIO(forged), sink)
    assert sink.getvalue() == text[:1500]


def test_empty_and_one_block_inputs_stream(text):
    """An empty input and a one-block input stream both ways."""
    for data in (b"", text[:1000]):
        sink = io.BytesIO()
        compress_stream(io.BytesIO(data), sink, CONFIG)
        restored = io.BytesIO()
        report = decompress_stream(io.BytesIO(sink.getvalue()), restored)
        assert restored.getvalue() == data and report.original_bytes == len(data)
