"""The meter in a real plain PyTorch loop on real data (scikit-learn's digits)."""

import math

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from trainzip import PrequentialMeter


def digits():
    """The 1,797 8x8 digits, shuffled with a fixed seed, as float32 inputs and int64 labels."""
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(0).permutation(len(data.target))
    return (torch.from_numpy((data.data[order] / 16).astype(np.float32)),
            torch.from_numpy(data.target[order].astype(np.int64)))


def test_one_pass_of_training_codes_digits_far_below_uniform():
    """A logistic regression metered before each step codes the labels in far fewer bits than n log2 10,
    and the final model (rescored on the same data) has positive regret and absorbed bits."""
    torch.manual_seed(0)
    x, y = digits()
    model = torch.nn.Linear(64, 10)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    meter = PrequentialMeter()
    for start in range(0, len(x), 32):
        xb, yb = x[start:start + 32], y[start:start + 32]
        logits = model(xb)
        meter.update(logits, yb)  # before the step learns from this batch
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        meter.update_final(model(x), y)
    totals = meter.totals()
    assert totals["samples"] == len(y)
    assert totals["uniform_bits"] == pytest.approx(len(y) * math.log2(10))
    assert totals["bits"] < 0.5 * totals["uniform_bits"]
    assert 0 < totals["final_model_bits"] < totals["bits"]
    assert totals["regret_bits"] > 0 and totals["absorbed_bits"] > totals["uniform_bits"] / 2
    assert totals["accuracy"] > 0.7
