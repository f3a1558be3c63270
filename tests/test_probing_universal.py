"""The universal online code: a real code, never more than its stated bound above the uniform code."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits

from trainzip.probing import (TrainingConfig, compare_probes, comparison_record, online_codelength,
                              online_codelength_seeds, probe_record, universal_code)

pytestmark = pytest.mark.usefixtures("one_torch_thread")
CONTROL_SEED = 12345
SLACK = 1e-9  # float rounding of sums of ~10^4 bits


def bound_over_uniform(n_samples: int, experts: int = 3) -> float:
    """The stated bound: log2 M + log2 N bits."""
    return math.log2(experts) + math.log2(n_samples)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.integers(1, 400), st.floats(0.0, 60.0), st.integers(0, 2**31 - 1))
def test_never_more_than_uniform_kt_or_the_probe_plus_the_stated_bound(classes, samples, worst_bits, seed):
    """By construction, whatever the probe's bits (up to 60 bits a sample): at most each expert + log2 3 + log2 N."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size=samples)
    probe = rng.uniform(0.0, worst_bits, size=samples)
    code = universal_code({"probe": probe}, labels, classes)
    bound = bound_over_uniform(samples)
    assert code.switching_cost_bits == pytest.approx(bound)
    for expert_bits in code.model_bits:
        assert code.bits <= expert_bits + bound + SLACK
    assert code.bits <= samples * math.log2(classes) + bound + SLACK


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_each_sample_is_coded_with_a_distribution_known_before_its_label(classes, prefix, seed):
    """Kraft equality: for a fixed past, the next sample's probabilities over every label sum to 1."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size=prefix)
    probe_p = rng.dirichlet(np.ones(classes), size=prefix + 1)  # (T + 1, K) the probe's predictions
    past_bits = -np.log2(probe_p[np.arange(prefix), labels])
    total = 0.0
    for label in range(classes):
        coded = np.r_[labels, label]
        code = universal_code({"probe": np.r_[past_bits, -math.log2(probe_p[prefix, label])]}, coded, classes)
        total += 2.0 ** -code.unit_bits[-1]
    assert total == pytest.approx(1.0, rel=1e-12)


def test_probe_names_that_clash_with_its_own_experts_are_refused():
    """A probe called 'uniform' or 'kt' would be mistaken for the universal code's own experts."""
    with pytest.raises(ValueError, match="taken"):
        universal_code({"kt": np.zeros(3)}, np.array([0, 1, 0]), 2)


@pytest.fixture(scope="module")
def digits_runs():
    """Linear probe, doubling schedule, seed 0, on all 1,797 digits: real labels and shuffled ones."""
    features, labels = load_digits(return_X_y=True)
    control = np.random.default_rng(CONTROL_SEED).permutation(labels)
    real = online_codelength(features, labels, probe="linear", schedule="doubling", seed=0)
    shuffled = online_codelength(features, control, probe="linear", schedule="doubling", seed=0)
    return real, shuffled


def test_shuffled_label_control_costs_at_most_uniform_plus_the_bound_on_digits(digits_runs):
    """Issue 28: the plain probe loses hundreds of bits to uniform on noise; the universal code loses <= 12.4."""
    _, shuffled = digits_runs
    bound = bound_over_uniform(shuffled.n_samples)
    assert shuffled.online_bits > shuffled.uniform_bits + 10 * bound  # the defect is real on this task
    assert shuffled.universal_bits <= shuffled.uniform_bits + bound


def test_real_labels_compress_as_before_within_the_bound_on_digits(digits_runs):
    """On real labels the universal code is within log2 3 + log2 N of the plain probe's, far below uniform."""
    real, _ = digits_runs
    assert real.universal_bits <= real.online_bits + bound_over_uniform(real.n_samples)
    assert real.uniform_bits / real.universal_bits > 4.0
    assert sum(real.universal_block_bits()) == pytest.approx(real.universal_bits, rel=1e-12)


def test_probe_record_keeps_the_plain_code_and_adds_the_universal_one():
    """``online_bits`` stays the plain probe's code; ``universal_bits`` and per-block figures are added."""
    features, labels = load_digits(return_X_y=True)
    spread = online_codelength_seeds(features[:120], labels[:120], seeds=(0, 1), probe="linear",
                                     schedule="doubling", config=TrainingConfig(max_steps=30))
    record = probe_record(spread, data="digits")
    universal = record["universal"]
    assert record["online_bits"] == pytest.approx(np.mean([run.online_bits for run in spread.runs]))
    assert record["universal_bits"] == pytest.approx(np.mean([run.universal_bits for run in spread.runs]))
    assert universal["experts"] == ["probe", "uniform", "kt"]
    assert universal["expert_bits"]["probe"] == pytest.approx(record["online_bits"])
    assert universal["expert_bits"]["uniform"] == pytest.approx(record["uniform_bits"])
    assert universal["bound_over_uniform_bits"] == pytest.approx(bound_over_uniform(120))
    assert sum(block["universal_bits"] for block in record["blocks"]) == pytest.approx(record["universal_bits"])
    assert [seed["universal_bits"] for seed in record["seeds"]] == [run.universal_bits for run in spread.runs]


def test_comparison_record_adds_a_universal_code_over_every_probe_and_both_references():
    """With two probes the universal code has four experts and its bound is log2 4 + log2 N."""
    features, labels = load_digits(return_X_y=True)
    comparison = compare_probes(features[:100], labels[:100], ("linear", "mlp"), seeds=(0,), schedule="doubling",
                                config=TrainingConfig(max_steps=30))
    record = comparison_record(comparison)
    assert record["universal"]["experts"] == ["linear", "mlp", "uniform", "kt"]
    assert record["universal"]["bound_over_uniform_bits"] == pytest.approx(bound_over_uniform(100, experts=4))
    assert record["universal_bits"] <= min(record["universal"]["expert_bits"].values()) + bound_over_uniform(100, 4)
    assert record["switch"]["bits"] == pytest.approx(comparison.switches[0].bits)  # the old switch code, unchanged
