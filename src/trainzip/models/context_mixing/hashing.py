"""The 32-bit hashes that key every context: integer-only, the same on every machine."""

from trainzip.jit import kernel

MASK32 = 0xFFFFFFFF


@kernel(inline=True)
def mix32(a, b):
    """A 32-bit hash of two integers (multiply-xorshift)."""
    h = ((a & MASK32) * 0x9E3779B1 + (b & MASK32) * 0x85EBCA77 + 0x27D4EB2F) & MASK32
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & MASK32
    return h ^ (h >> 13)


@kernel
def hash_bytes(data, first, last):
    """A hash of data[first:last]."""
    h = 0
    for q in range(first, last):
        h = mix32(h, data[q])
    return h
