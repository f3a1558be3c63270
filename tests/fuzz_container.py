"""A structure-aware fuzzer of the .tz container and the settings, with Hypothesis.

Each case is one mutation family applied to an honest file (see FAMILIES). Two kinds of family:

- format 7 at the frame level (docs/format.md): honest files of several frames (`framed_sources`:
  a stored inner block, identical blocks, a last block of exactly the block size, a payload
  length of two bytes, the default level; and one frame, an empty input) are taken apart into
  their frames and written back field by field, each field free to lie: the number of frames and
  their order, each frame's length and payload-length fields, its stored flag, its payload, its
  block CRC-32 and the running CRC-32, the last frame's total, its payload and digest, the
  varints' encodings, the recorded block size; or the file is cut at a boundary or inside a field
  of any kind, given trailing garbage, or a flipped bit. Every CRC is written valid unless the
  family is about that CRC, so the cases reach the deeper checks (the frame limits, the decoder,
  each block's CRC-32, the digest), as a hostile file would;
- the earlier families, on the parsed container: the metadata (a field of the settings given a
  value of another kind or out of range, unknown names, nested JSON, a named level's index, a
  fingerprint of any shape), each block's length, stored flag, payload and CRC, the blocks'
  number, the total length and the digest, repacked as format 7 or 6.

Each case is decoded in this process; it must end in a `TrainzipError` of one line or give back
exactly the honest file's original (the digest guards it), within a bound of CPU time, and the
process's peak memory stays bounded. A sample of the cases of two or more frames (chosen by a
hash of the file, so a case replays the same way) is decoded again through a pool of 2 worker
processes (`trainzip.engine.PoolExecutor`), where the reader runs ahead of the decoders and a
refusal stops workers in flight: it must end the same way (refused, or exactly the original).

In the suite (`tests/test_fuzz_container.py`) it runs a fixed, derandomized budget; a longer run:

    python tests/fuzz_container.py --cases 100000
"""

from __future__ import annotations

import argparse
import collections
import copy
import functools
import hashlib
import json
import random
import re
import resource
import signal
import sys
import time
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile_files import pack_v6  # noqa: E402
from trainzip.codec import compress, decompress  # noqa: E402
from trainzip.codec.presets import preset  # noqa: E402
from trainzip.coding.bit_channel import min_payload_bytes  # noqa: E402
from trainzip.container import Block, unpack  # noqa: E402
from trainzip.container.fields import CRC, strip_padding, varint  # noqa: E402
from trainzip.container.layout import MAGIC  # noqa: E402
from trainzip.container.metadata import METADATA_DICTIONARY, metadata_field  # noqa: E402
from trainzip.engine import PoolExecutor  # noqa: E402
from trainzip.errors import TrainzipError  # noqa: E402

CASE_SECONDS = 10  # of CPU time in this process: a case running longer is a hang
POOL_CASE_SECONDS = 60  # of wall time for a case on the pool (starting its 2 workers takes ~3 s)
POOL_WORKERS = 2
PEAK_RSS_MB = 1500  # this process's own, and each worker's: PyTorch, Numba and Hypothesis loaded
TEXT = b"The prequential code length of the data under the learner: predict, pay, learn. " * 6
DECODED = "decoded to the honest original"


class Hang(Exception):
    """A case ran past its time bound. Not a TimeoutError, which the pool's wait catches; an
    Exception, so that Hypothesis shrinks and reports the case (the decoder has no `except
    Exception` that could take it for a refusal)."""


@functools.cache
def honest_files() -> tuple[tuple[bytes, bytes], ...]:
    """(original, honest .tz file) pairs the earlier families start from (computed on first use:
    the pool's workers import this module and need none of them)."""
    mixed = TEXT[:300] + bytes(range(256)) + TEXT[:200]  # a stored block among coded ones
    small_blocks = preset("fast").replace(level="custom", block_size=256)
    return ((TEXT[:300], compress(TEXT[:300], level="fast")),
            (TEXT[:200], compress(TEXT[:200], level="default")),
            (TEXT[:200], compress(TEXT[:200], level="max")),
            (mixed, compress(mixed, config=small_blocks)),
            (b"", compress(b"", level="fast")))


# ---------------------------------------------------------------------------------------------
# The earlier families: the parsed container mutated and repacked (format 7 or 6)

# JSON values of every kind, with the edges a crafted setting would use
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 70), st.integers(-(1 << 70), 1 << 70),
                    st.sampled_from([0, 1, 48, 49, 255, 256, 1 << 24, 1 << 30, 1 << 31, 1 << 62, 1 << 63, 10 ** 9]),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.sampled_from(["fast", "default", "max", "custom", "bytes", "labels"]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=12)
# Lengths a crafted frame claims: around the honest files' and their block sizes, and far past any
# block size. Not between 64 KiB and the levels' 16 MiB block size: such a claim passes every bound
# with a payload of a few bytes and decodes, as its honest encoding would, at the level's speed (a
# payload that runs out is refused at once, one whose decoding settles on a predictable byte is not;
# tests/hostile_files.py has such cases), longer than this fuzzer's bound per case.
LENGTHS = st.one_of(st.integers(0, 600), st.sampled_from([255, 256, 257, 40_000, 65_535, (1 << 24) + 1, 1 << 30, 1 << 32]),
                    st.integers(1 << 25, 1 << 64))


def _full_settings(config: dict) -> dict:
    """A named level's settings in full (as a custom level), or the settings as they are."""
    if config.get("level") in ("fast", "default", "max"):
        return preset(config["level"]).replace(level="custom").to_dict()
    return config


def _mutate_settings(draw, config: dict) -> dict:
    """A copy of the full settings with one field (perhaps nested) given another value, or added."""
    config = json.loads(json.dumps(config))
    group = draw(st.sampled_from(["", "context_mixing", "network"]))
    target = config if not group else config.setdefault(group, {}) if isinstance(config.get(group), dict) else config
    name = draw(st.one_of(st.sampled_from(sorted(target) or ["level"]), st.text(max_size=8)))
    target[name] = draw(st.one_of(JSON, st.sampled_from([None, {"hidden": 10 ** 7}, [], {}])))
    return config


