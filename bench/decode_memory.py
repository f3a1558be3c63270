"""The decoder's memory prediction against the measured peak, level by level (issue 25).

For each level's every revision this release can write, a file is compressed, then decoded by a
fresh `python -m trainzip decompress -T 1` whose peak resident memory (its whole process tree,
sampled every 50 ms) is set beside what `trainzip.codec.decode_memory` predicts from the file's
header before decoding. 0.6's `default` (its PyTorch network) is measured on its golden file.

    python bench/decode_memory.py [--input FILE] [--large]     # -> bench/results/decode_memory/

``--large`` adds each level on 16 MiB, its own block size (fast only: default and max would take
10-15 minutes each way).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_measure import run_command  # noqa: E402
from trainzip.codec import read_settings  # noqa: E402
from trainzip.codec.decode_memory import MiB, block_bytes  # noqa: E402
from trainzip.container import unpack  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "decode_memory"
DEFAULT_INPUT = ROOT.parent / "shared" / "corpus" / "enwik6"
GOLDEN_0_6_DEFAULT = ROOT / "tests" / "golden" / "0.6.0" / "text.default.tz"


def predicted_bytes(blob: bytes) -> int:
    """The largest block's need, as the decoder computes it before the block is read."""
    container = unpack(blob)
    config = read_settings(container)
    return max(block_bytes(config, block.original_length, len(block.payload), stored=block.stored)
               for block in container.blocks)


def measure(name: str, blob: bytes, folder: Path) -> dict:
    path = folder / f"{name}.tz"
    path.write_bytes(blob)
    run = run_command([sys.executable, "-m", "trainzip", "decompress", "-q", "-f", "-T", "1", str(path), "-o",
                       str(folder / f"{name}.out")])
    predicted_mib = predicted_bytes(blob) / MiB
    return {"case": name, "original_bytes": unpack(blob).original_length, "predicted_mib": round(predicted_mib, 1),
            "measured_peak_mib": round(run.peak_tree_mib, 1), "ratio": round(predicted_mib / run.peak_tree_mib, 3),
            "decode_s": round(run.wall_s, 1)}


def compress_file(source: Path, level: str, folder: Path) -> bytes:
    target = folder / f"input.{level}.tz"
    subprocess.run([sys.executable, "-m", "trainzip", "compress", "-q", "-f", "--level", level, "-T", "1",
                    str(source), "-o", str(target)], check=True)
    return target.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--large", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        for level in ("fast", "default", "max"):
            rows.append(measure(f"{level} on {args.input.name}", compress_file(args.input, level, folder), folder))
            print(rows[-1], flush=True)
        if args.large:
            big = folder / "large.bin"
            text = args.input.read_bytes()
            big.write_bytes((text * (-(-(16 * MiB) // len(text))))[:16 * MiB])
            rows.append(measure("fast on 16 MiB", compress_file(big, "fast", folder), folder))
            print(rows[-1], flush=True)
        rows.append(measure("default revision 1 (0.6.0 golden text.default.tz)", GOLDEN_0_6_DEFAULT.read_bytes(),
                            folder))
        print(rows[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "decode_memory.json").write_text(json.dumps({"machine": platform.processor() or platform.machine(),
                                                             "rows": rows}, indent=1) + "\n")
    lines = ["| case | original bytes | predicted MiB | measured peak MiB | predicted / measured | decode s |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['case']} | {r['original_bytes']:,} | {r['predicted_mib']:,.1f} | {r['measured_peak_mib']:,.1f} | "
              f"{r['ratio']:.3f} | {r['decode_s']} |" for r in rows]
    (RESULTS / "decode_memory.md").write_text("# Decoder memory: predicted against measured\n\n"
                                              f"`python bench/decode_memory.py{' --large' if args.large else ''}`; "
                                              "one fresh decoding process "
                                              "each (`-T 1`), peak RSS of its process tree sampled every 50 ms.\n\n"
                                              + "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
