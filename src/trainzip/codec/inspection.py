"""What decoding checks of a file, without decoding it: `info` and `-l` refuse what `-t` refuses (a
header's settings or fingerprint of the wrong shape, frames that lie about their lengths, a block of
0.6's PyTorch network without the fingerprint it needs), and tell what decoding would need in memory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from trainzip.codec import decode_memory
from trainzip.codec.report import KIND
from trainzip.codec.settings import CodecConfig
from trainzip.codec.streaming import frame_limits, recorded_fingerprint, refuse_network_without_fingerprint, \
    settings_from_metadata
from trainzip.container import Container, FrameLimits, open_reader


@dataclass(frozen=True)
class Inspection:
    """A file's structure, checked as decoding checks it, and its needs."""

    container: Container
    config: CodecConfig | None  # the byte codec's settings (None: another kind of file, a label stream)
    memory_bytes: int | None  # the most one block's decoding needs (None: not a byte codec file)


def _limits(metadata: dict) -> FrameLimits:
    return frame_limits(metadata) if metadata.get("kind") == KIND else FrameLimits()


def inspect(blob: bytes) -> Inspection:
    """Read every frame of ``blob`` with the checks decoding makes before it decodes; raise the error
    decoding would raise (a `TrainzipError`), short of the memory limit and the numerics, which
    depend on the machine (`info` shows both)."""
    reader = open_reader(io.BytesIO(blob), limits_for=_limits)
    blocks = list(reader.blocks())
    container = Container(reader.metadata, reader.original_length, reader.original_digest, blocks,
                          reader.format_version)
    if container.metadata.get("kind") != KIND:  # a label or token stream: its reader checks its own header
        return Inspection(container, None, None)
    fingerprint = recorded_fingerprint(container.metadata)
    config = settings_from_metadata(container.metadata)
    for index, block in enumerate(blocks):
        if not block.stored:
            refuse_network_without_fingerprint(config, block.original_length, fingerprint, index)
    memory = max((decode_memory.block_bytes(config, block.original_length, len(block.payload), stored=block.stored)
                  for block in blocks), default=decode_memory.PROCESS_BYTES)
    return Inspection(container, config, memory)
