"""Sources whose entropy rate is known exactly, so that every code can be held against its limit.

Each source draws a seeded, reproducible sample and says, symbol by symbol, what the source itself
would have paid for it (-log2 of its true conditional probability): the oracle code length. The
entropy rate H is the expected oracle cost per symbol in the long run, so for any learner

    regret against the rate     = L_learner(x^n) - n * H          (noisy: O(sqrt n) fluctuations)
    regret against the source   = L_learner(x^n) - L_source(x^n)  (the same, path by path)

Three kinds:

- `MarkovSource` of order k over m symbols (order 0 is i.i.d.). Its contexts form a Markov chain
  on m**k states; H = sum_c pi(c) H(P[c, :]) with pi the chain's stationary distribution. The
  first k symbols are drawn from pi, so the sample is stationary from its first symbol.
- `PeriodicSource`: a random pattern of period P repeated, each symbol replaced with probability
  eps by a uniform one. Its Markov order is infinite (an order-k model with k < P never sees
  the phase), yet its rate is exact: given pattern and phase the symbols are independent with
  q(pattern symbol) = 1 - eps + eps/m and q(other) = eps/m, so H = H(q). The phase (uniform on
  P values) is unknown to a learner but costs at most log2 P bits in all, which vanishes per
  symbol: H(X^n) lies in [n H, n H + log2 P].
"""

from __future__ import annotations

import dataclasses
import math

import numba
import numpy as np


@dataclasses.dataclass(frozen=True)
class Sample:
    """A drawn sequence and what the source itself pays for each symbol."""

    symbols: np.ndarray  # (n,) uint8, values 0..m-1
    source_bits: np.ndarray  # (n,) float64: -log2 P_source(x_t | x^{t-1}) under the true model


