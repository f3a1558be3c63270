"""The KT reference learner: one estimator on two paths, a real round trip, and its regret bounds."""

import itertools
import math

import numpy as np
import pytest

from trainzip import prequential
from trainzip.coding import DecodeChannel, EncodeChannel
from trainzip.limits.kt import KTLearner, kt_bits_per_symbol, kt_encode, kt_frequency_chunks
from trainzip.limits.regret import context_counts, kt_regret_bounds_bits, ml_code_length_bits
from trainzip.limits.sources import MarkovSource, standard_sources


def _kt_closed_form_bits(counts):
    """log2 of 1 / (Dirichlet(1/2) marginal likelihood) of a count table, via log-gamma."""
    m = counts.shape[1]
    total = 0.0
    for row in counts:
        total += math.lgamma(row.sum() + m / 2) - math.lgamma(m / 2)
        total -= sum(math.lgamma(a + 0.5) - math.lgamma(0.5) for a in row)
    return total / math.log(2)


@pytest.mark.parametrize(("m", "k"), [(4, 2), (16, 0), (3, 3)])
def test_fast_path_frequencies_equal_the_learners(m, k):
    """Chunked teacher-forced frequencies are bit-identical to KTLearner's, step by step."""
    symbols = np.random.default_rng(m + k).integers(0, m, size=1500)
    fast = np.concatenate([f for f, _ in kt_frequency_chunks(symbols, m, k, chunk=311)])
    learner, slow = KTLearner(m, k), []
    for symbol in symbols:
        slow.append(learner.predict())
        learner.learn(np.array([symbol]))
    np.testing.assert_array_equal(fast, np.concatenate(slow))


def test_kt_round_trip_through_the_prequential_loop():
    """Bulk-encoded KT decodes with KTLearner in the prequential loop to the same symbols."""
    symbols = standard_sources()[2].sample(2000, seed=7).symbols
    channel = EncodeChannel()
    kt_encode(symbols, 4, 2, channel)
    decoded = prequential.run(KTLearner(4, 2), DecodeChannel(channel.finish()), len(symbols))
    np.testing.assert_array_equal(np.concatenate(decoded), symbols)


def test_vectorised_bits_equal_the_closed_form_and_the_direct_formula():
    """Per-symbol KT bits sum to the log-gamma closed form, and each matches (n_ca+1/2)/(n_c+m/2)."""
    m, k = 3, 2
    symbols = np.random.default_rng(0).integers(0, m, size=3000)
    bits = kt_bits_per_symbol(symbols, m, k)
    assert bits.sum() == pytest.approx(_kt_closed_form_bits(context_counts(symbols, m, k)), rel=1e-12)
    table, context, direct = np.zeros((m**k, m)), 0, []
    for symbol in symbols[:200]:
        direct.append(-math.log2((table[context, symbol] + 0.5) / (table[context].sum() + m / 2)))
        table[context, symbol] += 1
        context = (context * m + symbol) % m**k
    np.testing.assert_allclose(bits[:200], direct, rtol=1e-12)


def test_quantized_code_stays_within_the_stated_quantization_cost():
    """16-bit frequencies cost at most -log2(1 - m/2**16) bits a symbol more than exact KT."""
    symbols = standard_sources()[0].sample(20_000, seed=2).symbols
    channel = EncodeChannel()
    kt_encode(symbols, 16, 0, channel)
    exact = kt_bits_per_symbol(symbols, 16, 0).sum()
    assert channel.ideal_bits <= exact + len(symbols) * -math.log2(1 - 16 / 2**16)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_kt_band_holds_for_every_count_vector(m):
    """lower(n) <= L_KT - L_ML <= upper(n) for every count vector with n <= 40; upper is tight at n = 1."""
    vectors = np.array([
        [cuts[i + 1] - cuts[i] - 1 for i in range(m)]
        for n in range(1, 41)
        for split in itertools.combinations(range(n + m - 1), m - 1)  # stars and bars
        for cuts in [(-1, *split, n + m - 1)]
    ])
    n = vectors.sum(axis=1)
    log_gamma_half = np.array([math.lgamma(j + 0.5) for j in range(41)])  # lgamma(count + 1/2)
    kt_nats = np.array([math.lgamma(t + m / 2) for t in n]) - math.lgamma(m / 2)
    kt_nats -= (log_gamma_half[vectors] - math.lgamma(0.5)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ml_nats = -np.where(vectors > 0, vectors * np.log(vectors / n[:, None]), 0.0).sum(axis=1)
    regret = (kt_nats - ml_nats) / math.log(2)
    low = (m - 1) / 2 * np.log2(n / (2 * math.pi)) + (m * math.lgamma(0.5) - math.lgamma(m / 2)) / math.log(2)
    high = (m - 1) / 2 * np.log2(n) + math.log2(m)
    assert np.all(low - 1e-9 <= regret) and np.all(regret <= high + 1e-9)
    assert np.allclose(kt_regret_bounds_bits(vectors), (low.sum(), high.sum()))
    assert regret[n == 1] == pytest.approx(high[n == 1])


def test_kt_regret_within_its_bound_on_a_markov_source():
    """Order-2 KT on 10**5 symbols of an order-2, 4-symbol Markov source: the regret against the
    best order-2 model in hindsight lies in the exact KT band, exactly and after quantization."""
    source = MarkovSource.random("m", alphabet_size=4, order=2, seed=11, concentration=0.7)
    symbols = source.sample(100_000, seed=12).symbols
    counts = context_counts(symbols, 4, 2)
    low, high = kt_regret_bounds_bits(counts)
    regret = kt_bits_per_symbol(symbols, 4, 2).sum() - ml_code_length_bits(counts)
    assert low <= regret <= high
    channel = EncodeChannel()
    kt_encode(symbols, 4, 2, channel)
    quantization_bits = len(symbols) * -math.log2(1 - 4 / 2**16)
    assert channel.ideal_bits - ml_code_length_bits(counts) <= high + quantization_bits


def test_the_band_has_teeth_an_add_one_estimator_breaks_it():
    """Laplace (add-1) on a run of one symbol pays about (m-1) log2 n, above KT's upper bound."""
    m, n = 4, 10_000
    laplace_bits = sum(math.log2((t + m) / (t + 1)) for t in range(n))  # all symbols 0, ML costs 0
    _, high = kt_regret_bounds_bits(np.array([[n, 0, 0, 0]]))
    assert laplace_bits > high + 10
