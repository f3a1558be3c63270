"""The switch code: a mixture over switching sequences, within its stated cost of the best model."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainzip.switching import switch_code, switch_rate

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def brute_force_bits(matrix: np.ndarray) -> float:
    """-log2 of the mixture over every switching sequence, summed by enumeration (tiny T only)."""
    models, units = matrix.shape
    total = 0.0
    for path in itertools.product(range(models), repeat=units):
        prior = 1.0 / models
        for t in range(1, units):
            alpha = switch_rate(t)
            prior *= (alpha / (models - 1)) if path[t] != path[t - 1] else (1 - alpha)
        total += prior * 2.0 ** -sum(matrix[m, t] for t, m in enumerate(path))
    return -math.log2(total)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 3), st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_online_mixture_equals_the_sum_over_all_switching_sequences(models, units, seed):
    """Fixed share with rate 1/(t+1) is exactly the Bayesian mixture over switching sequences."""
    matrix = np.random.default_rng(seed).uniform(0, 6, size=(models, units))
    assert switch_code(matrix).bits == pytest.approx(brute_force_bits(matrix), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 300), st.integers(0, 2**31 - 1))
def test_never_more_than_the_best_model_plus_its_stated_cost(models, units, seed):
    """L_switch <= min_m L_m + log2 M + log2 T, and <= the best path's code plus its prior cost."""
    matrix = np.random.default_rng(seed).exponential(2.0, size=(models, units))
    code = switch_code(matrix)
    assert code.switching_cost_bits == pytest.approx(math.log2(models) + math.log2(units))
    assert code.bits <= code.best_bits + code.switching_cost_bits + 1e-9
    assert code.bits <= code.path_bits + 1e-9


def test_switching_beats_both_models_when_the_better_one_changes():
    """A model that wins the first half and one that wins the second: the switch code is below both,
    and its best path switches once, where the lead changes."""
    early = np.r_[np.full(100, 0.5), np.full(100, 2.0)]
    late = np.r_[np.full(100, 2.0), np.full(100, 0.5)]
    code = switch_code({"simple": early, "complex": late})
    assert code.model_bits == (250.0, 250.0)
    assert code.bits < 0.7 * code.best_bits
    assert code.switches() == [(0, "simple"), (100, "complex")]
    record = code.to_dict()
    assert record["saving_bits"] == pytest.approx(250.0 - code.bits)
    assert record["bound_bits"] == pytest.approx(250 + 1 + math.log2(200))


def test_one_model_costs_exactly_its_own_bits_and_bad_input_is_refused():
    """With one model the switch code is that model's code; NaN or misshapen bits are refused."""
    assert switch_code(np.array([[1.0, 2.5, 0.25]])).bits == pytest.approx(3.75)
    with pytest.raises(ValueError, match="finite"):
        switch_code(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match=r"\(M, T\)"):
        switch_code(np.zeros(3))


def test_meters_of_two_models_trained_side_by_side_on_digits():
    """A linear model and an MLP trained in one loop on digits, each with its meter: the switch code
    over their per-example bits is within log2 2 + log2 n of the better one, and its record has both."""
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits

    from trainzip import PrequentialMeter
    from trainzip.switching import meters_switch_code, meters_switch_record

    data = load_digits()
    x = torch.from_numpy((data.data[:640] / 16).astype(np.float32))
    y = torch.from_numpy(data.target[:640].astype(np.int64))
    torch.manual_seed(0)
    models = {"linear": torch.nn.Linear(64, 10),
              "mlp": torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))}
    optimizers = {name: torch.optim.Adam(model.parameters(), lr=1e-2) for name, model in models.items()}
    meters = {name: PrequentialMeter(keep_example_bits=True) for name in models}
    for start in range(0, len(x), 32):
        xb, yb = x[start:start + 32], y[start:start + 32]
        for name, model in models.items():
            logits = model(xb)
            meters[name].update(logits, yb)
            loss = F.cross_entropy(logits, yb)
            optimizers[name].zero_grad()
            loss.backward()
            optimizers[name].step()
    code = meters_switch_code(meters)
    assert code.model_bits == pytest.approx((meters["linear"].total_bits, meters["mlp"].total_bits))
    assert len(code.unit_bits) == len(y)
    assert code.bits <= code.best_bits + math.log2(2) + math.log2(len(y)) + 1e-9
    record = meters_switch_record(meters)
    assert sum(step["bits"] for step in record["steps"]) == pytest.approx(code.bits)
    assert set(record["models"]) == {"linear", "mlp"} and record["switch"]["best_model"] == code.best_model
