"""A model's (b, K) logits as the (b, K) integer frequencies a label or token coder codes under.

Every label coder (the block learners and the loop-fed stream) goes through this one function, so
encoder and decoder turn the same logits into the same integers: softmax in float64 on the CPU,
then the one quantizer (`trainzip.coding.quantize`).
"""

from __future__ import annotations

import numpy as np
import torch

from trainzip.coding.quantize import quantize
from trainzip.logit_checks import check_predictions


def frequencies_of(logits: torch.Tensor, frequency_bits: int, *, where: str) -> np.ndarray:
    """(b, K) int64 frequencies, rows summing to 2**frequency_bits, from (b, K) logits.

    Raises:
        InputError: the logits are non-finite or look like probabilities (``where`` names them).
    """
    logits = logits.detach()
    check_predictions(logits, where=where)
    probabilities = torch.softmax(logits.double(), dim=1).cpu().numpy()  # (b, K)
    return quantize(probabilities, frequency_bits)
