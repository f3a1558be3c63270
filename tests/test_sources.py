"""Sources of known entropy rate: the rate formulas, the samples, and the oracle code length."""

import math

import numpy as np
import pytest

from trainzip.limits.regret import context_counts
from trainzip.limits.sources import MarkovSource, PeriodicSource, context_ids, entropy_bits, iid, standard_sources


def _binary_entropy(p):
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def test_binary_markov_rate_matches_the_closed_form():
    """A two-state chain: pi = (b, a)/(a+b), H = pi0 h(a) + pi1 h(b); the uniform average would differ."""
    a, b = 0.05, 0.6
    source = MarkovSource("two-state", np.array([[1 - a, a], [b, 1 - b]]), order=1)
    np.testing.assert_allclose(source.stationary(), [b / (a + b), a / (a + b)], atol=1e-12)
    expected = (b * _binary_entropy(a) + a * _binary_entropy(b)) / (a + b)
    assert source.entropy_rate_bits == pytest.approx(expected, abs=1e-12)
    assert abs(expected - (_binary_entropy(a) + _binary_entropy(b)) / 2) > 0.25


def test_order2_stationary_distribution_is_stationary():
    """pi of the m**k context chain is left unchanged by one step of the chain."""
    source = MarkovSource.random("m", alphabet_size=3, order=2, seed=5, concentration=0.3)
    pi = source.stationary()
    m, contexts = 3, 9
    following = np.zeros(contexts)
    for c in range(contexts):
        for a in range(m):
            following[(c * m + a) % contexts] += pi[c] * source.transitions[c, a]
    np.testing.assert_allclose(following, pi, atol=1e-12)


def test_iid_rate_is_the_entropy_of_its_probabilities():
    """An order-0 source's rate is H(p) in bits, and the probabilities are normalised."""
    source = iid("iid", [1, 1, 2])
    assert source.entropy_rate_bits == pytest.approx(1.5)
    assert entropy_bits(np.array([0.5, 0.5, 0.0])) == pytest.approx(1.0)


@pytest.mark.parametrize("source", standard_sources(), ids=lambda s: s.name)
def test_samples_are_reproducible_and_in_the_alphabet(source):
    """The same seed gives the same symbols; another seed gives others; values lie in 0..m-1."""
    first, again, other = source.sample(3000, seed=1), source.sample(3000, seed=1), source.sample(3000, seed=2)
    np.testing.assert_array_equal(first.symbols, again.symbols)
    assert not np.array_equal(first.symbols, other.symbols)
    assert first.symbols.dtype == np.uint8 and first.symbols.max() < source.alphabet_size


@pytest.mark.parametrize("source", standard_sources(), ids=lambda s: s.name)
def test_oracle_cost_per_symbol_averages_to_the_rate(source):
    """Mean of -log2 P_source over 2e5 symbols lies within 0.015 bits of the stated entropy rate."""
    sample = source.sample(200_000, seed=3)
    assert sample.source_bits.mean() == pytest.approx(source.entropy_rate_bits, abs=0.015)


def test_markov_sample_follows_its_transition_matrix():
    """Empirical next-symbol frequencies per context match P: sampler and context_ids agree on contexts."""
    source = MarkovSource.random("m", alphabet_size=4, order=2, seed=9, concentration=0.5)
    counts = context_counts(source.sample(400_000, seed=4).symbols, 4, 2)
    empirical = counts / counts.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(empirical, source.transitions, atol=0.03)


def test_markov_oracle_bits_are_the_true_conditional_costs():
    """After the head, each symbol costs -log2 P[context, symbol]; the head costs -log2 pi(start)."""
    source = MarkovSource.random("m", alphabet_size=3, order=2, seed=1)
    sample = source.sample(50, seed=0)
    contexts = context_ids(sample.symbols, 3, 2)
    tail = -np.log2(source.transitions[contexts[2:], sample.symbols[2:]])
    np.testing.assert_allclose(sample.source_bits[2:], tail)
    start = int(sample.symbols[0]) * 3 + int(sample.symbols[1])
    assert sample.source_bits[:2].sum() == pytest.approx(-math.log2(source.stationary()[start]))


def test_periodic_rate_and_noise():
    """H = H(1 - eps + eps/m, eps/m, ...); the clean symbol is missed at rate eps (m - 1) / m."""
    source = PeriodicSource.random("p", alphabet_size=4, period=10, noise=0.2, seed=0)
    q = [1 - 0.2 + 0.05, 0.05, 0.05, 0.05]
    assert source.entropy_rate_bits == pytest.approx(-sum(p * math.log2(p) for p in q))
    sample = source.sample(100_000, seed=1)
    misses = np.mean(sample.source_bits > 1.0)
    assert misses == pytest.approx(0.2 * 3 / 4, abs=0.005)


def test_short_markov_sample_is_refused():
    """An order-k sample needs at least k symbols to spell its first context."""
    with pytest.raises(ValueError, match="at least 2"):
        MarkovSource.random("m", alphabet_size=2, order=2, seed=0).sample(1, seed=0)
