"""One CLI run of trainzip in a child process, timed, with the peak resident memory of its whole
process tree (the command and every worker it starts), sampled every SAMPLE_S seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_S = 0.05


@dataclass(frozen=True)
class Run:
    """A finished run: wall-clock seconds (start-up included) and the tree's peak RSS in MiB."""

    wall_s: float
    peak_tree_mib: float


def _tree_rss_bytes(root) -> int:
    import psutil

    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_cli(*args: str) -> Run:
    """``python -m trainzip ARGS``; raises RuntimeError with its stderr if it fails."""
    import psutil

    env = dict(os.environ, PYTHONWARNINGS="ignore")
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "trainzip", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env)
    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_bytes(root))
        time.sleep(SAMPLE_S)
    wall_s = time.perf_counter() - started
    err = process.stderr.read().decode(errors="replace")
    if process.returncode:
        raise RuntimeError(f"trainzip {' '.join(args)} failed: {err[-600:]}")
    return Run(wall_s, peak / 2**20)


def round_trip(level: str, source: Path, scratch: Path, *, workers: int, block_size: int | None) -> dict:
    """Compress and decompress ``source``; checks the round trip byte for byte; the figures of both."""
    packed, restored = scratch / f"{source.name}.tz", scratch / f"{source.name}.out"
    block = ["--block-size", str(block_size)] if block_size else []
    encode = run_cli("compress", "-q", "--force", "--level", level, "-T", str(workers), *block, str(source), "-o",
                     str(packed))
    decode = run_cli("decompress", "-q", "--force", "-T", str(workers), str(packed), "-o", str(restored))
    if not _same_file(source, restored):
        raise RuntimeError(f"{level} with {workers} workers did not round-trip {source.name}")
    size = source.stat().st_size
    row = {"level": level, "input_bytes": size, "workers": workers, "block_size": block_size,
           "compressed_bytes": packed.stat().st_size,
           "compress_wall_s": encode.wall_s, "decompress_wall_s": decode.wall_s,
           "compress_kB_per_s": size / encode.wall_s / 1000, "decompress_kB_per_s": size / decode.wall_s / 1000,
           "compress_peak_tree_mib": encode.peak_tree_mib, "decompress_peak_tree_mib": decode.peak_tree_mib}
    restored.unlink()
    packed.unlink()
    return row


def _same_file(a: Path, b: Path, piece: int = 1 << 24) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as left, open(b, "rb") as right:
        while True:
            x, y = left.read(piece), right.read(piece)
            if x != y:
                return False
            if not x:
                return True
