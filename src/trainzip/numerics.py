"""What decoding depends on besides the file: library versions, CPU capability, thread count,
and for a model on a GPU the GPU, CUDA and cuDNN.

Bit-exact decoding needs the decoder to compute every probability exactly as the encoder did.
The fingerprint records everything known to change floating-point results; decoding refuses to
start on a machine whose fingerprint differs, rather than produce garbage.
"""

from __future__ import annotations

import os

# oneMKL chooses kernels by memory alignment unless conditional numerical reproducibility is on.
# It must be set before MKL loads, so this module is imported before torch (see __init__).
os.environ.setdefault("MKL_CBWR", "AUTO")
# Deterministic cuBLAS needs a fixed workspace split, read when its first handle is made; PyTorch's
# deterministic mode refuses CUDA matrix products without it. Costs the process a little cuBLAS speed.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

from trainzip._version import __version__  # noqa: E402
from trainzip.errors import FingerprintError  # noqa: E402

_PACKAGES = ("torch", "numpy", "numba", "constriction")


def use_threads(threads: int) -> None:
    """Pin PyTorch's intra-op thread count: reductions split by thread give different sums."""
    import torch

    torch.set_num_threads(threads)


def fingerprint(threads: int, device=None) -> dict:
    """The numerics this process would use with the given thread count, and on ``device`` if it is a
    GPU (a model there computes with CUDA's kernels: which GPU and which CUDA and cuDNN decide them)."""
    import platform
    from importlib import metadata  # here, not at import: `trainzip --help` should not pay for them

    import torch

    record = {"trainzip": __version__}
    record.update({name: metadata.version(name) for name in _PACKAGES})
    record.update(
        cpu_capability=torch.backends.cpu.get_cpu_capability(),
        machine=platform.machine(),
        mkl_cbwr=os.environ.get("MKL_CBWR", ""),
        threads=threads,
    )
    device = torch.device(device) if device is not None else None
    if device is not None and device.type == "cuda":
        major, minor = torch.cuda.get_device_capability(device)
        record.update(
            gpu=torch.cuda.get_device_name(device),
            gpu_capability=f"{major}.{minor}",
            cuda=torch.version.cuda,
            cudnn=torch.backends.cudnn.version(),
            cublas_workspace=os.environ.get("CUBLAS_WORKSPACE_CONFIG", ""),
        )
    return record


def check_fingerprint(recorded: dict, device=None) -> None:
    """Raise FingerprintError, naming each difference, if this machine's numerics differ.

    ``device``: where the decoder's model will run; by default a GPU if the file was written on one
    and this machine has one, else the CPU.
    """
    if device is None and "gpu" in recorded:
        import torch

        device = "cuda" if torch.cuda.is_available() else None
    current = fingerprint(int(recorded.get("threads", 1)), device)
    differences = [
        f"{key} {recorded.get(key)!r} in the file, {current.get(key)!r} here"
        for key in sorted(set(recorded) | set(current))
        if recorded.get(key) != current.get(key)
    ]
    if differences:
        raise FingerprintError("numerics differ from the machine that wrote the file ("
                               + "; ".join(differences) + "); use --ignore-fingerprint to try anyway")
