"""Reading run records (format ``trainzip.run/1`` or ``/2``) into arrays that figures and tables use.

A run record is written by the prequential meter, by ``trainzip compress --json`` and by
``trainzip probe --json``: a list of steps (samples and bits per batch, chunk or block, in order)
and the totals. A long run's steps lie as binary arrays beside it (``trainzip.run/2``, see
`trainzip.record_io`). This module checks a record and derives the running sums; it knows nothing
of plots. A probe comparison (``--probe linear mlp``) becomes one record per probe and one for
the switch code over them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainzip.errors import FormatError
from trainzip.record_io import ARRAYS_FORMAT, read_step_arrays

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
    correct: np.ndarray | None = None  # (S,) correct top predictions of each step, where recorded

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

    @property
    def accuracy(self) -> float | None:
        """Online accuracy over the run: correct top predictions before learning, per symbol."""
        if self.correct is None or not self.samples.sum():
            return None
        return float(self.correct.sum() / self.samples.sum())

    def total(self, key: str) -> float | None:
        """A figure from the totals (None where the record leaves it out or null)."""
        value = self.totals.get(key)
        return None if value is None else float(value)


def load_record(data: bytes | str | dict, name: str = "record", base: Path | None = None) -> RunRecord:
    """Parse and check a run record; FormatError, naming the problem, if it is not one.

    Args:
        base: the folder the record was read from, where a ``trainzip.run/2`` record's steps file lies.
    """
    raw = _parse(data, name)
    if raw.get("format") not in (RUN_FORMAT, ARRAYS_FORMAT):
        raise FormatError(f"{name}: not a trainzip run record (format {raw.get('format')!r}, expected {RUN_FORMAT!r})")
    kind, symbol = raw.get("kind"), raw.get("symbol", "sample")
    if kind not in KINDS:
        raise FormatError(f"{name}: unknown run kind {kind!r} (expected one of {', '.join(KINDS)})")
    if symbol not in SYMBOLS:
        raise FormatError(f"{name}: unknown symbol {symbol!r} (expected one of {', '.join(SYMBOLS)})")
    columns = read_step_arrays(raw, base, name) if raw["format"] == ARRAYS_FORMAT else _steps(raw.get("steps"), name)
    samples, bits, uniform, std, correct = _checked(columns, name)
    totals = {**_totals_from_steps(samples, bits, uniform), **(raw.get("totals") or {})}
    return RunRecord(name, kind, symbol, samples, bits, uniform, std, totals, raw, correct)


def expand(record: RunRecord) -> list[RunRecord]:
    """A probe comparison as one record per probe, then the switch code's; any other record as it is."""
    probes = record.raw.get("probes")
    if not isinstance(probes, dict) or not probes:
        return [record]
    parts = [load_record(probe, f"{record.name}: {name}") for name, probe in probes.items()]
    return parts + [RunRecord(f"{record.name}: switch code", *_fields_after_name(record))]


def _fields_after_name(record: RunRecord) -> tuple:
    return (record.kind, record.symbol, record.samples, record.bits, record.uniform_bits, record.bits_std,
            record.totals, record.raw, record.correct)


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


def _steps(steps, name: str) -> dict:
    """Per-step columns of an inline record (each step a dict)."""
    if not isinstance(steps, list) or not steps:
        raise FormatError(f"{name}: the record has no steps")
    try:
        columns = {"samples": [step["samples"] for step in steps], "bits": [step["bits"] for step in steps],
                   "uniform_bits": [step.get("uniform_bits", math.nan) for step in steps]}
    except (KeyError, TypeError) as error:
        raise FormatError(f"{name}: a step lacks a number for {error}") from None
    for optional in ("bits_std", "correct"):
        if all(optional in step for step in steps):
            columns[optional] = [step[optional] for step in steps]
    return columns


def _checked(columns: dict, name: str):
    """(samples, bits, uniform, std, correct) float arrays, checked: finite non-negative numbers."""
    try:
        samples = np.asarray(columns["samples"], dtype=np.float64)
        bits = np.asarray(columns["bits"], dtype=np.float64)
        uniform = np.asarray(columns.get("uniform_bits", np.full(len(bits), math.nan)), dtype=np.float64)
        std = np.asarray(columns["bits_std"], dtype=np.float64) if "bits_std" in columns else None
        correct = np.asarray(columns["correct"], dtype=np.float64) if "correct" in columns else None
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(f"{name}: a step lacks a number for {error}") from None
    if not len(bits) or len(samples) != len(bits):
        raise FormatError(f"{name}: the record has no steps")
    if np.any(samples < 0) or not np.all(np.isfinite(samples)) or not np.all(np.isfinite(bits)):
        raise FormatError(f"{name}: steps must have finite, non-negative sample counts and bits")
    return samples, bits, uniform, std, correct


def _totals_from_steps(samples, bits, uniform) -> dict:
    """Totals implied by the steps, used where the record's own totals leave a key out."""
    return {"samples": float(samples.sum()), "bits": float(bits.sum()), "uniform_bits": float(uniform.sum())}
