"""Byte layout of a .tz file, format version 6 (docs/format.md describes it byte by byte).

    magic         4 bytes   89 54 5A 50  ("\\x89TZP")
    version       1 byte    format version
    metadata      varint (index * 2 + 1) of one of the NAMED_METADATA (a file of a named level: one
                  byte), or varint (length * 2), then the settings as UTF-8 JSON, raw-DEFLATE-compressed
                  with the fixed preset dictionary METADATA_DICTIONARY
    original      varint length, then the first 8 bytes of the original's SHA-256
    blocks        varint (count K * 2 + the last block's stored flag); for each block but the last:
                  varint original length, varint (payload length * 2 + stored), payload; for the
                  last block its payload up to the CRC (its length is what the others leave of the
                  original).
                  A payload is the coder's bytes with up to 3 trailing zero bytes dropped (the reader
                  pads them back; both coders read zeros past the end: the byte codec's binary coder,
                  and constriction's 32-bit little-endian words for label streams), or (stored = 1)
                  the original bytes themselves, for a block the learner could not compress
    crc32         4 bytes, little-endian CRC-32 of every byte before it

Lengths are unsigned LEB128 varints. Every byte is covered by the CRC, checked before decoding
starts, so a truncated file, a flipped bit or a foreign file is reported in one line instead of
decoding to garbage; the SHA-256 prefix is checked after decoding, before output is published.
Small files are where a header shows: a level's whole envelope is 21-23 bytes.
"""

from __future__ import annotations

import copy
import json
import struct
import zlib
from dataclasses import dataclass, field

from trainzip.errors import FormatError, VersionError

MAGIC = b"\x89TZP"
FORMAT_VERSION = 6
SUPPORTED_VERSIONS = (6,)
# format version: the releases that read it
RETIRED_VERSIONS = {1: "0.1.x", 2: "0.2.x", 3: "0.3.x", 4: "0.4.x", 5: "0.5.x"}
DIGEST_BYTES = 8  # a 2^-64 chance that a wrong decoding passes; the CRC-32 guards the file itself

# Part of format version 6: changing either changes files' bytes, so it needs a new version.
# The metadata `trainzip compress` writes for each named level, recorded by its index: one byte
# instead of the five a DEFLATEd record costs (0.3% of a 4 kB text's output with max).
NAMED_METADATA = tuple({"config": {"level": level}, "kind": "bytes"} for level in ("fast", "default", "max"))
METADATA_DICTIONARY = (
    b'"cpu_capability":"AVX512","machine":"aarch64","cpu_capability":"DEFAULT","kind":"labels","labels_ver'
    b'sion":1,"num_classes":10,"schedule":{"kind":"doubling"},"deterministic":true,"eval_batch":1024,"freq'
    b'uency_bits":24,"inputs_sha256":"{"config":{"block_size":16777216,"context_mixing":{"contexts":48,"co'
    b'unter_limit":127,"match_bits":22,"match_min":6,"mixer_boost":96,"mixer_decay":256,"mixer_rate":12,"m'
    b'ixers":12,"probability_inputs":false,"run_inputs":false,"sse_share":6,"sse_stages":5,"table_bits":22'
    b'},"level":"custom","min_segment":4096,"network":{"bptt":16,"embedding":32,"gradient_clip":1.0,"hidde'
    b'n":128,"learning_rate":0.01},"network_min_bytes":65536,"seed":0,"single_stream_below":65536,"streams'
    b'":16,"threads":1},"kind":"bytes"}{"config":{"level":"default"},"fingerprint":{"constriction":"0.5.0"'
    b',"cpu_capability":"AVX512","machine":"x86_64","mkl_cbwr":"AUTO","numba":"0.68.1","numpy":"2.4.6","th'
    b'reads":1,"torch":"2.13.0+cpu","trainzip":"0.6.0"},"kind":"bytes"}'
)
_MAX_METADATA = 1 << 20
_CRC = struct.Struct("<I")
_GARBAGE_WINDOW = 1 << 16  # how far back from the end a file's true end is looked for


