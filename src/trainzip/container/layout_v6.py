"""Format version 6, read only: files trainzip 0.6 wrote, whole, in one piece.

    magic 4 | version 1 (06) | metadata field (as in version 7) | varint original length |
    8 bytes of the original's SHA-256 | varint (block count K * 2 + the last block's stored flag) |
    for each block but the last: varint original length, varint (payload length * 2 + stored),
    payload | the last block's payload, up to the CRC | CRC-32 of every byte before it (4)

Its metadata field, dictionary and payloads are those of version 7; only the envelope differs.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

from trainzip.container.contents import DIGEST_BYTES, Block, Container
from trainzip.container.fields import CRC, FieldReader, refuse_damage, restore_padding
from trainzip.container.limits import FrameLimits
from trainzip.container.metadata import metadata_from_field, read_metadata_field
from trainzip.container.versions import MAGIC
from trainzip.errors import FormatError


def _read_blocks(reader: FieldReader, end: int, block_count: int, last_stored: bool, original_length: int,
                 limits: FrameLimits):
    """Every block; the last one's lengths follow from the others' and from the end of the file.
    Each length is checked against ``limits`` before the bytes it counts are read."""
    blocks, blocks_length = [], 0
    for index in range(block_count):
        last = index == block_count - 1
        if not last:
            block_length = reader.varint(f"block {index} header")
            limits.check_length(block_length, index, last=False)
            length_and_mode = reader.varint(f"block {index} header")
            size, stored = length_and_mode >> 1, bool(length_and_mode & 1)
        else:
            block_length = original_length - blocks_length
            if block_length < 0:
                raise FormatError("corrupt file: block lengths add up to more than the original length")
            limits.check_length(block_length, index, last=True)
            size, stored = max(end - reader.offset, 0), last_stored
        limits.check_payload_size(size, block_length, stored, index)
        payload = reader.take(size, f"block {index} payload")
        blocks.append(Block(block_length, payload if stored else restore_padding(payload), stored))
        blocks_length += block_length
    return blocks


def _check_block_count(block_count: int, last_stored: bool, original_length: int, limits: FrameLimits) -> None:
    """As many blocks as the block size cuts the original into (none for an empty one)."""
    if block_count > max(1, original_length) or (last_stored and not block_count):
        raise FormatError("corrupt file: implausible block count")
    if limits.block_length is not None and block_count != -(-original_length // limits.block_length):
        raise FormatError(f"corrupt file: implausible block count ({block_count:,} blocks for "
                          f"{original_length:,} bytes)")


def unpack_v6(data: bytes, limits_for: Callable[[dict], FrameLimits] | None = None) -> Container:
    """Parse and fully verify a version 6 file's structure and checksum (not yet its decoded content).

    ``limits_for(metadata)``: the bounds every length is checked against (see `FrameLimits`); with
    it the metadata is read first, as a version 7 reader does."""
    reader = FieldReader(io.BytesIO(data))
    reader.take(len(MAGIC) + 1, "format version")
    metadata_field = read_metadata_field(reader)
    metadata = None if limits_for is None else metadata_from_field(metadata_field)
    limits = FrameLimits() if limits_for is None else limits_for(metadata)
    original_length = reader.varint("original length")
    digest = reader.take(DIGEST_BYTES, "checksum of the original")
    count_and_mode = reader.varint("block count")
    block_count, last_stored = count_and_mode >> 1, bool(count_and_mode & 1)
    _check_block_count(block_count, last_stored, original_length, limits)
    blocks = _read_blocks(reader, len(data) - CRC.size, block_count, last_stored, original_length, limits)
    body_end = reader.offset
    (recorded_crc,) = CRC.unpack(reader.take(CRC.size, "final checksum"))
    if reader.offset != len(data):
        raise FormatError(f"corrupt file: {len(data) - reader.offset} unexpected bytes after the end")
    if zlib.crc32(memoryview(data)[:body_end]) != recorded_crc:
        raise refuse_damage(data, 0)
    if sum(block.original_length for block in blocks) != original_length:
        raise FormatError("corrupt file: block lengths do not add up to the original length")
    return Container(metadata or metadata_from_field(metadata_field), original_length, digest, blocks, 6)
