"""The meter's accounting as a torchmetrics `Metric`, so it joins a `MetricCollection` (an extra).

Each `update(logits, targets)` adds the batch's -log2 p bits, counted targets and correct top
predictions to three sum states; torchmetrics syncs them across ranks by summing, as
`PrequentialMeter` does, and `compute()` gives the meter's `totals()` figures in bits:

    metrics = MetricCollection({"code": PrequentialMetric(), "acc": MulticlassAccuracy(10)})
    for x, y in loader:                      # first pass only, each batch before the step learns it
        metrics.update(model(x), y)
    metrics.compute()["bits_per_sample"]

It keeps no per-step record, no sample indices and no final model: for those (and a run record)
use `PrequentialMeter`.
"""

from __future__ import annotations

import math

from trainzip.batch_counts import batch_counts
from trainzip.errors import InputError
from trainzip.integrations import is_torchmetrics_available
from trainzip.logit_checks import as_tensor, check_alphabet, check_num_classes, raise_for_flags

if is_torchmetrics_available():
    from torchmetrics import Metric as _Base
else:  # the module still imports; building the metric says what to install
    _Base = object

FIGURES = ("bits", "samples", "uniform_bits", "bits_per_sample", "compression_ratio", "accuracy")
"""The keys of `PrequentialMetric.compute()`, as in `PrequentialMeter.totals()` (NaN where that is None)."""


class PrequentialMetric(_Base):
    """Prequential code length in bits, as a torchmetrics `Metric` (states summed across ranks).

    Args:
        num_classes: K, the alphabet size; inferred from the first logits if None.
        ignore_index: targets with this value (padding) are not counted.
        **kwargs: torchmetrics' own `Metric` arguments (``sync_on_compute``, ``dist_sync_fn``, ...).
    """

    is_differentiable = False
    higher_is_better = False
    full_state_update = False

    def __init__(self, num_classes: int | None = None, *, ignore_index: int = -100, **kwargs):
        if _Base is object:
            raise ImportError("PrequentialMetric needs torchmetrics: pip install 'trainzip[torchmetrics]'")
        import torch

        super().__init__(**kwargs)
        check_num_classes(num_classes)
        self.num_classes, self.ignore_index = num_classes, ignore_index
        for name in ("bits", "samples", "correct"):  # float64: sums of many batches stay exact enough
            self.add_state(name, default=torch.zeros((), dtype=torch.float64), dist_reduce_fx="sum")

    def update(self, logits, targets) -> None:
        """Add one new batch, scored before the model learns it (InputError as `PrequentialMeter.update`)."""
        logits, targets = as_tensor(logits, "logits"), as_tensor(targets, "targets")
        where = f"batch {self._update_count - 1}"  # torchmetrics counts this call already
        self.num_classes = check_alphabet(logits, self.num_classes, where=where)
        counts = batch_counts(logits, targets, self.ignore_index).to(self.bits.device)
        raise_for_flags(*counts[3:].tolist(), classes=self.num_classes, where=where)
        self.bits += counts[0]
        self.samples += counts[1]
        self.correct += counts[2]

    def compute(self) -> dict:
        """The run's figures in bits (over every rank): the keys of `FIGURES`, as float64 tensors."""
        import torch

        samples, bits = float(self.samples), float(self.bits)
        if samples and self.num_classes is None:  # a rank that saw no batch, synced with ranks that did
            raise InputError("this rank saw no batch, so it does not know the class count: build "
                             "PrequentialMetric(num_classes=K) when some ranks may see no data")
        uniform = samples * math.log2(self.num_classes) if samples else 0.0
        figures = {"bits": bits, "samples": samples, "uniform_bits": uniform,
                   "bits_per_sample": bits / samples if samples else 0.0,
                   "compression_ratio": uniform / bits if bits > 0 else math.nan,
                   "accuracy": float(self.correct) / samples if samples else math.nan}
        return {name: torch.tensor(figures[name], dtype=torch.float64) for name in FIGURES}
