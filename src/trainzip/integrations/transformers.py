"""A Hugging Face Trainer callback that meters the prequential code length of a run (an extra).

The Trainer gives callbacks no logits, so the callback hooks the model's forward pass: each
training batch is scored from the logits of the forward pass the Trainer itself runs, before the
optimizer step that learns from it (every micro-batch of a gradient-accumulation step is computed
before that step). For a causal language model the logits at position t predict the token at
t + 1, so the targets are the batch's ``labels`` shifted by one, padding (-100) skipped, the same
pairs the model's own loss uses: the figures are bits per token.

    trainer = Trainer(model=model, args=args, train_dataset=data)           # report_to as you like
    callback = PrequentialTrainerCallback(record_path="run.json").attach(trainer)
    trainer.train()
    callback.meter.totals()["bits_per_sample"]        # bits per token of the first epoch, online

- At each logging step the figures (``trainzip/bits_per_token``, ``trainzip/cumulative_kbits``,
  ``trainzip/tokens_metered``) join the Trainer's ``logs``. The Trainer hands every callback the
  same ``logs`` in turn, reporters (``report_to``) first, so `attach` puts this callback before
  them: TensorBoard, W&B or MLflow then log trainzip's figures against the global step. Passed in
  ``callbacks=[...]`` instead, only the log history gets them (and a warning says so).

- Only the first ``epochs`` epochs are metered (default 1): a batch seen before is not new data.
- Under torch.distributed (``torchrun``) each rank meters its shard; the record and the scalars
  are summed over ranks (at each of the Trainer's logging steps, never per batch); rank 0 writes.
- Checkpoints carry the meter's state (in ``trainer_state.json``, under ``stateful_callbacks``,
  key ``trainzip.meter``, written whenever the Trainer saves). A resume continues it exactly: the
  Trainer skips the batches it already trained on, so each sample is metered once. A resume that
  cannot be exact (a checkpoint without the meter's state, or ``ignore_data_skip=True`` in the
  middle of a metered epoch, which would feed those batches again) is refused with ResumeError.
- The record's ``coverage`` holds the dataset's size and the share of it metered; a run that ends
  with its metered epochs incomplete (``max_steps`` short of an epoch) warns (`CoverageWarning`).
- ``score_final=True`` scores the final model on the training data when training ends (one more
  pass, in eval mode, without gradients): the record then holds the final-model bits, the regret
  and the bits absorbed.
"""

from __future__ import annotations

import math
import warnings

from trainzip.errors import InputError, ResumeError
from trainzip.integrations import is_transformers_available
from trainzip.integrations.coverage import Coverage, dataset_size, dropped_per_epoch
from trainzip.meter import PrequentialMeter

if is_transformers_available():
    from transformers import TrainerCallback as _Base
else:  # the class still imports, so its logic stays testable; instantiating it says what to install
    _Base = object

STATE_KEY = "trainzip.meter"
"""Where the meter's state lies in a checkpoint's ``trainer_state.json`` (``stateful_callbacks``)."""


