"""Block schedules for label streams: where the labels are cut into blocks, each coded by a model
trained on every block before it.

The schedule is part of the file: the decoder must cut the stream at the same places, so it is
serialised into the metadata by stable names and rebuilt from there. The block ends themselves
come from `trainzip.block_schedules` (shared with MDL probing, which cuts its data at the same
places), so nothing here depends on the probing tools.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from trainzip.errors import FormatError
from trainzip.block_schedules import doubling_ends, voita_ends

KINDS = ("doubling", "voita", "fixed")


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """Block ends for n samples.

    Args:
        kind: "doubling" (blocks end at first, 2 first, 4 first, ..., n: the training cost stays
            about linear in n while the early blocks, where the model changes fastest, stay
            short), "voita" (Voita & Titov's 0.1% ... 100%; ``first`` unused) or "fixed" (a block
            every ``first`` samples).
        first: the size of the first block, coded by the untrained model.
    """

    kind: str = "doubling"
    first: int = 64

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown schedule kind {self.kind!r} (one of {', '.join(KINDS)})")
        if self.first < 1:
            raise ValueError("the first block needs at least one sample")

    def boundaries(self, n: int) -> list[int]:
        """Block ends, strictly increasing, the last equal to n: block k is [ends[k-1], ends[k])."""
        if self.kind == "doubling":
            return doubling_ends(n, self.first)
        if self.kind == "voita":
            return voita_ends(n)
        return [*range(self.first, n, self.first), n]

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
