"""What decoding depends on besides the file, where PyTorch's kernels compute a code's
probabilities: library versions, CPU capability, thread count, and for a model on a GPU the GPU,
CUDA and cuDNN.

Bit-exact decoding needs the decoder to compute every probability exactly as the encoder did.
Two kinds of file depend on PyTorch: label streams of a user's own model, and byte-codec files
that trainzip 0.6 coded with its PyTorch LSTM. Their fingerprint records everything known to change
floating-point results, and decoding refuses to start where it differs, rather than produce
garbage. Byte-codec files of 0.7 on carry none: their network is exact (models/exact_network/network).
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
                               + "; ".join(differences) + "); a label stream's probabilities come from "
                               "PyTorch's kernels, so ignore_fingerprint=True only tries anyway (the checksum "
                               "still guards the result)")


# What decides the floats of 0.6's PyTorch LSTM (codec files): PyTorch's version picks its kernels,
# the CPU capability and machine the code paths they take, MKL_CBWR oneMKL's, the threads how sums
# are split. The rest of the fingerprint does not: trainzip's version (the golden files pin the
# code path), NumPy (a copy of the probabilities), Numba (the quantizer is float64 IEEE arithmetic
# without fastmath, the count models integers) and constriction (not used by the byte codec).
TORCH_NETWORK_NUMERICS = ("torch", "cpu_capability", "machine", "mkl_cbwr", "threads")
_REMEDIES = {
    "torch": "install that PyTorch (pip install torch=={})",
    "cpu_capability": "run where PyTorch's CPU capability is {} (ATEN_CPU_CAPABILITY can lower it)",
    "machine": "run on a {} machine",
    "mkl_cbwr": "set MKL_CBWR={}",
    "threads": "run with {} threads",
}


def check_torch_network_numerics(recorded: dict) -> None:
    """Raise FingerprintError, naming each difference and how to match it, if PyTorch would compute
    the 0.6 LSTM's probabilities differently here than where the file was written."""
    current = fingerprint(int(recorded.get("threads", 1)))
    differences = [key for key in TORCH_NETWORK_NUMERICS if recorded.get(key) != current.get(key)]
    if differences:
        raise FingerprintError(
            "this file was coded with trainzip 0.6's PyTorch network, whose floats depend on the machine, and "
            "this one computes them differently ("
            + "; ".join(f"{key} {recorded.get(key)!r} in the file, {current.get(key)!r} here" for key in differences)
            + "); to decode it, " + ", ".join(_REMEDIES[key].format(recorded.get(key)) for key in differences))
