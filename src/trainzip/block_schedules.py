"""Block schedules: where an online code stops to retrain its model.

An online (prequential) code over blocks sends block 1 with the uniform code, then for each
later block trains a model on everything before it and codes the block under that model. The
schedule is the list of block *ends* (cumulative sample counts, strictly increasing, last = n).
MDL probes (`trainzip.probing`) and label streams (`trainzip.labels`) both cut their data here,
so the two cut the same data at the same places; this module knows nothing of either.

Two schedules from the literature:

- ``voita``: Voita & Titov (2020), block ends at 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.25, 12.5, 25,
  50 and 100 % of the data. Fractions are applied with exact arithmetic and floored, so that a
  test can compute them by hand; an end that rounds to an earlier one is dropped.
- ``doubling``: Blier & Ollivier (2018), blocks that double from 8 samples: ends 8, 16, 32, ...,
  then n.
"""

from __future__ import annotations

from fractions import Fraction

VOITA_PERCENTS = ("0.1", "0.2", "0.4", "0.8", "1.6", "3.2", "6.25", "12.5", "25", "50", "100")
"""Voita & Titov's block ends, in percent of the data (strings, so no float rounding creeps in)."""

DOUBLING_FIRST_SAMPLES = 8
"""Blier & Ollivier's first block size; each later block doubles the data seen."""

SCHEDULES = ("voita", "doubling")


def voita_ends(n_samples: int) -> list[int]:
    """Block ends for Voita & Titov's fractions of ``n_samples`` (floored, at least 1, deduplicated)."""
    _check_size(n_samples)
    ends = [max(1, int(Fraction(p) * n_samples / 100)) for p in VOITA_PERCENTS]
    return _strictly_increasing(ends)


def doubling_ends(n_samples: int, first_samples: int = DOUBLING_FIRST_SAMPLES) -> list[int]:
    """Block ends 8, 16, 32, ... below ``n_samples``, then ``n_samples`` itself."""
    _check_size(n_samples)
    ends, end = [], first_samples
    while end < n_samples:
        ends.append(end)
        end *= 2
    ends.append(n_samples)
    return ends


def block_ends(schedule: str, n_samples: int) -> list[int]:
    """The block ends of a schedule named ``voita`` or ``doubling``."""
    if schedule == "voita":
        return voita_ends(n_samples)
    if schedule == "doubling":
        return doubling_ends(n_samples)
    raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")


def _check_size(n_samples: int) -> None:
    """A schedule needs at least one sample to put in its first block."""
    if n_samples < 1:
        raise ValueError(f"a schedule needs at least one sample, got {n_samples}")


def _strictly_increasing(ends: list[int]) -> list[int]:
    """Drop ends that do not move past the previous one (tiny data makes fractions collide)."""
    kept: list[int] = []
    for end in ends:
        if not kept or end > kept[-1]:
            kept.append(end)
    return kept
