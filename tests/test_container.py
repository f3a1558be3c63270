"""The .tz envelope: every truncation and every single flipped bit is caught before decoding."""

import hashlib

import pytest

from trainzip.container import FORMAT_VERSION, Block, Container, pack, unpack
from trainzip.container.layout import MAGIC, read_version
from trainzip.errors import FormatError, TrainzipError, VersionError


@pytest.fixture(scope="module")
def packed() -> bytes:
    data = b"abracadabra" * 3
    metadata = {"kind": "bytes", "config": {"level": "fast"}, "fingerprint": {"threads": 1}}
    return pack(Container(metadata, len(data), hashlib.sha256(data).digest(),
                          [Block(20, b"\x01\x02\x03\x04" * 3), Block(13, b"\x05\x06\x07\x00")]))


def test_round_trip(packed):
    """What is packed unpacks unchanged (the last word's zero padding is restored)."""
    container = unpack(packed)
    assert container.metadata["config"] == {"level": "fast"}
    assert container.original_length == 33
    assert [b.payload for b in container.blocks] == [b"\x01\x02\x03\x04" * 3, b"\x05\x06\x07\x00"]


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


def test_foreign_and_empty_files():
    """A gzip file and an empty file are named as not being trainzip files."""
    with pytest.raises(FormatError, match="not a trainzip file"):
        unpack(b"\x1f\x8b\x08\x00rest of a gzip file")
    with pytest.raises(FormatError, match="empty"):
        unpack(b"")


def test_unknown_version_is_named(packed):
    """A future format version is refused with its number in the message."""
    with pytest.raises(VersionError, match="unsupported format version 7"):
        read_version(MAGIC + b"\x07" + packed[5:])


@pytest.mark.parametrize("garbage", [b"\0", b"junk\n", b"\0" * 512, None], ids=["byte", "text", "padding", "a-copy"])
def test_trailing_garbage_is_refused_as_such(packed, garbage):
    """Bytes appended after the final checksum (a byte, a line, tape padding, a second file) are
    refused and named as trailing garbage, with their count, not as truncation or damage."""
    garbage = packed if garbage is None else garbage
    with pytest.raises(FormatError, match=f"{len(garbage):,} bytes of trailing garbage"):
        unpack(packed + garbage)


def test_trailing_garbage_is_looked_for_only_near_the_end(packed):
    """Past 64 KiB of garbage the file's end is not searched for (a damaged file costs bounded time):
    it is reported as failing its checksum."""
    with pytest.raises(FormatError, match="CRC-32"):
        unpack(packed + b"\0" * (1 << 17))


def test_a_preset_file_has_a_small_envelope():
    """Magic 4, version 1, the level's index 1, length 2, digest 8, one block's mode 1 and the CRC 4:
    21 bytes, so the header does not decide how a small file compares."""
    from trainzip.codec import KIND

    data = b"x" * 1000
    blob = pack(Container({"kind": KIND, "config": {"level": "max"}}, len(data), hashlib.sha256(data).digest(),
                          [Block(len(data), b"")]))
    assert len(blob) == 21
    assert unpack(blob).metadata == {"kind": KIND, "config": {"level": "max"}}


def test_every_level_is_recorded_in_one_byte():
    """Each revision of each level is one of the named headers, in the order released (a new
    revision is appended there too: an index, once written, means the same forever)."""
    from trainzip.codec import KIND
    from trainzip.codec.presets import HISTORY
    from trainzip.container.layout import NAMED_METADATA

    assert [{"config": entry.record, "kind": KIND} for entry in HISTORY] == list(NAMED_METADATA)


def test_an_unknown_named_header_is_refused():
    """A header index past the named ones (under a valid CRC: a file from a later release) is an error."""
    import struct
    import zlib

    body = MAGIC + bytes([FORMAT_VERSION, 2 * 7 + 1, 0]) + bytes(8) + bytes([0])
    with pytest.raises(FormatError, match="names settings that do not exist"):
        unpack(body + struct.pack("<I", zlib.crc32(body)))
