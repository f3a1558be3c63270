"""Compress and decompress byte strings: blocks through the block coder, in a checked container.

`compress` records everything decoding depends on (settings; length and SHA-256 of the original);
`decompress` checks the container before it starts, and the length and checksum before it returns
anything. Every model `compress` writes with is exact (integers, and the exact network's IEEE
float32), so a file decodes on any machine. Files that trainzip 0.6 coded with its PyTorch network
carry a numerics fingerprint, which is checked before decoding (`machine_independent`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from trainzip import numerics
from trainzip.codec.block_coder import code_block
from trainzip.coding.bit_channel import BitChannel
from trainzip.codec.settings import CodecConfig
from trainzip.container import Block, Container, pack, unpack
from trainzip.container.layout import DIGEST_BYTES
from trainzip.errors import FormatError, IntegrityError, TrainzipError
from trainzip.models.network.config import EXACT_LSTM
from trainzip.codec.presets import preset, settings_from_record, settings_record

KIND = "bytes"
Progress = Callable[[int, float], None]
"""Called with (bytes coded so far, ideal bits so far) across the whole input."""


@dataclass(frozen=True)
class CodingReport:
    """Figures of one compress or decompress run; every length in bits unless named bytes."""

    original_bytes: int
    compressed_bytes: int
    payload_bytes: int
    seconds: float
    position_bits: np.ndarray  # (original_bytes,) ideal bits spent on each input byte
    config: CodecConfig

    @property
    def ideal_bits(self) -> float:
        """Sum of -log2 q over every coded symbol (8 bits per byte of a stored block)."""
        return float(self.position_bits.sum())

    @property
    def bits_per_byte(self) -> float:
        return 8 * self.compressed_bytes / self.original_bytes if self.original_bytes else 0.0

    @property
    def bytes_per_second(self) -> float:
        return self.original_bytes / self.seconds if self.seconds > 0 else 0.0

    def chunk_bits(self, chunk_bytes: int) -> np.ndarray:
        """Ideal code length of each consecutive chunk of the input: the learning curve."""
        padded = np.zeros(-(-len(self.position_bits) // chunk_bytes) * chunk_bytes)
        padded[: len(self.position_bits)] = self.position_bits
        return padded.reshape(-1, chunk_bytes).sum(axis=1)


def _blocks(length: int, block_size: int) -> list[tuple[int, int]]:
    return [(start, min(start + block_size, length)) for start in range(0, length, block_size)]


class _Tally:
    """Turns per-block progress into whole-input progress."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.bytes_done = 0
        self.bits_done = 0.0

    def block(self):
        if self.progress is None:
            return None
        return lambda done, bits: self.progress(self.bytes_done + done, self.bits_done + bits)

    def finish_block(self, length: int, bits: float) -> None:
        self.bytes_done += length
        self.bits_done += bits


def _encode_block(config: CodecConfig, block: np.ndarray, progress) -> tuple[Block, np.ndarray]:
    """Code one block; an incompressible one is stored as it is (8 bits per byte, nothing to learn)."""
    channel = BitChannel()
    _, bits = code_block(config, channel, block.copy(), progress)
    payload = channel.finish()
    if len(payload) >= len(block) > 0:
        return Block(len(block), block.tobytes(), stored=True), np.full(len(block), 8.0)
    return Block(len(block), payload), bits


def compress_with_report(data: bytes, *, level: str = "default", config: CodecConfig | None = None,
                         progress: Progress | None = None) -> tuple[bytes, CodingReport]:
    """Compress ``data`` with a preset ``level`` (or an explicit ``config``); returns the file and its figures."""
    config = config or preset(level)
    source = np.frombuffer(data, dtype=np.uint8)
    if not config.network_is_exact and any(config.uses_network(end - start)
                                           for start, end in _blocks(len(source), config.block_size)):
        raise TrainzipError(f"network kind {config.network.kind!r} is kept only to decode trainzip 0.6's files (its "
                            f"floats depend on the machine); code with kind {EXACT_LSTM!r}, or without a network")
    started = time.perf_counter()
    tally = _Tally(progress)
    blocks, position_bits = [], []
    for start, end in _blocks(len(source), config.block_size):
        block, bits = _encode_block(config, source[start:end], tally.block())
        blocks.append(block)
        position_bits.append(bits)
        tally.finish_block(end - start, float(bits.sum()))
    metadata = {"kind": KIND, "config": settings_record(config)}  # no fingerprint: the code is exact
    blob = pack(Container(metadata, len(data), hashlib.sha256(data).digest()[:DIGEST_BYTES], blocks))
    report = CodingReport(len(data), len(blob), sum(len(b.payload) for b in blocks), time.perf_counter() - started,
                          np.concatenate(position_bits) if position_bits else np.zeros(0), config)
    return blob, report


def compress(data: bytes, *, level: str = "default", config: CodecConfig | None = None) -> bytes:
    """Compress ``data``; see `compress_with_report`."""
    return compress_with_report(data, level=level, config=config)[0]


def read_settings(container: Container) -> CodecConfig:
    """The byte codec's settings recorded in a container, or a clear error for other kinds of file."""
    kind = container.metadata.get("kind")
    if kind != KIND:
        raise FormatError(f"this trainzip file holds {kind!r}, not compressed bytes")
    return settings_from_record(container.metadata.get("config", {}))


def machine_independent(container: Container) -> bool:
    """Whether a byte-codec file decodes alike on every machine: it carries no fingerprint (every
    file 0.7 writes). One that does was coded by 0.6's PyTorch network and decodes only where
    PyTorch computes as it did there (`numerics.check_torch_network_numerics`)."""
    return "fingerprint" not in container.metadata


def decompress_with_report(blob: bytes, *, progress: Progress | None = None) -> tuple[bytes, CodingReport]:
    """Decompress a .tz file's bytes, verifying structure (and a 0.6 network's numerics) first and
    the checksum last."""
    return decompress_container(unpack(blob), len(blob), progress=progress)


def decompress_container(container: Container, compressed_bytes: int, *,
                         progress: Progress | None = None) -> tuple[bytes, CodingReport]:
    """Decode a parsed, structurally verified container; see `decompress_with_report`."""
    config = read_settings(container)
    if not machine_independent(container):
        numerics.check_torch_network_numerics(container.metadata["fingerprint"])
    started = time.perf_counter()
    tally = _Tally(progress)
    parts, position_bits = [], []
    for block in container.blocks:
        if block.stored:
            decoded, bits = np.frombuffer(block.payload, dtype=np.uint8), np.full(block.original_length, 8.0)
        else:
            decoded, bits = code_block(config, BitChannel(block.payload),
                                       np.zeros(block.original_length, dtype=np.uint8), tally.block())
        parts.append(decoded.tobytes())
        position_bits.append(bits)
        tally.finish_block(block.original_length, float(bits.sum()))
    data = b"".join(parts)
    if len(data) != container.original_length or hashlib.sha256(data).digest()[:DIGEST_BYTES] != container.original_digest:
        raise IntegrityError("decoded data does not match the original's checksum (a file damaged before it was "
                             "written, or a decoder that differs from its encoder: please report it)")
    report = CodingReport(len(data), compressed_bytes, sum(len(b.payload) for b in container.blocks),
                          time.perf_counter() - started,
                          np.concatenate(position_bits) if position_bits else np.zeros(0), config)
    return data, report


def decompress(blob: bytes) -> bytes:
    """Decompress a .tz file's bytes; see `decompress_with_report`."""
    return decompress_with_report(blob)[0]
