"""Compress and decompress streams block by block: read a block, code it (here or on a worker),
write its frame as soon as every block before it is written.

Memory is bounded by the workers' learners and the executor's window of blocks in flight, whatever
the input's size: the input is read only as a slot frees up, the output is written as it comes,
the learning curve is kept per chunk (`learning_curve`), and the original's SHA-256 is computed as
the bytes pass.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterator
from typing import BinaryIO

from trainzip.codec import decode_memory
from trainzip.codec.block_coder import BlockJob, BlockResult, decode_block, encode_block
from trainzip.codec.learning_curve import LearningCurve
from trainzip.codec.presets import settings_from_record, settings_record
from trainzip.codec.report import KIND, CodingReport, Progress
from trainzip.codec.settings import FIELDS as SETTINGS_FIELDS
from trainzip.codec.settings import CodecConfig
from trainzip.coding.bit_channel import min_payload_bytes
from trainzip.container import FrameLimits, FrameWriter, open_reader
from trainzip.container.layout import DIGEST_BYTES
from trainzip.engine import Executor, SerialExecutor
from trainzip.errors import FormatError, IntegrityError, TrainzipError
from trainzip.memory_limit import DEFAULT_LIMIT_BYTES
from trainzip.models.network.config import EXACT_LSTM


class _Tally:
    """Turns the progress of the blocks in flight, on any worker, into whole-input progress."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.bytes_done = 0
        self.bits_done = 0.0
        self.finished = 0  # blocks finish in order: every block below this one is done
        self.running: dict[int, tuple[int, float]] = {}

    def update(self, index: int, done: int, bits: float) -> None:
        if index < self.finished:  # a late report of a block already counted in full
            return
        self.running[index] = (done, bits)
        self._report()

    def finish_block(self, index: int, length: int, bits: float) -> None:
        self.running.pop(index, None)
        self.finished = index + 1
        self.bytes_done += length
        self.bits_done += bits
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.bytes_done + sum(done for done, _ in self.running.values()),
                          self.bits_done + sum(bits for _, bits in self.running.values()))


def settings_from_metadata(metadata: dict) -> CodecConfig:
    """The byte codec's settings recorded in a file's metadata, or a clear error for other kinds of file."""
    kind = metadata.get("kind")
    if kind != KIND:
        raise FormatError(f"this trainzip file holds {kind!r:.40}, not compressed bytes")
    return settings_from_record(metadata.get("config", {}))


def recorded_fingerprint(metadata: dict) -> dict | None:
    """The numerics a file records (None: none), checked for their shape before anything compares
    them: an object of names to plain values, ``threads`` an integer in what a setting allows."""
    recorded = metadata.get("fingerprint")
    if recorded is None:
        return None
    if not isinstance(recorded, dict) or not all(
            isinstance(value, (int, float, bool, type(None))) or (isinstance(value, str) and len(value) <= 200)
            for value in recorded.values()):
        raise FormatError("the file's fingerprint is not valid: it must be an object of names and plain values")
    if not all(len(name) <= 40 and name.isprintable() for name in recorded):
        raise FormatError("the file's fingerprint is not valid: it names something no trainzip records")
    problem = SETTINGS_FIELDS["threads"].problem(recorded.get("threads", 1))
    if problem:
        raise FormatError(f"the file's fingerprint is not valid: threads {problem}")
    return recorded


def frame_limits(metadata: dict, memory_limit: int | None = None) -> FrameLimits:
    """What a byte codec file's settings allow its frames (see `FrameLimits`), each block's decoding
    held to ``memory_limit`` bytes (None: no limit; see `decode_memory`)."""
    config = settings_from_metadata(metadata)

    def check_memory(length: int, payload_bytes: int, stored: bool, index: int) -> None:
        decode_memory.check_block(decode_memory.block_bytes(config, length, payload_bytes, stored=stored),
                                  memory_limit, index)

    return FrameLimits(block_length=config.block_size, coded_below_length=True, min_coded_payload=min_payload_bytes,
                       check_memory=None if memory_limit is None else check_memory)


def refuse_network_without_fingerprint(config: CodecConfig, block_length: int, fingerprint: dict | None,
                                       index: int) -> None:
    """A block of 0.6's PyTorch network decodes only where PyTorch computes as where it was coded, which
    only its fingerprint tells: a file naming that network for a block without one is corrupt or
    crafted (0.6 recorded one in every such file), so it is refused rather than decoded blind."""
    if fingerprint is None and config.uses_network(block_length) and not config.network_is_exact:
        raise FormatError(f"corrupt file: block {index} is coded with trainzip 0.6's PyTorch network, but the file "
                          f"records no numerics fingerprint, which decoding it needs")


def _metadata(config: CodecConfig) -> dict:
    """The settings, and nothing else: every model a new file is coded with is exact (integers and
    the exact network's IEEE float32), so no numerics fingerprint is needed to decode it."""
    return {"kind": KIND, "config": settings_record(config)}


