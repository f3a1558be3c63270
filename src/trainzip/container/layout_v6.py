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

from trainzip.container.fields import CRC, FieldReader, refuse_damage, restore_padding
from trainzip.container.layout import DIGEST_BYTES, MAGIC, Block, Container
from trainzip.container.metadata import metadata_from_field, read_metadata_field
from trainzip.errors import FormatError


def _read_blocks(reader: FieldReader, end: int, block_count: int, last_stored: bool, original_length: int):
    """Every block; the last one's lengths follow from the others' and from the end of the file."""
    blocks = []
    for index in range(block_count):
        if index < block_count - 1:
            block_length = reader.varint(f"block {index} header")
            length_and_mode = reader.varint(f"block {index} header")
            payload = reader.take(length_and_mode >> 1, f"block {index} payload")
            stored = bool(length_and_mode & 1)
        else:
            block_length = original_length - sum(block.original_length for block in blocks)
            if block_length < 0:
                raise FormatError("corrupt file: block lengths add up to more than the original length")
            payload = reader.take(max(end - reader.offset, 0), f"block {index} payload")
            stored = last_stored
        if stored and len(payload) != block_length:
            raise FormatError(f"corrupt file: stored block {index} has the wrong length")
        blocks.append(Block(block_length, payload if stored else restore_padding(payload), stored))
    return blocks


def unpack_v6(data: bytes) -> Container:
    """Parse and fully verify a version 6 file's structure and checksum (not yet its decoded content)."""
    reader = FieldReader(io.BytesIO(data))
    reader.take(len(MAGIC) + 1, "format version")
    metadata_field = read_metadata_field(reader)
    original_length = reader.varint("original length")
    digest = reader.take(DIGEST_BYTES, "checksum of the original")
    count_and_mode = reader.varint("block count")
    block_count, last_stored = count_and_mode >> 1, bool(count_and_mode & 1)
    if block_count > max(1, original_length) or (last_stored and not block_count):
        raise FormatError("corrupt file: implausible block count")
    blocks = _read_blocks(reader, len(data) - CRC.size, block_count, last_stored, original_length)
    body_end = reader.offset
    (recorded_crc,) = CRC.unpack(reader.take(CRC.size, "final checksum"))
    if reader.offset != len(data):
        raise FormatError(f"corrupt file: {len(data) - reader.offset} unexpected bytes after the end")
    if zlib.crc32(memoryview(data)[:body_end]) != recorded_crc:
        raise refuse_damage(data, 0)
    if sum(block.original_length for block in blocks) != original_length:
        raise FormatError("corrupt file: block lengths do not add up to the original length")
    return Container(metadata_from_field(metadata_field), original_length, digest, blocks, 6)
