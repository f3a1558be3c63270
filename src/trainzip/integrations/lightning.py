"""A Lightning callback that meters the prequential code length of a run (lightning is an extra).

Lightning calls ``on_train_batch_end`` after the optimizer step, but the logits that
``training_step`` returned were computed *before* it, by a model that had not yet learned from
the batch. So the callback only needs ``training_step`` to return them:

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        return {"loss": F.cross_entropy(logits, y), "logits": logits}

    trainer = L.Trainer(callbacks=[PrequentialCallback(record_path="run.json")])

Only the first ``epochs`` epochs are metered (default 1): a batch seen before is no longer new
data, and scoring it again would not be a code length.

- Under ``strategy="ddp"`` each rank meters its shard; the record, the checkpointed state and the
  logged scalars are the sums over all ranks (summed every ``log_every_n_steps`` batches, never
  per batch), and only rank 0 writes the record.
- The callback's state goes into Lightning's checkpoints with where the meter stands in its
  epoch. Resuming from a checkpoint taken in the middle of an epoch is exact when the training
  dataloader is resumable (it has ``state_dict``/``load_state_dict``, e.g. torchdata's
  ``StatefulDataLoader``): Lightning then continues the data where it stopped. With a plain
  ``DataLoader`` Lightning starts the epoch's data again from its first batch, which would meter
  those batches twice and never the last ones, so the callback refuses to resume (ResumeError).
- The record's ``coverage`` holds the dataset's size and the share of it metered; a run that ends
  with its metered epochs incomplete, or a resume that skips batches (a checkpoint taken at a
  ``max_steps`` stop resumes in the next epoch), warns (`CoverageWarning`).
- ``score_final=True`` scores the final model on the metered data when training ends (one more
  pass, in eval mode, through ``training_step``): the record then holds the final-model bits, the
  regret and the bits absorbed.
"""

from __future__ import annotations

from collections.abc import Mapping

from trainzip import distributed
from trainzip.errors import InputError, ResumeError
from trainzip.integrations import is_lightning_available
from trainzip.integrations.coverage import Coverage, dataset_size, dropped_per_epoch, warn_skipped
from trainzip.meter import PrequentialMeter

if is_lightning_available():
    from lightning.pytorch import Callback as _Base
else:  # the class still imports, so its hook logic stays testable; instantiating it says what to install
    _Base = object

STATE_FORMAT = "trainzip.lightning/2"


