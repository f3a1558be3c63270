"""The network's share of the code: every level with and without its network, on every benchmark file.

    python bench/network_share.py [--levels fast default max] [--files alice29.txt ...] [--repeats 3]
                                  [--out bench/results/network_share.md]

For each level and file, the payload (the coder's bytes, without the 21-23-byte envelope) with the
level's network and with the same settings and no network, and the coding time of each. A level
without a network (fast) is measured with default's network added, to show what it would buy. The
configurations of a file are coded in turn, ``--repeats`` times over (interleaved, so that a busy
machine slows them alike), and the median CPU time of the process is reported.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _variants(level: str) -> dict:
    """{"with": config, "without": config} for a level (fast: default's network added)."""
    from trainzip.codec.presets import LEVELS

    config = LEVELS[level]
    network = config.network or LEVELS["default"].network
    return {"with": config.replace(network=network), "without": config.replace(network=None)}


def measure(data: bytes, variants: dict, repeats: int) -> dict:
    """{name: (payload bytes, median CPU seconds)}, the variants coded in turn ``repeats`` times."""
    from trainzip.codec import compress_with_report

    seconds = {name: [] for name in variants}
    payload = {}
    for _ in range(repeats):
        for name, config in variants.items():
            started = time.process_time()
            _, report = compress_with_report(data, config=config)
            seconds[name].append(time.process_time() - started)
            payload[name] = report.payload_bytes
    return {name: (payload[name], statistics.median(seconds[name])) for name in variants}


def table(rows: list[dict]) -> str:
    lines = ["| level | file | with network | without | saving | with s | without s | time |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['level']} | {r['file']} | {r['with'][0]:,} | {r['without'][0]:,} | "
                     f"{100 * (r['without'][0] - r['with'][0]) / r['without'][0]:+.3f}% | {r['with'][1]:.2f} | "
                     f"{r['without'][1]:.2f} | {100 * (r['with'][1] / r['without'][1] - 1):+.1f}% |")
    for level in dict.fromkeys(r["level"] for r in rows):
        mine = [r for r in rows if r["level"] == level]
        with_bytes, without_bytes = (sum(r[k][0] for r in mine) for k in ("with", "without"))
        with_s, without_s = (sum(r[k][1] for r in mine) for k in ("with", "without"))
        lines.append(f"| {level} | total | {with_bytes:,} | {without_bytes:,} | "
                     f"{100 * (without_bytes - with_bytes) / without_bytes:+.3f}% | {with_s:.2f} | {without_s:.2f} | "
                     f"{100 * (with_s / without_s - 1):+.1f}% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    from bench.run import TEXT_FILES, corpus_path
    from trainzip.codec.kernel_loading import load_kernels

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", nargs="*", default=["fast", "default", "max"])
    parser.add_argument("--files", nargs="*", default=TEXT_FILES)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "network_share.md")
    args = parser.parse_args(argv)
    load_kernels()
    rows = []
    for level in args.levels:
        for name in args.files:
            result = measure(corpus_path(name).read_bytes(), _variants(level), args.repeats)
            rows.append({"level": level, "file": name, **result})
            print(f"{level:<8} {name:<14} with {result['with'][0]:>9,} ({result['with'][1]:6.2f} s)  "
                  f"without {result['without'][0]:>9,} ({result['without'][1]:6.2f} s)", flush=True)
    args.out.write_text("# The network's share of the code\n\nPayload bytes (the envelope excluded) and median "
                        f"CPU seconds of {args.repeats} interleaved runs per configuration, in one process "
                        "(`python bench/network_share.py`).\n\n" + table(rows))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
