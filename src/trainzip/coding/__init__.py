"""Entropy coding: probabilities to integer frequencies, and a channel that codes symbols.

Knows nothing of networks or files; the prequential loop joins it to the learners. The channels
are imported on first use: the byte codec needs only `bit_channel`, and should not pay for
constriction at start-up.
"""

import importlib

from trainzip.coding.quantize import FREQUENCY_BITS, ideal_bits, quantize

_LAZY = {"Channel": "trainzip.coding.channel", "DecodeChannel": "trainzip.coding.channel",
         "EncodeChannel": "trainzip.coding.channel"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'trainzip.coding' has no attribute {name!r}")


__all__ = ["Channel", "DecodeChannel", "EncodeChannel", "FREQUENCY_BITS", "ideal_bits", "quantize"]