def entropy_bits(probabilities: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits of each row (0 log 0 = 0)."""
    p = np.asarray(probabilities, dtype=np.float64)
    logs = np.log2(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=-1)


def context_ids(symbols: np.ndarray, alphabet_size: int, order: int) -> np.ndarray:
    """(n,) context index of each position: sum_j x[t-j] * m**(j-1), symbols before the start are 0.

    The most recent symbol is the least significant digit, so the next context is
    (context * m + symbol) % m**order: the convention shared by sources and learners.
    """
    symbols = np.asarray(symbols, dtype=np.int64)
    contexts = np.zeros(len(symbols), dtype=np.int64)
    for lag in range(1, order + 1):
        contexts[lag:] += symbols[:-lag] * alphabet_size ** (lag - 1)
    return contexts


@numba.njit(cache=True)
def _walk_chain(cdf, uniforms, context, alphabet_size, n_contexts, out):  # pragma: no cover - jitted
    """Draw out[t] from row `context` of cdf by inverse transform, then move the context on."""
    for t in range(len(uniforms)):
        row = cdf[context]
        symbol = 0
        while symbol < alphabet_size - 1 and uniforms[t] >= row[symbol]:
            symbol += 1
        out[t] = symbol
        context = (context * alphabet_size + symbol) % n_contexts


@dataclasses.dataclass(frozen=True)
class MarkovSource:
    """Order-k Markov source over m symbols: P[c, a] = P(next = a | context c), c in 0..m**k-1."""

    name: str
    transitions: np.ndarray  # (m**k, m) rows summing to 1
    order: int

    @classmethod
    def random(cls, name: str, *, alphabet_size: int, order: int, seed: int, concentration: float = 1.0):
        """Rows drawn from a symmetric Dirichlet(concentration): small values give peaked rows."""
        rng = np.random.default_rng(seed)
        rows = rng.dirichlet(np.full(alphabet_size, concentration), size=alphabet_size**order)
        return cls(name=name, transitions=rows, order=order)

    @property
    def alphabet_size(self) -> int:
        return self.transitions.shape[1]

    @property
    def free_parameters(self) -> int:
        """m**k (m - 1): the dimension of the order-k model class."""
        return self.transitions.shape[0] * (self.alphabet_size - 1)

    def stationary(self) -> np.ndarray:
        """(m**k,) stationary distribution of the context chain (solved exactly, not iterated)."""
        n_contexts, m = self.transitions.shape
        chain = np.zeros((n_contexts, n_contexts))
        for symbol in range(m):
            following = (np.arange(n_contexts) * m + symbol) % n_contexts
            np.add.at(chain, (np.arange(n_contexts), following), self.transitions[:, symbol])
        # pi (chain - I) = 0 with sum(pi) = 1, as one least-squares system
        system = np.vstack([chain.T - np.eye(n_contexts), np.ones(n_contexts)])
        target = np.zeros(n_contexts + 1)
        target[-1] = 1.0
        pi = np.linalg.lstsq(system, target, rcond=None)[0]
        return np.clip(pi, 0.0, None) / np.clip(pi, 0.0, None).sum()

    @property
    def entropy_rate_bits(self) -> float:
        """sum_c pi(c) H(P[c, :]), bits per symbol."""
        return float(self.stationary() @ entropy_bits(self.transitions))

    def sample(self, n: int, seed: int) -> Sample:
        """n symbols; the first k spell a context drawn from pi, the rest follow the chain.

        The head's cost, -log2 pi(start), is charged to its last symbol.
        """
        m, k = self.alphabet_size, self.order
        if n < k:
            raise ValueError(f"a sample of an order-{k} source needs at least {k} symbols")
        rng = np.random.default_rng(seed)
        n_contexts = m**k
        pi = self.stationary()
        start = int(rng.choice(n_contexts, p=pi))
        head = np.array([(start // m**j) % m for j in reversed(range(k))], dtype=np.uint8)  # oldest first
        tail = np.zeros(n - k, dtype=np.uint8)
        _walk_chain(np.cumsum(self.transitions, axis=1), rng.random(n - k), start, m, n_contexts, tail)
        symbols = np.concatenate([head, tail])
        bits = -np.log2(self.transitions[context_ids(symbols, m, k), symbols])
        if k:
            bits[:k] = 0.0
            bits[k - 1] = -math.log2(pi[start])
        return Sample(symbols=symbols, source_bits=bits)


def iid(name: str, probabilities) -> MarkovSource:
    """An i.i.d. categorical source: a Markov source of order 0."""
    p = np.asarray(probabilities, dtype=np.float64)
    return MarkovSource(name=name, transitions=(p / p.sum())[None, :], order=0)


@dataclasses.dataclass(frozen=True)
class PeriodicSource:
    """A random period-P pattern over m symbols; each symbol is replaced by a uniform one w.p. eps."""

    name: str
    pattern: np.ndarray  # (P,) uint8
    alphabet_size: int
    noise: float

    order = None  # no finite Markov order
    free_parameters = None  # not a smooth parametric class: learning it costs about P log2 m bits

    @classmethod
    def random(cls, name: str, *, alphabet_size: int, period: int, noise: float, seed: int):
        rng = np.random.default_rng(seed)
        pattern = rng.integers(0, alphabet_size, size=period).astype(np.uint8)
        return cls(name=name, pattern=pattern, alphabet_size=alphabet_size, noise=noise)

    def _q_bits(self) -> tuple[float, float]:
        """(-log2 q(pattern symbol), -log2 q(any other symbol)) given the phase."""
        m, eps = self.alphabet_size, self.noise
        return -math.log2(1 - eps + eps / m), -math.log2(eps / m)

    @property
    def entropy_rate_bits(self) -> float:
        """H(q), q = (1 - eps + eps/m, eps/m, ..., eps/m): the per-symbol cost once the phase is known."""
        m, eps = self.alphabet_size, self.noise
        q = np.array([1 - eps + eps / m] + [eps / m] * (m - 1))
        return float(entropy_bits(q))

    def sample(self, n: int, seed: int) -> Sample:
        """n symbols from a uniformly random phase; source_bits assume the phase is known."""
        rng = np.random.default_rng(seed)
        period = len(self.pattern)
        phase = int(rng.integers(period))
        clean = self.pattern[(np.arange(n) + phase) % period]
        noisy = rng.random(n) < self.noise
        symbols = np.where(noisy, rng.integers(0, self.alphabet_size, size=n), clean).astype(np.uint8)
        hit_bits, miss_bits = self._q_bits()
        return Sample(symbols=symbols, source_bits=np.where(symbols == clean, hit_bits, miss_bits))


def standard_sources(seed: int = 0) -> list:
    """The sources `trainzip limits` measures: i.i.d., order 1 and 2 Markov, periodic with noise."""
    return [
        iid("iid-m16", np.random.default_rng(seed).dirichlet(np.full(16, 0.5))),
        MarkovSource.random("markov1-m8", alphabet_size=8, order=1, seed=seed + 1, concentration=0.5),
        MarkovSource.random("markov2-m4", alphabet_size=4, order=2, seed=seed + 2, concentration=1.0),
        PeriodicSource.random("periodic64-m4", alphabet_size=4, period=64, noise=0.1, seed=seed + 3),
    ]
