"""A prequential meter for any PyTorch loop: the code length of each batch, in bits, before learning.

Call the meter with a batch's logits and targets *before* the optimizer learns from that batch.
Each batch is then scored by a model that has not yet seen it, so the running sum is the
prequential (online) description length of the targets: the length of a real message that an
arithmetic coder driven by the same training would write (see docs/quantities.md).

    meter = PrequentialMeter()
    for x, y in loader:                     # first pass over the data only: later passes are not new
        logits = model(x)
        meter.update(logits, y)             # scored before the step below learns from (x, y)
        loss = F.cross_entropy(logits, y)
        loss.backward(); optimizer.step(); optimizer.zero_grad()
    meter.update_final(model(x_all), y_all) # optional: the final model on the same data
    meter.write_json("run.json")

Every figure is in bits: PyTorch's cross-entropy is in nats, and is divided by ln 2 here, once.
Under `torch.distributed` each rank meters its shard and every figure read or written is the sum
over ranks (one all-reduce; reading is collective, so every rank reads); only rank 0 writes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from trainzip import distributed
from trainzip.batch_counts import LN2, batch_bits, batch_counts  # noqa: F401  (trainzip.meter.batch_bits is public)
from trainzip.errors import InputError
from trainzip.logit_checks import as_tensor, check_alphabet, check_num_classes, raise_for_flags
from trainzip.meter_state import load_state, state_of
from trainzip.meter_store import Figures, StepStore, as_index_array, check_coverage, step_dicts
from trainzip.record_format import RECORD_FORMAT
from trainzip.record_io import write_record

def _settled(field: str, doc: str) -> property:
    """A read-only figure of the meter, over every rank, read after any deferred batches are added."""

    def read(meter):
        return getattr(meter, "_" + field)(meter._view())

    return property(read, doc=doc)


class PrequentialMeter:
    """Accumulates the prequential code length of a training run, in bits, batch by batch.

    Args:
        num_classes: K, the alphabet size; inferred from the first logits if None.
        ignore_index: targets with this value (padding) are not counted.
        writer: optional TensorBoard-like object with ``add_scalar(tag, value, step)``
            (see `trainzip.integrations.tensorboard.summary_writer`). Under torch.distributed only
            rank 0 logs, and only the figures over all ranks, when `sync` is called.
        tag: prefix of the logged scalar names.
        defer: keep each batch's counts on its device and read them all at once, when a figure is
            asked for or every `DEFER_LIMIT` batches; `update` then returns None. On a GPU a plain
            `update` makes the loop wait for each batch's forward pass. Measured on an H200
            (`bench/meter_overhead.py`): a 4096-wide MLP's step took 30% longer metered, 4% longer
            deferred; a small step that is all kernel launches (1024 wide, batch 256) 22% longer
            either way, the meter's own dozen small kernels. The figures are the same either way.
        keep_example_bits: also keep every example's bits (a sequence's summed over its tokens),
            for `example_bits` and `export_example_bits`.
    """

    DEFER_LIMIT = 256  # deferred batches held on the device at most before they are read

    def __init__(self, num_classes: int | None = None, *, ignore_index: int = -100, writer: Any = None,
                 tag: str = "trainzip", defer: bool = False, keep_example_bits: bool = False):
        check_num_classes(num_classes)
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.writer = writer
        self.tag = tag
        self.defer = defer
        self.keep_example_bits = keep_example_bits
        self.reset()

    def reset(self) -> None:
        """Forget everything metered so far (settings are kept)."""
        self.symbol = "sample"
        self._pending = []  # deferred batches: (counts on their device, indices, per-example bits or None)
        self._store = StepStore(keep_examples=self.keep_example_bits)
        self._version = 0  # bumped by every change, so a view over the ranks is summed once per change
        self._cached_view: tuple[int, Figures] | None = None

    # -- metering -------------------------------------------------------------------------------

    def update(self, logits, targets, *, indices=None) -> float | None:
        """Score one new batch (before learning from it); returns its code length in bits (None
        when deferred).

        Args:
            logits: (B, K) or (B, T, V) scores of the model as it stands, before it learns the batch
                (a torch tensor; NumPy arrays and lists are converted).
            targets: (B,) or (B, T) integer classes (``ignore_index`` for padding).
            indices: optional (B,) dataset indices of the batch's rows: the meter then knows which
                samples it metered, refuses one metered twice (a resumed run that restarted its data)
                and keeps the indices in its state and its per-example bits.

        Raises:
            InputError: non-finite logits, probabilities for logits, targets out of range, wrong shapes,
                a changed class count, an empty batch.
            ResumeError: a sample (by ``indices``) was metered before.
        """
        logits, targets = self._checked(logits, targets, where=f"batch {self.batches}")
        if logits.dim() == 3:
            self.symbol = "token"
        index_array = None if indices is None else as_index_array(indices, len(logits))
        measured = batch_counts(logits, targets, self.ignore_index, per_example=self.keep_example_bits)
        counts, examples = (measured[0], measured[1:]) if self.keep_example_bits else (measured, None)
        row = None if self.defer else counts.tolist()
        if row is not None:
            raise_for_flags(*row[3:], classes=self.num_classes, where=f"batch {self.batches}")
        if index_array is not None:
            self._store.add_indices(index_array)  # refuses a repeat before anything of the batch is added
        self._version += 1
        if row is not None:
            return self._add(row, index_array, examples)
        self._pending.append((counts, index_array, examples))
        if len(self._pending) >= self.DEFER_LIMIT:
            self._settle()
        return None

    __call__ = update

    def _settle(self) -> None:
        """Read the deferred batches' counts (one wait for the device) and add them in order."""
        if not self._pending:
            return
        import torch

        device = self._pending[0][0].device  # stacked there, then read in one copy
        rows = torch.stack([counts.to(device) for counts, _, _ in self._pending]).tolist()
        pending, self._pending = self._pending, []
        for row, (_, index_array, examples) in zip(rows, pending):
            self._add(row, index_array, examples)

    def _add(self, row: list[float], index_array, examples) -> float:
        bits, samples, correct, *flags = row
        raise_for_flags(*flags, classes=self.num_classes, where=f"batch {len(self._store.bits)}")
        step = len(self._store.bits)
        self._store.add_step(bits, int(samples), int(correct))
        self._cached_view = None
        if examples is not None:
            self._store.add_examples(step, index_array, examples[0].cpu().numpy(), examples[1].cpu().numpy())
        if distributed.rank_and_world()[1] == 1:
            self._log_batch(bits, int(samples))
        return bits

    def update_final(self, logits, targets) -> float:
        """Score the *final* model on (part of) the same data; call once per batch after training
        (on every rank, each on its own shard, under torch.distributed)."""
        logits, targets = self._checked(logits, targets, where="final batch")
        bits, samples, _ = batch_bits(logits, targets, self.ignore_index)
        if distributed.rank_and_world()[1] == 1 and self._store.final_samples + samples > self.total_samples:
            raise InputError(f"the final model would be scored on {self._store.final_samples + samples} "
                             f"{self.symbol}s, more than the {self.total_samples} metered: rescore only the data "
                             "the meter metered, each sample once")
        self._store.final_bits += bits
        self._store.final_samples += samples
        self._version += 1
        return bits

    def _checked(self, logits, targets, *, where: str):
        """Logits and targets as tensors, the alphabet checked (and fixed by the first batch)."""
        logits, targets = as_tensor(logits, "logits"), as_tensor(targets, "targets")
        self.num_classes = check_alphabet(logits, self.num_classes, where=where)
        return logits, targets

    # -- figures over every rank ----------------------------------------------------------------

    def _view(self) -> Figures:
        """The counts over every rank; summed (collectively) once per change, then cached."""
        self._settle()
        if self._cached_view is None or self._cached_view[0] != self._version:
            figures = self._store.reduced()
            check_coverage(figures.coverage)
            self._cached_view = (self._version, figures)
        return self._cached_view[1]

    def sync(self) -> dict:
        """Sum the counts over the ranks now and log the run's figures (rank 0); returns `totals`.

        Collective under torch.distributed (every rank calls it, e.g. every N steps); the figures
        read afterwards come from this sum until the next batch is metered.
        """
        totals = self.totals()
        rank, world = distributed.rank_and_world()
        if world > 1 and rank == 0 and self.writer is not None and totals["samples"]:
            self._log_totals(len(self._view().bits) - 1, totals)
        return totals

    def _total_bits(self, view: Figures) -> float:
        return float(view.bits.sum())

    def _total_samples(self, view: Figures) -> int:
        return int(view.samples.sum())

    def _total_correct(self, view: Figures) -> int:
        return int(view.correct.sum())

    def _final_bits(self, view: Figures) -> float:
        return view.final_bits

    def _final_samples(self, view: Figures) -> int:
        return view.final_samples

    def _steps(self, view: Figures) -> list[dict]:
        return step_dicts(view, self.num_classes)

    def _world_size(self, view: Figures) -> int:
        return view.world_size

    steps = _settled("steps", "One record per metered batch: step, samples, bits, uniform_bits, cumulative_bits, correct.")
    total_bits = _settled("total_bits", "Prequential bits of every metered batch.")
    total_samples = _settled("total_samples", "Counted samples (or tokens) of every metered batch.")
    total_correct = _settled("total_correct", "How many of them were the model's top prediction.")
    final_bits = _settled("final_bits", "The final model's bits on the samples it rescored.")
    final_samples = _settled("final_samples", "How many samples the final model rescored.")
    world_size = _settled("world_size", "How many ranks metered the run (1 without torch.distributed).")

    def local_totals(self) -> dict:
        """This rank's own counts (no communication): samples, bits, correct, steps."""
        self._settle()
        bits, samples, correct = self._store.running
        return {"samples": samples, "bits": bits, "correct": correct, "steps": len(self._store.bits)}

    @property
    def batches(self) -> int:
        """Steps metered so far (the same on every rank): where a resumed loop's data must continue."""
        return len(self._store.bits) + len(self._pending)

    def step_arrays(self) -> dict[str, np.ndarray]:
        """Per-step arrays over every rank: bits, samples, correct, uniform_bits, cumulative_bits."""
        view = self._view()
        return {"bits": view.bits, "samples": view.samples, "correct": view.correct,
                "uniform_bits": view.samples * math.log2(self.num_classes or 2),
                "cumulative_bits": np.cumsum(view.bits)}

    def metered_indices(self) -> np.ndarray | None:
        """The dataset indices metered so far, over every rank (None if `update` got no indices)."""
        coverage = self._view().coverage
        return None if coverage is None else np.flatnonzero(coverage)

    def unmetered_indices(self, dataset_size: int) -> np.ndarray:
        """Indices below ``dataset_size`` never metered: samples a resumed run skipped, for instance."""
        metered = self.metered_indices()
        if metered is None:
            raise ValueError("the meter was given no sample indices; pass indices= to update")
        missing = np.ones(dataset_size, dtype=bool)
        missing[metered[metered < dataset_size]] = False
        return np.flatnonzero(missing)

    def example_bits(self) -> dict[str, np.ndarray]:
        """Every example's figures, over every rank (collective): step, index, bits, symbols."""
        if not self.keep_example_bits:
            raise ValueError("the meter keeps no per-example bits; build it with keep_example_bits=True")
        self._settle()
        rows = self._store.example_rows()
        return {"step": rows[:, 0].astype(np.int64), "index": rows[:, 1].astype(np.int64), "bits": rows[:, 2],
                "symbols": rows[:, 3].astype(np.int64)}

    def export_example_bits(self, path: str | Path) -> Path | None:
        """Write every example's bits to ``path`` (.npz arrays, or .csv); only rank 0 writes."""
        from trainzip.record_io import write_examples

        columns = self.example_bits()
        if distributed.rank_and_world()[0] != 0:
            return None
        return write_examples(Path(path), columns)

    # -- derived quantities ---------------------------------------------------------------------

    @property
    def uniform_bits(self) -> float:
        """n log2 K: the code length with no learning at all."""
        samples = self.total_samples
        return samples * math.log2(self.num_classes) if samples else 0.0

    @property
    def bits_per_sample(self) -> float:
        """Cumulative prequential bits per counted sample (or token)."""
        samples = self.total_samples
        return self.total_bits / samples if samples else 0.0

    @property
    def compression_ratio(self) -> float | None:
        """Uniform code over prequential code (> 1 when learning paid off)."""
        bits = self.total_bits
        return self.uniform_bits / bits if bits > 0 else None

    def _final_complete(self) -> bool:
        return self.total_samples > 0 and self.final_samples == self.total_samples

    @property
    def regret_bits(self) -> float | None:
        """L_preq - L_final: what learning online cost against the final model in hindsight."""
        return self.total_bits - self.final_bits if self._final_complete() else None

    @property
    def absorbed_bits(self) -> float | None:
        """L_unif - L_final: a rough count of the bits about the targets the final model holds."""
        return self.uniform_bits - self.final_bits if self._final_complete() else None

    def bits_per_sample_curve(self) -> list[tuple[int, float]]:
        """(samples seen before the batch, that batch's bits per sample), one pair per metered batch."""
        view = self._view()
        seen = np.concatenate([[0], np.cumsum(view.samples)[:-1]])
        return [(int(before), float(bits / samples)) for before, bits, samples in zip(seen, view.bits, view.samples)
                if samples]

    # -- records and state ----------------------------------------------------------------------

    def totals(self) -> dict:
        """The run's totals, in bits; the final-model figures are None until all data was rescored."""
        complete = self._final_complete()
        samples = self.total_samples
        return {
            "samples": samples,
            "bits": self.total_bits,
            "uniform_bits": self.uniform_bits,
            "final_model_bits": self.final_bits if complete else None,
            "regret_bits": self.regret_bits,
            "absorbed_bits": self.absorbed_bits,
            "bits_per_sample": self.bits_per_sample,
            "compression_ratio": self.compression_ratio,
            "accuracy": self.total_correct / samples if samples else None,
        }

    def record(self, **extra) -> dict:
        """The JSON run record (format ``trainzip.run/1``), steps inline; ``extra`` keys go at the top level."""
        return {**self._record_head(), "steps": self.steps, "totals": self.totals(), **extra}

    def _record_head(self) -> dict:
        head = {"format": RECORD_FORMAT, "kind": "prequential", "unit": "bits", "symbol": self.symbol,
                "num_classes": self.num_classes, "ignore_index": self.ignore_index, "world_size": self.world_size}
        metered = self.metered_indices()
        if metered is not None:
            head["indices_metered"] = int(len(metered))
        return head

    def write_json(self, path: str | Path, *, steps: str = "auto", **extra) -> Path | None:
        """Write the run record to ``path`` and return it (None on ranks other than 0, which write nothing).

        Args:
            steps: "inline" (every step in the JSON), "arrays" (the steps as binary arrays in a
                ``.steps.npz`` beside it, format ``trainzip.run/2``), or "auto": arrays beyond
                `record_io.INLINE_STEPS_MAX` steps.
        """
        arrays = self.step_arrays()
        head, totals = self._record_head(), self.totals()
        if distributed.rank_and_world()[0] != 0:
            return None
        return write_record(Path(path), {**head, "totals": totals, **extra}, arrays, steps=steps)

    def state_dict(self) -> dict:
        """Everything accumulated, over every rank, as plain values (for a checkpoint: survives a resume).

        Collective under torch.distributed: every rank calls it (as checkpointing does) and gets the
        run's sums, which `load_state_dict` hands back to rank 0 alone.
        """
        return state_of(self, self._view())

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned (batches deferred since are dropped with the rest).

        Raises:
            KeyError: the state lacks a field.
            ResumeError: it was metered on another number of ranks (the shards would differ).
        """
        load_state(self, state)
        self._pending = []
        self._version += 1

    def _log_batch(self, bits: float, samples: int) -> None:
        if self.writer is None:
            return
        step = len(self._store.bits) - 1
        if samples:
            self.writer.add_scalar(f"{self.tag}/batch_bits_per_{self.symbol}", bits / samples, step)
        total_bits, total_samples, total_correct = self._store.running  # one process: these are the run's
        uniform = total_samples * math.log2(self.num_classes)
        self._log_totals(step, {"bits": total_bits, "bits_per_sample": total_bits / total_samples if total_samples else 0.0,
                                "compression_ratio": uniform / total_bits if total_bits > 0 else None,
                                "accuracy": total_correct / total_samples if total_samples else None})

    def _log_totals(self, step: int, totals: dict) -> None:
        self.writer.add_scalar(f"{self.tag}/cumulative_kbits", totals["bits"] / 1000, step)
        self.writer.add_scalar(f"{self.tag}/bits_per_{self.symbol}", totals["bits_per_sample"], step)
        self.writer.add_scalar(f"{self.tag}/compression_ratio", totals["compression_ratio"] or 0.0, step)
        if totals["accuracy"] is not None:
            self.writer.add_scalar(f"{self.tag}/online_accuracy", totals["accuracy"], step)

    def __repr__(self) -> str:
        return (f"PrequentialMeter({self.total_samples} {self.symbol}s, {self.total_bits:.1f} bits, "
                f"uniform {self.uniform_bits:.1f} bits)")
