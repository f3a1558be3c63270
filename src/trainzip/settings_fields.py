"""Settings checked field by field: what each recorded setting may hold, named when it does not.

A file's settings come from whoever wrote the file, so before anything is built from them every
field is checked for its kind and its range, the range being what the format's levels may use
with room to spare (so memory and time stay bounded by what an honest encoder needed). The
encoder checks its own settings the same way, so it can never write a file the decoder refuses.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """What one setting may hold: an int, a float or a bool (bool is never taken for a number),
    or a str, in [low, high] (a str: its length)."""

    kind: type
    low: float = 0
    high: float = 0

    def problem(self, value) -> str | None:
        """Why ``value`` does not fit, or None."""
        if self.kind is bool:
            return None if isinstance(value, bool) else "must be true or false"
        if isinstance(value, bool) or not isinstance(value, (int, float) if self.kind is float else self.kind):
            return f"must be {'a number' if self.kind is float else 'an integer' if self.kind is int else 'a string'}"
        measure = len(value) if self.kind is str else value
        if self.kind is float and not math.isfinite(value):
            return "must be finite"
        if not self.low <= measure <= self.high:
            what = "have a length in" if self.kind is str else "be in"
            return f"must {what} {_number(self.low)}..{_number(self.high)} (got {value!r:.40})"
        return None


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value:,}"


def shown(name: str, limit: int = 40) -> str:
    """A name read from a file as an error may show it: on one line, cut short."""
    text = name if name.isprintable() else repr(name)
    return text if len(text) <= limit else text[:limit] + "..."


def check_fields(settings, fields: dict[str, Field]) -> None:
    """Raise ValueError naming the first field of a settings dataclass that does not fit."""
    for name, field in fields.items():
        problem = field.problem(getattr(settings, name))
        if problem:
            raise ValueError(f"{name} {problem}")


def build(cls, record, path: str = ""):
    """``cls(**record)`` for settings read from a file; ValueError naming the field (with its ``path``,
    e.g. ``context_mixing.``) that is unknown, of the wrong kind or out of range."""
    if not isinstance(record, dict):
        raise ValueError(f"{path.rstrip('.') or 'settings'} must be an object (got {type(record).__name__})")
    known = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(record) - known)
    if unknown:
        raise ValueError(f"unknown setting {path}{shown(unknown[0])} (written by a later trainzip?)")
    try:
        return cls(**record)
    except ValueError as error:
        raise ValueError(f"{path}{error}") from None