class PrequentialTrainerCallback(_Base):
    """Feeds each training batch's logits and labels, from the model's forward pass, to a meter.

    Args:
        meter: the meter to fill (a new one if None); read it as ``callback.meter``.
        record_path: where to write the JSON run record when training ends (None: don't).
        tensorboard_dir: log the meter's scalars there (rank 0; needs the tensorboard extra).
        epochs: how many epochs to meter (the first pass is the prequential one).
        shift_labels: logits at position t predict labels at t + 1 (causal LMs); False for
            models whose logits line up with their labels (token classification, or a
            sequence classifier's (B, K) logits).
        logits_attribute: the output's field holding the logits.
        score_final: when training ends, score the final model on the metered epochs' data (one more
            pass per metered epoch; only where they were metered in full), for the regret.
    """

    def __init__(self, meter: PrequentialMeter | None = None, *, record_path: str | None = None,
                 tensorboard_dir: str | None = None, epochs: int = 1, shift_labels: bool = True,
                 logits_attribute: str = "logits", score_final: bool = False):
        if _Base is object:
            raise ImportError("PrequentialTrainerCallback needs the transformers extra: "
                              "pip install 'trainzip[transformers]'")
        super().__init__()
        self.meter = meter if meter is not None else PrequentialMeter()
        self.record_path, self.tensorboard_dir = record_path, tensorboard_dir
        self.epochs, self.shift_labels, self.logits_attribute = epochs, shift_labels, logits_attribute
        self._hook = None
        self._metering = False
        self._steps_per_epoch = 0  # optimizer steps in an epoch, where the dataloader has a length
        self._attached = False
        self.score_final = score_final
        self.coverage = Coverage()  # examples (sequences) metered, against the dataset's size
        self.coverage_figures: dict | None = None  # the record's coverage, once training ended
        self._epochs_metered = 0

    def attach(self, trainer) -> PrequentialTrainerCallback:
        """Join ``trainer``'s callbacks just before its reporters, which then log this callback's
        figures (moved there if it was passed in ``callbacks``); returns the callback."""
        from transformers.integrations.integration_utils import INTEGRATION_TO_CALLBACK

        callbacks = trainer.callback_handler.callbacks
        if self in callbacks:
            callbacks.remove(self)
        reporters = tuple(INTEGRATION_TO_CALLBACK.values())
        first = next((i for i, callback in enumerate(callbacks) if isinstance(callback, reporters)), len(callbacks))
        callbacks.insert(first, self)
        self._attached = True
        return self

    # -- metering -------------------------------------------------------------------------------

    def _on_forward(self, module, args, kwargs, output) -> None:
        """Score a training forward pass (skipped in eval mode, under no_grad, and past the metered epochs)."""
        import torch

        if not (self._metering and module.training and torch.is_grad_enabled()):
            return
        logits, labels = self._pairs(output, kwargs.get("labels"))
        self.meter.update(logits, labels)
        self.coverage.add(len(labels))

    def _pairs(self, output, labels):
        """The (logits, targets) a forward pass's output and labels make: shifted for a causal LM."""
        if labels is None:
            raise InputError("the model was called without labels: PrequentialTrainerCallback meters the labels "
                             "the Trainer passes (use a data collator that sets them, e.g. for causal LM)")
        logits = getattr(output, self.logits_attribute, None)
        if logits is None and isinstance(output, (tuple, list)):  # return_dict=False: (loss, logits, ...)
            logits = output[1]
        if self.shift_labels:
            _check_shiftable(logits, labels)
            logits, labels = logits[:, :-1], labels[:, 1:]  # position t predicts token t + 1
        return logits, labels

    # -- the Trainer's events -------------------------------------------------------------------

    def on_train_begin(self, args, state, control, model=None, train_dataloader=None, **kwargs):
        """Hook the model; after a resume, restore the meter from the checkpoint (or refuse)."""
        self.coverage.dataset_size = dataset_size(train_dataloader)
        self.coverage.dropped_per_epoch = dropped_per_epoch(train_dataloader, self.coverage.dataset_size)
        if train_dataloader is not None and hasattr(train_dataloader, "__len__"):
            self._steps_per_epoch = math.ceil(len(train_dataloader) / args.gradient_accumulation_steps)
        if self.tensorboard_dir is not None and self.meter.writer is None and state.is_world_process_zero:
            from trainzip.integrations.tensorboard import summary_writer

            self.meter.writer = summary_writer(self.tensorboard_dir)
        if state.global_step > 0:
            self._restore(args, state)
        if self._hook is not None:
            self._hook.remove()
        self._hook = model.register_forward_hook(self._on_forward, with_kwargs=True)
        if args.report_to and not self._attached and state.is_world_process_zero:
            warnings.warn(f"the Trainer's reporters ({', '.join(args.report_to)}) log before this callback adds its "
                          "figures, so they will not log them: join with "
                          "PrequentialTrainerCallback(...).attach(trainer) instead of callbacks=[...]", stacklevel=2)

    def _restore(self, args, state) -> None:
        """Take the meter's state from the checkpoint being resumed; ResumeError where it cannot be exact."""
        saved = (state.stateful_callbacks or {}).get(STATE_KEY)
        if saved is None or saved.get("global_step") != state.global_step:
            found = "none" if saved is None else f"the meter's state of step {saved.get('global_step')}"
            raise ResumeError(f"resuming at step {state.global_step}, but the checkpoint holds {found}: the meter "
                              "cannot know which batches it already counted (was the run metered from its start?)")
        steps_per_epoch = self._steps_per_epoch
        mid_epoch = steps_per_epoch and state.global_step % steps_per_epoch
        if args.ignore_data_skip and mid_epoch and state.global_step // steps_per_epoch < self.epochs:
            raise ResumeError(f"resuming in the middle of a metered epoch (step {state.global_step}) with "
                              "ignore_data_skip=True: the Trainer would feed that epoch's first batches again, after "
                              "the model learned them, and the meter would count them twice")
        self.meter.load_state_dict(saved["meter"])
        self.coverage.load_state_dict(saved.get("coverage"))  # absent before the coverage count

    def on_epoch_begin(self, args, state, control, **kwargs):
        """Meter this epoch if it is one of the first ``epochs``."""
        self._metering = int(state.epoch or 0) < self.epochs
        if self._metering:
            self._epochs_metered = max(self._epochs_metered, int(state.epoch or 0) + 1)

    def on_step_end(self, args, state, control, **kwargs):
        """Put the meter's state where the checkpoint about to be saved will hold it."""
        self._keep_state(state, control)

    def on_epoch_end(self, args, state, control, **kwargs):
        """The same when an epoch-end checkpoint is about to be saved."""
        self._keep_state(state, control)

    def _keep_state(self, state, control) -> None:
        if control.should_save:  # decided alike on every rank, so the collective state_dict is safe here
            if state.stateful_callbacks is None:
                state.stateful_callbacks = {}
            state.stateful_callbacks[STATE_KEY] = {"global_step": state.global_step, "meter": self.meter.state_dict(),
                                                   "coverage": self.coverage.state_dict()}

    def on_log(self, args, state, control, logs=None, **kwargs):
        """Add the run's figures (summed over ranks) to this step's ``logs``, which the reporters after
        this callback receive, and to the Trainer's log history (a copy of them)."""
        totals = self.meter.sync()
        if not totals["samples"]:
            return
        symbol = self.meter.symbol
        figures = {f"trainzip/bits_per_{symbol}": totals["bits_per_sample"],
                   "trainzip/cumulative_kbits": totals["bits"] / 1000, f"trainzip/{symbol}s_metered": totals["samples"]}
        if logs is not None:
            logs.update(figures)
        if state.log_history:
            state.log_history[-1].update(figures)

    def on_train_end(self, args, state, control, model=None, train_dataloader=None, **kwargs):
        """Unhook the model, check the coverage, score the final model if asked to, and write the run
        record (summed over ranks; rank 0 writes)."""
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
        self.coverage_figures, score = self.coverage.conclude(self._epochs_metered, score_final=self.score_final)
        if score:
            self._score_final(model, train_dataloader)
        if self.record_path is not None:
            self.meter.write_json(self.record_path, trainer={"global_step": state.global_step,
                                                             "epochs_metered": self.epochs},
                                  coverage=self.coverage_figures)
        if self.meter.writer is not None and hasattr(self.meter.writer, "flush"):
            self.meter.writer.flush()

    def _score_final(self, model, loader) -> None:
        """The final model's bits on each metered epoch's data, in eval mode and without gradients."""
        import torch

        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                for _ in range(self._epochs_metered):
                    for batch in loader:
                        batch = {key: value.to(model.device) if hasattr(value, "to") else value
                                 for key, value in batch.items()}
                        self.meter.update_final(*self._pairs(model(**batch), batch.get("labels")))
        finally:
            model.train(was_training)


def _check_shiftable(logits, labels) -> None:
    """InputError unless logits and labels are (B, T, V) and (B, T), the shapes a shift by one needs."""
    if logits.dim() != 3 or labels.dim() != 2:
        raise InputError(f"the model returned logits {tuple(logits.shape)} with labels {tuple(labels.shape)}, but "
                         "shift_labels=True needs a causal LM's (B, T, V) next-token logits and (B, T) labels: for a "
                         "classifier's (B, K) logits, or logits that line up with their labels, build "
                         "PrequentialTrainerCallback(shift_labels=False)")
