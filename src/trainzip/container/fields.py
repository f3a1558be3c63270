"""The container's primitive fields: LEB128 varints, the 32-bit padding rule, and a reader that
takes fields from a byte stream in order, keeping a running CRC-32 of everything it has read.

The reader never allocates more than a bounded piece ahead of the bytes that really arrive, so a
crafted length can make it read to the end of a file, never reserve memory the file does not hold.
"""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

from trainzip.errors import FormatError

CRC = struct.Struct("<I")
READ_PIECE_BYTES = 1 << 20  # a long field is read in pieces of this size: memory follows the bytes that exist
MAX_VARINT_BYTES = 10  # 64 bits


def varint(value: int) -> bytes:
    """Unsigned LEB128: seven bits per byte, least significant group first."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def strip_padding(payload: bytes) -> bytes:
    """Drop trailing zero bytes of the last 32-bit word (the reader pads them back)."""
    keep = len(payload)
    while keep > len(payload) - 3 and keep > 0 and payload[keep - 1] == 0:
        keep -= 1
    return payload[:keep]


def restore_padding(payload: bytes) -> bytes:
    """Pad a stored payload back to whole 32-bit words."""
    return payload + b"\0" * (-len(payload) % 4)


class FieldReader:
    """Reads a file's fields in order from a stream, naming what was cut off when it ends early.

    ``crc`` is the CRC-32 of every byte taken so far: each checkpoint of the format covers every
    byte before it, so one running value checks them all.
    """

    def __init__(self, source: BinaryIO, *, crc: int = 0, offset: int = 0):
        self.source = source
        self.crc = crc
        self.offset = offset  # bytes of the file taken so far

    def _read(self, size: int) -> bytes:
        if size <= READ_PIECE_BYTES:
            return self.source.read(size)
        pieces, left = [], size
        while left:
            piece = self.source.read(min(left, READ_PIECE_BYTES))
            if not piece:
                break
            pieces.append(piece)
            left -= len(piece)
        return b"".join(pieces)

    def take(self, size: int, what: str, *, checked: bool = True) -> bytes:
        """The next ``size`` bytes (``checked``: added to the running CRC)."""
        chunk = self._read(size) if size else b""
        if len(chunk) < size:
            raise FormatError(f"truncated file: it ends inside the {what}")
        self.offset += size
        if checked:
            self.crc = zlib.crc32(chunk, self.crc)
        return chunk

    def varint(self, what: str) -> int:
        """An unsigned LEB128 varint of at most 64 bits."""
        value = 0
        for index in range(MAX_VARINT_BYTES):
            (byte,) = self.take(1, what)
            value |= (byte & 0x7F) << (7 * index)
            if not byte & 0x80:
                return value
        raise FormatError(f"corrupt file: the {what} is not a valid length")

    def checkpoint(self, what: str) -> None:
        """Read a CRC-32 and compare it with the running CRC of every byte before it."""
        expected = self.crc
        (recorded,) = CRC.unpack(self.take(CRC.size, what, checked=False))
        self.crc = zlib.crc32(CRC.pack(recorded), self.crc)
        if recorded != expected:
            raise FormatError("corrupt file: the CRC-32 checksum does not match (truncated, or damaged in storage or "
                              "transfer)")

    def rest(self, limit: int | None, what: str) -> bytes:
        """Every byte left in the stream (not yet in the running CRC), refused once it passes
        ``limit`` (None: no limit but the file's own end); nothing past the limit is read."""
        data = self.source.read() if limit is None else self._read(limit + 1)
        if limit is not None and len(data) > limit:
            raise FormatError(f"corrupt file: the {what} is longer than its block allows, or bytes follow the end")
        self.offset += len(data)
        return data


GARBAGE_WINDOW = 1 << 16  # how far back from the end a file's true end is looked for


def garbage_after_end(data: bytes, crc: int) -> int | None:
    """Bytes appended after a file's true end (padding, a second file), or None: an end in the last
    GARBAGE_WINDOW bytes where the CRC-32 of what came before (running on from ``crc``) is the 4
    bytes found there. Bounded in time for a damaged file; a match by chance (2^-32 a place) only
    names another error."""
    view = memoryview(data)
    first = max(0, len(data) - CRC.size - GARBAGE_WINDOW)
    running = zlib.crc32(view[:first], crc)
    for end in range(first, len(data) - CRC.size):
        if running == CRC.unpack_from(view, end)[0]:
            return len(data) - end - CRC.size
        running = zlib.crc32(view[end:end + 1], running)
    return None


def refuse_damage(data: bytes, crc: int) -> FormatError:
    """The error for a file whose final CRC-32 failed: trailing garbage where that is what it is."""
    garbage = garbage_after_end(data, crc)
    if garbage:
        return FormatError(f"corrupt file: {garbage:,} bytes of trailing garbage after the end of the trainzip data")
    return FormatError("corrupt file: the CRC-32 checksum does not match (truncated, or damaged in storage or "
                       "transfer)")
