"""The switch code: send a stream with whichever of several models, trained side by side, is best
at each point, paying only for the switches (Blier & Ollivier 2018; van Erven, Grünwald & de
Rooij's switch distribution, 2007/2012).

Simple models learn fast and win early; complex ones win once they have seen enough data. A code
that commits to one model pays for its bad stretch; the switch code is a Bayesian mixture over
every *switching sequence* (which model codes each unit: a sample, a batch or a block), so its
length is close to that of the best sequence in hindsight. The prior on sequences: the first
unit's model uniform over the M models; after unit t (t = 1, 2, ...) a switch, with probability
alpha_t = 1 / (t + 1), to one of the other M - 1 models. The mixture is computed online, unit by
unit, as "fixed share" with that decreasing rate (Herbster & Warmuth; Koolen & de Rooij): each
unit costs -log2 sum_m w_m 2^(-bits_m), then the weights are updated by Bayes and shared.

Stated bounds, for any switching sequence s with k switches after units t_1 < ... < t_k:

    L_switch <= L_s - log2 prior(s)
             =  L_s + log2 M + sum_{t not a switch} log2((t + 1) / t) + sum_j log2((M - 1)(t_j + 1))
    and so, for the best single model (k = 0):   L_switch <= min_m L_m + log2 M + log2 T.

``switching_cost_bits`` is that last term, log2 M + log2 T for T units. It is a real code: a
decoder with the same models can mix them the same way. All figures in bits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class SwitchCode:
    """The switch code of M models over T units, with each model's own code and the best switching path."""

    names: tuple[str, ...]
    model_bits: tuple[float, ...]  # each model's total code length alone
    unit_bits: np.ndarray = field(repr=False)  # (T,) the switch code of each unit
    weights: np.ndarray = field(repr=False)  # (T, M) each model's weight when its unit was coded
    path: np.ndarray = field(repr=False)  # (T,) the model of each unit on the best switching sequence
    path_bits: float  # that sequence's own code plus its prior cost: a bound on the switch code

    @property
    def bits(self) -> float:
        """The switch code's total length."""
        return float(self.unit_bits.sum())

    @property
    def best_model(self) -> str:
        """The model with the shortest code alone."""
        return self.names[int(np.argmin(self.model_bits))]

    @property
    def best_bits(self) -> float:
        """The best single model's code length."""
        return float(min(self.model_bits))

    @property
    def switching_cost_bits(self) -> float:
        """The stated bound's margin over the best single model: log2 M + log2 T."""
        return math.log2(len(self.names)) + math.log2(max(len(self.unit_bits), 1))

    @property
    def saving_bits(self) -> float:
        """Bits saved against the best single model (negative: it paid part of its switching cost)."""
        return self.best_bits - self.bits

    def switches(self) -> list[tuple[int, str]]:
        """(first unit, model) of each stretch of the best switching sequence."""
        starts = [0] + [int(t) for t in np.flatnonzero(np.diff(self.path)) + 1]
        return [(start, self.names[int(self.path[start])]) for start in starts]

    def to_dict(self) -> dict:
        """The figures for a run record (bits)."""
        return {"models": list(self.names), "bits": self.bits, "model_bits": dict(zip(self.names, self.model_bits)),
                "best_model": self.best_model, "best_bits": self.best_bits,
                "switching_cost_bits": self.switching_cost_bits, "bound_bits": self.best_bits + self.switching_cost_bits,
                "saving_bits": self.saving_bits, "units": int(len(self.unit_bits)),
                "best_path": [{"from_unit": start, "model": name} for start, name in self.switches()],
                "best_path_bits": self.path_bits}


