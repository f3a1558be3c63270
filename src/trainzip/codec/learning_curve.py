"""The learning curve of a run, kept per chunk of the input, never per byte: bounded memory for any size.

A block's coder adds the ideal bits of each of its bytes into grains of GRAIN_BYTES aligned on
the whole input, as it codes them (`block_grains`), and the curve adds the grains into chunks
of a power-of-two size that doubles whenever the chunks would pass MAX_CHUNKS. Every chunk size a
run record asks for (a power of two, at most 256 chunks: `run_record.chunk_size_for`) is then a
whole number of the curve's chunks, and its sums are those of the bytes themselves.
"""

from __future__ import annotations

import numpy as np

GRAIN_SHIFT = 8
GRAIN_BYTES = 1 << GRAIN_SHIFT
MAX_CHUNKS = 1024  # at most 8 kB of curve, whatever the input's size


def block_grains(offset: int, length: int, shift: int = GRAIN_SHIFT) -> tuple[int, np.ndarray, int]:
    """For a block of ``length`` bytes at input byte ``offset``: its first grain, zeroed bits for
    each grain it touches (the first and last may be shared with the neighbouring blocks: they hold
    only this block's part), and where it starts in its first grain (grains of 2**shift bytes:
    shift 0 keeps a float per byte, for tests)."""
    size = 1 << shift
    lead = offset % size
    return offset // size, np.zeros(-(-(lead + length) // size) if length else 0), lead


def stored_grains(offset: int, length: int) -> tuple[int, np.ndarray]:
    """A stored block's grains: 8 bits for each of its bytes."""
    first, grains, lead = block_grains(offset, length)
    ends = np.minimum(np.arange(1, len(grains) + 1) * GRAIN_BYTES, lead + length)
    starts = np.maximum(np.arange(len(grains)) * GRAIN_BYTES, lead)
    return first, 8.0 * (ends - starts)


class LearningCurve:
    """Ideal bits per chunk of the input, for chunks of ``chunk_bytes`` (a power of two)."""

    def __init__(self):
        self.chunk_bytes = GRAIN_BYTES
        self.bits = np.zeros(0)
        self.total_bits = 0.0  # block totals added in order (the run's ideal code length)
        self.length = 0  # input bytes covered so far

    def add(self, first_grain: int, grains: np.ndarray, *, length: int, total_bits: float) -> None:
        """Add one block's grains (see `block_grains`); blocks arrive in order."""
        self.length += length
        self.total_bits += total_bits
        while -(-self.length // self.chunk_bytes) > MAX_CHUNKS:
            self._halve()
        chunks = -(-self.length // self.chunk_bytes)
        if len(self.bits) < chunks:
            self.bits = np.concatenate((self.bits, np.zeros(chunks - len(self.bits))))
        per_chunk = self.chunk_bytes // GRAIN_BYTES
        np.add.at(self.bits, (first_grain + np.arange(len(grains))) // per_chunk, grains)

    def _halve(self) -> None:
        """Double the chunk size: each chunk becomes the sum of two."""
        padded = np.concatenate((self.bits, np.zeros(len(self.bits) % 2)))
        self.bits = padded.reshape(-1, 2).sum(axis=1)
        self.chunk_bytes *= 2

    def chunk_bits(self, chunk_bytes: int) -> np.ndarray:
        """Ideal bits of each consecutive chunk of ``chunk_bytes`` (a multiple of the curve's own)."""
        if chunk_bytes % self.chunk_bytes:
            raise ValueError(f"the curve keeps chunks of {self.chunk_bytes} bytes; ask for a multiple of it")
        factor = chunk_bytes // self.chunk_bytes
        chunks = -(-self.length // chunk_bytes)
        padded = np.zeros(chunks * factor)
        padded[:len(self.bits)] = self.bits
        return padded.reshape(-1, factor).sum(axis=1) if chunks else np.zeros(0)
