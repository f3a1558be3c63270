"""Named levels: fixed per format version, recorded in a file by name alone, and a fingerprint only
where a network's floats enter the code."""

import json
from pathlib import Path

import pytest

from tests.conftest import TINY, TINY_NEURAL
from trainzip.codec import compress, decompress
from trainzip.container import FORMAT_VERSION, unpack
from trainzip.errors import FormatError
from trainzip.codec.presets import HISTORY, LEVELS, settings_from_record, settings_record

PINNED = Path(__file__).resolve().parent / "fixtures" / "presets.json"


def test_every_released_preset_is_pinned_forever():
    """A file names its level's revision, so what each (name, revision) stands for never changes:
    every revision ever released is in presets.json with exactly its settings (a new revision is
    appended to both, by tests/fixtures/make_fixtures.py)."""
    pinned = json.loads(PINNED.read_text())
    assert [(p["name"], p["revision"]) for p in pinned] == [(p.name, p.revision) for p in HISTORY]
    for entry, recorded in zip(HISTORY, pinned):
        assert entry.config.to_dict() == recorded["settings"], (entry.name, entry.revision)


def test_defaults_of_recorded_settings_never_change():
    """A custom file records its settings by field name; a field added later is absent from older
    files and takes its default, so every default must keep meaning what older releases did (a new
    field's default is the old behaviour; add it to defaults.json, never change one there)."""
    from trainzip.codec.settings import CodecConfig

    pinned = json.loads((PINNED.parent / "defaults.json").read_text())
    assert CodecConfig().to_dict() == pinned


def test_each_level_codes_with_its_newest_revision():
    """--level NAME is the last revision of NAME in the history."""
    for name, config in LEVELS.items():
        assert config == [p.config for p in HISTORY if p.name == name][-1]


def test_an_older_revision_is_still_read_by_its_record():
    """Every revision's record rebuilds exactly its settings, and is what such a file records."""
    for entry in HISTORY:
        assert settings_record(entry.config) == entry.record
        assert settings_from_record(dict(entry.record)) == entry.config


def test_a_preset_is_recorded_by_name_and_anything_else_in_full():
    """{"level": "max"} stands for every setting of max; a changed preset is written out whole."""
    assert settings_record(LEVELS["max"]) == {"level": "max"}
    assert settings_from_record({"level": "max"}) == LEVELS["max"]
    changed = LEVELS["max"].replace(streams=4)
    assert settings_record(changed) == changed.to_dict()
    assert settings_from_record(settings_record(changed)) == changed


def test_an_unknown_level_in_a_file_is_a_format_error():
    """A level name or revision this release does not have is named in the error."""
    with pytest.raises(FormatError, match="'ultra'"):
        settings_from_record({"level": "ultra"})
    with pytest.raises(FormatError, match="revision 99"):
        settings_from_record({"level": "max", "revision": 99})


def test_only_a_network_makes_a_file_depend_on_the_machine():
    """Integer-only models decode alike everywhere, so their files carry no fingerprint; with the
    network in the mix the fingerprint is recorded (and checked before decoding)."""
    data = b"integer arithmetic is the same on every machine. " * 40
    integer_only = compress(data, config=TINY)
    assert "fingerprint" not in unpack(integer_only).metadata
    assert decompress(integer_only) == data
    networked = compress(data, config=TINY_NEURAL)
    assert unpack(networked).metadata["fingerprint"]["threads"] == 1
