"""The Krichevsky-Trofimov (add-1/2) estimator of order k: the reference learner of known regret.

In context c, after counts n_c,a of each symbol a, KT predicts

    p(a | c) = (n_c,a + 1/2) / (n_c + m/2)

which is the Bayes mixture over all order-k models under a Dirichlet(1/2, ..., 1/2) prior per
context; its regret against the best order-k model in hindsight is about (m - 1)/2 log2 n_c per
context (see `trainzip.limits.regret` for the exact bound).

Two paths to the same integer frequencies:

- `KTLearner`, a Learner for `trainzip.prequential.run`: one symbol per step, the only way a
  decoder can run it (each context needs the symbol just decoded).
- `kt_frequency_chunks`, the teacher-forced fast path for an encoder that already holds the
  symbols: the same counts, in chunks, through the same `kt_probabilities` and `quantize`, so
  the frequencies are identical (a test pins this) and 10**6 symbols code in about a second.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from trainzip.coding.channel import Channel
from trainzip.coding.quantize import FREQUENCY_BITS, quantize
from trainzip.limits.sources import context_ids


def kt_probabilities(counts: np.ndarray) -> np.ndarray:
    """(n, m) counts before each prediction -> (n, m) float64 KT probabilities.

    Both paths call this on int64 counts, so encoder and decoder see the same floats.
    """
    counts = np.asarray(counts, dtype=np.int64)
    alphabet_size = counts.shape[1]
    totals = counts.sum(axis=1, keepdims=True)
    return (counts + 0.5) / (totals + alphabet_size / 2)


class KTLearner:
    """Order-k KT estimator over m symbols, one symbol per step (the decoder's path).

    Symbols before the start count as 0, so the first context is 0.
    """

    def __init__(self, alphabet_size: int, order: int, *, total_bits: int = FREQUENCY_BITS):
        self.alphabet_size = alphabet_size
        self.order = order
        self.total_bits = total_bits
        self.counts = np.zeros((alphabet_size**order, alphabet_size), dtype=np.int64)  # (contexts, m)
        self.context = 0

    def predict(self) -> np.ndarray:
        """(1, m) integer frequencies for the next symbol."""
        return quantize(kt_probabilities(self.counts[self.context][None, :]), self.total_bits)

    def learn(self, symbols: np.ndarray) -> None:
        """Count each symbol in its context, then move the context on."""
        for symbol in np.asarray(symbols, dtype=np.int64):
            self.counts[self.context, symbol] += 1
            self.context = (self.context * self.alphabet_size + int(symbol)) % len(self.counts)


def _counts_before(contexts: np.ndarray, symbols: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(c, m) counts each position's context held just before it; adds the chunk to ``table``.

    Sorting the chunk by context (stably) puts each context's positions in time order, so an
    exclusive running sum of one-hot symbols within each group is the count before each one.
    """
    alphabet_size = table.shape[1]
    order = np.argsort(contexts, kind="stable")
    sorted_contexts = contexts[order]
    onehot = np.zeros((len(symbols), alphabet_size), dtype=np.int64)
    onehot[np.arange(len(symbols)), symbols[order]] = 1
    running = np.cumsum(onehot, axis=0) - onehot  # (c, m) exclusive, across groups
    starts = np.flatnonzero(np.r_[True, sorted_contexts[1:] != sorted_contexts[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(symbols)]))
    counts = np.empty_like(onehot)
    counts[order] = running - running[group_start] + table[sorted_contexts]
    pairs = np.bincount(contexts * alphabet_size + symbols, minlength=table.size)
    table += pairs.reshape(table.shape)
    return counts


def kt_frequency_chunks(
    symbols: np.ndarray,
    alphabet_size: int,
    order: int,
    *,
    total_bits: int = FREQUENCY_BITS,
    chunk: int = 1 << 16,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (frequencies (c, m), symbols (c,)) chunks: what `KTLearner` would predict, in bulk."""
    symbols = np.asarray(symbols, dtype=np.int64)
    contexts = context_ids(symbols, alphabet_size, order)
    table = np.zeros((alphabet_size**order, alphabet_size), dtype=np.int64)  # counts so far
    for start in range(0, len(symbols), chunk):
        piece = symbols[start : start + chunk]
        counts = _counts_before(contexts[start : start + chunk], piece, table)
        yield quantize(kt_probabilities(counts), total_bits), piece


def kt_encode(symbols: np.ndarray, alphabet_size: int, order: int, channel: Channel) -> None:
    """Code all symbols through an encoding channel with order-k KT (decode with `KTLearner`)."""
    for frequencies, piece in kt_frequency_chunks(symbols, alphabet_size, order, total_bits=channel.total_bits):
        channel.code(frequencies, piece)


def _rank_within_group(keys: np.ndarray) -> np.ndarray:
    """(n,) how many earlier positions share each position's key."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = np.arange(len(keys)) - group_start
    return ranks


def kt_bits_per_symbol(symbols: np.ndarray, alphabet_size: int, order: int) -> np.ndarray:
    """(n,) exact (unquantized) KT code length of each symbol, -log2 p(x_t | past), in bits.

    Vectorised: the counts before t are the ranks of t among positions with its context and
    with its (context, symbol) pair.
    """
    symbols = np.asarray(symbols, dtype=np.int64)
    contexts = context_ids(symbols, alphabet_size, order)
    pair_count = _rank_within_group(contexts * alphabet_size + symbols)
    context_count = _rank_within_group(contexts)
    return np.log2(context_count + alphabet_size / 2) - np.log2(pair_count + 0.5)
