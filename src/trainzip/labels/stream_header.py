"""The compact layout of a loop-fed label stream (labels version 2): header, payload, CRC-32.

A container label stream (version 1) spends 379-393 bytes on JSON settings: the whole numerics
fingerprint, the schedule, the training's fingerprint. A loop-fed stream is decoded by the user's
own loop, which holds the schedule and the training, and by a decoder that holds the inputs and
the model and can compute its own numerics fingerprint; so the stream keeps a short hash of each,
and the decoder compares hashes instead of reading them: 34 bytes and two varints in all (37 for 10
classes and 128 to 16,383 labels). All integers little-endian:

    magic          4 bytes  b"\\x89TZL" (a container starts b"\\x89TZP": each reader names the other)
    version        1 byte   labels version, 2
    frequency_bits 1 byte   rows of coded frequencies sum to 2**frequency_bits
    num_classes    varint   K
    count          varint   labels in the stream
    numerics       8 bytes  SHA-256 prefix of the numerics fingerprint (`numerics_hash`)
    side           8 bytes  SHA-256 prefix of the inputs and the untrained model (`side_hash`)
    labels         8 bytes  SHA-256 prefix of the labels as int64 (checked after decoding)
    payload        the range coder's 32-bit words, trailing zero bytes of the last one dropped
    crc            4 bytes  CRC-32 of every byte before it (checked before anything is decoded)
"""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from dataclasses import dataclass

from trainzip.container.fields import CRC, FieldReader, restore_padding, strip_padding, varint
from trainzip.container.versions import MAGIC as CONTAINER_MAGIC
from trainzip.errors import FormatError, VersionError
from trainzip.numerics import fingerprint

MAGIC = b"\x89TZL"
STREAM_LABELS_VERSION = 2
HASH_BYTES = 8  # a 2^-64 chance that other numerics or inputs pass unnoticed
MAX_FREQUENCY_BITS = 24  # constriction's Categorical takes at most 24-bit precision


@dataclass(frozen=True, kw_only=True)
class StreamHeader:
    """The fields of a loop-fed label stream's header (the hashes are HASH_BYTES each)."""

    frequency_bits: int
    num_classes: int
    count: int
    numerics: bytes
    side: bytes
    labels: bytes


def short_hash(*parts: bytes) -> bytes:
    """The first HASH_BYTES bytes of the SHA-256 of the parts, each prefixed by its length."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(varint(len(part)) + part)
    return digest.digest()[:HASH_BYTES]


def numerics_hash(threads: int, device) -> bytes:
    """The hash of `trainzip.numerics.fingerprint` (libraries, CPU, threads, GPU) as canonical JSON."""
    return short_hash(json.dumps(fingerprint(threads, device), sort_keys=True, separators=(",", ":")).encode())


def pack_stream(header: StreamHeader, payload: bytes) -> bytes:
    """The stream's bytes: header, payload (padding stripped), CRC-32."""
    body = (MAGIC + bytes([STREAM_LABELS_VERSION, header.frequency_bits]) + varint(header.num_classes)
            + varint(header.count) + header.numerics + header.side + header.labels + strip_padding(payload))
    return body + CRC.pack(zlib.crc32(body))


def header_bytes(data: bytes) -> int:
    """How many bytes of a stream are not payload: its header and its CRC-32."""
    return len(data) - len(strip_padding(unpack_stream(data)[1]))


def unpack_stream(data: bytes) -> tuple[StreamHeader, bytes]:
    """Check a stream's magic, version and CRC-32, then return its header and payload (whole words).

    Raises:
        FormatError: not a loop-fed label stream, or truncated or damaged (the CRC-32 fails).
        VersionError: a labels version this trainzip does not read this way.
    """
    data = bytes(data)
    if not data.startswith(MAGIC):
        if data.startswith(CONTAINER_MAGIC):
            raise FormatError("this is a container label stream (labels version 1): read it with decode_labels")
        raise FormatError("not a loop-fed label stream (wrong magic bytes)")
    if len(data) < len(MAGIC) + 1:
        raise FormatError("truncated label stream: it ends before its labels version")
    if data[len(MAGIC)] != STREAM_LABELS_VERSION:
        raise VersionError(f"unsupported loop-fed label stream version {data[len(MAGIC)]} "
                           f"(this trainzip reads {STREAM_LABELS_VERSION})")
    if len(data) < len(MAGIC) + 2 + CRC.size or CRC.unpack(data[-CRC.size:])[0] != zlib.crc32(data[:-CRC.size]):
        raise FormatError("corrupt label stream: the CRC-32 checksum does not match (truncated, or damaged)")
    reader = FieldReader(io.BytesIO(data[len(MAGIC) + 1:-CRC.size]))
    header = StreamHeader(frequency_bits=reader.take(1, "header")[0], num_classes=reader.varint("class count"),
                          count=reader.varint("label count"), numerics=reader.take(HASH_BYTES, "numerics hash"),
                          side=reader.take(HASH_BYTES, "side hash"), labels=reader.take(HASH_BYTES, "labels hash"))
    if not (header.num_classes >= 2 and 2 * header.num_classes <= 1 << header.frequency_bits
            and header.frequency_bits <= MAX_FREQUENCY_BITS):
        raise FormatError(f"corrupt label stream: {header.num_classes} classes at {header.frequency_bits}-bit "
                          "frequencies cannot be coded")
    return header, restore_padding(reader.rest(None, "payload"))
