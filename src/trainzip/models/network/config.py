"""Settings of the byte-level network; importing them costs nothing (no PyTorch)."""

from __future__ import annotations

from dataclasses import dataclass

TORCH_LSTM = "torch-lstm"  # format 6's network: PyTorch's kernels, so its files depend on the machine
EXACT_LSTM = "exact-lstm"  # the same kind of learner in float32 IEEE arithmetic: the same on every machine
KINDS = (TORCH_LSTM, EXACT_LSTM)


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    """Settings of the network; all of them change the code, so all go in the file.

    ``kind`` was added in 0.7.0: a file that does not record it was coded by PyTorch's LSTM, so
    that is its default, forever.
    """

    embedding: int = 32
    hidden: int = 128
    bptt: int = 16  # byte-steps per truncated back-propagation update
    learning_rate: float = 1e-2
    gradient_clip: float = 1.0
    kind: str = TORCH_LSTM

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown network kind {self.kind!r} (this trainzip has {', '.join(KINDS)})")
        if min(self.embedding, self.hidden, self.bptt) < 1:
            raise ValueError("embedding, hidden and bptt must be positive")
        if self.kind == EXACT_LSTM and (self.embedding % 4 or self.hidden % 4):
            raise ValueError("the exact network's embedding and hidden sizes must be multiples of 4")

    @property
    def machine_independent(self) -> bool:
        """Whether its arithmetic is the same on every machine and with every library version."""
        return self.kind == EXACT_LSTM
