"""Compress and decompress byte strings in memory: the streaming codec over in-memory streams.

`compress` records everything decoding depends on (settings; the numerics fingerprint where a
network's floats enter the code; length and SHA-256 of the original); `decompress` checks the
container and the fingerprint before it starts, each block as it is decoded, and the length and
checksum before it returns anything.
"""

from __future__ import annotations

import io

from trainzip.codec.presets import preset
from trainzip.codec.report import KIND, CodingReport, Progress
from trainzip.codec.settings import CodecConfig
from trainzip.codec.streaming import compress_stream, decompress_stream, settings_from_metadata
from trainzip.container import Container
from trainzip.engine import Executor

__all__ = ["KIND", "CodingReport", "compress", "compress_with_report", "decompress", "decompress_with_report",
           "read_settings"]


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


def decompress_with_report(blob: bytes, *, progress: Progress | None = None, ignore_fingerprint: bool = False,
                           executor: Executor | None = None) -> tuple[bytes, CodingReport]:
    """Decompress a .tz file's bytes, verifying structure and numerics first and the checksum last."""
    sink = io.BytesIO()
    report = decompress_stream(io.BytesIO(blob), sink, executor=executor, progress=progress,
                               ignore_fingerprint=ignore_fingerprint)
    return sink.getvalue(), report


def decompress(blob: bytes, *, ignore_fingerprint: bool = False, executor: Executor | None = None) -> bytes:
    """Decompress a .tz file's bytes; see `decompress_with_report`."""
    return decompress_with_report(blob, ignore_fingerprint=ignore_fingerprint, executor=executor)[0]
