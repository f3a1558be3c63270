"""A batch's code length in bits, from its logits and targets: the meter's one measurement.

PyTorch's cross-entropy is in nats; it is divided by ln 2 here, once, for every figure trainzip
reports. The input checks of `trainzip.logit_checks` ride along in the same small tensor.
"""

from __future__ import annotations

import math

from trainzip.logit_checks import batch_flags, check_shapes, raise_for_flags

LN2 = math.log(2.0)


def batch_counts(logits, targets, ignore_index: int = -100, *, per_example: bool = False):
    """A batch's bits, counted targets, correct top predictions and input flags, as one (6,) float64
    tensor on the logits' device: computing it does not wait for the device, reading it does (once).

    The last three entries are `logit_checks.batch_flags`: read them with `raise_for_flags`.

    Args:
        logits: (B, K) class scores or (B, T, V) next-token scores.
        targets: (B,) or (B, T) integer classes, on any device; entries equal to ``ignore_index``
            are skipped.
        ignore_index: the padding value (PyTorch's default, -100).
        per_example: also return each row's bits and counted symbols, (B,) each (summed over T).
    """
    import torch
    import torch.nn.functional as F

    check_shapes(logits, targets)
    with torch.no_grad():
        flat_logits = logits.detach().reshape(-1, logits.shape[-1]).double()  # (N, K): float64 so sums stay exact enough
        flat_targets = targets.detach().reshape(-1).long().to(flat_logits.device)  # (N,), beside the logits
        counted = flat_targets != ignore_index
        flags = batch_flags(flat_logits, flat_targets, counted)
        in_range = (flat_targets >= 0) & (flat_targets < flat_logits.shape[1])
        safe_targets = torch.where(in_range, flat_targets, ignore_index)  # never an IndexError: flagged instead
        nats = F.cross_entropy(flat_logits, safe_targets, ignore_index=ignore_index, reduction="none")  # (N,)
        correct = (flat_logits.argmax(dim=1) == flat_targets) & counted
        counts = torch.cat([torch.stack([nats.sum() / LN2, counted.sum().double(), correct.sum().double()]), flags])
        if not per_example:
            return counts
        rows = logits.shape[0]
        return counts, nats.reshape(rows, -1).sum(dim=1) / LN2, counted.reshape(rows, -1).sum(dim=1)


def batch_bits(logits, targets, ignore_index: int = -100) -> tuple[float, int, int]:
    """Code length of ``targets`` under ``softmax(logits)``, in bits, ignoring padding.

    Returns:
        (bits, samples, correct): the sum of -log2 p(target) over the counted targets, how many
        were counted, and how many of them were the model's top prediction (see `batch_counts`).

    Raises:
        InputError: non-finite logits, probabilities for logits, targets out of range, wrong shapes.
    """
    bits, samples, correct, *flags = batch_counts(logits, targets, ignore_index).tolist()
    raise_for_flags(*flags, classes=int(logits.shape[-1]), where="batch")
    return bits, int(samples), int(correct)