@dataclass(frozen=True)
class Block:
    """One independently coded block: its original length and its range-coded payload."""

    original_length: int
    payload: bytes
    stored: bool = False  # the payload is the block's bytes as they were (coding would have expanded them)


@dataclass(frozen=True)
class Container:
    """Everything a .tz file holds."""

    metadata: dict
    original_length: int
    original_digest: bytes  # first DIGEST_BYTES bytes of the original's SHA-256
    blocks: list[Block] = field(default_factory=list)
    format_version: int = FORMAT_VERSION


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _deflate(metadata: dict) -> bytes:
    text = json.dumps(metadata, sort_keys=True, separators=(",", ":")).encode("utf-8")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, METADATA_DICTIONARY)
    return compressor.compress(text) + compressor.flush()


def _inflate(raw: bytes) -> dict:
    try:
        decompressor = zlib.decompressobj(-15, METADATA_DICTIONARY)
        text = decompressor.decompress(raw, _MAX_METADATA) + decompressor.flush()
        if not decompressor.eof or decompressor.unused_data:
            raise ValueError("metadata stream incomplete")
        metadata = json.loads(text.decode("utf-8"))
        if not isinstance(metadata, dict):
            raise ValueError("metadata is not an object")
        return metadata
    except (zlib.error, ValueError):
        raise FormatError("corrupt file: the header's settings are not readable") from None


def strip_padding(payload: bytes) -> bytes:
    """Drop trailing zero bytes of the last 32-bit word (the reader pads them back)."""
    keep = len(payload)
    while keep > len(payload) - 3 and keep > 0 and payload[keep - 1] == 0:
        keep -= 1
    return payload[:keep]


def restore_padding(payload: bytes) -> bytes:
    """Pad a stored payload back to whole 32-bit words."""
    return payload + b"\0" * (-len(payload) % 4)


def _metadata_field(metadata: dict) -> bytes:
    """A named level's metadata by its index; any other, DEFLATEd, after its length."""
    if metadata in NAMED_METADATA:
        return _varint(2 * NAMED_METADATA.index(metadata) + 1)
    deflated = _deflate(metadata)
    return _varint(2 * len(deflated)) + deflated


def pack(container: Container) -> bytes:
    """Serialise a container to bytes."""
    last_stored = int(container.blocks[-1].stored) if container.blocks else 0
    parts = [MAGIC, bytes([container.format_version]), _metadata_field(container.metadata),
             _varint(container.original_length), container.original_digest[:DIGEST_BYTES],
             _varint(2 * len(container.blocks) + last_stored)]
    for index, block in enumerate(container.blocks):
        payload = block.payload if block.stored else strip_padding(block.payload)
        if index < len(container.blocks) - 1:
            parts += [_varint(block.original_length), _varint(2 * len(payload) + int(block.stored))]
        # the last block's lengths follow from the others' and from the end of the file
        parts.append(payload)
    body = b"".join(parts)
    return body + _CRC.pack(zlib.crc32(body))


class _Reader:
    """Reads fields in order, naming what was cut off when the data ends early."""

    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.offset = 0

    def take(self, size: int, what: str) -> bytes:
        if self.offset + size > len(self.data):
            raise FormatError(f"truncated file: it ends inside the {what}")
        chunk = bytes(self.data[self.offset:self.offset + size])
        self.offset += size
        return chunk

    def varint(self, what: str) -> int:
        value, shift = 0, 0
        while True:
            (byte,) = self.take(1, what)
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value
            if shift > 63:
                raise FormatError(f"corrupt file: the {what} is not a valid length")


def _read_metadata_field(reader: _Reader) -> int | bytes:
    """The metadata field as it stands: a named level's index, or the DEFLATEd record (read by
    `_metadata` once the CRC has passed)."""
    length_or_index = reader.varint("header length")
    if length_or_index & 1:
        return length_or_index >> 1
    if length_or_index >> 1 > _MAX_METADATA:
        raise FormatError("corrupt file: implausible header length")
    return reader.take(length_or_index >> 1, "header")


