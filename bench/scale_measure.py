"""One command in a child process (trainzip's CLI, or a classical peer's), timed, with the peak
resident memory of its whole process tree (the command and every worker it starts), sampled every
SAMPLE_S seconds; and the round trips built from such runs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
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


def run_command(argv: list[str], *, stdout_path: Path | None = None) -> Run:
    """Run ``argv`` (its standard output to ``stdout_path``, else discarded); raises RuntimeError
    with its stderr if it fails."""
    import psutil

    env = dict(os.environ, PYTHONWARNINGS="ignore")
    # stderr to a file, not a pipe: a pipe nobody reads while the child runs could fill and stall it
    with open(stdout_path or os.devnull, "wb") as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        with subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env) as process:
            root, peak = psutil.Process(process.pid), 0
            while process.poll() is None:
                peak = max(peak, _tree_rss_bytes(root))
                time.sleep(SAMPLE_S)
        wall_s = time.perf_counter() - started
        stderr.seek(0)
        err = stderr.read().decode(errors="replace")
    if process.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed: {err[-600:]}")
    return Run(wall_s, peak / 2**20)


def run_cli(*args: str) -> Run:
    """``python -m trainzip ARGS``."""
    return run_command([sys.executable, "-m", "trainzip", *args])


def round_trip(level: str, source: Path, scratch: Path, *, workers: int, block_size: int | None) -> dict:
    """Compress and decompress ``source`` with trainzip; checks the round trip byte for byte; the figures of both."""
    packed, restored = scratch / f"{source.name}.tz", scratch / f"{source.name}.out"
    block = ["--block-size", str(block_size)] if block_size else []
    encode = run_cli("compress", "-q", "--force", "--level", level, "-T", str(workers), *block, str(source), "-o",
                     str(packed))
    decode = run_cli("decompress", "-q", "--force", "-T", str(workers), str(packed), "-o", str(restored))
    return _checked_row(level, source, packed, restored, workers, block_size, encode, decode)


PEERS = {
    # a classical compressor's threaded round trip: (compress argv, decompress argv), {threads} filled in;
    # each writes to standard output
    "xz -9e": (["xz", "-9e", "-T{threads}", "-c"], ["xz", "-d", "-T{threads}", "-c"]),
    # xz's own threaded blocks are 3 dictionaries long (192 MiB at -9e): one block below that size,
    # so its threads have nothing to share out unless it is told to split, as trainzip does
    "xz -9e --block-size=16MiB": (["xz", "-9e", "--block-size=16MiB", "-T{threads}", "-c"],
                                  ["xz", "-d", "-T{threads}", "-c"]),
    # zstd decodes on one thread whatever -T says (and warns if told otherwise)
    "zstd -19": (["zstd", "-19", "-T{threads}", "-c"], ["zstd", "-d", "-c"]),
}


def peer_round_trip(peer: str, source: Path, scratch: Path, *, threads: int) -> dict:
    """A classical peer's round trip of ``source`` with ``threads`` threads, in the same row as trainzip's
    (its name as the level, its threads as the workers), checked byte for byte."""
    compress_argv, decompress_argv = ([word.format(threads=threads) for word in argv] for argv in PEERS[peer])
    packed, restored = scratch / f"{source.name}.peer", scratch / f"{source.name}.out"
    encode = run_command([*compress_argv, str(source)], stdout_path=packed)
    decode = run_command([*decompress_argv, str(packed)], stdout_path=restored)
    return _checked_row(peer, source, packed, restored, threads, None, encode, decode)


def _checked_row(name: str, source: Path, packed: Path, restored: Path, workers: int, block_size: int | None,
                 encode: Run, decode: Run) -> dict:
    if not _same_file(source, restored):
        raise RuntimeError(f"{name} with {workers} workers did not round-trip {source.name}")
    size = source.stat().st_size
    row = {"level": name, "input_bytes": size, "workers": workers, "block_size": block_size,
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
