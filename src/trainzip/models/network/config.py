"""Settings of the byte-level network; importing them costs nothing (no PyTorch)."""

from __future__ import annotations

from dataclasses import dataclass

from trainzip.settings_fields import Field, check_fields

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
        check_fields(self, FIELDS)
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)} (got {self.kind!r:.40})")
        if self.kind == EXACT_LSTM and (self.embedding % 4 or self.hidden % 4):
            raise ValueError("the exact network's embedding and hidden sizes must be multiples of 4")

    @property
    def machine_independent(self) -> bool:
        """Whether its arithmetic is the same on every machine and with every library version."""
        return self.kind == EXACT_LSTM


FIELDS = {
    "embedding": Field(int, 1, 256),
    "hidden": Field(int, 1, 1024),  # the levels use 16-64 and 64-128; 1,024 units: 17 MB of weights
    "bptt": Field(int, 1, 256),
    "learning_rate": Field(float, 0, 10),
    "gradient_clip": Field(float, 0, 1e6),
    "kind": Field(str, 1, 40),
}
"""What each setting may hold: what the levels use, with room to spare (checked before any network is built)."""
