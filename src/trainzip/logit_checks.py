"""What can be wrong with a batch's logits and targets, each with its own one-line error.

The meter and the label learners score ``softmax(logits)``; four mistakes give wrong bits without
a word unless they are caught: non-finite logits (summed as NaN or inf), probabilities passed
where logits belong (softmax of a softmax: a flatter law, more bits), targets outside [0, K)
(a raw IndexError on the CPU, a device-side assert on a GPU), and targets whose shape only
happens to have as many elements as the logits have rows.

The flags are computed on the logits' device as one small tensor, so checking does not make a
GPU loop wait; they are read with the bits (see `trainzip.meter.batch_counts`).
"""

from __future__ import annotations

from trainzip.errors import InputError

PROBABILITY_TOLERANCE = 1e-3  # rows within this of summing to 1, every entry in [0, 1]: probabilities


def as_tensor(values, name: str):
    """``values`` as a torch tensor: NumPy arrays and (nested) lists are converted, anything else
    that is not a tensor is refused with InputError (rather than an AttributeError deep inside)."""
    import numpy as np
    import torch

    if isinstance(values, torch.Tensor):
        return values
    if isinstance(values, (np.ndarray, list, tuple)):
        try:
            return torch.as_tensor(np.asarray(values))
        except (TypeError, ValueError, RuntimeError) as error:  # ragged lists, object arrays, strings
            raise InputError(f"{name} could not be read as a numeric array ({error}): pass a torch tensor "
                             "or a NumPy array of numbers") from None
    raise InputError(f"{name} must be a torch tensor (or a NumPy array or list), got {type(values).__name__}")


def check_num_classes(num_classes) -> None:
    """InputError unless ``num_classes`` is None (inferred) or an integer of at least 2."""
    if num_classes is None:
        return
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise InputError(f"num_classes must be an integer of at least 2 (a code needs two symbols to choose "
                         f"between), or None to take it from the first logits; got {num_classes!r}")


def check_alphabet(logits, num_classes: int | None, *, where: str) -> int:
    """The class count of (B, K) or (B, T, V) logits, checked against the meter's ``num_classes``;
    InputError for other ranks, fewer than 2 classes, a changed count or an empty batch."""
    if logits.dim() not in (2, 3):
        raise InputError(f"{where}: expected logits of shape (B, K) or (B, T, V), got {tuple(logits.shape)}: "
                         "flatten any further axes into B (reshape(-1, K)), and give one-row batches as (1, K)")
    classes = int(logits.shape[-1])
    if classes < 2:
        raise InputError(f"{where}: logits {tuple(logits.shape)} have {classes} class(es); a code needs at least 2 "
                         "(a binary classifier's single logit z is the pair of logits (0, z))")
    if num_classes is not None and classes != num_classes:
        raise InputError(f"{where}: logits have {classes} classes, the meter expects {num_classes} (from "
                         "num_classes or its first batch): meter each alphabet with a meter of its own")
    if logits.shape[:-1].numel() == 0:
        raise InputError(f"{where}: the batch is empty (logits {tuple(logits.shape)}): nothing to score; skip the "
                         "call (a sequence of length 1 has no next token to predict); under torch.distributed, "
                         "where every rank meters each step, give it a row whose target is padding instead")
    return classes


def check_shapes(logits, targets) -> None:
    """Logits (B, K) with targets (B,), or (B, T, V) with (B, T); integer targets. InputError otherwise."""
    if logits.dim() not in (2, 3):
        raise InputError(f"expected logits of shape (B, K) or (B, T, V), got {tuple(logits.shape)}")
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise InputError(f"logits {tuple(logits.shape)} and targets {tuple(targets.shape)} do not match: "
                         f"targets must have shape {tuple(logits.shape[:-1])}")
    if targets.dtype.is_floating_point or targets.dtype.is_complex or targets.dtype == _bool_dtype():
        raise InputError(f"targets must be integer class indices, got {targets.dtype} (one-hot or soft targets "
                         "are not labels a code can send)")


def batch_flags(flat_logits, flat_targets, counted):
    """(3,) float64 tensor on the logits' device: counted rows with non-finite logits, targets out of
    [0, K), and 1.0 if every row looks like a probability vector (else 0.0).

    Args:
        flat_logits: (N, K) logits.
        flat_targets: (N,) int64 targets, on the same device.
        counted: (N,) bool, the rows that are not padding.
    """
    import torch

    classes = flat_logits.shape[1]
    nonfinite = (~torch.isfinite(flat_logits).all(dim=1) & counted).sum()
    out_of_range = (((flat_targets < 0) | (flat_targets >= classes)) & counted).sum()
    in_unit_range = ((flat_logits >= 0) & (flat_logits <= 1)).all()
    sums_to_one = ((flat_logits.sum(dim=1) - 1).abs() <= PROBABILITY_TOLERANCE).all()
    fractional = ((flat_logits > 0) & (flat_logits < 1)).any()  # one-hot logits (0s and 1s) are not flagged
    probability_like = in_unit_range & sums_to_one & fractional & (flat_logits.shape[0] > 0)
    return torch.stack([nonfinite.double(), out_of_range.double(), probability_like.double()])


def raise_for_flags(nonfinite: float, out_of_range: float, probability_like: float, *, classes: int, where: str) -> None:
    """Raise the InputError the flags of `batch_flags` call for (``where`` names the batch)."""
    if nonfinite:
        raise InputError(f"{where}: {int(nonfinite)} row(s) of logits hold NaN or infinite values "
                         "(a diverged model, or an overflow in half precision); their bits would be NaN or inf")
    if out_of_range:
        raise InputError(f"{where}: {int(out_of_range)} target(s) lie outside [0, {classes}) and are not the "
                         "padding value (ignore_index)")
    if probability_like:
        raise InputError(f"{where}: the logits look like probabilities (every row in [0, 1], summing to 1); "
                         "pass logits or log-probabilities (softmax of probabilities is a flatter law: wrong bits)")


def check_predictions(logits, *, where: str) -> None:
    """InputError if (b, K) logits a coder is about to use are non-finite or look like probabilities
    (the label learners' check: the labels are not known yet, so no target is checked)."""
    import torch

    flat = logits.detach().reshape(-1, logits.shape[-1])
    flags = batch_flags(flat, torch.zeros(len(flat), dtype=torch.long, device=flat.device),
                        torch.ones(len(flat), dtype=torch.bool, device=flat.device))
    raise_for_flags(*flags.tolist(), classes=int(logits.shape[-1]), where=where)


def _bool_dtype():
    import torch

    return torch.bool
