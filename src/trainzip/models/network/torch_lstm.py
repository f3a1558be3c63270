"""A byte-level LSTM in PyTorch that learns online: the network of format 6's `default` level.

Every byte-step it predicts the next byte of all B streams in one batched forward (always shape
(B, ...), so encoder and decoder run identical kernels); every ``bptt`` byte-steps it takes one
Adam step on the coding cost of those steps, back-propagated through them, then detaches.
"""

from __future__ import annotations

import numpy as np
import torch
import torch._dynamo  # noqa: F401  (the first optimizer imports it lazily, about 2 s: take it with the imports)
from torch import nn

from trainzip.models.network.config import NetworkConfig


class ByteLSTM(nn.Module):
    """Embedding, one LSTM cell, and a linear read-out to 256 byte logits."""

    def __init__(self, config: NetworkConfig):
        super().__init__()
        self.embed = nn.Embedding(256, config.embedding)
        self.cell = nn.LSTMCell(config.embedding, config.hidden)
        self.head = nn.Linear(config.hidden + config.embedding, 256)

    def forward(self, previous: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]):
        """previous: (B,) last bytes; state: ((B, H), (B, H)). Returns (B, 256) logits and the new state."""
        x = self.embed(previous)  # (B, E)
        h, c = self.cell(x, state)
        return self.head(torch.cat([h, x], dim=1)), (h, c)


class OnlineByteNetwork:
    """Predicts (B, 256) next-byte probabilities and learns from each coded batch of bytes."""

    def __init__(self, config: NetworkConfig, streams: int, seed: int):
        torch.manual_seed(seed)
        self.config = config
        self.model = ByteLSTM(config)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.learning_rate)
        self.state = (torch.zeros(streams, config.hidden), torch.zeros(streams, config.hidden))
        self.previous = torch.zeros(streams, dtype=torch.long)
        self._logits: torch.Tensor | None = None
        self._losses: list[torch.Tensor] = []

    def predict(self) -> np.ndarray:
        """(B, 256) float32 probabilities of each stream's next byte."""
        self._logits, self.state = self.model(self.previous, self.state)
        return torch.softmax(self._logits.detach(), dim=1).numpy()

    def learn(self, targets: np.ndarray) -> None:
        """Score the last prediction on the (active,) bytes coded; update every ``bptt`` steps."""
        target = torch.from_numpy(targets.astype(np.int64))
        active = len(target)
        self._losses.append(nn.functional.cross_entropy(self._logits[:active], target, reduction="sum"))
        self.previous = torch.cat([target, self.previous[active:]])  # new tensor: autograd saved the old one
        if len(self._losses) == self.config.bptt:
            self._update()

    def _update(self) -> None:
        loss = torch.stack(self._losses).sum() / (len(self._losses) * len(self.previous))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), self.config.gradient_clip)
        self.optimizer.step()
        self.state = (self.state[0].detach(), self.state[1].detach())
        self._losses = []
