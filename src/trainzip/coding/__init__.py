"""Entropy coding: probabilities to integer frequencies, and a channel that codes symbols.

Knows nothing of networks or files; the prequential loop joins it to the learners.
"""

from trainzip.coding.channel import Channel, DecodeChannel, EncodeChannel
from trainzip.coding.quantize import FREQUENCY_BITS, ideal_bits, quantize

__all__ = ["Channel", "DecodeChannel", "EncodeChannel", "FREQUENCY_BITS", "ideal_bits", "quantize"]
