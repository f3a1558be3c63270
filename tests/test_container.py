"""The .tz envelope: every truncation and every single flipped bit is caught before decoding; every
length is checked against what the settings allow before the bytes it counts are read."""

import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest

from trainzip.container import FORMAT_VERSION, Block, Container, FrameLimits, open_reader, pack, unpack
from trainzip.container.fields import varint
from trainzip.container.layout import MAGIC, read_version
from trainzip.errors import FormatError, TrainzipError, VersionError

V6_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "v6" / "original.txt.tz"


def _crc(data: bytes) -> int:
    return zlib.crc32(data)


@pytest.fixture(scope="module")
def packed() -> bytes:
    """Three frames: a coded one, a stored one, and the last."""
    metadata = {"kind": "bytes", "config": {"level": "fast"}, "fingerprint": {"threads": 1}}
    blocks = [Block(20, b"\x01\x02\x03\x04" * 3, original_crc32=_crc(b"a" * 20)),
              Block(20, b"s" * 20, stored=True, original_crc32=_crc(b"s" * 20)),
              Block(13, b"\x05\x06\x07\x00")]
    return pack(Container(metadata, 53, hashlib.sha256(b"x").digest(), blocks))


def test_round_trip(packed):
    """What is packed unpacks unchanged (the last word's zero padding is restored)."""
    container = unpack(packed)
    assert container.metadata["config"] == {"level": "fast"}
    assert container.original_length == 53 and container.format_version == FORMAT_VERSION
    assert [b.payload for b in container.blocks] == [b"\x01\x02\x03\x04" * 3, b"s" * 20, b"\x05\x06\x07\x00"]
    assert [b.stored for b in container.blocks] == [False, True, False]
    assert [b.original_crc32 for b in container.blocks] == [_crc(b"a" * 20), _crc(b"s" * 20), None]


def test_every_truncation_is_reported(packed):
    """Cutting the file at any byte gives a FormatError (never a crash or a silent success)."""
    for cut in range(len(packed)):
        with pytest.raises(FormatError):
            unpack(packed[:cut])