class PrequentialCallback(_Base):
    """Feeds each training batch's logits and targets to a `PrequentialMeter`.

    Args:
        meter: the meter to fill (a new one if None); read it as ``callback.meter``.
        record_path: where to write the JSON run record when training ends (None: don't).
        logits_key, targets_key: keys of ``training_step``'s returned dict; when the targets are
            not returned, the batch's second element (or ``batch[targets_key]``) is used.
        indices_key: where ``training_step`` may return the batch's dataset indices; the meter then
            refuses any sample metered twice.
        epochs: how many epochs to meter (the first pass is the prequential one).
        log_scalars: also ``pl_module.log`` the run's figures after each batch (cumulative bits per
            sample, compression ratio, kbits, samples metered): the Trainer's logger records them
            every ``log_every_n_steps``, against its global step.
        score_final: when training ends, score the final model on the metered epochs' data (one more
            pass per metered epoch; only where they were metered in full), for the regret.
    """

    def __init__(self, meter: PrequentialMeter | None = None, *, record_path: str | None = None,
                 logits_key: str = "logits", targets_key: str = "targets", indices_key: str = "indices",
                 epochs: int = 1, log_scalars: bool = True, score_final: bool = False):
        if _Base is object:
            raise ImportError("PrequentialCallback needs the lightning extra: pip install 'trainzip[lightning]'")
        super().__init__()
        self.meter = meter if meter is not None else PrequentialMeter()
        self.record_path = record_path
        self.logits_key, self.targets_key, self.indices_key = logits_key, targets_key, indices_key
        self.epochs = epochs
        self.log_scalars, self.score_final = log_scalars, score_final
        self.coverage = Coverage()  # examples metered, against the dataset's size
        self.coverage_figures: dict | None = None  # the record's coverage, once training ended
        self._epoch, self._epoch_batches = 0, 0  # the meter's place: batches metered in this epoch
        self._restored = False

    def _targets(self, outputs: Mapping, batch):
        if self.targets_key in outputs:
            return outputs[self.targets_key]
        if isinstance(batch, Mapping):
            return batch[self.targets_key]
        return batch[1]

    def on_train_start(self, trainer, pl_module) -> None:
        """After a resume: refuse one that would meter batches twice, warn of one that skips them."""
        if self.score_final and not pl_module.automatic_optimization:
            raise InputError("score_final=True scores the final model through training_step, which under manual "
                             "optimization steps the optimizer too: leave score_final off for this module")
        self.coverage.dataset_size = dataset_size(trainer.train_dataloader)
        self.coverage.dropped_per_epoch = dropped_per_epoch(trainer.train_dataloader, self.coverage.dataset_size)
        if not self._restored:
            return
        self._restored = False
        mid_epoch = 0 < self._epoch_batches < trainer.num_training_batches
        if mid_epoch and self._epoch < self.epochs and trainer.current_epoch > self._epoch:
            self.coverage.skipped = (f"resumed in epoch {trainer.current_epoch} from a checkpoint taken after "
                                     f"{self._epoch_batches} of the {trainer.num_training_batches} batches of epoch "
                                     f"{self._epoch}, which Lightning counts as done: its last "
                                     f"{trainer.num_training_batches - self._epoch_batches} batches go unmetered")
            warn_skipped(self.coverage.skipped)
        elif mid_epoch and self._epoch < self.epochs and not _resumable(trainer.train_dataloader):
            raise ResumeError(
                f"resuming from a checkpoint taken after {self._epoch_batches} of the {trainer.num_training_batches} "
                f"batches of epoch {self._epoch}, but the training dataloader is not resumable: Lightning would start "
                "the epoch's data again from its first batch, metering those batches a second time (after the model "
                "learned them) and never the last ones. Use a resumable dataloader (torchdata's StatefulDataLoader) "
                "or resume from an end-of-epoch checkpoint")

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        """Meter the batch, unless its epoch is past those metered."""
        if trainer.current_epoch >= self.epochs:
            return
        logits = self._logits(outputs)
        if trainer.current_epoch != self._epoch:
            self._epoch, self._epoch_batches = trainer.current_epoch, 0
        if batch_idx != self._epoch_batches:
            raise ResumeError(f"Lightning is at batch {batch_idx} of epoch {self._epoch} but the meter has metered "
                              f"{self._epoch_batches} of its batches: a checkpoint and a meter state that do not match")
        self.meter.update(logits, self._targets(outputs, batch), indices=outputs.get(self.indices_key))
        self.coverage.add(len(logits))
        self._epoch_batches += 1
        if self.log_scalars:
            self._log(trainer, pl_module)

    def _logits(self, outputs):
        if not isinstance(outputs, Mapping) or self.logits_key not in outputs:
            raise ValueError(f"training_step must return a dict with the batch's logits under "
                             f"{self.logits_key!r} for PrequentialCallback to meter it")
        return outputs[self.logits_key]

    def _log(self, trainer, pl_module) -> None:
        """Log the run's figures: every batch in one process, every log_every_n_steps over ranks."""
        if distributed.rank_and_world()[1] > 1:
            if self.meter.batches % max(trainer.log_every_n_steps, 1):
                return
            self.meter.sync()  # collective: every rank meters the same number of batches, so all get here
        totals, symbol = self.meter.totals(), self.meter.symbol
        pl_module.log(f"trainzip/bits_per_{symbol}", totals["bits_per_sample"])
        pl_module.log("trainzip/compression_ratio", totals["compression_ratio"] or 0.0)
        pl_module.log("trainzip/cumulative_kbits", totals["bits"] / 1000)
        pl_module.log(f"trainzip/{symbol}s_metered", float(totals["samples"]))

    def on_train_end(self, trainer, pl_module) -> None:
        """Check the coverage, score the final model if asked to, and write the run record (summed
        over every rank; rank 0 writes)."""
        epochs = min(self._epoch + 1, self.epochs) if self.meter.batches else 0
        self.coverage_figures, score = self.coverage.conclude(epochs, score_final=self.score_final)
        if score:
            self._score_final(trainer, pl_module, epochs)
        if self.record_path is not None:
            self.meter.write_json(self.record_path, coverage=self.coverage_figures)

    def _score_final(self, trainer, pl_module, epochs: int) -> None:
        """The final model's bits on each metered epoch's data: training_step's logits, in eval mode,
        without gradients and with ``self.log`` muted (Lightning allows it only inside its loops)."""
        import torch

        was_training = pl_module.training
        pl_module.log = pl_module.log_dict = lambda *args, **kwargs: None
        pl_module.eval()
        try:
            with torch.no_grad():
                for _ in range(epochs):
                    for batch_idx, batch in enumerate(trainer.train_dataloader):
                        batch = trainer.strategy.batch_to_device(batch)
                        outputs = pl_module.training_step(batch, batch_idx)
                        self.meter.update_final(self._logits(outputs), self._targets(outputs, batch))
        finally:
            del pl_module.log, pl_module.log_dict
            pl_module.train(was_training)

    def state_dict(self) -> dict:
        """The meter's accumulated bits and its place in the epoch: a resumed run keeps counting."""
        return {"format": STATE_FORMAT, "meter": self.meter.state_dict(), "epoch": self._epoch,
                "epoch_batches": self._epoch_batches, "coverage": self.coverage.state_dict()}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the meter from a checkpoint (checked against the data when training starts)."""
        if state_dict.get("format") != STATE_FORMAT:  # a trainzip 0.6 checkpoint: the meter's state alone
            self.meter.load_state_dict(state_dict)
            self._epoch, self._epoch_batches = 0, self.meter.batches
            self.coverage.load_state_dict(None)
        else:
            self.meter.load_state_dict(state_dict["meter"])
            self._epoch, self._epoch_batches = int(state_dict["epoch"]), int(state_dict["epoch_batches"])
            self.coverage.load_state_dict(state_dict.get("coverage"))  # absent before the coverage count
        self._restored = True


def _resumable(loaders) -> bool:
    """Whether every training dataloader can save and restore its place (Lightning then resumes it)."""
    if isinstance(loaders, Mapping):
        return all(_resumable(loader) for loader in loaders.values())
    if isinstance(loaders, (list, tuple)):
        return all(_resumable(loader) for loader in loaders)
    return callable(getattr(loaders, "state_dict", None)) and callable(getattr(loaders, "load_state_dict", None))
