"""What the recorded settings allow a file's blocks: every length checked before the bytes it counts
are read, in both format versions (a v6 file is checked against the same rules as a v7 one).

The rules follow from how the encoder writes (tests/golden hold files of every release): every
block but the last is exactly the block size, the last at most that; a coded payload is shorter
than its block (else the block is stored), and no shorter than the smallest code such a block
could have. So a crafted length can neither make a reader allocate more than the file holds nor
make a decoder run long on a payload too short for the length it claims. And a decoder may hold
each block to a memory limit (`check_memory`), before it is decoded (an inner frame's before its
payload is read; the last one's once read, which the file's own length and the block size bound).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from trainzip.errors import FormatError


@dataclass(frozen=True)
class FrameLimits:
    """What the recorded settings allow a block, checked before its bytes are read."""

    block_length: int | None = None  # every block but the last has exactly this length, the last at most
    coded_below_length: bool = False  # a coded payload is shorter than its block (else the block was stored)
    min_coded_payload: Callable[[int], int] | None = None  # the fewest payload bytes a coded block of a length has
    # (length, payload bytes, stored, index) -> None, or an error: what decoding the block would need
    # in memory, checked against the decoder's limit before the block is decoded
    check_memory: Callable[[int, int, bool, int], None] | None = None

    def payload_bound(self, length: int, stored: bool) -> int | None:
        """The most payload bytes a block of ``length`` may have (None: only the file's end)."""
        if stored:
            return length
        return max(length - 1, 0) if self.coded_below_length else None

    def check_length(self, length: int, index: int, *, last: bool) -> None:
        """A block's length: at least 1 (0 only for the one block of an empty input), equal to the
        block size for every block but the last, at most the block size for the last."""
        limit = self.block_length
        if length < (0 if last and not index else 1) or (limit is not None and length > limit) or \
                (limit is not None and not last and length != limit):
            raise FormatError(f"corrupt file: block {index} claims an implausible length ({length:,} bytes)")

    def check_payload_size(self, size: int, length: int, stored: bool, index: int) -> None:
        """A payload's length (as stored, before padding) against what its block's length allows."""
        bound = self.payload_bound(length, stored)
        if bound is not None and size > bound:
            raise FormatError(f"corrupt file: block {index}'s payload is longer than its block allows")
        if stored and size != length:
            raise FormatError(f"corrupt file: stored block {index}'s payload does not fit its block")
        if not stored and self.min_coded_payload is not None and size < self.min_coded_payload(length):
            raise FormatError(f"corrupt file: block {index}'s payload ({size:,} bytes) is too short for the "
                              f"{length:,} bytes it claims to hold")
        if self.check_memory is not None:
            self.check_memory(length, size, stored, index)