def _refuse_machine_dependent(config: CodecConfig, block_length: int) -> None:
    """0.6's PyTorch network stays only to decode 0.6's files: a new block coded with it would
    decode only where PyTorch computes alike. (Its settings still code the blocks too short for the
    network, as 0.6's did: golden files re-encode from their recorded settings.)"""
    if config.uses_network(block_length) and not config.network_is_exact:
        raise TrainzipError(f"network kind {config.network.kind!r} is kept only to decode trainzip 0.6's files (its "
                            f"floats depend on the machine); code with kind {EXACT_LSTM!r}, or without a network")


_READ_PIECE = 1 << 20  # bytes asked of the input at a time


def _read_block(source: BinaryIO, size: int) -> bytearray:
    """Up to ``size`` bytes, in a buffer the learner can code in place (no copy); a pipe may give
    less than asked at a time, so every block but the last is full. The block grows a piece at a
    time: one read of a whole block would hold it twice, as bytes and as this buffer."""
    block = bytearray()
    while len(block) < size:
        piece = source.read(min(size - len(block), _READ_PIECE))
        if not piece:
            break
        block += piece
    return block


def _encode_jobs(source: BinaryIO, config: CodecConfig, digest) -> Iterator[BlockJob]:
    """The input's blocks, read one at a time as the executor asks for them."""
    offset, index = 0, 0
    while block := _read_block(source, config.block_size):
        _refuse_machine_dependent(config, len(block))
        digest.update(block)
        yield BlockJob(config, index, offset, block)
        offset += len(block)
        index += 1


def compress_stream(source: BinaryIO, sink: BinaryIO, config: CodecConfig, *, executor: Executor | None = None,
                    progress: Progress | None = None) -> CodingReport:
    """Compress everything ``source`` holds into ``sink``, block by block; returns the run's figures."""
    started = time.perf_counter()
    digest, curve, tally = hashlib.sha256(), LearningCurve(), _Tally(progress)
    writer, held, payload_bytes = None, None, 0
    for result in (executor or SerialExecutor()).run(encode_block, _encode_jobs(source, config, digest),
                                                     on_progress=tally.update):
        block = result.block
        tally.finish_block(result.index, block.original_length, result.ideal_bits)
        curve.add(result.first_grain, result.grains, length=block.original_length, total_bits=result.ideal_bits)
        payload_bytes += len(block.payload)
        if writer is None:
            writer = FrameWriter(sink, _metadata(config))
        if held is not None:
            writer.frame(held)  # a block is written once the next one shows it was not the last
        held = block
    writer = writer or FrameWriter(sink, _metadata(config))
    writer.finish(held, digest.digest())
    return CodingReport(curve.length, writer.bytes_written, payload_bytes, time.perf_counter() - started, curve, config)


def _decode_jobs(reader, config: CodecConfig, fingerprint: dict | None, on_length, payload: list) -> Iterator[BlockJob]:
    offset = 0
    for index, block in enumerate(reader.blocks()):
        if not block.stored:
            refuse_network_without_fingerprint(config, block.original_length, fingerprint, index)
        if on_length is not None and reader.original_length is not None:
            on_length(reader.original_length)
            on_length = None
        payload[0] += len(block.payload)
        yield BlockJob(config, index, offset, block, None if block.stored else fingerprint)
        offset += block.original_length


def decompress_stream(source: BinaryIO, sink: BinaryIO, *, executor: Executor | None = None,
                      progress: Progress | None = None, on_length: Callable[[int], None] | None = None,
                      memory_limit: int | None = DEFAULT_LIMIT_BYTES) -> CodingReport:
    """Decompress the .tz file in ``source`` into ``sink``, block by block, each block checked before
    it is written; the length and SHA-256 of the whole are checked at the end.

    ``on_length`` is called with the original's length once the file has told it (at once for a
    one-block file). A file written to ``sink`` before a failure must be discarded by the caller
    (the CLI writes to a temporary file, renamed into place only on success).

    ``memory_limit``: the most bytes one block's decoding may need (`decode_memory`), checked from the
    header and each frame's lengths before the block is decoded (None: no limit).
    """
    started = time.perf_counter()
    reader = open_reader(source, limits_for=functools.partial(frame_limits, memory_limit=memory_limit))
    config = settings_from_metadata(reader.metadata)
    # a 0.6 network file's numerics: checked by the worker of each coded block before it decodes
    worker_fingerprint = recorded_fingerprint(reader.metadata)
    digest, curve, tally, payload = hashlib.sha256(), LearningCurve(), _Tally(progress), [0]
    jobs = _decode_jobs(reader, config, worker_fingerprint, on_length, payload)
    for result in (executor or SerialExecutor()).run(decode_block, jobs, on_progress=tally.update):
        sink.write(result.data)
        digest.update(result.data)
        tally.finish_block(result.index, len(result.data), result.ideal_bits)
        curve.add(result.first_grain, result.grains, length=len(result.data), total_bits=result.ideal_bits)
        del result  # its bytes, written: not kept while the next block decodes
    if curve.length != reader.original_length or digest.digest()[:DIGEST_BYTES] != reader.original_digest:
        raise IntegrityError("decoded data does not match the original's checksum (corrupt file or different numerics)")
    return CodingReport(curve.length, reader.compressed_bytes, payload[0], time.perf_counter() - started, curve,
                        config)
