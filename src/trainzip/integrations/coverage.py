"""How much of its dataset a training-loop callback metered: the record's ``coverage`` field.

A prequential total is the code length of the data only if every example of every metered epoch
was metered once. A run stopped early (``max_steps``, ``limit_train_batches``) or a resume that
skips batches (Lightning resumes a checkpoint taken at a ``max_steps`` stop as if its epoch were
done) meters a share of it. The callbacks count the examples (dataset items: samples or
sequences, whatever their token counts) they metered, against ``len(dataset)`` times the epochs
metered, put both in the record and warn (`CoverageWarning`) when the share falls short.
"""

from __future__ import annotations

import warnings

from trainzip import distributed
from trainzip.errors import CoverageWarning


class Coverage:
    """Examples metered on this rank, and where known the dataset's size and any skip on resume."""

    def __init__(self):
        self.examples: int | None = 0  # None: resumed from a checkpoint that did not count them
        self.dataset_size: int | None = None
        self.dropped_per_epoch = 0  # examples a loader with drop_last never yields (its last partial batch)
        self.skipped: str | None = None  # what a resume skipped, in words

    def add(self, rows: int) -> None:
        """Count one metered batch's examples."""
        if self.examples is not None:
            self.examples += int(rows)

    def _examples_over_ranks(self) -> int | None:
        """Collective under torch.distributed (every rank calls it): the examples of every rank."""
        if distributed.rank_and_world()[1] == 1:
            return self.examples
        unknown, total = distributed.sum_over_ranks([self.examples is None, self.examples or 0])
        return None if unknown else int(round(total))

    def state_dict(self) -> dict:
        """The counts over every rank, for a checkpoint (collective, like the meter's state)."""
        return {"examples": self._examples_over_ranks(), "skipped": self.skipped}

    def load_state_dict(self, state: dict | None) -> None:
        """Restore `state_dict` (rank 0 takes the sum); None, from an older checkpoint, leaves the count unknown."""
        if state is None:
            self.examples, self.skipped = None, None
            return
        examples = state.get("examples")
        self.examples = None if examples is None else (int(examples) if distributed.rank_and_world()[0] == 0 else 0)
        self.skipped = state.get("skipped")

    def conclude(self, epochs: int, *, score_final: bool) -> tuple[dict, bool]:
        """At the end of training: the record's coverage, and whether to score the final model (asked
        for, and every metered epoch metered in full); warns where the coverage falls short."""
        figures = self.figures(epochs)
        score = score_final and bool(figures["complete"])
        warn_if_incomplete(figures, final_skipped=score_final and not score)
        return figures, score

    def figures(self, epochs: int) -> dict:
        """The record's ``coverage``: dataset size, epochs and examples metered, their share, any skip."""
        examples = self._examples_over_ranks()
        expected = None if self.dataset_size is None or examples is None else \
            (self.dataset_size - self.dropped_per_epoch) * epochs
        share = examples / expected if expected else None
        return {"dataset_size": self.dataset_size, "epochs_metered": epochs, "examples_metered": examples,
                "share_metered": share, "complete": None if share is None else share >= 1.0, "skipped": self.skipped}


def dataset_size(loader) -> int | None:
    """``len(loader.dataset)``, or None where the loader has no sized dataset (an iterable stream)."""
    try:
        return len(loader.dataset)
    except (AttributeError, TypeError):
        return None


def dropped_per_epoch(loader, size: int | None) -> int:
    """The examples an epoch never yields: a loader with ``drop_last`` drops the last partial batch
    (of every rank's batches together), which a full epoch does not meter either."""
    batch = getattr(loader, "batch_size", None)
    if size is None or not getattr(loader, "drop_last", False) or not isinstance(batch, int) or batch < 1:
        return 0
    return size % (batch * distributed.rank_and_world()[1])


def warn_if_incomplete(figures: dict, *, final_skipped: bool = False) -> None:
    """A `CoverageWarning` naming the share metered when it falls short of the metered epochs."""
    if figures["complete"] is None:
        if final_skipped:
            warnings.warn("the final model was not scored: the share of the data metered is unknown (a dataset "
                          "without a length, or a checkpoint that did not count examples)", CoverageWarning,
                          stacklevel=3)
        return
    if figures["complete"]:
        return
    cause = f"; {figures['skipped']}" if figures["skipped"] else " (training stopped before the epoch's end?)"
    final = "; the final model was not scored (it is scored only on complete epochs)" if final_skipped else ""
    warnings.warn(f"the meter covered {figures['examples_metered']:,} of the {figures['dataset_size']:,} examples x "
                  f"{figures['epochs_metered']} epoch(s) it meters ({figures['share_metered']:.1%}){cause}: its totals "
                  f"are that share's, not the dataset's{final}", CoverageWarning, stacklevel=3)


def warn_skipped(skipped: str) -> None:
    """A `CoverageWarning` at once, when a resume skips data the meter should have metered."""
    warnings.warn(skipped, CoverageWarning, stacklevel=3)
