"""How long a 200k-step run record takes to read and to draw (the target: under 2 s together).

    python bench/record_scale.py [--steps 200000] [--rounds 3]

Writes the record the way `PrequentialMeter.write_json` does (`record_io.write_record`: the steps as
binary arrays beside the JSON past 10,000 steps), then times, in fresh rounds, `load_record`
from the file and `render_report` to a PNG, and prints the median of each. For comparison it
also times the same record written with every step inline in the JSON (the old form). Timings on
a shared machine are noisy: the rounds interleave the two forms, and the medians are reported.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from trainzip.record_format import RECORD_FORMAT
from trainzip.record_io import write_record
from trainzip.reports import load_record, render_report


def synthetic_arrays(steps: int) -> dict[str, np.ndarray]:
    """A classifier's 200k steps of 32 samples, 10 classes: a falling rate with noise, and correct counts."""
    rng = np.random.default_rng(0)
    samples = np.full(steps, 32, dtype=np.int64)
    rate = 3.3 / np.sqrt(1 + np.arange(steps) / 500) + rng.normal(0, 0.05, steps).clip(-0.1, 0.1)
    bits = samples * rate.clip(0.01)
    correct = rng.binomial(32, np.clip(1 - rate / 3.4, 0, 1)).astype(np.int64)
    return {"bits": bits, "samples": samples, "correct": correct, "uniform_bits": samples * np.log2(10),
            "cumulative_bits": np.cumsum(bits)}


def time_round(path: Path) -> tuple[float, float]:
    """(seconds to read, seconds to draw) the record at ``path``."""
    start = time.perf_counter()
    record = load_record(path.read_bytes(), path.stem, path.parent)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    png = render_report([record], "png")
    draw_s = time.perf_counter() - start
    assert png.startswith(b"\x89PNG")
    return read_s, draw_s


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    arrays = synthetic_arrays(args.steps)
    head = {"format": RECORD_FORMAT, "kind": "prequential", "unit": "bits", "symbol": "sample", "num_classes": 10,
            "totals": {"samples": int(arrays["samples"].sum()), "bits": float(arrays["bits"].sum())}}
    with tempfile.TemporaryDirectory() as folder:
        paths = {form: write_record(Path(folder) / f"{form}.json", head, arrays, steps=form)
                 for form in ("arrays", "inline")}
        sizes = {form: sum(p.stat().st_size for p in Path(folder).glob(f"{form}*")) for form in paths}
        times = {form: [] for form in paths}
        time_round(paths["arrays"])  # matplotlib's first figure pays its own start-up
        for _ in range(args.rounds):
            for form, path in paths.items():
                times[form].append(time_round(path))
    print(f"{args.steps:,}-step record, median of {args.rounds} rounds:")
    for form, rounds in times.items():
        read_s = statistics.median(r for r, _ in rounds)
        draw_s = statistics.median(d for _, d in rounds)
        print(f"  {form:7s} {sizes[form] / 1e6:6.1f} MB on disk   read {read_s:6.3f} s   draw {draw_s:6.3f} s"
              f"   together {read_s + draw_s:6.3f} s")


if __name__ == "__main__":
    main()
