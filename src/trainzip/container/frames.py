"""Format version 7's frames: a file written block by block as each is done, and read back the same way.

Each frame but the last carries its block's length, its payload's length, the CRC-32 of the
block's original bytes and a CRC-32 of the whole file up to there, so a reader checks a frame
before it decodes it and a decoder checks each block before it writes it out. The last frame
carries the total length instead, and its payload runs to the fixed-size trailer (the original's
SHA-256 prefix and the final CRC-32): a one-block file spends nothing on frames.

Every length is checked before the bytes it counts are read (`limits.FrameLimits`): a block's
length against the recorded block size, a payload's against its block's length.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from trainzip.container.contents import DIGEST_BYTES, Block, Container
from trainzip.container.fields import CRC, FieldReader, refuse_damage, restore_padding, strip_padding, varint
from trainzip.container.limits import FrameLimits
from trainzip.container.metadata import metadata_field, metadata_from_field, read_metadata_field
from trainzip.container.versions import FORMAT_VERSION, MAGIC
from trainzip.errors import FormatError

TRAILER_BYTES = DIGEST_BYTES + CRC.size


class FrameWriter:
    """Writes a version 7 file to ``sink``: the header at once, then each frame as it is given."""

    def __init__(self, sink: BinaryIO, metadata: dict):
        self.sink = sink
        self.crc = 0
        self.bytes_written = 0
        self.total_length = 0
        self.frames = 0
        self._write(MAGIC + bytes([FORMAT_VERSION]) + metadata_field(metadata))

    def _write(self, data: bytes) -> None:
        self.sink.write(data)
        self.crc = zlib.crc32(data, self.crc)
        self.bytes_written += len(data)

    def frame(self, block: Block) -> None:
        """Write a block that is not the last."""
        if block.original_crc32 is None or block.original_length < 1:
            raise ValueError("a block before the last needs a length and the CRC-32 of its original bytes")
        payload = block.payload if block.stored else strip_padding(block.payload)
        head = varint((block.original_length * 2 + block.stored) * 2)
        if not block.stored:
            head += varint(len(payload))
        self._write(head)
        self._write(payload)
        self._write(CRC.pack(block.original_crc32))
        self._write(CRC.pack(self.crc))
        self.total_length += block.original_length
        self.frames += 1

    def finish(self, last: Block | None, digest: bytes) -> None:
        """Write the last block (None: the input was empty), the digest and the final CRC-32."""
        if last is None and self.frames:
            raise ValueError("a file with blocks ends with one of them")
        if last is not None and last.original_length < (1 if self.frames else 0):
            raise ValueError("only the block of an empty input may be empty")
        stored = bool(last is not None and last.stored)
        self.total_length += last.original_length if last is not None else 0
        payload = b"" if last is None else last.payload if stored else strip_padding(last.payload)
        self._write(varint((self.total_length * 2 + stored) * 2 + 1))
        self._write(payload)
        self._write(digest[:DIGEST_BYTES])
        self._write(CRC.pack(self.crc))
        self.frames += 1


class FrameReader:
    """Reads a version 7 file from a stream, one frame at a time (`blocks()`), checking every length
    against its `FrameLimits` before reading what it counts, and every checksum before yielding.

    With ``limits_for`` the metadata is read first, to give the limits (a streaming decoder needs
    them before the first frame); without it, it is inflated only once every CRC has passed.
    """

    format_version = FORMAT_VERSION

    def __init__(self, source: BinaryIO, *, offset: int, crc_seed: bytes,
                 limits_for: Callable[[dict], FrameLimits] | None = None):
        self.reader = FieldReader(source, crc=zlib.crc32(crc_seed), offset=offset)
        self._metadata_field = read_metadata_field(self.reader)
        self._metadata = None
        self.limits = FrameLimits()
        if limits_for is not None:
            self.limits = limits_for(self.metadata)
        self.original_length: int | None = None  # known once the last frame's header is read
        self.original_digest: bytes | None = None  # known once the whole file is read
        self.blocks_length = 0

    @property
    def compressed_bytes(self) -> int:
        """Bytes of the file read so far (all of it, once `blocks()` is done)."""
        return self.reader.offset

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = metadata_from_field(self._metadata_field)
        return self._metadata

    def blocks(self) -> Iterator[Block]:
        """Each block in order, its frame checked; then the trailer (``original_digest``)."""
        index = 0
        while True:
            header = self.reader.varint(f"frame {index} header")
            if header & 1:
                yield from self._last_frame(index, header >> 2, bool(header >> 1 & 1))
                return
            yield self._inner_frame(index, header >> 2, bool(header >> 1 & 1))
            index += 1

    def _inner_frame(self, index: int, length: int, stored: bool) -> Block:
        self.limits.check_length(length, index, last=False)
        size = length if stored else self.reader.varint(f"frame {index} header")
        self.limits.check_payload_size(size, length, stored, index)
        payload = self.reader.take(size, f"frame {index} payload")
        (original_crc,) = CRC.unpack(self.reader.take(CRC.size, f"frame {index} checksum"))
        self.reader.checkpoint(f"frame {index} checksum")
        self.blocks_length += length
        return Block(length, payload if stored else restore_padding(payload), stored, original_crc)

    def _last_frame(self, index: int, total: int, stored: bool) -> Iterator[Block]:
        length = total - self.blocks_length
        self.limits.check_length(length, index, last=True)
        if stored and not length:
            raise FormatError("corrupt file: an empty input is marked stored")
        self.original_length = total
        bound = self.limits.payload_bound(length, stored)
        data = self.reader.rest(None if bound is None else bound + TRAILER_BYTES, f"frame {index} payload")
        if len(data) < TRAILER_BYTES:
            raise FormatError("truncated file: it ends inside the final checksum")
        before = self.reader.crc
        self.reader.crc = zlib.crc32(memoryview(data)[:-CRC.size], before)
        if CRC.unpack(data[-CRC.size:])[0] != self.reader.crc:
            raise refuse_damage(data, before)
        payload = data[:-TRAILER_BYTES]
        if not length and payload:
            raise FormatError(f"corrupt file: block {index}'s payload does not fit its block")
        if length:
            self.limits.check_payload_size(len(payload), length, stored, index)
        self.original_digest = data[-TRAILER_BYTES:-CRC.size]
        if length:
            yield Block(length, payload if stored else restore_padding(payload), stored)


class WholeFileReader:
    """The reader interface over a container parsed whole (format version 6)."""

    def __init__(self, container: Container, compressed_bytes: int):
        self.container = container
        self.compressed_bytes = compressed_bytes
        self.metadata = container.metadata
        self.format_version = container.format_version
        self.original_length = container.original_length
        self.original_digest = container.original_digest

    def blocks(self) -> Iterator[Block]:
        yield from self.container.blocks
