"""The training steps of a language model reading a text: none (frozen), or one AdamW step on
each chunk just coded, so the decoder, replaying the same steps, predicts as the encoder did."""

from __future__ import annotations

import torch

from trainzip.labels.sequence_learner import logits_of


def frozen(model, contexts, tokens) -> None:
    """No step: the pretrained model codes the whole text as it is."""


class OnlineStep:
    """One AdamW step on the last ``chunk`` windows, called after each chunk is coded.

    The optimizer lives as long as the model it was made for (its moments carry over between
    chunks); a new model (the fingerprint's dry run, or the decoder's replay) gets a new one.
    """

    def __init__(self, *, lr: float, chunk: int):
        self.lr, self.chunk = lr, chunk
        self._model, self._optimizer = None, None

    def __call__(self, model, contexts, tokens) -> None:
        if self._model is not model:
            self._model, self._optimizer = model, torch.optim.AdamW(model.parameters(), lr=self.lr, weight_decay=0.0)
        logits = logits_of(model(contexts[-self.chunk:]))  # (chunk, T, V)
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), tokens[-self.chunk:].flatten())
        self._optimizer.zero_grad()
        loss.backward()
        self._optimizer.step()
