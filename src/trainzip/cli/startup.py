"""Costs at the start and the end of a `trainzip` process that the command line refuses to pay.

Numba's probe for BLAS through scipy.linalg: a process's first call of a compiled kernel makes
Numba load its implementation registries, and one of them (numba.np.arraymath) imports
scipy.linalg only to learn whether BLAS is there for its np.correlate and np.convolve.
trainzip's kernels never call either, and importing scipy.linalg cost a quarter of what
`trainzip --fast -c xargs.1` took (0.50 -> 0.37 s of CPU, median of 9, interleaved). Inside
the `trainzip` process that one import is refused, exactly as on a machine without scipy (a case
Numba supports: it then uses its own inner product for those two functions); every other import
of scipy.linalg, including Numba's own when it compiles linear algebra, goes through.

Python's teardown: once a coding command has published its output and said its last line, the
interpreter's shut-down frees every module one by one, about 0.1 s of CPU after Numba's kernels
and 0.4 s after PyTorch, for nothing a user keeps. `exit_now` ends the process there instead.
"""

from __future__ import annotations

import importlib.abc
import os
import sys

_PROBED = "scipy.linalg"


class _RefuseBlasProbe(importlib.abc.MetaPathFinder):
    """Refuses scipy.linalg to numba.np.linalg.ensure_blas, once; stands aside for anything else."""

    def find_spec(self, name, path=None, target=None):
        if name != _PROBED:
            return None
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name == "ensure_blas" and frame.f_globals.get("__name__") == "numba.np.linalg":
                remove(self)  # once: later imports (Numba compiling linear algebra) find scipy as usual
                raise ModuleNotFoundError(f"{_PROBED} is not loaded for Numba's BLAS probe in trainzip", name=name)
            frame = frame.f_back
        return None


def skip_blas_probe() -> _RefuseBlasProbe | None:
    """Refuse Numba's BLAS probe from now on (nothing to do if scipy.linalg is loaded already)."""
    if _PROBED in sys.modules:
        return None
    finder = _RefuseBlasProbe()
    sys.meta_path.insert(0, finder)
    return finder


def remove(finder: _RefuseBlasProbe | None) -> None:
    """Stand down (the probe came already, or the command is over)."""
    if finder is not None and finder in sys.meta_path:
        sys.meta_path.remove(finder)


def exit_now(status: int) -> None:
    """End the process with ``status`` at once, after flushing stdout and stderr: for a command whose
    outputs are all committed or closed, the only things Python's shut-down would still do for us."""
    if "multiprocessing.util" in sys.modules:
        # what Python's exit would do for a pool of workers: release its queues' semaphores (a pool
        # stopped by an error may still hold them; unreleased, the resource tracker warns about
        # them on stderr after the command's one line)
        import multiprocessing.util

        multiprocessing.util._exit_function()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a reader that went away, or a closed stream: nothing more can be said there
    os._exit(status)
