"""The decoder's memory limit as a user sets it (xz's ``--memlimit``): its default, how a size is
written, and where it comes from (the option, else ``$TRAINZIP_MEMLIMIT``, else the default). What a
block needs, checked against it, is `trainzip.codec.decode_memory`; this module loads nothing, so the
command line parses the option before any codec is imported.
"""

from __future__ import annotations

import os
import re

from trainzip.errors import TrainzipError

MiB = 1 << 20
GiB = 1 << 30
# Enough for every level of every release at its own block size (max, the largest, needs 2.4 GiB),
# with a margin of at least 1.2 (tests/test_decode_memory.py checks both).
DEFAULT_LIMIT_BYTES = 3 * GiB
ENVIRONMENT = "TRAINZIP_MEMLIMIT"
NO_LIMIT = "max"

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "kb": 1000, "m": MiB, "mib": MiB, "mb": 1000 ** 2,
          "g": GiB, "gib": GiB, "gb": 1000 ** 3, "t": 1 << 40, "tib": 1 << 40, "tb": 1000 ** 4}


def parse_size(text: str) -> int | None:
    """A limit as a user writes it: bytes, or with a unit (K, M, G as xz reads them, 1024-based; KiB,
    MiB, GiB; KB, MB, GB 1000-based), or 'max' for none (None)."""
    cleaned = text.strip().lower()
    if cleaned == NO_LIMIT:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", cleaned)
    if not match or match.group(2) not in _UNITS:
        raise TrainzipError(f"memory limit {text!r:.40}: give a size such as 3GiB, 500M or 2000000000, or "
                            f"'{NO_LIMIT}' for none")
    size = int(float(match.group(1)) * _UNITS[match.group(2)])
    if size < 1:
        raise TrainzipError(f"memory limit {text!r:.40} must be positive ('{NO_LIMIT}' for none)")
    return size


def resolve_limit(option: str | None) -> int | None:
    """The limit in force: --memlimit, else $TRAINZIP_MEMLIMIT, else the default."""
    if option is not None:
        return parse_size(option)
    if os.environ.get(ENVIRONMENT):
        try:
            return parse_size(os.environ[ENVIRONMENT])
        except TrainzipError as error:
            raise TrainzipError(f"{ENVIRONMENT}: {error}") from None
    return DEFAULT_LIMIT_BYTES


def format_size(size: int, *, up: bool = False) -> str:
    """A size in MiB or GiB with one decimal (rounded up with ``up``, for a limit that must suffice)."""
    unit, name = (GiB, "GiB") if size >= GiB else (MiB, "MiB")
    tenths = -(-size * 10 // unit) if up else round(size * 10 / unit)
    return f"{tenths // 10}.{tenths % 10} {name}"


def limit_option(need: int) -> str:
    """The --memlimit value that lets a need of ``need`` bytes through, as a user would type it."""
    return format_size(need, up=True).replace(" ", "")
