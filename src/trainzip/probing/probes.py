"""The probes: a linear map or a small MLP from features to class logits, and what they predict.

A probe here is whatever turns features into class probabilities after seeing labelled data. The
online code only needs `FittedProbe.log2_probabilities`, so a test can plug in a trivial probe
(for instance label counts) whose code length can be worked out by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np
import torch
from torch import nn

PROBES = ("linear", "mlp")


class FittedProbe(Protocol):
    """A probe after training: gives log2 p(class | features) for any features."""

    def log2_probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n, K) log2-probabilities for (n, d) features; each row's 2**values sums to 1."""


ProbeTrainer = Callable[[np.ndarray, np.ndarray, int, int], FittedProbe]
"""trainer(features (n, d), labels (n,), n_classes, seed) -> a FittedProbe trained from scratch."""


def build_network(kind: str, in_features: int, n_classes: int, hidden_units: int) -> nn.Module:
    """A fresh, randomly initialised probe network (uses torch's global RNG: seed it first)."""
    if kind == "linear":
        return nn.Linear(in_features, n_classes)
    if kind == "mlp":
        return nn.Sequential(
            nn.Linear(in_features, hidden_units), nn.ReLU(), nn.Linear(hidden_units, n_classes)
        )
    raise ValueError(f"unknown probe {kind!r}; choose one of {', '.join(PROBES)}")


class TorchProbe:
    """A trained network as a FittedProbe; probabilities in float64, so a code length is not rounded."""

    def __init__(self, network: nn.Module):
        self.network = network.eval()

    def log2_probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n, K) log2 p(k | x): log-softmax of the logits, in nats, divided by ln 2."""
        with torch.no_grad():
            logits = self.network(torch.as_tensor(features, dtype=torch.float32))  # (n, K)
            log_nats = torch.log_softmax(logits.double(), dim=1)
        return log_nats.numpy() / math.log(2)


class UniformProbe:
    """Predicts 1/K for every class: the code of the first block, and a baseline for tests."""

    def __init__(self, n_classes: int):
        self.n_classes = n_classes

    def log2_probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n, K), every entry -log2 K."""
        return np.full((len(features), self.n_classes), -math.log2(self.n_classes))
