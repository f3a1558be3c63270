"""Compare the in-process coding speed of two checkouts, side by side, on a shared machine.

    python bench/compare_speed.py BASELINE_SRC CANDIDATE_SRC [--levels fast default max]
                                  [--files alice29.txt ...] [--rounds 5]

Each round runs every (file, level, direction) once with each checkout, in fresh processes
(bench/worker.py, PYTHONPATH pointing at that checkout's src/), alternating which goes first, so
a load from other processes falls on both alike. Reports, per level and direction, the median
over rounds of candidate seconds / baseline seconds, and checks that both wrote the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def _run(src: str, level: str, direction: str, source: Path, target: Path) -> float:
    env = dict(os.environ, PYTHONPATH=src, PYTHONWARNINGS="ignore")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "worker.py"), f"trainzip {level}", direction,
                          str(source), str(target)], capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out)["seconds"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("baseline")
    parser.add_argument("candidate")
    parser.add_argument("--levels", nargs="*", default=["fast", "default", "max"])
    parser.add_argument("--files", nargs="*", default=["alice29.txt", "fields.c"])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    ratios: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for round_index in range(args.rounds):
            for name in args.files:
                source = CORPUS / "canterbury" / name if name != "enwik6" else CORPUS / name
                for level in args.levels:
                    order = [("baseline", args.baseline), ("candidate", args.candidate)]
                    if round_index % 2:
                        order.reverse()
                    seconds = {}
                    for label, src in order:
                        packed, restored = scratch / f"{label}.tz", scratch / f"{label}.out"
                        seconds[label, "compress"] = _run(src, level, "compress", source, packed)
                        seconds[label, "decompress"] = _run(src, level, "decompress", packed, restored)
                        if restored.read_bytes() != source.read_bytes():
                            sys.exit(f"{label} did not round-trip {name} at {level}")
                    if (scratch / "baseline.tz").read_bytes() != (scratch / "candidate.tz").read_bytes():
                        print(f"note: {name} at {level}: the two checkouts wrote different bytes")
                    for direction in ("compress", "decompress"):
                        ratio = seconds["candidate", direction] / seconds["baseline", direction]
                        ratios.setdefault((level, direction), []).append(ratio)
                        print(f"round {round_index} {name:<12} {level:<8} {direction:<10} "
                              f"{seconds['baseline', direction]:7.3f} s -> {seconds['candidate', direction]:7.3f} s "
                              f"({ratio:.3f})", flush=True)
    print("\nmedian candidate/baseline time (below 1: the candidate is faster)")
    for (level, direction), values in ratios.items():
        print(f"  {level:<8} {direction:<10} {statistics.median(values):.3f}  (n={len(values)})")


if __name__ == "__main__":
    main()
