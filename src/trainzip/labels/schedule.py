"""Block schedules: where the label stream is cut into blocks, each coded by a model trained on all before it.

The schedule is part of the file: the decoder must cut the stream at the same places, so it is
serialised into the metadata by stable names and rebuilt from there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from trainzip.errors import FormatError


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """Block boundaries for n samples.

    Args:
        kind: "doubling" (blocks end at first, 2 first, 4 first, ... n: training cost stays about
            linear in n while early blocks, where the model changes fastest, stay short) or
            "fixed" (blocks of ``first`` samples each).
        first: the size of the first block, coded by the untrained model.
    """

    kind: str = "doubling"
    first: int = 64

    def __post_init__(self):
        if self.kind not in ("doubling", "fixed"):
            raise ValueError(f"unknown schedule kind {self.kind!r} (doubling or fixed)")
        if self.first < 1:
            raise ValueError("the first block needs at least one sample")

    def boundaries(self, n: int) -> list[int]:
        """Block ends, increasing, the last equal to n: block k is [ends[k-1], ends[k])."""
        ends, end = [], self.first
        while end < n:
            ends.append(end)
            end = end * 2 if self.kind == "doubling" else end + self.first
        return ends + [n] if n else []

    def to_dict(self) -> dict:
        """Stable names for the file's metadata."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict) -> "Schedule":
        """Rebuild a schedule from file metadata; FormatError if it is not one."""
        try:
            return cls(kind=record["kind"], first=int(record["first"]))
        except (KeyError, TypeError, ValueError) as error:
            raise FormatError(f"corrupt file: unreadable block schedule ({error})") from None