def _metadata(recorded: int | bytes) -> dict:
    """The metadata a field read by `_read_metadata_field` stands for (a copy the caller may change)."""
    if isinstance(recorded, bytes):
        return _inflate(recorded)
    if recorded >= len(NAMED_METADATA):
        raise FormatError("corrupt file: the header names settings that do not exist")
    return copy.deepcopy(NAMED_METADATA[recorded])


def read_version(data: bytes) -> int:
    """Check the magic bytes and return the format version."""
    head = bytes(data[:len(MAGIC) + 1])
    if not head:
        raise FormatError("not a trainzip file (it is empty)")
    if not head.startswith(MAGIC):
        if MAGIC.startswith(head):
            raise FormatError("truncated file: it ends inside the magic bytes")
        raise FormatError("not a trainzip file (wrong magic bytes)")
    if len(head) == len(MAGIC):
        raise FormatError("truncated file: it ends before the format version")
    version = head[len(MAGIC)]
    if version in RETIRED_VERSIONS:
        raise VersionError(f"format version {version} was written by trainzip {RETIRED_VERSIONS[version]}, whose "
                           f"model this release no longer has; decode it with that release")
    if version not in SUPPORTED_VERSIONS:
        raise VersionError(f"unsupported format version {version} (this trainzip reads version "
                           f"{', '.join(map(str, SUPPORTED_VERSIONS))})")
    return version


def refuse_trailing_garbage(data: bytes) -> None:
    """A file whose CRC-32 fails at its end but holds at an earlier one has bytes appended after it
    (padding, a second file): say so, not "truncated". Only the last 64 KiB are searched, so a
    damaged file still costs a bounded time; a match by chance (2^-32 a place) only names another error."""
    if len(data) < len(MAGIC) + 1 + _CRC.size or zlib.crc32(data[:-_CRC.size]) == _CRC.unpack(data[-_CRC.size:])[0]:
        return
    view = memoryview(data)
    first = max(len(MAGIC) + 1, len(data) - _CRC.size - _GARBAGE_WINDOW)
    crc = zlib.crc32(view[:first])
    for end in range(first, len(data) - _CRC.size):  # crc is the CRC-32 of data[:end]
        if crc == _CRC.unpack_from(view, end)[0]:
            raise FormatError(f"corrupt file: {len(data) - end - _CRC.size:,} bytes of trailing garbage after the "
                              f"end of the trainzip data")
        crc = zlib.crc32(view[end:end + 1], crc)


def unpack(data: bytes) -> Container:
    """Parse and fully verify a .tz file's structure and checksum (not yet its decoded content)."""
    version = read_version(data)
    refuse_trailing_garbage(data)
    reader = _Reader(data)
    reader.offset = len(MAGIC) + 1
    metadata_field = _read_metadata_field(reader)
    original_length = reader.varint("original length")
    digest = reader.take(DIGEST_BYTES, "checksum of the original")
    count_and_mode = reader.varint("block count")
    block_count, last_stored = count_and_mode >> 1, bool(count_and_mode & 1)
    if block_count > max(1, original_length) or (last_stored and not block_count):
        raise FormatError("corrupt file: implausible block count")
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
            payload = reader.take(max(len(reader.data) - _CRC.size - reader.offset, 0), f"block {index} payload")
            stored = last_stored
        if stored and len(payload) != block_length:
            raise FormatError(f"corrupt file: stored block {index} has the wrong length")
        blocks.append(Block(block_length, payload if stored else restore_padding(payload), stored))
    body_end = reader.offset
    (recorded_crc,) = _CRC.unpack(reader.take(_CRC.size, "final checksum"))
    if reader.offset != len(data):
        raise FormatError(f"corrupt file: {len(data) - reader.offset} unexpected bytes after the end")
    if zlib.crc32(reader.data[:body_end]) != recorded_crc:
        raise FormatError("corrupt file: the CRC-32 checksum does not match (truncated, or damaged in storage or "
                          "transfer)")
    if sum(block.original_length for block in blocks) != original_length:
        raise FormatError("corrupt file: block lengths do not add up to the original length")
    return Container(_metadata(metadata_field), original_length, digest, blocks, version)