@st.composite
def metadata(draw, honest: dict) -> bytes:
    """The metadata field: the honest one, a named index, or DEFLATEd JSON with a mutation."""
    choice = draw(st.sampled_from(["keep"] * 5 + ["index", "settings", "settings", "fingerprint", "kind", "any",
                                                  "nested"]))
    if choice == "keep":
        return metadata_field(honest)
    if choice == "index":
        return varint(2 * draw(st.integers(0, 8)) + 1)
    record = json.loads(json.dumps(honest))
    if choice == "settings":
        record["config"] = _mutate_settings(draw, _full_settings(record["config"]))
    elif choice == "fingerprint":
        record["fingerprint"] = draw(st.one_of(JSON, st.dictionaries(st.sampled_from(["threads", "torch", "gpu"]),
                                                                     SCALARS, max_size=3)))
    elif choice == "kind":
        record["kind"] = draw(JSON)
    elif choice == "any":
        record = draw(JSON)
    else:
        depth = draw(st.sampled_from([10, 500, 990, 1100, 100_000]))
        return _deflated_field(b'{"kind":"bytes","config":' + b"[" * depth + b"]" * depth + b"}")
    return _deflated_field(json.dumps(record, sort_keys=True, separators=(",", ":")).encode())


def _deflated_field(text: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, METADATA_DICTIONARY)
    deflated = compressor.compress(text) + compressor.flush()
    return varint(2 * len(deflated)) + deflated


@st.composite
def payloads(draw, payload: bytes) -> bytes:
    """The honest payload, or cut, extended, replaced or flipped."""
    choice = draw(st.sampled_from(["keep", "keep", "cut", "extend", "replace", "flip"]))
    if choice == "cut":
        return payload[:draw(st.integers(0, max(len(payload) - 1, 0)))]
    if choice == "extend":
        return payload + draw(st.binary(max_size=64))
    if choice == "replace":
        return draw(st.binary(max_size=200))
    if choice == "flip" and payload:
        return _flip_bit(payload, draw(st.integers(0, len(payload) * 8 - 1)))
    return payload


