"""Ordinary damage at every level, on the files `compress` writes now (format version 7): every cut of
the header and the trailer and cuts across the payload, every bit of the header flipped and flips
across the rest, and flips with every CRC-32 recomputed (damage the checksums cannot see, caught by
the decoder: its payload bound, its block check or the digest). Each is one clean line, never a
traceback and never bytes other than the original's."""

from __future__ import annotations

import random
import zlib
from importlib import resources

import pytest

from trainzip.codec import compress, decompress
from trainzip.codec.presets import preset
from trainzip.container.fields import CRC
from trainzip.errors import TrainzipError

TEXT = resources.files("trainzip").joinpath("data/sample.txt").read_bytes()
ORIGINAL = TEXT[:2400] + random.Random(15).randbytes(1200) + TEXT[2400:3000]  # the third 1,200-byte block is stored
HEAD_BYTES = 16  # magic, version, metadata, the last frame's header and the start of the payload
SPREAD = 40  # cuts and flips spread across the rest of the file


def _flip(blob: bytes, bit: int) -> bytes:
    damaged = bytearray(blob)
    damaged[bit // 8] ^= 1 << (bit % 8)
    return bytes(damaged)


def _with_final_crc(blob: bytes) -> bytes:
    """The file with its final CRC-32 recomputed (a one-block file has no other)."""
    return blob[:-CRC.size] + CRC.pack(zlib.crc32(blob[:-CRC.size]))


def fault_cases(blob: bytes) -> list[tuple[str, bytes]]:
    """Truncations, bit flips and CRC-recomputed flips of ``blob``, named."""
    size = len(blob)
    spread = sorted({HEAD_BYTES + (size - HEAD_BYTES) * i // SPREAD for i in range(SPREAD)})
    cuts = sorted(set(range(min(HEAD_BYTES, size))) | set(spread) | set(range(max(0, size - 12), size)))
    cases = [(f"cut at {cut}", blob[:cut]) for cut in cuts]
    bits = sorted(set(range(8 * min(HEAD_BYTES, size))) | {8 * offset + offset % 8 for offset in spread}
                  | set(range(8 * (size - 12), 8 * size, 5)))
    cases += [(f"flip bit {bit}", _flip(blob, bit)) for bit in bits]
    payload_bits = [8 * offset + 3 for offset in spread[::4] if offset < size - 12]
    cases += [(f"flip bit {bit}, CRC recomputed", _with_final_crc(_flip(blob, bit))) for bit in payload_bits]
    return cases


def _files() -> dict[str, bytes]:
    """A file of each level, and one of several frames (a stored one among them)."""
    files = {level: compress(ORIGINAL, level=level) for level in ("fast", "default", "max")}
    files["fast, 4 frames"] = compress(ORIGINAL, config=preset("fast").replace(level="custom", block_size=1200))
    return files


@pytest.fixture(scope="module")
def files():
    return _files()


@pytest.mark.parametrize("name", ["fast", "default", "max", "fast, 4 frames"])
def test_every_cut_and_flip_is_one_clean_error(files, name):
    """Each damaged file gives a one-line TrainzipError; none decodes to other bytes than the original."""
    blob = files[name]
    assert decompress(blob) == ORIGINAL
    cases = fault_cases(blob)
    assert len(cases) > 150
    for case, damaged in cases:
        try:
            decoded = decompress(damaged)
        except TrainzipError as error:
            assert "\n" not in str(error) and str(error), case
        else:  # a payload flip the checksums were recomputed over may still land in the final interval
            assert case.endswith("CRC recomputed") and decoded == ORIGINAL, case
