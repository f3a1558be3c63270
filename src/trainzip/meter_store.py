"""What a meter accumulates, stored compactly: per-step counts, which samples were metered, and
(optionally) every example's bits; summed over the ranks of a distributed run when read.

Steps are kept as three parallel lists (bits, counted symbols, correct top predictions), not as a
dict per step: a 200k-step run then holds a few MB and turns into arrays at once. Under
`torch.distributed` each rank holds the counts of its own shard of every step; `reduced` sums
them row by row (every rank meters each step, so rows line up) in one all-reduce.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

from trainzip import distributed
from trainzip.errors import ResumeError

EXAMPLE_COLUMNS = ("step", "index", "bits", "symbols")
"""Per-example records: the step that metered it, its dataset index (-1 if not given), its bits
(summed over its tokens for a sequence) and its counted symbols."""


@dataclass(frozen=True)
class Figures:
    """A snapshot of the counts, over every rank: per-step arrays and the final model's sums."""

    bits: np.ndarray  # (S,) float64
    samples: np.ndarray  # (S,) int64
    correct: np.ndarray  # (S,) int64
    final_bits: float
    final_samples: int
    coverage: np.ndarray | None  # (N,) how often each dataset index was metered, where indices were given
    world_size: int


class StepStore:
    """The meter's accumulated counts on this rank."""

    def __init__(self, *, keep_examples: bool = False):
        self.bits: list[float] = []
        self.samples: list[int] = []
        self.correct: list[int] = []
        self.running = [0.0, 0, 0]  # this rank's bits, samples, correct so far (for per-batch logging)
        self.final_bits = 0.0
        self.final_samples = 0
        self.coverage: np.ndarray | None = None  # (N,) uint8 counts on this rank
        self.keep_examples = keep_examples
        self.examples: list[np.ndarray] = []  # (b, 4) float64 rows of EXAMPLE_COLUMNS, one array per batch

    def add_step(self, bits: float, samples: int, correct: int) -> None:
        """One metered step's counts."""
        self.bits.append(bits)
        self.samples.append(samples)
        self.correct.append(correct)
        self.running = [self.running[0] + bits, self.running[1] + samples, self.running[2] + correct]

    def add_indices(self, indices: np.ndarray) -> None:
        """Mark dataset indices as metered; ResumeError, before marking any, if one was metered before."""
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        if len(indices) and indices.min() < 0:
            raise ValueError("sample indices must be non-negative")
        size = int(indices.max()) + 1 if len(indices) else 0
        if self.coverage is None:
            self.coverage = np.zeros(0, dtype=np.uint8)
        if size > len(self.coverage):
            self.coverage = np.concatenate([self.coverage, np.zeros(max(size, 2 * len(self.coverage)) - len(self.coverage),
                                                                    dtype=np.uint8)])
        unique, counts = np.unique(indices, return_counts=True)
        repeated = np.concatenate([unique[counts > 1], unique[self.coverage[unique] > 0]])
        if len(repeated):
            raise ResumeError(_repeat_message(np.unique(repeated)))
        self.coverage[indices] = 1

    def add_examples(self, step: int, indices, bits: np.ndarray, symbols: np.ndarray) -> None:
        """Keep each example's bits (only when the store keeps examples)."""
        rows = np.empty((len(bits), len(EXAMPLE_COLUMNS)), dtype=np.float64)
        rows[:, 0] = step
        rows[:, 1] = -1 if indices is None else np.asarray(indices).reshape(-1)
        rows[:, 2] = bits
        rows[:, 3] = symbols
        self.examples.append(rows)

    def figures(self) -> Figures:
        """This rank's counts alone."""
        return Figures(np.asarray(self.bits, dtype=np.float64), np.asarray(self.samples, dtype=np.int64),
                       np.asarray(self.correct, dtype=np.int64), self.final_bits, self.final_samples,
                       None if self.coverage is None else self.coverage.astype(np.int64), 1)

    def reduced(self) -> Figures:
        """The counts summed over every rank (collective under torch.distributed: call on every rank)."""
        rank, world = distributed.rank_and_world()
        if world == 1:
            return self.figures()
        steps, coverage_length = len(self.bits), -1 if self.coverage is None else len(self.coverage)
        most, negative_fewest, longest = distributed.max_over_ranks([steps, -steps, coverage_length])
        if most != -negative_fewest:
            raise ResumeError(f"the ranks metered different numbers of steps (from {-negative_fewest} to {most}): "
                              "every rank must meter every step of its shard, or the steps cannot be summed")
        coverage = np.zeros(max(longest, 0))
        if self.coverage is not None:
            coverage[:len(self.coverage)] = self.coverage
        payload = np.concatenate([self.bits, self.samples, self.correct, [self.final_bits, self.final_samples], coverage])
        total = distributed.sum_over_ranks(payload)
        bits, samples, correct = total[:steps], total[steps:2 * steps], total[2 * steps:3 * steps]
        return Figures(bits, np.rint(samples).astype(np.int64), np.rint(correct).astype(np.int64),
                       float(total[3 * steps]), int(round(total[3 * steps + 1])),
                       np.rint(total[3 * steps + 2:]).astype(np.int64) if longest >= 0 else None, world)

    def example_rows(self, *, across_ranks: bool = True) -> np.ndarray:
        """(n, 4) rows of EXAMPLE_COLUMNS, every rank's (in step order) when ``across_ranks``."""
        local = np.concatenate(self.examples) if self.examples else np.zeros((0, len(EXAMPLE_COLUMNS)))
        if not across_ranks or distributed.rank_and_world()[1] == 1:
            return local
        rows = np.concatenate(distributed.gather_objects(local))
        return rows[np.argsort(rows[:, 0], kind="stable")]


