"""Codes one block of bytes through a channel: the single function behind compress and decompress.

The encoder passes the block; the decoder passes zeros of the same length, which the learner
fills in as the bits come off the channel. Nothing else differs between the two directions.

`encode_block` and `decode_block` are the jobs a worker runs, in this process, a pool's or a Ray
cluster's: each is a pure function of its job (the settings and the block's bytes), so running one
twice, anywhere the numerics are the same, gives the same bytes. That is what makes a retried task
safe.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from trainzip.codec.bit_loop import CurveGrains
from trainzip.codec.byte_steps import ByteStreamLearner
from trainzip.codec.learning_curve import GRAIN_SHIFT, block_grains, stored_grains
from trainzip.codec.settings import CodecConfig
from trainzip.coding.bit_channel import BitChannel
from trainzip.container import Block
from trainzip.errors import FormatError, IntegrityError

ProgressCallback = Callable[[int, float], None]
"""Called with (bytes coded in this block so far, ideal bits so far in this block)."""


def build_learner(config: CodecConfig, block: np.ndarray) -> ByteStreamLearner:
    """A fresh learner for one block, seeded and sized only from the config and the block length."""
    streams = config.streams_for(len(block))
    network = _network(config, streams) if config.uses_network(len(block)) else None
    return ByteStreamLearner(block, streams, config.context_mixing, network)


def _network(config: CodecConfig, streams: int):
    """The block's network, its modules loaded only here: the exact one, or 0.6's PyTorch LSTM."""
    if config.network_is_exact:
        from trainzip.models.exact_network.network import ExactByteNetwork

        return ExactByteNetwork(config.network, streams, config.seed)
    from trainzip.models.network.torch_lstm import OnlineByteNetwork
    from trainzip.numerics import use_threads

    use_threads(config.threads)
    return OnlineByteNetwork(config.network, streams, config.seed)


def code_block(config: CodecConfig, channel: BitChannel, block: np.ndarray, progress: ProgressCallback | None = None,
               *, offset: int = 0, grain_shift: int = GRAIN_SHIFT) -> tuple[np.ndarray, int, np.ndarray]:
    """Encode ``block`` into ``channel``, or decode it (then ``block`` is zeros, filled in place).

    Returns the block's bytes, and its first grain and ideal bits per grain of the input (the
    block starting at input byte ``offset``; grains of 2**grain_shift bytes, see `learning_curve`).
    """
    learner = build_learner(config, block)
    first_grain, grains, lead = block_grains(offset, len(block), grain_shift)
    learner.code(channel, CurveGrains(grains, lead, grain_shift), progress)
    return learner.data, first_grain, grains


@dataclass(frozen=True)
class BlockJob:
    """One block for a worker: what it needs and nothing else (it travels to other processes)."""

    config: CodecConfig
    index: int
    offset: int  # where the block starts in the whole input
    block: bytes | bytearray | Block  # the original bytes (encoding) or the recorded block (decoding)
    fingerprint: dict | None = None  # decoding a 0.6 network file: the numerics it records, which the worker must have


@dataclass(frozen=True)
class BlockResult:
    """A coded or decoded block, with its part of the learning curve."""

    index: int
    block: Block | None  # encoding: the block to write
    data: bytes | np.ndarray | None  # decoding: the block's bytes ((n,) uint8 where it was decoded, not a copy)
    first_grain: int
    grains: np.ndarray  # ideal bits per input grain (see learning_curve)
    ideal_bits: float


def _check_numerics(job: BlockJob) -> None:
    """A 0.6 network file decodes only where PyTorch computes its floats as recorded: checked by
    each worker before it decodes, so the main process needs no PyTorch of its own."""
    if job.fingerprint is not None:
        from trainzip.numerics import check_torch_network_numerics

        check_torch_network_numerics(job.fingerprint)


def encode_block(job: BlockJob, progress: ProgressCallback | None = None) -> BlockResult:
    """Code one block; an incompressible one is stored as it is (8 bits per byte, nothing to learn)."""
    crc = zlib.crc32(job.block)
    source = np.frombuffer(job.block, dtype=np.uint8)  # a bytearray's buffer is coded in place
    channel = BitChannel()
    _, first_grain, grains = code_block(job.config, channel, source if source.flags.writeable else source.copy(),
                                        progress, offset=job.offset)
    payload = channel.finish()
    if len(payload) >= len(source) > 0:
        block = Block(len(source), bytes(job.block), stored=True, original_crc32=crc)
        first_grain, grains = stored_grains(job.offset, len(source))
    else:
        block = Block(len(source), payload, original_crc32=crc)
    return BlockResult(job.index, block, None, first_grain, grains, float(grains.sum()))


def decode_block(job: BlockJob, progress: ProgressCallback | None = None) -> BlockResult:
    """Decode one recorded block, checked against its CRC-32 where the file records one."""
    block = job.block
    if block.stored:
        data = block.payload
        first_grain, grains = stored_grains(job.offset, block.original_length)
    else:
        _check_numerics(job)
        try:
            data, first_grain, grains = code_block(job.config, BitChannel(block.payload),
                                                   np.zeros(block.original_length, dtype=np.uint8), progress,
                                                   offset=job.offset)
        except FormatError:  # the decoder read past the payload's end (see `BitChannel.read_past_end`)
            raise FormatError(f"corrupt file: block {job.index}'s payload ends before the "
                              f"{block.original_length:,} bytes it claims to hold") from None
    if block.original_crc32 is not None and zlib.crc32(data) != block.original_crc32:
        raise IntegrityError(f"block {job.index} does not decode to its recorded checksum "
                             f"(corrupt file)")
    return BlockResult(job.index, None, data, first_grain, grains, float(grains.sum()))
