"""The per-stream register file: the columns of one (streams, columns) int64 array, by name.

Each component allocates the registers it owns where it uses them, as a list of (name, width);
offsets are handed out in turn, so no two overlap and none is written by hand. Where a register
sits in the row does not change the code, only what it holds. The package's `__init__` imports the
components in one fixed order, so every process of a release lays the row out alike (the compiled
kernels keep the offsets as constants; `kernel_cache` drops them whenever a source changes).
"""

from __future__ import annotations


class RegisterFile:
    """Hands out the columns of the register file; records who owns which."""

    def __init__(self):
        self.fields: list[tuple[str, int, int]] = []  # (name, first column, width)
        self.columns = 0

    def allocate(self, *fields: tuple[str, int]) -> tuple[int, ...]:
        """First column of each (name, width), in order, after every column handed out so far."""
        offsets = []
        for name, width in fields:
            if width < 1 or any(name == known for known, _, _ in self.fields):
                raise ValueError(f"register {name!r}: a new name and a positive width, please")
            offsets.append(self.columns)
            self.fields.append((name, self.columns, width))
            self.columns += width
        return tuple(offsets)


REGISTERS = RegisterFile()