def check_coverage(coverage: np.ndarray | None) -> None:
    """ResumeError if any dataset index was metered more than once (on one rank or across ranks)."""
    if coverage is not None and np.any(coverage > 1):
        raise ResumeError(_repeat_message(np.flatnonzero(coverage > 1)) + " (on different ranks: a distributed "
                          "sampler that pads its last batch by repeating samples; use drop_last=True)")


def _repeat_message(indices: np.ndarray) -> str:
    shown = ", ".join(str(int(index)) for index in indices[:5]) + (", ..." if len(indices) > 5 else "")
    return (f"{len(indices)} sample(s) (indices {shown}) were already metered: a resumed run that restarted its "
            "data would count their bits twice, after the model had learned them")


def pack_coverage(coverage: np.ndarray | None) -> str | None:
    """The metered indices as base64 of a bit per index (plain text, for any checkpoint format)."""
    if coverage is None:
        return None
    return base64.b64encode(np.packbits(coverage > 0).tobytes()).decode("ascii") + f":{len(coverage)}"


def unpack_coverage(text: str | None) -> np.ndarray | None:
    """The inverse of `pack_coverage`: (N,) uint8, 1 where an index was metered."""
    if text is None:
        return None
    packed, length = text.rsplit(":", 1)
    bits = np.unpackbits(np.frombuffer(base64.b64decode(packed), dtype=np.uint8))
    return bits[:int(length)].astype(np.uint8)


def pack_array(values: np.ndarray) -> str:
    """A float64 array as base64 of its little-endian bytes (compact and exact in a JSON state)."""
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode("ascii")


def unpack_array(text: str, columns: int) -> np.ndarray:
    """The inverse of `pack_array`, reshaped to rows of ``columns``."""
    return np.frombuffer(base64.b64decode(text), dtype="<f8").reshape(-1, columns).copy()


def step_dicts(view: Figures, num_classes: int | None) -> list[dict]:
    """The per-step records as dicts (the inline form of the run record)."""
    log2_classes = math.log2(num_classes) if num_classes else 0.0
    cumulative = np.cumsum(view.bits).tolist()
    return [{"step": step, "samples": samples, "bits": bits, "uniform_bits": samples * log2_classes,
             "cumulative_bits": running, "correct": correct}
            for step, (bits, samples, correct, running) in
            enumerate(zip(view.bits.tolist(), view.samples.tolist(), view.correct.tolist(), cumulative))]


def as_index_array(indices, rows: int) -> np.ndarray:
    """(B,) int64 dataset indices of a batch's rows."""
    import torch

    array = (indices.detach().cpu().numpy() if isinstance(indices, torch.Tensor) else np.asarray(indices)).reshape(-1)
    if len(array) != rows or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"indices must be {rows} integers, one per row of the batch, got {array.dtype} {array.shape}")
    return array.astype(np.int64)
