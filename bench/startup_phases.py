"""Where a fresh process's start-up goes, phase by phase (bench/startup.py runs it several times).

    python bench/startup_phases.py FILE

Prints JSON: the wall-clock and the CPU milliseconds of each phase (the CPU figure is what it
takes on an idle machine, the steadier one on a shared machine): the imports of click, NumPy, Numba and trainzip's codec
modules; then, on the first coding of FILE at `fast`, Numba's target registries (loaded by the
first kernel call, with the BLAS probe skipped as the trainzip command skips it) and each
kernel's load from Numba's cache; and the coding itself (a second call, nothing left to load).
The registries and the loads are timed by wrapping two functions of Numba's own
(`CPUContext.load_additional_registries`, `Cache.load_overload`); where a Numba release renames
them, those phases are left out and the rest still measured.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _timed(phases: dict, name: str, function):
    """``function`` wrapped to add its wall and CPU milliseconds to ``phases[name]``."""

    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent = phases.setdefault(name, {"wall_ms": 0.0, "cpu_ms": 0.0})
            spent["wall_ms"] += 1000 * (time.perf_counter() - wall)
            spent["cpu_ms"] += 1000 * (time.process_time() - cpu)

    return wrapper


def _kernel_name(cache) -> str:
    """'context_hashes' from a cache named like '<function context_hashes at 0x7f...>'."""
    name = str(getattr(cache, "_name", "?"))
    parts = name.split()
    return parts[1] if name.startswith("<function") and len(parts) > 1 else name


def _wrap_numba(phases: dict, loads: dict) -> None:
    """Time Numba's registry loading, and each kernel's load by its name."""
    try:
        from numba.core import caching, cpu
    except ImportError:
        return
    registries = getattr(cpu.CPUContext, "load_additional_registries", None)
    load = getattr(caching.Cache, "load_overload", None)
    if registries is not None:
        cpu.CPUContext.load_additional_registries = _timed(phases, "numba target registries", registries)
    if load is not None:
        def timed_load(cache, *args, **kwargs):
            return _timed(loads, _kernel_name(cache), load)(cache, *args, **kwargs)

        caching.Cache.load_overload = timed_load


def main(path: str) -> None:
    phases: dict[str, float] = {}
    data = Path(path).read_bytes()
    for module in ("click", "numpy", "numba"):
        _timed(phases, f"import {module}", __import__)(module)
    from trainzip.cli import startup  # (the command line's own modules: a few milliseconds, not timed)

    startup.skip_blas_probe()  # before the first kernel call, as the trainzip command does
    loads: dict[str, float] = {}
    _wrap_numba(phases, loads)
    _timed(phases, "import trainzip.codec", __import__)("trainzip.codec")
    from trainzip.codec import compress

    _timed(phases, "first coding call", compress)(data, level="fast")
    _timed(phases, "coding (a second call)", compress)(data, level="fast")
    phases["kernel loads"] = loads
    print(json.dumps(phases))


if __name__ == "__main__":
    main(sys.argv[1])
