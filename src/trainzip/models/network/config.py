"""Settings of the byte-level network; importing them costs nothing (no PyTorch)."""

from __future__ import annotations

from dataclasses import dataclass

from trainzip.settings_fields import Field, check_fields


@dataclass(frozen=True, kw_only=True)
class NetworkConfig:
    """Settings of the network; all of them change the code, so all go in the file."""

    embedding: int = 32
    hidden: int = 128
    bptt: int = 16  # byte-steps per truncated back-propagation update
    learning_rate: float = 1e-2
    gradient_clip: float = 1.0

    def __post_init__(self):
        check_fields(self, FIELDS)


FIELDS = {
    "embedding": Field(int, 1, 256),
    "hidden": Field(int, 1, 1024),  # the levels use 16-64 and 64-128; 1,024 units: 17 MB of weights
    "bptt": Field(int, 1, 256),
    "learning_rate": Field(float, 0, 10),
    "gradient_clip": Field(float, 0, 1e6),
}
"""What each setting may hold: what the levels use, with room to spare (checked before PyTorch sees them)."""
