"""The curated public API: every name in trainzip.__all__ resolves."""

import trainzip


def test_every_public_name_resolves():
    """Lazy names import on first use; nothing listed is missing."""
    for name in trainzip.__all__:
        assert getattr(trainzip, name) is not None


def test_top_level_round_trip():
    """trainzip.compress / trainzip.decompress are the codec's byte-string API."""
    data = b"training is compression " * 20
    assert trainzip.decompress(trainzip.compress(data, level="fast")) == data
