"""The learning curve of a run, kept per chunk of the input, never per byte: bounded memory for any size.

A block's coder gives the ideal bits of each of its bytes; the block's worker sums them into grains
of GRAIN_BYTES aligned on the whole input (`grain_bits`), and the curve adds the grains into chunks
of a power-of-two size that doubles whenever the chunks would pass MAX_CHUNKS. Every chunk size a
run record asks for (a power of two, at most 256 chunks: `run_record.chunk_size_for`) is then a
whole number of the curve's chunks, and its sums are those of the bytes themselves.
"""

from __future__ import annotations

import numpy as np

GRAIN_BYTES = 256
MAX_CHUNKS = 1024  # at most 8 kB of curve, whatever the input's size


def grain_bits(position_bits: np.ndarray, offset: int) -> tuple[int, np.ndarray]:
    """The bits of a block starting at input byte ``offset``, summed per input grain.

    Returns the index of the block's first grain and each grain's bits (the first and last grains
    may be shared with the neighbouring blocks: they hold only this block's part).
    """
    if not len(position_bits):
        return offset // GRAIN_BYTES, np.zeros(0)
    first_cut = -offset % GRAIN_BYTES
    cuts = np.arange(first_cut or GRAIN_BYTES, len(position_bits), GRAIN_BYTES)
    starts = np.concatenate(([0], cuts))
    return offset // GRAIN_BYTES, np.add.reduceat(position_bits, starts)


class LearningCurve:
    """Ideal bits per chunk of the input, for chunks of ``chunk_bytes`` (a power of two)."""

    def __init__(self):
        self.chunk_bytes = GRAIN_BYTES
        self.bits = np.zeros(0)
        self.total_bits = 0.0  # block totals added in order (the run's ideal code length)
        self.length = 0  # input bytes covered so far

    def add(self, first_grain: int, grains: np.ndarray, *, length: int, total_bits: float) -> None:
        """Add one block's grains (from `grain_bits`); blocks arrive in order."""
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
