"""The .tz file: a self-describing, checksummed envelope around range-coded blocks."""

from trainzip.container.layout import (
    FORMAT_VERSION,
    MAGIC,
    Block,
    Container,
    pack,
    unpack,
)

__all__ = ["FORMAT_VERSION", "MAGIC", "Block", "Container", "pack", "unpack"]
