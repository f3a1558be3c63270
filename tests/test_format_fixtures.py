"""Files written by every released format version: the supported ones decode byte for byte, the
retired ones are refused with a clear error instead of decoding to garbage, and no version is
retired again (docs/format.md, "The promise")."""

from pathlib import Path

import pytest

from trainzip.codec import decompress
from trainzip.container import FORMAT_VERSION, unpack
from trainzip.container.layout import RETIRED_VERSIONS, SUPPORTED_VERSIONS
from trainzip.errors import VersionError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VERSIONS = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("v"))
SUPPORTED = [p for p in VERSIONS if int(p.name[1:]) in SUPPORTED_VERSIONS]
RETIRED = [p for p in VERSIONS if int(p.name[1:]) not in SUPPORTED_VERSIONS]


def test_there_is_a_fixture_for_the_current_version():
    """The current format version has its committed fixture."""
    assert (FIXTURES / f"v{FORMAT_VERSION}" / "original.txt.tz").exists()


FROZEN_RETIRED = {1, 2, 3, 4, 5}  # retired before 0.7.0's promise; the list never grows


def test_no_format_version_is_retired_again():
    """Only the versions retired before the promise are refused; every version from 6 to the
    current one is read, and every committed fixture is either frozen-retired or decodes below."""
    assert set(RETIRED_VERSIONS) == FROZEN_RETIRED
    assert set(range(6, FORMAT_VERSION + 1)) <= set(SUPPORTED_VERSIONS)
    assert {int(p.name[1:]) for p in RETIRED} <= FROZEN_RETIRED
    assert SUPPORTED and all(int(p.name[1:]) in SUPPORTED_VERSIONS for p in SUPPORTED)


@pytest.mark.parametrize("folder", SUPPORTED, ids=[p.name for p in SUPPORTED])
def test_supported_file_decodes(folder):
    """The committed .tz decodes to its original (its model is integer-only, so it carries no
    fingerprint and decodes on any machine)."""
    blob = (folder / "original.txt.tz").read_bytes()
    assert unpack(blob).format_version == int(folder.name[1:])
    assert decompress(blob) == (folder / "original.txt").read_bytes()


@pytest.mark.parametrize("folder", RETIRED, ids=[p.name for p in RETIRED])
def test_retired_version_is_refused_by_name(folder):
    """A file of a retired format version (its model is gone) names its version in the error."""
    blob = (folder / "original.txt.tz").read_bytes()
    with pytest.raises(VersionError, match=f"format version {folder.name[1:]}"):
        decompress(blob)
