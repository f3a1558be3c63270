"""Scale benchmark: throughput across workers, memory against input size, and what blocks cost in size.

    python bench/scale.py [--levels fast default] [--size 100MB] [--small-size 10MB] [--block-size N]
                          [--parts throughput memory size-cost] [--out bench/results/scale]

The input is built from ../shared/corpus: copies of its text files (enwik6 and the Canterbury
texts), each copy with its lines shuffled by a fixed seed, concatenated to the size asked for.
Shuffling matters: plain copies of the same files would be coded almost free by the match model
after their first occurrence, so a large input would measure the match model's shortcut, not the
learner's work; shuffled lines keep every copy's bytes and statistics but break the long matches.

For each level it reports, every run a `python -m trainzip` child process (wall clock, start-up
included), every round trip checked byte for byte:
- throughput: compress and decompress of the small input with 1 and with 2 workers, side by side in
  one run (interleaved, --repeat times, median);
- memory: the peak resident memory of the whole process tree (the command and its workers) at the
  small and at the full size with 1 worker, and at the full size with 2 workers;
- size cost: the file with the block size in force (--block-size, else the level's own) and with
  the --cost-block-sizes, against one block, on enwik6 and on the largest text there is: all the
  corpus's texts concatenated as they are (not shuffled), 2.2 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
TEXTS = ["enwik6", "canterbury/alice29.txt", "canterbury/asyoulik.txt", "canterbury/lcet10.txt",
         "canterbury/plrabn12.txt", "canterbury/cp.html", "canterbury/fields.c", "canterbury/grammar.lsp",
         "canterbury/xargs.1"]
SHUFFLE_SEED = 2026


def parse_size(text: str) -> int:
    """'100MB' -> 100_000_000, '10MiB' -> 10_485_760, '4096' -> 4096."""
    units = {"kib": 2**10, "mib": 2**20, "gib": 2**30, "kb": 10**3, "mb": 10**6, "gb": 10**9, "k": 10**3,
             "m": 10**6, "g": 10**9}
    lowered = text.strip().lower()
    for unit, factor in units.items():
        if lowered.endswith(unit):
            return int(float(lowered[:-len(unit)]) * factor)
    return int(lowered)


def build_input(size: int, target: Path) -> Path:
    """``size`` bytes of shuffled copies of the corpus's texts (see the module's docstring)."""
    import numpy as np

    if target.exists() and target.stat().st_size == size:
        return target
    texts = [(CORPUS / name).read_bytes().split(b"\n") for name in TEXTS]
    written, copy = 0, 0
    with open(target, "wb") as out:
        while written < size:
            lines = texts[copy % len(texts)]
            order = np.random.default_rng(SHUFFLE_SEED + copy).permutation(len(lines))
            piece = b"\n".join(lines[i] for i in order) + b"\n"
            piece = piece[:size - written]
            out.write(piece)
            written += len(piece)
            copy += 1
    return target


def largest_text(target: Path) -> Path:
    """The corpus's texts concatenated as they are: the largest real text at hand."""
    if not target.exists():
        target.write_bytes(b"".join((CORPUS / name).read_bytes() for name in TEXTS))
    return target


def throughput(level: str, source: Path, scratch: Path, *, block_size: int | None, repeat: int) -> dict:
    """Median wall-clock throughput with 1 and 2 workers, the runs interleaved."""
    from bench.scale_measure import round_trip

    runs = {1: [], 2: []}
    for _ in range(repeat):
        for workers in (1, 2):
            runs[workers].append(round_trip(level, source, scratch, workers=workers, block_size=block_size))
    row = {"level": level, "input_bytes": source.stat().st_size, "block_size": block_size, "runs": runs}
    for direction in ("compress", "decompress"):
        for workers in (1, 2):
            row[f"{direction}_kB_per_s_{workers}w"] = statistics.median(r[f"{direction}_kB_per_s"]
                                                                         for r in runs[workers])
        row[f"{direction}_speedup"] = row[f"{direction}_kB_per_s_2w"] / row[f"{direction}_kB_per_s_1w"]
    return row


