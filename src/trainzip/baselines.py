"""Classical compressors behind one `bytes -> bytes` protocol, so they plug in beside trainzip.

Each entry maps a name to (compress, decompress). Optional ones (brotli, zstd, PPMd) appear only
when their package is installed (the `bench` extra).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Callable

Codec = tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]


def _standard() -> dict[str, Codec]:
    return {
        "gzip -9": (lambda d: gzip.compress(d, 9, mtime=0), gzip.decompress),
        "bzip2 -9": (lambda d: bz2.compress(d, 9), bz2.decompress),
        "xz -9e": (lambda d: lzma.compress(d, preset=9 | lzma.PRESET_EXTREME), lzma.decompress),
    }


def _optional() -> dict[str, Codec]:
    codecs: dict[str, Codec] = {}
    try:
        import zstandard

        codecs["zstd -19"] = (lambda d: zstandard.ZstdCompressor(level=19).compress(d),
                              lambda d: zstandard.ZstdDecompressor().decompress(d))
    except ImportError:
        pass
    try:
        import brotli

        codecs["brotli -q 11"] = (lambda d: brotli.compress(d, quality=11), brotli.decompress)
    except ImportError:
        pass
    try:
        import pyppmd

        for order in (6, 16):
            codecs[f"PPMd o{order}"] = _ppmd(pyppmd, order)
    except ImportError:
        pass
    return codecs


def _ppmd(pyppmd, order: int) -> Codec:
    """PPMd variant I (pyppmd's default) with 16 MB of model memory and an end mark."""
    memory = 16 << 20
    return (lambda d: pyppmd.compress(d, max_order=order, mem_size=memory),
            lambda d: pyppmd.decompress(d, max_order=order, mem_size=memory))


def baselines(names: list[str] | None = None) -> dict[str, Codec]:
    """Available classical compressors, optionally only those named."""
    codecs = {**_standard(), **_optional()}
    return {name: codec for name, codec in codecs.items() if names is None or name in names}
