"""The curated public API: every name in trainzip.__all__ resolves."""

import trainzip


def test_every_public_name_resolves_to_what_it_names():
    """Lazy names import on first use, each from the module that defines it; the errors are classes
    of one family; nothing listed is missing, and nothing public is unlisted."""
    import importlib

    for name, module in trainzip._LAZY.items():
        assert getattr(trainzip, name) is getattr(importlib.import_module(module), name)
        assert callable(getattr(trainzip, name))
    import inspect

    from trainzip import errors

    error_names = {name for name, value in vars(errors).items()
                   if inspect.isclass(value) and issubclass(value, errors.TrainzipError)}
    for name in error_names:
        assert getattr(trainzip, name) is getattr(errors, name)
    assert set(trainzip.__all__) == set(trainzip._LAZY) | error_names | {"__version__"}
    assert trainzip.__version__.count(".") == 2


def test_top_level_round_trip():
    """trainzip.compress / trainzip.decompress are the codec's byte-string API."""
    data = b"training is compression " * 20
    assert trainzip.decompress(trainzip.compress(data, level="fast")) == data
