"""The figures of one compress or decompress run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from trainzip.codec.learning_curve import LearningCurve
from trainzip.codec.settings import CodecConfig

KIND = "bytes"
Progress = Callable[[int, float], None]
"""Called with (bytes coded so far, ideal bits so far) across the whole input."""


@dataclass(frozen=True)
class CodingReport:
    """Figures of one compress or decompress run; every length in bits unless named bytes."""

    original_bytes: int
    compressed_bytes: int
    payload_bytes: int
    seconds: float
    curve: LearningCurve  # ideal bits per chunk of the input (8 bits per byte of a stored block)
    config: CodecConfig

    @property
    def ideal_bits(self) -> float:
        """Sum of -log2 q over every coded symbol (8 bits per byte of a stored block)."""
        return self.curve.total_bits

    @property
    def bits_per_byte(self) -> float:
        return 8 * self.compressed_bytes / self.original_bytes if self.original_bytes else 0.0

    @property
    def bytes_per_second(self) -> float:
        return self.original_bytes / self.seconds if self.seconds > 0 else 0.0

    def chunk_bits(self, chunk_bytes: int) -> np.ndarray:
        """Ideal code length of each consecutive chunk of the input: the learning curve."""
        return self.curve.chunk_bits(chunk_bytes)
