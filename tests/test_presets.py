"""Named levels: each revision fixed forever, recorded in a file by name (and revision) alone, and no
file that depends on the machine."""

import json
from pathlib import Path

import pytest

from tests.conftest import TINY, TINY_NEURAL
from tests.fixtures.make_fixtures import still_means
from trainzip.codec import compress, decompress
from trainzip.container import FORMAT_VERSION, unpack
from trainzip.errors import FormatError, TrainzipError
from trainzip.models.network.config import EXACT_LSTM, NetworkConfig
from trainzip.codec.presets import HISTORY, LEVELS, settings_from_record, settings_record

PINNED = Path(__file__).resolve().parent / "fixtures" / "presets.json"


def test_every_released_preset_is_pinned_forever():
    """A file names its level's revision, so what each (name, revision) stands for never changes:
    every revision ever released is in presets.json, every pinned setting keeps its value, and the
    pinned record rebuilds exactly the revision's settings (so a field added since, absent from
    the pin, defaults to the old behaviour). A new revision is appended to both, by
    tests/fixtures/make_fixtures.py."""
    from trainzip.codec.settings import CodecConfig

    pinned = json.loads(PINNED.read_text())
    assert [(p["name"], p["revision"]) for p in pinned] == [(p.name, p.revision) for p in HISTORY]
    for entry, recorded in zip(HISTORY, pinned):
        assert still_means(recorded["settings"], entry.config.to_dict()), (entry.name, entry.revision)
        assert CodecConfig.from_dict(recorded["settings"]) == entry.config, (entry.name, entry.revision)


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
    """{"level": "max"} stands for every setting of max, {"level": "default", "revision": 2} for
    default's second revision; a changed preset is written out whole."""
    first_default = next(p.config for p in HISTORY if (p.name, p.revision) == ("default", 1))
    assert settings_record(LEVELS["max"]) == {"level": "max"}
    assert settings_from_record({"level": "max"}) == LEVELS["max"]
    assert settings_record(LEVELS["default"]) == {"level": "default", "revision": 2}
    assert settings_from_record({"level": "default"}) == first_default
    changed = LEVELS["max"].replace(streams=4)
    assert settings_record(changed) == changed.to_dict()
    assert settings_from_record(settings_record(changed)) == changed


def test_an_unknown_level_in_a_file_is_a_format_error():
    """A level name or revision this release does not have is named in the error."""
    with pytest.raises(FormatError, match="'ultra'"):
        settings_from_record({"level": "ultra"})
    with pytest.raises(FormatError, match="revision 99"):
        settings_from_record({"level": "max", "revision": 99})


def test_no_file_compress_writes_depends_on_the_machine():
    """Integer models and the exact network compute alike everywhere, so no file carries a
    fingerprint; PyTorch's network, kept to decode 0.6's files, is refused for new ones."""
    data = b"integer arithmetic is the same on every machine. " * 40
    for config in (TINY, TINY_NEURAL, *LEVELS.values()):
        blob = compress(data, config=config)
        assert "fingerprint" not in unpack(blob).metadata
        assert decompress(blob) == data
    with pytest.raises(TrainzipError, match="torch-lstm"):
        compress(data, config=TINY_NEURAL.replace(network=NetworkConfig(hidden=16)))


def test_default_runs_the_exact_network_from_revision_2():
    """default codes with the exact LSTM from its revision 2 on; revision 1 still names PyTorch's
    (its files are 0.6's); fast and max have no network."""
    revisions = {(p.name, p.revision): p.config for p in HISTORY}
    assert revisions[("default", 1)].network.kind == "torch-lstm"
    assert LEVELS["default"] == revisions[("default", 2)] and LEVELS["default"].network.kind == EXACT_LSTM
    assert LEVELS["fast"].network is None and LEVELS["max"].network is None
