"""A file written here decodes, byte for byte, under other Python, NumPy and Numba versions.

    python bench/other_libraries.py [--file alice29.txt] [--level default]
                                    [--env PYTHON:REQUIREMENTS ...] [--keep DIR]

Compresses the file with this environment (its pinned versions), then, for each ``--env``, makes a
fresh virtual environment from that interpreter, installs the requirements from the registry
(without PyTorch: no byte-codec file written since 0.7 imports it) and decodes the file there, in
a fresh process with its own Numba cache, from this checkout's sources. Prints one line per
environment: the versions it got, the decode's time and whether the bytes are the original's.
The default environments are the newest NumPy and Numba the registry serves (on the newest
Python they support) and the oldest that trainzip allows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ENVS = [
    "/root/.pyenv/versions/3.12.1/bin/python:numpy numba",  # the registry's newest (NumPy 2.5 needs Python 3.12)
    f"{sys.executable}:numpy==1.26.4 numba==0.60.0",  # the oldest pyproject.toml allows
]
RUNTIME = "click tqdm constriction==0.5.0"  # what decoding needs besides NumPy and Numba
VERSIONS = "import sys, numpy, numba; print(sys.version.split()[0], numpy.__version__, numba.__version__)"


def make_env(folder: Path, python: str, requirements: str) -> Path:
    """A fresh venv at ``folder`` with ``requirements``; returns its interpreter."""
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    interpreter = folder / "bin" / "python"
    subprocess.run([str(interpreter), "-m", "pip", "install", "-q", *requirements.split(), *RUNTIME.split()],
                   check=True)
    return interpreter


def decode_there(interpreter: Path, blob_path: Path, out_path: Path, cache: Path) -> tuple[str, float]:
    """(versions, seconds) of a decode by ``interpreter`` from this checkout's sources."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), NUMBA_CACHE_DIR=str(cache))
    versions = subprocess.run([str(interpreter), "-c", VERSIONS], capture_output=True, text=True, env=env,
                              check=True).stdout.strip()
    started = time.perf_counter()
    result = subprocess.run([str(interpreter), "-m", "trainzip", "decompress", "-q", "-f", str(blob_path), "-o",
                             str(out_path)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"decode under {versions} failed: {result.stderr.strip()}")
    return versions, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    from bench.run import corpus_path
    from trainzip.codec import compress

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", default="alice29.txt")
    parser.add_argument("--level", default="default")
    parser.add_argument("--env", action="append", help="PYTHON:REQUIREMENTS (default: newest and oldest)")
    parser.add_argument("--keep", type=Path, help="keep the venvs and files in this folder")
    args = parser.parse_args(argv)
    original = corpus_path(args.file).read_bytes()
    work = args.keep or Path(tempfile.mkdtemp(prefix="trainzip-libraries-"))
    work.mkdir(parents=True, exist_ok=True)
    blob_path = work / f"{args.file}.{args.level}.tz"
    blob_path.write_bytes(compress(original, level=args.level))
    here = subprocess.run([sys.executable, "-c", VERSIONS], capture_output=True, text=True, check=True).stdout.strip()
    print(f"written with Python/NumPy/Numba {here}: {args.file} at {args.level}, {blob_path.stat().st_size:,} bytes")
    rows = []
    for index, spec in enumerate(args.env or DEFAULT_ENVS):
        python, requirements = spec.split(":", 1)
        interpreter = make_env(work / f"venv{index}", python, requirements)
        out_path = work / f"decoded{index}"
        versions, seconds = decode_there(interpreter, blob_path, out_path, work / f"cache{index}")
        same = hashlib.sha256(out_path.read_bytes()).digest() == hashlib.sha256(original).digest()
        rows.append({"versions": versions, "seconds": seconds, "identical": same})
        print(f"decoded with Python/NumPy/Numba {versions}: {'identical' if same else 'DIFFERENT'} ({seconds:.1f} s, "
              f"compilation included)", flush=True)
    print(json.dumps(rows))
    if not all(row["identical"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
