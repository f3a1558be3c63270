"""The .tz file: a self-describing, checksummed envelope around range-coded blocks."""

from trainzip.container.frames import FrameReader, FrameWriter
from trainzip.container.layout import (
    FORMAT_VERSION,
    MAGIC,
    Block,
    Container,
    open_reader,
    pack,
    unpack,
)
from trainzip.container.limits import FrameLimits

__all__ = ["FORMAT_VERSION", "MAGIC", "Block", "Container", "FrameLimits", "FrameReader", "FrameWriter", "open_reader",
           "pack", "unpack"]
