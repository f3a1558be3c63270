"""Regret yardsticks: the best order-k model in hindsight, and the KT bounds around it.

The maximum-likelihood (ML) code length of the order-k class is the shortest any single order-k
model could code x^n in hindsight (it is not a code: the model would have to be sent):

    L_ML(x^n) = -sum_{c,a} n_c,a log2(n_c,a / n_c)

KT's pointwise regret L_KT - L_ML depends only on the counts. For one context with n_c >= 1
symbols over an alphabet of m, for every sequence,

    lower(n_c) = (m-1)/2 log2(n_c / (2 pi)) + log2(Gamma(1/2)**m / Gamma(m/2))
    upper(n_c) = (m-1)/2 log2(n_c) + log2(m)

    lower(n_c) <= L_KT - L_ML <= upper(n_c)

The upper bound is the binary KT bound 1/2 log2 n + 1 (Willems, Shtarkov & Tjalkens 1995)
written for m symbols, with equality at n_c = 1; its worst case is a context that only ever
sees one symbol, where the regret tends to (m-1)/2 log2 n_c + log2(Gamma(1/2) / Gamma(m/2)). The
lower bound is the regret of an interior (balanced) sequence as n_c grows, the asymptotic
minimax regret of the class, approached from above. Both were checked exhaustively over every
count vector for m <= 5, n_c < 60 (tests/test_kt.py repeats it for m <= 4, n_c <= 40). Over the order-k
class the regret is the sum over occupied contexts, at most m**k ((m-1)/2 log2(n / m**k) + log2 m)
once n >= e m**k (by concavity of log), i.e. (k_free / 2) log2 n + O(m**k) with
k_free = m**k (m - 1) free parameters.
"""

from __future__ import annotations

import math

import numpy as np

from trainzip.limits.sources import context_ids


def context_counts(symbols: np.ndarray, alphabet_size: int, order: int) -> np.ndarray:
    """(m**k, m) table n_c,a of how often symbol a followed context c (start padded with 0s)."""
    symbols = np.asarray(symbols, dtype=np.int64)
    pairs = context_ids(symbols, alphabet_size, order) * alphabet_size + symbols
    counts = np.bincount(pairs, minlength=alphabet_size ** (order + 1))
    return counts.reshape(alphabet_size**order, alphabet_size)


def ml_code_length_bits(counts: np.ndarray) -> float:
    """-sum n_c,a log2(n_c,a / n_c): the best order-k model's code length in hindsight."""
    counts = np.asarray(counts, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    ratio = np.where(counts > 0, counts / np.where(totals > 0, totals, 1.0), 1.0)
    return float(-(counts * np.log2(ratio)).sum())


def kt_regret_bounds_bits(counts: np.ndarray) -> tuple[float, float]:
    """(lower, upper) on L_KT - L_ML for the order-k KT estimator, summed over occupied contexts."""
    counts = np.asarray(counts)
    alphabet_size = counts.shape[1]
    totals = counts.sum(axis=1)
    occupied = totals[totals > 0].astype(np.float64)
    half_dims = (alphabet_size - 1) / 2
    constant = alphabet_size * math.lgamma(0.5) / math.log(2) - math.lgamma(alphabet_size / 2) / math.log(2)
    lower = float((half_dims * np.log2(occupied / (2 * math.pi)) + constant).sum())
    upper = float((half_dims * np.log2(occupied) + math.log2(alphabet_size)).sum())
    return lower, upper


def free_parameters(alphabet_size: int, order: int) -> int:
    """k_free = m**k (m - 1): the dimension of the order-k Markov class."""
    return alphabet_size**order * (alphabet_size - 1)


def asymptotic_regret_bits(free: int, n: int) -> float:
    """(k_free / 2) log2 n: the leading term of the minimax (and expected) regret of a k_free-parameter class."""
    return free / 2 * math.log2(n)
