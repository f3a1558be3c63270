"""What decoding depends on besides the file: library versions, CPU capability, thread count.

Bit-exact decoding needs the decoder to compute every probability exactly as the encoder did.
The fingerprint records everything known to change floating-point results; decoding refuses to
start on a machine whose fingerprint differs, rather than produce garbage.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata

# oneMKL chooses kernels by memory alignment unless conditional numerical reproducibility is on.
# It must be set before MKL loads, so this module is imported before torch (see __init__).
os.environ.setdefault("MKL_CBWR", "AUTO")

from trainzip._version import __version__  # noqa: E402
from trainzip.errors import FingerprintError  # noqa: E402

_PACKAGES = ("torch", "numpy", "numba", "constriction")


def use_threads(threads: int) -> None:
    """Pin PyTorch's intra-op thread count: reductions split by thread give different sums."""
    import torch

    torch.set_num_threads(threads)


def fingerprint(threads: int) -> dict:
    """The numerics this process would use with the given thread count."""
    import torch

    record = {"trainzip": __version__}
    record.update({name: metadata.version(name) for name in _PACKAGES})
    record.update(
        cpu_capability=torch.backends.cpu.get_cpu_capability(),
        machine=platform.machine(),
        mkl_cbwr=os.environ.get("MKL_CBWR", ""),
        threads=threads,
    )
    return record


def check_fingerprint(recorded: dict) -> None:
    """Raise FingerprintError, naming each difference, if this machine's numerics differ."""
    current = fingerprint(int(recorded.get("threads", 1)))
    differences = [
        f"{key} {recorded.get(key)!r} in the file, {current.get(key)!r} here"
        for key in sorted(set(recorded) | set(current))
        if recorded.get(key) != current.get(key)
    ]
    if differences:
        raise FingerprintError("numerics differ from the machine that wrote the file ("
                               + "; ".join(differences) + "); use --ignore-fingerprint to try anyway")
