"""One measured operation in its own process, so its peak memory is its own.

    python bench/worker.py CODEC compress|decompress IN OUT

Prints one JSON line: {"seconds": coding time inside the process}. Start-up is excluded: Python
imports and Numba's loading of trainzip's compiled kernels (the wall-clock seconds that bench/run.py
records include them).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _trainzip(level: str, direction: str, data: bytes) -> bytes:
    from trainzip.codec import compress, decompress

    return compress(data, level=level) if direction == "compress" else decompress(data)


def main() -> None:
    codec, direction, source, target = sys.argv[1:5]
    data = Path(source).read_bytes()
    if codec.startswith("trainzip "):
        import trainzip.codec  # noqa: F401  (import time is start-up, not coding)
        from trainzip.codec.kernel_loading import load_kernels

        load_kernels()  # so is Numba's loading of the compiled kernels

        started = time.perf_counter()
        result = _trainzip(codec.split()[1], direction, data)
    else:
        from trainzip.baselines import baselines

        compress, decompress = baselines([codec])[codec]
        started = time.perf_counter()
        result = compress(data) if direction == "compress" else decompress(data)
    seconds = time.perf_counter() - started
    Path(target).write_bytes(result)
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main()
