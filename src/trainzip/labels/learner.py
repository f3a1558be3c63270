"""The learner behind a label stream: a user's model, predicting block k from block k's inputs.

It plugs into the one prequential loop (`trainzip.prequential.run`): ``predict`` runs the model
on the next block's inputs, ``learn`` stores the block's labels (written or just read) and trains
on every labelled sample so far. Encoder and decoder run exactly this code, with the same block
boundaries, the same forward batch shapes and the same seeds, so their probabilities agree bit
for bit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from trainzip.labels.frequencies import frequencies_of

TrainStep = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], None]
"""train(model, inputs, labels): update ``model`` in place on all labelled samples so far."""


class LabelLearner:
    """Codes labels block by block with a model retrained on the growing labelled prefix.

    Args:
        model: the freshly built (seeded) model; maps (b, ...) inputs to (b, K) logits.
        train: the user's training step, called after each block but the last.
        inputs: (n, ...) inputs, the side information both ends hold, on the model's device; the
            labels are kept on the CPU (they are coded there) and handed to ``train`` beside them.
        ends: block ends from the schedule.
        num_classes: K; the model's logits must have K columns.
        seed: seeds the RNG before each training call (shuffling, dropout), the same on both ends.
        eval_batch: forward batch size when predicting a block; fixed so shapes match on both ends.
        meter: optional `PrequentialMeter` scoring each block's float logits before training.
        frequency_bits: precision of the coded frequencies (rows sum to 2**frequency_bits).
    """

    def __init__(self, model, train: TrainStep, inputs: torch.Tensor, ends: list[int], *, num_classes: int,
                 seed: int, eval_batch: int, meter=None, frequency_bits: int = 16):
        self.model, self.train, self.inputs, self.ends = model, train, inputs, ends
        self.num_classes, self.seed, self.eval_batch, self.meter = num_classes, seed, eval_batch, meter
        self.frequency_bits = frequency_bits
        self.labels = torch.zeros(len(inputs), dtype=torch.int64)
        self.block = 0
        self._logits = None

    def _span(self) -> tuple[int, int]:
        return (self.ends[self.block - 1] if self.block else 0), self.ends[self.block]

    def block_logits(self) -> torch.Tensor:
        """(b, K) logits of the next block, computed in fixed-size forward batches."""
        start, end = self._span()
        self.model.eval()
        with torch.no_grad():
            parts = [self.model(self.inputs[i:min(i + self.eval_batch, end)])
                     for i in range(start, end, self.eval_batch)]
        logits = torch.cat(parts)
        if logits.shape != (end - start, self.num_classes):
            raise ValueError(f"the model returned logits of shape {tuple(logits.shape)} for "
                             f"{end - start} inputs; expected ({end - start}, {self.num_classes})")
        return logits

    def predict(self) -> np.ndarray:
        """(b, K) integer frequencies for the next block's labels."""
        self._logits = self.block_logits()
        return frequencies_of(self._logits, self.frequency_bits, where=f"the model's logits for block {self.block}")

    def learn(self, symbols: np.ndarray) -> None:
        """Keep the block's labels, meter them, and train on every label so far (unless it was the last block)."""
        start, end = self._span()
        block_labels = torch.as_tensor(np.asarray(symbols, dtype=np.int64))
        self.labels[start:end] = block_labels
        if self.meter is not None:
            self.meter.update(self._logits, block_labels)
        self.block += 1
        if self.block < len(self.ends):
            torch.manual_seed(self.seed + self.block)
            self.model.train()
            self.train(self.model, self.inputs[:end], self.labels[:end].to(self.inputs.device))
