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
data, and scoring it again would not be a code length. With several processes each meters its
own shard; their sums add up.
"""

from __future__ import annotations

from collections.abc import Mapping

from trainzip.integrations import is_lightning_available
from trainzip.meter import PrequentialMeter

if is_lightning_available():
    from lightning.pytorch import Callback as _Base
else:  # the class still imports, so its hook logic stays testable; instantiating it says what to install
    _Base = object


class PrequentialCallback(_Base):
    """Feeds each training batch's logits and targets to a `PrequentialMeter`.

    Args:
        meter: the meter to fill (a new one if None); read it as ``callback.meter``.
        record_path: where to write the JSON run record when training ends (None: don't).
        logits_key, targets_key: keys of ``training_step``'s returned dict; when the targets are
            not returned, the batch's second element (or ``batch[targets_key]``) is used.
        epochs: how many epochs to meter (the first pass is the prequential one).
        log_scalars: also ``pl_module.log`` the cumulative bits per sample and compression ratio.
    """

    def __init__(self, meter: PrequentialMeter | None = None, *, record_path: str | None = None,
                 logits_key: str = "logits", targets_key: str = "targets", epochs: int = 1,
                 log_scalars: bool = True):
        if _Base is object:
            raise ImportError("PrequentialCallback needs the lightning extra: pip install 'trainzip[lightning]'")
        super().__init__()
        self.meter = meter if meter is not None else PrequentialMeter()
        self.record_path = record_path
        self.logits_key, self.targets_key = logits_key, targets_key
        self.epochs = epochs
        self.log_scalars = log_scalars

    def _targets(self, outputs: Mapping, batch):
        if self.targets_key in outputs:
            return outputs[self.targets_key]
        if isinstance(batch, Mapping):
            return batch[self.targets_key]
        return batch[1]

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        """Meter the batch, unless its epoch is past those metered."""
        if trainer.current_epoch >= self.epochs:
            return
        if not isinstance(outputs, Mapping) or self.logits_key not in outputs:
            raise ValueError(f"training_step must return a dict with the batch's logits under "
                             f"{self.logits_key!r} for PrequentialCallback to meter it")
        self.meter.update(outputs[self.logits_key], self._targets(outputs, batch))
        if self.log_scalars:
            pl_module.log(f"trainzip/bits_per_{self.meter.symbol}", self.meter.bits_per_sample)
            pl_module.log("trainzip/compression_ratio", self.meter.compression_ratio or 0.0)

    def on_train_end(self, trainer, pl_module) -> None:
        """Write the run record, if asked to."""
        if self.record_path is not None and getattr(trainer, "is_global_zero", True):
            self.meter.write_json(self.record_path)

    def state_dict(self) -> dict:
        """The meter's accumulated bits: saved in checkpoints, so a resumed run keeps counting."""
        return self.meter.state_dict()

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the meter from a checkpoint."""
        self.meter.load_state_dict(state_dict)
