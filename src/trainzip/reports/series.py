"""What a figure draws of a run: per-step rates, smoothed if asked, binned down to what a figure
can show.

A 200k-step run has far more steps than a figure has pixels; drawing each one took seconds. The
steps are gathered into at most `MAX_DRAWN_STEPS` consecutive bins, each drawn with its exact
rate (its bits over its symbols), so nothing is averaged away that a pixel could have shown.
Smoothing is a trailing window of ``smooth`` steps, weighted by symbols (a window's bits over its
symbols): the rate a reader would get by metering those steps as one batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainzip.reports.records import RunRecord

MAX_DRAWN_STEPS = 2000


@dataclass(frozen=True)
class Series:
    """A run's curves at the resolution drawn: B bins over S steps."""

    edges: np.ndarray  # (B + 1,) symbols seen before each bin, and at the end
    rate: np.ndarray  # (B,) bits per symbol of each bin (smoothed where asked)
    spread: np.ndarray | None  # (B,) one std over seeds, per symbol, where the record has it
    uniform_rate: np.ndarray  # (B,) the uniform code per symbol
    cumulative_bits: np.ndarray  # (B + 1,) at the edges
    cumulative_uniform_bits: np.ndarray  # (B + 1,)
    accuracy: np.ndarray | None  # (B,) online accuracy of each bin (smoothed where asked)
    steps: int  # S, the record's own steps


def series(record: RunRecord, *, smooth: int | None = None, max_steps: int = MAX_DRAWN_STEPS) -> Series:
    """The curves of ``record`` to draw: smoothed over ``smooth`` steps, then binned to ``max_steps``."""
    if smooth is not None and smooth < 1:
        raise ValueError(f"smoothing needs a window of at least 1 step, got {smooth}")
    steps = len(record.bits)
    group = max(1, -(-steps // max_steps))  # steps per bin
    starts = np.arange(0, steps, group)
    samples = np.add.reduceat(record.samples, starts)
    bits = np.add.reduceat(record.bits, starts)
    uniform = np.add.reduceat(record.uniform_bits, starts)
    edges = np.concatenate([[0.0], np.cumsum(samples)])
    rate = _windowed(record.bits, record.samples, smooth, starts) if smooth else _ratio(bits, samples)
    spread = None
    if record.bits_std is not None and np.any(record.bits_std > 0):
        spread = _ratio(np.sqrt(np.add.reduceat(record.bits_std ** 2, starts)), samples)
    accuracy = None
    if record.correct is not None:
        accuracy = (_windowed(record.correct, record.samples, smooth, starts) if smooth
                    else _ratio(np.add.reduceat(record.correct, starts), samples))
    return Series(edges, rate, spread, _ratio(uniform, samples), np.concatenate([[0.0], np.cumsum(bits)]),
                  np.concatenate([[0.0], np.cumsum(uniform)]), accuracy, steps)


def _ratio(numerator: np.ndarray, samples: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(samples > 0, numerator / np.maximum(samples, 1), np.nan)


def _windowed(values: np.ndarray, samples: np.ndarray, window: int, starts: np.ndarray) -> np.ndarray:
    """Per bin, the trailing ``window``-step sum of values over that of samples, at the bin's last step."""
    running_values = np.concatenate([[0.0], np.cumsum(values)])
    running_samples = np.concatenate([[0.0], np.cumsum(samples)])
    ends = np.append(starts[1:], len(values))  # one past each bin's last step
    begins = np.maximum(ends - window, 0)
    return _ratio(running_values[ends] - running_values[begins], running_samples[ends] - running_samples[begins])