def _flip_bit(data: bytes, index: int) -> bytes:
    return data[:index // 8] + bytes([data[index // 8] ^ (1 << index % 8)]) + data[index // 8 + 1:]


@st.composite
def blocks(draw, honest: list[Block]) -> list[Block]:
    """Each honest block, its length, flag, payload or CRC perhaps changed; blocks perhaps dropped,
    repeated or added."""
    out = []
    for block in honest:
        length = block.original_length if draw(st.integers(0, 3)) else draw(LENGTHS)
        stored = block.stored if draw(st.integers(0, 5)) else not block.stored
        crc = block.original_crc32 if draw(st.integers(0, 5)) else draw(st.integers(0, (1 << 32) - 1))
        out.append(Block(length, draw(payloads(block.payload)), stored, crc))
    edit = draw(st.sampled_from(["none"] * 6 + ["drop", "repeat", "add"]))
    if edit == "drop" and out:
        del out[draw(st.integers(0, len(out) - 1))]
    elif edit == "repeat" and out:
        out.insert(0, out[0])
    elif edit == "add":
        out.append(Block(draw(LENGTHS), draw(st.binary(max_size=100)), draw(st.booleans()), 0))
    return out


def write_v7(field: bytes, frames: list[Block], total: int, digest: bytes) -> bytes:
    """A version 7 file of any field values, every CRC-32 valid (as `FrameWriter` writes them)."""
    out = bytearray(MAGIC + bytes([7]) + field)
    for block in frames[:-1]:
        payload = block.payload if block.stored else strip_padding(block.payload)
        out += varint((block.original_length * 2 + block.stored) * 2)
        out += (b"" if block.stored else varint(len(payload))) + payload
        out += CRC.pack((block.original_crc32 or 0) & 0xFFFFFFFF)
        out += CRC.pack(zlib.crc32(out))
    last = frames[-1] if frames else Block(0, b"")
    out += varint((total * 2 + last.stored) * 2 + 1)
    out += (last.payload if last.stored else strip_padding(last.payload)) + digest
    return bytes(out + CRC.pack(zlib.crc32(out)))


@st.composite
def repacked_files(draw, version: int) -> tuple[bytes, bytes, int]:
    """(the honest original, a crafted file of ``version`` made from its honest encoding, its
    number of blocks)."""
    original, honest_file = draw(st.sampled_from(honest_files()))
    container = unpack(honest_file)
    field = draw(metadata(container.metadata))
    frames = draw(blocks(container.blocks))
    total = container.original_length if draw(st.integers(0, 3)) else draw(LENGTHS)
    digest = container.original_digest if draw(st.integers(0, 7)) else draw(st.binary(min_size=8, max_size=8))
    if version == 7:
        blob = write_v7(field, frames, total, digest)
    else:
        blob = pack_v6(None, frames, total, raw_metadata=field, digest=digest)
    damage = draw(st.sampled_from(["none"] * 12 + ["cut", "garbage", "flip"]))
    if damage == "cut":
        blob = blob[:draw(st.integers(0, len(blob) - 1))]
    elif damage == "garbage":
        blob += draw(st.binary(min_size=1, max_size=40))
    elif damage == "flip":
        blob = _flip_bit(blob, draw(st.integers(0, len(blob) * 8 - 1)))
    return original, blob, len(frames)


# ---------------------------------------------------------------------------------------------
# Format 7 at the frame level: a file taken apart into its frames, each field written as drawn

@dataclass
class Frame:
    """One frame of a format 7 file as it will be written, every field free to lie.

    An inner frame is varint (length * 2 + stored) * 2, varint payload length (coded frames only),
    the payload, the CRC-32 of the block's original bytes and the running CRC-32 of the file before
    it; the last frame is varint (total * 2 + stored) * 2 + 1, the payload, the digest and the
    final CRC-32 (docs/format.md).
    """

    length: int  # the header's L (an inner frame), or T, the original's total length (the last frame)
    payload: bytes  # as written: a coded payload without the zero bytes the reader pads back
    stored: bool = False
    last: bool = False
    original: bytes = b""  # the block's original bytes, where known (not written)
    size: int | None = None  # an inner coded frame's payload-length field (None: the payload's own length)
    block_crc: int = 0  # an inner frame's CRC-32 of its block's original bytes
    check: int | None = None  # the running CRC-32 written (an inner frame's or the final one): None, the valid one
    check_xor: int = 0  # bits flipped in the running CRC-32 written
    digest: bytes = b""  # the last frame's first 8 bytes of the original's SHA-256
    varint_bytes: dict[str, int] = field(default_factory=dict)  # "header" or "size": bytes to spell it in (overlong)


@dataclass(frozen=True)
class Source:
    """An honest format 7 file and what it is made of."""

    name: str
    original: bytes
    blob: bytes
    metadata: dict
    field: bytes  # the metadata field as written
    block_size: int  # as the settings record it
    frames: tuple[Frame, ...]


def long_varint(value: int, size: int = 0) -> bytes:
    """``value``'s LEB128 varint spelt in ``size`` bytes where that is longer than it needs (a
    redundant group 0x80 before a final 0x00, as a reader of at most 10 bytes accepts)."""
    assert value >= 0, value
    raw = bytearray(varint(value))
    while len(raw) < size:
        raw[-1] |= 0x80
        raw.append(0)
    return bytes(raw)


def _varint_size(data: bytes) -> int:
    """How many bytes the varint at the start of ``data`` takes."""
    return next((index + 1 for index, byte in enumerate(data) if not byte & 0x80), len(data))


def write_frames(field: bytes, frames: list[Frame]) -> list[tuple[str, bytes]]:
    """A format 7 file as its fields in order, (kind, bytes): each running CRC-32 valid where its
    frame leaves ``check`` None and ``check_xor`` 0. A last frame that is not the final one is
    followed by the frames after it, as a second file would be."""
    fields: list[tuple[str, bytes]] = []
    crc = 0

    def put(kind: str, data: bytes) -> None:
        nonlocal crc
        fields.append((kind, data))
        crc = zlib.crc32(data, crc)

    put("magic", MAGIC)
    put("version", bytes([7]))
    put("metadata varint", field[:_varint_size(field)])
    put("metadata", field[_varint_size(field):])
    for frame in frames:
        kind = "last " if frame.last else ""
        header = (frame.length * 2 + frame.stored) * 2 + frame.last
        put(kind + "header varint", long_varint(header, frame.varint_bytes.get("header", 0)))
        if not frame.last and not frame.stored:
            size = len(frame.payload) if frame.size is None else frame.size
            put("size varint", long_varint(size, frame.varint_bytes.get("size", 0)))
        put(kind + "payload", frame.payload)
        put("digest" if frame.last else "block crc", frame.digest if frame.last else CRC.pack(frame.block_crc))
        put("final crc" if frame.last else "frame crc", CRC.pack((crc if frame.check is None else frame.check)
                                                                 ^ frame.check_xor))
    return fields


def _as_written(block: Block) -> bytes:
    return block.payload if block.stored else strip_padding(block.payload)


def _source(name: str, original: bytes, **coding) -> Source:
    """An honest file of ``original`` taken apart; written back unchanged it is the same bytes."""
    blob = compress(original, **coding)
    container = unpack(blob)
    frames, offset = [], 0
    for block in container.blocks[:-1]:
        frames.append(Frame(block.original_length, _as_written(block), block.stored,
                            original=original[offset:offset + block.original_length], block_crc=block.original_crc32))
        offset += block.original_length
    last = container.blocks[-1] if container.blocks else Block(0, b"")
    frames.append(Frame(container.original_length, _as_written(last), last.stored, last=True,
                        original=original[offset:], digest=container.original_digest))
    field = metadata_field(container.metadata)
    assert b"".join(data for _, data in write_frames(field, frames)) == blob, name
    block_size = preset(coding["level"]).block_size if "level" in coding else coding["config"].block_size
    return Source(name, original, blob, container.metadata, field, block_size, tuple(frames))


@functools.cache
def framed_sources() -> tuple[Source, ...]:
    """The honest files the frame-level families start from (small blocks, so a case is quick)."""
    noise = random.Random(7).randbytes(256)
    letters = bytes(random.Random(8).choices(b"abcdefghijklmnopqrstuvwxyz", k=356))  # payloads of 128+ bytes

    def blocks_of(size: int, level: str = "fast"):
        return preset(level).replace(level="custom", block_size=size)

    return (_source("a stored inner block", TEXT[:256] + noise + TEXT[:200], config=blocks_of(256)),
            _source("identical blocks, the last stored", TEXT[:64] * 5 + b"tail", config=blocks_of(64)),
            _source("a last block of the block size", TEXT[:256], config=blocks_of(128)),
            _source("payload lengths of two bytes", letters, config=blocks_of(256)),
            _source("default's model", TEXT[:400], config=blocks_of(128, "default")),
            _source("one frame", TEXT[:300], level="fast"),
            _source("an empty input", b"", level="fast"))


@dataclass
class Draft:
    """A file being crafted: its metadata field and its frames, each mutation changing them in place."""

    source: Source
    field: bytes
    frames: list[Frame]
    block_size: int  # as the metadata field records it

    def slow_claim(self) -> bool:
        """Whether a coded block claims a length the reader cannot refuse and a decoder of junk may
        take long to run out on (see LENGTHS): past 64 KiB (more than any honest file here holds),
        within the recorded block size, with a payload long enough for it."""
        before = 0
        for frame in self.frames:
            length = frame.length - before if frame.last else frame.length
            before = 0 if frame.last else before + frame.length
            if not frame.stored and 1 << 16 < length <= self.block_size and \
                    len(frame.payload) >= min_payload_bytes(length):
                return True
        return False

    def inner(self, *, coded: bool | None = None) -> list[int]:
        """The indices of the inner frames (only the coded, or stored, ones where ``coded`` says)."""
        return [index for index, frame in enumerate(self.frames)
                if not frame.last and (coded is None or frame.stored != coded)]

    def last(self) -> Frame | None:
        return self.frames[-1] if self.frames and self.frames[-1].last else None

    def retotal(self) -> None:
        """Each last frame's total made to agree with the inner frames before it: its own block
        keeps its length (the lengths add up; the reader's checks must find what else is wrong)."""
        before = 0
        for frame in self.frames:
            if frame.last:
                frame.length, before = before + len(frame.original), 0
            else:
                before += frame.length


RESIZED_MAX = 4096  # the longest a payload is resized to (to the length a field claims): past every block here


def _pick(draw, indices: list[int]) -> int | None:
    return draw(st.sampled_from(indices)) if indices else None


def _resized(draw, data: bytes, size: int) -> bytes:
    """``data`` cut to ``size`` bytes, or extended to it with zeros, random bytes or itself again."""
    assert size <= RESIZED_MAX, size
    if size <= len(data):
        return data[:size]
    extra = size - len(data)
    fill = draw(st.sampled_from(["zeros", "random", "itself"]))
    if fill == "zeros":
        return data + bytes(extra)
    if fill == "random":
        return data + random.Random(draw(st.integers(0, 1 << 32))).randbytes(extra)
    return (data * (size // max(len(data), 1) + 1))[:size] if data else bytes(size)


def _changed_payload(draw, payload: bytes) -> bytes:
    """A payload with a bit flipped, cut, extended, replaced, emptied or given zeros at its end."""
    choice = draw(st.sampled_from(["flip", "flip", "cut", "extend", "replace", "empty", "zeros"]))
    if choice == "flip" and payload:
        return _flip_bit(payload, draw(st.integers(0, len(payload) * 8 - 1)))
    if choice == "cut" and payload:
        return payload[:draw(st.integers(0, len(payload) - 1))]
    if choice == "extend":
        return payload + draw(st.binary(min_size=1, max_size=64))
    if choice == "replace":
        return draw(st.binary(max_size=300))
    if choice == "zeros":  # the reader pads a coded payload with up to 3 zeros itself
        return payload + bytes(draw(st.integers(1, 8)))
    return b""


def frame_count(draw, draft: Draft) -> None:
    """Frames dropped, duplicated, reordered or added (junk), the last missing, first, or twice;
    the total kept, made to agree, or drawn."""
    frames, inner, B = draft.frames, draft.inner(), draft.source.block_size
    edit = draw(st.sampled_from(["drop", "drop", "duplicate", "duplicate", "reorder", "junk", "no last",
                                 "only the last", "the last twice", "the last first", "swap the last"]))
    if edit == "drop" and inner:
        del frames[draw(st.sampled_from(inner))]
    elif edit == "duplicate" and frames:
        copy_of = _inner_copy(frames[draw(st.integers(0, len(frames) - 1))])
        frames.insert(draw(st.integers(0, len(inner))), copy_of)
    elif edit == "reorder" and len(inner) >= 2:
        for index, frame in zip(inner, draw(st.permutations([frames[index] for index in inner]))):
            frames[index] = frame
    elif edit == "junk":  # of the block size (or, where that is a level's 16 MiB, perhaps 256 bytes)
        stored, length = draw(st.booleans()), B if B <= 4096 else draw(st.sampled_from([B, 256]))
        size = length if stored and length <= 4096 else draw(st.integers(0, min(length - 1, 300)))
        frames.insert(draw(st.integers(0, len(inner))), Frame(length, draw(st.binary(min_size=size, max_size=size)),
                                                              stored, block_crc=draw(st.integers(0, (1 << 32) - 1))))
    elif edit == "no last":
        frames[:] = [frame for frame in frames if not frame.last]
    elif edit == "only the last":
        frames[:] = [frame for frame in frames if frame.last]
    elif edit == "the last twice" and draft.last():
        frames.append(_copy(draft.last()))
    elif edit == "the last first" and draft.last():
        frames.insert(0, frames.pop())
    elif edit == "swap the last" and inner and draft.last():  # an inner block last, the last one's in its place
        index = draw(st.sampled_from(inner))
        frames[index], frames[-1] = _inner_copy(frames[-1]), _last_copy(frames[index], frames[-1].digest)
    total = draw(st.sampled_from(["kept", "agrees", "agrees", "drawn"]))
    if total == "agrees":
        draft.retotal()
    elif total == "drawn" and draft.last():
        draft.last().length = draw(_totals(draft))


def _copy(frame: Frame) -> Frame:
    return replace(frame, varint_bytes=dict(frame.varint_bytes))


def _inner_copy(frame: Frame) -> Frame:
    """The frame as an inner one: a last frame's block, with its own length and CRC-32."""
    if not frame.last:
        return _copy(frame)
    return Frame(len(frame.original), frame.payload, frame.stored, original=frame.original,
                 block_crc=zlib.crc32(frame.original))


def _last_copy(frame: Frame, digest: bytes) -> Frame:
    return Frame(frame.length, frame.payload, frame.stored, last=True, original=frame.original, digest=digest)


def _totals(draft: Draft):
    """Totals a last frame claims: off by one, those that leave its block empty, of the block size
    (or 64 KiB where that is a level's 16 MiB: see LENGTHS) and one byte past it, and far past any."""
    last, B = draft.last(), draft.source.block_size
    before = sum(frame.length for frame in draft.frames if not frame.last)
    return st.one_of(st.sampled_from([last.length - 1, last.length + 1, 0, before - 1, before, before + 1,
                                      before + min(B, 1 << 16), before + B + 1, last.length + B, 1 << 32, 1 << 62,
                                      (1 << 64) - 1, (1 << 70) - 1]).map(lambda total: max(total, 0)),
                     st.integers(0, before + min(4 * B, 1 << 16)))


def frame_length(draw, draft: Draft) -> None:
    """An inner frame's length field: zero, off by one, the block size's neighbours, huge (past 64
    bits: too long a varint); a stored frame's payload perhaps resized to it; the total kept or
    made to agree."""
    index = _pick(draw, draft.inner())
    if index is None:
        return
    frame, B = draft.frames[index], draft.source.block_size
    length = draw(st.one_of(st.sampled_from([0, 1, B - 1, B + 1, 2 * B, frame.length - 1, frame.length + 1, 1 << 31,
                                             1 << 62, (1 << 64) - 1, (1 << 70) - 1]), st.integers(0, 4 * B)))
    if frame.stored and length <= RESIZED_MAX and draw(st.booleans()):  # the reader takes the length's bytes
        frame.payload = _resized(draw, frame.payload, length)
    frame.length = max(length, 0)
    if draw(st.booleans()):
        draft.retotal()


def payload_length(draw, draft: Draft) -> None:
    """A coded inner frame's payload-length field: zero, off by one, its block's length and
    neighbours, huge; the payload as it was (the frame misread after it) or resized to the field."""
    index = _pick(draw, draft.inner(coded=True))
    if index is None:
        return
    frame = draft.frames[index]
    P, L = len(frame.payload), frame.length
    size = draw(st.one_of(st.sampled_from([0, 1, P - 1, P + 1, L - 1, L, L + 1, 1 << 32, 1 << 63, (1 << 64) - 1]),
                          st.integers(0, 2 * L + 2)))
    size = max(size, 0)
    if size <= RESIZED_MAX and draw(st.booleans()):
        frame.payload = _resized(draw, frame.payload, size)
    else:
        frame.size = size


def stored_flag(draw, draft: Draft) -> None:
    """A frame's stored flag flipped: a block now stored holds its original bytes (an honest
    alternative), its coded payload, or that resized to its length; one now coded keeps its bytes,
    cut or with a payload-length field of its length."""
    if not draft.frames:
        return
    frame = draft.frames[draw(st.integers(0, len(draft.frames) - 1))]
    frame.stored = not frame.stored
    length = len(frame.original) if frame.last else frame.length
    if frame.stored:
        choice = draw(st.sampled_from(["original", "payload", "resized"]))
        if choice == "original" and len(frame.original) == length:
            frame.payload = frame.original
        elif choice == "resized" and length <= RESIZED_MAX:
            frame.payload = _resized(draw, frame.payload, length)
    else:
        choice = draw(st.sampled_from(["kept", "cut", "size"]))
        if choice == "cut" and frame.payload:
            frame.payload = frame.payload[:draw(st.integers(0, len(frame.payload) - 1))]
        elif choice == "size" and not frame.last:
            frame.size = draw(st.sampled_from([length, max(length - 1, 0), 0]))


def block_crc(draw, draft: Draft) -> None:
    """An inner frame's CRC-32 of its original bytes: a bit off, zero, all ones, another block's
    (the same, for identical blocks), random."""
    index = _pick(draw, draft.inner())
    if index is None:
        return
    frame = draft.frames[index]
    choice = draw(st.sampled_from(["bit", "zero", "ones", "another block's", "random"]))
    if choice == "bit":
        frame.block_crc ^= 1 << draw(st.integers(0, 31))
    elif choice == "another block's":
        frame.block_crc = zlib.crc32(draft.frames[draw(st.integers(0, len(draft.frames) - 1))].original)
    elif choice == "random":
        frame.block_crc = draw(st.integers(0, (1 << 32) - 1))
    else:
        frame.block_crc = 0 if choice == "zero" else 0xFFFFFFFF


def running_crc(draw, draft: Draft) -> None:
    """An inner frame's running CRC-32, or the final one: a bit off, zero, or its block's CRC-32."""
    if not draft.frames:
        return
    frame = draft.frames[_pick(draw, draft.inner()) if draft.inner() and draw(st.booleans()) else -1]
    choice = draw(st.sampled_from(["bit", "bit", "zero", "the block's"]))
    if choice == "bit":
        frame.check_xor = 1 << draw(st.integers(0, 31))
    else:
        frame.check = 0 if choice == "zero" or frame.last else frame.block_crc


def inner_payload(draw, draft: Draft) -> None:
    """An inner frame's payload changed, its payload-length field agreeing, its CRCs valid: the
    block decodes to other bytes, runs out, or is too long for its block."""
    index = _pick(draw, draft.inner())
    if index is not None:
        draft.frames[index].payload = _changed_payload(draw, draft.frames[index].payload)


def total_length(draw, draft: Draft) -> None:
    """The last frame's total: off by one, leaving its block empty or past the block size, huge."""
    if draft.last():
        draft.last().length = draw(_totals(draft))


def last_payload(draw, draft: Draft) -> None:
    """The last frame's payload changed, the final CRC-32 valid."""
    if draft.last():
        draft.last().payload = _changed_payload(draw, draft.last().payload)


def digest(draw, draft: Draft) -> None:
    """The trailer's digest: a bit off, random, another source's or the empty input's, a byte short
    or long (the trailer then misread by a byte), the final CRC-32 valid."""
    last = draft.last()
    if last is None:
        return
    choice = draw(st.sampled_from(["bit", "random", "another's", "empty input's", "short", "long"]))
    if choice == "bit":
        last.digest = _flip_bit(last.digest, draw(st.integers(0, 63)))
    elif choice == "random":
        last.digest = draw(st.binary(min_size=8, max_size=8))
    elif choice == "another's":
        last.digest = draw(st.sampled_from(framed_sources())).frames[-1].digest
    elif choice == "empty input's":
        last.digest = hashlib.sha256(b"").digest()[:8]
    else:
        last.digest = last.digest[:7] if choice == "short" else last.digest + b"\0"


def varint_encoding(draw, draft: Draft) -> None:
    """A varint spelt in more bytes than it needs: one or two more (still read), 10 (the most a
    reader takes), 11 or 12 (refused); the metadata field's, a frame header's, a payload length's."""
    targets = ["metadata"] + [f"{kind} {index}" for index in range(len(draft.frames))
                              for kind in (["header"] if draft.frames[index].last or draft.frames[index].stored
                                           else ["header", "size"])]
    target = draw(st.sampled_from(targets))
    more = draw(st.sampled_from(["+1", "+2", "10", "11", "12"]))

    def spelt(natural: int) -> int:
        return natural + int(more[1]) if more.startswith("+") else int(more)

    if target == "metadata":
        head = _varint_size(draft.field)
        value = sum((byte & 0x7F) << (7 * index) for index, byte in enumerate(draft.field[:head]))
        draft.field = long_varint(value, spelt(head)) + draft.field[head:]
    else:
        kind, index = target.split()
        frame = draft.frames[int(index)]
        value = (frame.length * 2 + frame.stored) * 2 + frame.last if kind == "header" else \
            len(frame.payload) if frame.size is None else frame.size
        frame.varint_bytes[kind] = spelt(len(varint(value)))


def block_size(draw, draft: Draft) -> None:
    """The settings' block size changed (the frames as they were): zero, one, off by one, double,
    half, far larger, or not an integer."""
    record = copy.deepcopy(draft.source.metadata)
    record["config"] = _full_settings(record["config"])
    B = draft.source.block_size
    record["config"]["block_size"] = draw(st.sampled_from([0, 1, B - 1, B + 1, B // 2, 2 * B, 1 << 16, 1 << 30,
                                                           1 << 31, -1, str(B), None, float(B)]))
    if isinstance(record["config"]["block_size"], int):
        draft.block_size = record["config"]["block_size"]
    draft.field = _deflated_field(json.dumps(record, sort_keys=True, separators=(",", ":")).encode())


def truncation(draw, fields: list[tuple[str, bytes]]) -> bytes:
    """The file cut at the start, inside or at the end of a field of a drawn kind (a varint, a
    payload, a CRC, the digest, ...); perhaps sealed again (a final CRC-32 of what is left)."""
    where = draw(st.sampled_from(["start", "inside", "end"]))
    cuttable = [index for index, (_, data) in enumerate(fields) if len(data) >= (2 if where == "inside" else 1)]
    kind = draw(st.sampled_from(sorted({fields[index][0] for index in cuttable})))
    which = draw(st.sampled_from([index for index in cuttable if fields[index][0] == kind]))
    start, size = sum(len(data) for _, data in fields[:which]), len(fields[which][1])
    offset = draw(st.integers(1, size - 1)) if where == "inside" else {"start": 0, "end": size}[where]
    blob = b"".join(data for _, data in fields)[:start + offset]
    return blob + CRC.pack(zlib.crc32(blob)) if draw(st.booleans()) else blob


def trailing_garbage(draw, blob: bytes) -> bytes:
    """Bytes after the end: random, zeros (a padded transfer), the file again, another file, a
    trailer of valid CRC-32, garbage sealed by a valid final CRC-32, garbage past the window in
    which the reader looks for the true end."""
    choice = draw(st.sampled_from(["random", "zeros", "4096 zeros", "the file again", "another file",
                                   "a sealed trailer", "sealed garbage", "past the window"]))
    if choice == "random":
        return blob + draw(st.binary(min_size=1, max_size=64))
    if choice == "zeros":
        return blob + bytes(draw(st.integers(1, 3)))
    if choice == "4096 zeros":
        return blob + bytes(4096)
    if choice == "the file again":
        return blob + blob
    if choice == "another file":
        return blob + draw(st.sampled_from(framed_sources())).blob
    if choice == "past the window":
        return blob + random.Random(draw(st.integers(0, 1 << 32))).randbytes((1 << 16) + draw(st.integers(0, 8)))
    garbage = blob[-12:-4] if choice == "a sealed trailer" else draw(st.binary(min_size=1, max_size=64))
    return blob + garbage + CRC.pack(zlib.crc32(blob + garbage))


def bit_flip(draw, blob: bytes) -> bytes:
    """One bit flipped anywhere (the CRCs left as they were)."""
    return _flip_bit(blob, draw(st.integers(0, len(blob) * 8 - 1)))


# family -> (mutation of the draft, whether it needs an inner frame); then the byte-level families
FRAME_FAMILIES = {"frame count": (frame_count, False), "frame length": (frame_length, True),
                  "payload length": (payload_length, True), "stored flag": (stored_flag, False),
                  "block CRC": (block_crc, True), "running CRC": (running_crc, False),
                  "inner payload": (inner_payload, True), "total length": (total_length, False),
                  "last payload": (last_payload, False), "digest": (digest, False),
                  "varint encoding": (varint_encoding, False), "block size": (block_size, False)}
BYTE_FAMILIES = {"truncation": truncation, "trailing garbage": trailing_garbage, "bit flip": bit_flip}
FAMILIES = (*FRAME_FAMILIES, "several", *BYTE_FAMILIES, "repacked v7", "repacked v6")


@dataclass(frozen=True)
class Case:
    """A crafted file, the original its honest file holds, and how it was made."""

    family: str
    original: bytes
    blob: bytes
    frames: int  # as crafted (a pool runs only a file of two or more)


@st.composite
def crafted_cases(draw) -> Case:
    """A case of a drawn family."""
    family = draw(st.sampled_from(FAMILIES))
    if family.startswith("repacked"):
        original, blob, blocks_count = draw(repacked_files(int(family[-1])))
        return Case(family, original, blob, blocks_count)
    needs_inner = FRAME_FAMILIES.get(family, (None, False))[1]
    source = draw(st.sampled_from([source for source in framed_sources() if len(source.frames) > 1 or not needs_inner]))
    draft = Draft(source, source.field, [_copy(frame) for frame in source.frames], source.block_size)
    if family in FRAME_FAMILIES:
        FRAME_FAMILIES[family][0](draw, draft)
    elif family == "several":
        for name in draw(st.lists(st.sampled_from(sorted(FRAME_FAMILIES)), min_size=2, max_size=3)):
            FRAME_FAMILIES[name][0](draw, draft)
    assume(not draft.slow_claim())
    fields = write_frames(draft.field, draft.frames)
    blob = b"".join(data for _, data in fields)
    if family == "truncation":
        blob = truncation(draw, fields)
    elif family in BYTE_FAMILIES:
        blob = BYTE_FAMILIES[family](draw, blob)
    return Case(family, source.original, blob, len(draft.frames))


# ---------------------------------------------------------------------------------------------
# Running the cases

class Tally:
    """What the cases ended in, by family and overall; the slowest case; the memory peaks."""

    def __init__(self):
        self.outcomes: collections.Counter = collections.Counter()
        self.families: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.family_seconds: collections.Counter = collections.Counter()  # CPU time, serial decoding
        self.pool_outcomes: collections.Counter = collections.Counter()
        self.cases = 0
        self.pool_cases = 0
        self.pool_every = 0  # decode on the pool about 1 in this many cases of 2+ frames (see on_pool; 0: none)
        self.report_every = 0  # print a line every this many cases (0: never)
        self.max_seconds = 0.0  # of CPU time, decoding serially
        self.max_pool_seconds = 0.0  # of wall time, on the pool
        self.pool_seconds = 0.0  # of wall time, on the pool, all cases (starting workers included)
        self.peak_cases: list[tuple[float, str]] = []  # (peak RSS in MB after it, the case) where the peak rose
        self.over_bound: list[str] = []  # the cases after which a peak RSS first passed PEAK_RSS_MB
        self.workers_peak_mb = 0.0  # the largest peak RSS of a pool worker seen (see `workers_peak_mb`)

    def kind(self, error: TrainzipError) -> str:
        """The error's class and its message up to the first value it quotes, numbers taken out."""
        message = re.sub(r"\d[\d,.]*", "N", re.split(r" [([{'\"]", str(error))[0]).strip()
        message = re.sub(r"unknown setting .*", "unknown setting NAME", message)
        return f"{type(error).__name__}: {message[:80]}"

    def on_pool(self, case: Case, serial: tuple[str, str]) -> bool:
        """Whether a case is among the sample decoded again on the pool: one of two or more frames
        whose file's hash is 0 modulo ``pool_every`` where its serial decoding got past the first
        block (the pool then runs its workers), modulo 4 * ``pool_every`` where it did not. (Not its
        CRC-32: that of every file that ends in a valid CRC-32 of itself is the same constant.)"""
        if not self.pool_every or case.frames < 2:
            return False
        kind, message = serial
        deep = kind == DECODED or kind.startswith("IntegrityError") or "payload ends before" in message or \
            any(int(index) >= 1 for index in re.findall(r"(?:block|frame) (\d+)", message))
        hashed = int.from_bytes(hashlib.blake2b(case.blob, digest_size=4).digest(), "little")
        return hashed % (self.pool_every if deep else 4 * self.pool_every) == 0


TALLY = Tally()
_pool: PoolExecutor | None = None


def pool() -> PoolExecutor:
    """The pool of workers the sampled cases are decoded on (started again after each refusal,
    which stops it)."""
    global _pool
    if _pool is None:
        _pool = PoolExecutor(POOL_WORKERS)
    return _pool


def close_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.close()
        _pool = None


def _on_timer(signum, frame):
    raise Hang(f"a case ran past its bound ({CASE_SECONDS} s of CPU time, {POOL_CASE_SECONDS} s on the pool)")


def _bounded(timer: int, seconds: float, run):
    """run(), interrupted by `Hang` after ``seconds`` of ``timer`` (ITIMER_PROF: this process's CPU
    time, not wall time: on a shared machine a low-priority run may wait for a core longer than it
    computes; ITIMER_REAL: wall time, for the pool, whose work is the workers')."""
    signum = signal.SIGPROF if timer == signal.ITIMER_PROF else signal.SIGALRM
    previous = signal.signal(signum, _on_timer)
    signal.setitimer(timer, seconds)
    try:
        return run()
    finally:
        signal.setitimer(timer, 0)
        signal.signal(signum, previous)


def _outcome(case: Case, executor=None) -> tuple[str, str]:
    """(DECODED, ""), or the kind of the one-line TrainzipError the file is refused with and its message."""
    try:
        decoded = decompress(case.blob, executor=executor)
    except TrainzipError as error:
        assert "\n" not in str(error) and str(error), repr(error)
        return TALLY.kind(error), str(error)
    assert decoded == case.original, "a crafted file decoded to other bytes than the honest original"
    return DECODED, ""


def check_case(case: Case, *, on_pool: bool | None = None) -> None:
    """Decode one crafted file serially: a one-line TrainzipError, or exactly the honest original,
    within CASE_SECONDS of CPU time; a sampled case (``on_pool`` None: as `Tally.on_pool` samples)
    again on the pool, which must end the same way (refused, perhaps by another check first, or
    decoded) within POOL_CASE_SECONDS."""
    started = time.process_time()
    try:
        serial = _bounded(signal.ITIMER_PROF, CASE_SECONDS, lambda: _outcome(case))
    finally:
        seconds = time.process_time() - started
        TALLY.cases += 1
        TALLY.max_seconds = max(TALLY.max_seconds, seconds)
        TALLY.family_seconds[case.family] += seconds
    TALLY.outcomes[serial[0]] += 1
    TALLY.families[case.family][serial[0]] += 1
    if TALLY.on_pool(case, serial) if on_pool is None else on_pool:
        _check_on_pool(case, serial[0])
    _note_memory(case)
    if TALLY.report_every and TALLY.cases % TALLY.report_every == 0:
        print(f"{TALLY.cases:,} cases ({TALLY.pool_cases:,} also on the pool), slowest {TALLY.max_seconds:.3f} s, "
              f"peak {peak_rss_mb():,.0f} MB", flush=True)


def _check_on_pool(case: Case, serial: str) -> None:
    started = time.perf_counter()
    pooled = _bounded(signal.ITIMER_REAL, POOL_CASE_SECONDS, lambda: _outcome(case, pool()))[0]
    TALLY.max_pool_seconds = max(TALLY.max_pool_seconds, time.perf_counter() - started)
    TALLY.pool_seconds += time.perf_counter() - started
    TALLY.pool_cases += 1
    assert (pooled == DECODED) == (serial == DECODED), f"decoded serially: {serial}; on the pool: {pooled}"
    TALLY.pool_outcomes[DECODED if pooled == DECODED else "refused, the same message" if pooled == serial
                        else f"refused, another message: {pooled}"] += 1


def _note_memory(case: Case) -> None:
    TALLY.workers_peak_mb = max(TALLY.workers_peak_mb, workers_peak_mb())
    peak = max(peak_rss_mb(), TALLY.workers_peak_mb)
    if peak > (TALLY.peak_cases[-1][0] if TALLY.peak_cases else 0) + 20:
        TALLY.peak_cases.append((peak, describe(case)))
    if peak > PEAK_RSS_MB and not TALLY.over_bound:
        TALLY.over_bound.append(describe(case))


def describe(case: Case) -> str:
    """A crafted file's family, version, settings and lengths, as far as they parse."""
    try:
        container = unpack(case.blob)
    except TrainzipError as error:
        return f"{case.family}: {len(case.blob):,} bytes, unparsed ({error})"
    return (f"{case.family}: v{container.format_version}, {json.dumps(container.metadata)[:200]}, "
            f"total {container.original_length:,}, "
            f"blocks {[(block.original_length, len(block.payload), block.stored) for block in container.blocks]}")


def warm_up() -> None:
    """Compile (or load from Numba's cache) the kernels a case may reach, the exact network's among
    them (a file's settings may give `default`'s network any block), before the first case: their
    first compilation takes longer than a case's bound."""
    with_network = preset("default").replace(level="custom", network_min_bytes=0)
    assert decompress(compress(TEXT[:64], config=with_network)) == TEXT[:64]
    for original, blob in honest_files():
        assert decompress(blob) == original


def fuzz_test(cases: int, *, derandomize: bool, seed: int | None = None):
    """The Hypothesis test over ``cases`` crafted files (the caller closes the pool after it)."""
    warm_up()

    @settings(max_examples=cases, derandomize=derandomize, database=None, deadline=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(crafted_cases())
    def test(case):
        check_case(case)

    if seed is not None:
        from hypothesis import seed as with_seed

        test = with_seed(seed)(test)
    return test


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_mb() -> float:
    """The largest peak RSS (VmHWM) of the pool's live workers, 0 where none is running. (Not
    wait4's ru_maxrss of the ended ones: Linux counts in it the pages a worker shared with this
    process before it exec'd, so it reads as this process's own peak.) A refusal stops the pool,
    so only the cases it decodes leave workers to measure; the serial decoding of every case,
    bounded the same way, does the work a worker does."""
    processes = getattr(getattr(_pool, "_pool", None), "_processes", None) or {}
    peaks = [0.0]
    for pid in list(processes):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return max(peaks)


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user and system) of this process, and of its ended children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def print_tally(tally: Tally) -> None:
    """Each family's outcomes (refusals grouped by message), then the pool's."""
    for family in FAMILIES:
        outcomes = tally.families.get(family)
        if not outcomes:
            continue
        print(f"{family}: {sum(outcomes.values()):,} cases, {tally.family_seconds[family]:,.1f} s of CPU time")
        for kind, count in outcomes.most_common():
            print(f"  {count:>8,}  {kind}")
    print(f"on the pool ({POOL_WORKERS} workers): {tally.pool_cases:,} cases in {tally.pool_seconds:,.0f} s of wall "
          f"time, the slowest {tally.max_pool_seconds:.1f} s")
    for kind, count in tally.pool_outcomes.most_common():
        print(f"  {count:>8,}  {kind}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--pool-every", type=int, default=150,
                        help="decode on a pool of workers about 1 in this many cases of 2+ frames (0: none)")
    args = parser.parse_args()
    started = time.perf_counter()
    TALLY.report_every, TALLY.pool_every = 10_000, args.pool_every
    try:
        fuzz_test(args.cases, derandomize=False, seed=args.seed)()
    finally:
        close_pool()
    own, workers = cpu_seconds()
    print(f"cases run: {TALLY.cases:,} in {time.perf_counter() - started:,.0f} s (seed {args.seed}); CPU time "
          f"{own:,.0f} s in this process, {workers:,.0f} s in the pool's workers")
    print(f"slowest case: {TALLY.max_seconds:.3f} s of CPU time; peak RSS of the process: {peak_rss_mb():,.0f} MB, "
          f"of a pool worker: {TALLY.workers_peak_mb:,.0f} MB")
    print_tally(TALLY)
    print("cases that raised the peak RSS (MB after them):")
    for peak_mb, case in TALLY.peak_cases[-5:]:
        print(f"  {peak_mb:,.0f}  {case}")
    for case in TALLY.over_bound:
        print(f"PAST THE BOUND OF {PEAK_RSS_MB:,} MB after: {case}")
    return 1 if TALLY.over_bound else 0


if __name__ == "__main__":
    sys.exit(main())
