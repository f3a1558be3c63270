"""Compress and decompress byte strings in memory: the streaming codec over in-memory streams.

`compress` records everything decoding depends on (settings; length and SHA-256 of the original);
`decompress` checks the container before it starts, each block as it is decoded, and the length
and checksum before it returns anything. Every model `compress` writes with is exact (integers, and
the exact network's IEEE float32), so a file decodes on any machine. Files that trainzip 0.6 coded
with its PyTorch network carry a numerics fingerprint, checked before decoding (`machine_independent`).
"""

from __future__ import annotations

import io

from trainzip.codec.presets import preset
from trainzip.codec.report import KIND, CodingReport, Progress
from trainzip.codec.settings import CodecConfig
from trainzip.codec.streaming import compress_stream, decompress_stream, settings_from_metadata
from trainzip.container import Container
from trainzip.engine import Executor
from trainzip.memory_limit import DEFAULT_LIMIT_BYTES

__all__ = ["KIND", "CodingReport", "compress", "compress_with_report", "decompress", "decompress_with_report",
           "machine_independent", "read_settings"]


def compress_with_report(data: bytes, *, level: str = "default", config: CodecConfig | None = None,
                         progress: Progress | None = None,
                         executor: Executor | None = None) -> tuple[bytes, CodingReport]:
    """Compress ``data`` with a preset ``level`` (or an explicit ``config``); returns the file and its figures.

    ``executor``: where the blocks are coded (default: one after another in this process); the
    bytes are the same whatever it is.
    """
    sink = io.BytesIO()
    report = compress_stream(io.BytesIO(data), sink, config or preset(level), executor=executor, progress=progress)
    return sink.getvalue(), report


def compress(data: bytes, *, level: str = "default", config: CodecConfig | None = None,
             executor: Executor | None = None) -> bytes:
    """Compress ``data``; see `compress_with_report`."""
    return compress_with_report(data, level=level, config=config, executor=executor)[0]


def read_settings(container: Container) -> CodecConfig:
    """The byte codec's settings recorded in a container, or a clear error for other kinds of file."""
    return settings_from_metadata(container.metadata)


def machine_independent(container: Container) -> bool:
    """Whether a byte-codec file decodes alike on every machine: it carries no fingerprint (every
    file 0.7 writes). One that does was coded by 0.6's PyTorch network and decodes only where
    PyTorch computes as it did there (`numerics.check_torch_network_numerics`)."""
    return "fingerprint" not in container.metadata


def decompress_with_report(blob: bytes, *, progress: Progress | None = None, executor: Executor | None = None,
                           memory_limit: int | None = DEFAULT_LIMIT_BYTES) -> tuple[bytes, CodingReport]:
    """Decompress a .tz file's bytes, verifying structure (and a 0.6 network's numerics) first and
    the checksum last; a block whose decoding would need more than ``memory_limit`` bytes is
    refused before it is decoded (None: no limit; see `decode_memory`)."""
    sink = io.BytesIO()
    report = decompress_stream(io.BytesIO(blob), sink, executor=executor, progress=progress,
                               memory_limit=memory_limit)
    return sink.getvalue(), report


def decompress(blob: bytes, *, executor: Executor | None = None,
               memory_limit: int | None = DEFAULT_LIMIT_BYTES) -> bytes:
    """Decompress a .tz file's bytes; see `decompress_with_report`."""
    return decompress_with_report(blob, executor=executor, memory_limit=memory_limit)[0]
