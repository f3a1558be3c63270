"""The few collective operations the meter needs from `torch.distributed`, and nothing per batch.

Each rank meters its own shard of every step; the run's figures are the sums over ranks. They are
summed only when a figure is read or written (one all-reduce of every step's counts, after a
small one that checks every rank metered as many steps), so metering itself never communicates.
Reading is therefore collective, like torchmetrics' ``compute()``: every rank must do it, or the
ranks that do wait for the others.
"""

from __future__ import annotations

import numpy as np



def rank_and_world() -> tuple[int, int]:
    """(rank, world size) of the default process group; (0, 1) when there is none."""
    try:
        import torch.distributed as dist
    except ImportError:  # a build without distributed support
        return 0, 1
    if not (dist.is_available() and dist.is_initialized()):
        return 0, 1
    return dist.get_rank(), dist.get_world_size()


def _device():
    """Where collectives run: the current GPU under NCCL, else the CPU."""
    import torch
    import torch.distributed as dist

    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def max_over_ranks(values: list[int]) -> list[int]:
    """The element-wise maximum of a few integers over all ranks (one small all-reduce)."""
    import torch
    import torch.distributed as dist

    tensor = torch.tensor(values, dtype=torch.int64, device=_device())
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return [int(value) for value in tensor.cpu().tolist()]


def sum_over_ranks(values: np.ndarray) -> np.ndarray:
    """The element-wise sum of ``values`` over all ranks (float64; one all-reduce)."""
    import torch
    import torch.distributed as dist

    tensor = torch.as_tensor(np.ascontiguousarray(values, dtype=np.float64)).to(_device())
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.cpu().numpy()


def gather_objects(value) -> list:
    """Every rank's ``value``, in rank order (pickled; for the rare per-example exports)."""
    import torch.distributed as dist

    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, value)
    return gathered
