"""TensorBoard logging for `PrequentialMeter`, behind an import guard (tensorboard is an extra).

    from trainzip.integrations.tensorboard import summary_writer
    meter = PrequentialMeter(writer=summary_writer("runs/preq"))

The meter only needs an object with ``add_scalar(tag, value, step)``, so any logger with that
method works as well.
"""

from __future__ import annotations

from trainzip.integrations import is_tensorboard_available


def summary_writer(log_dir: str, **kwargs):
    """A `torch.utils.tensorboard.SummaryWriter` for ``log_dir``; ImportError that says how to install it."""
    if not is_tensorboard_available():
        raise ImportError("TensorBoard logging needs the tensorboard extra: pip install 'trainzip[tensorboard]'")
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(log_dir=log_dir, **kwargs)
