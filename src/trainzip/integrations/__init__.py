"""Optional bridges to training frameworks; each is an extra, and nothing in trainzip imports them.

`is_lightning_available()`, `is_transformers_available()`, `is_tensorboard_available()` and
`is_torchmetrics_available()` say whether an extra is installed
without importing it.
"""

from importlib.util import find_spec


def is_lightning_available() -> bool:
    """Whether `lightning` (pip install 'trainzip[lightning]') can be imported."""
    return find_spec("lightning") is not None


def is_transformers_available() -> bool:
    """Whether `transformers` (pip install 'trainzip[transformers]') can be imported."""
    return find_spec("transformers") is not None


def is_tensorboard_available() -> bool:
    """Whether `tensorboard` (pip install 'trainzip[tensorboard]') can be imported."""
    return find_spec("tensorboard") is not None


def is_torchmetrics_available() -> bool:
    """Whether `torchmetrics` (pip install 'trainzip[torchmetrics]') can be imported."""
    return find_spec("torchmetrics") is not None


__all__ = ["is_lightning_available", "is_tensorboard_available", "is_torchmetrics_available",
           "is_transformers_available"]