def memory(level: str, small: Path, large: Path, scratch: Path, *, block_size: int | None) -> dict:
    """Peak tree memory at both sizes with 1 worker, and at the full size with 2 (round trips checked)."""
    from bench.scale_measure import round_trip

    rows = {"small_1w": round_trip(level, small, scratch, workers=1, block_size=block_size),
            "large_1w": round_trip(level, large, scratch, workers=1, block_size=block_size),
            "large_2w": round_trip(level, large, scratch, workers=2, block_size=block_size)}
    peak = {name: max(row["compress_peak_tree_mib"], row["decompress_peak_tree_mib"]) for name, row in rows.items()}
    return {"level": level, "block_size": block_size, "runs": rows, "peak_mib": peak,
            "large_over_small_1w": peak["large_1w"] / peak["small_1w"]}


def size_cost(level: str, texts: list[Path], block_sizes: list[int]) -> list[dict]:
    """Bytes with each block size against one block, per text (in this process: sizes, not speed)."""
    from trainzip.codec import compress
    from trainzip.codec.presets import preset

    rows = []
    for path in texts:
        data = path.read_bytes()
        one = len(compress(data, config=preset(level).replace(block_size=max(1, len(data)))))
        for block_size in block_sizes:
            # a block size past the input's length is one block: the same file
            size = one if block_size >= len(data) else len(compress(data, config=preset(level).replace(
                block_size=block_size)))
            rows.append({"level": level, "file": path.name, "input_bytes": len(data), "block_size": block_size,
                         "blocks": -(-len(data) // block_size), "bytes": size, "one_block_bytes": one,
                         "cost_percent": 100 * (size - one) / one})
            print(f"size cost {level:<8} {path.name:<16} block {block_size:>10,}: {size:>9,} against {one:>9,} "
                  f"({rows[-1]['cost_percent']:+.2f}%)", flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", nargs="*", default=["fast", "default"])
    parser.add_argument("--size", type=parse_size, default=parse_size("100MB"), help="The large input.")
    parser.add_argument("--small-size", type=parse_size, default=parse_size("10MB"), help="The small input.")
    parser.add_argument("--block-size", type=parse_size, default=None,
                        help="Block size for every run (default: each level's own).")
    parser.add_argument("--cost-block-sizes", nargs="*", type=parse_size, default=[2**18, 2**20, 2**22])
    parser.add_argument("--cost-files", nargs="*", default=["enwik6", "texts"], choices=["enwik6", "texts"],
                        help="Size cost on enwik6 and/or the corpus's texts concatenated.")
    parser.add_argument("--parts", nargs="*", default=["throughput", "memory", "size-cost"],
                        choices=["throughput", "memory", "size-cost"])
    parser.add_argument("--repeat", type=int, default=1, help="Interleaved throughput runs per worker count.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale")
    args = parser.parse_args(argv)
    if not (CORPUS / "enwik6").exists():
        sys.exit(f"the corpus is not at {CORPUS}")
    results = {"machine": {"cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
                           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
               "arguments": {key: (str(value) if isinstance(value, Path) else value)
                             for key, value in vars(args).items()},
               "throughput": [], "memory": [], "size_cost": []}
    with tempfile.TemporaryDirectory(prefix="tzscale-") as scratch_name:
        scratch = Path(scratch_name)
        small = build_input(args.small_size, scratch / "small.txt") if {"throughput", "memory"} & set(args.parts) else None
        large = build_input(args.size, scratch / "large.txt") if "memory" in args.parts else None
        for level in args.levels:
            if "throughput" in args.parts:
                results["throughput"].append(throughput(level, small, scratch, block_size=args.block_size,
                                                        repeat=args.repeat))
                _say(results["throughput"][-1], "throughput")
            if "memory" in args.parts:
                results["memory"].append(memory(level, small, large, scratch, block_size=args.block_size))
                _say(results["memory"][-1], "memory")
            if "size-cost" in args.parts:
                chosen = args.block_size or _level_block_size(level)
                sizes = sorted({chosen, *args.cost_block_sizes})
                texts = {"enwik6": lambda: CORPUS / "enwik6", "texts": lambda: largest_text(scratch / "texts.txt")}
                results["size_cost"] += size_cost(level, [texts[name]() for name in args.cost_files], sizes)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale.json").write_text(json.dumps(results, indent=1))
    from bench.scale_report import write_markdown

    write_markdown(results, args.out / "scale.md")
    print(f"wrote {args.out}/scale.json and scale.md")


def _level_block_size(level: str) -> int:
    from trainzip.codec.presets import preset

    return preset(level).block_size


def _say(row: dict, part: str) -> None:
    summary = {key: round(value, 3) if isinstance(value, float) else value for key, value in row.items()
               if key != "runs"}
    print(f"{part}: {json.dumps(summary)}", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
