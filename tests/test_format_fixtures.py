"""Files written by every released format version still decode, byte for byte."""

from pathlib import Path

import pytest

from trainzip.codec import decompress
from trainzip.container import unpack

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VERSIONS = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("v"))


def test_there_is_a_fixture_for_the_current_version():
    """The current format version has its committed fixture."""
    from trainzip.container import FORMAT_VERSION

    assert (FIXTURES / f"v{FORMAT_VERSION}" / "original.txt.tz").exists()


@pytest.mark.parametrize("folder", VERSIONS, ids=[p.name for p in VERSIONS])
def test_released_file_decodes(folder):
    """The committed .tz decodes to its original.

    The fixtures use the `fast` level, whose model is integer-only, so the result cannot depend on
    the machine; the fingerprint (which names the trainzip release that wrote the file) is therefore
    not required to match, while the checksum still guards every byte.
    """
    blob = (folder / "original.txt.tz").read_bytes()
    assert unpack(blob).format_version == int(folder.name[1:])
    assert decompress(blob, ignore_fingerprint=True) == (folder / "original.txt").read_bytes()
