"""The .tz file: a self-describing, checksummed envelope around range-coded blocks.

What a file holds (`contents`) and how it opens (`versions`) are the floor; `frames` (version 7)
and `layout_v6` (version 6, read only) lay it out in bytes, and `layout` is the entry points."""

from trainzip.container.contents import Block, Container
from trainzip.container.frames import FrameReader, FrameWriter
from trainzip.container.layout import open_reader, pack, unpack
from trainzip.container.limits import FrameLimits
from trainzip.container.versions import FORMAT_VERSION, MAGIC

__all__ = ["FORMAT_VERSION", "MAGIC", "Block", "Container", "FrameLimits", "FrameReader", "FrameWriter", "open_reader",
           "pack", "unpack"]
