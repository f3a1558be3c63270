"""The spread of the online code over seeds: one number is not a result until its spread is known.

Each seed reorders the data and redraws every probe's initial weights and holdout split, so the
spread says how much of a difference between two probes (or a task and its control) is noise.
The std is the sample standard deviation (ddof = 1); with one seed it is 0.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from trainzip.probing.online_code import ProbeResult, online_codelength


@dataclass(frozen=True)
class SeedSpread:
    """The runs of several seeds on one task, and the mean and std of their totals."""

    runs: tuple[ProbeResult, ...]

    @property
    def uniform_bits(self) -> float:
        """N log2 K, the same for every seed."""
        return self.runs[0].uniform_bits

    @property
    def online_bits(self) -> tuple[float, float]:
        """(mean, std) of the online code over seeds."""
        return _mean_std([run.online_bits for run in self.runs])

    @property
    def compression(self) -> tuple[float, float]:
        """(mean, std) of uniform / online over seeds."""
        return _mean_std([run.compression for run in self.runs])

    @property
    def final_model_bits(self) -> tuple[float, float] | None:
        """(mean, std) of the final probe's code over seeds, where it was measured."""
        if any(run.final_model_bits is None for run in self.runs):
            return None
        return _mean_std([run.final_model_bits for run in self.runs])

    def block_bits(self) -> list[tuple[float, float]]:
        """(mean, std) of each block's bits over seeds (every seed has the same blocks)."""
        per_block = zip(*[[block.bits for block in run.blocks] for run in self.runs])
        return [_mean_std(list(bits)) for bits in per_block]


def online_codelength_seeds(features, labels, seeds: Sequence[int] = (0, 1, 2), *, executor=None,
                            threads: int | None = None, **options) -> SeedSpread:
    """`online_codelength` once per seed (same options), gathered into a SeedSpread.

    ``executor`` (a `trainzip.engine` executor) runs the seeds on a local pool or a Ray cluster;
    each seed is a pure function of its options, so the figures are those of a serial run.
    """
    if not seeds:
        raise ValueError("need at least one seed")
    work = functools.partial(seed_run, features, labels, options=options)
    return SeedSpread(tuple(run_seeds(work, seeds, executor=executor, threads=threads)))


class _PinnedThreads:
    """A seed's work as a job an executor can send to another process, with the thread count a
    worker must pin as this process did (reductions split by thread give other sums)."""

    def __init__(self, work: Callable[[int], object], threads: int | None):
        self.work, self.threads = work, threads

    def __call__(self, seed: int):
        if self.threads is not None:
            from trainzip.numerics import use_threads

            use_threads(self.threads)
        return self.work(seed)


def run_seeds(work: Callable[[int], object], seeds: Sequence[int], *, executor=None, threads: int | None = None):
    """``work(seed)`` for every seed, in order: here, or on ``executor`` (``work`` must pickle: a
    top-level function, or a partial of one)."""
    job = _PinnedThreads(work, threads)
    if executor is None:
        return [job(seed) for seed in seeds]
    return list(executor.map(job, list(seeds)))


def seed_run(features, labels, seed: int, options: dict) -> ProbeResult:
    """One seed's online code: the unit of work of `online_codelength_seeds` (a top-level function, so
    a process pool can pickle it)."""
    return online_codelength(features, labels, seed=seed, **options)


def _mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample std (0 for a single value)."""
    values = np.asarray(values, dtype=np.float64)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0
