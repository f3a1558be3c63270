"""Settings of the byte-level network; importing them costs nothing (no PyTorch)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    """Settings of the network; all of them change the code, so all go in the file."""

    embedding: int = 32
    hidden: int = 128
    bptt: int = 16  # byte-steps per truncated back-propagation update
    learning_rate: float = 1e-2
    gradient_clip: float = 1.0
