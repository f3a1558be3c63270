"""Reading run records (format ``trainzip.run/1``) into arrays that figures and tables can use.

A run record is written by the prequential meter, by ``trainzip compress --json`` and by
``trainzip probe --json``: a list of steps (samples and bits per batch, chunk or block, in order)
and the totals. This module checks one and derives the running sums; it knows nothing of plots.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from trainzip.errors import FormatError

RUN_FORMAT = "trainzip.run/1"
KINDS = ("prequential", "compress", "probe")
SYMBOLS = ("sample", "token", "byte")


@dataclass(frozen=True)
class RunRecord:
    """One run: per-step arrays (bits), the totals, and the raw record for kind-specific keys."""

    name: str
    kind: str
    symbol: str
    samples: np.ndarray  # (S,) symbols coded in each step
    bits: np.ndarray  # (S,) code length of each step
    uniform_bits: np.ndarray  # (S,) uniform code of each step
    bits_std: np.ndarray | None  # (S,) spread over seeds, where the record has one
    totals: dict
    raw: dict

    @property
    def edges(self) -> np.ndarray:
        """(S + 1,) symbols seen before each step, and at the end."""
        return np.concatenate([[0], np.cumsum(self.samples)])

    @property
    def cumulative_bits(self) -> np.ndarray:
        """(S + 1,) code length so far, starting at 0."""
        return np.concatenate([[0.0], np.cumsum(self.bits)])

    @property
    def cumulative_uniform_bits(self) -> np.ndarray:
        """(S + 1,) uniform code so far, starting at 0."""
        return np.concatenate([[0.0], np.cumsum(self.uniform_bits)])

    @property
    def bits_per_symbol(self) -> np.ndarray:
        """(S,) mean code length per symbol within each step (NaN for an empty step)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.samples > 0, self.bits / np.maximum(self.samples, 1), np.nan)

    def total(self, key: str) -> float | None:
        """A figure from the totals (None where the record leaves it out or null)."""
        value = self.totals.get(key)
        return None if value is None else float(value)


def load_record(data: bytes | str | dict, name: str = "record") -> RunRecord:
    """Parse and check a run record; FormatError, naming the problem, if it is not one."""
    raw = _parse(data, name)
    if raw.get("format") != RUN_FORMAT:
        raise FormatError(f"{name}: not a trainzip run record (format {raw.get('format')!r}, expected {RUN_FORMAT!r})")
    kind, symbol = raw.get("kind"), raw.get("symbol", "sample")
    if kind not in KINDS:
        raise FormatError(f"{name}: unknown run kind {kind!r} (expected one of {', '.join(KINDS)})")
    if symbol not in SYMBOLS:
        raise FormatError(f"{name}: unknown symbol {symbol!r} (expected one of {', '.join(SYMBOLS)})")
    samples, bits, uniform, std = _steps(raw.get("steps"), name)
    totals = {**_totals_from_steps(samples, bits, uniform), **(raw.get("totals") or {})}
    return RunRecord(name, kind, symbol, samples, bits, uniform, std, totals, raw)


def _parse(data, name: str) -> dict:
    """The record as a dict, from JSON text or bytes or a dict."""
    if isinstance(data, dict):
        return data
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise FormatError(f"{name}: not JSON ({error})") from None
    if not isinstance(raw, dict):
        raise FormatError(f"{name}: a run record is a JSON object, got {type(raw).__name__}")
    return raw


def _steps(steps, name: str):
    """Per-step arrays, checked: at least one step, finite non-negative numbers."""
    if not isinstance(steps, list) or not steps:
        raise FormatError(f"{name}: the record has no steps")
    try:
        samples = np.array([step["samples"] for step in steps], dtype=np.float64)
        bits = np.array([step["bits"] for step in steps], dtype=np.float64)
        uniform = np.array([step.get("uniform_bits", math.nan) for step in steps], dtype=np.float64)
        has_std = all("bits_std" in step for step in steps)
        std = np.array([step["bits_std"] for step in steps], dtype=np.float64) if has_std else None
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(f"{name}: a step lacks a number for {error}") from None
    if np.any(samples < 0) or not np.all(np.isfinite(samples)) or not np.all(np.isfinite(bits)):
        raise FormatError(f"{name}: steps must have finite, non-negative sample counts and bits")
    return samples, bits, uniform, std


def _totals_from_steps(samples, bits, uniform) -> dict:
    """Totals implied by the steps, used where the record's own totals leave a key out."""
    return {"samples": float(samples.sum()), "bits": float(bits.sum()), "uniform_bits": float(uniform.sum())}