def switch_code(bits: Mapping[str, Sequence[float]] | np.ndarray, names: Sequence[str] | None = None) -> SwitchCode:
    """The switch code over models whose per-unit code lengths (bits) are given.

    Args:
        bits: {name: (T,) bits per unit} or an (M, T) array; every model codes the same T units
            (samples, batches or blocks) in the same order.
        names: the models' names when ``bits`` is an array.
    """
    if isinstance(bits, Mapping):
        names, matrix = tuple(bits), np.array([np.asarray(values, dtype=np.float64) for values in bits.values()])
    else:
        matrix = np.asarray(bits, dtype=np.float64)
        names = tuple(names) if names is not None else tuple(f"model {i}" for i in range(len(matrix)))
    if matrix.ndim != 2 or len(matrix) < 1 or len(names) != len(matrix) or matrix.shape[1] < 1:
        raise ValueError(f"expected (M, T) bits for M >= 1 named models and T >= 1 units, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise ValueError("per-unit bits must be finite and non-negative")
    unit_bits, weights = _fixed_share(matrix)
    path, path_bits = _best_path(matrix)
    return SwitchCode(names, tuple(float(total) for total in matrix.sum(axis=1)), unit_bits, weights, path, path_bits)


def switch_rate(boundary: int) -> float:
    """alpha_t: the prior probability of a switch after unit t (1-based), 1 / (t + 1)."""
    return 1.0 / (boundary + 1)


def _fixed_share(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T,) bits of each unit under the mixture, and (T, M) the weights it was coded with."""
    models, units = matrix.shape
    weights = np.full(models, 1.0 / models)
    unit_bits, history = np.empty(units), np.empty((units, models))
    for t in range(units):
        history[t] = weights
        costs = matrix[:, t]
        cheapest = costs.min()
        scaled = weights * np.exp2(cheapest - costs)  # w_m 2^-(bits_m - min): no underflow for the best
        total = scaled.sum()
        unit_bits[t] = cheapest - math.log2(total)
        posterior = scaled / total
        if models > 1:
            alpha = switch_rate(t + 1)
            weights = (1 - alpha) * posterior + alpha * (1 - posterior) / (models - 1)
        else:
            weights = posterior
    return unit_bits, history


def _best_path(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """The switching sequence with the least code plus prior cost (Viterbi), and that total."""
    models, units = matrix.shape
    cost = matrix[:, 0] + math.log2(models)
    back = np.zeros((units, models), dtype=np.int64)
    for t in range(1, units):
        alpha = switch_rate(t)
        stay = cost - math.log2(1 - alpha)
        if models > 1:
            order = np.argsort(cost)
            best, second = order[0], order[1]
            other = np.where(np.arange(models) == best, cost[second], cost[best])  # cheapest other model
            come = other - math.log2(alpha / (models - 1))
            came_from = np.where(np.arange(models) == best, second, best)
            switch = come < stay
            back[t] = np.where(switch, came_from, np.arange(models))
            cost = np.where(switch, come, stay) + matrix[:, t]
        else:
            back[t] = 0
            cost = stay + matrix[:, t]
    path = np.empty(units, dtype=np.int64)
    path[-1] = int(np.argmin(cost))
    for t in range(units - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(cost.min())


def meters_switch_code(meters: Mapping[str, object]) -> SwitchCode:
    """The switch code over several `PrequentialMeter`s that metered the same batches side by side.

    Units are examples where every meter kept its per-example bits (``keep_example_bits=True``),
    else batches. Reading the meters is collective under torch.distributed, like any figure.
    """
    if len(meters) < 1:
        raise ValueError("a switch code needs at least one meter")
    keep_examples = all(getattr(meter, "keep_example_bits", False) for meter in meters.values())
    if keep_examples:
        units = {name: meter.example_bits()["bits"] for name, meter in meters.items()}
    else:
        units = {name: meter.step_arrays()["bits"] for name, meter in meters.items()}
    lengths = {name: len(bits) for name, bits in units.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"the meters did not meter the same units side by side: {lengths}")
    return switch_code(units)


def meters_switch_record(meters: Mapping[str, object]) -> dict:
    """A run record (kind prequential) of the switch code over ``meters``, per metered batch, with
    each model's totals and the switch figures beside it."""
    from trainzip.record_format import RECORD_FORMAT

    code = meters_switch_code(meters)
    first = next(iter(meters.values()))
    steps = first.step_arrays()
    if len(code.unit_bits) == len(steps["bits"]):
        step_bits = code.unit_bits
    else:  # per-example units summed back into their batches
        step_bits = np.bincount(first.example_bits()["step"], weights=code.unit_bits, minlength=len(steps["bits"]))
    samples = int(steps["samples"].sum())
    uniform = float(steps["uniform_bits"].sum())
    return {"format": RECORD_FORMAT, "kind": "prequential", "unit": "bits", "symbol": first.symbol,
            "title": f"Switch code over {', '.join(code.names)}", "num_classes": first.num_classes,
            "steps": [{"step": i, "samples": int(n), "bits": float(b), "uniform_bits": float(u)}
                      for i, (n, b, u) in enumerate(zip(steps["samples"], step_bits, steps["uniform_bits"]))],
            "totals": {"samples": samples, "bits": code.bits, "uniform_bits": uniform, "final_model_bits": None,
                       "regret_bits": None, "absorbed_bits": None, "bits_per_sample": code.bits / max(samples, 1)},
            "switch": code.to_dict(), "models": {name: meter.totals() for name, meter in meters.items()}}
