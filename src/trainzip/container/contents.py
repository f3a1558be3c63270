"""What a .tz file holds, whatever its format version: a `Container` of settings, the original's
length and digest, and its `Block`s. `layout`, `frames` and `layout_v6` write and read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from trainzip.container.versions import FORMAT_VERSION

DIGEST_BYTES = 8  # a 2^-64 chance that a wrong decoding passes; the CRC-32 guards the file itself


@dataclass(frozen=True)
class Block:
    """One independently coded block: its original length and its range-coded payload."""

    original_length: int
    payload: bytes
    stored: bool = False  # the payload is the block's bytes as they were (coding would have expanded them)
    original_crc32: int | None = None  # CRC-32 of the block's original bytes (recorded for all blocks but the last)


@dataclass(frozen=True)
class Container:
    """Everything a .tz file holds."""

    metadata: dict
    original_length: int
    original_digest: bytes  # first DIGEST_BYTES bytes of the original's SHA-256
    blocks: list[Block] = field(default_factory=list)
    format_version: int = FORMAT_VERSION
