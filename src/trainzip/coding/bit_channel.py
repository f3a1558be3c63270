"""A binary arithmetic coder that runs inside compiled model loops: the byte codec's channel.

Why not constriction here: the byte codec codes one bit per model step, and a Python call per bit
(to the coder, then back to the model) costs about 30 times the model's own work. This coder is
a Numba function that the model kernel calls directly, so a whole run of bits is coded in one
call. `code_bit` is the one seam between encoder and decoder: it writes the given bit or reads
it, under the same 16-bit probability, and returns it.

The coder is the carry-less 32-bit range coder of the paq family (Mahoney): the interval
[low, high] is split in proportion to P(1); leading bytes are shipped as soon as low and high
agree on them. The flush is one byte; the decoder reads zeros past the end of the payload.
"""

from __future__ import annotations

import numpy as np

from trainzip.jit import kernel

LOW, HIGH, CODE, POSITION = range(4)  # the coder's registers
PROBABILITY_BITS = 16  # P(bit = 1) is an integer in [1, 2**16 - 1]
_MASK32 = 0xFFFFFFFF


@kernel(inline=True)
def code_bit(coder, buffer, writes, p1, bit):
    """Write ``bit`` (encoder) or read it (decoder) with P(1) = p1 / 65536; returns the bit."""
    low = coder[LOW]
    high = coder[HIGH]
    span = high - low
    middle = low + (span >> 16) * p1 + (((span & 0xFFFF) * p1) >> 16)
    if not writes:
        bit = 1 if coder[CODE] <= middle else 0
    if bit:
        high = middle
    else:
        low = middle + 1
    position = coder[POSITION]
    while ((low ^ high) & 0xFF000000) == 0:
        if writes:
            buffer[position] = high >> 24
        else:
            following = buffer[position + 4] if position + 4 < buffer.shape[0] else 0
            coder[CODE] = ((coder[CODE] << 8) & _MASK32) | following
        position += 1
        low = (low << 8) & _MASK32
        high = ((high << 8) & _MASK32) | 0xFF
    coder[LOW] = low
    coder[HIGH] = high
    coder[POSITION] = position
    return bit


def min_payload_bytes(length: int) -> int:
    """The fewest bytes a block of ``length`` bytes can be coded in, after the container drops up to
    three trailing zeros: a bound a decoder checks before it decodes, so a short payload cannot
    claim a long block.

    Every bit is coded at P in [2^-16, 1 - 2^-16], and the interval left after it is at most
    1 - 2^-17 of the one before (the integer split rounds, and a span is never below 1), so each
    bit costs more than 2^-17 bits of the code: 8 * length bits ship at least length / 2^17
    bytes, one more is the flush, and at most three zeros are dropped.
    """
    return max(0, (length >> 17) - 3)


class BitChannel:
    """The coder's registers and byte buffer, for one block; ``writes`` says which direction."""

    MAX_BYTES_PER_BIT = 4  # one bit at P >= 2**-16 ships at most this many bytes
    READ_SLACK_BYTES = 4  # a decoder of an honest payload reads at most 2 bytes past its stored end

    def __init__(self, payload: bytes | None = None):
        self.writes = payload is None
        self.coder = np.zeros(4, dtype=np.int64)
        self.coder[HIGH] = _MASK32
        if self.writes:
            self.buffer = np.zeros(1 << 12, dtype=np.uint8)
        else:
            self.buffer = np.frombuffer(payload, dtype=np.uint8).copy()  # one writable type for both directions
            head = np.zeros(4, dtype=np.int64)
            head[: min(4, len(payload))] = self.buffer[:4]
            self.coder[CODE] = int((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3])

    @property
    def read_past_end(self) -> bool:
        """Whether the decoder has read further past the payload's end than any encoder's payload
        lets it (its flush byte and the dropped zeros): the payload is corrupt, or too short for its
        block, and decoding on would only read zeros."""
        return not self.writes and int(self.coder[POSITION]) > len(self.buffer) + self.READ_SLACK_BYTES

    def reserve(self, bits: int) -> None:
        """Make room for the bytes that coding ``bits`` more bits can ship (encoder only)."""
        if not self.writes:
            return
        needed = int(self.coder[POSITION]) + self.MAX_BYTES_PER_BIT * bits + 1
        if needed > len(self.buffer):
            grown = np.zeros(max(needed, 2 * len(self.buffer)), dtype=np.uint8)
            grown[: len(self.buffer)] = self.buffer
            self.buffer = grown

    def finish(self) -> bytes:
        """The complete payload: the shipped bytes and one byte that lands inside the final interval."""
        if not self.writes:
            raise ValueError("only the encoding channel has a payload to finish")
        self.reserve(0)
        position = int(self.coder[POSITION])
        self.buffer[position] = int(self.coder[HIGH]) >> 24  # low and high differ in this byte, so high's top byte > low's
        return self.buffer[: position + 1].tobytes()


def bit_costs() -> np.ndarray:
    """-log2(q / 65536) for every 16-bit q: the ideal cost of a bit coded at probability q."""
    return -np.log2(np.maximum(np.arange((1 << PROBABILITY_BITS) + 1), 1) / (1 << PROBABILITY_BITS))
