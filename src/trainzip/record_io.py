"""Run records on disk: the JSON, with per-step figures inline or as binary arrays beside it.

A record of a few thousand steps keeps them inline (format ``trainzip.run/1``): readable by eye
and by any JSON tool. A long run's steps go to ``NAME.steps.npz`` beside ``NAME.json`` (format
``trainzip.run/2``, key ``steps_file``): 200k steps were a 28 MB JSON that took seconds to parse;
as float64/int64 arrays they are a few MB that load in milliseconds. Readers take both.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from trainzip.errors import FormatError
from trainzip.record_format import RECORD_FORMAT

ARRAYS_FORMAT = "trainzip.run/2"
INLINE_STEPS_MAX = 10_000
"""Steps kept inline in the JSON at most (``steps="auto"``); longer runs write arrays."""
STEP_COLUMNS = ("bits", "samples", "uniform_bits", "correct", "bits_std")
"""The per-step columns a steps file may hold (bits and samples always)."""


def steps_path(path: Path) -> Path:
    """Where the steps of the record at ``path`` go: NAME.steps.npz beside NAME.json."""
    return path.with_name(path.stem + ".steps.npz")


def write_record(path: Path, record: dict, arrays: dict[str, np.ndarray], *, steps: str = "auto") -> Path:
    """Write ``record`` (without steps) and its per-step ``arrays`` to ``path``; returns ``path``.

    Args:
        steps: "inline", "arrays" or "auto" (arrays beyond INLINE_STEPS_MAX steps).
    """
    if steps not in ("auto", "inline", "arrays"):
        raise ValueError(f"steps must be 'auto', 'inline' or 'arrays', got {steps!r}")
    count = len(arrays["bits"])
    if steps == "arrays" or (steps == "auto" and count > INLINE_STEPS_MAX):
        sidecar = steps_path(path)
        columns = {name: np.asarray(arrays[name]) for name in STEP_COLUMNS if name in arrays}
        with open(sidecar, "wb") as handle:  # np.savez would append .npz to a name without it
            np.savez(handle, **columns)
        record = {**record, "format": ARRAYS_FORMAT, "steps_file": {"path": sidecar.name, "count": count,
                                                                      "columns": sorted(columns)}}
    else:
        record = {**record, "steps": inline_steps(arrays)}
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path


def inline_steps(arrays: dict[str, np.ndarray]) -> list[dict]:
    """The per-step arrays as the list of step dicts of a ``trainzip.run/1`` record."""
    columns = {name: np.asarray(values).tolist() for name, values in arrays.items()}
    return [{"step": step, **{name: values[step] for name, values in columns.items()}}
            for step in range(len(columns["bits"]))]


def read_step_arrays(raw: dict, base: Path | None, name: str) -> dict[str, np.ndarray]:
    """The arrays of a ``trainzip.run/2`` record's steps file (FormatError naming what is wrong)."""
    entry = raw.get("steps_file")
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise FormatError(f"{name}: a {ARRAYS_FORMAT} record needs a steps_file entry")
    if base is None:
        raise FormatError(f"{name}: its steps are in {entry['path']}, which cannot be found from a record read "
                          "from stdin or memory")
    sidecar = base / Path(entry["path"]).name  # beside the record, never elsewhere
    try:
        with np.load(sidecar, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise FormatError(f"{name}: its steps file {sidecar} is missing (keep it beside the record)") from None
    except (ValueError, OSError) as error:
        raise FormatError(f"{name}: its steps file {sidecar} is not readable ({error})") from None
    if "bits" not in arrays or "samples" not in arrays or len(arrays["bits"]) != entry.get("count"):
        raise FormatError(f"{name}: its steps file {sidecar} does not hold the {entry.get('count')} steps it should")
    return arrays


def write_examples(path: Path, columns: dict[str, np.ndarray]) -> Path:
    """Per-example figures as .npz arrays or a .csv table (by the file's extension)."""
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(list(columns))
        writer.writerows(zip(*(values.tolist() for values in columns.values())))
        path.write_text(buffer.getvalue(), encoding="utf-8")
    elif path.suffix.lower() == ".npz":
        with open(path, "wb") as handle:
            np.savez(handle, **columns)
    else:
        raise ValueError(f"{path}: per-example bits are written as .npz or .csv")
    return path


__all__ = ["ARRAYS_FORMAT", "INLINE_STEPS_MAX", "RECORD_FORMAT", "read_step_arrays", "steps_path", "write_examples",
           "write_record"]
