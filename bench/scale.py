"""Scale benchmark: throughput across workers, memory against input size, and what blocks cost in size.

    python bench/scale.py [--levels fast default] [--size 100MB] [--small-size 10MB] [--block-size N]
                          [--parts throughput memory size-cost peers] [--memory-runs small-1w large-1w large-2w]
                          [--peers "xz -9e" "zstd -19" ...] [--peer-input large] [--resume]
                          [--out bench/results/scale]

The input is built from ../shared/corpus: copies of its text files (enwik6 and the Canterbury
texts), each copy with its lines shuffled by a fixed seed, concatenated to the size asked for.
Shuffling matters: plain copies of the same files would be coded almost free by the match model
after their first occurrence, so a large input would measure the match model's shortcut, not the
learner's work; shuffled lines keep every copy's bytes and statistics but break the long matches.

For each level it measures, every run a `python -m trainzip` child process (wall clock, start-up
included), every round trip checked byte for byte:
- throughput: compress and decompress of the small input with 1 and with 2 workers, side by side in
  one run (interleaved, --repeat times; the report takes medians). Two workers can only help where
  the input holds two blocks or more: measure on a whole number of block pairs;
- memory: the peak resident memory of the whole process tree (the command and its workers) at the
  small and at the full size with 1 worker, and at the full size with 2 workers (whose pair at the
  full size is a throughput measurement too);
- size cost: the file with the block size in force (--block-size, else the level's own) and with
  the --cost-block-sizes, against one block, on enwik6 and on the largest real text there is: all
  the corpus's texts concatenated as they are (not shuffled), 2.2 MB; or on the built inputs;
- peers: the classical compressors that can use threads (xz, zstd), with 1 and 2 threads on the
  same input (the large one unless --peer-input says otherwise), interleaved --repeat times: what
  a second core buys their users, beside what it buys trainzip's.

Every round trip is appended to OUT/runs.jsonl as it finishes, and OUT/scale.md is written from
every run the log holds: the whole benchmark takes longer than one sitting (default's 100 MB
round trips alone take hours on 2 cores), so it is run in parts, and --resume skips the round
trips already logged.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.scale_log import RunLog

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
TEXTS = ["enwik6", "canterbury/alice29.txt", "canterbury/asyoulik.txt", "canterbury/lcet10.txt",
         "canterbury/plrabn12.txt", "canterbury/cp.html", "canterbury/fields.c", "canterbury/grammar.lsp",
         "canterbury/xargs.1"]
SHUFFLE_SEED = 2026
INPUT_KIND = f"corpus texts, lines shuffled, seed {SHUFFLE_SEED}"  # what a logged run's input was


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


def measured_round_trip(log: RunLog, level: str, source: Path, scratch: Path, *, workers: int,
                        block_size: int | None, occurrence: int = 0) -> dict:
    """One round trip, taken from the log when resuming and it is there, else run and logged at once."""
    from bench.scale_measure import round_trip

    key = (level, source.stat().st_size, workers, block_size, INPUT_KIND)
    return log.measure(key, lambda: round_trip(level, source, scratch, workers=workers, block_size=block_size),
                       occurrence=occurrence)


def throughput(log: RunLog, level: str, source: Path, scratch: Path, *, block_size: int | None, repeat: int) -> None:
    """Round trips with 1 and 2 workers, interleaved, ``repeat`` of each (the report takes medians)."""
    for attempt in range(repeat):
        for workers in (1, 2):
            measured_round_trip(log, level, source, scratch, workers=workers, block_size=block_size,
                                occurrence=attempt)


MEMORY_RUNS = {"small-1w": ("small", 1), "large-1w": ("large", 1), "large-2w": ("large", 2)}


def memory(log: RunLog, level: str, inputs: dict[str, Path], scratch: Path, *, block_size: int | None,
           runs: list[str]) -> None:
    """Round trips whose peak tree memory the report compares: the small and the large input with 1
    worker (memory must not grow with the input), the large with 2; ``runs`` picks which, so that
    the hours-long ones can be run in a sitting of their own."""
    for name in runs:
        size_name, workers = MEMORY_RUNS[name]
        measured_round_trip(log, level, inputs[size_name], scratch, workers=workers, block_size=block_size)


def peers(log: RunLog, names: list[str], source: Path, scratch: Path, *, repeat: int) -> None:
    """Each peer's round trips with 1 and 2 threads, interleaved, ``repeat`` of each; logged as
    trainzip's are (the peer's name as the level, its threads as the workers)."""
    from bench.scale_measure import peer_round_trip

    for attempt in range(repeat):
        for name in names:
            for threads in (1, 2):
                key = (name, source.stat().st_size, threads, None, INPUT_KIND)
                log.measure(key, lambda: peer_round_trip(name, source, scratch, threads=threads), occurrence=attempt)


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
    from bench.scale_measure import PEERS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", nargs="*", default=["fast", "default"])
    parser.add_argument("--size", type=parse_size, default=parse_size("100MB"), help="The large input.")
    parser.add_argument("--small-size", type=parse_size, default=parse_size("10MB"), help="The small input.")
    parser.add_argument("--block-size", type=parse_size, default=None,
                        help="Block size for every run (default: each level's own).")
    parser.add_argument("--cost-block-sizes", nargs="*", type=parse_size, default=[2**18, 2**20, 2**22])
    parser.add_argument("--cost-files", nargs="*", default=["enwik6", "texts"],
                        choices=["enwik6", "texts", "small", "large"],
                        help="Size cost on enwik6, the corpus's texts concatenated, and/or the built inputs.")
    parser.add_argument("--parts", nargs="*", default=["throughput", "memory", "size-cost"],
                        choices=["throughput", "memory", "size-cost", "peers"])
    parser.add_argument("--repeat", type=int, default=1, help="Interleaved throughput runs per worker count.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale")
    parser.add_argument("--resume", action="store_true",
                        help="Take the round trips that OUT/runs.jsonl already holds instead of running them again "
                             "(every finished round trip is appended there at once, resumed or not).")
    parser.add_argument("--memory-runs", nargs="*", default=list(MEMORY_RUNS), choices=list(MEMORY_RUNS),
                        help="Which memory round trips to run (default all; the log keeps the others).")
    parser.add_argument("--peers", nargs="*", default=list(PEERS), choices=list(PEERS),
                        help="The classical compressors of the peers part.")
    parser.add_argument("--peer-input", default="large", choices=["small", "large"],
                        help="The built input the peers part codes.")
    args = parser.parse_args(argv)
    from bench.scale_log import RunLog, SizeCostLog
    from bench.scale_report import write_markdown

    log = RunLog(args.out / "runs.jsonl", resume=args.resume)
    costs = SizeCostLog(args.out / "size_cost.jsonl")
    if not (CORPUS / "enwik6").exists():
        sys.exit(f"the corpus is not at {CORPUS}")
    with tempfile.TemporaryDirectory(prefix="tzscale-") as scratch_name:
        scratch = Path(scratch_name)
        inputs = {"small": lambda: build_input(args.small_size, scratch / "small.txt"),
                  "large": lambda: build_input(args.size, scratch / "large.txt"),
                  "enwik6": lambda: CORPUS / "enwik6", "texts": lambda: largest_text(scratch / "texts.txt")}
        for level in args.levels:
            if "throughput" in args.parts:
                throughput(log, level, inputs["small"](), scratch, block_size=args.block_size, repeat=args.repeat)
            if "memory" in args.parts:
                needed = {MEMORY_RUNS[name][0] for name in args.memory_runs}
                memory(log, level, {name: inputs[name]() for name in needed}, scratch, block_size=args.block_size,
                       runs=args.memory_runs)
            if "size-cost" in args.parts:
                chosen = args.block_size or _level_block_size(level)
                sizes = sorted({chosen, *args.cost_block_sizes})
                costs.add(size_cost(level, [inputs[name]() for name in args.cost_files], sizes))
        if "peers" in args.parts:
            peers(log, args.peers, inputs[args.peer_input](), scratch, repeat=args.repeat)
    write_markdown(log.rows, costs.rows, args.out / "scale.md")
    print(f"wrote {args.out}/scale.md from {args.out}/runs.jsonl and size_cost.jsonl")


def _level_block_size(level: str) -> int:
    from trainzip.codec.presets import preset

    return preset(level).block_size


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
