"""Where jobs run: this process, a pool of processes on this machine, or a Ray cluster.

The byte codec sends it one job per block (`codec.block_coder.encode_block`, `decode_block`),
`trainzip probe` one per seed. Results always come back in the jobs' order, so what is written
does not depend on where or how many workers ran: the output is byte-identical whatever the
executor.
"""

from __future__ import annotations

import os

from trainzip.engine.base import Executor, SerialExecutor
from trainzip.engine.local import PoolExecutor


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def make_executor(*, workers: int | None = None, ray_address: str | None = None) -> Executor:
    """A Ray executor for ``ray_address``; else a pool of ``workers`` processes (default: every
    core); one worker runs in this process."""
    if ray_address:
        from trainzip.engine.ray_cluster import RayExecutor

        return RayExecutor(ray_address)
    workers = default_workers() if workers is None else workers
    return SerialExecutor() if workers == 1 else PoolExecutor(workers)


__all__ = ["Executor", "PoolExecutor", "SerialExecutor", "default_workers", "make_executor"]
