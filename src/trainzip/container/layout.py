"""What a .tz file holds, and its byte layout's entry points: `pack` and `unpack` for whole files in
memory, `open_reader` and `FrameWriter` for files streamed block by block.

Format version 7 (docs/format.md describes it byte by byte; `frames` implements it):

    magic         4 bytes   89 54 5A 50  ("\\x89TZP")
    version       1 byte    07
    metadata      varint (index * 2 + 1) of one of the NAMED_METADATA (a file of a named level: one
                  byte), or varint (length * 2), then the settings as UTF-8 JSON, raw-DEFLATE-compressed
                  with the fixed preset dictionary METADATA_DICTIONARY
    frames        one per block, in order. Every frame but the last:
                    varint ((length * 2 + stored) * 2 + 0), varint payload length (coded blocks only;
                    a stored block's payload is its length), the payload, the CRC-32 of the block's
                    original bytes (4), then the CRC-32 of every byte of the file before it (4)
                  the last frame:
                    varint ((total length * 2 + stored) * 2 + 1), the payload up to the trailer (its
                    block's length is the total less the other blocks')
    trailer       the first 8 bytes of the original's SHA-256, then the CRC-32 of every byte before it

A file of one block has no per-frame checks and no lengths but the total: a level's whole
envelope is 19-22 bytes (format version 6's was 20-23). Version 6 is still read (`layout_v6`).
"""

from __future__ import annotations

import io
from typing import BinaryIO

from trainzip.container.contents import DIGEST_BYTES, Block, Container
from trainzip.container.frames import FrameReader, FrameWriter, WholeFileReader
from trainzip.container.layout_v6 import unpack_v6
from trainzip.container.versions import FORMAT_VERSION, MAGIC, RETIRED_VERSIONS, SUPPORTED_VERSIONS, read_version

# defined one floor down (`contents`, `versions`, which `frames` and `layout_v6` build on), and named here too
__all__ = ["DIGEST_BYTES", "FORMAT_VERSION", "MAGIC", "RETIRED_VERSIONS", "SUPPORTED_VERSIONS", "Block", "Container",
           "open_reader", "pack", "read_version", "unpack"]


def pack(container: Container) -> bytes:
    """Serialise a container to bytes (format version 7)."""
    if container.format_version != FORMAT_VERSION:
        raise ValueError(f"this trainzip writes format version {FORMAT_VERSION} only")
    sink = io.BytesIO()
    writer = FrameWriter(sink, container.metadata)
    for block in container.blocks[:-1]:
        writer.frame(block)
    writer.finish(container.blocks[-1] if container.blocks else None, container.original_digest)
    if writer.total_length != container.original_length:
        raise ValueError("the blocks' lengths do not add up to the original length")
    return sink.getvalue()


def open_reader(source: BinaryIO, limits_for=None):
    """A reader of the file in ``source``, positioned at its first block: a `frames.FrameReader`
    (version 7), or for version 6 (written whole, read whole) a reader over its parsed container.

    ``limits_for(metadata) -> FrameLimits`` gives the bounds every length is checked against
    before anything is read into memory (see `limits.FrameLimits`), in either version.
    """
    head = source.read(len(MAGIC) + 1)
    version = read_version(head)
    if version == 6:
        data = head + source.read()
        return WholeFileReader(unpack_v6(data, limits_for), len(data))
    return FrameReader(source, offset=len(head), crc_seed=head, limits_for=limits_for)


def unpack(data: bytes) -> Container:
    """Parse and fully verify a .tz file's structure and checksums (not yet its decoded content)."""
    reader = open_reader(io.BytesIO(data))
    blocks = list(reader.blocks())
    return Container(reader.metadata, reader.original_length, reader.original_digest, blocks, reader.format_version)
