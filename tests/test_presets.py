"""Named levels: fixed per format version, recorded in a file by name alone, and a fingerprint only
where a network's floats enter the code."""

import json
from pathlib import Path

import pytest

from tests.conftest import TINY, TINY_NEURAL
from trainzip.codec import compress, decompress
from trainzip.container import FORMAT_VERSION, unpack
from trainzip.errors import FormatError
from trainzip.codec.presets import LEVELS, settings_from_record, settings_record

PINNED = Path(__file__).resolve().parent / "fixtures" / f"v{FORMAT_VERSION}" / "presets.json"


def test_presets_are_pinned_by_the_format_version():
    """A file names its level, so a level's settings belong to the format version: changing one
    must come with a new version (and a new presets.json from tests/fixtures/make_fixtures.py)."""
    assert {name: config.to_dict() for name, config in LEVELS.items()} == json.loads(PINNED.read_text())


def test_a_preset_is_recorded_by_name_and_anything_else_in_full():
    """{"level": "max"} stands for every setting of max; a changed preset is written out whole."""
    assert settings_record(LEVELS["max"]) == {"level": "max"}
    assert settings_from_record({"level": "max"}) == LEVELS["max"]
    changed = LEVELS["max"].replace(streams=4)
    assert settings_record(changed) == changed.to_dict()
    assert settings_from_record(settings_record(changed)) == changed


def test_an_unknown_level_in_a_file_is_a_format_error():
    """A level name this release does not have is named in the error."""
    with pytest.raises(FormatError, match="'ultra'"):
        settings_from_record({"level": "ultra"})


def test_only_a_network_makes_a_file_depend_on_the_machine():
    """Integer-only models decode alike everywhere, so their files carry no fingerprint; with the
    network in the mix the fingerprint is recorded (and checked before decoding)."""
    data = b"integer arithmetic is the same on every machine. " * 40
    integer_only = compress(data, config=TINY)
    assert "fingerprint" not in unpack(integer_only).metadata
    assert decompress(integer_only) == data
    networked = compress(data, config=TINY_NEURAL)
    assert unpack(networked).metadata["fingerprint"]["threads"] == 1
