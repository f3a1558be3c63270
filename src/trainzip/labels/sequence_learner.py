"""The learner behind a token stream: a causal language model predicting a block of sequences
one position at a time, retrained on every sequence coded so far after each block.

A decoder knows token t of a sequence only once it has decoded it, so it must predict position t
from the tokens before it; the encoder does exactly the same (it never uses a token it has not
yet coded), so both run the model on the same (b, T) contexts, with the same shapes, at every
position, and their probabilities agree bit for bit. The context of a sequence is its tokens
shifted right by one behind a fixed ``bos`` token, the positions not yet coded holding ``bos``:

    context  = [bos, x_0, x_1, ..., x_{t-1}, bos, ..., bos]      (b, T)
    p(x_t)   = softmax(model(context)[:, t])                       (b, V)

A causal model's output at t depends on context positions <= t only. After a block, ``train``
gets the contexts and tokens of every sequence so far, the teacher-forced pair of an LM step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from trainzip.labels.frequencies import frequencies_of

SequenceTrainStep = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], None]
"""train(model, contexts (n, T), tokens (n, T)): update ``model`` in place on the sequences so far."""


def contexts_of(tokens: torch.Tensor, bos: int) -> torch.Tensor:
    """(n, T) model inputs for (n, T) tokens: the tokens shifted right by one behind ``bos``."""
    return torch.cat([torch.full_like(tokens[:, :1], bos), tokens[:, :-1]], dim=1)


def logits_of(output) -> torch.Tensor:
    """A model's (b, T, V) logits: the output itself, or its ``logits`` field (Hugging Face models)."""
    return output if isinstance(output, torch.Tensor) else output.logits


class SequenceLearner:
    """Codes (n, T) token sequences block by block and position by position.

    Args:
        model: the freshly built (seeded) causal LM: (b, T) int64 contexts -> (b, T, V) logits.
        train: the user's training step, called after each block but the last.
        ends: block ends (in sequences) from the schedule.
        length, vocab_size, bos: T, V and the start token.
        seed, eval_batch, meter, frequency_bits, device: as for `LabelLearner`.
    """

    def __init__(self, model, train: SequenceTrainStep, ends: list[int], *, length: int, vocab_size: int, bos: int,
                 seed: int, eval_batch: int, meter=None, frequency_bits: int = 24, device="cpu"):
        self.model, self.train, self.ends = model, train, ends
        self.length, self.vocab_size, self.bos = length, vocab_size, bos
        self.seed, self.eval_batch, self.meter, self.frequency_bits = seed, eval_batch, meter, frequency_bits
        self.device = torch.device(device)
        self.tokens = torch.full((ends[-1], length), bos, dtype=torch.int64)  # (n, T), filled as coded
        self.block, self.position = 0, 0
        self._logits = None

    def _span(self) -> tuple[int, int]:
        return (self.ends[self.block - 1] if self.block else 0), self.ends[self.block]

    def position_logits(self) -> torch.Tensor:
        """(b, V) logits for the current position of the current block's sequences."""
        start, end = self._span()
        contexts = contexts_of(self.tokens[start:end], self.bos).to(self.device)  # (b, T)
        self.model.eval()
        with torch.no_grad():
            parts = [logits_of(self.model(contexts[i:i + self.eval_batch]))[:, self.position]
                     for i in range(0, end - start, self.eval_batch)]
        logits = torch.cat(parts)
        if logits.shape != (end - start, self.vocab_size):
            raise ValueError(f"the model's logits at one position have shape {tuple(logits.shape)} for {end - start} "
                             f"sequences; expected ({end - start}, {self.vocab_size}) (is its output (b, T, V)?)")
        return logits

    def predict(self) -> np.ndarray:
        """(b, V) integer frequencies for the next token of every sequence in the block."""
        self._logits = self.position_logits()
        return frequencies_of(self._logits, self.frequency_bits,
                              where=f"the model's logits for block {self.block}, position {self.position}")

    def learn(self, symbols: np.ndarray) -> None:
        """Keep the tokens just coded; after a block's last position, train on every sequence so far."""
        start, end = self._span()
        coded = torch.as_tensor(np.asarray(symbols, dtype=np.int64))
        self.tokens[start:end, self.position] = coded
        if self.meter is not None:
            self.meter.update(self._logits.unsqueeze(1), coded.unsqueeze(1))  # (b, 1, V): counted as tokens
        self.position += 1
        if self.position < self.length:
            return
        self.position, self.block = 0, self.block + 1
        if self.block < len(self.ends):
            torch.manual_seed(self.seed + self.block)
            self.model.train()
            tokens = self.tokens[:end].to(self.device)
            self.train(self.model, contexts_of(tokens, self.bos), tokens)