def test_every_single_bit_flip_is_reported(packed):
    """Flipping any one bit of the file is a clean trainzip error, found before any decoding."""
    for index in range(len(packed) * 8):
        damaged = bytearray(packed)
        damaged[index // 8] ^= 1 << (index % 8)
        with pytest.raises(TrainzipError):
            unpack(bytes(damaged))


def test_a_version_6_file_still_reads_and_its_damage_is_caught():
    """Format version 6 is read as before; a cut or a flipped bit of it is still an error."""
    blob = V6_FIXTURE.read_bytes()
    assert unpack(blob).format_version == 6
    for cut in range(0, len(blob), max(1, len(blob) // 50)):
        with pytest.raises(FormatError):
            unpack(blob[:cut])
    for index in range(0, len(blob) * 8, max(1, len(blob) * 8 // 80)):
        damaged = bytearray(blob)
        damaged[index // 8] ^= 1 << (index % 8)
        with pytest.raises(TrainzipError):
            unpack(bytes(damaged))


def test_foreign_and_empty_files():
    """A gzip file and an empty file are named as not being trainzip files."""
    with pytest.raises(FormatError, match="not a trainzip file"):
        unpack(b"\x1f\x8b\x08\x00rest of a gzip file")
    with pytest.raises(FormatError, match="empty"):
        unpack(b"")


def test_unknown_version_is_named(packed):
    """A future format version is refused with its number in the message."""
    with pytest.raises(VersionError, match="unsupported format version 8"):
        read_version(MAGIC + b"\x08" + packed[5:])


@pytest.mark.parametrize("garbage", [b"\0", b"junk\n", b"\0" * 512, None], ids=["byte", "text", "padding", "a-copy"])
def test_trailing_garbage_is_refused_as_such(packed, garbage):
    """Bytes appended after the final checksum (a byte, a line, tape padding, a second file) are
    refused and named as trailing garbage, with their count, not as truncation or damage."""
    garbage = packed if garbage is None else garbage
    with pytest.raises(FormatError, match=f"{len(garbage):,} bytes of trailing garbage"):
        unpack(packed + garbage)


def test_trailing_garbage_after_a_version_6_file_is_named_too():
    """A version 6 file with a line appended says so as well."""
    with pytest.raises(FormatError, match="5 bytes of trailing garbage"):
        unpack(V6_FIXTURE.read_bytes() + b"junk\n")


def test_trailing_garbage_is_looked_for_only_near_the_end(packed):
    """Past 64 KiB of garbage the file's end is not searched for (a damaged file costs bounded time):
    it is reported as failing its checksum."""
    with pytest.raises(FormatError, match="CRC-32"):
        unpack(packed + b"\0" * (1 << 17))


def test_a_preset_file_has_a_small_envelope():
    """Magic 4, version 1, the level's index 1, the last frame's header 2 (total length 1000, mode),
    digest 8 and the CRC 4: 20 bytes (format version 6 spent 21), so the header does not decide how
    a small file compares."""
    from trainzip.codec import KIND

    data = b"x" * 1000
    blob = pack(Container({"kind": KIND, "config": {"level": "max"}}, len(data), hashlib.sha256(data).digest(),
                          [Block(len(data), b"")]))
    assert len(blob) == 20
    assert unpack(blob).metadata == {"kind": KIND, "config": {"level": "max"}}


@pytest.mark.parametrize("length", [0, 1, 31, 32, 127, 128, 4095, 4096, 16383, 16384, 1 << 19, 1 << 21, 1 << 24])
def test_one_block_envelope_is_never_larger_than_version_6(length):
    """For every length, a one-block file of a named level spends no more on its envelope than format
    version 6 did (4 + 1 + 1 + varint(length) + 8 + 1 + 4 bytes)."""
    blocks = [Block(length, b"")] if length else []
    blob = pack(Container({"kind": "bytes", "config": {"level": "fast"}}, length, bytes(8), blocks))
    assert len(blob) <= 4 + 1 + 1 + len(varint(length)) + 8 + 1 + 4


def test_every_level_is_recorded_in_one_byte():
    """Each revision of each level is one of the named headers, in the order released (a new
    revision is appended there too: an index, once written, means the same forever)."""
    from trainzip.codec import KIND
    from trainzip.codec.presets import HISTORY
    from trainzip.container.metadata import NAMED_METADATA

    assert [{"config": entry.record, "kind": KIND} for entry in HISTORY] == list(NAMED_METADATA)


def _file(*fields: bytes, final_crc: bool = True) -> bytes:
    """A version 7 file of the fast level from raw fields, each frame's CRC computed (under a valid
    CRC, a file crafted from the documentation rather than damaged)."""
    body = MAGIC + bytes([FORMAT_VERSION, 1])
    for part in fields:
        body += part if part != b"CRC" else struct.pack("<I", zlib.crc32(body))
    return body + struct.pack("<I", zlib.crc32(body)) if final_crc else body


def test_an_unknown_named_header_is_refused():
    """A header index past the named ones (under a valid CRC: a file from a later release) is an error."""
    body = MAGIC + bytes([FORMAT_VERSION, 2 * 7 + 1, 1]) + bytes(8)
    with pytest.raises(FormatError, match="names settings that do not exist"):
        unpack(body + struct.pack("<I", zlib.crc32(body)))


CODEC_LIMITS = FrameLimits(block_length=1000, coded_below_length=True)


@pytest.mark.parametrize("fields, message", [
    ((varint(((1 << 40) * 2) * 2), varint(10)), "implausible length"),  # a block far past the block size
    ((varint((999 * 2) * 2), varint(10)), "implausible length"),  # an inner block shorter than the block size
    ((varint((1000 * 2) * 2), varint(1 << 40)), "longer than its block allows"),  # a payload past its block
    ((varint((1000 * 2) * 2), varint(1000)), "longer than its block allows"),  # coded, yet as long as stored
    ((varint((5000 * 2) * 2 + 1),), "implausible length"),  # a last block past the block size
], ids=["block-too-long", "inner-block-short", "huge-payload", "coded-not-shorter", "last-block-too-long"])
def test_crafted_lengths_are_refused_before_anything_is_read(fields, message):
    """Under the settings' limits, each length is checked before the bytes it counts are read: a
    crafted length gives one error and allocates nothing (the file holds none of those bytes)."""
    blob = _file(*fields, b"rest of the file", final_crc=False)
    with pytest.raises(FormatError, match=message):
        list(open_reader(io.BytesIO(blob), limits_for=lambda metadata: CODEC_LIMITS).blocks())


def test_last_payload_is_read_no_further_than_its_block_allows():
    """The last frame's payload runs to the trailer; a file whose rest is longer than its block could
    need is refused after reading no more than that bound (not the 10 MB that follow)."""
    head = MAGIC + bytes([FORMAT_VERSION, 1]) + varint((10 * 2) * 2 + 1)
    source = io.BytesIO(head + bytes(10_000_000))
    with pytest.raises(FormatError, match="longer than its block allows"):
        list(open_reader(source, limits_for=lambda metadata: CODEC_LIMITS).blocks())
    assert source.tell() <= len(head) + 10 + 12 + 1


def test_frames_are_checked_before_they_are_given_out(packed):
    """A damaged inner frame is refused when it is read, before any later frame (so a streaming
    decoder never decodes a frame its CRC has not passed)."""
    damaged = bytearray(packed)
    damaged[12] ^= 0x10  # inside the first frame's payload
    reader = open_reader(io.BytesIO(bytes(damaged)))
    with pytest.raises(FormatError, match="CRC-32"):
        next(reader.blocks())
