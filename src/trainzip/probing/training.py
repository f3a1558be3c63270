"""Training a probe from scratch on the data seen so far, with a fixed, seeded budget.

The online code retrains a fresh probe before each block (Voita & Titov 2020; Blier & Ollivier
2018 retrain too). What is fixed here, so that a run is reproducible and the decoder of such a
code could replay it:

- the features arrive standardised (see `online_code.standardize`);
- full-batch Adam for at most ``max_steps`` steps, with the initial weights drawn from ``seed``;
- early stopping: a seeded ``holdout_fraction`` of the *seen* data (never the block to be coded)
  is held out, the held-out loss is checked every ``eval_every`` steps, training stops after
  ``patience`` checks without improvement and the best weights are kept. Below
  ``min_holdout_samples`` seen samples nothing is held out and the whole budget is spent.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from trainzip.probing.probes import TorchProbe, build_network


@dataclass(frozen=True, kw_only=True)
class TrainingConfig:
    """Everything that decides how a probe is trained (serialised into the probe's run record)."""

    probe: str = "linear"
    hidden_units: int = 128
    learning_rate: float = 1e-2
    weight_decay: float = 1e-2
    max_steps: int = 300
    eval_every: int = 10
    patience: int = 5
    holdout_fraction: float = 0.1
    min_holdout_samples: int = 20


def train_probe(
    features: np.ndarray, labels: np.ndarray, n_classes: int, seed: int, config: TrainingConfig
) -> TorchProbe:
    """A fresh probe trained on (features, labels); deterministic given ``seed`` and thread count."""
    rng = np.random.default_rng(seed)
    fit_rows, holdout_rows = _split(len(labels), rng, config)
    x = torch.as_tensor(features, dtype=torch.float32)
    y = torch.as_tensor(labels, dtype=torch.long)
    with torch.random.fork_rng(devices=[]):  # seed the initial weights without touching the caller's RNG
        torch.manual_seed(int(rng.integers(2**31)))
        network = build_network(config.probe, x.shape[1], n_classes, config.hidden_units)
    optimizer = torch.optim.Adam(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    stopper = _EarlyStopping(network, x[holdout_rows], y[holdout_rows], config.patience)
    for step in range(1, config.max_steps + 1):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(network(x[fit_rows]), y[fit_rows])  # nats, only for the gradient
        loss.backward()
        optimizer.step()
        if step % config.eval_every == 0 and stopper.should_stop():
            break
    return TorchProbe(stopper.best_network())


def _split(n_samples: int, rng: np.random.Generator, config: TrainingConfig) -> tuple[np.ndarray, np.ndarray]:
    """Row indices to fit on and to hold out (none held out below ``min_holdout_samples``)."""
    if n_samples < config.min_holdout_samples:
        return np.arange(n_samples), np.arange(0)
    order = rng.permutation(n_samples)
    n_holdout = max(1, int(round(config.holdout_fraction * n_samples)))
    return np.sort(order[n_holdout:]), np.sort(order[:n_holdout])


class _EarlyStopping:
    """Keeps the weights with the lowest held-out loss; says when patience has run out."""

    def __init__(self, network: nn.Module, x_holdout: torch.Tensor, y_holdout: torch.Tensor, patience: int):
        self.network, self.x, self.y, self.patience = network, x_holdout, y_holdout, patience
        self.best_loss, self.best_state, self.checks_since_best = float("inf"), None, 0

    def should_stop(self) -> bool:
        """Check the held-out loss now; True once ``patience`` checks have not improved on the best."""
        if len(self.y) == 0:
            return False
        with torch.no_grad():
            loss = float(nn.functional.cross_entropy(self.network(self.x), self.y))
        if loss < self.best_loss:
            self.best_loss, self.best_state, self.checks_since_best = loss, copy.deepcopy(self.network.state_dict()), 0
            return False
        self.checks_since_best += 1
        return self.checks_since_best >= self.patience

    def best_network(self) -> nn.Module:
        """The network with the best held-out weights (or as trained, when nothing was held out)."""
        if self.best_state is not None and len(self.y):
            self.should_stop()  # the last steps may not have been checked yet
            self.network.load_state_dict(self.best_state)
        return self.network
