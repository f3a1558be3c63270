"""trainzip: training is compression, in bits you can check.

A network trained online on a file arithmetic-codes it (`compress`); replaying the same training
decodes it (`decompress`). The same accounting drops into any PyTorch loop.
"""

from trainzip import numerics as _numerics  # noqa: F401  (sets MKL reproducibility before torch loads)
from trainzip._version import __version__
from trainzip.errors import (FingerprintError, FormatError, InputError, IntegrityError, MemoryLimitError,
                             ResumeError, TrainingMismatchError, TrainzipError, VersionError)

# Imported on first use: they pull in torch, and `import trainzip` should stay cheap.
_LAZY = {
    "compress": "trainzip.codec",
    "decompress": "trainzip.codec",
    "PrequentialMeter": "trainzip.meter",
    "decode_labels": "trainzip.labels",
    "encode_labels": "trainzip.labels",
    "decode_tokens": "trainzip.labels",
    "encode_tokens": "trainzip.labels",
    "switch_code": "trainzip.switching",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'trainzip' has no attribute {name!r}")


__all__ = [
    "__version__",
    "compress",
    "decompress",
    "PrequentialMeter",
    "decode_labels",
    "encode_labels",
    "decode_tokens",
    "encode_tokens",
    "switch_code",
    "FingerprintError",
    "FormatError",
    "InputError",
    "IntegrityError",
    "MemoryLimitError",
    "ResumeError",
    "TrainingMismatchError",
    "TrainzipError",
    "VersionError",
]
