"""Inputs made up for tests: text-like bytes that cost what real text costs to code."""

from __future__ import annotations

import random


def words(total_bytes: int) -> bytes:
    """``total_bytes`` of words over a 16-letter alphabet, in lines, the same every time: bytes that
    code as slowly as text does (at `fast`, about 9 s a MB on a quiet machine) and to about 1.8 bits
    a byte in 1 MiB blocks."""
    rng = random.Random(0)
    vocabulary = [bytes(rng.choices(b"etaoinshrdlucmfw", k=rng.randint(2, 9))) for _ in range(2000)]
    out = bytearray()
    while len(out) < total_bytes:
        out += rng.choice(vocabulary) + (b"\n" if rng.random() < 0.1 else b" ")
    return bytes(out[:total_bytes])
